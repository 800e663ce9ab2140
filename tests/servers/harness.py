"""Real servers on 127.0.0.1 for the channel tests (stdlib only).

    with harness.State() as st:
        ca = st.ca("test")                       # private CA (openssl)
        cert = st.server_cert(ca, "server", ["localhost", "127.0.0.1"])
        imap = st.dovecot(cert)                   # IMAP (STARTTLS) + IMAPS
        ssh = st.sshd()                           # OpenSSH, internal-sftp
        smtp = st.smtpd(cert, script={...})       # aiosmtpd, STARTTLS

Everything lives under one temporary state folder (0755, under /tmp, so
that the mail user can traverse it).  Every server is started as a child
process in its own session, its PID recorded, readiness checked by reading
its banner, and stopped by that PID (never by name) when the State closes.

Needs root (a system user 'ogtest' is created when missing, Dovecot and
sshd drop privileges to it).  skip_unless_possible() exits 77 when a
binary is missing or we are not root.

Certificates come from openssl (Debian package openssl, always present with
ca-certificates); no other package is needed beyond dovecot-imapd,
openssh-server and python3-aiosmtpd.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DOVECOT = "/usr/sbin/dovecot"
SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
OPENSSL = "/usr/bin/openssl"
PYTHON = "/usr/bin/python3"
USER = "ogtest"
PASSWORD = "s3cret-Pa55"
HERE = os.path.dirname(os.path.abspath(__file__))


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def skip_unless_possible(need=("dovecot", "sshd", "aiosmtpd")):
    if os.geteuid() != 0:
        skip("the channel tests start Dovecot and sshd as root")
    for prog in (OPENSSL,):
        if not os.access(prog, os.X_OK):
            skip(prog + " missing (Debian package openssl)")
    if "dovecot" in need and not os.access(DOVECOT, os.X_OK):
        skip("dovecot missing (Debian package dovecot-imapd)")
    if "sshd" in need and not (os.access(SSHD, os.X_OK) and os.access(SSH_KEYGEN, os.X_OK)):
        skip("sshd missing (Debian package openssh-server)")
    if "aiosmtpd" in need:
        r = subprocess.run([PYTHON, "-c", "import aiosmtpd"], capture_output=True)
        if r.returncode != 0:
            skip("aiosmtpd missing (Debian package python3-aiosmtpd)")


_handed_out = set()


def free_port(addrs=("127.0.0.1",)):
    """A TCP port free on every address in addrs (race-tolerant enough for
    tests), never one this process handed out before: the kernel may give the
    same ephemeral port to two binds in a row once the first socket is
    closed, and two listeners of one server on one port fail to start."""
    for _ in range(200):
        s = socket.socket()
        s.bind((addrs[0], 0))
        port = s.getsockname()[1]
        s.close()
        if port in _handed_out:
            continue
        ok = True
        for a in addrs[1:]:
            t = socket.socket()
            try:
                t.bind((a, port))
            except OSError:
                ok = False
            t.close()
        if ok:
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port")


def wait_banner(port, prefix, timeout=10.0, host="127.0.0.1", proc=None, log=None):
    """Connect and read until the banner starts with prefix (bytes)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            with socket.create_connection((host, port), timeout=2) as s:
                data = b""
                while len(data) < len(prefix) or b"\n" not in data:
                    chunk = s.recv(512)
                    if not chunk:
                        break
                    data += chunk
                if data.startswith(prefix):
                    return data
                last = data
        except OSError as e:
            last = e
        time.sleep(0.05)
    text = ""
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            text = f.read()[-3000:]
    raise RuntimeError("server on port %d not ready (%r); log:\n%s" % (port, last, text))


