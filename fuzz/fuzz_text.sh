#!/bin/sh
# fuzz_text.sh — replay and mutate the order texts and the rule sets.
exec "$top_builddir/fuzz/fuzz_text" "$top_srcdir/tests/data/text" "$top_srcdir/etc/rules/default.rules"
