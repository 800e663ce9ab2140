"""End to end against real servers (channels, point 5).

Dovecot (IMAP with STARTTLS), OpenSSH (internal-sftp) and an SMTP server
(aiosmtpd with STARTTLS) run on 127.0.0.1 with a private CA.  1,000 orders
are APPENDed to the mailbox and 200 X12 files are put on the SFTP drop;
ordergwd takes them in, and afterwards every one is stored once and
processed once, the SMTP server has received each acknowledgement exactly
once, and INBOX and the inbound folder are empty.  Then the daemon runs for
real and a new mail is taken in within seconds (IDLE)."""
import email
import imaplib
import os
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "servers"))
import harness  # noqa: E402
import ogtest  # noqa: E402
from ogtest import check, check_eq  # noqa: E402

harness.skip_unless_possible()
N_MAIL = int(os.environ.get("E2E_MAILS", "1000"))
N_EDI = int(os.environ.get("E2E_EDI", "200"))


def order_mail(i):
    body = ("PO No.: NET-%05d\nOrder date: 2027-01-11\nDelivery date: 2027-03-20\nIncoterms: FOB Shanghai\n"
            "Currency: USD\nShip to:\nAcme Trading Ltd\n100 Harbor Road\nLong Beach, CA 90802\nUS\n\n"
            "Item      Description             Qty    Unit  Unit price\n"
            "AB-%03d    Steel bracket           %d    pcs   1.20\n") % (i, i % 1000, 10 + i)
    return ogtest.email("Jane Buyer <buyer@acme.example>", "PO NET-%05d" % i, body,
                        "net-%05d@acme.example" % i).encode("utf-8")


def x12(i):
    with open(os.path.join(ogtest.SRCDIR, "etc", "sample-drop", "acme-po-2027-0100.x12")) as f:
        s = f.read()
    return s.replace("PO-2027-0100", "EDI-%05d" % i).replace("000000101", "%09d" % (1000 + i)).encode()


def imap_login(port, ca):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.starttls(ssl_context=ssl.create_default_context(cafile=ca))
    m.login(harness.USER, harness.PASSWORD)
    return m


def folder_count(port, ca, folder):
    m = imap_login(port, ca)
    typ, data = m.select(folder, readonly=True)
    m.logout()
    return int(data[0]) if typ == "OK" else -1


