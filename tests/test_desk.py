"""The sales desk and the stage queues (issue 5), end to end through the
real `ordergw` and `ordergwd` binaries.

Orders are put into a fresh store with SQL (documents, orders, exceptions,
queue items, as the pipeline writes them), so that this test does not
depend on which parsers are built; everything after that goes through the
command line.  The clock is faked with ORDERGW_NOW, so ages, leases and
percentiles are exact.  Covered: exceptions list/show/save/set/claim/
release/accept/reject/reprocess and the audit trail in `orders show`;
claims that expire after [queues] claim_timeout and their takeover;
routing rules; queue take/done/fail, lease expiry, dead letters, customer
messages at stage changes; 8 concurrent consumers over 200 items; the
webhook (fails twice, then accepted; signature checked); stats."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

T0 = "2027-01-11T09:00:00.000Z"
SECRET = b"s3cret-for-the-erp\n"


def at(minutes):
    """T0 plus some minutes, in store time format."""
    h, m = divmod(9 * 60 + minutes, 60)
    d, h = divmod(h, 24)
    return "2027-01-%02dT%02d:%02d:00.000Z" % (11 + d, h, m)


class Hook(http.server.BaseHTTPRequestHandler):
    calls = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Hook.calls.append((dict(self.headers), body))
        status = 503 if len(Hook.calls) <= 2 else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def config(port):
    return ogtest.BASE_CONFIG.replace("currency = USD\n", """currency = USD
queue = review
credit_limit = 10000
incoterms = FOB
payment_terms = Net 30
""", 1) + """
[queues]
lease_seconds = 600
max_failures = 3

[route fast]
partner = *
max_total = credit_limit
incoterms = usual
payment_terms = usual
stage = purchasing

