"""An audit line that cannot be written fails the document like any other
store error (pipeline.c): its savepoint is rolled back, it is tried once
more and then quarantined, and nothing of it is left half done.

The store is made to refuse audit rows with a SQLite trigger installed
between runs.  1. Every audit row refused: the documents stay new (not even
the quarantine can be written), no order, exception or message exists;
with the trigger gone the next run processes each exactly once.
2. Only audit rows about orders and exceptions refused (the lines the
pipeline used to write without looking at the result): each document is
quarantined as an "internal" exception with no order, exception or message
of its own; with the trigger gone, `exceptions reprocess` (which runs the
pipeline under the daemon's limits) processes each exactly once."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq


def order_mail(po, complete=True):
    body = ("Hello,\n\nPO No.: %s\nOrder date: 2027-01-11\n%s"
            "Incoterms: FOB Shanghai\nCurrency: USD\n"
            "Ship to: Acme Trading Ltd, 100 Harbor Road, Long Beach, CA 90802, US\n\n"
            "Item      Description             Qty    Unit  Unit price\n"
            "AB-001    Steel bracket           100    pcs   1.20\n\nRegards\n") % (
        po, "Delivery date: 2027-03-20\n" if complete else "")
    return ogtest.email("Jane Buyer <buyer@acme.example>", "PO " + po, body, po.lower() + "@acme.example")


def refuse_audit(st, when):
    db = st.db()
    db.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit %s BEGIN"
               " SELECT RAISE(ABORT, 'audit refused by the test'); END" % when)
    db.commit()
    db.close()


def allow_audit(st):
    db = st.db()
    db.execute("DROP TRIGGER refuse_audit")
    db.commit()
    db.close()


def doc_of(st, po):
    """Found by its Message-ID in the stored bytes (the column is filled only once processed)."""
    key = ("<%s@acme.example>" % po.lower()).encode()
    return st.query("SELECT id FROM documents WHERE instr(raw, ?) > 0", key)[0][0]


def rows_of(st, doc):
    """What the pipeline wrote for one document, apart from the quarantine."""
    return (st.query("SELECT id, status FROM orders WHERE document_id = ?", doc),
            st.query("SELECT id, reason FROM exceptions WHERE document_id = ? AND reason <> 'internal'", doc),
            st.query("SELECT o.id FROM outbox o LEFT JOIN orders r ON r.id = o.order_id"
                     " WHERE o.document_id = ? OR r.document_id = ?", doc, doc))


def audit_count(st, doc, action):
    return st.query("SELECT count(*) FROM audit WHERE entity = 'document' AND entity_id = ? AND action = ?",
                    doc, action)[0][0]


def main():
    st = ogtest.State()
    try:
        # Creates the store; nothing to do yet.
        rc, err = st.run_once()
        check_eq(rc, 0, "first run on an empty inbox: " + err[-500:])

        # ---- 1. the store refuses every audit row ----
        st.deliver(order_mail("AF-1"))
        st.deliver(order_mail("AF-2", complete=False))
        refuse_audit(st, "")
        rc, err = st.run_once()
        check_eq(rc, 75, "a store that refuses the audit is a failure to retry: " + err[-500:])
        check("audit refused by the test" in err, "the store's message is logged: " + err[-500:])
        for po in ("AF-1", "AF-2"):
            doc = doc_of(st, po)
            check_eq(st.query("SELECT state FROM documents WHERE id = ?", doc)[0][0], "new",
                     po + ": the document is still to be processed")
            check_eq(rows_of(st, doc), ([], [], []), po + ": no order, exception or message")
        check_eq(st.query("SELECT count(*) FROM exceptions")[0][0], 0, "no exception at all, not even a quarantine")
        check_eq(st.query("SELECT count(*) FROM audit")[0][0], 0, "no audit row")

        allow_audit(st)
        rc, err = st.run_once()
        check_eq(rc, 0, "with the audit allowed again: " + err[-500:])
        doc1, doc2 = doc_of(st, "AF-1"), doc_of(st, "AF-2")
        orders, excs, msgs = rows_of(st, doc1)
        check_eq([s for _, s in orders], ["accepted"], "AF-1: one accepted order")
        check_eq((excs, len(msgs)), ([], 1), "AF-1: no exception, one confirmation")
        orders, excs, msgs = rows_of(st, doc2)
        check_eq([s for _, s in orders], ["exception"], "AF-2: one held order")
        check_eq([r for _, r in excs], ["incomplete"], "AF-2: one exception")
        check_eq(len(msgs), 1, "AF-2: one clarification")
        for doc in (doc1, doc2):
            check_eq((audit_count(st, doc, "processing"), audit_count(st, doc, "processed")), (1, 1),
                     "document %d: processed exactly once" % doc)

        # ---- 2. only audit rows about orders and exceptions are refused ----
        st.deliver(order_mail("AF-3"))
        st.deliver(order_mail("AF-4", complete=False))
        refuse_audit(st, "WHEN NEW.entity IN ('order', 'exception')")
        rc, err = st.run_once()
        check_eq(rc, 0, "quarantine is a result: " + err[-500:])
        internal = {}
        for po in ("AF-3", "AF-4"):
            doc = doc_of(st, po)
            check_eq(st.query("SELECT state FROM documents WHERE id = ?", doc)[0][0], "processed",
                     po + ": the document is set aside")
            check_eq(rows_of(st, doc), ([], [], []), po + ": no order, exception or message of its own")
            q = st.query("SELECT id, state, summary FROM exceptions WHERE document_id = ? AND reason = 'internal'", doc)
            check_eq([(s, "audit refused by the test" in m) for _, s, m in q], [("open", True)],
                     po + ": one open internal exception naming the store's refusal")
            check_eq(audit_count(st, doc, "quarantined"), 1, po + ": the quarantine is audited")
            check_eq(audit_count(st, doc, "processed"), 0, po + ": never recorded as processed")
            internal[po] = q[0][0] if q else 0
        allow_audit(st)

        for po, want in (("AF-3", "accepted"), ("AF-4", "exception")):
            out = st.cli("--user", "sam", "exceptions", "reprocess", str(internal[po]))
            check("processed again: %s accepted" % ("1" if want == "accepted" else "0") in out["message"],
                  po + ": reprocess: " + out["message"])
            doc = doc_of(st, po)
            orders, excs, msgs = rows_of(st, doc)
            check_eq([s for _, s in orders], [want], po + ": exactly one order after the reprocess")
            check_eq([r for _, r in excs], [] if want == "accepted" else ["incomplete"], po + ": its exceptions")
            check_eq(len(msgs), 1, po + ": one message to the customer")
            check_eq(st.query("SELECT state FROM exceptions WHERE id = ?", internal[po])[0][0], "reprocessed",
                     po + ": the quarantine is closed")
            check_eq(audit_count(st, doc, "processed"), 1, po + ": processed exactly once")
            oid = orders[0][0] if orders else 0
            check(st.query("SELECT count(*) FROM audit WHERE entity = 'order' AND entity_id = ?", oid)[0][0] >= 1,
                  po + ": the order has its audit lines")
        check_eq(st.query("SELECT count(*) FROM documents WHERE state <> 'processed'")[0][0], 0, "nothing left")
    except ogtest.Failure as e:
        check(False, str(e))
    finally:
        st.close()
    ogtest.finish()


if __name__ == "__main__":
    main()
