#!/usr/bin/python3
"""gen_x12.py -- deterministic X12 850 test data for bench/bench_parsers.

  gen_x12.py [--seed N] [--orders N | --bytes N] [--version 004010|005010]
             (--out FILE | --split DIR)

--out writes one interchange with all orders in one functional group;
--split writes one interchange per order into DIR (po-000001.x12 ...).
Every order has 1-50 PO1 lines with ids, descriptions and dates, the usual
header segments and right control counts, so the parser does its full work.
The same seed always gives the same bytes.
"""
import argparse
import os
import random
import sys

UNITS = ["EA", "EA", "EA", "CA", "PC", "KG", "BX", "CT", "LB", "DZ"]
WORDS = ["STEEL", "BRACKET", "ZINC", "ALLOY", "MOUNTING", "KIT", "HEX", "BOLT", "NUT", "WASHER",
         "HINGE", "PANEL", "COVER", "CABLE", "GASKET", "VALVE", "PUMP", "FILTER", "SPRING", "CLIP"]
CITIES = [("CHICAGO", "IL", "60601", "US"), ("HAMBURG", "", "20457", "DE"), ("ROTTERDAM", "", "3011", "NL"),
          ("TORONTO", "ON", "M5H 2N2", "CA"), ("SHANGHAI", "", "200000", "CN")]


def isa(ctl, version):
    v = "00501" if version == "005010" else "00401"
    rep = "^" if version == "005010" else "U"
    return ("ISA*00*          *00*          *ZZ*ACMEUS         *ZZ*EXAMPLEMFG     "
            "*250110*0930*%s*%s*%09d*0*P*>~\n" % (rep, v, ctl))


def order(rng, n, version):
    segs = []
    po = "PO-%07d" % n
    segs.append("BEG*00*SA*%s**2025%02d%02d" % (po, rng.randint(1, 12), rng.randint(1, 28)))
    segs.append("CUR*BY*USD")
    segs.append("REF*CT*CN-%05d" % rng.randint(1, 99999))
    segs.append("PER*BD*JANE DOE*TE*+1 312 555 %04d*EM*BUYER%d@EXAMPLE.COM" % (rng.randint(0, 9999), n))
    segs.append("FOB*CC*KL*SHANGHAI, CN*01*FOB")
    segs.append("ITD*01*3*2**10**30*****NET 30 DAYS")
    segs.append("DTM*002*2025%02d%02d" % (rng.randint(1, 12), rng.randint(1, 28)))
    segs.append("TD5****S***KL*CNSHA")
    segs.append("N9*L1*NOTES")
    segs.append(("MTX**" if version == "005010" else "MSG*") + "PACK ON EURO PALLETS, MAX 1000 KG")
    for role, name in (("BY", "ACME IMPORTS INC"), ("ST", "ACME DC %d" % rng.randint(1, 99))):
        city = rng.choice(CITIES)
        segs.append("N1*%s*%s*92*C%05d" % (role, name, rng.randint(1, 99999)))
        segs.append("N3*%d MAIN STREET" % rng.randint(1, 999))
        segs.append("N4*%s*%s*%s*%s" % city)
    segs.append("N1*SE*EXAMPLE MFG CO LTD*1*123456789")
    total_q = 0
    total_a = 0
    lines = rng.randint(1, 50)
    for i in range(1, lines + 1):
        q = rng.randint(1, 5000)
        cents = rng.randint(1, 100000)
        total_q += q
        total_a += q * cents
        segs.append("PO1*%d*%d*%s*%d.%02d*PE*BP*A-%05d*VP*X-%05d*EN*40123450%05d" % (
            i, q, rng.choice(UNITS), cents // 100, cents % 100, rng.randint(0, 99999),
            rng.randint(0, 99999), rng.randint(0, 99999)))
        segs.append("PID*F****%s" % " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))))
        if rng.random() < 0.3:
            segs.append("DTM*002*2025%02d%02d" % (rng.randint(1, 12), rng.randint(1, 28)))
    segs.append("CTT*%d*%d" % (lines, total_q))
    segs.append("AMT*TT*%d.%02d" % (total_a // 100, total_a % 100))
    return segs


def transaction_set(rng, n, version):
    ctl = "%04d" % (n % 10000)
    body = order(rng, n, version)
    out = ["ST*850*%s" % ctl] + body + ["SE*%d*%s" % (len(body) + 2, ctl)]
    return "".join(s + "~\n" for s in out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--orders", type=int, default=0)
    ap.add_argument("--bytes", type=int, default=0, help="stop once the interchange is this large")
    ap.add_argument("--version", default="004010", choices=["004010", "005010"])
    ap.add_argument("--out")
    ap.add_argument("--split")
    a = ap.parse_args()
    if not a.orders and not a.bytes:
        a.orders = 1000
    rng = random.Random(a.seed)
    if a.split:
        os.makedirs(a.split, exist_ok=True)
        for n in range(1, a.orders + 1):
            with open(os.path.join(a.split, "po-%06d.x12" % n), "w") as f:
                f.write(isa(n, a.version))
                f.write("GS*PO*ACMEUS*EXAMPLEMFG*20250110*0930*%d*X*%s~\n" % (n, a.version))
                f.write(transaction_set(rng, n, a.version))
                f.write("GE*1*%d~\nIEA*1*%09d~\n" % (n, n))
        return 0
    if not a.out:
        ap.error("--out or --split is required")
    with open(a.out, "w") as f:
        size = f.write(isa(1, a.version))
        size += f.write("GS*PO*ACMEUS*EXAMPLEMFG*20250110*0930*1*X*%s~\n" % a.version)
        n = 0
        while (a.orders and n < a.orders) or (a.bytes and size < a.bytes):
            n += 1
            size += f.write(transaction_set(rng, n, a.version))
        f.write("GE*%d*1~\nIEA*1*000000001~\n" % n)
    print("%s: %d orders" % (a.out, n), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
