"""Changes and cancellations of an order (V5/V18 with the sales desk).

An X12 change (BEG01=04) and a cancellation (BEG01=01) for a PO that was
already accepted are held as exceptions; when sales accepts them, the
change replaces the order (the old one is marked changed and leaves its
queue) and the cancellation ends it: the same PO is never live twice."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

SAMPLE = os.path.join(ogtest.SRCDIR, "etc", "sample-drop", "acme-po-2027-0100.x12")


def variant(kind, ctl, qty=None):
    with open(SAMPLE) as f:
        s = f.read()
    s = s.replace("BEG*00*SA", "BEG*%s*SA" % kind).replace("000000101", "%09d" % ctl)
    if qty:
        s = s.replace("PO1*1*1000*EA", "PO1*1*%d*EA" % qty)
    return s


def live(st):
    return st.query("SELECT id, status FROM orders WHERE po_number = 'PO-2027-0100' ORDER BY id")


def main():
    st = ogtest.State()
    try:
        st.drop("original.x12", variant("00", 201))
        st.run_once()
        check_eq([s for _, s in live(st)], ["accepted"], "the original order")
        first = live(st)[0][0]
        st.drop("change.x12", variant("04", 202, qty=1500))
        st.run_once()
        exc = [e for e in st.cli("exceptions", "list") if e["reason"] == "change"]
        check_eq(len(exc), 1, "the change is held for sales")
        st.cli("exceptions", "accept", str(exc[0]["id"]), parse=False)
        orders = live(st)
        check_eq([s for _, s in orders], ["changed", "accepted"], "after the change is accepted")
        check_eq(st.query("SELECT state FROM queue_items WHERE order_id = ?", first), [("done",)],
                 "the replaced order left its queue")
        rec = st.cli("orders", "show", str(orders[1][0]))["record"]
        check_eq(rec["lines"][0]["quantity"], "1500", "the new quantity")
        hist = [h["action"] for h in st.cli("orders", "show", str(first))["history"]]
        check("changed" in hist, "the old order's history says it was changed: %r" % hist)

        st.drop("cancel.x12", variant("01", 203))
        st.run_once()
        exc = [e for e in st.cli("exceptions", "list") if e["reason"] == "cancel"]
        check_eq(len(exc), 1, "the cancellation is held for sales")
        st.cli("exceptions", "accept", str(exc[0]["id"]), parse=False)
        check_eq([s for _, s in live(st)], ["changed", "cancelled", "cancelled"], "after the cancellation")
        check_eq(st.query("SELECT count(*) FROM queue_items q JOIN orders o ON o.id = q.order_id"
                          " WHERE o.po_number = 'PO-2027-0100' AND q.state IN ('ready', 'leased')"), [(0,)],
                 "nothing of the PO left in any queue")
    finally:
        st.close()
    ogtest.finish()


main()
