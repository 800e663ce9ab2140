#!/bin/sh
# Replays tests/data/eml and mutates it for FUZZ_SECONDS (see fuzz/driver.c).
exec "$top_builddir/fuzz/fuzz_mime" "$top_srcdir/tests/data/eml"
