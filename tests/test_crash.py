"""Crash safety (issue: order-intake spine, point 11).

ordergwd runs as a daemon (supervisor + workers) while a few hundred e-mails
arrive; it is killed with SIGKILL at random moments at least 30 times and
restarted each time.  Afterwards every message must have been taken in
exactly once, every order and exception must exist exactly once, and no
customer message may be lost or written twice (a Maildir delivery is named
by its outbox row, so even the allowed resend after a kill replaces the
same file)."""
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

N = int(os.environ.get("CRASH_MESSAGES", "300"))
KILLS = int(os.environ.get("CRASH_KILLS", "32"))
rng = random.Random(int(os.environ.get("CRASH_SEED", "20270111")))


def order_mail(i):
    complete = i % 5 != 0        # every fifth order lacks its delivery date
    body = ("Hello,\n\nPO No.: CR-%05d\nOrder date: 2027-01-11\n%s"
            "Incoterms: FOB Shanghai\nCurrency: USD\n"
            "Ship to: Acme Trading Ltd, 100 Harbor Road, Long Beach, CA 90802, US\n\n"
            "Item      Description             Qty    Unit  Unit price\n"
            "AB-%03d    Steel bracket           %d    pcs   1.20\n\nRegards\n") % (
        i, "Delivery date: 2027-03-20\n" if complete else "", i % 1000, 100 + i)
    return ogtest.email("Jane Buyer <buyer@acme.example>", "PO CR-%05d" % i, body, "cr-%05d@acme.example" % i)


def main():
    config = ogtest.BASE_CONFIG.replace("url = maildir:inbox", "url = maildir:inbox\npoll = 1")
    st = ogtest.State(config)
    try:
        delivered = 0
        kills = 0
        while kills < KILLS:
            # New mail keeps arriving while the daemon works and dies.
            for _ in range(rng.randint(0, 2 * N // KILLS)):
                if delivered < N:
                    st.deliver(order_mail(delivered))
                    delivered += 1
            p = subprocess.Popen([ogtest.ORDERGWD, "-c", st.conf, "-f"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rng.uniform(0.05, 0.8))
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            kills += 1
        while delivered < N:
            st.deliver(order_mail(delivered))
            delivered += 1
        # Let it finish in peace.
        for _ in range(10):
            rc, err = st.run_once()
            if rc == 0:
                break
        check_eq(rc, 0, "ordergwd --once after the crashes (stderr: %s)" % err[-2000:])

        check_eq(st.inbox_left(), [], "messages left in the inbox")
        done = os.listdir(st.path("inbox", ".Processed", "cur"))
        check_eq(len(done), N, "messages in the done folder")
        docs = st.query("SELECT count(*), count(DISTINCT source_key), sum(state = 'processed') FROM documents")[0]
        check_eq(docs, (N, N, N), "documents stored / distinct / processed")
        per_doc = st.query("SELECT d.id, (SELECT count(*) FROM orders o WHERE o.document_id = d.id)"
                           " FROM documents d")
        check(all(n == 1 for _, n in per_doc), "every document gave exactly one order")
        pos = st.query("SELECT po_number, count(*) FROM orders GROUP BY po_number HAVING count(*) > 1")
        check_eq(pos, [], "PO numbers entered twice")
        want_exc = len([i for i in range(N) if i % 5 == 0])
        check_eq(st.query("SELECT count(*) FROM orders WHERE status = 'accepted'")[0][0], N - want_exc,
                 "accepted orders")
        check_eq(st.query("SELECT count(*) FROM exceptions")[0][0], want_exc, "exceptions")
        check_eq(st.query("SELECT count(*) FROM queue_items")[0][0], N - want_exc, "queue items")
        rows = st.query("SELECT count(*), count(DISTINCT message_id), sum(state = 'sent') FROM outbox")[0]
        check_eq(rows, (N, N, N), "outbox messages / distinct Message-IDs / sent")
        files = st.outbox_files()
        check(len(files) <= rows[0] + kills, "outbox files (%d) at most one duplicate per kill" % len(files))
        check_eq(len(files), rows[0], "outbox files, one per message (a resend replaces its file)")
        print("%d messages, %d kills" % (N, kills))
    finally:
        st.close()
    ogtest.finish()


main()