def wait_connect(port, timeout=10.0, proc=None, log=None):
    """For servers whose banner is behind TLS: a TCP connect is all we check."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server on port %d not ready; see %s" % (port, log))


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (cmd[0], r.returncode, r.stdout, r.stderr))
    return r.stdout


def ensure_user(name=USER):
    """A real account with a usable (not !-locked) shadow entry, for sshd."""
    import pwd
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        run(["useradd", "--system", "--create-home", "--home-dir", "/home/" + name,
             "--shell", "/bin/sh", name])
        pw = pwd.getpwnam(name)
    # '*': no password can match, but the account is not locked ('!').
    run(["usermod", "-p", "*", name])
    return pw


class Server:
    def __init__(self, name, proc, log, ports):
        self.name, self.proc, self.log, self.ports = name, proc, log, ports
        self.pid = proc.pid

    def stop(self, timeout=10):
        """TERM to the server's own process group (its PID: it leads the
        session we made), wait for it, then KILL what is left of that group
        (Dovecot leaves logged-in imap processes running otherwise)."""
        if self.proc.poll() is None:
            _killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _killpg(self.pid, signal.SIGKILL)
                self.proc.wait()
        _killpg(self.pid, signal.SIGKILL)


def _exit_on_signal(signum, frame):
    sys.exit(128 + signum)


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class State:
    def __init__(self, keep=None):
        self.dir = tempfile.mkdtemp(prefix="ogchan.", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.keep = keep if keep is not None else bool(os.environ.get("ORDERGW_KEEP_STATE"))
        self.servers = []
        # A test killed by make or a timeout still stops its servers.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        signal.signal(signal.SIGHUP, _exit_on_signal)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for s in reversed(self.servers):
            s.stop()
        self.servers = []
        if self.keep:
            print("state kept in " + self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        p = os.path.join(self.dir, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def mkdir(self, *parts):
        p = os.path.join(self.dir, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def spawn(self, name, cmd, log, ports, banner, banner_port=None, env=None):
        logf = open(log, "ab")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                start_new_session=True, env=env)
        logf.close()
        srv = Server(name, proc, log, ports)
        self.servers.append(srv)
        try:
            if banner is None:
                wait_connect(ports[0], proc=proc, log=log)
            else:
                wait_banner(banner_port or ports[0], banner, proc=proc, log=log)
        except Exception:
            srv.stop()
            self.servers.remove(srv)
            raise
        return srv

    def stop(self, srv):
        srv.stop()
        if srv in self.servers:
            self.servers.remove(srv)

    # ---- certificates (openssl) ----

    def ca(self, name):
        d = self.path("certs", name)
        os.makedirs(d, exist_ok=True)
        key, crt = os.path.join(d, "ca.key"), os.path.join(d, "ca.crt")
        run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", key, "-out", crt, "-days", "30",
             "-subj", "/CN=ordergw test CA " + name,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return {"key": key, "crt": crt, "dir": d}

    def server_cert(self, ca, name, names):
        d = ca["dir"]
        key, csr, crt = (os.path.join(d, name + ext) for ext in (".key", ".csr", ".crt"))
        ext = os.path.join(d, name + ".ext")
        sans = ",".join(("IP:" if n.replace(".", "").isdigit() or ":" in n else "DNS:") + n
                        for n in names)
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=serverAuth\n"
                    "subjectAltName=%s\n" % sans)
        run([OPENSSL, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", key, "-out", csr, "-subj", "/CN=" + names[0]])
        run([OPENSSL, "x509", "-req", "-in", csr, "-CA", ca["crt"], "-CAkey", ca["key"],
             "-CAcreateserial", "-out", crt, "-days", "7", "-extfile", ext])
        os.chmod(key, 0o644)   # Dovecot reads it as root; the test state is private anyway
        return {"key": key, "crt": crt, "ca": ca["crt"]}

    # ---- Dovecot ----

    def dovecot(self, cert, users=None, addresses=("127.0.0.1", "127.0.0.2"), ports=None):
        """IMAP (STARTTLS) on port 'imap' and IMAPS on port 'imaps' on every address."""
        pw = ensure_user()
        users = users or {USER: PASSWORD}
        d = self.mkdir("dovecot")
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        os.chmod(d, 0o755)
        os.chown(os.path.join(d, "mail"), pw.pw_uid, pw.pw_gid)
        passwd = os.path.join(d, "passwd")
        with open(passwd, "w") as f:
            for u, p in users.items():
                f.write("%s:{PLAIN}%s:%d:%d::%s/mail/%s::\n" % (u, p, pw.pw_uid, pw.pw_gid, d, u))
        os.chmod(passwd, 0o640)
        os.chown(passwd, 0, _gid("dovecot"))
        if ports is None:
            ports = {"imap": free_port(addresses), "imaps": free_port(addresses)}
        conf = os.path.join(d, "dovecot.conf")
        log = os.path.join(d, "dovecot.log")
        addr = " ".join(addresses)
        dh = "ssl_dh = </usr/share/dovecot/dh.pem\n" if os.path.exists(
            "/usr/share/dovecot/dh.pem") else ""
        with open(conf, "w") as f:
            f.write(f"""
