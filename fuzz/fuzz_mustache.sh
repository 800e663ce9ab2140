#!/bin/sh
# Replay the shipped templates and a few edge cases, then mutate them.
exec "$top_builddir/fuzz/fuzz_mustache" "$top_srcdir/templates" "$top_srcdir/tests/data/mustache-fuzz"