[stage purchasing]
webhook_url = http://127.0.0.1:%d/hook
webhook_secret_file = secret
""" % port


def order(po, qty="100", price="1.20", incoterms="FOB", delivery="2027-03-20"):
    addr = {"lines": ["100 Harbor Road"], "city": "Long Beach", "postal_code": "90802",
            "region": "CA", "country": "US"}
    party = {"name": "Acme Trading Ltd", "ids": [], "address": addr,
             "contact": {"name": "Jane Buyer", "email": "buyer@acme.example", "phone": None}}
    return {
        "format": "email-text", "format_version": None, "document_type": "new",
        "is_duplicate_flag": False, "po_number": po, "order_date": "2027-01-10",
        "partner_id": "acme", "currency": "USD",
        "incoterms": {"code": incoterms, "version": "2020", "named_place": "Shanghai"},
        "payment_terms": {"text": "Net 30", "net_days": 30},
        "parties": {"buyer": party, "seller": None, "ship_to": party, "bill_to": None},
        "requested_delivery_date": delivery, "delivery_window": None, "ship_by_date": None,
        "transport_mode": None, "port_of_loading": None, "port_of_discharge": None, "notes": [],
        "lines": [{"line_no": "1", "buyer_item_id": None, "seller_item_id": "AB-1", "gtin": None,
                   "manufacturer_part_no": None, "description": "Steel bracket", "quantity": qty,
                   "uom": {"code": "H87", "original": "pcs"}, "unit_price": price,
                   "line_amount": None, "delivery_date": None, "hs_code": None}],
        "totals": {"line_count": 1, "total_quantity": None, "total_amount": None, "declared_amount": None},
        "source": {"channel": "maildir", "endpoint": "sales", "message_id": po + "@acme.example",
                   "sender": "buyer@acme.example", "received_at": T0, "document": None,
                   "control_refs": {"interchange": None, "group": None, "message": None}},
    }


ATTACHED = b"line,item,qty\r\n1,AB-1,100\r\n"


def with_attachment(po):
    return ("From: Jane Buyer <buyer@acme.example>\r\nTo: sales@example-export.com\r\nSubject: PO %s\r\n"
            "Message-ID: <%s@acme.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\nPO No.: %s, lines attached.\r\n--b1\r\n"
            "Content-Type: text/csv; name=\"lines.csv\"\r\nContent-Disposition: attachment; filename=\"lines.csv\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n") % (
        po, po, po, base64.b64encode(ATTACHED).decode())


def seed_exception(db, po, created, reason="incomplete", rec=None, status="exception", attach=False):
    """A document, its order and its exception, as the pipeline stores them."""
    raw = (with_attachment(po) if attach else ogtest.email(
        "Jane Buyer <buyer@acme.example>", "PO " + po, "PO No.: %s\nPlease ship.\n" % po,
        po + "@acme.example")).encode()
    c = db.cursor()
    c.execute("INSERT INTO documents (source_key, channel, endpoint, name, received_at, content_hash, size,"
              " full_size, raw, state, processed_at, outcome, message_id, sender, subject)"
              " VALUES (?, 'maildir', 'sales', NULL, ?, 'h', ?, ?, ?, 'processed', ?, 'seeded', ?,"
              " 'buyer@acme.example', ?)",
              ("seed:" + po, created, len(raw), len(raw), raw, created, po + "@acme.example", "PO " + po))
    doc = c.lastrowid
    rec = rec or order(po)
    c.execute("INSERT INTO orders (document_id, partner_id, po_number, format, document_type, status,"
              " content_hash, record, problems, created_at, updated_at) VALUES (?, 'acme', ?, 'email-text',"
              " 'new', ?, 'x', ?, '[]', ?, ?)", (doc, po, status, json.dumps(rec), created, created))
    oid = c.lastrowid
    c.execute("INSERT INTO exceptions (document_id, order_id, partner_id, reason, summary, sender, created_at)"
              " VALUES (?, ?, 'acme', ?, ?, 'buyer@acme.example', ?)",
              (doc, oid, reason, "Incomplete order PO " + po, created))
    db.commit()
    return c.lastrowid, oid, doc, raw


def audit(st, entity, eid):
    return [(a, b, c) for a, b, c in st.query(
        "SELECT actor, action, detail FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id", entity, eid)]


def claim_timeouts():
    """[queues] claim_timeout: a claim that old keeps no one out any more."""
    st = ogtest.State(ogtest.BASE_CONFIG + "\n[queues]\nclaim_timeout = 30m\n")

    def cli(*args, user="alice", want=0, when=T0):
        return st.cli("--user", user, *args, want=want, env={"ORDERGW_NOW": when})

    def rc_of(*args, user="alice", when=T0):
        return st.cli("--user", user, *args, want=None, parse=False, env={"ORDERGW_NOW": when}).returncode

    def claims(when):
        return [(r["id"], r["claimed_by"], r["claimed_at"]) for r in cli("exceptions", "list", when=when)]

    try:
        keys = subprocess.run([ogtest.ORDERGW, "check-config", "--keys"], capture_output=True).stdout.decode()
        check("claim_timeout" in keys and "[default: 4h]" in keys, "check-config --keys documents claim_timeout")
        bad = ogtest.State(ogtest.BASE_CONFIG + "\n[queues]\nclaim_timeout = soon\n")
        p = subprocess.run([ogtest.ORDERGW, "-c", bad.conf, "check-config"], capture_output=True)
        bad.close()
        check_eq(p.returncode, 78, "a bad claim_timeout is a configuration error")
        check("claim_timeout: expected a duration" in p.stderr.decode(), p.stderr.decode())

        cli("stats")   # creates the store
        db = st.db()
        e1, o1, _, _ = seed_exception(db, "PO-CL1", at(-60))
        e2, _, _, _ = seed_exception(db, "PO-CL2", at(-60))
        db.close()

        cli("exceptions", "claim", str(e1))
        check_eq(claims(at(29)), [(e1, "alice", T0), (e2, None, None)], "list: who holds a live claim, since when")
        text = subprocess.run([ogtest.ORDERGW, "-c", st.conf, "exceptions", "list"], capture_output=True,
                              env=dict(os.environ, ORDERGW_NOW=at(29))).stdout.decode()
        check("alice      2027-01-11 09:00" in text, "list as a table: claimed by, since: " + text)
        check_eq(rc_of("exceptions", "set", str(e1), "lines[0].quantity=200", user="bob", when=at(29)), 77,
                 "a claim 29 minutes old keeps bob out")
        check_eq(rc_of("exceptions", "claim", str(e1), user="bob", when=at(29)), 77, "bob cannot claim it yet")
        check_eq(claims(at(30)), [(e1, None, None), (e2, None, None)], "list: at 30 minutes the claim has expired")
        check_eq(cli("exceptions", "show", str(e1), when=at(30))["claimed_by"], None, "show: expired is not claimed")
        out = cli("exceptions", "set", str(e1), "lines[0].quantity=200", user="bob", when=at(31))
        check("order %d is now" % o1 in out["message"], "bob's set goes through: " + out["message"])
        check_eq(audit(st, "exception", e1)[-3:-1],
                 [("alice", "claimed", "alice"),
                  ("bob", "claim expired", "the expired claim of alice (since %s, claim_timeout) taken over by bob"
                   % T0)], "the takeover is audited with whose claim it was")
        check_eq(st.query("SELECT claimed_by FROM exceptions WHERE id = ?", e1)[0][0], None, "alice's claim is gone")

        # Claiming again renews a claim; the next claim after it expires names the old holder.
        cli("exceptions", "claim", str(e2), when=at(0))
        cli("exceptions", "claim", str(e2), when=at(20))
        check_eq(rc_of("exceptions", "claim", str(e2), user="bob", when=at(40)), 77, "renewed at 20 min: still alice's")
        check_eq(claims(at(40))[1], (e2, "alice", at(20)), "list: the renewed claim's time")
        out = cli("exceptions", "claim", str(e2), user="bob", when=at(50))
        check("claimed by bob (the claim of alice had expired)" in out["message"], "bob takes it: " + out["message"])
        check_eq(claims(at(50))[1], (e2, "bob", at(50)), "list: bob's claim")
        check_eq(audit(st, "exception", e2)[-2:],
                 [("bob", "claim expired", "the expired claim of alice (since %s, claim_timeout) taken over by bob"
                   % at(20)), ("bob", "claimed", "bob")], "claim over an expired claim: audited")

        # release of an expired claim needs no --force
        cli("exceptions", "claim", str(e1), when=at(60))
        check_eq(rc_of("exceptions", "release", str(e1), user="bob", when=at(89)), 77, "a live claim needs --force")
        cli("exceptions", "release", str(e1), user="bob", when=at(90))
        check_eq(audit(st, "exception", e1)[-1],
                 ("bob", "claim expired", "the expired claim of alice (since %s, claim_timeout) released by bob"
                  % at(60)), "release of an expired claim: audited")

        # claim_timeout = 0: claims never expire
        with open(st.conf) as f:
            conf = f.read()
        with open(st.conf, "w") as f:
            f.write(conf.replace("claim_timeout = 30m", "claim_timeout = 0"))
        cli("exceptions", "claim", str(e1), when=at(100))
        check_eq(rc_of("exceptions", "reject", str(e1), "--reason", "x", user="bob", when="2028-01-11T09:00:00.000Z"),
                 77, "claim_timeout = 0: a year later the claim still holds")
    except ogtest.Failure as e:
        check(False, str(e))
    finally:
        st.close()


def main():
    claim_timeouts()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    st = ogtest.State(config(srv.server_address[1]))
    env = {"ORDERGW_NOW": T0}

    def cli(*args, user="alice", want=0, when=T0):
        return st.cli("--user", user, *args, want=want, env={"ORDERGW_NOW": when})

    def cli_fail(*args, user="alice", want=None, when=T0):
        p = st.cli("--user", user, *args, want=want, parse=False, env={"ORDERGW_NOW": when})
        return p.returncode, p.stderr.decode()

    try:
        with open(st.path("secret"), "wb") as f:
            f.write(SECRET)
        check_eq(subprocess.run([ogtest.ORDERGW, "-c", st.conf, "check-config"], capture_output=True).returncode,
                 0, "check-config with [route] and [stage]")
        bad = ogtest.State(ogtest.BASE_CONFIG + "\n[route r1]\nmax_total = lots\nstage = nowhere\n\n"
                           "[stage purchasing]\nwebhook_url = ftp://x/\n")
        p = subprocess.run([ogtest.ORDERGW, "-c", bad.conf, "check-config"], capture_output=True)
        err = p.stderr.decode()
        bad.close()
        check_eq(p.returncode, 78, "a bad [route] / [stage] is a configuration error")
        for want in ('stage "nowhere" is not one of the stages', "max_total: expected a decimal",
                     "webhook_url: \"ftp://x/\" must start with one of: http https"):
            check(want in err, "check-config says %r: %s" % (want, err))
        cli("stats")   # creates the store
        db = st.db()
        e_old, o_old, d_old, raw_old = seed_exception(db, "PO-OLD", at(-300),
                                                      rec=order("PO-OLD", delivery=None), attach=True)
        e_big, o_big, _, _ = seed_exception(db, "PO-BIG", at(-30), rec=order("PO-BIG", qty="20000"))
        e_rej, o_rej, _, _ = seed_exception(db, "PO-REJ", at(-20))
        e_cif, o_cif, _, _ = seed_exception(db, "PO-CIF", at(-10), rec=order("PO-CIF", incoterms="CIF"))
        db.close()

        # ---- list: oldest first, waiting time, filters ----
        rows = cli("exceptions", "list")
        check_eq([r["id"] for r in rows], [e_old, e_big, e_rej, e_cif], "exceptions oldest first")
        check_eq(rows[0]["waiting_seconds"], 300 * 60, "waiting time of the oldest")
        check_eq([r["id"] for r in cli("exceptions", "list", "--older-than", "2h")], [e_old], "--older-than 2h")
        check_eq([r["id"] for r in cli("exceptions", "list", "--older-than", "25m")], [e_old, e_big],
                 "--older-than 25m")
        check_eq(cli("exceptions", "list", "--partner", "huaxin"), [], "--partner filter")
        check_eq(len(cli("exceptions", "list", "--reason", "incomplete")), 4, "--reason filter")
        check_eq(cli_fail("exceptions", "list", "--older-than", "soon")[0], 64, "bad duration is a usage error")

        # ---- show and --save ----
        save = st.path("saved")
        shown = cli("exceptions", "show", str(e_old), "--save", save)
        check_eq(shown["original"]["text"], raw_old.decode(), "show: the original message")
        saved = shown["original"]["saved"][0]
        with open(saved, "rb") as f:
            check_eq(f.read(), raw_old, "--save wrote the original bytes")
        check_eq(os.path.basename(saved), "document-%d.eml" % d_old, "saved file name")
        check_eq([os.path.basename(p) for p in shown["original"]["saved"][1:]], ["lines.csv"], "attachment saved")
        with open(os.path.join(save, "lines.csv"), "rb") as f:
            check_eq(f.read(), ATTACHED, "the attachment decoded")

        # ---- claim / release: two people never work the same exception ----
        check("claimed by alice" in cli("exceptions", "claim", str(e_old))["message"], "alice claims")
        rc, err = cli_fail("exceptions", "set", str(e_old), "requested_delivery_date=2027-03-01", user="bob")
        check_eq(rc, 77, "bob cannot edit alice's exception")
        check("claimed by alice" in err, "the refusal names who holds it: " + err)
        check_eq(cli_fail("exceptions", "accept", str(e_old), user="bob")[0], 77, "bob cannot accept it")
        check_eq(cli_fail("exceptions", "reject", str(e_old), "--reason", "x", user="bob")[0], 77,
                 "bob cannot reject it")
        check_eq(cli_fail("exceptions", "claim", str(e_old), user="bob")[0], 77, "bob cannot claim it")
        check_eq(cli_fail("exceptions", "release", str(e_old), user="bob")[0], 77, "bob cannot release it")

        # ---- set: edit by JSON path, validated again at once ----
        before = st.query("SELECT problems FROM exceptions WHERE id = ?", e_old)[0][0]
        out = cli("exceptions", "set", str(e_old), "requested_delivery_date=2027-03-01",
                  "lines[0].quantity=500", "incoterms.named_place=Ningbo")
        check("is now complete" in out["message"], "set: validated again: " + out["message"])
        rec, probs = st.query("SELECT record, problems FROM orders WHERE id = ?", o_old)[0]
        rec = json.loads(rec)
        check_eq(rec["requested_delivery_date"], "2027-03-01", "set: delivery date stored")
        check_eq(rec["lines"][0]["quantity"], "500", "set: line quantity stored")
        check_eq(rec["incoterms"]["named_place"], "Ningbo", "set: nested field stored")
        check_eq(rec["totals"]["total_amount"], "600", "set: totals recomputed from the edited lines")
        check(all(p.get("severity") != "blocking" for p in json.loads(probs)), "no blocking problem left")
        check_eq(st.query("SELECT problems FROM exceptions WHERE id = ?", e_old)[0][0], probs,
                 "the exception's problems were updated (were %s)" % before)
        check_eq(cli_fail("exceptions", "set", str(e_old), "lines[7].quantity=1")[0], 65, "set: line out of range")
        check_eq(cli_fail("exceptions", "set", str(e_old), "no_such_field=1")[0], 65, "set: unknown field")
        check_eq(cli_fail("exceptions", "set", "999", "po_number=1")[0], 66, "set: no such exception")

        # ---- accept: routing rules pick the stage ----
        out = cli("exceptions", "accept", str(e_old))
        check("queued for purchasing" in out["message"], "accept routes fast: " + out["message"])
        row = st.query("SELECT status, stage, route_rule, accepted_at FROM orders WHERE id = ?", o_old)[0]
        check_eq(row, ("accepted", "purchasing", "route fast", T0), "accepted order: status, stage, rule")
        check_eq(st.query("SELECT state, claimed_by FROM exceptions WHERE id = ?", e_old)[0], ("accepted", None),
                 "exception closed")
        kinds = st.query("SELECT kind, channel, recipient, subject FROM outbox WHERE order_id = ? ORDER BY id", o_old)
        check_eq([k[:2] for k in kinds], [("webhook", "webhook"), ("confirmation", "mail")],
                 "accept queued the stage's webhook and the confirmation")
        check_eq(cli_fail("exceptions", "accept", str(e_old))[0], 65, "accept twice is refused")

        out = cli("exceptions", "accept", str(e_big), user="bob")
        check("queued for review" in out["message"] and "partner queue" in out["message"],
              "over the credit limit: review by the partner queue: " + out["message"])
        check_eq(st.query("SELECT kind FROM outbox WHERE order_id = ?", o_big), [("receipt",)],
                 "an order waiting for review gets a receipt")
        cli("exceptions", "accept", str(e_cif), user="bob")
        check_eq(st.query("SELECT stage, route_rule FROM orders WHERE id = ?", o_cif)[0], ("review", "partner queue"),
                 "unusual Incoterms: review")

        # ---- reject ----
        out = cli("exceptions", "reject", str(e_rej), "--reason", "Prices are from the 2025 list.", user="bob")
        check("rejection queued" in out["message"], "reject: " + out["message"])
        check_eq(st.query("SELECT status FROM orders WHERE id = ?", o_rej)[0][0], "rejected", "rejected order")
        data = st.query("SELECT data FROM outbox WHERE order_id = ? AND kind = 'rejection'", o_rej)[0][0]
        check(b"Prices are from the 2025 list." in data, "the reason is in the rejection message")

        # ---- the audit trail in orders show ----
        hist = cli("orders", "show", str(o_old))["history"]
        acts = [(h["actor"], h["action"]) for h in hist]
        for want in [("alice", "claimed"), ("alice", "set"), ("alice", "edited"), ("alice", "accepted"),
                     ("alice", "queued")]:
            check(want in acts, "orders show history has %r: %r" % (want, acts))
        check(all(h["at"] == T0 for h in hist if h["actor"] == "alice"), "every action has its time")
        check_eq(audit(st, "exception", e_old)[:1], [("alice", "claimed", "alice")], "claim audited")

        # ---- stage queues: take, done, facts, customer messages ----
        t = cli("queue", "take", "review", user="carol")
        item_big = t["item"]["id"]
        check_eq((t["item"]["order_id"], t["order"]["po_number"]), (o_big, "PO-BIG"), "take: oldest item with its order")
        check_eq(t["item"]["lease_until"], at(10), "lease of 600 s")
        rc, err = cli_fail("queue", "done", str(item_big), user="dave")
        check_eq(rc, 65, "done by someone else while leased is refused")
        check("leased by carol" in err, err)
        out = cli("queue", "done", str(item_big), user="carol")
        check("now in purchasing" in out["message"], "done moves to the next stage: " + out["message"])
        check_eq([k for (k,) in st.query("SELECT kind FROM outbox WHERE order_id = ? ORDER BY id", o_big)],
                 ["receipt", "confirmation", "webhook"], "review released: confirmation; purchasing: webhook")

        # lease expiry: decided by the take itself
        t1 = cli("queue", "take", "review", user="carol", when=at(1))
        check_eq(t1["item"]["order_id"], o_cif, "carol takes the CIF order")
        check_eq(cli("queue", "take", "review", user="dave", when=at(5))["item"], None,
                 "nothing ready while the lease runs")
        t2 = cli("queue", "take", "review", user="dave", when=at(12))
        check_eq(t2["item"] and t2["item"]["id"], t1["item"]["id"], "an expired lease returns the item")
        check_eq(cli_fail("queue", "done", str(t1["item"]["id"]), user="carol", when=at(13))[0], 65,
                 "carol's lease is gone")
        out = cli("queue", "done", str(t1["item"]["id"]), "--to", "logistics", user="dave", when=at(13))
        check("now in logistics" in out["message"], "--to STAGE: " + out["message"])

        # logistics with a tracking number: shipping notice; then feedback request
        t = cli("queue", "take", "logistics", user="erin", when=at(20))
        cli("queue", "done", str(t["item"]["id"]), "--set", "tracking=1Z999AA10123456784", "--set", "carrier=UPS",
            user="erin", when=at(30))
        facts = json.loads(st.query("SELECT facts FROM queue_items WHERE id = ?", t["item"]["id"])[0][0])
        check_eq(facts, {"tracking": "1Z999AA10123456784", "carrier": "UPS"}, "facts stored with the item")
        ship = st.query("SELECT data FROM outbox WHERE order_id = ? AND kind = 'shipping'", o_cif)
        check(len(ship) == 1 and b"1Z999AA10123456784" in ship[0][0], "shipping notice with the tracking number")
        t = cli("queue", "take", "settlement", user="fred", when=at(40))
        cli("queue", "done", str(t["item"]["id"]), user="fred", when=at(50))
        check_eq(len(st.query("SELECT 1 FROM outbox WHERE order_id = ? AND kind = 'feedback'", o_cif)), 1,
                 "entering feedback queues the feedback request")
        t = cli("queue", "take", "feedback", user="alice", when=at(60))
        out = cli("queue", "done", str(t["item"]["id"]), when=at(61))
        check("passed its last stage" in out["message"], out["message"])
        check_eq(st.query("SELECT status FROM orders WHERE id = ?", o_cif)[0][0], "completed", "last stage completes")

        # ---- fail and dead letters (max_failures = 3) ----
        for n in range(3):
            t = cli("queue", "take", "purchasing", user="gina", when=at(70 + n))
            check_eq(t["item"]["order_id"], o_old, "the failed item comes back (%d)" % n)
            out = cli("queue", "fail", str(t["item"]["id"]), "--reason", "ERP down", user="gina", when=at(70 + n))
        check("dead-letter" in out["message"], "third failure: dead letter: " + out["message"])
        dead = cli("queue", "list", "purchasing", "--dead", when=at(80))
        check_eq([(d["order_id"], d["failures"], d["last_error"]) for d in dead], [(o_old, 3, "ERP down")],
                 "queue list --dead")
        check_eq([d["order_id"] for d in cli("queue", "list", "purchasing", when=at(80))], [o_big],
                 "the dead item left the ready list")
        check_eq(cli_fail("queue", "fail", "1")[0], 64, "fail needs --reason")
        check_eq(cli_fail("queue", "take", "nowhere")[0], 64, "unknown stage")

        # ---- reprocess: the stored document is parsed again ----
        db = st.db()
        e_rp, o_rp, d_rp, _ = seed_exception(db, "PO-RP", at(-5))
        e_rp2, _, d_rp2, _ = seed_exception(db, "PO-RP2", at(-4))
        db.close()
        out = cli("exceptions", "reprocess", str(e_rp))
        check("processed again" in out["message"], "reprocess: " + out["message"])
        check_eq(st.query("SELECT state FROM exceptions WHERE id = ?", e_rp)[0][0], "reprocessed", "old exception closed")
        check_eq(st.query("SELECT status FROM orders WHERE id = ?", o_rp)[0][0], "ignored", "old order set aside")
        check_eq(st.query("SELECT count(*) FROM exceptions WHERE document_id = ? AND id != ?", d_rp, e_rp)[0][0], 1,
                 "processing again raised a new exception for the document (no parser here, or an order)")
        out = cli("exceptions", "reprocess", "--partner", "acme")
        check(" exception(s) of acme reprocessed, 0 skipped" in out["message"], "--partner: " + out["message"])
        check_eq(st.query("SELECT state FROM exceptions WHERE id = ?", e_rp2)[0][0], "reprocessed", "--partner did it")
        check(("alice", "reprocess", "requested by sales") in audit(st, "document", d_rp2), "reprocess audited")

        # ---- the webhook: fails twice, then accepted; in order; signed ----
        for i in range(3):
            rc, err = st.run_once(env=env)
        check_eq(len(Hook.calls), 4, "webhook POSTs: 503, 503, 200, then the second order's 200")
        bodies = [b for _, b in Hook.calls]
        check_eq(bodies[0], bodies[2], "the retried POST is the same body")
        first = json.loads(bodies[2])
        check_eq((first["event"], first["stage"], first["order_id"], first["order"]["po_number"]),
                 ("stage_entered", "purchasing", o_old, "PO-OLD"), "webhook body")
        check_eq(json.loads(bodies[3])["order_id"], o_big, "the second hand-off comes after the first")
        for h, b in Hook.calls:
            want = "sha256=" + hmac.new(SECRET.rstrip(b"\n"), b, hashlib.sha256).hexdigest()
            check_eq(h.get("X-Ordergw-Signature"), want, "X-Ordergw-Signature is HMAC-SHA256 of the body")
        hooks = st.query("SELECT state, attempts FROM outbox WHERE channel = 'webhook' ORDER BY id")
        check_eq(hooks, [("sent", 3), ("sent", 1)], "webhook outbox rows")

        # ---- stats ----
        s = cli("stats", "--since", "2027-01-01", when=at(100))
        q = {r["stage"]: r for r in s["queues"]}
        check_eq((q["purchasing"]["items"], q["purchasing"]["dead"], q["purchasing"]["oldest_age_seconds"]),
                 (1, 1, 100 * 60), "stats: purchasing items, dead letters, age of the oldest")
        stg = {r["stage"]: r for r in s["stages"]}
        check_eq((stg["logistics"]["passed"], stg["logistics"]["median_seconds"]), (1, 17 * 60.0),
                 "stats: time through logistics")
        check_eq(stg["review"]["passed"], 2, "stats: two orders passed review")
        check_eq(s["receipt_to_acceptance"]["accepted"], 3, "stats: accepted orders")
        check_eq(s["receipt_to_acceptance"]["median_seconds"], 30 * 60.0, "stats: median receipt to acceptance")
        check_eq(s["receipt_to_acceptance"]["p90_seconds"], 300 * 60.0, "stats: p90 receipt to acceptance")
        check("exceptions_by_partner" in s and "exceptions_by_reason" in s, "stats: exceptions by partner and reason")
        text = subprocess.run([ogtest.ORDERGW, "-c", st.conf, "stats"], capture_output=True, env=dict(os.environ, **env))
        check(b"purchasing" in text.stdout and text.returncode == 0, "stats as a table")

        # ---- concurrent takes: 8 consumers, 200 items, each taken once ----
        db = st.db()
        c = db.cursor()
        for i in range(200):
            c.execute("INSERT INTO orders (document_id, partner_id, po_number, status, stage, content_hash, record,"
                      " created_at, updated_at) VALUES (?, 'acme', ?, 'accepted', 'production', 'x', ?, ?, ?)",
                      (d_rp, "C-%03d" % i, json.dumps(order("C-%03d" % i)), T0, T0))
            c.execute("INSERT INTO queue_items (order_id, stage, created_at, updated_at) VALUES (?, 'production', ?, ?)",
                      (c.lastrowid, T0, T0))
        db.commit()
        db.close()
        want_items = set(i for (i,) in st.query("SELECT id FROM queue_items WHERE stage = 'production'"))

        def consumer(n):
            got = []
            while True:
                p = subprocess.run([ogtest.ORDERGW, "-c", st.conf, "--json", "--user", "w%d" % n, "queue", "take",
                                    "production"], capture_output=True, env=dict(os.environ, **env), timeout=120)
                if p.returncode != 0:
                    return got, p.stderr.decode()
                item = json.loads(p.stdout)["item"]
                if item is None:
                    return got, None
                got.append(item["id"])

        with ThreadPoolExecutor(8) as ex:
            results = list(ex.map(consumer, range(8)))
        taken = [i for got, _ in results for i in got]
        check_eq([e for _, e in results if e], [], "no consumer failed")
        check_eq(len(taken), 200, "200 takes in all")
        check_eq(set(taken), want_items, "every item taken exactly once")
        check(sum(1 for got, _ in results if got) >= 2, "the work was shared between consumers")
        owners = st.query("SELECT count(DISTINCT lease_owner), count(*) FROM queue_items WHERE stage = 'production'"
                          " AND state = 'leased'")[0]
        check_eq(owners[1], 200, "all leased")
        print("concurrent takes: %s" % sorted(len(g) for g, _ in results))
    finally:
        srv.shutdown()
        st.close()
    ogtest.finish()


main()
