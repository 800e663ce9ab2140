"""IMAP intake bench: N small messages in a real Dovecot (Maildir, loopback),
fetched in batches by the C client (tests/chanctl imap-poll: UID FETCH
BODY.PEEK[] by UID set) and moved to the done folder by UID set.

    ORDERGW_SRCDIR=. ORDERGW_BUILDDIR=/tmp/b-channels /usr/bin/python3 bench/bench_imap.py \
        [--messages 10000] [--batches 100,500,2000] [--size 600]

Messages are seeded by writing Maildir files directly (APPEND of 10,000
messages takes over a minute and is not what is measured); Dovecot indexes
them on the first SELECT, which is timed separately.  Not a test: make
check does not run it.  Needs root (see tests/servers/harness.py).
"""
import argparse
import imaplib
import os
import re
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("ORDERGW_SRCDIR", "."), "tests", "servers"))
import harness  # noqa: E402


def seed(maildir, n, size, tag, uid, gid):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        os.chown(os.path.join(maildir, sub), uid, gid)
    os.chown(maildir, uid, gid)
    filler = ("x" * 70 + "\r\n") * max(0, (size - 200) // 72)
    now = int(time.time())
    for i in range(n):
        name = os.path.join(maildir, "new", "%d.B%s_%d.bench" % (now, tag, i))
        with open(name, "w", newline="") as f:
            f.write("From: buyer@acme.example\r\nTo: orders@example.com\r\n"
                    "Message-ID: <%s-%d@bench.example>\r\nSubject: PO %d\r\n\r\n%s"
                    % (tag, i, i, filler))
        os.chown(name, uid, gid)


def imap_login(port, ca):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.starttls(ssl_context=ssl.create_default_context(cafile=ca))
    m.login(harness.USER, harness.PASSWORD)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--batches", default="100,500,2000")
    ap.add_argument("--size", type=int, default=600)
    args = ap.parse_args()
    harness.skip_unless_possible(need=("dovecot",))
    import pwd
    pw = pwd.getpwnam(harness.USER) if _has_user() else harness.ensure_user()
    exe = os.path.join(os.environ.get("ORDERGW_BUILDDIR", "."), "tests", "chanctl")
    runs = [(int(b), False) for b in args.batches.split(",")] + [(500, True)]
    with harness.State() as st:
        ca = st.ca("bench")
        cert = st.server_cert(ca, "server", ["localhost", "127.0.0.1"])
        dv = st.dovecot(cert)
        port = dv.imap_ports["imap"]
        pwf = st.path("password")
        with open(pwf, "w") as f:
            f.write(harness.PASSWORD + "\n")
        maildir = os.path.join(dv.dir, "mail", harness.USER)
        print("messages %d of ~%d bytes, Dovecot %s Maildir on 127.0.0.1, STARTTLS"
              % (args.messages, args.size,
                 subprocess.run(["dovecot", "--version"], capture_output=True,
                                text=True).stdout.split()[0]))
        for n, (batch, avoid_move) in enumerate(runs):
            seed(maildir, args.messages, args.size, "r%d" % n, pw.pw_uid, pw.pw_gid)
            t = time.time()
            m = imap_login(port, cert["ca"])
            exists = int(m.select("INBOX", readonly=True)[1][0])
            m.logout()
            index_s = time.time() - t
            t = time.time()
            r = subprocess.run([exe, "imap-poll", "--url", "imap://127.0.0.1:%d/INBOX" % port,
                                "--user", harness.USER, "--password-file", pwf,
                                "--ca-file", cert["ca"], "--batch", str(batch), "--quiet",
                                "--timeout", "120", "--done", "Done%d" % n]
                               + (["--avoid-move"] if avoid_move else []),
                               capture_output=True, text=True)
            wall = time.time() - t
            out = r.stdout
            stored = re.search(r"stored (\d+) duplicates (\d+)", out)
            times = re.search(r"fetch_ms (\d+) move_ms (\d+)", out)
            m = imap_login(port, cert["ca"])
            left = int(m.select("INBOX", readonly=True)[1][0])
            done = int(m.select("Done%d" % n, readonly=True)[1][0])
            m.logout()
            if r.returncode != 0 or not stored or not times:
                print("run failed:", out, r.stderr)
                return 1
            print("batch %5d %-15s: exists %d (first SELECT/index %.2f s); stored %s dup %s; "
                  "fetch %.2f s, move %.2f s, whole poll %.2f s; INBOX left %d, done folder %d"
                  % (batch, "COPY+EXPUNGE" if avoid_move else "UID MOVE", exists, index_s,
                     stored.group(1), stored.group(2), int(times.group(1)) / 1000,
                     int(times.group(2)) / 1000, wall, left, done))
    return 0


def _has_user():
    import pwd
    try:
        pwd.getpwnam(harness.USER)
        return True
    except KeyError:
        return False


if __name__ == "__main__":
    sys.exit(main())
