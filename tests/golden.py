"""golden.py — compare `ordergw parse` output with reviewed golden JSON.

For every sample FILE in a folder, FILE's golden answer is the file with
the same name and the extension .json: the whole `ordergw parse --format F`
output, where each diagnostic's "where" is written without the sample's
path prefix.  The comparison is semantic (parsed JSON, key order and
blanks do not matter).  ORDERGW_REGEN=1 writes the golden files instead
(review them by hand before committing)."""
import json
import os
import subprocess
import sys


def normalize(out, path):
    for d in out.get("diagnostics", []):
        w = d.get("where", "")
        if w == path:
            d["where"] = ""
        elif w.startswith(path + ": "):
            d["where"] = w[len(path) + 2:]
    return out


def run(fmt, folder, exts):
    src = os.environ.get("ORDERGW_SRCDIR")
    build = os.environ.get("ORDERGW_BUILDDIR")
    if not src or not build:
        print("ORDERGW_SRCDIR and ORDERGW_BUILDDIR must be set", file=sys.stderr)
        return 99
    data = os.path.join(src, "tests", "data", folder)
    regen = os.environ.get("ORDERGW_REGEN") == "1"
    samples = sorted(f for f in os.listdir(data) if f.endswith(exts))
    failures = 0
    for name in samples:
        path = os.path.join(data, name)
        proc = subprocess.run([os.path.join(build, "ordergw"), "parse", "--format", fmt, path],
                              capture_output=True, timeout=60)
        try:
            got = normalize(json.loads(proc.stdout), path)
        except ValueError as e:
            print(f"{name}: output is not JSON ({e}): {proc.stdout[:200]!r}", file=sys.stderr)
            failures += 1
            continue
        golden = os.path.splitext(path)[0] + ".json"
        if regen:
            with open(golden, "w", encoding="utf-8") as f:
                json.dump(got, f, ensure_ascii=False, indent=1, sort_keys=True)
                f.write("\n")
            continue
        try:
            with open(golden, encoding="utf-8") as f:
                want = json.load(f)
        except OSError as e:
            print(f"{name}: no golden file: {e}", file=sys.stderr)
            failures += 1
            continue
        if got != want:
            failures += 1
            print(f"{name}: differs from {os.path.basename(golden)}", file=sys.stderr)
            show_diff(want, got, name)
        else:
            print(f"{name}: ok")
    print(f"{len(samples)} samples, {failures} failed")
    if len(samples) < 8:
        print("too few samples", file=sys.stderr)
        return 1
    return 1 if failures else 0


def show_diff(want, got, where):
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if want.get(k) != got.get(k):
                show_diff(want.get(k), got.get(k), f"{where}.{k}")
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (a, b) in enumerate(zip(want, got)):
            if a != b:
                show_diff(a, b, f"{where}[{i}]")
    else:
        print(f"  {where}: want {json.dumps(want, ensure_ascii=False)}, "
              f"got {json.dumps(got, ensure_ascii=False)}", file=sys.stderr)
