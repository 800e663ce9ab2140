"""Channel scenarios through the real daemon against real servers (issue 4,
point 4).  Each scenario runs ordergwd (--once, or -f as the supervisor with
its workers) from the build tree against Dovecot, OpenSSH sshd and aiosmtpd
started by tests/servers/harness.py, and asserts the store (through the
database and `ordergw --json`) and the servers' state:

  auth      AUTHENTICATE PLAIN and LOGIN against Dovecot (auth = plain,
            login, unset); PLAIN without SASL-IR against a fake server.
  smtp451   451 twice then 250: deferred twice (attempts, last_error), then
            delivered once, always with the same Message-ID.
  smtp550   550: failed, in `outbox list --state failed` with the server's
            text, and an 'undeliverable' exception.
  trust     a certificate from an unknown CA refused, accepted with
            ca_file; a changed SFTP host key refused, no file taken.
  upload    a file still growing on the SFTP drop is not taken until it is
            complete (stable_seconds, daemon and --once).
  restart   Dovecot restarted while ordergwd -f takes in a few hundred
            messages: each stored once, INBOX empty.
  badpass   a wrong IMAP password: a clear log line without the password,
            the worker restarted with growing delays, a Maildir mailbox in
            the same configuration still processed.  Last, because Dovecot
            delays logins from 127.0.0.1 after a failure.

CHANNELS_ONLY=name,name runs a subset (for debugging)."""
import base64
import email
import imaplib
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "servers"))
import fakes  # noqa: E402
import harness  # noqa: E402
import ogtest  # noqa: E402
from ogtest import check, check_eq  # noqa: E402

harness.skip_unless_possible()

HEAD = ogtest.BASE_CONFIG[:ogtest.BASE_CONFIG.index("[mailbox sales]")]
PARTNERS = ogtest.BASE_CONFIG[ogtest.BASE_CONFIG.index("[partner acme]"):]
ONLY = [x for x in os.environ.get("CHANNELS_ONLY", "").split(",") if x]


def config(*sections):
    return HEAD + "\n".join(s.strip() + "\n" for s in sections) + "\n" + PARTNERS


def order_mail(i, tag="CH"):
    body = ("PO No.: %s-%05d\nOrder date: 2027-01-11\nDelivery date: 2027-03-20\nIncoterms: FOB Shanghai\n"
            "Currency: USD\nShip to:\nAcme Trading Ltd\n100 Harbor Road\nLong Beach, CA 90802\nUS\n\n"
            "Item      Description             Qty    Unit  Unit price\n"
            "AB-%03d    Steel bracket           %d    pcs   1.20\n") % (tag, i, i % 1000, 10 + i)
    return ogtest.email("Jane Buyer <buyer@acme.example>", "PO %s-%05d" % (tag, i), body,
                        "%s-%05d@acme.example" % (tag.lower(), i))


def x12(i):
    with open(os.path.join(ogtest.SRCDIR, "etc", "sample-drop", "acme-po-2027-0100.x12")) as f:
        s = f.read()
    return s.replace("PO-2027-0100", "UP-%05d" % i).replace("000000101", "%09d" % (5000 + i)).encode()


