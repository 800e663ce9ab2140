"""IMAP channel against a real Dovecot (and two fakes), through tests/chanctl.

Happy path with batches, an over-limit message, MOVE and the COPY/EXPUNGE
fallback; a Dovecot restart in the middle of a poll; IDLE; certificate
checks (unknown CA, ca_file, host name); STARTTLS required; STARTTLS
response injection; and, LAST (Dovecot delays logins after a failure), a
wrong password.
"""
import imaplib
import os
import re
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("ORDERGW_SRCDIR", "."), "tests", "servers"))
import harness  # noqa: E402
import fakes  # noqa: E402

harness.skip_unless_possible(need=("dovecot",))
C = harness.Checks()


def append(port, cafile, msgs):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.starttls(ssl_context=ssl.create_default_context(cafile=cafile))
    m.login(harness.USER, harness.PASSWORD)
    for raw in msgs:
        m.append("INBOX", None, None, raw)
    m.logout()


def counts(port, cafile):
    """(messages in INBOX, messages in Processed, how many of those are \\Seen)"""
    m = imaplib.IMAP4("127.0.0.1", port)
    m.starttls(ssl_context=ssl.create_default_context(cafile=cafile))
    m.login(harness.USER, harness.PASSWORD)
    inbox = int(m.select("INBOX", readonly=True)[1][0])
    typ, data = m.select("Processed", readonly=True)
    done = int(data[0]) if typ == "OK" else -1
    seen = 0
    if done > 0:
        typ, data = m.fetch("1:*", "(FLAGS)")
        seen = sum(1 for d in data if b"\\Seen" in d)
    m.logout()
    return inbox, done, seen


