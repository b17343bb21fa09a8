//! A detail table that continues on 名称(2), 名称(3) … when a sheet is full, each sheet with the
//! same title, info line and header. The sheets are constant-memory sheets of the workbook,
//! written row by row: a province's held cases alone are hundreds of thousands of rows, which
//! would otherwise all sit in memory (and in the shared-string table) until the save.

use rust_xlsxwriter::{Format, Workbook};

use super::{Col, Ctx, HEADER, Res, columns, header_row, last_col, title_rows};
use crate::report::sheet::{Columns, Sheet};
use crate::report::style;
use crate::report::text::{STANDARD_ROW_PIXELS, most_common};

/// One sheet of a paged table being written.
struct Page {
    /// Index of the sheet in the workbook.
    idx: usize,
    next: u32,
    last_data: Option<u32>,
    /// The sheet's default row height (pixels) when it is not Excel's standard one: the height
    /// of the sheet's first data row. rust_xlsxwriter keeps every explicitly sized row of a
    /// constant-memory sheet in memory until the workbook is saved (≈ 400 B a row: ~200 MB for
    /// the detail sheets of a province's run), so the height most rows share is made the sheet
    /// default and only the others are sized one by one. Every row shows exactly as sized.
    default_height: Option<u32>,
}

pub(super) struct Paged<'c, 'w> {
    cx: &'c Ctx<'c>,
    wb: &'w mut Workbook,
    taken: &'w mut Vec<String>,
    base: &'static str,
    title: String,
    cols: &'c [Col],
    /// The widths, and the column formats of the data rows (see `report::sheet`).
    columns: Columns<'c>,
    unit: bool,
    pages: usize,
    cur: Option<Page>,
    /// The height most data rows have, when the writer measured them all first (see
    /// [`Paged::usual_height`]); otherwise each sheet takes its first data row's height.
    usual: Option<Option<u32>>,
}

impl<'c, 'w> Paged<'c, 'w> {
    /// A table of `cols` on sheets named after `base`; `plain` are the formats its data rows'
    /// cells have column by column (none: every cell has its own), see `report::sheet`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        cx: &'c Ctx<'c>,
        wb: &'w mut Workbook,
        taken: &'w mut Vec<String>,
        base: &'static str,
        title: String,
        cols: &'c [Col],
        plain: &[&'c Format],
        unit: bool,
    ) -> Paged<'c, 'w> {
        let columns = (0u16..)
            .zip(plain)
            .fold(columns(cols), |c, (i, f)| c.plain(i, f));
        Paged {
            cx,
            wb,
            taken,
            base,
            title,
            cols,
            columns,
            unit,
            pages: 0,
            cur: None,
            usual: None,
        }
    }

    /// Makes the height most of the table's data rows have (`heights`, one per row) every
    /// sheet's default, so that only the other rows are sized one by one. The first row's height
    /// is a poor guess when it is unusual: 超预算待定 of a province's run starts with a two-line
    /// reason and has 286,000 three-line ones, each of which would then be held in memory.
    pub(super) fn usual_height(&mut self, heights: &[Option<u32>]) {
        self.usual = Some(most_common(heights).flatten());
    }

    /// The table's columns (widths for the text model).
    pub(super) fn columns(&self) -> &Columns<'c> {
        &self.columns
    }

    fn open(&mut self, default_height: Option<u32>) -> Res<Page> {
        let n = self.pages;
        let (title, name) = if n == 0 {
            (self.title.clone(), self.base.to_string())
        } else {
            (
                format!("{}（续{}）", self.title, n),
                format!("{}({})", self.base, n + 1),
            )
        };
        let name = style::sheet_name(&name, self.taken);
        let idx = self.wb.worksheets().len();
        let ws = self.wb.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        if let Some(h) = default_height {
            ws.set_default_row_height_pixels(h);
        }
        let lc = last_col(self.cols);
        self.columns.apply(ws)?;
        let mut sh = Sheet::new(ws, &self.columns);
        title_rows(self.cx, &mut sh, &title, lc, self.unit)?;
        header_row(&mut sh, &self.cx.st, HEADER, self.cols)?;
        sh.ws.set_freeze_panes(HEADER + 1, 0)?;
        style::page_setup(sh.ws, Some((HEADER, HEADER)), self.columns.total_px())?;
        self.pages += 1;
        Ok(Page {
            idx,
            next: HEADER + 1,
            last_data: None,
            default_height,
        })
    }

    fn close(&mut self, p: Page) -> Res {
        let last = p.last_data.unwrap_or(HEADER);
        let lc = last_col(self.cols);
        self.wb
            .worksheet_from_index(p.idx)?
            .autofilter(HEADER, 0, last, lc)?;
        Ok(())
    }

    /// The next row to write, on a continuation sheet when the current one is full. `data`
    /// rows are covered by the autofilter; total and note rows are not. `height` is the row's
    /// height in pixels (None: the standard height); the row is sized explicitly only when that
    /// differs from the sheet's default.
    pub(super) fn row(&mut self, data: bool, height: Option<u32>) -> Res<(Sheet<'_, 'c>, u32)> {
        let mut page = match self.cur.take() {
            Some(p) if p.next < self.cx.row_limit => p,
            full => {
                if let Some(p) = full {
                    self.close(p)?;
                }
                let default = match self.usual {
                    Some(usual) => usual,
                    None if data => height,
                    None => None,
                };
                self.open(default)?
            }
        };
        let r = page.next;
        page.next += 1;
        if data {
            page.last_data = Some(r);
        }
        let (idx, default) = (page.idx, page.default_height);
        self.cur = Some(page);
        let ws = self.wb.worksheet_from_index(idx)?;
        if height != default {
            ws.set_row_height_pixels(r, height.unwrap_or(STANDARD_ROW_PIXELS))?;
        }
        Ok((Sheet::new(ws, &self.columns), r))
    }

    /// A line of text across the table (e.g. "本期无超预算待定案件").
    pub(super) fn note(&mut self, s: &str) -> Res {
        let lc = last_col(self.cols);
        let cx = self.cx;
        let (mut sh, r) = self.row(false, None)?;
        Ok(sh.merged(r, 0, lc, s, &cx.st.text)?)
    }

    pub(super) fn finish(mut self) -> Res {
        let last = match self.cur.take() {
            Some(p) => p,
            None => self.open(None)?,
        };
        self.close(last)
    }
}
