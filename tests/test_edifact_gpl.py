#!/usr/bin/python3
"""test_edifact_gpl.py — `ordergw parse` on the GPL/LGPL EDIFACT corpus files.

These files stay out of the project (their licenses); they are read where
the shared corpus lives, $ORDERGW_SRCDIR/../shared/corpus/public/edifact
(a clone with ../shared beside it), or two levels up for a worktree
checkout.  Absent: exit 77 (skip).  Key fields are asserted, not whole
records."""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("ORDERGW_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("ORDERGW_BUILDDIR", ".")
CANDIDATES = [os.path.join(SRC, "..", "shared", "corpus", "public", "edifact"),
              os.path.join(SRC, "..", "..", "shared", "corpus", "public", "edifact")]

failures = 0


def expect(label, got, want):
    global failures
    if got != want:
        failures += 1
        print("FAIL %s: got %r, want %r" % (label, got, want))
    else:
        print("ok   %s" % label)


def parse(path):
    p = subprocess.run([os.path.join(BUILD, "ordergw"), "parse", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    out = json.loads(p.stdout.decode("utf-8"))
    out["exit"] = p.returncode
    return out


def main():
    corpus = next((c for c in CANDIDATES if os.path.isdir(c)), None)
    if corpus is None:
        print("shared corpus not found: skipped")
        return 77

    # LGPL: 146 lines, release characters in names, UNOC that is really UTF-8.
    d = parse(os.path.join(corpus, "ORDERS_D01B_EAN010_release-char_umlauts.edi"))
    expect("umlauts: exit", d["exit"], 0)
    expect("umlauts: orders", [o["po_number"] for o in d["orders"]], ["2019265563"])
    o = d["orders"][0]
    expect("umlauts: lines", len(o["lines"]), 146)
    expect("umlauts: CNT+2", o["totals"]["declared_line_count"], "146")
    expect("umlauts: test indicator", o["is_test"], True)
    expect("umlauts: buyer name (?+ released, U+FFFD kept)", o["parties"]["buyer"]["name"], "A+A K\ufffdlte GmbH")
    expect("umlauts: buyer contact", (o["parties"]["buyer"]["contact"]["name"],
                                      o["parties"]["buyer"]["contact"]["phone"]), ("Herr Foo", "020994125-32"))
    expect("umlauts: line 3", (o["lines"][2]["seller_item_id"], o["lines"][2]["buyer_item_id"],
                               o["lines"][2]["description"], o["lines"][2]["quantity"], o["lines"][2]["uom"]),
           ("1011", "6001011", "Kr\ufffduteressig 5% 10l Branntweinessig Kanister", "1",
            {"code": None, "original": "GBND"}))
    expect("umlauts: UTF-8 noted", [x["message"] for x in d["diagnostics"]],
           ["syntax identifier UNOC declares ISO-8859-1, but the text is UTF-8: read as UTF-8"])

    # GPL: two interchanges, three messages, CRLF and LF mixed.
    d = parse(os.path.join(corpus, "ORDERS_D96A_EAN008_multi-interchange_mixed-eol.edi"))
    expect("multi: orders", [o["po_number"] for o in d["orders"]],
           ["T0000000004-1", "T0000000004-2", "T0000000004-3"])
    expect("multi: interchanges", [o["source"]["control_refs"]["interchange"] for o in d["orders"]],
           ["T0000000004-1", "T0000000004-1", "T0000000004-2"])
    expect("multi: sender", d["orders"][2]["source"]["sender"], "14:PARTNER1")
    expect("multi: line", (d["orders"][1]["lines"][0]["gtin"], d["orders"][1]["lines"][0]["quantity"]),
           ("02000100873151", "1"))
    expect("multi: no diagnostics", d["diagnostics"], [])

    # GPL: ISO 8859-5 (UNOE) to UTF-8.
    d = parse(os.path.join(corpus, "ORDERS_D01B_EAN008_UNOE_iso-8859-5.edi"))
    expect("unoe: orders", [o["po_number"] for o in d["orders"]], ["\u041b\u043e\u0440\u0435\u043c \u0438\u043f\u0441\u0443"])
    o = d["orders"][0]
    expect("unoe: cancel (1225 = 1)", o["document_type"], "cancel")
    expect("unoe: Cyrillic note", o["notes"][0][:26], "\u041b\u043e\u0440\u0435\u043c \u0438\u043f\u0441\u0443\u043c "
           "\u0434\u043e\u043b\u043e\u0440 \u0441\u0438\u0442 \u0430\u043c\u0435\u0442")
    expect("unoe: envelope", (o["source"]["sender"], o["source"]["control_refs"]["message"]),
           ("14:0123456789012", "000001"))

    # GPL: an ORDRSP in Latin-1: not an order ...
    path = os.path.join(corpus, "ORDRSP_D01B_EAN008_UNOC_latin1.edi")
    d = parse(path)
    expect("ordrsp: not an order", (d["exit"], d["orders"], d.get("not_order")),
           (65, [], "EDIFACT ORDRSP purchase order response"))
    # ... and read as an ORDERS its Latin-1 text comes out as UTF-8.
    with open(path, "rb") as f:
        data = f.read().replace(b"ORDRSP:D:01B", b"ORDERS:D:01B")
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "as-orders.edi")
        with open(p, "wb") as f:
            f.write(data)
        d = parse(p)
    expect("ordrsp as orders: Latin-1 order number", [o["po_number"] for o in d["orders"]],
           ["L\u00f6r\u00e9m \u00efps\u00fc"])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
