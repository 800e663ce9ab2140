"""Regression tests for the bugs found in the code review (one function per
finding; each failed before its fix).

Every case builds its own state folder and runs the real ordergwd / ordergw
from the build tree."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

EDIFACT_EVIL_REF = (
    "UNA:+.? '\n"
    "UNB+UNOC:3+Senderkennung+Empfaengerkennung+060620:0931+../../../pwned++1234567'\n"
    "UNH+1+ORDERS:D:96A:UN'\nBGM+220+B10001'\nDTM+4:20060620:102'\n"
    "NAD+BY+++Bestellername+Strasse+Stadt++23436+xx'\nLIN+1++Produkt Schrauben:SA'\n"
    "QTY+1:1000'\nUNS+S'\nCNT+2:1'\nUNT+9+1'\nUNZ+1+../../../pwned'\n")


def edi_file_names_stay_in_outbound():
    """ediresp.c: the CONTRL file name took the partner's UNB 0020 as it was,
    so "../../../pwned" named a file outside the outbound folder (and the
    sender retried it for ever)."""
    st = ogtest.State()
    try:
        st.drop("evil.edi", EDIFACT_EVIL_REF)
        rc, err = st.run_once()
        names = [r[0] for r in st.query("SELECT subject FROM outbox WHERE channel = 'edi'")]
        check_eq(len(names), 1, "one CONTRL queued")
        for n in names:
            check("/" not in n and ".." not in n, "outbound file name %r has no path in it" % n)
        check_eq(rc, 0, "ordergwd --once: nothing left to retry (stderr: %s)" % err[-1000:])
        out = os.listdir(st.path("outbound")) if os.path.isdir(st.path("outbound")) else []
        check_eq(len(out), 1, "the CONTRL is written into the outbound folder")
    finally:
        st.close()


def refuse_inserts(st, table, when):
    """Make the store refuse some inserts, as a full disk or a broken
    constraint would: the write fails but the connection goes on."""
    st.run_once()   # creates the store
    c = st.db()
    c.execute("CREATE TRIGGER review_refuse BEFORE INSERT ON %s WHEN %s "
              "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END" % (table, when))
    c.commit()
    c.close()


def too_large_exception_not_lost():
    """pipeline.c: a message over max_message_bytes went to store_doc_done
    even when its "too_large" exception could not be written, so the
    document was marked processed with no trace for sales."""
    config = ogtest.BASE_CONFIG.replace("[mailbox sales]", "[limits]\nmax_message_bytes = 1024\n\n[mailbox sales]")
    st = ogtest.State(config)
    try:
        refuse_inserts(st, "exceptions", "NEW.reason = 'too_large'")
        st.deliver(ogtest.email("Jane Buyer <buyer@acme.example>", "big", "x" * 5000, "big@acme.example"))
        st.run_once()
        rows = st.query("SELECT d.state, e.reason FROM documents d LEFT JOIN exceptions e ON e.document_id = d.id")
        check_eq(rows, [("processed", "internal")], "the over-size message is quarantined, not dropped")
    finally:
        st.close()


GOOD = ("PO No.: REVIEW-1\nOrder date: 2027-01-11\nDelivery date: 2027-03-20\nIncoterms: FOB Shanghai\n"
        "Currency: USD\nShip to: Acme Trading Ltd, 100 Harbor Road, Long Beach, CA 90802, US\n\n"
        "Item      Description             Qty    Unit  Unit price\n"
        "AB-100    Steel bracket 40mm      500    pcs   1.20\n")


def refused_message_rolls_back():
    """pipeline.c / notify.c: when the store refused the receipt (a failed
    INSERT into the outbox), the order was still accepted and committed
    without it; the customer never heard of the order.  A store failure
    must roll the document back like any other."""
    st = ogtest.State()
    try:
        refuse_inserts(st, "outbox", "NEW.kind = 'receipt'")
        st.deliver(ogtest.email("Jane Buyer <buyer@acme.example>", "PO REVIEW-1", GOOD, "r1@acme.example"))
        st.run_once()
        check_eq(st.query("SELECT status FROM orders"), [], "no order committed without its receipt")
        check_eq(st.query("SELECT reason FROM exceptions"), [("internal",)], "the document is set aside")
    finally:
        st.close()


def answered_order_is_routed():
    """pipeline.c: an order completed by the customer's answer to a
    clarification went to the partner's queue or the first stage directly,
    past the [route] rules (and the stage's webhook and message) that the
    same order would have met had it been complete at once."""
    config = ogtest.BASE_CONFIG + "\n[route acme-fast]\npartner = acme\nstage = purchasing\n"
    st = ogtest.State(config)
    try:
        st.deliver(ogtest.email("Jane Buyer <buyer@acme.example>", "PO REVIEW-2",
                                GOOD.replace("REVIEW-1", "REVIEW-2").replace("Delivery date: 2027-03-20\n", ""),
                                "r2@acme.example"))
        st.run_once()
        check_eq(st.query("SELECT status FROM orders"), [("exception",)], "held for the delivery date")
        mid = st.query("SELECT message_id FROM outbox WHERE kind = 'clarification'")
        check_eq(len(mid), 1, "one clarification")
        if mid:
            st.deliver(ogtest.email("Jane Buyer <buyer@acme.example>", "Re: PO REVIEW-2",
                                    "Delivery date: 2027-03-15\n", "r2-answer@acme.example",
                                    extra_headers="In-Reply-To: <%s>\r\n" % mid[0][0]))
            st.run_once()
        check_eq(st.query("SELECT status, stage, route_rule FROM orders"),
                 [("accepted", "purchasing", "route acme-fast")], "the answered order is routed")
        check_eq(st.query("SELECT stage, state FROM queue_items"), [("purchasing", "ready")], "queued once")
    finally:
        st.close()


def main():
    edi_file_names_stay_in_outbound()
    too_large_exception_not_lost()
    refused_message_rolls_back()
    answered_order_is_routed()
    ogtest.finish()


if __name__ == "__main__":
    main()