def message(i, tag, size=0):
    body = ("order %d %s\r\n" % (i, tag)) + ("x" * 70 + "\r\n") * (size // 72)
    return ("From: buyer@acme.example\r\nTo: orders@example.com\r\n"
            "Message-ID: <%s-%d@test.example>\r\nSubject: PO %d\r\n\r\n%s"
            % (tag, i, i, body)).encode()


def result(out):
    return out[-1] if out else "(no output)"


with harness.State() as st:
    ca = st.ca("good")
    other = st.ca("other")
    cert = st.server_cert(ca, "server", ["localhost", "127.0.0.1"])
    dv = st.dovecot(cert)
    P, PS = dv.imap_ports["imap"], dv.imap_ports["imaps"]
    pwf = st.path("password")
    with open(pwf, "w") as f:
        f.write(harness.PASSWORD + "\n")
    auth = ["--user", harness.USER, "--password-file", pwf]
    good = auth + ["--ca-file", cert["ca"]]
    starttls_url = "imap://127.0.0.1:%d/INBOX" % P

    # 1. Happy path over STARTTLS: 25 messages, batches of 10, one too large.
    msgs = [message(i, "happy", 3000 if i == 7 else 0) for i in range(25)]
    append(P, cert["ca"], msgs)
    rc, out, err = harness.chanctl("imap-poll", "--url", starttls_url, "--batch", 10,
                                   "--max-size", 2000, *good)
    C.eq(rc, 0, "happy: exit status")
    C.eq(result(out), "result ok", "happy: result")
    got = [l.split() for l in out if l.startswith("msg ")]
    C.eq([int(g[1]) for g in got], list(range(1, 26)), "happy: UIDs 1..25 in order")
    C.eq([g[4] for g in got], ["<happy-%d@test.example>" % i for i in range(25)],
         "happy: every message once, in order")
    C.eq([g[3] for g in got].count("header-only"), 1, "happy: one over-limit message")
    big = [g for g in got if g[3] == "header-only"][0]
    C.eq((big[4], int(big[2])), ("<happy-7@test.example>", msgs[7].index(b"\r\n\r\n") + 4),
         "happy: over-limit message passed as its header only")
    small = [g for g in got if g[4] == "<happy-3@test.example>"][0]
    C.eq(int(small[2]), len(msgs[3]), "happy: full message length")
    C.eq([l for l in out if l.startswith("moved")], ["moved 25"], "happy: one move round")
    C.eq(counts(P, cert["ca"]), (0, 25, 0), "happy: INBOX empty, 25 in Processed, none \\Seen")

    # 2. Fallback COPY + STORE + EXPUNGE, over imaps.
    append(P, cert["ca"], [message(i, "copy") for i in range(5)])
    rc, out, err = harness.chanctl("imap-poll", "--url", "imaps://127.0.0.1:%d/" % PS,
                                   "--avoid-move", *good)
    C.eq((rc, result(out)), (0, "result ok"), "fallback: result")
    C.eq(len([l for l in out if l.startswith("msg ")]), 5, "fallback: 5 messages")
    C.eq(counts(P, cert["ca"]), (0, 30, 0), "fallback: INBOX empty, 30 in Processed")

    # 3. Dovecot restarted in the middle of a poll.
    append(P, cert["ca"], [message(i, "restart") for i in range(20)])
    p = subprocess.Popen([os.path.join(os.environ["ORDERGW_BUILDDIR"], "tests", "chanctl"),
                          "imap-poll", "--url", starttls_url, "--batch", "5",
                          "--pause-after", "7", "--retries", "10", "--timeout", "5"] + good,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines = []
    for line in p.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("paused"):
            break
    t = time.time()
    dv = st.restart_dovecot(dv)
    restart_s = time.time() - t
    p.stdin.write("\n")
    p.stdin.flush()
    rest, _ = p.communicate(timeout=120)
    lines += rest.splitlines()
    ids = [l.split()[4] for l in lines if l.startswith("msg ")]
    C.eq(p.returncode, 0, "restart: exit status")
    C.true(any(l.startswith("reconnect after") for l in lines), "restart: reconnected",
           "\n".join(lines))
    C.eq(sorted(ids), sorted("<restart-%d@test.example>" % i for i in range(20)),
         "restart: every message exactly once")
    C.true("stored 20 duplicates 0" in lines, "restart: store saw no duplicate")
    C.eq(counts(P, cert["ca"]), (0, 50, 0), "restart: INBOX empty, 50 in Processed")
    print("dovecot restart took %.2f s" % restart_s)

    # 4. IDLE wakes on a new APPEND; and times out quietly.
    p = subprocess.Popen([os.path.join(os.environ["ORDERGW_BUILDDIR"], "tests", "chanctl"),
                          "imap-idle", "--url", starttls_url, "--timeout", "20"] + good,
                         stdout=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    C.eq(first.strip(), "idling has_idle 1", "idle: server offers IDLE")
    time.sleep(0.3)
    t = time.time()
    append(P, cert["ca"], [message(0, "idle")])
    rest, _ = p.communicate(timeout=30)
    woke = time.time() - t
    m = re.search(r"idle (\d) elapsed_ms (\d+)", rest)
    C.true(m is not None and m.group(1) == "1", "idle: woke with new mail", rest)
    C.true(woke < 3.0, "idle: woke within 3 s", "(%.2f s)" % woke)
    print("IDLE woke %.3f s after APPEND" % woke)
    rc, out, err = harness.chanctl("imap-idle", "--url", starttls_url, "--timeout", "1", *good)
    C.true(rc == 0 and any(l.startswith("idle 0") for l in out), "idle: timeout gives 0",
           str(out))
    harness.chanctl("imap-poll", "--url", starttls_url, *good)

    # 5. Certificates.
    for url in (starttls_url, "imaps://127.0.0.1:%d/" % PS):
        kind = url.split(":")[0]
        rc, out, err = harness.chanctl("imap-open", "--url", url, *auth)
        C.eq(result(out), "error trust: certificate of 127.0.0.1 signed by an unknown "
             "authority (issuer CN=ordergw test CA good); set ca_file to trust a private CA",
             kind + ": unknown CA refused")
        C.true("connection to imap 127.0.0.1:" in err and "refused" in err,
               kind + ": refusal logged", err)
        rc, out, err = harness.chanctl("imap-open", "--url", url, *good)
        C.eq((rc, result(out)), (0, "result ok"), kind + ": same server with ca_file accepted")
        rc, out, err = harness.chanctl("imap-open", "--url", url, *auth,
                                       "--ca-file", other["crt"])
        C.true(result(out).startswith("error trust: certificate of 127.0.0.1 signed by an "
                                      "unknown authority"), kind + ": another CA refused",
               str(out))
        rc, out, err = harness.chanctl("imap-open", "--url", url.replace("127.0.0.1", "127.0.0.2"),
                                       *good)
        C.eq(result(out), "error trust: certificate is for localhost, 127.0.0.1, not 127.0.0.2",
             kind + ": host name mismatch refused")
    rc, out, err = harness.chanctl("imap-open", "--url", starttls_url, *auth,
                                   "--ca-file", st.path("password"))
    C.true(result(out).startswith("error configuration: ca_file"), "bad ca_file: config error",
           str(out))
    rc, out, err = harness.chanctl("imap-open", "--url", starttls_url, "--tls-none", *auth)
    C.eq((rc, result(out)), (0, "result ok"), "tls=none: plain login when configured")

    # 6. STARTTLS required: a plain-only server is refused before LOGIN.
    with fakes.Fake("imap-plain") as f:
        rc, out, err = harness.chanctl("imap-open", "--url", "imap://127.0.0.1:%d/" % f.port,
                                       *good)
        C.true(result(out).startswith("error configuration: imap 127.0.0.1:%d: server does "
                                      "not offer STARTTLS" % f.port), "plain-only refused",
               str(out))
        C.true(not any("LOGIN" in l.upper() for l in f.received), "plain-only: no LOGIN sent",
               str(f.received))
        C.true(harness.PASSWORD not in " ".join(f.received + out) + err, "password never shown")

    # 7. STARTTLS response injection (CVE-2020-15953).
    with fakes.Fake("imap-injection") as f:
        rc, out, err = harness.chanctl("imap-open", "--url", "imap://127.0.0.1:%d/" % f.port,
                                       *good)
        C.true(result(out).startswith("error trust:") and "injection" in result(out),
               "injection refused", str(out))
        C.true(not any("LOGIN" in l.upper() for l in f.received), "injection: no LOGIN sent")

    # 8. LAST: a wrong password (Dovecot then delays logins from 127.0.0.1).
    with open(pwf, "w") as f:
        f.write("wrong-password\n")
    t = time.time()
    rc, out, err = harness.chanctl("imap-open", "--url", starttls_url, *good)
    C.eq(result(out), "error authentication: imap 127.0.0.1:%d: login refused: "
         "Authentication failed." % P, "wrong password: auth error")
    C.eq(rc, 1, "wrong password: exit 1, not temporary")
    C.true("wrong-password" not in " ".join(out) + err, "wrong password never shown")
    print("failed login answered after %.2f s" % (time.time() - t))

sys.exit(C.status())
