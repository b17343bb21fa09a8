#!/usr/bin/env python3
"""Compares how two payrun output folders *look*, cell by cell: what compare_outputs.py checks
(values, number formats) plus each cell's effective style (font, fill, border, alignment, number
format) and every row's height, sheet by sheet.

A cell's effective style is what a spreadsheet program shows: its own style when the file stores
the cell, else its row's style (a row with customFormat), else its column's. So a blank cell
written with a format and a cell not written under a column of the same format compare equal,
which is what writing through column formats relies on. Cells are compared over the rows and
columns either file uses; row heights over the same rows (a row without a height of its own has
the sheet's default). Sheets whose columns carry formats in one folder and not in the other are
listed: their empty cells below the table look different (e.g. bordered).

    python3 benches/compare_styles.py OUT_A/2025-H1 OUT_B/2025-H1

Loads every workbook whole (openpyxl): meant for the samples, not for a province. Exit 0 when
everything agrees.
"""
import sys
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string


def style_key(obj):
    f, fill, b, a = obj.font, obj.fill, obj.border, obj.alignment

    def color(c):
        return None if c is None else (c.type, c.rgb if c.type == "rgb" else c.value)

    def side(s):
        return None if s is None or s.style is None else (s.style, color(s.color))

    return (
        (f.name, f.sz, bool(f.b), bool(f.i), f.u, color(f.color)),
        (fill.fill_type, color(fill.fgColor) if fill.fill_type else None),
        (side(b.left), side(b.right), side(b.top), side(b.bottom)),
        (a.horizontal, a.vertical, bool(a.wrap_text)),
        obj.number_format,
    )


def column_styles(ws):
    out = {}
    for letter, cd in ws.column_dimensions.items():
        lo = cd.min or column_index_from_string(letter)
        hi = cd.max or lo
        if cd.has_style:
            for c in range(lo, hi + 1):
                out[c] = style_key(cd)
    return out


def merged_tails(ws):
    """Cells of merged ranges other than their top-left one: a merged range shows as its first
    cell (rust_xlsxwriter gives the others the same format), and openpyxl drops their styles."""
    out = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    out.add((r, c))
    return out


def sheet_view(ws):
    cols = column_styles(ws)
    rows = {}
    for r, rd in ws.row_dimensions.items():
        rows[r] = (rd.height, style_key(rd) if rd.s else None)
    default = ws.sheet_format.defaultRowHeight
    if ws.sheet_format.customHeight:
        default = ws.sheet_format.defaultRowHeight
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None or c.has_style:
                cells[(c.row, c.column)] = c
    max_row = max([r for r, _ in cells] + [0])
    max_col = max([c for _, c in cells] + [0])
    return cols, rows, default, cells, max_row, max_col, merged_tails(ws)


def effective(view, r, c):
    cols, rows, _, cells, _, _, _ = view
    cell = cells.get((r, c))
    if cell is not None:
        v = cell.value
        # A number is a double however it is written (`34` / `34.0`).
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = float(v)
        return (v, style_key(cell))
    row = rows.get(r)
    if row and row[1] is not None:
        return (None, row[1])
    return (None, cols.get(c))


def height(view, r):
    _, rows, default, _, _, _, _ = view
    row = rows.get(r)
    return row[0] if row and row[0] is not None else default


def compare(pa, pb, rel):
    wa, wb = openpyxl.load_workbook(pa), openpyxl.load_workbook(pb)
    bad = 0
    if wa.sheetnames != wb.sheetnames:
        print(f"{rel}: sheets {wa.sheetnames} vs {wb.sheetnames}")
        return 1
    for name in wa.sheetnames:
        va, vb = sheet_view(wa[name]), sheet_view(wb[name])
        if wa[name].sheet_state != wb[name].sheet_state:
            print(f"{rel} [{name}]: state {wa[name].sheet_state} vs {wb[name].sheet_state}")
            bad += 1
        if bool(va[0]) != bool(vb[0]):
            print(f"{rel} [{name}]: column formats {'none' if not va[0] else 'set'} vs "
                  f"{'none' if not vb[0] else 'set'} (empty cells below the table differ)")
        rmax, cmax = max(va[4], vb[4]), max(va[5], vb[5])
        diffs = []
        for r in range(1, rmax + 1):
            ha, hb = height(va, r), height(vb, r)
            if ha != hb:
                diffs.append(f"row {r} height {ha} vs {hb}")
            for c in range(1, cmax + 1):
                if (r, c) in va[6] and (r, c) in vb[6]:
                    continue
                ea, eb = effective(va, r, c), effective(vb, r, c)
                if ea != eb:
                    diffs.append(f"cell r{r}c{c}: {ea} vs {eb}")
        if diffs:
            bad += 1
            print(f"{rel} [{name}]: {len(diffs)} difference(s), first: {diffs[0]}")
            for d in diffs[1:6]:
                print(f"    {d}")
    return bad


def main():
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    bad = 0
    for pa in sorted(a.rglob("*.xlsx")):
        rel = pa.relative_to(a)
        pb = b / rel
        if not pb.exists():
            print(f"{rel}: missing in {b}")
            bad += 1
            continue
        bad += compare(pa, pb, rel)
    print("same look" if bad == 0 else f"{bad} sheet(s) differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
