#!/usr/bin/python3
"""`ordergw parse --format email FILE` goes through extract.c's e-mail path.

Works whether or not the text/csv parsers are built in yet: where a parser
is missing the diagnostic must say so; where it exists the orders must
carry the mail's facts in their source block."""
import json
import os
import subprocess
import sys
import tempfile

src = os.environ.get("ORDERGW_SRCDIR", ".")
build = os.environ.get("ORDERGW_BUILDDIR", ".")
ordergw = os.path.join(build, "ordergw")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def parse(path):
    p = subprocess.run([ordergw, "parse", "--format", "email", path],
                       capture_output=True, timeout=60)
    return p.returncode, json.loads(p.stdout.decode("utf-8")), p.stderr.decode("utf-8", "replace")


# A spreadsheet attachment and an empty HTML body: a warning naming the
# part, an error that nothing could be read, exit 65 (EX_DATAERR).
eml = os.path.join(src, "tests/data/eml/windows-1251_rfc2047_xlsx-attachment.eml")
rc, out, err = parse(eml)
check(rc == 65, "xlsx mail: exit %d" % rc)
check(out["orders"] == [], "xlsx mail: no orders")
diags = out["diagnostics"]
check({"severity": "warning", "where": eml + ": part 2 (Price4VladDaKar.xlsx)",
       "message": "spreadsheet attachment Price4VladDaKar.xlsx: save it as CSV"} in diags,
      "xlsx mail: spreadsheet warning in %r" % diags)
check(any(d["message"] == "the e-mail has neither an order attachment nor a text body"
          for d in diags), "xlsx mail: nothing-to-read error")

# A CSV attachment: the csv parser's orders carry the mail's facts, or the
# diagnostic says that there is no csv parser.
mail = (b"From: Buyer <Buyer@Example.COM>\r\nMessage-ID: <po-1@example.com>\r\n"
        b"Subject: =?UTF-8?Q?Bestellung_M=C3=A4rz?=\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nPO 4711\r\n--b\r\n"
        b"Content-Type: text/csv; name=orders.csv\r\n\r\nsku,qty\r\nA-1,10\r\n--b--\r\n")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "po.eml")
    with open(path, "wb") as f:
        f.write(mail)
    rc, out, err = parse(path)
    msgs = [d["message"] for d in out["diagnostics"]]
    if out["orders"]:
        check(rc == 0, "csv mail: exit %d" % rc)
        for o in out["orders"]:
            check(o["source"]["message_id"] == "po-1@example.com", "csv mail: message_id")
            check(o["source"]["sender"] == "buyer@example.com", "csv mail: sender")
            check(o["source"]["document"] == "orders.csv", "csv mail: document")
    else:
        check(rc == 65, "csv mail without parser: exit %d" % rc)
        check("CSV attachment orders.csv: no csv parser is available in this build" in msgs,
              "csv mail: missing-parser diagnostic in %r" % msgs)

    # An empty file is refused before MIME is read.
    empty = os.path.join(tmp, "empty.eml")
    open(empty, "wb").close()
    rc, out, err = parse(empty)
    check(rc == 65, "empty: exit %d" % rc)
    check("the document is empty" in err, "empty: stderr %r" % err)

sys.exit(1 if failures else 0)
