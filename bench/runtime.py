#!/usr/bin/python3
"""runtime.py -- CPU time, wall time and peak memory of a command, for the
benchmarks (make bench); not a test.

    runtime.py [--runs N] [--out FILE] CMD ARG...

Runs CMD N times (default 5) with its standard output to FILE (default
/dev/null) and prints the median CPU time (user + system, from wait4's
rusage: on a busy machine this is the figure to compare), the median and
the smallest wall time (the smallest is the run least disturbed by other
work; `ordergw parse` of a large input uses two threads, so its wall time
is below its CPU time on two idle cores), the largest peak RSS, and MB/s over the sizes of the arguments that
name regular files (the input).  Exits with the command's last exit code.
"""
import os
import statistics
import sys
import time


def main():
    args = sys.argv[1:]
    runs, out = 5, os.devnull
    while args and args[0].startswith("--"):
        if args[0] == "--runs" and len(args) > 1:
            runs, args = int(args[1]), args[2:]
        elif args[0] == "--out" and len(args) > 1:
            out, args = args[1], args[2:]
        else:
            break
    if not args or runs < 1:
        sys.stderr.write(__doc__)
        return 64
    size = sum(os.path.getsize(a) for a in args[1:] if os.path.isfile(a))
    cpus, walls, rss, code = [], [], 0, 0
    for _ in range(runs):
        with open(out, "wb") as f:
            t = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.dup2(f.fileno(), 1)
                try:
                    os.execvp(args[0], args)
                finally:
                    os._exit(127)
            _, status, ru = os.wait4(pid, 0)
            walls.append(time.perf_counter() - t)
        cpus.append(ru.ru_utime + ru.ru_stime)
        rss = max(rss, ru.ru_maxrss)
        code = os.waitstatus_to_exitcode(status)
    cpu, wall = statistics.median(cpus), statistics.median(walls)
    mb = size / 1e6
    print("%s: %d runs, %.2f MB input: median %.4f s CPU (min %.4f), %.4f s wall (min %.4f); "
          "%.1f MB/s CPU, %.1f MB/s wall (best %.1f); peak RSS %.1f MB; exit %d" % (
              os.path.basename(args[0]), runs, mb, cpu, min(cpus), wall, min(walls),
              mb / cpu if cpu > 0 else 0.0, mb / wall if wall > 0 else 0.0,
              mb / min(walls) if min(walls) > 0 else 0.0, rss / 1024.0, code))
    return code


if __name__ == "__main__":
    sys.exit(main())
