"""test_csv_corpus.py — every CSV in tests/data/csv/ parsed with
`ordergw parse --format csv` must give its reviewed golden JSON."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402

sys.exit(golden.run("csv", "csv", (".csv",)))
