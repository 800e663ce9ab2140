#!/bin/sh
# fuzz_csv.sh — replay and mutate the CSV samples and the column map.
exec "$top_builddir/fuzz/fuzz_csv" "$top_srcdir/tests/data/csv" "$top_srcdir/etc/rules/example.csvmap"