class World:
    """The servers every scenario shares, and helpers to reach them."""

    def __init__(self, hs):
        self.hs = hs
        self.ca = hs.ca("good")
        self.cert = hs.server_cert(self.ca, "localhost", ["localhost", "127.0.0.1"])
        self.dov = hs.dovecot(self.cert)
        self.sshd = hs.sshd()
        self.pwfile = self.secret("imap.pw", harness.PASSWORD)
        self.pw = __import__("pwd").getpwnam(harness.USER)

    def secret(self, name, value):
        p = self.hs.path("secrets", name)
        with open(p, "w") as f:
            f.write(value + "\n")
        os.chmod(p, 0o600)
        return p

    @property
    def imap_port(self):
        return self.dov.imap_ports["imap"]

    def imap(self):
        m = imaplib.IMAP4("127.0.0.1", self.imap_port)
        m.starttls(ssl_context=ssl.create_default_context(cafile=self.ca["crt"]))
        m.login(harness.USER, harness.PASSWORD)
        return m

    def append(self, msgs, folder="INBOX"):
        m = self.imap()
        for data in msgs:
            m.append(folder, None, None, data.encode("utf-8") if isinstance(data, str) else data)
        m.logout()

    def count(self, folder):
        m = self.imap()
        typ, data = m.select(folder, readonly=True)
        m.logout()
        return int(data[0]) if typ == "OK" else -1

    def empty_mailbox(self):
        m = self.imap()
        for folder in ("INBOX", "Processed"):
            typ, data = m.select(folder)
            if typ == "OK" and int(data[0]) > 0:
                m.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                m.expunge()
        m.logout()

    def mailbox(self, name="sales", extra="", pwfile=None, ca=True, imaps=False):
        url = ("imaps://127.0.0.1:%d/INBOX" % self.dov.imap_ports["imaps"] if imaps else
               "imap://127.0.0.1:%d/INBOX" % self.imap_port)
        return ("[mailbox %s]\nurl = %s\nuser = %s\npassword_file = %s\n%s"
                "done_folder = Processed\npoll = 2\n%s" % (
                    name, url, harness.USER, pwfile or self.pwfile,
                    "ca_file = %s\n" % self.ca["crt"] if ca else "", extra))

    def drop(self, extra="", known_hosts=None):
        return ("[drop edi]\nurl = sftp://127.0.0.1:%d%s/inbound/\nuser = %s\nkey_file = %s\n"
                "known_hosts = %s\narchive = archive/\npoll = 1\n%s" % (
                    self.sshd.port, self.sshd.drop, harness.USER, self.sshd.client_key,
                    known_hosts or self.sshd.known_hosts, extra))

    def inbound(self):
        d = os.path.join(self.sshd.drop, "inbound")
        return sorted(n for n in os.listdir(d) if n != "archive")

    def put(self, name, data, mode="wb"):
        p = os.path.join(self.sshd.drop, "inbound", name)
        with open(p, mode) as f:
            f.write(data)
        os.chown(p, self.pw.pw_uid, self.pw.pw_gid)
        return p


def smtp_outbox(smtp, ca, extra=""):
    return "[outbox]\nurl = smtp://127.0.0.1:%d\nca_file = %s\nfrom = Sales <sales@example-export.com>\n%s" % (
        smtp.port, ca, extra)


