#!/usr/bin/python3
"""test_xml_corpus.py — `ordergw parse` on every UBL and cXML corpus file.

For each tests/data/{ubl,cxml}/NAME.xml, runs `$ORDERGW_BUILDDIR/ordergw
parse NAME.xml` inside that folder (so diagnostics name the bare file) and
compares the JSON semantically (key order ignored) with NAME.xml.json, a
golden file checked by hand against the document.  The exit status must be
0 when orders came out and 65 otherwise (non-orders, malformed XML), and
stderr may only carry ordergw's own one-line message: libxml2 never prints.
Forcing the wrong format must fail cleanly.  Set REGEN=1 to rewrite the
golden files (then read every diff before committing).
"""
import json
import os
import subprocess
import sys

SRC = os.environ.get("ORDERGW_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("ORDERGW_BUILDDIR", ".")
ORDERGW = os.path.join(BUILD, "ordergw")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)


def diff(path, got, want):
    """Print where two JSON values differ first."""
    if type(got) is not type(want):
        return "%s: got %r, want %r" % (path, got, want)
    if isinstance(got, dict):
        for k in sorted(set(got) | set(want)):
            if k not in got or k not in want:
                return "%s.%s: only in %s" % (path, k, "output" if k in got else "golden")
            d = diff(path + "." + k, got[k], want[k])
            if d:
                return d
        return None
    if isinstance(got, list):
        if len(got) != len(want):
            return "%s: %d items, want %d" % (path, len(got), len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            d = diff("%s[%d]" % (path, i), g, w)
            if d:
                return d
        return None
    return None if got == want else "%s: got %r, want %r" % (path, got, want)


def parse(folder, name, *extra):
    return subprocess.run([ORDERGW, "parse", *extra, name], cwd=folder,
                          capture_output=True, timeout=60)


def main():
    if not os.access(ORDERGW, os.X_OK):
        print("no ordergw binary in " + BUILD)
        return 77
    regen = os.environ.get("REGEN") == "1"
    n = 0
    for area in ("ubl", "cxml"):
        folder = os.path.join(SRC, "tests", "data", area)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".xml"):
                continue
            n += 1
            r = parse(folder, name)
            try:
                got = json.loads(r.stdout)
            except ValueError as e:
                fail("%s/%s: output is not JSON (%s)" % (area, name, e))
                continue
            want_status = 0 if got["orders"] else 65
            if r.returncode != want_status:
                fail("%s/%s: exit %d, want %d" % (area, name, r.returncode, want_status))
            err = r.stderr.decode("utf-8", "replace")
            if err and not (err.startswith("ordergw: ") and err.count("\n") == 1):
                fail("%s/%s: unexpected stderr: %r" % (area, name, err))
            golden = os.path.join(folder, name + ".json")
            if regen:
                with open(golden, "w", encoding="utf-8") as f:
                    json.dump(got, f, indent=1, ensure_ascii=False, sort_keys=True)
                    f.write("\n")
                continue
            with open(golden, encoding="utf-8") as f:
                want = json.load(f)
            d = diff(name, got, want)
            if d:
                fail("%s/%s: %s" % (area, name, d))
            # The other XML parser must refuse the file, without crashing.
            other = "cxml" if area == "ubl" else "ubl"
            r2 = parse(folder, name, "--format", other)
            if r2.returncode != 65:
                fail("%s/%s --format %s: exit %d, want 65" % (area, name, other, r2.returncode))
    if n < 16:
        fail("only %d corpus files found" % n)
    print("%d corpus files, %d failures" % (n, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
