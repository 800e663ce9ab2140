"""SFTP channel against a real OpenSSH sshd (internal-sftp), through tests/chanctl.

List, download (with a size limit), rename into archive/, upload under a
temporary name then rename; stable selection while a file is still being
written, and with .done markers; unknown and changed host keys refused;
a key the server does not know refused.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("ORDERGW_SRCDIR", "."), "tests", "servers"))
import harness  # noqa: E402

harness.skip_unless_possible(need=("sshd",))
C = harness.Checks()


def result(out):
    return out[-1] if out else "(no output)"


def files(out):
    """("file"|"dir", name) from "file NAME SIZE MTIME" lines (names may have spaces)."""
    return [(l.split(" ", 1)[0], l.split(" ", 1)[1].rsplit(" ", 2)[0])
            for l in out if l.startswith(("file ", "dir "))]


with harness.State() as st:
    sh = st.sshd()
    import pwd
    pw = pwd.getpwnam(harness.USER)
    inbound = os.path.join(sh.drop, "inbound")
    url = "sftp://127.0.0.1:%d%s/" % (sh.port, inbound)
    ssh = ["--user", harness.USER, "--key", sh.client_key, "--known-hosts", sh.known_hosts]

    def put_local(name, data):
        p = os.path.join(inbound, name)
        with open(p, "wb") as f:
            f.write(data)
        os.chown(p, pw.pw_uid, pw.pw_gid)
        return p

    edi = b"ISA*00*          *00*          *ZZ*ACME           *ZZ*US             *~"
    put_local("order 1.edi", edi)
    put_local("order2.edi", b"UNA:+.? 'UNB+UNOC:3+ACME+US'")

    # List.
    rc, out, err = harness.chanctl("sftp-list", "--url", url, *ssh)
    C.eq((rc, result(out)), (0, "result ok"), "list: ok")
    C.eq(files(out), [("dir", "archive"), ("file", "order 1.edi"), ("file", "order2.edi")],
         "list: names sorted, with a space")
    line = [l for l in out if l.startswith("file order 1.edi ")]
    C.true(bool(line) and line[0].split()[3] == str(len(edi)), "list: size", str(line))
    mtime = int(line[0].split()[4]) if line else 0
    real = int(os.stat(os.path.join(inbound, "order 1.edi")).st_mtime)
    C.true(0 <= real - mtime < 60, "list: mtime to the minute", "%d vs %d" % (mtime, real))

    # Download, and the size limit.
    got = st.path("got.edi")
    rc, out, err = harness.chanctl("sftp-get", "--url", url, "--path", inbound + "/order 1.edi",
                                   "--file", got, *ssh)
    C.eq((rc, out[0] if out else None), (0, "got %d" % len(edi)), "get: ok")
    with open(got, "rb") as f:
        C.eq(f.read(), edi, "get: exact bytes")
    rc, out, err = harness.chanctl("sftp-get", "--url", url, "--path", inbound + "/order 1.edi",
                                   "--file", got, "--max-size", 10, *ssh)
    C.true(result(out).startswith("error limit:"), "get: over the size limit refused", str(out))
    rc, out, err = harness.chanctl("sftp-get", "--url", url, "--path", inbound + "/nope.edi",
                                   "--file", got, *ssh)
    C.true(result(out).startswith("error permanent:") and "no such file" in result(out),
           "get: missing file is permanent", str(out))

    # Rename into archive/.
    rc, out, err = harness.chanctl("sftp-rename", "--url", url, "--path", inbound + "/order 1.edi",
                                   "--dest", inbound + "/archive/order 1.edi", *ssh)
    C.eq((rc, result(out)), (0, "result ok"), "rename: ok")
    C.true(os.path.exists(os.path.join(inbound, "archive", "order 1.edi")) and
           not os.path.exists(os.path.join(inbound, "order 1.edi")), "rename: moved")

    # Upload under a temporary name, then rename into place.
    src = st.path("response.edi")
    with open(src, "wb") as f:
        f.write(b"ISA*response~" * 1000)
    outbound = os.path.join(sh.drop, "outbound")
    ourl = "sftp://127.0.0.1:%d%s/" % (sh.port, outbound)
    rc, out, err = harness.chanctl("sftp-put", "--url", ourl, "--name", "855.edi", "--file", src,
                                   *ssh)
    C.eq((rc, result(out)), (0, "result ok"), "put: ok")
    C.eq(sorted(os.listdir(outbound)), ["855.edi"], "put: only the final name remains")
    with open(os.path.join(outbound, "855.edi"), "rb") as f, open(src, "rb") as g:
        C.eq(f.read(), g.read(), "put: exact bytes")
    rc, out, err = harness.chanctl("sftp-put", "--url", ourl, "--name", "855.edi", "--file", src,
                                   *ssh)
    C.true(rc == 1 and result(out).startswith("error permanent:"),
           "put: an existing name is not replaced", str(out))
    C.eq(sorted(os.listdir(outbound)), ["855.edi"], "put: temporary file cleaned up")

    # Stable selection: a file still being written is not taken until it
    # stops changing; a file with a .done marker is taken at once.  The
    # "upload" appends to growing.edi after the first and the second listing
    # (while chanctl sleeps between listings), then stops.
    put_local("static.edi", edi)
    put_local("marked.edi", edi)
    put_local("marked.edi.done", b"")
    growing = put_local("growing.edi", b"ISA")
    p = subprocess.Popen([os.path.join(os.environ["ORDERGW_BUILDDIR"], "tests", "chanctl"),
                          "sftp-stable", "--url", url, "--stable-seconds", "2", "--interval", "2",
                          "--listings", "4", "--markers", ".done,.ok"] + ssh,
                         stdout=subprocess.PIPE, text=True)
    passes = []
    for line in p.stdout:
        if line.startswith("pass "):
            passes.append(line.strip())
            if line.startswith(("pass 1 ", "pass 2 ")):
                with open(growing, "ab") as f:
                    f.write(b"*segment~" * 100)
    p.wait(60)
    C.eq(passes, [
        "pass 1 eligible 1: marked.edi+marked.edi.done",
        "pass 2 eligible 3: marked.edi+marked.edi.done order2.edi static.edi",
        "pass 3 eligible 3: marked.edi+marked.edi.done order2.edi static.edi",
        "pass 4 eligible 4: growing.edi marked.edi+marked.edi.done order2.edi static.edi",
    ], "stable: growing file taken only after it stopped changing")

    # Host keys: unknown, changed; a key the server does not accept.
    empty = st.path("known_hosts_empty")
    open(empty, "w").close()
    fp = subprocess.run([harness.SSH_KEYGEN, "-l", "-E", "sha256", "-f", sh.host_key + ".pub"],
                        capture_output=True, text=True).stdout.split()[1]
    rc, out, err = harness.chanctl("sftp-list", "--url", url, "--user", harness.USER,
                                   "--key", sh.client_key, "--known-hosts", empty)
    C.eq((rc, result(out)), (1, "error trust: sftp: host key of 127.0.0.1 port %d is not in %s "
                                "(offered key %s): unknown host refused; add its key after "
                                "checking the fingerprint with the partner"
                                % (sh.port, empty, fp)), "unknown host key refused")
    other = st.ssh_key("other_host_ed25519")
    changed = st.known_hosts("known_hosts_changed", sh.port, other + ".pub")
    rc, out, err = harness.chanctl("sftp-list", "--url", url, "--user", harness.USER,
                                   "--key", sh.client_key, "--known-hosts", changed)
    C.true(rc == 1 and result(out).startswith("error trust: sftp: host key of 127.0.0.1 port %d "
                                              "does not match the one in %s" % (sh.port, changed)),
           "changed host key refused", str(out))
    stranger = st.ssh_key("stranger_ed25519")
    rc, out, err = harness.chanctl("sftp-list", "--url", url, "--user", harness.USER,
                                   "--key", stranger, "--known-hosts", sh.known_hosts)
    C.true(rc == 1 and result(out).startswith("error authentication:"),
           "unknown client key refused", str(out))
    rc, out, err = harness.chanctl("sftp-list", "--url", url, "--user", harness.USER,
                                   "--key", sh.client_key, "--known-hosts", st.path("missing"))
    C.true(rc == 1 and result(out).startswith("error configuration: sftp 127.0.0.1: cannot read "
                                              "known_hosts"), "known_hosts required", str(out))
    port = harness.free_port()
    rc, out, err = harness.chanctl("sftp-list", "--url", "sftp://127.0.0.1:%d/x/" % port, *ssh)
    C.true(rc == 75 and result(out).startswith("error temporary:"),
           "nothing listening: temporary", str(out))

sys.exit(C.status())
