#!/bin/sh
# fuzz_x12.sh — replay and mutate the X12 samples (fuzz/driver.c), or run
# libFuzzer over them when built with --enable-fuzzing.
exec "$top_builddir/fuzz/fuzz_x12" "$top_srcdir"/tests/data/x12/*.edi