def main():
    hs = harness.State()
    st = None
    try:
        ca = hs.ca("main")
        cert = hs.server_cert(ca, "localhost", ["localhost", "127.0.0.1"])
        dov = hs.dovecot(cert)
        sshd = hs.sshd()
        smtp = hs.smtpd(cert=cert, mode="starttls")
        pwfile = hs.path("secrets", "imap.pw")
        with open(pwfile, "w") as f:
            f.write(harness.PASSWORD + "\n")
        os.chmod(pwfile, 0o600)
        drop = sshd.drop
        config = ogtest.BASE_CONFIG.replace("""[mailbox sales]
url = maildir:inbox
""", """[mailbox sales]
url = imap://127.0.0.1:%d/INBOX
user = %s
password_file = %s
ca_file = %s
done_folder = Processed
poll = 5
""" % (dov.imap_ports["imap"], harness.USER, pwfile, ca["crt"])).replace("""[drop edi]
url = dir:drop
outbound = dir:outbound
""", """[drop edi]
url = sftp://127.0.0.1:%d%s/inbound/
user = %s
key_file = %s
known_hosts = %s
archive = archive/
outbound = sftp://127.0.0.1:%d%s/outbound/
ready_suffix = .done
poll = 2
""" % (sshd.port, drop, harness.USER, sshd.client_key, sshd.known_hosts, sshd.port, drop)).replace(
            "url = maildir:outbox", "url = smtp://127.0.0.1:%d\nca_file = %s" % (smtp.port, ca["crt"]))
        st = ogtest.State(config)

        t0 = time.time()
        m = imap_login(dov.imap_ports["imap"], ca["crt"])
        for i in range(N_MAIL):
            m.append("INBOX", None, None, order_mail(i))
        m.logout()
        pw = __import__("pwd").getpwnam(harness.USER)
        for i in range(N_EDI):
            for name, data in (("po-%05d.x12" % i, x12(i)), ("po-%05d.x12.done" % i, b"")):
                p = os.path.join(drop, "inbound", name)
                with open(p, "wb") as f:
                    f.write(data)
                os.chown(p, pw.pw_uid, pw.pw_gid)
        print("seeded %d mails and %d files in %.1f s" % (N_MAIL, N_EDI, time.time() - t0))

        t0 = time.time()
        for attempt in range(5):
            rc, err = st.run_once(*(["-v"] if os.environ.get("E2E_VERBOSE") else []), timeout=1200)
            if os.environ.get("E2E_VERBOSE"):
                print(err)
            if rc == 0:
                break
        print("ordergwd --once: %.1f s" % (time.time() - t0))
        check_eq(rc, 0, "ordergwd --once (stderr: %s)" % err[-3000:])

        docs = st.query("SELECT channel, count(*), count(DISTINCT source_key), sum(state = 'processed')"
                        " FROM documents GROUP BY channel ORDER BY channel")
        check_eq(docs, [("imap", N_MAIL, N_MAIL, N_MAIL), ("sftp", N_EDI, N_EDI, N_EDI)], "documents")
        orders = st.query("SELECT format, status, count(*), count(DISTINCT po_number) FROM orders"
                          " GROUP BY format, status ORDER BY format")
        check_eq(orders, [("email-text", "accepted", N_MAIL, N_MAIL), ("x12-850", "accepted", N_EDI, N_EDI)],
                 "orders")
        check_eq(st.query("SELECT channel, state, count(*) FROM outbox GROUP BY channel, state ORDER BY channel"),
                 [("edi", "sent", N_EDI), ("mail", "sent", N_MAIL + N_EDI)], "outbox: 997s and mails")
        acks = [n for n in os.listdir(os.path.join(drop, "outbound")) if n.startswith("997_")]
        check_eq(len(acks), N_EDI, "997s uploaded to the SFTP outbound folder")
        captured = sorted(n for n in os.listdir(smtp.capture) if n.endswith(".eml"))
        ids = []
        for name in captured:
            with open(os.path.join(smtp.capture, name), "rb") as f:
                ids.append(email.message_from_binary_file(f)["Message-ID"])
        check_eq(len(captured), N_MAIL + N_EDI, "messages received by the SMTP server")
        check_eq(len(set(ids)), len(ids), "each Message-ID received once")
        check_eq(folder_count(dov.imap_ports["imap"], ca["crt"], "INBOX"), 0, "INBOX after the run")
        check_eq(folder_count(dov.imap_ports["imap"], ca["crt"], "Processed"), N_MAIL, "Processed")
        left = [n for n in os.listdir(os.path.join(drop, "inbound")) if n != "archive"]
        check_eq(left, [], "files left in the SFTP inbound folder")
        check_eq(len([n for n in os.listdir(os.path.join(drop, "inbound", "archive"))
                      if n.endswith(".x12")]), N_EDI, "files archived")
        # Nothing more happens on a second run.
        rc, err = st.run_once()
        check_eq(rc, 0, "second run")
        check_eq(st.query("SELECT count(*) FROM documents")[0][0], N_MAIL + N_EDI, "documents after a rerun")
        check_eq(len([n for n in os.listdir(smtp.capture) if n.endswith(".eml")]), N_MAIL + N_EDI,
                 "SMTP messages after a rerun")

        # The daemon proper: IDLE takes a new order in within seconds.
        d = subprocess.Popen([ogtest.ORDERGWD, "-c", st.conf, "-f"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            time.sleep(2)
            t0 = time.time()
            m = imap_login(dov.imap_ports["imap"], ca["crt"])
            m.append("INBOX", None, None, order_mail(N_MAIL))
            m.logout()
            got = False
            while time.time() - t0 < 30 and not got:
                got = st.query("SELECT count(*) FROM orders WHERE po_number = ?", "NET-%05d" % N_MAIL)[0][0] == 1
                time.sleep(0.2)
            check(got, "a new mail taken in by the running daemon")
            print("new mail stored and processed %.1f s after APPEND" % (time.time() - t0))
        finally:
            os.killpg(d.pid, 15)
            d.wait(timeout=30)
    finally:
        if st is not None:
            st.close()
        hs.close()
    ogtest.finish()


main()
