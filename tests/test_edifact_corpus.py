#!/usr/bin/python3
"""test_edifact_corpus.py — `ordergw parse` on the EDIFACT corpus files.

Every tests/data/edifact/NAME.edi is parsed; the result (exit status,
orders, diagnostics with the file path taken off `where`, not_order) must
equal tests/data/edifact/NAME.edi.json, compared as JSON values (key order
and spacing do not matter).  Some files also run with a documented change
(PATCHED below) against their own expected file, so that a document that is
rejected as sent can still show its mapping.

The expected files were checked by hand against the documents.  With
--write the current output is written instead (then check it by hand!)."""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("ORDERGW_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("ORDERGW_BUILDDIR", ".")
DATA = os.path.join(SRC, "tests", "data", "edifact")

# name -> (bytes to replace, replacement, expected file, why)
PATCHED = {
    "ORDERS_D96B_EAN008_ung-group.edi": (
        b"UNT+21+1", b"UNT+18+1", "ORDERS_D96B_EAN008_ung-group.edi.fixed-unt.json",
        "the file's UNT says 21 segments for 18, so the message is rejected as sent"),
}


def run(path):
    p = subprocess.run([os.path.join(BUILD, "ordergw"), "parse", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    out = json.loads(p.stdout.decode("utf-8"))
    prefix = path + ": "
    for d in out["diagnostics"]:
        if d["where"] and d["where"].startswith(prefix):
            d["where"] = d["where"][len(prefix):]
    out["exit"] = p.returncode
    out.setdefault("not_order", None)
    return out


def diff(a, b, where="$"):
    """The first place where two JSON values differ, for the message."""
    if type(a) is not type(b):
        return "%s: %r != %r" % (where, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: only in %s" % (where, k, "got" if k in a else "expected")
            r = diff(a[k], b[k], where + "." + k)
            if r:
                return r
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items != %d" % (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            r = diff(x, y, "%s[%d]" % (where, i))
            if r:
                return r
        return None
    return None if a == b else "%s: got %r, expected %r" % (where, a, b)


def check(got, expected_path, write, label):
    if write:
        with open(expected_path, "w", encoding="utf-8") as f:
            json.dump(got, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
        return 0
    if not os.path.exists(expected_path):
        print("FAIL %s: no expected file %s" % (label, expected_path))
        return 1
    with open(expected_path, encoding="utf-8") as f:
        want = json.load(f)
    r = diff(got, want)
    if r:
        print("FAIL %s: %s" % (label, r))
        return 1
    print("ok   %s" % label)
    return 0


def main():
    write = "--write" in sys.argv
    if not os.path.exists(os.path.join(BUILD, "ordergw")):
        print("no ordergw in", BUILD)
        return 1
    names = sorted(n for n in os.listdir(DATA) if n.endswith(".edi"))
    if not names:
        print("no corpus files in", DATA)
        return 1
    failures = 0
    for name in names:
        path = os.path.join(DATA, name)
        failures += check(run(path), path + ".json", write, name)
        if name in PATCHED:
            old, new, expected, why = PATCHED[name]
            with open(path, "rb") as f:
                data = f.read()
            assert old in data, "%s: the patch no longer applies" % name
            with tempfile.TemporaryDirectory() as tmp:
                tpath = os.path.join(tmp, name)
                with open(tpath, "wb") as f:
                    f.write(data.replace(old, new))
                failures += check(run(tpath), os.path.join(DATA, expected), write,
                                  "%s with %s (%s)" % (name, new.decode(), why))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
