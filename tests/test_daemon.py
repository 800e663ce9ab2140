"""The daemon proper: supervisor and workers, reload, stop.

ordergwd -f takes in mail delivered while it runs; SIGHUP with a broken
configuration keeps it running on the old one (and says why), SIGHUP with
a sound one restarts the workers with it; a worker killed is restarted;
SIGTERM stops everything with status 0."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

BODY = ("PO No.: D-%d\nOrder date: 2027-01-11\nDelivery date: 2027-03-20\nIncoterms: FOB Shanghai\nCurrency: USD\n"
        "Ship to:\nAcme Trading Ltd\n100 Harbor Road\nLong Beach, CA 90802\nUS\n\n"
        "Item      Description             Qty    Unit  Unit price\nAB-100    Steel bracket           5    pcs   1.20\n")


def wait_for(st, po, timeout=20):
    t = time.time()
    while time.time() - t < timeout:
        try:
            if st.query("SELECT count(*) FROM orders WHERE po_number = ?", po)[0][0]:
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def main():
    config = ogtest.BASE_CONFIG.replace("url = maildir:inbox", "url = maildir:inbox\npoll = 1")
    st = ogtest.State(config)
    log = open(st.path("daemon.log"), "wb")
    d = subprocess.Popen([ogtest.ORDERGWD, "-c", st.conf, "-f"], stdout=log, stderr=log, start_new_session=True)
    try:
        st.deliver(ogtest.email("Jane <buyer@acme.example>", "PO", BODY % 1, "d1@acme.example"))
        check(wait_for(st, "D-1"), "an order taken in by the running daemon")
        workers = children(d.pid)
        check_eq(len(workers), 4, "workers (mailbox, drop, pipeline, sender)")
        # A broken configuration on reload: it keeps running on the old one.
        good = open(st.conf).read()
        with open(st.conf, "a") as f:
            f.write("\n[nonsense]\n")
        d.send_signal(signal.SIGHUP)
        time.sleep(2)
        check(d.poll() is None, "still running after a reload with a broken configuration")
        st.deliver(ogtest.email("Jane <buyer@acme.example>", "PO", BODY % 2, "d2@acme.example"))
        check(wait_for(st, "D-2"), "still taking orders in")
        # A sound one: workers restart with it.
        with open(st.conf, "w") as f:
            f.write(good)
        d.send_signal(signal.SIGHUP)
        time.sleep(2)
        check(d.poll() is None, "running after a good reload")
        check(set(children(d.pid)).isdisjoint(workers), "workers restarted on reload")
        # A worker that dies is restarted.
        victim = children(d.pid)[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(3)
        check_eq(len(children(d.pid)), 4, "workers after one was killed")
        st.deliver(ogtest.email("Jane <buyer@acme.example>", "PO", BODY % 3, "d3@acme.example"))
        check(wait_for(st, "D-3"), "orders taken in after a worker restart")
        d.send_signal(signal.SIGTERM)
        check_eq(d.wait(timeout=30), 0, "exit status after SIGTERM")
        text = open(st.path("daemon.log"), "rb").read().decode("utf-8", "replace")
        check("keeping the running configuration" in text, "the broken reload is reported")
        check("unknown section [nonsense]" in text, "and says what is wrong")
    finally:
        if d.poll() is None:
            os.killpg(d.pid, signal.SIGKILL)
        log.close()
        st.close()
    ogtest.finish()


main()
