#!/usr/bin/python3
"""test_x12_corpus.py -- `ordergw parse` on the X12 sample files.

Every tests/data/x12/*.edi is parsed and its JSON compared with the reviewed
golden file next to it (FILE.json); the exit status must be 0 when orders
were found and 65 for a non-order (855, 997).  The helpers are shared with
test_x12_copyleft.py.
"""
import json
import os
import subprocess
import sys

SRC = os.environ.get("ORDERGW_SRCDIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("ORDERGW_BUILDDIR", SRC)
ORDERGW = os.path.join(BUILD, "ordergw")
DATA = os.path.join(SRC, "tests", "data", "x12")

failures = []


def parse(folder, name):
    r = subprocess.run([ORDERGW, "parse", "--format", "x12", name], cwd=folder,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    try:
        doc = json.loads(r.stdout.decode("utf-8"))
    except ValueError as e:
        failures.append("%s: output is not JSON (%s): %r" % (name, e, r.stdout[:200]))
        doc = None
    return r.returncode, doc


def check(cond, what):
    if not cond:
        failures.append(what)


def golden():
    names = sorted(f for f in os.listdir(DATA) if f.endswith((".edi", ".x12")))
    check(len(names) >= 12, "expected at least 12 sample files in %s, found %d" % (DATA, len(names)))
    for name in names:
        with open(os.path.join(DATA, name + ".json"), encoding="utf-8") as f:
            want = json.load(f)
        rc, got = parse(DATA, name)
        if got is None:
            continue
        want_rc = 0 if want["orders"] else 65
        check(rc == want_rc, "%s: exit status %d, want %d" % (name, rc, want_rc))
        if got != want:
            for key in ("orders", "diagnostics", "not_order"):
                if got.get(key) != want.get(key):
                    failures.append("%s: %s differs:\n  got  %s\n  want %s" % (
                        name, key, json.dumps(got.get(key))[:2000], json.dumps(want.get(key))[:2000]))
    return len(names)


def main():
    if not os.access(ORDERGW, os.X_OK):
        print("ordergw not built at %s" % ORDERGW)
        return 1
    n = golden()
    for f in failures:
        print("FAIL: " + f)
    print("%d files, %d failures" % (n, len(failures)))
    if failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
