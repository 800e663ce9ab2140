#!/usr/bin/python3
"""test_x12_copyleft.py -- the GPL/CDDL X12 samples, which stay outside the
project: read from $ORDERGW_SRCDIR/../shared/corpus/public/x12/ (or
$ORDERGW_CORPUS/x12) and checked on key fields (PO numbers, line counts,
quantities, fields that show the delimiters were read right).  Exit 77
(skip) when that folder is absent.
"""
import os
import sys

sys.dont_write_bytecode = True   # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_x12_corpus import ORDERGW, SRC, check, failures, parse  # noqa: E402

CORPUS = os.path.join(os.environ.get("ORDERGW_CORPUS", os.path.join(SRC, "..", "shared", "corpus", "public")), "x12")


def corpus():
    """The copyleft samples: asserted, never copied into the project."""
    if not os.path.isdir(CORPUS):
        print("skip: %s not found" % CORPUS)
        return 0
    cases = {
        # file: [(po_number, line count, [quantities of the first lines])]
        "850_4010_pipe-term_tilde-component.edi": [("S41000439", 4, ["5", "12", "2", "1"])],
        "850_4010vics_sdq_ctrl-char-delims.x12": [
            ("15918851602", 64, ["7", "5", "12"]), ("15918861602", 58, ["3", "5", "5"]),
            ("15918871602", 25, ["8", "1", "23"]), ("15918881602", 22, ["81", "39", "20"])],
        "850_4010_ebcdic.x12": [("12345678", 4, ["1", "2", "1", "1"])],
        "850_4010_wrapped80.x12": [("801104", 3, ["8", "1", "80"]),
                                   ("PONUM-1234567", 8, ["12", "23", "32", "34", "20"])],
    }
    n = 0
    for name, want in sorted(cases.items()):
        if not os.path.exists(os.path.join(CORPUS, name)):
            print("skip: %s not found" % name)
            continue
        n += 1
        rc, doc = parse(CORPUS, name)
        if doc is None:
            continue
        check(rc == 0, "%s: exit status %d" % (name, rc))
        errors = [d for d in doc["diagnostics"] if d["severity"] == "error"]
        check(not errors, "%s: unexpected errors %s" % (name, errors))
        orders = doc["orders"]
        check(len(orders) == len(want), "%s: %d orders, want %d" % (name, len(orders), len(want)))
        for o, (po, n_lines, qty) in zip(orders, want):
            check(o["po_number"] == po, "%s: po_number %r, want %r" % (name, o["po_number"], po))
            check(len(o["lines"]) == n_lines, "%s %s: %d lines, want %d" % (name, po, len(o["lines"]), n_lines))
            got = [l["quantity"] for l in o["lines"][:len(qty)]]
            check(got == qty, "%s %s: quantities %s, want %s" % (name, po, got, qty))
            check(o["format"] == "x12-850" and o["format_version"] == "004010",
                  "%s: format %s %s" % (name, o["format"], o["format_version"]))
    # A few fields that show the delimiters were read right.
    rc, doc = parse(CORPUS, "850_4010_pipe-term_tilde-component.edi")
    if doc and doc["orders"]:
        o = doc["orders"][0]
        check(o["document_type"] == "replace", "pipe: BEG01 05 must be replace, got %s" % o["document_type"])
        check(o["totals"]["declared_amount"] == "884.06", "pipe: declared amount %s" % o["totals"]["declared_amount"])
        check(o["lines"][1]["notes"] == ["LAMP, MAXLITE 35873, 200W,", "277V, 5000K, E39, HPE", "MODEL NO. SKO200EA250"],
              "pipe: line 2 notes %s" % o["lines"][1]["notes"])
        check(o["parties"]["ship_to"]["address"]["city"] == "BEREA", "pipe: ship-to city")
        check(o["currency"] == "USD", "pipe: currency")
    rc, doc = parse(CORPUS, "850_4010_wrapped80.x12")
    if doc and doc["orders"]:
        o = doc["orders"][0]
        check(o["parties"]["ship_to"]["name"] == "THERMA TRU INDIANA DOOR", "wrapped: name across the wrap: %r" % o["parties"]["ship_to"]["name"])
        check(o["parties"]["ship_to"]["address"]["country"] == "US", "wrapped: USA -> US")
        check(o["transport_mode"] == "3", "wrapped: TD504 M -> 3")
        check(o["source"]["control_refs"]["interchange"] == "000000010", "wrapped: ISA13 across the wrap")
        check(o["lines"][1]["description"] == "LOCK HARDWARE 6/6 LOCK GEAR SHOOT BOLT OUTSWING", "wrapped: description")
    rc, doc = parse(CORPUS, "850_4010_ebcdic.x12")
    if doc and doc["orders"]:
        o = doc["orders"][0]
        check(o["lines"][0]["gtin"] == "00123456789012", "ebcdic: UPC to GTIN-14: %s" % o["lines"][0]["gtin"])
        check(o["source"]["sender"] == "12:1234567890", "ebcdic: sender %s" % o["source"]["sender"])
    rc, doc = parse(CORPUS, "850_4010vics_sdq_ctrl-char-delims.x12")
    if doc and doc["orders"]:
        o = doc["orders"][0]
        check(o["currency"] == "CAD", "ctrl-char: currency %s" % o["currency"])
        check(o["delivery_window"] == {"earliest": "2004-08-08", "latest": "2004-08-13"},
              "ctrl-char: window %s" % o["delivery_window"])
        check(o["payment_terms"]["discount_percent"] == "2.5" and o["payment_terms"]["net_days"] == 100,
              "ctrl-char: terms %s" % o["payment_terms"])
    return n


def main():
    if not os.access(ORDERGW, os.X_OK):
        print("ordergw not built at %s" % ORDERGW)
        return 1
    n = corpus()
    for f in failures:
        print("FAIL: " + f)
    print("%d files, %d failures" % (n, len(failures)))
    if failures:
        return 1
    return 0 if n else 77


if __name__ == "__main__":
    sys.exit(main())
