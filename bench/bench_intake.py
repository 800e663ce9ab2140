"""End-to-end intake bench: N e-mail orders in a real Dovecot mailbox on
loopback, from the first fetch to every order committed with its
acknowledgement queued (issue: real channels, point 6).

    ORDERGW_SRCDIR=. ORDERGW_BUILDDIR=. /usr/bin/python3 bench/bench_intake.py [--messages 10000]

Messages are seeded as Maildir files (Dovecot indexes them on the first
SELECT, timed apart).  Then, in a fresh store: the bare bulk fetch of the
same messages with the C client (tests/chanctl, no store), and ordergwd
--once with the outbox sending disabled (outbox = maildir, not timed
apart: the sender's share is printed from its own log line).  Prints
orders per second, the ratio to the bare fetch, and peak memory.  Needs
root (see tests/servers/harness.py).  Not a test."""
import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "servers"))
import harness  # noqa: E402
import ogtest  # noqa: E402


def seed(maildir, n, uid, gid, tag):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        os.chown(os.path.join(maildir, sub), uid, gid)
    os.chown(maildir, uid, gid)
    now = int(time.time())
    for i in range(n):
        body = ("PO No.: B%s-%06d\r\nOrder date: 2027-01-11\r\nDelivery date: 2027-03-20\r\n"
                "Incoterms: FOB Shanghai\r\nCurrency: USD\r\nShip to:\r\nAcme Trading Ltd\r\n"
                "100 Harbor Road\r\nLong Beach, CA 90802\r\nUS\r\n\r\n"
                "Item      Description             Qty    Unit  Unit price\r\n"
                "AB-%03d    Steel bracket           %d    pcs   1.20\r\n") % (tag, i, i % 1000, 10 + i % 500)
        msg = ("From: Jane Buyer <buyer@acme.example>\r\nTo: sales@example-export.com\r\n"
               "Subject: PO B%s-%06d\r\nMessage-ID: <b%s-%06d@acme.example>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=UTF-8\r\n\r\n%s") % (tag, i, tag, i, body)
        name = os.path.join(maildir, "new", "%d.B%s_%d.bench" % (now, tag, i))
        with open(name, "w", newline="") as f:
            f.write(msg)
        os.chown(name, uid, gid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10000)
    args = ap.parse_args()
    harness.skip_unless_possible(need=("dovecot",))
    pw = harness.ensure_user()
    with harness.State() as hs:
        ca = hs.ca("bench")
        cert = hs.server_cert(ca, "server", ["localhost", "127.0.0.1"])
        dv = hs.dovecot(cert)
        port = dv.imap_ports["imap"]
        pwf = hs.path("password")
        with open(pwf, "w") as f:
            f.write(harness.PASSWORD + "\n")
        maildir = os.path.join(dv.dir, "mail", harness.USER)

        # 1. The bare bulk fetch (and move), no store: the floor.
        seed(maildir, args.messages, pw.pw_uid, pw.pw_gid, "f")
        m = ogtest_imap(port, cert["ca"])
        t = time.time()
        m.select("INBOX", readonly=True)
        print("Dovecot indexing of %d new messages: %.2f s" % (args.messages, time.time() - t))
        m.logout()
        chanctl = os.path.join(ogtest.BUILDDIR, "tests", "chanctl")
        t = time.time()
        r = subprocess.run([chanctl, "imap-poll", "--url", "imap://127.0.0.1:%d/INBOX" % port,
                            "--user", harness.USER, "--password-file", pwf, "--ca-file", cert["ca"],
                            "--batch", "1000", "--done", "Bare", "--quiet"], capture_output=True, text=True)
        bare = time.time() - t
        if r.returncode != 0:
            print("chanctl failed:", r.stderr[-500:])
        print("bare fetch + move (tests/chanctl imap-poll): %.2f s" % bare)

        # 2. ordergwd: fetch, store, parse, validate, file, queue acknowledgements.
        seed(maildir, args.messages, pw.pw_uid, pw.pw_gid, "o")
        m = ogtest_imap(port, cert["ca"])
        m.select("INBOX", readonly=True)
        m.logout()
        config = ogtest.BASE_CONFIG.replace("[mailbox sales]\nurl = maildir:inbox\n",
                                            "[mailbox sales]\nurl = imap://127.0.0.1:%d/INBOX\nuser = %s\n"
                                            "password_file = %s\nca_file = %s\nbatch = 1000\n"
                                            % (port, harness.USER, pwf, cert["ca"]))
        st = ogtest.State(config)
        try:
            t = time.time()
            p = subprocess.run([ogtest.ORDERGWD, "-c", st.conf, "-f", "--once"], capture_output=True, text=True)
            total = time.time() - t
            ru = resource.getrusage(resource.RUSAGE_CHILDREN)
            orders = st.query("SELECT count(*) FROM orders WHERE status = 'accepted'")[0][0]
            queued = st.query("SELECT count(*) FROM outbox")[0][0]
            print(p.stderr.strip())
            import re
            mark = re.search(r"pipeline done after ([0-9.]+) s", p.stderr)
            committed = float(mark.group(1)) if mark else total
            print("first fetch to every order committed with its acknowledgement queued: %.2f s = %.0f orders/s "
                  "(%.1f x the bare fetch of %.2f s)" % (committed, orders / committed if committed else 0,
                                                          committed / bare if bare else 0, bare))
            print("with the acknowledgements also written to the Maildir outbox (fsync each): %.2f s = %.0f orders/s"
                  % (total, orders / total if total else 0))
            print("%d orders accepted, %d acknowledgements; peak RSS %.0f MB" % (orders, queued, ru.ru_maxrss / 1024))
        finally:
            st.close()


def ogtest_imap(port, ca):
    import imaplib
    import ssl
    m = imaplib.IMAP4("127.0.0.1", port)
    m.starttls(ssl_context=ssl.create_default_context(cafile=ca))
    m.login(harness.USER, harness.PASSWORD)
    return m


main()
