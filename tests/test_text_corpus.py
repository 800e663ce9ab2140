"""test_text_corpus.py — every order e-mail body in tests/data/text/ parsed
with `ordergw parse --format text` must give its reviewed golden JSON."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402

sys.exit(golden.run("text", "text", (".txt",)))
