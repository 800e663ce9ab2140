"""Bad input gets a clear error and the daemon goes on (spine, point 12).

One state folder receives, next to a good order: an empty file and binary
junk (as mail and as EDI files), a message over the size limit, a 50 MB
attachment, 10,000 MIME parts, multipart nested 100 deep, and a mail read by
a rule set with a pattern that backtracks catastrophically.  ordergwd --once
must finish normally, accept the good order, and keep every bad document
with its bytes as an exception whose message says what went wrong."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogtest
from ogtest import check, check_eq

GOOD = ("PO No.: HOST-1\nOrder date: 2027-01-11\nDelivery date: 2027-03-20\nIncoterms: FOB Shanghai\n"
        "Currency: USD\nShip to: Acme Trading Ltd, 100 Harbor Road, Long Beach, CA 90802, US\n\n"
        "Item      Description             Qty    Unit  Unit price\n"
        "AB-100    Steel bracket 40mm      500    pcs   1.20\n")


def mime(headers, body):
    return ("From: Jane Buyer <buyer@acme.example>\r\nTo: sales@example-export.com\r\n%s\r\n\r\n%s"
            % (headers, body)).encode("utf-8")


def many_parts(n):
    b = "BOUNDARY"
    parts = "".join("--%s\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % (b, i) for i in range(n))
    return mime("Subject: many parts\r\nMessage-ID: <parts@acme.example>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"%s\"" % b, parts + "--%s--\r\n" % b)


def nested(depth):
    body = "innermost\r\n"
    for i in reversed(range(depth)):
        b = "B%d" % i
        body = ("--%s\r\nContent-Type: multipart/mixed; boundary=\"B%d\"\r\n\r\n%s\r\n--%s--\r\n"
                % (b, i + 1, body, b)) if i < depth - 1 else (
                "--%s\r\nContent-Type: text/plain\r\n\r\n%s\r\n--%s--\r\n" % (b, body, b))
    return mime("Subject: nested\r\nMessage-ID: <nested@acme.example>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"B0\"", body)


def big_attachment(mb):
    line = ("A" * 76 + "\r\n")
    n = mb * 1024 * 1024 // 77
    return mime("Subject: big\r\nMessage-ID: <big@acme.example>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"X\"",
                "--X\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--X\r\n"
                "Content-Type: application/octet-stream; name=\"big.bin\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n" + line * n + "--X--\r\n")


def main():
    rules = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ogtest-catastrophic-%d.rules" % os.getpid())
    with open(rules, "w") as f:
        f.write("[line]\nline = ^(?<item>(a+)+)$\n")
    config = ogtest.BASE_CONFIG.replace("[mailbox sales]", "[limits]\nmax_message_bytes = 41943040\n"
                                        "max_mime_parts = 1000\nmax_mime_depth = 20\n\n[mailbox sales]") + \
        "\n[rule slow]\nfrom = slow@acme.example\nparser = text:%s\npartner = acme\n" % rules
    st = ogtest.State(config)
    try:
        st.deliver(ogtest.email("Jane Buyer <buyer@acme.example>", "PO HOST-1", GOOD, "good@acme.example"))
        st.deliver(b"", name="empty.mail")
        st.deliver(bytes(range(256)) * 64, name="junk.mail")
        st.deliver(many_parts(10000), name="parts.mail")
        st.deliver(nested(100), name="nested.mail")
        st.deliver(big_attachment(50), name="big.mail")          # 50 MB: over the 40 MB limit set above
        st.deliver(big_attachment(30), name="big30.mail")        # 30 MB: read, no order in it
        st.deliver(ogtest.email("Slow <slow@acme.example>", "order", "a" * 40 + "b\n", "slow@acme.example"),
                   name="slow.mail")
        st.drop("empty.edi", b"")
        st.drop("junk.x12", os.urandom(4096))
        rc, err = st.run_once(timeout=900)
        check_eq(rc, 0, "ordergwd --once exit status (stderr: %s)" % err[-3000:])
        check_eq(st.inbox_left(), [], "messages left in the inbox")
        docs = st.query("SELECT name, state, outcome, size, truncated FROM documents ORDER BY id")
        check_eq(len(docs), 10, "documents stored")
        check(all(d[1] == "processed" for d in docs), "every document processed: %r" % docs)
        accepted = st.query("SELECT po_number FROM orders WHERE status = 'accepted'")
        check_eq(accepted, [("HOST-1",)], "the good order is accepted")
        exc = st.cli("exceptions", "list")
        by_doc = {}
        for e in exc:
            by_doc[e["document_id"]] = e
        names = {row[0]: i + 1 for i, row in enumerate(st.query("SELECT name FROM documents ORDER BY id"))}

        def summary(name):
            e = by_doc.get(names.get(name))
            return (e or {}).get("summary", "") + " " + (e and str(st.cli("exceptions", "show", str(e["id"]))
                                                                   .get("diagnostics")) or "")

        for name, words in [("empty.mail", "empty"), ("empty.edi", "empty"),
                            ("big.mail", "size limit"), ("parts.mail", "parts"),
                            ("nested.mail", "nest"), ("junk.x12", "")]:
            check(names.get(name) in by_doc, "%s is an exception" % name)
            check(words.lower() in summary(name).lower(), "%s: the message says %r: %s" % (name, words, summary(name)))
        big = [d for d in docs if d[0] == "big.mail"][0]
        check(big[4] == 1 and big[3] < 1024 * 1024, "over-size mail kept with its headers only: %r" % (big[3:],))
        slow = summary("slow.mail")
        check("limit" in slow.lower(), "the catastrophic rule is reported: %s" % slow)
        # The original bytes of a bad document are kept.
        raw = st.query("SELECT raw FROM documents WHERE name = 'junk.x12'")[0][0]
        check_eq(len(raw), 4096, "bytes kept of junk.x12")
        # A second run changes nothing.
        before = st.query("SELECT count(*) FROM exceptions")[0][0]
        rc, err = st.run_once()
        check_eq(rc, 0, "second run")
        check_eq(st.query("SELECT count(*) FROM exceptions")[0][0], before, "exceptions after a second run")
    finally:
        st.close()
        os.unlink(rules)
    ogtest.finish()


main()
