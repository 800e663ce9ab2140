# fuzz_cxml.sh — run the CXML fuzz target over its seeds (see fuzz/fuzz.am).
exec "$top_builddir/fuzz/fuzz_cxml" "$top_srcdir/tests/data/cxml" "$top_srcdir/fuzz/seeds/xml"
