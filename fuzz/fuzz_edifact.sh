# fuzz_edifact.sh — run the EDIFACT fuzz target over its seeds (make check).
exec "$top_builddir/fuzz/fuzz_edifact" "$top_srcdir"/tests/data/edifact/*.edi "$top_srcdir"/fuzz/seeds/edifact
