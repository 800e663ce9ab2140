"""Capturing SMTP server for the channel tests (python3-aiosmtpd).

Each accepted message is written to CAPTURE/NNNN.eml (the exact bytes
received) with CAPTURE/NNNN.env ("from" then one "to" per line).  The
replies are scriptable: --fail451 N answers the first N DATA with 451
(keeping what was refused in CAPTURE/refused-NNNN.451, so a test can
compare Message-IDs across attempts),
--reject ADDR answers RCPT TO:<ADDR> with 550.  --mode starttls requires
STARTTLS before MAIL; smtps wraps the whole session in TLS; plain offers no
TLS.  Run by harness.State.smtpd(); stopped by its PID (SIGTERM).
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.fail451 = args.fail451
        self.count = 0
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.args.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail451 > 0:
            self.fail451 -= 1
            self.refused += 1
            with open(os.path.join(self.args.capture, "refused-%04d.451" % self.refused), "wb") as f:
                f.write(envelope.original_content)
            return "451 4.3.0 Temporary local problem, try again later"
        self.count += 1
        base = os.path.join(self.args.capture, "%04d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as %04d" % self.count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--mode", choices=("starttls", "smtps", "plain"), default="starttls")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--fail451", type=int, default=0)
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--auth")
    args = ap.parse_args()

    ctx = None
    if args.mode != "plain":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
    kw = {"hostname": "127.0.0.1", "port": args.port, "decode_data": False,
          "data_size_limit": 64 * 1024 * 1024}
    if args.mode == "starttls":
        kw.update(tls_context=ctx, require_starttls=True)
    elif args.mode == "smtps":
        kw.update(ssl_context=ctx)
    if args.auth:
        user, pw = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == pw.encode())
            return AuthResult(success=ok, handled=False)
        kw.update(authenticator=authenticator, auth_require_tls=(args.mode != "plain"),
                  auth_required=True)
    ctl = Controller(Handler(args), **kw)
    ctl.start()
    stop = {"flag": False}

    def on_term(signum, frame):
        stop["flag"] = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        while not stop["flag"]:
            signal.pause()
    finally:
        ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
