"""Tiny misbehaving servers for the channel tests (threads in the test process).

    with fakes.Fake("imap-plain") as f:      # no STARTTLS offered
        ... f.port ...; f.received -> lines the client sent

Kinds:
  imap-plain       greeting and CAPABILITY without STARTTLS; answers LOGIN
                   with NO (the test checks that LOGIN never arrives).
  imap-injection   offers STARTTLS and answers it with "OK Begin TLS" and,
                   in the same packet, an injected untagged response
                   (CVE-2020-15953); then waits for a TLS handshake.
  smtp-injection   the same for SMTP: "220 go ahead" plus "250 injected".
  smtp-plain       EHLO without STARTTLS.
  imap-auth        plain IMAP (for tls = none) offering AUTH=PLAIN without
                   SASL-IR: AUTHENTICATE PLAIN gets a "+" continuation, and
                   the credentials FAKE_USER / FAKE_PASSWORD are accepted;
                   f.credentials holds what the client sent, decoded.
"""
import base64
import binascii
import socket
import threading

FAKE_USER = "fakeuser"
FAKE_PASSWORD = "fake-Pa55"


class Listener:
    """A listening socket on 127.0.0.1 served by a thread, one connection at
    a time, each passed to self.handle(conn) and closed afterwards."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(5)
        self.sock.close()

    def serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                self.handle(conn)
            except OSError:
                pass
            finally:
                conn.close()


class Fake(Listener):
    def __init__(self, kind):
        self.kind = kind
        self.received = []
        self.credentials = []
        super().__init__()

    def handle(self, conn):
        getattr(self, self.kind.replace("-", "_"))(conn)

    def lines(self, conn):
        buf = b""
        while True:
            while b"\n" not in buf:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buf += chunk
            line, buf = buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode("latin-1")
            self.received.append(line)
            yield line

    def imap(self, conn, caps, starttls_reply):
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1 %s] fake ready\r\n" % caps)
        for line in self.lines(conn):
            parts = line.split(" ", 2)
            tag, cmd = parts[0], parts[1].upper() if len(parts) > 1 else ""
            if cmd == "CAPABILITY":
                conn.sendall(b"* CAPABILITY IMAP4rev1 %s\r\n%s OK done\r\n"
                             % (caps, tag.encode()))
            elif cmd == "STARTTLS" and starttls_reply:
                conn.sendall(starttls_reply % tag.encode())
                conn.recv(4096)   # whatever comes next (a ClientHello?) ends it
                return
            elif cmd == "AUTHENTICATE" and self.kind == "imap-auth":
                self.authenticate(conn, tag, parts[2] if len(parts) > 2 else "")
            elif cmd == "LOGOUT":
                conn.sendall(b"* BYE\r\n%s OK bye\r\n" % tag.encode())
                return
            else:
                conn.sendall(b"%s NO not here\r\n" % tag.encode())

    def authenticate(self, conn, tag, args):
        if args.upper() != "PLAIN":
            conn.sendall(b"%s NO [CANNOT] only PLAIN, no initial response\r\n" % tag.encode())
            return
        conn.sendall(b"+ \r\n")
        line = next(self.lines(conn), "")
        try:
            raw = base64.b64decode(line, validate=True)
        except binascii.Error:
            raw = b"?"
        self.credentials.append(raw)
        if raw == b"\0" + FAKE_USER.encode() + b"\0" + FAKE_PASSWORD.encode():
            conn.sendall(b"%s OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n" % tag.encode())
        else:
            conn.sendall(b"%s NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" % tag.encode())

    def imap_auth(self, conn):
        self.imap(conn, b"AUTH=PLAIN", None)

    def imap_plain(self, conn):
        self.imap(conn, b"AUTH=PLAIN", None)

    def imap_injection(self, conn):
        self.imap(conn, b"STARTTLS AUTH=PLAIN",
                  b"%s OK Begin TLS negotiation now\r\n* OK [CAPABILITY IMAP4rev1] injected\r\n")

    def smtp(self, conn, ehlo, starttls_reply):
        conn.sendall(b"220 fake.example ESMTP\r\n")
        for line in self.lines(conn):
            cmd = line.split(" ", 1)[0].upper()
            if cmd == "EHLO":
                conn.sendall(ehlo)
            elif cmd == "STARTTLS" and starttls_reply:
                conn.sendall(starttls_reply)
                conn.recv(4096)
                return
            elif cmd == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    def smtp_injection(self, conn):
        self.smtp(conn, b"250-fake.example\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n",
                  b"220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n")

    def smtp_plain(self, conn):
        self.smtp(conn, b"250-fake.example\r\n250 AUTH PLAIN\r\n", None)


class Proxy(Listener):
    """A TCP relay to a real server that records what the client sent (for
    checking the exact commands on the wire, on plain connections only).

        with fakes.Proxy(port) as p:
            ... connect to p.port ...; p.client_lines() -> lines sent
    """

    def __init__(self, target_port):
        self.target = target_port
        self.sent = []
        super().__init__()

    def client_lines(self):
        return b"".join(self.sent).decode("latin-1").splitlines()

    def pump(self, src, dst, record):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if record is not None:
                    record.append(data)
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def handle(self, conn):
        conn.settimeout(None)
        with socket.create_connection(("127.0.0.1", self.target), timeout=10) as up:
            up.settimeout(None)
            back = threading.Thread(target=self.pump, args=(up, conn, None), daemon=True)
            back.start()
            self.pump(conn, up, self.sent)
            back.join(10)
