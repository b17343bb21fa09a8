//! A sheet as the cells it really stores (never a dense range: one stray value at XFD1048576
//! must cost one cell, not 17 billion), plus its merged ranges.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A cell value as the workbook holds it, converted at the boundary: floats become `Decimal`
/// here and nowhere else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CellVal {
    Text(String),
    /// A numeric cell. `None` when the float cannot be a decimal (NaN, ∞, ≥ 7.9e28).
    Number(Option<Decimal>),
    /// A cell Excel formats as a date (the date part; times of day are ignored).
    Date(NaiveDate),
    /// A date cell whose serial is no calendar date.
    BadDate(String),
    Bool(bool),
    /// An Excel error value such as `#REF!`.
    Error(String),
    /// A formula whose cached value is missing (written by a tool that does not calculate).
    Formula(String),
}

impl CellVal {
    /// Whitespace-only text counts as empty: it is what a cleared cell often holds.
    pub fn is_blank(&self) -> bool {
        matches!(self, CellVal::Text(t) if crate::cell::is_blank_text(t))
    }

    /// How the value is shown to a person in a message or a feedback cell.
    pub fn display(&self) -> String {
        match self {
            CellVal::Text(t) => t.clone(),
            CellVal::Number(Some(d)) => d.normalize().to_string(),
            CellVal::Number(None) => "（无效数字）".into(),
            CellVal::Date(d) => d.format("%Y-%m-%d").to_string(),
            CellVal::BadDate(s) => s.clone(),
            CellVal::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            CellVal::Error(e) => e.clone(),
            CellVal::Formula(f) => format!("={}", f.trim_start_matches('=')),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub r0: u32,
    pub c0: u32,
    pub r1: u32,
    pub c1: u32,
}

/// How many merges above a cell [`Grid::get_indexed`] looks at when merges overlap (invalid, but
/// possible in a crafted file).
const MERGE_OVERLAP_LOOKBACK: usize = 64;

/// Merged ranges per column, sorted by first row (see [`Grid::column_merges`]).
#[derive(Debug, Default)]
pub struct ColumnMerges {
    by_col: Vec<(u32, Vec<Merge>)>,
}

/// The stored cells of one sheet, row-major.
#[derive(Debug, Default)]
pub struct Grid {
    /// (row, cells of that row sorted by column); rows sorted.
    rows: Vec<(u32, Vec<(u32, CellVal)>)>,
    merges: Vec<Merge>,
    pub cell_count: usize,
}

impl Grid {
    /// Adds a cell; cells usually arrive in row order, so this is an append.
    pub fn push(&mut self, row: u32, col: u32, v: CellVal) {
        if v.is_blank() {
            return;
        }
        self.cell_count += 1;
        match self.rows.last_mut() {
            Some((r, cells)) if *r == row => cells.push((col, v)),
            Some((r, _)) if *r > row => {
                // Out-of-order rows are legal XML; keep the invariant with a sorted insert.
                match self.rows.binary_search_by_key(&row, |(r, _)| *r) {
                    Ok(i) => {
                        if let Some((_, cells)) = self.rows.get_mut(i) {
                            cells.push((col, v));
                        }
                    }
                    Err(i) => self.rows.insert(i, (row, vec![(col, v)])),
                }
            }
            _ => {
                // Rows of a form are about as wide as the one before: reserve that much once
                // instead of growing the vector cell by cell.
                let width = self.rows.last().map_or(4, |(_, c)| c.len().max(4));
                let mut cells = Vec::with_capacity(width);
                cells.push((col, v));
                self.rows.push((row, cells));
            }
        }
    }

    /// Sorts columns within rows and drops duplicate positions (first kept).
    pub fn finish(&mut self) {
        for (_, cells) in &mut self.rows {
            if !cells.is_sorted_by_key(|(c, _)| *c) {
                cells.sort_by_key(|(c, _)| *c);
            }
            cells.dedup_by_key(|(c, _)| *c);
        }
    }

    pub fn set_merges(&mut self, merges: Vec<Merge>) {
        self.merges = merges;
    }

    pub fn merges_known(&self) -> bool {
        !self.merges.is_empty()
    }

    pub fn rows(&self) -> &[(u32, Vec<(u32, CellVal)>)] {
        &self.rows
    }

    /// Row numbers that hold cells, below `limit` (0-based, exclusive).
    pub fn row_numbers_below(&self, limit: u32) -> impl Iterator<Item = u32> + '_ {
        self.rows
            .iter()
            .map(|(r, _)| *r)
            .take_while(move |r| *r < limit)
    }

    fn row(&self, r: u32) -> Option<&Vec<(u32, CellVal)>> {
        self.rows
            .binary_search_by_key(&r, |(row, _)| *row)
            .ok()
            .and_then(|i| self.rows.get(i))
            .map(|(_, cells)| cells)
    }

    /// The stored value at (r, c), without merge filling.
    pub fn raw(&self, r: u32, c: u32) -> Option<&CellVal> {
        let cells = self.row(r)?;
        cells
            .binary_search_by_key(&c, |(col, _)| *col)
            .ok()
            .and_then(|i| cells.get(i))
            .map(|(_, v)| v)
    }

    /// The value at (r, c), taking it from the top-left cell of a merged range covering it.
    pub fn get(&self, r: u32, c: u32) -> Option<&CellVal> {
        if let Some(v) = self.raw(r, c) {
            return Some(v);
        }
        let m = self
            .merges
            .iter()
            .find(|m| m.r0 <= r && r <= m.r1 && m.c0 <= c && c <= m.c1)?;
        self.raw(m.r0, m.c0)
    }

    /// An index of the merged ranges that cover the given columns, for [`Grid::get_indexed`].
    pub fn column_merges(&self, cols: &[u32]) -> ColumnMerges {
        let mut by_col: Vec<(u32, Vec<Merge>)> = Vec::with_capacity(cols.len());
        for &c in cols {
            if by_col.iter().any(|(k, _)| *k == c) {
                continue;
            }
            let mut v: Vec<Merge> = self
                .merges
                .iter()
                .filter(|m| m.c0 <= c && c <= m.c1)
                .copied()
                .collect();
            // Stable: among merges starting on the same row the file's first stays first.
            v.sort_by_key(|m| m.r0);
            by_col.push((c, v));
        }
        ColumnMerges { by_col }
    }

    /// Like [`Grid::get`], but finds the merged range through `idx` (a binary search instead
    /// of a scan of every merge: 100,000 merges × 20,000 rows took minutes). Columns not in the
    /// index fall back to [`Grid::get`].
    pub fn get_indexed(&self, r: u32, c: u32, idx: &ColumnMerges) -> Option<&CellVal> {
        if let Some(v) = self.raw(r, c) {
            return Some(v);
        }
        let Some((_, list)) = idx.by_col.iter().find(|(k, _)| *k == c) else {
            return self.get(r, c);
        };
        let end = list.partition_point(|m| m.r0 <= r);
        // Merges of one column do not overlap in a valid file, so the last one starting at or
        // above r is the only candidate; a few more are looked at for files where they do.
        let m = list
            .get(..end)
            .unwrap_or_default()
            .iter()
            .rev()
            .take(MERGE_OVERLAP_LOOKBACK)
            .find(|m| r <= m.r1)?;
        self.raw(m.r0, m.c0)
    }

    /// Columns with a value (stored or merged-in) in row r.
    pub fn columns_in_row(&self, r: u32) -> impl Iterator<Item = u32> + '_ {
        let mut cols: Vec<u32> = self
            .row(r)
            .map(|c| c.iter().map(|(c, _)| *c).collect())
            .unwrap_or_default();
        for m in &self.merges {
            if m.r0 < r && r <= m.r1 && self.raw(m.r0, m.c0).is_some() {
                // Columns of a wide merge are capped: a claim table has a few dozen columns.
                cols.extend(m.c0..=m.c1.min(m.c0.saturating_add(255)));
            }
        }
        cols.sort_unstable();
        cols.dedup();
        cols.into_iter()
    }

