"""ogtest — what the end-to-end tests share: a private state folder with its
own configuration, Maildir inbox and EDI drop, and the two programs.

Every test builds its world in a fresh temporary folder, runs the real
ordergwd and ordergw binaries from the build tree, and reads results through
`ordergw --json` (the interface outside scripts use) or the store itself."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

SRCDIR = os.environ.get("ORDERGW_SRCDIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
BUILDDIR = os.environ.get("ORDERGW_BUILDDIR", SRCDIR)
ORDERGWD = os.path.join(BUILDDIR, "ordergwd")
ORDERGW = os.path.join(BUILDDIR, "ordergw")
SHARED = os.path.join(SRCDIR, "..", "shared")
# Validation compares dates with "today": pin it, so that tests written with
# 2027 dates mean the same thing in any year.
os.environ.setdefault("ORDERGW_TODAY", "2027-01-12")

BASE_CONFIG = """
[store]
path = ordergw.db

[company]
name = Example Export Co., Ltd.
edi_ids = ZZ:EXAMPLEXP

[mailbox sales]
url = maildir:inbox

[drop edi]
url = dir:drop
outbound = dir:outbound

[outbox]
url = maildir:outbox
from = Example Export Sales <sales@example-export.com>

[partner acme]
name = Acme Trading Ltd
emails = buyer@acme.example, *@orders.acme.example
edi_ids = ZZ:ACMEUS
required = C1 C2 C3 C5 C6 C7 C8 C9 C12
currency = USD

[partner huaxin]
name = Huaxin Trading
emails = caigou@huaxin.example
locale = zh-Hans
required = C1 C5 C6 C7 C9 C12
currency = CNY
"""


class Failure(Exception):
    pass


_failures = []


def check(cond, what):
    """Record a failed expectation and go on (the test exits 1 at the end)."""
    if not cond:
        _failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def check_eq(got, want, what):
    return check(got == want, "%s: got %r, want %r" % (what, got, want))


def finish():
    if _failures:
        print("%d expectation(s) failed" % len(_failures), file=sys.stderr)
        sys.exit(1)
    print("ok")
    sys.exit(0)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


class State:
    """A state folder: ordergw.conf, inbox/ (Maildir), drop/, outbox/."""

    def __init__(self, config=BASE_CONFIG, keep=False):
        self.dir = tempfile.mkdtemp(prefix="ogtest-")
        self.keep = keep or os.environ.get("OGTEST_KEEP") == "1"
        self.conf = os.path.join(self.dir, "ordergw.conf")
        with open(self.conf, "w") as f:
            f.write(config)
        for sub in ("inbox/new", "inbox/cur", "inbox/tmp", "drop"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self._n = 0

    def close(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("state kept in", self.dir, file=sys.stderr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def deliver(self, data, name=None):
        """Deliver one message into inbox/new the Maildir way (tmp, then rename)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._n += 1
        name = name or "%d.M%dP%d.ogtest" % (int(time.time()), self._n, os.getpid())
        tmp = self.path("inbox", "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, self.path("inbox", "new", name))
        return name

    def drop(self, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(self.path("drop", name), "wb") as f:
            f.write(data)

    def run_once(self, *extra, timeout=600, env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        p = subprocess.run([ORDERGWD, "-c", self.conf, "-f", "--once"] + list(extra),
                           capture_output=True, timeout=timeout, env=e)
        return p.returncode, p.stderr.decode("utf-8", "replace")

    def cli(self, *args, want=0, parse=True, env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        p = subprocess.run([ORDERGW, "-c", self.conf, "--json"] + list(args), capture_output=True,
                           timeout=300, env=e)
        if want is not None and p.returncode != want:
            raise Failure("ordergw %s exited %d, want %d: %s" % (" ".join(args), p.returncode, want,
                                                                  p.stderr.decode("utf-8", "replace")))
        if not parse:
            return p
        return json.loads(p.stdout.decode("utf-8"))

    def db(self):
        return sqlite3.connect(self.path("ordergw.db"))

    def query(self, sql, *params):
        c = self.db()
        try:
            return c.execute(sql, params).fetchall()
        finally:
            c.close()

    def outbox_files(self):
        d = self.path("outbox", "new")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def inbox_left(self):
        return sorted(os.listdir(self.path("inbox", "new")) + os.listdir(self.path("inbox", "cur")))


def parse_file(path, *args, want=None):
    p = subprocess.run([ORDERGW, "parse"] + list(args) + [path], capture_output=True, timeout=300)
    if want is not None and p.returncode != want:
        raise Failure("ordergw parse %s exited %d, want %d: %s" % (path, p.returncode, want,
                                                                    p.stderr.decode("utf-8", "replace")))
    return p.returncode, json.loads(p.stdout.decode("utf-8")) if p.stdout else None, \
        p.stderr.decode("utf-8", "replace")


def email(sender, subject, body, msgid, extra_headers="", charset="UTF-8", date="Mon, 11 Jan 2027 09:15:00 +0000"):
    return ("From: %s\r\nTo: sales@example-export.com\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n%sContent-Type: text/plain; charset=%s\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n%s") % (sender, subject, date, msgid, extra_headers,
                                                              charset, body.replace("\n", "\r\n"))
