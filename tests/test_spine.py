"""The order-intake spine end to end on the embedded default (spine points 8,
10; conversation point 3).

The sample inbox and EDI drop shipped in etc/ go through ordergwd --once;
the exact orders, exceptions, queue items and outbox messages are checked;
a second run changes nothing; the same order again creates nothing; the
same PO number with other content is an exception; a file that cannot be
read is kept with its bytes; and a customer's answers to a clarification
complete the pending order without anyone touching it."""
import email
import email.policy
import glob
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

SAMPLES = os.path.join(ogtest.SRCDIR, "etc")


def load_config():
    with open(os.path.join(SAMPLES, "ordergw.conf"), encoding="utf-8") as f:
        return f.read()


def read_outbox(st):
    msgs = []
    for name in st.outbox_files():
        with open(st.path("outbox", "new", name), "rb") as f:
            msgs.append(email.message_from_binary_file(f, policy=email.policy.default))
    return msgs


def snapshot(st):
    return (st.query("SELECT id, partner_id, po_number, status, stage FROM orders ORDER BY id"),
            st.query("SELECT id, reason, state FROM exceptions ORDER BY id"),
            st.query("SELECT id, order_id, stage, state FROM queue_items ORDER BY id"),
            st.query("SELECT id, kind, recipient, state FROM outbox ORDER BY id"),
            st.outbox_files())


def reply(to_msg, sender, body, msgid):
    """The customer answers our message, quoting it."""
    quoted = "\n".join("> " + l for l in to_msg.get_content().splitlines())
    return ogtest.email(sender, "Re: " + to_msg["Subject"], body + "\n\n" + quoted, msgid,
                        extra_headers="In-Reply-To: %s\r\nReferences: %s\r\n" % (to_msg["Message-ID"],
                                                                                 to_msg["Message-ID"]))


