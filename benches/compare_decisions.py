#!/usr/bin/env python3
"""compare.py BASELINE_DECISIONS PAYRUN_DECISIONS [--label NAME] [--examples N]

Joins two decisions.csv files (SPEC §4.6 columns) row by row on (file, sheet, row) and prints:
  - row coverage (rows only on one side),
  - agreement of the `decision` column and the full decision cross-table,
  - every class of difference with its count and the first example rows,
    a class being (baseline decision -> payrun decision, reason codes only in the baseline,
    reason codes only in payrun), a class for reason strings that differ only in code order, and
    classes for amount, county_code and case_id text differences,
  - the total of every reason code on both sides,
  - per county: approved amount, approved / rejected / held counts on both sides.
Standard library only; the amounts are compared as decimal strings.
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
import unicodedata
from decimal import Decimal

KEY = ("file", "sheet", "row")


def load(path: str) -> dict[tuple, dict]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = {}
        for r in csv.DictReader(f):
            k = tuple(r[c] for c in KEY)
            if k in rows:
                sys.exit(f"{path}: duplicate key {k}")
            rows[k] = r
        return rows


def codes(s: str) -> frozenset:
    return frozenset(x for x in s.split(";") if x)


def nfkc_upper(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip().upper()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline")
    ap.add_argument("payrun")
    ap.add_argument("--label", default="")
    ap.add_argument("--examples", type=int, default=1)
    a = ap.parse_args()
    base, pay = load(a.baseline), load(a.payrun)
    print(f"== {a.label}  baseline={a.baseline}  payrun={a.payrun}")
    only_b = sorted(set(base) - set(pay))
    only_p = sorted(set(pay) - set(base))
    common = [k for k in base if k in pay]
    print(f"rows: baseline {len(base)}, payrun {len(pay)}, joined {len(common)}, "
          f"only baseline {len(only_b)}, only payrun {len(only_p)}")
    for k in only_b[: a.examples]:
        print("  only in baseline:", base[k])
    for k in only_p[: a.examples]:
        print("  only in payrun:", pay[k])

    same = sum(base[k]["decision"] == pay[k]["decision"] for k in common)
    print(f"decision agreement: {same}/{len(common)} = {100 * same / max(len(common), 1):.4f} %")
    xt = collections.Counter((base[k]["decision"], pay[k]["decision"]) for k in common)
    print("cross-table (baseline -> payrun):")
    for (b, p), n in sorted(xt.items()):
        print(f"  {b:>9} -> {p:<9} {n}")
    full_same = sum(base[k] == pay[k] for k in common)
    print(f"lines identical in every column: {full_same}/{len(common)}")

    classes: dict[tuple, list] = collections.defaultdict(list)
    for k in common:
        b, p = base[k], pay[k]
        rb, rp = codes(b["reasons"]), codes(p["reasons"])
        if b["decision"] != p["decision"] or rb != rp:
            cls = ("decision/reasons", f"{b['decision']}->{p['decision']}",
                   "base-only:" + ",".join(sorted(rb - rp)), "payrun-only:" + ",".join(sorted(rp - rb)))
            classes[cls].append(k)
        elif b["reasons"] != p["reasons"]:
            classes[("reasons order only", "", "", "")].append(k)
        for col in ("standard_amount", "approved_amount"):
            if Decimal(b[col] or "0") != Decimal(p[col] or "0"):
                classes[(col, f"{b['decision']}->{p['decision']}", "", "")].append(k)
        if b["county_code"] != p["county_code"]:
            classes[("county_code", b["county_code"] or "∅", p["county_code"] or "∅", "")].append(k)
        if b["case_id"] != p["case_id"]:
            kind = ("same after NFKC" if nfkc_upper(b["case_id"]) == nfkc_upper(p["case_id"])
                    else "different")
            classes[("case_id text", kind, "", "")].append(k)

    print(f"difference classes: {len(classes)}")
    for cls, ks in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        print(f"-- {' | '.join(x for x in cls if x)}: {len(ks)} rows")
        for k in ks[: a.examples]:
            b, p = base[k], pay[k]
            print(f"   {k[0]} {k[1]} row {k[2]}")
            print(f"     baseline: {b['county_code']} {b['case_id']} {b['decision']} [{b['reasons']}] "
                  f"std={b['standard_amount']} appr={b['approved_amount']}")
            print(f"     payrun:   {p['county_code']} {p['case_id']} {p['decision']} [{p['reasons']}] "
                  f"std={p['standard_amount']} appr={p['approved_amount']}")

    # reason code totals
    cb = collections.Counter(c for r in base.values() for c in codes(r["reasons"]))
    cp = collections.Counter(c for r in pay.values() for c in codes(r["reasons"]))
    print("reason code totals (baseline | payrun):")
    for c in sorted(set(cb) | set(cp)):
        print(f"  {c:<22} {cb[c]:>7} | {cp[c]:>7}{'' if cb[c] == cp[c] else '   <-- differs'}")

    # per county totals
    def per_county(rows):
        t = collections.defaultdict(lambda: {"approved": 0, "rejected": 0, "held": 0,
                                             "amount": Decimal(0)})
        for r in rows.values():
            c = t[r["county_code"]]
            c[r["decision"]] += 1
            c["amount"] += Decimal(r["approved_amount"] or "0")
        return t

    tb, tp = per_county(base), per_county(pay)
    diff = 0
    print("per county (baseline | payrun): approved amount, approved, rejected, held")
    for cc in sorted(set(tb) | set(tp)):
        b, p = tb[cc], tp[cc]
        mark = "" if b == p else "   <-- differs"
        diff += b != p
        if mark or len(tb) <= 12:
            print(f"  {cc or '∅':>6}: {b['amount']:>10} {b['approved']:>5} {b['rejected']:>5} "
                  f"{b['held']:>5} | {p['amount']:>10} {p['approved']:>5} {p['rejected']:>5} "
                  f"{p['held']:>5}{mark}")
    for name, t in (("baseline", tb), ("payrun", tp)):
        s = {k: sum(c[k] for c in t.values()) for k in ("approved", "rejected", "held", "amount")}
        print(f"  total {name:<8}: amount {s['amount']}, approved {s['approved']}, "
              f"rejected {s['rejected']}, held {s['held']}")
    print(f"counties: {len(set(tb) | set(tp))}, with any difference in these figures: {diff}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