base_dir = {d}/run
state_dir = {d}/state
instance_name = ogtest-{ports['imap']}
protocols = imap
listen = {addr}
log_path = {log}
info_log_path = {log}
ssl = yes
ssl_cert = <{cert['crt']}
ssl_key = <{cert['key']}
{dh}ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {pw.pw_uid}
last_valid_uid = {pw.pw_uid}
mail_location = maildir:{d}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service imap-login {{
  inet_listener imap {{
    address = {addr}
    port = {ports['imap']}
  }}
  inet_listener imaps {{
    address = {addr}
    port = {ports['imaps']}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""")
        srv = self.spawn("dovecot", [DOVECOT, "-F", "-c", conf], log,
                         [ports["imap"], ports["imaps"]], b"* OK")
        srv.conf, srv.dir, srv.imap_ports = conf, d, ports
        srv.cert, srv.users = cert, users
        return srv

    def restart_dovecot(self, srv):
        self.stop(srv)
        new = self.dovecot(srv.cert, users=srv.users, ports=srv.imap_ports)
        return new

    # ---- OpenSSH ----

    def sshd(self, host_key=None):
        pw = ensure_user()
        os.makedirs("/run/sshd", exist_ok=True)
        d = self.mkdir("ssh")
        hk = host_key or self.ssh_key("host_ed25519")
        ck = self.ssh_key("client_ed25519")
        ak = os.path.join(d, "authorized_keys")
        shutil.copy(ck + ".pub", ak)
        os.chmod(ak, 0o644)
        drop = self.mkdir("drop")
        for sub in ("inbound", "inbound/archive", "outbound"):
            os.makedirs(os.path.join(drop, sub), exist_ok=True)
            os.chown(os.path.join(drop, sub), pw.pw_uid, pw.pw_gid)
        port = free_port()
        conf, log = os.path.join(d, "sshd_config"), os.path.join(d, "sshd.log")
        with open(conf, "w") as f:
            f.write(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {hk}
PidFile {d}/sshd.pid
AuthorizedKeysFile {ak}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers {USER}
Subsystem sftp internal-sftp
LogLevel VERBOSE
""")
        srv = self.spawn("sshd", [SSHD, "-D", "-e", "-f", conf], log, [port], b"SSH-2.0")
        srv.port, srv.host_key, srv.client_key, srv.drop = port, hk, ck, drop
        srv.known_hosts = self.known_hosts("known_hosts", port, hk + ".pub")
        return srv

    def ssh_key(self, name):
        k = self.path("ssh", name)
        if not os.path.exists(k):
            run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", k])
        return k

    def known_hosts(self, name, port, pubfile):
        kh = self.path("ssh", name)
        with open(pubfile) as f:
            kind, b64 = f.read().split()[:2]
        with open(kh, "w") as f:
            f.write("[127.0.0.1]:%d %s %s\n" % (port, kind, b64))
        return kh

    # ---- SMTP (aiosmtpd in its own process) ----

    def smtpd(self, cert=None, mode="starttls", fail451=0, reject=(), auth=None):
        """mode: starttls (required), smtps, plain.  fail451: answer the first
        N DATA with 451.  reject: recipients answered 550.  auth: (user, pw)."""
        port = free_port()
        d = self.mkdir("smtp", "capture-%d" % port)
        log = self.path("smtp", "smtpd-%d.log" % port)
        cmd = [PYTHON, os.path.join(HERE, "smtpd.py"), "--port", str(port), "--capture", d,
               "--mode", mode, "--fail451", str(fail451)]
        if cert:
            cmd += ["--cert", cert["crt"], "--key", cert["key"]]
        for r in reject:
            cmd += ["--reject", r]
        if auth:
            cmd += ["--auth", "%s:%s" % auth]
        srv = self.spawn("smtpd", cmd, log, [port], b"220" if mode != "smtps" else None)
        srv.port, srv.capture = port, d
        return srv


def _gid(name):
    import grp
    return grp.getgrnam(name).gr_gid


def chanctl(*args, input=None, timeout=120):
    """Run the C driver; returns (exit status, stdout lines, stderr)."""
    exe = os.path.join(os.environ.get("ORDERGW_BUILDDIR", "."), "tests", "chanctl")
    r = subprocess.run([exe] + [str(a) for a in args], capture_output=True, text=True,
                       input=input, timeout=timeout)
    return r.returncode, r.stdout.splitlines(), r.stderr


class Checks:
    """Collect failures and report them all at the end (like tests/check.h)."""

    def __init__(self):
        self.failed = 0
        self.count = 0

    def eq(self, got, want, what):
        self.count += 1
        if got != want:
            self.failed += 1
            print("FAIL %s: got %r, want %r" % (what, got, want))
        else:
            print("ok   %s" % what)

    def true(self, cond, what, detail=""):
        self.count += 1
        if not cond:
            self.failed += 1
            print("FAIL %s %s" % (what, detail))
        else:
            print("ok   %s" % what)

    def status(self):
        print("%d checks, %d failed" % (self.count, self.failed))
        return 1 if self.failed else 0
