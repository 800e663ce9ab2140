#!/bin/sh
# run_bench.sh — the parser benchmarks on freshly generated corpora
# (`make bench`; not part of make check).
#
#   srcdir=SRC builddir=BUILD BENCH_DIR=DIR BENCH_REPEAT=N sh bench/run_bench.sh
#
# Generates, with the fixed default seeds (so the bytes are the same on
# every machine): one 10 MB X12 interchange and 2000 single-order X12
# files, the same for EDIFACT, 2000 UBL and 2000 cXML orders, into DIR
# (default ./bench-data, replaced each run).  Then prints bench_parsers for
# each (MB/s per CPU second, orders/s, peak RSS), libxml2's bare parse of
# the XML files (bench_xmlbare, with and without ordergw's options, and
# `xmllint --noout` when installed), and `ordergw parse` of the 10 MB
# interchanges with JSON output (bench/runtime.py: median CPU and wall time,
# peak RSS).  Fails when a generator or a parser fails.
set -e
srcdir=${srcdir:-.}
builddir=${builddir:-.}
D=${BENCH_DIR:-bench-data}
R=${BENCH_REPEAT:-5}
PY=/usr/bin/python3
B=$builddir/bench
rm -rf "$D"
mkdir -p "$D/x12-split" "$D/edifact-split" "$D/xml"
echo "== generating corpora in $D"
$PY "$srcdir/bench/gen_x12.py" --bytes 10000000 --out "$D/x12.x12"
$PY "$srcdir/bench/gen_x12.py" --orders 2000 --split "$D/x12-split"
$PY "$srcdir/bench/gen_edifact.py" --orders 2330 --out "$D/edifact.edi"
$PY "$srcdir/bench/gen_edifact.py" --orders 2000 --split "$D/edifact-split"
$PY "$srcdir/bench/gen_xml.py" "$D/xml" 2000
echo "== parsers into order records (bench_parsers, $R repeats of the one-file corpora)"
"$B/bench_parsers" --format x12 --repeat "$R" "$D/x12.x12"
"$B/bench_parsers" --format x12 "$D"/x12-split/*
"$B/bench_parsers" --format edifact --repeat "$R" "$D/edifact.edi"
"$B/bench_parsers" --format edifact "$D"/edifact-split/*
for f in ubl cxml; do
	echo "== $f against libxml2's bare parse of the same files"
	"$B/bench_parsers" --format $f "$D"/xml/$f-*.xml
	"$B/bench_xmlbare" "$D"/xml/$f-*.xml
	"$B/bench_xmlbare" --plain "$D"/xml/$f-*.xml
	if command -v xmllint >/dev/null 2>&1; then
		$PY "$srcdir/bench/runtime.py" --runs 3 xmllint --noout "$D"/xml/$f-*.xml
	fi
done
echo "== ordergw parse with JSON output (21 runs; two threads, then one)"
for f in "$D/x12.x12" "$D/edifact.edi"; do
	ORDERGW_PARSE_THREADS=1 $PY "$srcdir/bench/runtime.py" --runs 21 "$builddir/ordergw" parse "$f"
	ORDERGW_PARSE_THREADS=0 $PY "$srcdir/bench/runtime.py" --runs 21 "$builddir/ordergw" parse "$f"
done
