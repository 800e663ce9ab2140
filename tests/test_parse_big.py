#!/usr/bin/python3
"""ordergw parse/check of inputs large enough for the writer thread.

From OG_PARSE_THREAD_BYTES (1 MiB) on, `ordergw parse` hands each order
to a second thread that writes its JSON (src/recwriter.c; forced on here
with ORDERGW_PARSE_THREADS=1, and off for the comparison with =0).  A file made of
the same interchange repeated N times must give exactly the orders of the
single interchange, N times over and in order, whether written by the
thread (the big file) or on the parser's thread (the small one) — for X12
and EDIFACT, for `parse` and `check`.  Small corpus files keep the test
fast; the repetition makes ten thousand-odd orders pass the queue."""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("ORDERGW_SRCDIR", ".")
BUILD = os.environ.get("ORDERGW_BUILDDIR", ".")
ORDERGW = os.path.join(BUILD, "ordergw")
CASES = [
    ("x12", os.path.join(SRC, "tests/data/x12/850_4010_vics.edi")),
    ("x12", os.path.join(SRC, "tests/data/x12/850_5010_stedi.edi")),
    ("edifact", os.path.join(SRC, "tests/data/edifact/ORDERS_D96A_EAN008_una-comma-decimal.edi")),
]
BIG = 1536 * 1024


def run(cmd, path, threads="1"):
    env = dict(os.environ, ORDERGW_TODAY="2027-01-12", ORDERGW_PARSE_THREADS=threads)
    p = subprocess.run([ORDERGW, cmd, path], capture_output=True, timeout=300, env=env)
    return p.returncode, json.loads(p.stdout.decode("utf-8"))


def main():
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ogbig-") as tmp:
        for fmt, path in CASES:
            one = open(path, "rb").read()
            if not one.endswith(b"\n"):
                one += b"\n"
            n = BIG // len(one) + 1
            big = os.path.join(tmp, os.path.basename(path) + ".big")
            with open(big, "wb") as f:
                f.write(one * n)
            for cmd, key in (("parse", "orders"), ("check", "results")):
                rc1, small = run(cmd, path)
                rc2, large = run(cmd, big)
                rc3, single = run(cmd, big, threads="0")
                want = small[key] * n
                got = large[key]
                ok = rc1 == rc2 == rc3 and got == want and single[key] == want
                print("%s %s %s: %d x %d orders, exit %d/%d: %s" % (
                    fmt, cmd, os.path.basename(path), n, len(small[key]), rc1, rc2, "ok" if ok else "DIFFERENT"))
                if not ok:
                    failures += 1
                    for i, (a, b) in enumerate(zip(got, want)):
                        if a != b:
                            print("  first difference at order %d" % i)
                            break
                    else:
                        print("  %d orders, want %d" % (len(got), len(want)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