    /// The text shown at (r, c) (numbers and dates rendered), merged ranges included.
    pub fn text_at(&self, r: u32, c: u32) -> Option<String> {
        let v = self.get(r, c)?;
        let s = v.display();
        (!crate::cell::normalize_text(&s).is_empty()).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> CellVal {
        CellVal::Text(s.to_string())
    }

    #[test]
    fn indexed_lookups_agree_with_the_scan() {
        let mut g = Grid::default();
        g.push(0, 0, text("红塔区"));
        g.push(0, 1, text("玉带路司法所"));
        g.push(10, 1, text("北城司法所"));
        g.push(20, 0, text("江川区"));
        g.finish();
        let mut merges = vec![
            Merge {
                r0: 0,
                c0: 0,
                r1: 19,
                c1: 0,
            },
            Merge {
                r0: 0,
                c0: 1,
                r1: 9,
                c1: 1,
            },
            Merge {
                r0: 10,
                c0: 1,
                r1: 15,
                c1: 1,
            },
            Merge {
                r0: 20,
                c0: 0,
                r1: 29,
                c1: 0,
            },
        ];
        // Many single-row merges elsewhere, as a crafted file has them.
        merges.extend((30..5000).map(|r| Merge {
            r0: r,
            c0: 5,
            r1: r,
            c1: 6,
        }));
        g.set_merges(merges);
        let idx = g.column_merges(&[0, 1, 2]);
        for r in 0..40 {
            for c in 0..4 {
                assert_eq!(g.get_indexed(r, c, &idx), g.get(r, c), "({r}, {c})");
            }
        }
        assert_eq!(g.get_indexed(12, 1, &idx), Some(&text("北城司法所")));
        assert_eq!(g.get_indexed(17, 1, &idx), None);
        assert_eq!(g.get_indexed(25, 0, &idx), Some(&text("江川区")));
    }
}
