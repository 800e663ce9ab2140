#!/usr/bin/python3
"""gen_edifact.py — deterministic EDIFACT ORDERS corpus for the benchmarks.

    gen_edifact.py [--seed N] [--orders N] --out FILE     one interchange
    gen_edifact.py [--seed N] [--orders N] --split DIR    one file per order

Every order has 1-50 lines, realistic header groups (NAD with CTA/COM,
CUX, PAT, TDT+LOC, TOD+LOC), release characters in some names and phone
numbers, and correct UNT/UNZ counts, so the parser takes the full path.
The same seed always gives the same bytes (stdlib only)."""
import argparse
import os
import random

CITIES = [("Hamburg", "20457", "DE"), ("Rotterdam", "3011", "NL"), ("Chicago", "60601", "US"),
          ("Lyon", "69002", "FR"), ("Shanghai", "200000", "CN"), ("Osaka", "530-0001", "JP")]
PORTS = ["CNSHA", "DEHAM", "NLRTM", "USCHI", "JPOSA", "FRLIO"]
ITEMS = ["Steel bracket 40mm", "Zinc alloy granules", "Mounting kit, 24 pcs", "Hex bolt M8x40",
         "Washer DIN 125 M10", "O'ring 12x2 NBR", "Cable tie 200mm black", "Bearing 6204-2RS"]
UNITS = ["", "", "", "KGM", "PCE", "MTR", "H87"]
TERMS = ["FOB", "CIF", "EXW", "FCA", "DAP", "CFR"]


def esc(s):
    out = []
    for c in s:
        if c in "?+:'*":
            out.append("?")
        out.append(c)
    return "".join(out)


def gln(rng):
    d = [rng.randrange(10) for _ in range(12)]
    s = sum(x * (3 if i % 2 else 1) for i, x in enumerate(d))
    return "".join(map(str, d)) + str((10 - s % 10) % 10)


def message(rng, n, ref):
    segs = []
    po = "PO-%06d" % n
    y, m, d = 2025, rng.randrange(1, 13), rng.randrange(1, 29)
    segs.append("UNH+%s+ORDERS:D:96A:UN:EAN008" % ref)
    segs.append("BGM+220+%s+9" % po)
    segs.append("DTM+137:%04d%02d%02d:102" % (y, m, d))
    segs.append("DTM+2:%04d%02d%02d:102" % (y + 1, m, d))
    segs.append("FTX+AAI+++%s" % esc("Pack on euro pallets, max %d kg" % rng.randrange(500, 1500)))
    segs.append("RFF+CT:CN-%04d" % rng.randrange(10000))
    for role in ("BY", "SU", "DP", "IV"):
        city, post, cc = rng.choice(CITIES)
        name = rng.choice(["ACME Imports Inc", "O'Neill & Sons Ltd", "Example Mfg Co",
                           "Nordhafen Logistik GmbH", "Prix+Plus SA"])
        segs.append("NAD+%s+%s::9++%s+%d Main Street+%s++%s+%s" % (
            role, gln(rng), esc(name), rng.randrange(1, 200), city, post, cc))
        if role == "BY":
            segs.append("CTA+OC+:Jane Doe")
            segs.append("COM+%s:TE" % esc("+49 40 %07d" % rng.randrange(10 ** 7)))
            segs.append("COM+orders%d@example.com:EM" % rng.randrange(100))
    segs.append("CUX+2:%s:9" % rng.choice(["USD", "EUR", "CNY"]))
    segs.append("PAT+1++5:3:D:%d" % rng.choice([30, 45, 60]))
    segs.append("TDT+20++%d" % rng.choice([1, 3, 4]))
    segs.append("LOC+9+%s:139:6" % rng.choice(PORTS))
    segs.append("LOC+11+%s:139:6" % rng.choice(PORTS))
    segs.append("TOD+6++%s" % rng.choice(TERMS))
    segs.append("LOC+1+%s:139:6:Named place" % rng.choice(PORTS))
    total = 0
    n_lines = rng.randrange(1, 51)
    for i in range(1, n_lines + 1):
        qty = rng.randrange(1, 5000)
        cents = rng.randrange(10, 100000)
        amount = qty * cents
        total += amount
        segs.append("LIN+%d++%s:EN" % (i, gln(rng)))
        segs.append("PIA+1+X-%d:SA+A-%d:IN" % (rng.randrange(10 ** 5), rng.randrange(10 ** 5)))
        segs.append("IMD+F++:::%s" % esc(rng.choice(ITEMS)))
        unit = rng.choice(UNITS)
        segs.append("QTY+21:%d%s" % (qty, ":" + unit if unit else ""))
        if rng.randrange(4) == 0:
            segs.append("DTM+2:%04d%02d%02d:102" % (y + 1, rng.randrange(1, 13), rng.randrange(1, 29)))
        segs.append("MOA+203:%d.%02d" % (amount // 100, amount % 100))
        segs.append("PRI+AAA:%d.%02d" % (cents // 100, cents % 100))
    segs.append("UNS+S")
    segs.append("MOA+79:%d.%02d" % (total // 100, total % 100))
    segs.append("CNT+2:%d" % n_lines)
    segs.append("UNT+%d+%s" % (len(segs) + 1, ref))
    return segs


def interchange(rng, first, count, ref):
    segs = ["UNB+UNOC:3+5412345000013:14+4012345000009:14+250110:0930+%s" % ref]
    for n in range(first, first + count):
        segs += message(rng, n, str(n))
    segs.append("UNZ+%d+%s" % (count, ref))
    return "UNA:+.? '\n" + "'\n".join(segs) + "'\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20250110)
    ap.add_argument("--orders", type=int, default=5000)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out")
    g.add_argument("--split")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if a.out:
        with open(a.out, "w", encoding="latin-1") as f:
            f.write(interchange(rng, 1, a.orders, "BENCH1"))
    else:
        os.makedirs(a.split, exist_ok=True)
        for n in range(1, a.orders + 1):
            with open(os.path.join(a.split, "orders_%06d.edi" % n), "w", encoding="latin-1") as f:
                f.write(interchange(rng, n, 1, "B%d" % n))


if __name__ == "__main__":
    main()
