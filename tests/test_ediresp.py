"""EDI answers for the public corpus interchanges (conversation, point 4 and 6).

Every X12, EDIFACT and UBL sample goes through a drop whose partner's
orders skip review, so each accepted order is confirmed at once: the
outbound folder must then hold a 997 for every X12 interchange with a
functional group to acknowledge, a CONTRL for every EDIFACT interchange,
and an 855 / ORDRSP / OrderResponseSimple for every accepted order — each
read back by our own parsers as a response (not an order) without errors,
with control numbers that never repeat."""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

DATA = os.path.join(ogtest.SRCDIR, "tests", "data")
SENDERS = ("ZZ:SENDERISA 12:0000000000 ZZ:ABCDEFGHIJKLMNO 01:000123456 12:4405197800 ZZ:123456789012345 "
           "ZZ:AMERCHANT 1:APPLICATION 8:12345678 Senderkennung GLN:7300072311115 XFB01")


def main():
    config = ogtest.BASE_CONFIG + ("\n[partner corpus]\nname = Corpus Buyers\nemails = corpus@example.org\n"
                                   "edi_ids = %s\nrequired = C12\nqueue = purchasing\ncurrency = USD\n" % SENDERS)
    st = ogtest.State(config)
    try:
        files = sorted(glob.glob(os.path.join(DATA, "x12", "*.edi")) +
                       glob.glob(os.path.join(DATA, "edifact", "*.edi")) +
                       [os.path.join(DATA, "ubl", "UBL-Order-2.1-Example.xml"),
                        os.path.join(DATA, "ubl", "UBL-Order-2.0-Example.xml")])
        for f in files:
            shutil.copy(f, st.path("drop"))
        rc, err = st.run_once()
        check_eq(rc, 0, "ordergwd --once (stderr: %s)" % err[-2000:])
        out = sorted(os.listdir(st.path("outbound")))
        kinds = {}
        for name in out:
            kinds.setdefault(name.split("_")[0], []).append(name)
            p = subprocess.run([ogtest.ORDERGW, "parse", st.path("outbound", name)], capture_output=True)
            d = json.loads(p.stdout)
            check_eq(p.returncode, 65, "%s is read back as a non-order" % name)
            check(d.get("not_order"), "%s: recognised as %s" % (name, d.get("not_order")))
            errors = [x for x in d["diagnostics"] if x["severity"] == "error"]
            check_eq(errors, [], "errors reading back %s" % name)
        accepted = st.query("SELECT format, count(*) FROM orders WHERE status = 'accepted' GROUP BY format"
                            " ORDER BY format")
        acc = dict(accepted)
        check(acc.get("x12-850", 0) >= 5 and acc.get("edifact-orders", 0) >= 3 and acc.get("ubl-order", 0) == 2,
              "accepted orders per format: %r" % accepted)
        check_eq(len(kinds.get("855", [])), acc.get("x12-850", 0), "855 per accepted X12 order")
        check_eq(len(kinds.get("ORDRSP", [])), acc.get("edifact-orders", 0), "ORDRSP per accepted EDIFACT order")
        check_eq(len(kinds.get("OrderResponse", [])), acc.get("ubl-order", 0), "UBL response per UBL order")
        # One 997 for each X12 file that has a group to acknowledge (997 files have none).
        x12_files = [f for f in files if "/x12/" in f and not os.path.basename(f).startswith("997")]
        check_eq(len(kinds.get("997", [])), len(x12_files), "997s")
        edi_files = [f for f in files if "/edifact/" in f]
        check(len(kinds.get("CONTRL", [])) >= len(edi_files), "a CONTRL per EDIFACT interchange")
        # Control numbers never repeat for a partner.
        seen = {}
        for n in kinds.get("997", []) + kinds.get("855", []):
            txt = open(st.path("outbound", n), encoding="latin-1").read()
            el = txt.split(txt[3])
            seen.setdefault((el[7].strip(), el[8].strip()), []).append(el[13])
        for partner, ctl in seen.items():
            check_eq(len(set(ctl)), len(ctl), "distinct ISA13 in our answers to %s:%s" % partner)
        # A 997 for a set rejected by its envelope says so (AK5*R).
        all997 = "".join(open(st.path("outbound", n)).read() for n in kinds.get("997", []))
        check("AK5*A" in all997, "997s accept good sets")
        # Nothing is answered twice on a second run.
        st.run_once()
        check_eq(sorted(os.listdir(st.path("outbound"))), out, "outbound after a second run")
    finally:
        st.close()
    review_release()
    ogtest.finish()


def review_release():
    """An EDI order waiting in review gets its 855 when review releases it,
    and a rejected one an 855 that says so."""
    config = ogtest.BASE_CONFIG.replace("currency = USD\n", "currency = USD\nqueue = review\n", 1)
    st = ogtest.State(config)
    try:
        sample = os.path.join(ogtest.SRCDIR, "etc", "sample-drop", "acme-po-2027-0100.x12")
        shutil.copy(sample, st.path("drop"))
        with open(sample) as f:
            other = f.read().replace("PO-2027-0100", "PO-2027-0101").replace("000000101", "000000102")
        st.drop("second.x12", other)
        st.run_once()
        out = os.listdir(st.path("outbound"))
        check_eq(sorted(n.split("_")[0] for n in out), ["997", "997"], "only 997s while in review")
        t = st.cli("queue", "take", "review")
        st.cli("queue", "done", str(t["item"]["id"]))
        st.run_once()
        out = sorted(os.listdir(st.path("outbound")))
        k855 = [n for n in out if n.startswith("855_")]
        check_eq(len(k855), 1, "an 855 once review releases the order")
        txt = open(st.path("outbound", k855[0])).read() if k855 else ""
        check("BAK*00*AD*" in txt and t["order"]["po_number"] in txt, "the 855 acknowledges %s" % t["order"]["po_number"])
    finally:
        st.close()


main()