class Daemon:
    """ordergwd -f in its own session, its log in a file."""

    def __init__(self, st, *extra):
        self.log = st.path("ordergwd.log")
        with open(self.log, "wb") as f:
            self.proc = subprocess.Popen([ogtest.ORDERGWD, "-c", st.conf, "-f"] + list(extra),
                                         stdout=f, stderr=f, start_new_session=True)

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def wait_for(cond, timeout, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def captured(smtp):
    out = []
    for name in sorted(os.listdir(smtp.capture)):
        if name.endswith(".eml") or name.endswith(".451"):
            with open(os.path.join(smtp.capture, name), "rb") as f:
                out.append((name, email.message_from_binary_file(f)))
    return out


# ---- scenarios ----------------------------------------------------------------

def scenario_auth(w):
    """auth = plain / login / unset against Dovecot; PLAIN after a "+"
    continuation (no SASL-IR) against a fake server."""
    cases = ((None, False, "PLAIN"), ("plain", False, "PLAIN"), ("login", False, "LOGIN"),
             (None, True, "PLAIN"), ("login", True, "LOGIN"))
    for i, (auth, imaps, want) in enumerate(cases):
        w.append([order_mail(i, "AU")])
        with ogtest.State(config(w.mailbox(extra="auth = %s\n" % auth if auth else "", imaps=imaps))) as st:
            rc, err = st.run_once("-v")
            check_eq(rc, 0, "auth %s imaps=%s: ordergwd --once (%s)" % (auth, imaps, err[-2000:]))
            check("mailbox sales: logged in as %s with %s" % (harness.USER, want) in err,
                  "auth %s imaps=%s: logged in with %s (log: %s)" % (auth, imaps, want, err[-1500:]))
            check_eq(st.query("SELECT po_number FROM orders"), [("AU-%05d" % i,)], "auth %s imaps=%s: order stored" % (auth, imaps))
    check_eq(w.count("INBOX"), 0, "auth: INBOX empty")
    # On the wire (tls = none through a recording relay): SASL-IR, so the
    # initial response is on the AUTHENTICATE line; LOGIN when asked for.
    ir = base64.b64encode(b"\0%s\0%s" % (harness.USER.encode(), harness.PASSWORD.encode())).decode()
    for i, (auth, want) in enumerate(((None, "AUTHENTICATE PLAIN " + ir),
                                      ("login", "LOGIN %s %s" % (harness.USER, harness.PASSWORD)))):
        w.append([order_mail(10 + i, "AU")])
        with fakes.Proxy(w.imap_port) as p:
            mb = ("[mailbox sales]\nurl = imap://127.0.0.1:%d/INBOX\nuser = %s\npassword_file = %s\n"
                  "tls = none\n%s" % (p.port, harness.USER, w.pwfile, "auth = %s\n" % auth if auth else ""))
            with ogtest.State(config(mb)) as st:
                rc, err = st.run_once()
                check_eq(rc, 0, "wire %s: ordergwd --once (%s)" % (auth, err[-1000:]))
                check_eq(st.query("SELECT count(*) FROM orders")[0][0], 1, "wire %s: order stored" % auth)
            time.sleep(0.2)
            cmds = [ln.split(" ", 1)[1] for ln in p.client_lines() if " " in ln]
            check_eq(cmds[:1], [want], "wire %s: the first command" % auth)
    check_eq(w.count("INBOX"), 0, "auth: INBOX empty after the wire checks")
    # A server without SASL-IR: the credentials follow the "+" continuation.
    with fakes.Fake("imap-auth") as f:
        pw = w.secret("fake.pw", fakes.FAKE_PASSWORD)
        mb = ("[mailbox fake]\nurl = imap://127.0.0.1:%d/INBOX\nuser = %s\npassword_file = %s\ntls = none\n"
              "auth = plain\n" % (f.port, fakes.FAKE_USER, pw))
        with ogtest.State(config(mb)) as st:
            rc, err = st.run_once("-v")
            check("logged in as %s with PLAIN" % fakes.FAKE_USER in err,
                  "fake: AUTHENTICATE PLAIN after the continuation (log: %s)" % err[-1500:])
            check("cannot select mailbox \"INBOX\"" in err, "fake: got as far as SELECT")
            check_eq(f.credentials, [b"\0" + fakes.FAKE_USER.encode() + b"\0" + fakes.FAKE_PASSWORD.encode()],
                     "fake: credentials as sent")
            check_eq([ln.split(" ", 1)[1] for ln in f.received if " AUTHENTICATE" in ln],
                     ["AUTHENTICATE PLAIN"], "fake: no initial response without SASL-IR")
            check(fakes.FAKE_PASSWORD not in err, "fake: password not logged")
    # auth = login: the LOGIN command even where AUTH=PLAIN is offered.
    with fakes.Fake("imap-plain") as f:
        mb = ("[mailbox fake]\nurl = imap://127.0.0.1:%d/INBOX\nuser = u\npassword_file = %s\ntls = none\n"
              "auth = login\n" % (f.port, w.pwfile))
        with ogtest.State(config(mb)) as st:
            rc, err = st.run_once()
            check_eq(rc, 75, "fake LOGIN refused: exit 75")
            check("login refused" in err, "fake LOGIN refused: log (%s)" % err[-800:])
            check([ln for ln in f.received if " LOGIN " in ln.upper()] != [], "fake: LOGIN sent")
            check(not [ln for ln in f.received if "AUTHENTICATE" in ln.upper()], "fake: no AUTHENTICATE")


def maildir_order(st, i, tag):
    st.deliver(order_mail(i, tag))


def scenario_smtp451(w):
    smtp = w.hs.smtpd(cert=w.cert, mode="starttls", fail451=2)
    mb = "[mailbox local]\nurl = maildir:inbox\n"
    with ogtest.State(config(mb, smtp_outbox(smtp, w.ca["crt"], "retry_seconds = 1\n"))) as st:
        maildir_order(st, 1, "TF")
        rows = []
        t0 = time.time()
        for attempt in range(1, 3):
            rc, err = st.run_once()
            check_eq(rc, 75, "451 #%d: ordergwd --once asks to be run again" % attempt)
            rows = st.query("SELECT state, attempts, last_error, message_id FROM outbox")
            check_eq([(r[0], r[1]) for r in rows], [("pending", attempt)], "451 #%d: outbox row" % attempt)
            check(rows and "451" in (rows[0][2] or "") and "Temporary local problem" in rows[0][2],
                  "451 #%d: last_error has the server's reply (%r)" % (attempt, rows))
            check("deferred until" in err, "451 #%d: deferral logged" % attempt)
            listed = st.cli("outbox", "list", "--state", "pending")
            check_eq([(r.get("attempts"), "451" in str(r.get("last_error"))) for r in listed],
                     [(attempt, True)], "451 #%d: outbox list --state pending" % attempt)
            # Due again after 1 s, then 2 s (+-25%): wait until it is.
            wait_for(lambda: st.query("SELECT count(*) FROM outbox WHERE next_attempt_at <= "
                                      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")[0][0] == 1, 10)
        rc, err = st.run_once()
        check_eq(rc, 0, "451 twice then 250: delivered (%s)" % err[-1000:])
        print("smtp451: delivered %.1f s after the first attempt" % (time.time() - t0))
        rows = st.query("SELECT state, attempts, message_id FROM outbox")
        check_eq([(r[0], r[1]) for r in rows], [("sent", 3)], "outbox row after delivery: three attempts in all")
        got = captured(smtp)
        check_eq([n for n, _ in got], ["0001.eml", "refused-0001.451", "refused-0002.451"],
                 "one delivered copy, two refused attempts")
        ids = set(m["Message-ID"] for _, m in got)
        check_eq(ids, {"<%s>" % rows[0][2] if not rows[0][2].startswith("<") else rows[0][2]},
                 "the same Message-ID in every attempt")
        rc, err = st.run_once()
        check_eq(len([n for n, _ in captured(smtp) if n.endswith(".eml")]), 1, "nothing sent again")
    w.hs.stop(smtp)


def scenario_smtp550(w):
    smtp = w.hs.smtpd(cert=w.cert, mode="starttls", reject=("buyer@acme.example",))
    mb = "[mailbox local]\nurl = maildir:inbox\n"
    with ogtest.State(config(mb, smtp_outbox(smtp, w.ca["crt"]))) as st:
        maildir_order(st, 1, "RJ")
        rc, err = st.run_once()
        check_eq(rc, 0, "550: nothing left to retry (%s)" % err[-1000:])
        failed = st.cli("outbox", "list", "--state", "failed")
        check_eq(len(failed), 1, "550: one failed message (%r)" % failed)
        if failed:
            r = failed[0]
            check_eq((r.get("state"), r.get("recipient"), r.get("attempts")),
                     ("failed", "buyer@acme.example", 1), "550: failed row")
            check("550" in str(r.get("last_error")) and "Recipient address rejected" in str(r.get("last_error")),
                  "550: the server's reply in outbox list (%r)" % r.get("last_error"))
        check_eq(st.cli("outbox", "list", "--state", "pending"), [], "550: nothing pending")
        exc = st.cli("exceptions", "list")
        exc = exc.get("exceptions", exc) if isinstance(exc, dict) else exc
        und = [e for e in exc if e.get("reason") == "undeliverable"]
        check_eq(len(und), 1, "550: one undeliverable exception (%r)" % exc)
        check(und and "buyer@acme.example" in str(und[0]), "550: the exception names the address")
        check_eq([n for n, _ in captured(smtp)], [], "550: nothing captured")
        rc, err = st.run_once()
        check_eq(len(st.cli("outbox", "list", "--state", "failed")), 1, "550: not retried")
    w.hs.stop(smtp)


def scenario_trust(w):
    # IMAP: no ca_file, so the private CA is unknown.
    w.append([order_mail(1, "TR")])
    with ogtest.State(config(w.mailbox(ca=False))) as st:
        rc, err = st.run_once()
        check_eq(rc, 75, "unknown CA: exit 75")
        line = [ln for ln in err.splitlines() if "refused" in ln]
        check(line and "certificate" in line[0] and ("issuer" in line[0] or "signer" in line[0]
                                                      or "not trusted" in line[0] or "unknown" in line[0]),
              "unknown CA: a log line that says why (%s)" % err[-1500:])
        print("trust: %s" % line[:1])
        check_eq(st.query("SELECT count(*) FROM documents")[0][0], 0, "unknown CA: nothing taken")
        check_eq(w.count("INBOX"), 1, "unknown CA: message still in INBOX")
    with ogtest.State(config(w.mailbox())) as st:
        rc, err = st.run_once()
        check_eq(rc, 0, "with ca_file: accepted (%s)" % err[-1000:])
        check_eq(st.query("SELECT po_number FROM orders"), [("TR-00001",)], "with ca_file: order stored")
    check_eq(w.count("INBOX"), 0, "with ca_file: INBOX empty")
    # SFTP: known_hosts holds another key for the server.
    other = w.hs.ssh_key("other_host_ed25519")
    kh = w.hs.known_hosts("known_hosts.changed", w.sshd.port, other + ".pub")
    w.put("changed.x12", x12(1))
    w.put("changed.x12.done", b"")
    with ogtest.State(config(w.drop(known_hosts=kh))) as st:
        rc, err = st.run_once()
        check_eq(rc, 75, "changed host key: exit 75")
        check(re.search(r"drop edi: .*host key", err) is not None and "known_hosts" in err,
              "changed host key: a clear log line (%s)" % err[-1500:])
        print("trust: %s" % [ln for ln in err.splitlines() if "host key" in ln][:1])
        check_eq(st.query("SELECT count(*) FROM documents")[0][0], 0, "changed host key: nothing taken")
        check_eq(w.inbound(), ["changed.x12", "changed.x12.done"], "changed host key: file left alone")
    with ogtest.State(config(w.drop())) as st:
        rc, err = st.run_once()
        check_eq(rc, 0, "right host key: accepted (%s)" % err[-1000:])
        check_eq(st.query("SELECT po_number FROM orders"), [("UP-00001",)], "right host key: order stored")
        check_eq(w.inbound(), [], "right host key: inbound empty")


def scenario_upload(w):
    """A file growing on the SFTP drop is taken only once complete."""
    data = x12(2)
    half = len(data) // 2
    with ogtest.State(config(w.drop("stable_seconds = 2\n"))) as st:
        d = Daemon(st, "-v")
        try:
            check(wait_for(lambda: "started:" in d.text(), 10), "upload: daemon started")
            stop = threading.Event()
            w.put("growing.x12", data[:100])

            def writer():
                # Grow by a few bytes every 0.5 s for 6 s, then write the rest.
                pos = 100
                t_end = time.time() + 6
                while time.time() < t_end and pos < half:
                    time.sleep(0.5)
                    w.put("growing.x12", data[pos:pos + 20], "ab")
                    pos += 20
                w.put("growing.x12", data[pos:], "ab")
                stop.set()
            t = threading.Thread(target=writer)
            t.start()
            early = 0
            while not stop.is_set():
                early += st.query("SELECT count(*) FROM documents")[0][0]
                time.sleep(0.2)
            t.join()
            t_done = time.time()
            check_eq(early, 0, "upload: nothing taken while the file grows")
            got = wait_for(lambda: st.query("SELECT count(*) FROM documents")[0][0] == 1, 30)
            check(got, "upload: taken once complete (log: %s)" % d.text()[-1500:])
            print("upload: taken %.1f s after the last write (stable_seconds 2, poll 1)" % (time.time() - t_done))
            check_eq(st.query("SELECT name, size, raw FROM documents"), [("growing.x12", len(data), data)],
                     "upload: stored once, complete")
            wait_for(lambda: st.query("SELECT count(*) FROM orders")[0][0] == 1, 30)
            check_eq(st.query("SELECT po_number FROM orders"), [("UP-00002",)], "upload: the complete order")
            check_eq(w.inbound(), [], "upload: archived")
            check(d.alive(), "upload: daemon still running")
        finally:
            d.stop()
    # --once: a file without a marker is taken after a second listing.
    w.put("once.x12", x12(3))
    with ogtest.State(config(w.drop("stable_seconds = 1\n"))) as st:
        t0 = time.time()
        rc, err = st.run_once()
        check_eq(rc, 0, "--once stable_seconds 1 (%s)" % err[-1000:])
        check_eq(st.query("SELECT po_number FROM orders"), [("UP-00003",)], "--once: stable file taken")
        print("upload: --once with stable_seconds 1 took %.1f s" % (time.time() - t0))
    w.put("zero.x12", x12(4))
    with ogtest.State(config(w.drop())) as st:
        rc, err = st.run_once()
        check_eq(rc, 0, "--once stable_seconds 0 (%s)" % err[-1000:])
        check_eq(st.query("SELECT po_number FROM orders"), [("UP-00004",)], "--once stable 0: file taken")
    check_eq(w.inbound(), [], "upload: inbound empty")


def scenario_restart(w, n=300):
    w.empty_mailbox()
    t0 = time.time()
    w.append([order_mail(i, "RS") for i in range(n)])
    print("restart: %d messages appended in %.1f s" % (n, time.time() - t0))
    with ogtest.State(config(w.mailbox(extra="batch = 1\n"))) as st:
        d = Daemon(st)
        try:
            check(wait_for(lambda: "started:" in d.text(), 10), "restart: daemon started")
            docs = lambda: st.query("SELECT count(*) FROM documents")[0][0]  # noqa: E731
            mid = wait_for(lambda: docs() >= n // 10, 30, 0.01)
            at = docs()
            t0 = time.time()
            w.dov = w.hs.restart_dovecot(w.dov)
            after = docs()
            check(mid and after < n and w.count("INBOX") == n,
                  "restart: Dovecot restarted in the middle of the poll (%d, then %d of %d stored)" % (at, after, n))
            print("restart: Dovecot stopped at %d of %d messages stored (%d when the restart began), "
                  "back after %.1f s" % (after, n, at, time.time() - t0))
            done = wait_for(lambda: st.query("SELECT count(*) FROM documents")[0][0] >= n and w.count("INBOX") == 0,
                            120, 0.5)
            check(done, "restart: everything taken in after the restart (log: %s)" % d.text()[-2000:])
            print("restart: all %d stored and INBOX empty %.1f s after the restart" % (n, time.time() - t0))
            check_eq(st.query("SELECT count(*), count(DISTINCT source_key) FROM documents"), [(n, n)],
                     "restart: each message stored once")
            wait_for(lambda: st.query("SELECT count(*) FROM documents WHERE state = 'processed'")[0][0] >= n, 60, 0.5)
            check_eq(st.query("SELECT count(*), count(DISTINCT po_number) FROM orders"), [(n, n)],
                     "restart: each order once")
            check_eq(w.count("INBOX"), 0, "restart: INBOX empty")
            check_eq(w.count("Processed"), n, "restart: all in Processed")
            check("connection lost" in d.text() or "mailbox sales: temporary" in d.text(),
                  "restart: the lost connection was logged")
            check(d.alive(), "restart: daemon still running")
        finally:
            d.stop()


def scenario_badpass(w):
    bad = w.secret("bad.pw", "wrong-Secret-77")
    with ogtest.State(config(w.mailbox(pwfile=bad), "[mailbox local]\nurl = maildir:inbox\npoll = 1\n")) as st:
        w.append([order_mail(1, "BP")])
        with open(w.dov.log, errors="replace") as f:
            before = f.read().count("auth failed")
        d = Daemon(st)
        try:
            check(wait_for(lambda: "started:" in d.text(), 10), "badpass: daemon started")
            maildir_order(st, 2, "BP")
            got = wait_for(lambda: st.query("SELECT count(*) FROM documents WHERE endpoint = 'local'")[0][0] == 1, 20)
            check(got, "badpass: the Maildir mailbox is still read")
            got = wait_for(lambda: st.query("SELECT count(*) FROM orders")[0][0] == 1, 20)
            check(got, "badpass: and its order processed")
            # Dovecot answers a failed login after ~2 s and delays the next.
            wait_for(lambda: len(re.findall(r"mailbox sales: worker ended", d.text())) >= 3, 60, 0.5)
            text = d.text()
            check("wrong-Secret-77" not in text, "badpass: password not in the log")
            auth_lines = [ln for ln in text.splitlines() if "mailbox sales: authentication" in ln]
            check(auth_lines and "refused" in auth_lines[0] and "imap 127.0.0.1" in auth_lines[0],
                  "badpass: a clear authentication error (%s)" % text[-1500:])
            delays = [int(x) for x in re.findall(r"mailbox sales: worker ended \(status \d+\); restarting in (\d+) s",
                                                  text)]
            check(len(delays) >= 3 and all(a < b for a, b in zip(delays, delays[1:])),
                  "badpass: restarted with growing delays (%r)" % delays)
            print("badpass: restart delays %r; log: %s" % (delays, auth_lines[:1]))
            with open(w.dov.log, errors="replace") as f:
                tries = f.read().count("auth failed") - before
            check(1 <= tries <= len(delays) + 1, "badpass: one login per worker start, no spinning "
                  "(%d failed logins in Dovecot's log, %d restarts)" % (tries, len(delays)))
            check(d.alive(), "badpass: supervisor still running")
            check_eq(st.query("SELECT po_number FROM orders"), [("BP-00002",)], "badpass: only the Maildir order")
            check_eq(w.count("INBOX"), 1, "badpass: IMAP message untouched")
        finally:
            d.stop()


def main():
    hs = harness.State()
    try:
        w = World(hs)
        # badpass LAST: Dovecot delays logins from 127.0.0.1 after a failure.
        for name in ("auth", "smtp451", "smtp550", "trust", "upload", "restart", "badpass"):
            if ONLY and name not in ONLY:
                continue
            t0 = time.time()
            try:
                globals()["scenario_" + name](w)
            except ogtest.Failure as e:
                check(False, "%s: %s" % (name, e))
            print("scenario %s: %.1f s" % (name, time.time() - t0))
            sys.stdout.flush()
    finally:
        hs.close()
    ogtest.finish()


main()
