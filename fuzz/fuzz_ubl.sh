# fuzz_ubl.sh — run the UBL fuzz target over its seeds (see fuzz/fuzz.am).
exec "$top_builddir/fuzz/fuzz_ubl" "$top_srcdir/tests/data/ubl" "$top_srcdir/fuzz/seeds/xml"
