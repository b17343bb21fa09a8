#!/usr/bin/env python3
"""Compares two payrun output folders cell by cell (values and number formats), not byte by byte.

Speed work changes how a workbook is stored (constant-memory sheets use inline strings instead of
the shared-string table, the compression level changes the zip bytes) but must never change what a
reader sees. Usage:

    python3 benches/compare_outputs.py OUT_A/2025-H1 OUT_B/2025-H1

Needs openpyxl. Exit 0 when every workbook, decisions.csv and summary.json agree.
"""
import json
import sys
from pathlib import Path

import openpyxl


def value(v):
    # A cell holds an IEEE double: `<v>34</v>` and `<v>34.0</v>`, or `530402197512039300` and
    # `5.304021975120393e17`, are the same number written two ways (openpyxl reads the first of
    # each pair as an int).
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return v


def cells(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            rows.append(tuple((value(c.value), getattr(c, "number_format", None)) for c in row
                              if c.value is not None))
        while rows and not rows[-1]:
            rows.pop()
        out[ws.title] = (ws.sheet_state, rows)
    return out


def main():
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    bad = 0
    names_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if names_a != names_b:
        print("different files:", set(names_a) ^ set(names_b))
        bad += 1
    for rel in names_a:
        pa, pb = a / rel, b / rel
        if not pb.exists():
            continue
        if rel.suffix == ".xlsx":
            ca, cb = cells(pa), cells(pb)
            if list(ca) != list(cb):
                print(f"{rel}: sheets {list(ca)} vs {list(cb)}")
                bad += 1
                continue
            for name in ca:
                if ca[name] != cb[name]:
                    ra, rb = ca[name][1], cb[name][1]
                    first = next((i for i, (x, y) in enumerate(zip(ra, rb)) if x != y), min(len(ra), len(rb)))
                    print(f"{rel} [{name}]: differs from row {first + 1}: "
                          f"{ra[first] if first < len(ra) else None} vs {rb[first] if first < len(rb) else None}")
                    bad += 1
        elif rel.suffix == ".json":
            if json.loads(pa.read_text()) != json.loads(pb.read_text()):
                print(f"{rel}: differs")
                bad += 1
        elif pa.read_bytes() != pb.read_bytes():
            print(f"{rel}: differs")
            bad += 1
    print("identical content" if bad == 0 else f"{bad} difference(s)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