def main():
    st = ogtest.State(load_config())
    try:
        for f in sorted(glob.glob(os.path.join(SAMPLES, "sample-inbox", "*.eml"))):
            with open(f, "rb") as fh:
                st.deliver(fh.read(), name=os.path.basename(f))
        for f in sorted(glob.glob(os.path.join(SAMPLES, "sample-drop", "*"))):
            shutil.copy(f, st.path("drop"))
        rc, err = st.run_once()
        check_eq(rc, 0, "first run (stderr: %s)" % err[-2000:])

        orders = {o["po_number"]: o for o in st.cli("orders", "list")}
        check_eq(sorted(orders), ["FM-2027-009", "HX-7701", "PO-2027-0042", "PO-2027-0043", "PO-2027-0100"],
                 "orders")
        for po, partner, status, stage, fmt in [
                ("PO-2027-0042", "acme", "accepted", "review", "email-text"),
                ("PO-2027-0043", "acme", "exception", None, "email-text"),
                ("HX-7701", "huaxin", "accepted", "review", "email-text"),
                ("FM-2027-009", "formosa", "accepted", "review", "email-text"),
                ("PO-2027-0100", "acme", "accepted", "review", "x12-850")]:
            o = orders.get(po, {})
            check_eq((o.get("partner_id"), o.get("status"), o.get("stage"), o.get("format")),
                     (partner, status, stage, fmt), "order %s" % po)
        rec = st.cli("orders", "show", str(orders["HX-7701"]["id"]))["record"]
        check_eq([(l["seller_item_id"], l["quantity"], l["uom"]["code"], l["unit_price"]) for l in rec["lines"]],
                 [("ZB-01", "2000", "H87", "8.50"), ("ZB-02", "500", "SET", "12.00")], "HX-7701 lines")
        check_eq((rec["currency"], rec["incoterms"]["code"], rec["incoterms"]["named_place"],
                  rec["requested_delivery_date"]), ("CNY", "CIF", "汉堡", "2027-03-01"), "HX-7701 terms")

        exc = st.cli("exceptions", "list")
        check_eq(sorted(e["reason"] for e in exc), ["incomplete", "no_order"], "open exceptions")
        inc = [e for e in exc if e["reason"] == "incomplete"][0]
        check("delivery date" in inc["summary"], "the incomplete order says what is missing: " + inc["summary"])
        shown = st.cli("exceptions", "show", str(inc["id"]))
        check_eq([p["check"] for p in shown["problems"] if p["severity"] == "blocking"], ["C7"],
                 "blocking problems of PO-2027-0043")

        check_eq(len(st.cli("queue", "list", "review")), 4, "items in review")
        msgs = read_outbox(st)
        kinds = sorted((m["To"].addresses[0].addr_spec, m["Subject"].split("]")[0] + "]") for m in msgs)
        check_eq(len(msgs), 5, "messages in the outbox")
        clar = [m for m in msgs if "information needed" in m["Subject"]]
        check_eq(len(clar), 1, "one clarification")
        if clar:
            c = clar[0]
            check_eq(c["In-Reply-To"], "<po-2027-0043@acme.example>", "clarification In-Reply-To")
            check("Delivery date: YYYY-MM-DD" in c.get_content(), "clarification says what to reply")
            check("Bill-to" not in c.get_content(), "clarification asks only for what blocks")
        zh = [m for m in msgs if m["To"].addresses[0].addr_spec == "caigou@huaxin.example"]
        check(len(zh) == 1 and "HX-7701" in zh[0]["Subject"] and "订单" in zh[0]["Subject"],
              "receipt in Simplified Chinese: %r" % [m["Subject"] for m in zh])
        for m in msgs:
            check(m["Message-ID"] and m["Date"] and m["MIME-Version"] == "1.0", "headers of %s" % m["Subject"])
        check_eq(st.inbox_left(), [], "inbox emptied")
        check_eq(os.listdir(st.path("drop", "archive")), ["acme-po-2027-0100.x12"], "drop archived")

        # A second run changes nothing.
        before = snapshot(st)
        rc, err = st.run_once()
        check_eq(rc, 0, "second run")
        check_eq(snapshot(st), before, "state after a second run")

        # The same order again (a resend with a new Message-ID) creates nothing.
        with open(os.path.join(SAMPLES, "sample-inbox", "01-acme-complete.eml"), "rb") as f:
            again = f.read().replace(b"<po-2027-0042@acme.example>", b"<po-2027-0042-resent@acme.example>")
        st.deliver(again)
        rc, err = st.run_once()
        after = snapshot(st)
        check_eq(after[0], before[0], "orders after a resend")
        check_eq(after[2], before[2], "queue after a resend")
        check_eq(st.query("SELECT outcome FROM documents ORDER BY id DESC LIMIT 1")[0][0][:18],
                 "duplicate of order", "the resend is recognised")

        # The same PO number with other content is an exception.
        st.deliver(again.replace(b"500    pcs", b"900    pcs").replace(b"-resent@", b"-changed@"))
        st.run_once()
        dup = [e for e in st.cli("exceptions", "list") if e["reason"] == "duplicate_po"]
        check_eq(len(dup), 1, "PO number already used")

        # A file that cannot be read is kept with its bytes.
        st.drop("garbage.edi", b"\x00\x01this is not EDI\xff" * 10)
        st.run_once()
        bad = [e for e in st.cli("exceptions", "list") if e["reason"] == "unreadable"]
        check_eq(len(bad), 1, "unreadable file in the exception list")
        check_eq(st.query("SELECT length(raw) FROM documents WHERE name = 'garbage.edi'"), [(180,)],
                 "bytes kept")

        # test-rule tells what would happen, and changes nothing.
        before = snapshot(st)
        tr = st.cli("test-rule", os.path.join(SAMPLES, "sample-inbox", "02-acme-missing-date.eml"))
        check_eq((tr["partner"], tr["sender"], [o["status"] for o in tr["orders"]]),
                 ("acme", "buyer@acme.example", ["incomplete"]), "test-rule")
        check("exception" in tr["orders"][0]["would"], "test-rule says what would happen: %r" % tr["orders"][0]["would"])
        check_eq(snapshot(st), before, "state after test-rule")

        # The clarification loop: the customer answers, the order completes itself.
        st.deliver(reply(clar[0], "Jane Buyer <buyer@acme.example>", "Hello,\n\nDelivery date: 2027-03-15\n",
                         "answer-1@acme.example"))
        rc, err = st.run_once()
        o43 = [o for o in st.cli("orders", "list") if o["po_number"] == "PO-2027-0043"][0]
        check_eq((o43["status"], o43["stage"]), ("accepted", "review"), "PO-2027-0043 after the answer")
        rec = st.cli("orders", "show", str(o43["id"]))
        check_eq(rec["record"]["requested_delivery_date"], "2027-03-15", "merged delivery date")
        actions = [h["action"] for h in rec["history"]]
        check("customer answered" in actions and "resolved" in actions, "history: %r" % actions)
        check_eq(st.query("SELECT state FROM exceptions WHERE id = ?", inc["id"]), [("resolved",)],
                 "exception resolved")
        ack = [m for m in read_outbox(st) if m["In-Reply-To"] == "<answer-1@acme.example>"]
        check(len(ack) == 1 and "PO-2027-0043" in ack[0]["Subject"], "receipt for the answered order")

        # Half an answer gets a shorter follow-up, the rest completes it.
        body = ("PO No.: PO-2027-0050\nOrder date: 2026-11-25\nCurrency: USD\nShip to:\nAcme Trading Ltd\n"
                "100 Harbor Road\nLong Beach, CA 90802\nUS\n\n"
                "Item      Description             Qty    Unit  Unit price\n"
                "AB-100    Steel bracket 40mm      100    pcs   1.20\n")
        st.deliver(ogtest.email("Jane Buyer <buyer@acme.example>", "PO-2027-0050", body, "po50@acme.example"))
        st.run_once()
        c50 = [m for m in read_outbox(st) if "PO-2027-0050" in m["Subject"] and "information" in m["Subject"]]
        check_eq(len(c50), 1, "clarification for PO-2027-0050")
        text = c50[0].get_content() if c50 else ""
        check("Delivery date" in text and "Incoterms" in text, "asks for delivery date and Incoterms")
        st.deliver(reply(c50[0], "Jane Buyer <buyer@acme.example>", "Delivery date: 2027-03-30\n",
                         "answer-50a@acme.example"))
        st.run_once()
        follow = [m for m in read_outbox(st) if m["In-Reply-To"] == "<answer-50a@acme.example>"]
        check_eq(len(follow), 1, "a follow-up")
        ftext = follow[0].get_content() if follow else ""
        check("Incoterms" in ftext and "Delivery date: YYYY" not in ftext, "the follow-up names only what is left")
        # A stranger quoting the token cannot complete it.
        st.deliver(reply(follow[0], "Mallory <m@evil.example>", "Incoterms: EXW Anywhere\n", "evil@evil.example"))
        st.run_once()
        o50 = [o for o in st.cli("orders", "list") if o["po_number"] == "PO-2027-0050"][0]
        check_eq(o50["status"], "exception", "PO-2027-0050 after a stranger's answer")
        st.deliver(reply(follow[0], "Jane Buyer <buyer@acme.example>", "Incoterms: FOB Ningbo\n",
                         "answer-50b@acme.example"))
        st.run_once()
        o50 = [o for o in st.cli("orders", "list") if o["po_number"] == "PO-2027-0050"][0]
        check_eq(o50["status"], "accepted", "PO-2027-0050 after the second answer")
        inc = st.cli("orders", "show", str(o50["id"]))["record"]["incoterms"]
        check_eq((inc["code"], inc["named_place"]), ("FOB", "Ningbo"), "merged Incoterms")
    finally:
        st.close()
    ogtest.finish()


main()
