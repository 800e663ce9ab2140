"""SMTP channel against aiosmtpd (STARTTLS, smtps, plain) and two fakes.

Sent once with the exact bytes; 451 twice then 250 with the same bytes;
550 for one recipient (permanent, nothing delivered); certificate checks;
STARTTLS required; STARTTLS response injection; wrong AUTH password.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("ORDERGW_SRCDIR", "."), "tests", "servers"))
import harness  # noqa: E402
import fakes  # noqa: E402

harness.skip_unless_possible(need=("aiosmtpd",))
C = harness.Checks()


def captured(srv):
    out = []
    for eml in sorted(glob.glob(os.path.join(srv.capture, "*.eml"))):
        with open(eml, "rb") as f, open(eml[:-4] + ".env") as g:
            out.append((f.read(), g.read().split()))
    return out


def result(out):
    return out[-1] if out else "(no output)"


with harness.State() as st:
    ca = st.ca("good")
    cert = st.server_cert(ca, "server", ["localhost", "127.0.0.1"])
    pwf = st.path("password")
    with open(pwf, "w") as f:
        f.write("out-pw\n")
    msgf = st.path("message.eml")
    raw = (b"From: Orders <orders@example.com>\r\nTo: buyer@acme.example\r\n"
           b"Message-ID: <resp-1@example.com>\r\nSubject: Order response\r\n\r\n"
           b"Line one\r\n.a line starting with a dot\r\n..two dots\nbare LF line\r\nlast")
    want = (b"From: Orders <orders@example.com>\r\nTo: buyer@acme.example\r\n"
            b"Message-ID: <resp-1@example.com>\r\nSubject: Order response\r\n\r\n"
            b"Line one\r\n.a line starting with a dot\r\n..two dots\r\nbare LF line\r\nlast\r\n")
    with open(msgf, "wb") as f:
        f.write(raw)
    env = ["--from", "orders@example.com", "--message", msgf]
    auth = ["--user", "ogout", "--password-file", pwf]

    # 1. STARTTLS + AUTH: sent once, exact bytes (dots and bare LF handled).
    sm = st.smtpd(cert, fail451=2, reject=["nobody@acme.example"], auth=("ogout", "out-pw"))
    url = ["--url", "smtp://127.0.0.1:%d" % sm.port]
    # 451 twice, then 250: the same bytes each time.
    results = []
    for _ in range(3):
        rc, out, err = harness.chanctl("smtp-send", *url, "--ca-file", cert["ca"], *auth, *env,
                                       "--to", "buyer@acme.example")
        results.append((rc, result(out)))
    tmp = ("result temporary: smtp 127.0.0.1:%d: end of DATA: 451 4.3.0 Temporary local "
           "problem, try again later" % sm.port)
    C.eq(results, [(75, tmp), (75, tmp), (0, "result sent")], "451 twice, then sent")
    got = captured(sm)
    C.eq(len(got), 1, "captured exactly once")
    C.eq(got[0][0] if got else None, want, "exact bytes (dot-stuffing undone by the server)")
    C.eq(got[0][1] if got else None, ["orders@example.com", "buyer@acme.example"], "envelope")

    # 550 for one of two recipients: permanent, with the server's text, nothing sent.
    rc, out, err = harness.chanctl("smtp-send", *url, "--ca-file", cert["ca"], *auth, *env,
                                   "--to", "buyer@acme.example", "--to", "nobody@acme.example")
    C.eq((rc, result(out)), (1, "result permanent: smtp 127.0.0.1:%d: RCPT TO:<nobody@acme."
                                "example>: 550 5.1.1 <nobody@acme.example>: Recipient address "
                                "rejected: no such user" % sm.port), "550: permanent with text")
    C.eq(len(captured(sm)), 1, "550: nothing more delivered")

    # Certificates.
    rc, out, err = harness.chanctl("smtp-send", *url, *auth, *env, "--to", "buyer@acme.example")
    C.eq(result(out), "error trust: certificate of 127.0.0.1 signed by an unknown authority "
         "(issuer CN=ordergw test CA good); set ca_file to trust a private CA",
         "unknown CA refused")
    C.true("connection to smtp 127.0.0.1:%d refused" % sm.port in err, "refusal logged", err)
    rc, out, err = harness.chanctl("smtp-send", "--url", "smtp://localhost:%d" % sm.port,
                                   "--ca-file", cert["ca"], *auth, *env, "--to", "b@acme.example")
    C.eq((rc, result(out)), (0, "result sent"), "host name 'localhost' accepted")
    C.eq(len(captured(sm)), 2, "two messages captured now")

    # Wrong AUTH password.
    with open(pwf, "w") as f:
        f.write("not-the-password\n")
    rc, out, err = harness.chanctl("smtp-send", *url, "--ca-file", cert["ca"], *auth, *env,
                                   "--to", "buyer@acme.example")
    C.eq(result(out), "error authentication: smtp 127.0.0.1:%d: authentication refused: "
         "535 5.7.8 Authentication credentials invalid" % sm.port, "wrong AUTH password")
    C.true("not-the-password" not in " ".join(out) + err, "password never shown")
    with open(pwf, "w") as f:
        f.write("out-pw\n")

    # 2. smtps (TLS from the first byte), no AUTH.
    s2 = st.smtpd(cert, mode="smtps")
    rc, out, err = harness.chanctl("smtp-send", "--url", "smtps://127.0.0.1:%d" % s2.port,
                                   "--ca-file", cert["ca"], *env, "--to", "buyer@acme.example")
    C.eq((rc, result(out)), (0, "result sent"), "smtps: sent")
    C.eq([g[0] for g in captured(s2)], [want], "smtps: captured once")
    # A certificate for another name.
    s4 = st.smtpd(st.server_cert(ca, "mailorg", ["mail.example.org"]), mode="smtps")
    rc, out, err = harness.chanctl("smtp-send", "--url", "smtps://127.0.0.1:%d" % s4.port,
                                   "--ca-file", cert["ca"], *env, "--to", "buyer@acme.example")
    C.eq((rc, result(out)), (1, "error trust: certificate is for mail.example.org, not "
                                "127.0.0.1"), "smtps: host name mismatch refused")
    C.eq(captured(s4), [], "smtps: nothing sent to the wrong host")

    # 3. A server without STARTTLS: refused unless tls = none.
    s3 = st.smtpd(None, mode="plain")
    u3 = ["--url", "smtp://127.0.0.1:%d" % s3.port]
    rc, out, err = harness.chanctl("smtp-send", *u3, "--ca-file", cert["ca"], *env,
                                   "--to", "buyer@acme.example")
    C.eq(result(out), "error configuration: smtp 127.0.0.1:%d: server does not offer STARTTLS; "
         "refusing to send without TLS (use smtps:// or, on a trusted network only, tls = none)"
         % s3.port, "plain-only refused")
    C.eq(captured(s3), [], "plain-only: nothing delivered")
    rc, out, err = harness.chanctl("smtp-send", *u3, "--tls-none", *env,
                                   "--to", "buyer@acme.example")
    C.eq((rc, result(out)), (0, "result sent"), "tls=none: sent when configured")

    # 4. STARTTLS response injection.
    with fakes.Fake("smtp-injection") as f:
        rc, out, err = harness.chanctl("smtp-send", "--url", "smtp://127.0.0.1:%d" % f.port,
                                       "--ca-file", cert["ca"], *auth, *env,
                                       "--to", "buyer@acme.example")
        C.true(result(out).startswith("error trust:") and "injection" in result(out),
               "injection refused", str(out))
        C.true(not any(l.upper().startswith(("AUTH", "MAIL")) for l in f.received),
               "injection: no AUTH or MAIL sent", str(f.received))

    # 5. Nothing listening: temporary.
    port = harness.free_port()
    rc, out, err = harness.chanctl("smtp-send", "--url", "smtp://127.0.0.1:%d" % port, *env,
                                   "--to", "buyer@acme.example")
    C.eq((rc, result(out)), (75, "result temporary: cannot connect to 127.0.0.1 port %d: "
                                 "Connection refused" % port), "connection refused: temporary")

sys.exit(C.status())
