//! 审批汇总表_<period>.xlsx (SPEC §4.6): the consolidated approval workbook finance staff sign.
//!
//! Rendering only. Every figure comes from [`RunOutput`]: per-county figures from
//! `out.counties`, `out.unassigned` and `out.totals`, row figures from the decisions. The only
//! sums made here are cross-checks (the 核准明细 total against `out.totals`, the reconciliation
//! identities), and a check that fails is reported, never papered over.
//!
//! Sheets, in order: 汇总 (with a column chart), 核准明细, 不予补贴明细, 超预算待定, 文件问题,
//! 对账, 运行信息. A detail sheet that would pass Excel's row limit continues on 核准明细(2) …
//! with the same title and header.

use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    Chart, ChartFont, ChartLegendPosition, ChartType, Format, FormatAlign, Workbook, Worksheet,
    XlsxError,
};

use super::style::{self, MAX_ROWS, SheetFormats, Styles};
use crate::claim::Claim;
use crate::codes::{RowCode, Severity};
use crate::decide::{Decision, Outcome};
use crate::ingest::header::Field;
use crate::policy::OverCap;
use crate::run::{CountySummary, RunOutput};

/// Title, info line, header: the header of every table sheet sits on this row (0-based).
const HEADER: u32 = 2;
/// Row height of header rows (points): room for two lines of wrapped header text.
const HEADER_HEIGHT: f64 = 30.0;
const TITLE_HEIGHT: f64 = 30.0;

const SHEET_SUMMARY: &str = "汇总";
const SHEET_APPROVED: &str = "核准明细";
const SHEET_REJECTED: &str = "不予补贴明细";
const SHEET_HELD: &str = "超预算待定";
const SHEET_FILES: &str = "文件问题";
const SHEET_RECON: &str = "对账";
const SHEET_RUN: &str = "运行信息";

/// Why the workbook could not be built.
#[derive(Debug)]
enum Fail {
    Xlsx(XlsxError),
    /// A cross-check failed: a bug upstream, never papered over.
    Check(String),
}

impl From<XlsxError> for Fail {
    fn from(e: XlsxError) -> Self {
        Fail::Xlsx(e)
    }
}

type Res<T = ()> = Result<T, Fail>;

/// Writes 审批汇总表 to `path` (atomically, reproducibly).
pub fn write_approval(out: &RunOutput, path: &Path) -> Result<(), String> {
    let mut wb = build(out, MAX_ROWS).map_err(|e| match e {
        Fail::Xlsx(e) => format!("生成 {} 失败：{e}", path.display()),
        Fail::Check(m) => format!("生成 {} 失败：{m}", path.display()),
    })?;
    style::save(&mut wb, path)
}

/// A table column: header text and width (in Excel character units).
struct Col(&'static str, f64);

/// Formats of this workbook beyond the shared [`Styles`], built once.
struct Local {
    center: Format,
    int_center: Format,
    total_pct: Format,
    int_sep: Format,
    ok: Format,
    bad: Format,
    note: Format,
    unit: Format,
}

impl Local {
    fn new(st: &Styles) -> Local {
        Local {
            center: st.text.clone().set_align(FormatAlign::Center),
            int_center: st.int.clone().set_align(FormatAlign::Center),
            total_pct: st.total_money.clone().set_num_format("0.00%"),
            int_sep: st.int.clone().set_num_format("#,##0"),
            ok: st.text.clone().set_align(FormatAlign::Center),
            bad: st
                .warn_text
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center),
            note: st.plain.clone().set_text_wrap().set_align(FormatAlign::Top),
            unit: st.subtitle_right.clone(),
        }
    }
}

/// What every sheet shares: the data, the formats, the titles.
struct Ctx<'a> {
    out: &'a RunOutput,
    st: Styles,
    lo: Local,
    /// "玉溪市2025年上半年人民调解“一案一补”".
    prefix: String,
    /// "发放期间：2025-H1（上半年，2025年1月1日至2025年6月30日）　　审核日期：2025年6月30日".
    info: String,
    row_limit: u32,
}

/// 上半年 / 下半年 from the period id; the policy's own name for any other period.
fn half_name(out: &RunOutput) -> String {
    match out.period.def.id.to_ascii_uppercase().as_str() {
        "H1" => "上半年".into(),
        "H2" => "下半年".into(),
        _ => out.period.def.name.clone(),
    }
}

fn period_range(out: &RunOutput) -> String {
    format!(
        "{}至{}",
        style::cn_date(out.period.def.start),
        style::cn_date(out.period.def.end)
    )
}

/// The workbook title (also the document title).
fn workbook_title(out: &RunOutput) -> String {
    format!(
        "玉溪市{}年{}人民调解“一案一补”补贴审批汇总表",
        out.policy.year,
        half_name(out)
    )
}

/// Builds the whole workbook in memory. `row_limit` is Excel's row count, smaller in tests.
fn build(out: &RunOutput, row_limit: u32) -> Res<Workbook> {
    let st = Styles::new();
    let lo = Local::new(&st);
    let cx = Ctx {
        out,
        prefix: format!(
            "玉溪市{}年{}人民调解“一案一补”",
            out.policy.year,
            half_name(out)
        ),
        info: format!(
            "发放期间：{}（{}，{}）　　审核日期：{}",
            out.period.label,
            half_name(out),
            period_range(out),
            style::cn_date(out.period.run_date)
        ),
        st,
        lo,
        row_limit: row_limit.clamp(HEADER + 2, MAX_ROWS),
    };
    let mut wb = crate::report::style::workbook();
    wb.set_properties(&style::properties(
        &workbook_title(out),
        out.period.run_date,
    ));
    let mut taken: Vec<String> = Vec::new();

    let summary = summary_sheet(&cx)?;
    push(&mut wb, summary, SHEET_SUMMARY, &mut taken)?;
    let (approved_sum, approved_count) = approved_sheets(&cx, &mut wb, &mut taken)?;
    rejected_sheets(&cx, &mut wb, &mut taken)?;
    held_sheets(&cx, &mut wb, &mut taken)?;
    file_problem_sheets(&cx, &mut wb, &mut taken)?;
    let recon = reconciliation_sheet(&cx, approved_sum, approved_count)?;
    push(&mut wb, recon, SHEET_RECON, &mut taken)?;
    let run = run_sheet(&cx)?;
    push(&mut wb, run, SHEET_RUN, &mut taken)?;
    Ok(wb)
}

fn push(wb: &mut Workbook, mut ws: Worksheet, name: &str, taken: &mut Vec<String>) -> Res {
    ws.set_name(style::sheet_name(name, taken))?;
    wb.push_worksheet(ws);
    Ok(())
}

// ---- cell helpers: input text always goes through cell_text and write_string ----

fn text(ws: &mut Worksheet, r: u32, c: u16, s: &str, f: &Format) -> Res {
    ws.write_string_with_format(r, c, style::cell_text(s), f)?;
    Ok(())
}

fn opt_text(ws: &mut Worksheet, r: u32, c: u16, s: Option<&str>, f: &Format) -> Res {
    match s {
        Some(s) => text(ws, r, c, s, f),
        None => {
            ws.write_blank(r, c, f)?;
            Ok(())
        }
    }
}

/// A count, written as a number (through Decimal: no float in this module).
fn count(ws: &mut Worksheet, r: u32, c: u16, n: usize, f: &Format) -> Res {
    ws.write_with_format(r, c, Decimal::from(n), f)?;
    Ok(())
}

fn money(ws: &mut Worksheet, r: u32, c: u16, v: Decimal, f: &Format) -> Res {
    style::write_money(ws, r, c, v, f)?;
    Ok(())
}

/// Text across columns `c0..=c1` of one row (a single cell when c0 == c1).
fn merged(ws: &mut Worksheet, r: u32, c0: u16, c1: u16, s: &str, f: &Format) -> Res {
    if c1 > c0 {
        ws.merge_range(r, c0, r, c1, &style::cell_text(s), f)?;
    } else {
        text(ws, r, c0, s, f)?;
    }
    Ok(())
}

fn blanks(ws: &mut Worksheet, r: u32, cols: std::ops::RangeInclusive<u16>, f: &Format) -> Res {
    for c in cols {
        ws.write_blank(r, c, f)?;
    }
    Ok(())
}

fn last_col(cols: &[Col]) -> u16 {
    u16::try_from(cols.len().saturating_sub(1)).unwrap_or(0)
}

/// Width of one character in column-width units (宋体 10pt: a CJK or full-width glyph is 13.3 px,
/// a unit 7 px), on the safe side.
fn char_units(ch: char) -> f64 {
    if ch.is_ascii() {
        1.0
    } else if matches!(
        ch,
        '\u{2010}'..='\u{206F}'
            | '\u{2E80}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}'
            | '\u{FF00}'..='\u{FF60}'
    ) {
        1.9
    } else {
        1.2
    }
}

/// How many lines `s` takes when wrapped in a column `width` units wide (an estimate on the
/// safe side: neither Excel nor LibreOffice re-measures row heights of a file it opens).
fn wrapped_lines(s: &str, width: f64) -> usize {
    let usable = ((width - 0.7) * 0.97).max(1.0);
    s.split('\n')
        .map(|seg| {
            // No character is wider than its UTF-8 bytes (1/1, 1.9/3, 1.2/≥2): a segment whose
            // bytes fit the width is one line, and most cells are that short.
            if seg.len() as f64 <= usable {
                return 1;
            }
            segment_lines(seg, usable)
        })
        .sum::<usize>()
        .max(1)
}

/// Lines of one segment by a greedy fill: the definition `wrapped_lines` shortcuts.
fn segment_lines(seg: &str, usable: f64) -> usize {
    let (mut n, mut cur) = (1usize, 0.0f64);
    for ch in seg.chars() {
        let w = char_units(ch);
        if cur + w > usable && cur > 0.0 {
            n += 1;
            cur = 0.0;
        }
        cur += w;
    }
    n
}

/// Sets the height of row `r` so the wrapped texts `cells` (column, text) show whole.
fn fit_row(ws: &mut Worksheet, r: u32, cols: &[Col], cells: &[(usize, &str)]) -> Res {
    if let Some(points) = fit_points(cols, cells) {
        ws.set_row_height(r, points)?;
    }
    Ok(())
}

/// The height (points) that shows the wrapped texts `cells` whole; None for one line (the
/// sheet's standard height).
fn fit_points(cols: &[Col], cells: &[(usize, &str)]) -> Option<f64> {
    let lines = cells
        .iter()
        .map(|(c, s)| wrapped_lines(s, cols.get(*c).map_or(10.0, |c| c.1)))
        .max()
        .unwrap_or(1);
    (lines > 1).then(|| (13.0 * lines as f64 + 3.0).min(409.0))
}

/// Excel's standard row height (points) of a sheet whose default was not changed.
const STANDARD_HEIGHT: f64 = 15.0;

/// A wrapped note merged across all of `cols`: at least two lines high, more when needed.
fn note_row(ws: &mut Worksheet, r: u32, cols: &[Col], s: &str, f: &Format) -> Res {
    merged(ws, r, 0, last_col(cols), s, f)?;
    let width: f64 = cols.iter().map(|c| c.1).sum();
    let lines = wrapped_lines(s, width).max(2);
    ws.set_row_height(r, (13.0 * lines as f64 + 4.0).min(409.0))?;
    Ok(())
}

fn set_widths(ws: &mut Worksheet, cols: &[Col]) -> Res {
    for (i, c) in cols.iter().enumerate() {
        ws.set_column_width(u16::try_from(i).unwrap_or(u16::MAX), c.1)?;
    }
    Ok(())
}

fn header_row(ws: &mut Worksheet, st: &Styles, r: u32, cols: &[Col]) -> Res {
    for (i, c) in cols.iter().enumerate() {
        ws.write_string_with_format(r, u16::try_from(i).unwrap_or(u16::MAX), c.0, &st.header)?;
    }
    ws.set_row_height(r, HEADER_HEIGHT)?;
    Ok(())
}

/// Title (row 0) and info line (row 1) of a sheet `cols` wide; "单位：元" on the right when the
/// sheet holds amounts.
fn title_rows(cx: &Ctx, ws: &mut Worksheet, title: &str, ncols: u16, unit: bool) -> Res {
    merged(ws, 0, 0, ncols, title, &cx.st.title)?;
    ws.set_row_height(0, TITLE_HEIGHT)?;
    if unit && ncols >= 1 {
        merged(ws, 1, 0, ncols - 1, &cx.info, &cx.st.subtitle)?;
        text(ws, 1, ncols, "单位：元", &cx.lo.unit)?;
    } else {
        merged(ws, 1, 0, ncols, &cx.info, &cx.st.subtitle)?;
    }
    ws.set_row_height(1, 20)?;
    Ok(())
}

/// Usage of the annual cap: (paid before + approved) ÷ cap, 0 when there is no cap; rounded to
/// the basis point the 0.00% format shows.
fn usage_rate(s: &CountySummary) -> Decimal {
    if s.cap.is_zero() {
        return Decimal::ZERO;
    }
    ((s.paid_before + s.approved_amount) / s.cap)
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// 县（市、区） shown for a claim: its county, else the name of the unassigned group.
fn county_label(out: &RunOutput, c: &Claim) -> String {
    let name = out.county_name(c.county.as_ref());
    if name.is_empty() {
        out.unassigned.name.clone()
    } else {
        name
    }
}

/// County code as a sort key; rows without a county go last.
fn county_key(c: &Claim) -> &str {
    c.county.as_ref().map(|k| k.as_str()).unwrap_or("~")
}

/// The parsed value, else what the cell held (so a rejected row still shows what was written).
fn shown(parsed: Option<&str>, c: &Claim, f: Field) -> Option<String> {
    match parsed {
        Some(s) => Some(s.to_string()),
        None => c
            .raw_cell(f)
            .map(|v| v.display().trim().to_string())
            .filter(|s| !s.is_empty()),
    }
}

/// "label：message" of one finding.
fn finding(code: RowCode, message: &str) -> String {
    format!("{}：{}", code.label(), message)
}

// ---- paged detail sheets ----

/// One sheet of a paged table being written.
struct Page<'f> {
    /// Index of the sheet in the workbook.
    idx: usize,
    /// The indices of the formats written on this sheet so far.
    formats: SheetFormats<'f>,
    next: u32,
    last_data: Option<u32>,
    /// The sheet's default row height (points) when it is not Excel's standard one: the height
    /// of the sheet's first data row. rust_xlsxwriter keeps every explicitly sized row of a
    /// constant-memory sheet in memory until the workbook is saved (≈ 400 B a row: ~200 MB for
    /// the detail sheets of a province's run), so the height most rows share is made the sheet
    /// default and only the others are sized one by one. Every row shows exactly as before.
    default_height: Option<f64>,
}

/// A detail table that continues on 名称(2), 名称(3) … when a sheet is full, each sheet with the
/// same title, info line and header. The sheets are constant-memory sheets of the workbook,
/// written row by row: a province's held cases alone are hundreds of thousands of rows, which
/// would otherwise all sit in memory (and in the shared-string table) until the save.
struct Paged<'c, 'w> {
    cx: &'c Ctx<'c>,
    wb: &'w mut Workbook,
    taken: &'w mut Vec<String>,
    base: &'static str,
    title: String,
    cols: &'static [Col],
    unit: bool,
    pages: usize,
    cur: Option<Page<'c>>,
}

impl<'c, 'w> Paged<'c, 'w> {
    fn new(
        cx: &'c Ctx<'c>,
        wb: &'w mut Workbook,
        taken: &'w mut Vec<String>,
        base: &'static str,
        title: String,
        cols: &'static [Col],
        unit: bool,
    ) -> Paged<'c, 'w> {
        Paged {
            cx,
            wb,
            taken,
            base,
            title,
            cols,
            unit,
            pages: 0,
            cur: None,
        }
    }

    fn open(&mut self, default_height: Option<f64>) -> Res<Page<'c>> {
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
            ws.set_default_row_height(h);
        }
        let lc = last_col(self.cols);
        title_rows(self.cx, ws, &title, lc, self.unit)?;
        header_row(ws, &self.cx.st, HEADER, self.cols)?;
        set_widths(ws, self.cols)?;
        ws.set_freeze_panes(HEADER + 1, 0)?;
        style::print_setup(ws, HEADER, HEADER)?;
        self.pages += 1;
        Ok(Page {
            idx,
            formats: SheetFormats::default(),
            next: HEADER + 1,
            last_data: None,
            default_height,
        })
    }

    fn close(&mut self, p: Page<'c>) -> Res {
        let last = p.last_data.unwrap_or(HEADER);
        let lc = last_col(self.cols);
        self.wb
            .worksheet_from_index(p.idx)?
            .autofilter(HEADER, 0, last, lc)?;
        Ok(())
    }

    /// The next row to write, on a continuation sheet when the current one is full. `data`
    /// rows are covered by the autofilter; total and note rows are not. `height` is the row's
    /// height in points (None: the standard height); the row is sized explicitly only when that
    /// differs from the sheet's default.
    fn row(&mut self, data: bool, height: Option<f64>) -> Res<(&mut Worksheet, u32)> {
        let (idx, r) = self.advance(data, height)?;
        Ok((self.wb.worksheet_from_index(idx)?, r))
    }

    /// A data row, written through the sheet's format indices.
    fn data_row(&mut self, height: Option<f64>) -> Res<RowCells<'_, 'c>> {
        let (idx, r) = self.advance(true, height)?;
        let ws = self.wb.worksheet_from_index(idx)?;
        let page = self
            .cur
            .as_mut()
            .ok_or_else(|| Fail::Check("内部错误：明细表没有当前页".into()))?;
        Ok(RowCells {
            ws,
            fx: &mut page.formats,
            r,
        })
    }

    /// Moves to the next row (see `row`); gives the sheet's index in the workbook and the row.
    fn advance(&mut self, data: bool, height: Option<f64>) -> Res<(usize, u32)> {
        let mut page = match self.cur.take() {
            Some(p) if p.next < self.cx.row_limit => p,
            full => {
                if let Some(p) = full {
                    self.close(p)?;
                }
                self.open(if data { height } else { None })?
            }
        };
        let r = page.next;
        page.next += 1;
        if data {
            page.last_data = Some(r);
        }
        let idx = page.idx;
        let default = page.default_height;
        self.cur = Some(page);
        if height != default {
            self.wb
                .worksheet_from_index(idx)?
                .set_row_height(r, height.unwrap_or(STANDARD_HEIGHT))?;
        }
        Ok((idx, r))
    }

    /// A line of text across the table (e.g. "本期无超预算待定案件").
    fn note(&mut self, s: &str) -> Res {
        let lc = last_col(self.cols);
        let cx = self.cx;
        let (ws, r) = self.row(false, None)?;
        merged(ws, r, 0, lc, s, &cx.st.text)
    }

    fn finish(mut self) -> Res {
        let last = match self.cur.take() {
            Some(p) => p,
            None => self.open(None)?,
        };
        self.close(last)
    }
}

/// One data row of a detail sheet: the cell helpers above, written by format index.
struct RowCells<'a, 'f> {
    ws: &'a mut Worksheet,
    fx: &'a mut SheetFormats<'f>,
    r: u32,
}

impl<'f> RowCells<'_, 'f> {
    fn text(&mut self, c: u16, s: &str, f: &'f Format) -> Res {
        Ok(self
            .fx
            .string(self.ws, self.r, c, &style::cell_text_borrowed(s), f)?)
    }

    fn opt_text(&mut self, c: u16, s: Option<&str>, f: &'f Format) -> Res {
        match s {
            Some(s) => self.text(c, s, f),
            None => self.blank(c, f),
        }
    }

    fn blank(&mut self, c: u16, f: &'f Format) -> Res {
        Ok(self.fx.blank(self.ws, self.r, c, f)?)
    }

    /// A count or row number, written as a number (through Decimal, like every number here).
    fn count(&mut self, c: u16, n: impl Into<Decimal>, f: &'f Format) -> Res {
        Ok(self.fx.decimal(self.ws, self.r, c, n.into(), f)?)
    }

    fn money(&mut self, c: u16, v: Decimal, f: &'f Format) -> Res {
        Ok(self.fx.money(self.ws, self.r, c, v, f)?)
    }

    fn opt_money(&mut self, c: u16, v: Option<Decimal>, f: &'f Format) -> Res {
        match v {
            Some(v) => self.money(c, v, f),
            None => self.blank(c, f),
        }
    }

    fn date(&mut self, c: u16, d: chrono::NaiveDate, f: &'f Format) -> Res {
        Ok(self.fx.date(self.ws, self.r, c, d, f)?)
    }
}

// ---- 1. 汇总 ----

const SUMMARY_COLS: &[Col] = &[
    Col("县（市、区）", 26.0),
    Col("代码", 9.0),
    Col("申报行数", 9.0),
    Col("核准", 9.0),
    Col("不予补贴", 9.0),
    Col("超预算待定", 9.0),
    Col("核准金额", 15.0),
    Col("年度限额", 15.0),
    Col("以前期间已发放", 15.0),
    Col("剩余额度", 15.0),
    Col("使用率", 10.0),
];

fn summary_sheet(cx: &Ctx) -> Res<Worksheet> {
    let out = cx.out;
    let (st, lo) = (&cx.st, &cx.lo);
    let mut ws = Worksheet::new();
    let lc = last_col(SUMMARY_COLS);
    merged(&mut ws, 0, 0, lc, &workbook_title(out), &st.title)?;
    ws.set_row_height(0, TITLE_HEIGHT)?;
    merged(&mut ws, 1, 0, lc - 1, &cx.info, &st.subtitle)?;
    text(&mut ws, 1, lc, "单位：元", &lo.unit)?;
    ws.set_row_height(1, 20)?;
    merged(
        &mut ws,
        2,
        0,
        lc,
        &format!("政策名称：{}", out.policy.name),
        &st.subtitle,
    )?;
    ws.set_row_height(2, 20)?;
    let header = HEADER + 1;
    header_row(&mut ws, st, header, SUMMARY_COLS)?;
    set_widths(&mut ws, SUMMARY_COLS)?;

    let first = header + 1;
    let mut r = first;
    for s in &out.counties {
        county_row(&mut ws, cx, r, s, false)?;
        r += 1;
    }
    let counties_last = r.checked_sub(1).filter(|&l| l >= first);
    if out.unassigned.claimed_rows > 0 {
        county_row(&mut ws, cx, r, &out.unassigned, true)?;
        r += 1;
    }
    let last_data = r.saturating_sub(1).max(header);
    // 合计
    text(&mut ws, r, 0, "合计", &st.total_label)?;
    ws.write_blank(r, 1, &st.total_label)?;
    let t = &out.totals;
    count(&mut ws, r, 2, t.claimed_rows, &st.total_int)?;
    count(&mut ws, r, 3, t.approved_rows, &st.total_int)?;
    count(&mut ws, r, 4, t.rejected_rows, &st.total_int)?;
    count(&mut ws, r, 5, t.held_rows, &st.total_int)?;
    money(&mut ws, r, 6, t.approved_amount, &st.total_money)?;
    money(&mut ws, r, 7, t.cap, &st.total_money)?;
    money(&mut ws, r, 8, t.paid_before, &st.total_money)?;
    money(&mut ws, r, 9, t.remaining_after, &st.total_money)?;
    ws.write_with_format(r, 10, usage_rate(t), &lo.total_pct)?;
    let total_row = r;

    // Notes under the table.
    let mut notes = vec![format!(
        "说明：1. 使用率 =（以前期间已发放 + 本期核准金额）÷ 年度限额；剩余额度 = 年度限额 − 以前期间已发放 − 本期核准金额。2. 超出年度限额的处理：{}。",
        over_cap_text(out.policy.over_cap)
    )];
    if out.unassigned.claimed_rows > 0 {
        notes.push(format!(
            "3. “{}”一行是县（市、区）一栏无法识别的数据行，均不予补贴，见“不予补贴明细”表。",
            out.unassigned.name
        ));
    }
    let note = total_row + 1;
    note_row(&mut ws, note, SUMMARY_COLS, &notes.join(""), &lo.note)?;

    // Sign-off line.
    let sign = note + 2;
    text(&mut ws, sign, 0, "制表人：", &st.sign)?;
    text(&mut ws, sign, 3, "审核人：", &st.sign)?;
    text(&mut ws, sign, 6, "负责人：", &st.sign)?;
    merged(
        &mut ws,
        sign,
        8,
        lc,
        &format!("日期：{}", style::cn_date(out.period.run_date)),
        &st.sign,
    )?;
    ws.set_row_height(sign, 24)?;

    // Chart under the sign-off line: approved amount vs annual cap per county.
    if let Some(cl) = counties_last {
        let mut chart = Chart::new(ChartType::Column);
        chart
            .title()
            .set_name("各县（市、区）本期核准金额与年度限额（元）")
            .set_font(ChartFont::new().set_size(12).set_bold());
        chart
            .add_series()
            .set_name("核准金额")
            .set_categories((SHEET_SUMMARY, first, 0, cl, 0))
            .set_values((SHEET_SUMMARY, first, 6, cl, 6));
        chart
            .add_series()
            .set_name("年度限额")
            .set_categories((SHEET_SUMMARY, first, 0, cl, 0))
            .set_values((SHEET_SUMMARY, first, 7, cl, 7));
        chart.y_axis().set_num_format("¥#,##0");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(1000).set_height(360);
        ws.insert_chart_with_offset(sign + 2, 0, &chart, 10, 0)?;
    }

    ws.set_freeze_panes(header + 1, 0)?;
    ws.autofilter(header, 0, last_data, lc)?;
    style::print_setup(&mut ws, header, header)?;
    Ok(ws)
}

fn county_row(ws: &mut Worksheet, cx: &Ctx, r: u32, s: &CountySummary, unassigned: bool) -> Res {
    let (st, lo) = (&cx.st, &cx.lo);
    text(ws, r, 0, &s.name, &st.text_wrap)?;
    match &s.code {
        Some(code) => text(ws, r, 1, code.as_str(), &lo.center)?,
        None => text(ws, r, 1, "—", &lo.center)?,
    }
    count(ws, r, 2, s.claimed_rows, &st.int)?;
    count(ws, r, 3, s.approved_rows, &st.int)?;
    count(ws, r, 4, s.rejected_rows, &st.int)?;
    count(ws, r, 5, s.held_rows, &st.int)?;
    money(ws, r, 6, s.approved_amount, &st.money)?;
    if unassigned {
        // No cap belongs to rows without a county.
        blanks(ws, r, 7..=10, &st.text)?;
    } else {
        money(ws, r, 7, s.cap, &st.money)?;
        money(ws, r, 8, s.paid_before, &st.money)?;
        money(ws, r, 9, s.remaining_after, &st.money)?;
        ws.write_with_format(r, 10, usage_rate(s), &st.pct)?;
    }
    Ok(())
}

fn over_cap_text(o: OverCap) -> &'static str {
    match o {
        OverCap::Hold => "超出部分待定",
        OverCap::Prorate => "按比例折算",
    }
}

// ---- 2. 核准明细 ----

const APPROVED_COLS: &[Col] = &[
    Col("序号", 5.0),
    Col("县（市、区）", 11.0),
    Col("司法所", 11.0),
    Col("人民调解委员会", 13.0),
    Col("案件编号", 25.0),
    Col("纠纷类型", 9.0),
    Col("纠纷等级", 6.0),
    Col("协议形式", 6.0),
    Col("结案日期", 10.5),
    Col("调解员", 7.0),
    Col("身份证号码", 19.5),
    Col("开户银行", 12.0),
    Col("银行账号", 21.0),
    Col("申报金额", 11.0),
    Col("标准金额", 11.0),
    Col("核准金额", 12.0),
    Col("提示", 26.0),
    Col("来源", 20.0),
];

/// The approved rows, sorted by county code, 司法所, case; returns the sheets, the sum of
/// 核准金额 written and the number of rows, after checking both against `out.totals`.
fn approved_sheets(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res<(Decimal, usize)> {
    let out = cx.out;
    let (st, lo) = (&cx.st, &cx.lo);
    let mut rows: Vec<(&Claim, &Decision)> = out
        .claims
        .iter()
        .zip(&out.decisions)
        .filter(|(_, d)| d.outcome == Outcome::Approved)
        .collect();
    rows.sort_by(|(a, _), (b, _)| {
        (
            county_key(a),
            a.office.as_deref().unwrap_or(""),
            a.case_key.as_deref().unwrap_or(""),
            &a.origin.file,
            a.origin.sheet_index,
            a.origin.row,
        )
            .cmp(&(
                county_key(b),
                b.office.as_deref().unwrap_or(""),
                b.case_key.as_deref().unwrap_or(""),
                &b.origin.file,
                b.origin.sheet_index,
                b.origin.row,
            ))
    });
    let mut pg = Paged::new(
        cx,
        wb,
        taken,
        SHEET_APPROVED,
        format!("{}核准案件明细", cx.prefix),
        APPROVED_COLS,
        true,
    );
    let mut sum = Decimal::ZERO;
    for (n, (c, d)) in rows.iter().enumerate() {
        let county = county_label(out, c);
        let mut hints: Vec<String> = d
            .issues
            .iter()
            .map(|i| finding(i.code, &i.message))
            .collect();
        if d.approved != d.standard {
            hints.push(format!(
                "按比例折算：标准 {} 元，按年度限额剩余比例核准 {} 元",
                crate::money::plain(d.standard),
                crate::money::plain(d.approved)
            ));
        }
        let hints = hints.join("\n");
        let place = c.origin.place();
        let height = fit_points(
            APPROVED_COLS,
            &[
                (1, &county),
                (2, c.office.as_deref().unwrap_or("")),
                (3, c.committee.as_deref().unwrap_or("")),
                (5, c.dispute_type.as_deref().unwrap_or("")),
                (11, c.bank.as_deref().unwrap_or("")),
                (16, &hints),
                (17, &place),
            ],
        );
        let mut w = pg.data_row(height)?;
        w.count(0, n + 1, &lo.int_center)?;
        w.text(1, &county, &st.text_wrap)?;
        w.opt_text(2, c.office.as_deref(), &st.text_wrap)?;
        w.opt_text(3, c.committee.as_deref(), &st.text_wrap)?;
        w.opt_text(4, c.case_no.as_deref(), &st.id_text)?;
        w.opt_text(5, c.dispute_type.as_deref(), &st.text_wrap)?;
        w.opt_text(6, c.level.map(|l| l.label()), &lo.center)?;
        w.opt_text(7, c.form.map(|f| f.label()), &lo.center)?;
        match c.close_date {
            Some(dt) => w.date(8, dt, &st.date)?,
            None => {
                w.blank(8, &st.date)?;
            }
        }
        w.opt_text(9, c.mediator.as_deref(), &st.text)?;
        w.opt_text(10, c.id_number.as_deref(), &st.id_text)?;
        w.opt_text(11, c.bank.as_deref(), &st.text_wrap)?;
        w.opt_text(12, c.account.as_deref(), &st.id_text)?;
        w.opt_money(13, c.claimed, &st.money)?;
        w.money(14, d.standard, &st.money)?;
        w.money(15, d.approved, &st.money)?;
        w.text(16, &hints, &st.text_wrap)?;
        w.text(17, &place, &st.text_wrap)?;
        sum += d.approved;
    }
    let sum = crate::money::fen(sum);
    if sum != out.totals.approved_amount || rows.len() != out.totals.approved_rows {
        return Err(Fail::Check(format!(
            "内部错误：核准明细 {} 件、合计 {} 元，与汇总合计 {} 件、{} 元不一致",
            rows.len(),
            crate::money::plain(sum),
            out.totals.approved_rows,
            crate::money::plain(out.totals.approved_amount)
        )));
    }
    let (ws, r) = pg.row(false, None)?;
    merged(
        ws,
        r,
        0,
        14,
        &format!("合计（{} 件）", rows.len()),
        &st.total_label,
    )?;
    money(ws, r, 15, out.totals.approved_amount, &st.total_money)?;
    blanks(ws, r, 16..=17, &st.total_label)?;
    pg.finish()?;
    Ok((sum, rows.len()))
}

// ---- 3. 不予补贴明细 ----

const REJECTED_COLS: &[Col] = &[
    Col("县（市、区）", 11.0),
    Col("案件编号", 25.0),
    Col("调解员", 7.0),
    Col("身份证号码", 19.5),
    Col("结案日期", 10.5),
    Col("不予补贴原因", 46.0),
    Col("原因代码", 21.0),
    Col("文件", 22.0),
    Col("工作表", 11.0),
    Col("行号", 5.0),
    Col("单元格", 9.0),
];

/// Rows in deterministic order: county code (unresolved last), then file, sheet, row.
fn rows_of(out: &RunOutput, outcome: Outcome) -> Vec<(&Claim, &Decision)> {
    let mut rows: Vec<(&Claim, &Decision)> = out
        .claims
        .iter()
        .zip(&out.decisions)
        .filter(|(_, d)| d.outcome == outcome)
        .collect();
    rows.sort_by(|(a, _), (b, _)| {
        (
            county_key(a),
            &a.origin.file,
            a.origin.sheet_index,
            a.origin.row,
        )
            .cmp(&(
                county_key(b),
                &b.origin.file,
                b.origin.sheet_index,
                b.origin.row,
            ))
    });
    rows
}

fn rejected_sheets(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res {
    let out = cx.out;
    let st = &cx.st;
    let mut pg = Paged::new(
        cx,
        wb,
        taken,
        SHEET_REJECTED,
        format!("{}不予补贴案件明细", cx.prefix),
        REJECTED_COLS,
        false,
    );
    let rows = rows_of(out, Outcome::Rejected);
    if rows.is_empty() {
        pg.note("本期无不予补贴案件")?;
    }
    for (c, d) in rows {
        let county = county_label(out, c);
        // Rejection reasons first, then the warnings the row also carries.
        let mut lines: Vec<String> = d
            .issues
            .iter()
            .filter(|i| i.code.severity() != Severity::Warning)
            .map(|i| finding(i.code, &i.message))
            .collect();
        lines.extend(
            d.issues
                .iter()
                .filter(|i| i.code.severity() == Severity::Warning)
                .map(|i| format!("〔提示〕{}", finding(i.code, &i.message))),
        );
        let why = lines.join("\n");
        let codes = d.reasons();
        let mut cells: Vec<&str> = Vec::new();
        for i in &d.issues {
            if let Some(cell) = i.cell.as_deref()
                && !cells.contains(&cell)
            {
                cells.push(cell);
            }
        }
        let cells = cells.join(", ");
        let height = fit_points(
            REJECTED_COLS,
            &[
                (0, &county),
                (5, &why),
                (6, &codes),
                (7, &c.origin.file),
                (8, &c.origin.sheet),
                (10, &cells),
            ],
        );
        let mut w = pg.data_row(height)?;
        w.text(0, &county, &st.text_wrap)?;
        w.opt_text(
            1,
            shown(c.case_no.as_deref(), c, Field::CaseNo).as_deref(),
            &st.id_text,
        )?;
        w.opt_text(
            2,
            shown(c.mediator.as_deref(), c, Field::Mediator).as_deref(),
            &st.text,
        )?;
        w.opt_text(
            3,
            shown(c.id_number.as_deref(), c, Field::IdNumber).as_deref(),
            &st.id_text,
        )?;
        match c.close_date {
            Some(dt) => w.date(4, dt, &st.date)?,
            None => w.opt_text(
                4,
                shown(None, c, Field::CloseDate).as_deref(),
                &cx.lo.center,
            )?,
        }
        w.text(5, &why, &st.text_wrap)?;
        w.text(6, &codes, &st.text_wrap)?;
        w.text(7, &c.origin.file, &st.text_wrap)?;
        w.text(8, &c.origin.sheet, &st.text_wrap)?;
        w.count(9, c.origin.row, &cx.lo.int_center)?;
        w.text(10, &cells, &st.text_wrap)?;
    }
    pg.finish()
}

// ---- 4. 超预算待定 ----

const HELD_COLS: &[Col] = &[
    Col("县（市、区）", 16.0),
    Col("案件编号", 25.0),
    Col("调解员", 10.0),
    Col("结案日期", 11.0),
    Col("标准金额", 13.0),
    Col("说明", 92.0),
    Col("来源", 36.0),
];

fn held_sheets(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res {
    let out = cx.out;
    let st = &cx.st;
    let mut pg = Paged::new(
        cx,
        wb,
        taken,
        SHEET_HELD,
        format!("{}超预算待定案件", cx.prefix),
        HELD_COLS,
        true,
    );
    let mut rows = rows_of(out, Outcome::Held);
    // The order caps are applied in (SPEC §4.4): county, 结案日期, case.
    rows.sort_by(|(a, _), (b, _)| {
        (county_key(a), a.close_date, &a.case_key).cmp(&(county_key(b), b.close_date, &b.case_key))
    });
    if rows.is_empty() {
        pg.note("本期无超预算待定案件")?;
    }
    for (c, d) in rows {
        let county = county_label(out, c);
        let why: Vec<&str> = d
            .issues
            .iter()
            .filter(|i| i.code == RowCode::OverCap)
            .map(|i| i.message.as_str())
            .collect();
        let why = why.join("\n");
        let place = c.origin.place();
        let height = fit_points(HELD_COLS, &[(0, &county), (5, &why), (6, &place)]);
        let mut w = pg.data_row(height)?;
        w.text(0, &county, &st.text_wrap)?;
        w.opt_text(1, c.case_no.as_deref(), &st.id_text)?;
        w.opt_text(2, c.mediator.as_deref(), &st.text)?;
        match c.close_date {
            Some(dt) => w.date(3, dt, &st.date)?,
            None => {
                w.blank(3, &st.date)?;
            }
        }
        w.money(4, d.standard, &st.money)?;
        w.text(5, &why, &st.text_wrap)?;
        w.text(6, &place, &st.text_wrap)?;
    }
    pg.finish()
}

// ---- 5. 文件问题 ----

const FILE_PROBLEM_COLS: &[Col] = &[
    Col("文件", 34.0),
    Col("工作表", 14.0),
    Col("问题代码", 16.0),
    Col("问题类型", 18.0),
    Col("问题说明", 80.0),
];

fn file_problem_sheets(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res {
    let out = cx.out;
    let (st, lo) = (&cx.st, &cx.lo);
    let mut pg = Paged::new(
        cx,
        wb,
        taken,
        SHEET_FILES,
        format!("{}申报文件问题清单", cx.prefix),
        FILE_PROBLEM_COLS,
        false,
    );
    let mut any = false;
    for f in &out.files {
        for (code, message, sheet) in f.problems() {
            any = true;
            let height = fit_points(
                FILE_PROBLEM_COLS,
                &[
                    (0, &f.path),
                    (1, sheet.unwrap_or("")),
                    (3, code.label()),
                    (4, &message),
                ],
            );
            let (ws, r) = pg.row(true, height)?;
            text(ws, r, 0, &f.path, &st.text_wrap)?;
            opt_text(ws, r, 1, sheet, &st.text_wrap)?;
            text(ws, r, 2, code.as_str(), &st.text)?;
            text(ws, r, 3, code.label(), &st.text_wrap)?;
            text(ws, r, 4, &message, &st.text_wrap)?;
        }
    }
    // Files that hold no workbook (SPEC §10.1): no problem of the run, listed all the same so
    // that nothing a county sent goes unanswered.
    for sk in &out.skipped {
        any = true;
        let label = crate::ingest::discover::SKIPPED_LABEL;
        let height = fit_points(
            FILE_PROBLEM_COLS,
            &[(0, &sk.rel), (3, label), (4, &sk.message)],
        );
        let (ws, r) = pg.row(true, height)?;
        text(ws, r, 0, &sk.rel, &st.text_wrap)?;
        ws.write_blank(r, 1, &st.text)?;
        text(ws, r, 2, "skipped", &st.text)?;
        text(ws, r, 3, label, &st.text_wrap)?;
        text(ws, r, 4, &sk.message, &st.text_wrap)?;
    }
    for n in &out.notices {
        any = true;
        let (ws, r) = pg.row(true, fit_points(FILE_PROBLEM_COLS, &[(4, n)]))?;
        text(ws, r, 0, "（整批）", &st.text)?;
        ws.write_blank(r, 1, &st.text)?;
        text(ws, r, 2, "—", &lo.center)?;
        text(ws, r, 3, "运行提示", &st.text)?;
        text(ws, r, 4, n, &st.text_wrap)?;
    }
    if !any {
        pg.note("本期所有文件均已读取")?;
    }
    pg.finish()
}

// ---- 6. 对账 ----

const RECON_COLS: &[Col] = &[
    Col("县（市、区）", 26.0),
    Col("申报行数", 9.0),
    Col("核准行数", 9.0),
    Col("不予补贴行数", 9.0),
    Col("待定行数", 9.0),
    Col("行数核对", 8.0),
    Col("申报标准金额", 15.0),
    Col("核准金额", 15.0),
    Col("不予补贴金额", 15.0),
    Col("待定金额", 15.0),
    Col("折算减少额", 13.0),
    Col("金额核对", 8.0),
];

fn balanced<'a>(cx: &'a Ctx, ok: bool) -> (&'static str, &'a Format) {
    if ok {
        ("平", &cx.lo.ok)
    } else {
        ("不平", &cx.lo.bad)
    }
}

fn recon_row(ws: &mut Worksheet, cx: &Ctx, r: u32, s: &CountySummary, total: bool) -> Res {
    let st = &cx.st;
    let (lf, intf, mf) = if total {
        (&st.total_label, &st.total_int, &st.total_money)
    } else {
        (&st.text_wrap, &st.int, &st.money)
    };
    text(ws, r, 0, &s.name, lf)?;
    count(ws, r, 1, s.claimed_rows, intf)?;
    count(ws, r, 2, s.approved_rows, intf)?;
    count(ws, r, 3, s.rejected_rows, intf)?;
    count(ws, r, 4, s.held_rows, intf)?;
    let rows_ok = s.claimed_rows == s.approved_rows + s.rejected_rows + s.held_rows;
    let (t, f) = balanced(cx, rows_ok);
    text(ws, r, 5, t, f)?;
    money(ws, r, 6, s.claimed_amount, mf)?;
    money(ws, r, 7, s.approved_amount, mf)?;
    money(ws, r, 8, s.rejected_amount, mf)?;
    money(ws, r, 9, s.held_amount, mf)?;
    money(ws, r, 10, s.prorate_reduction, mf)?;
    let amount_ok = s.claimed_amount
        == s.approved_amount + s.rejected_amount + s.held_amount + s.prorate_reduction;
    let (t, f) = balanced(cx, amount_ok);
    text(ws, r, 11, t, f)?;
    Ok(())
}

enum Figure {
    Count(usize),
    Amount(Decimal),
}

fn reconciliation_sheet(cx: &Ctx, approved_sum: Decimal, approved_count: usize) -> Res<Worksheet> {
    let out = cx.out;
    let (st, lo) = (&cx.st, &cx.lo);
    let mut ws = Worksheet::new();
    let lc = last_col(RECON_COLS);
    title_rows(cx, &mut ws, &format!("{}审核对账表", cx.prefix), lc, true)?;
    header_row(&mut ws, st, HEADER, RECON_COLS)?;
    set_widths(&mut ws, RECON_COLS)?;
    let mut r = HEADER + 1;
    for s in out.counties.iter().chain(std::iter::once(&out.unassigned)) {
        recon_row(&mut ws, cx, r, s, false)?;
        r += 1;
    }
    let last_data = r - 1;
    recon_row(&mut ws, cx, r, &out.totals, true)?;
    r += 1;
    note_row(
        &mut ws,
        r,
        RECON_COLS,
        "核对规则：申报行数 = 核准 + 不予补贴 + 待定；申报标准金额 = 核准金额 + 不予补贴金额 + 待定金额 + 折算减少额（按比例折算时标准金额与核准金额之差）。",
        &lo.note,
    )?;
    r += 2;

    // Whole-run checks.
    let data_rows: usize = out.files.iter().map(|f| f.data_rows).sum();
    let checks: [(&str, String, Figure, Figure, bool); 4] = [
        (
            "数据行数",
            "decisions.csv 行数（已审核的数据行）＝ 各文件数据行数之和".into(),
            Figure::Count(out.claims.len()),
            Figure::Count(data_rows),
            out.claims.len() == data_rows,
        ),
        (
            "申报行数",
            "汇总表申报行数合计 ＝ decisions.csv 行数".into(),
            Figure::Count(out.totals.claimed_rows),
            Figure::Count(out.claims.len()),
            out.totals.claimed_rows == out.claims.len(),
        ),
        (
            "核准件数",
            "“核准明细”行数 ＝ 汇总表核准合计".into(),
            Figure::Count(approved_count),
            Figure::Count(out.totals.approved_rows),
            approved_count == out.totals.approved_rows,
        ),
        (
            "核准金额",
            "“核准明细”核准金额合计 ＝ 汇总表核准金额合计".into(),
            Figure::Amount(approved_sum),
            Figure::Amount(out.totals.approved_amount),
            approved_sum == out.totals.approved_amount,
        ),
    ];
    text(&mut ws, r, 0, "核对项目", &st.header)?;
    merged(&mut ws, r, 1, 5, "核对内容", &st.header)?;
    text(&mut ws, r, 6, "左边", &st.header)?;
    text(&mut ws, r, 7, "右边", &st.header)?;
    text(&mut ws, r, 8, "核对", &st.header)?;
    ws.set_row_height(r, 20)?;
    r += 1;
    for (item, what, left, right, ok) in checks {
        text(&mut ws, r, 0, item, &st.text)?;
        merged(&mut ws, r, 1, 5, &what, &st.text_wrap)?;
        for (c, v) in [(6u16, left), (7, right)] {
            match v {
                Figure::Count(n) => count(&mut ws, r, c, n, &st.int)?,
                Figure::Amount(a) => money(&mut ws, r, c, a, &st.money)?,
            }
        }
        let (t, f) = balanced(cx, ok);
        text(&mut ws, r, 8, t, f)?;
        r += 1;
    }
    ws.set_freeze_panes(HEADER + 1, 0)?;
    ws.autofilter(HEADER, 0, last_data, lc)?;
    style::print_setup(&mut ws, HEADER, HEADER)?;
    Ok(ws)
}

// ---- 7. 运行信息 ----

const RUN_FILE_COLS: &[Col] = &[
    Col("文件", 36.0),
    Col("格式", 7.0),
    Col("大小（字节）", 13.0),
    Col("SHA-256", 66.0),
    Col("状态", 7.0),
    Col("数据行数", 9.0),
    Col("工作表", 34.0),
];

fn format_name(f: Option<crate::ingest::Format>) -> &'static str {
    use crate::ingest::Format;
    match f {
        Some(Format::Xlsx) => "xlsx",
        Some(Format::Xlsb) => "xlsb",
        Some(Format::Xls) => "xls",
        Some(Format::Ods) => "ods",
        None => "无法识别",
    }
}

fn run_sheet(cx: &Ctx) -> Res<Worksheet> {
    let out = cx.out;
    let (st, lo) = (&cx.st, &cx.lo);
    let mut ws = Worksheet::new();
    let lc = last_col(RUN_FILE_COLS);
    title_rows(
        cx,
        &mut ws,
        &format!("{}审核运行信息", cx.prefix),
        lc,
        false,
    )?;
    set_widths(&mut ws, RUN_FILE_COLS)?;
    let p = &out.policy;
    let data_rows: usize = out.files.iter().map(|f| f.data_rows).sum();
    let mut items: Vec<(&str, String)> = vec![
        ("政策名称", p.name.clone()),
        ("政策来源", p.source.clone()),
        ("政策 SHA-256", p.sha256.clone()),
        ("政策年度", format!("{} 年", p.year)),
        ("超限额处理", over_cap_text(p.over_cap).to_string()),
        (
            "发放期间",
            format!("{}（{}）", out.period.label, half_name(out)),
        ),
        ("期间起止", period_range(out)),
        ("发放截止日期", style::cn_date(out.period.def.pay_by)),
        ("审核日期", style::cn_date(out.period.run_date)),
        ("程序版本", format!("payrun {}", out.program_version)),
        (
            "输入文件",
            format!(
                "{} 个（读取有误 {} 个）",
                out.files.len(),
                out.files.iter().filter(|f| !f.ok()).count()
            ),
        ),
        ("已审核数据行", format!("{data_rows} 行")),
    ];
    if out.without_ledger {
        items.push((
            "台账",
            "未使用台账（--without-ledger）：按本年度以前期间未发放任何补贴计算限额，无法识别以前期间已发放的案件".to_string(),
        ));
    }
    let mut r = HEADER;
    text(&mut ws, r, 0, "项目", &st.header)?;
    merged(&mut ws, r, 1, lc, "内容", &st.header)?;
    r += 1;
    for (k, v) in items {
        text(&mut ws, r, 0, k, &st.total_label)?;
        merged(&mut ws, r, 1, lc, &v, &st.text)?;
        r += 1;
    }
    r += 1;
    merged(&mut ws, r, 0, lc, "输入文件", &st.sign)?;
    r += 1;
    let head = r;
    header_row(&mut ws, st, head, RUN_FILE_COLS)?;
    ws.set_row_height(head, 20)?;
    r += 1;
    if out.files.is_empty() {
        merged(&mut ws, r, 0, lc, "本次没有输入文件", &st.text)?;
        r += 1;
    }
    for f in &out.files {
        text(&mut ws, r, 0, &f.path, &st.text_wrap)?;
        text(&mut ws, r, 1, format_name(f.format), &lo.center)?;
        ws.write_with_format(r, 2, Decimal::from(f.bytes), &lo.int_sep)?;
        text(&mut ws, r, 3, &f.sha256, &st.text)?;
        if f.ok() {
            text(&mut ws, r, 4, "正常", &lo.ok)?;
        } else {
            text(&mut ws, r, 4, "错误", &lo.bad)?;
        }
        count(&mut ws, r, 5, f.data_rows, &st.int)?;
        let sheets: Vec<String> = f
            .sheets
            .iter()
            .map(|s| {
                let hidden = if s.hidden { "（隐藏）" } else { "" };
                let what = match (&s.problem, s.is_claim) {
                    (Some((code, _)), _) => format!("未审核（{}）", code.label()),
                    (None, true) => format!("{} 行", s.data_rows),
                    (None, false) => "非申报表".to_string(),
                };
                format!("{}{hidden}：{what}", s.name)
            })
            .collect();
        let sheets = sheets.join("\n");
        text(&mut ws, r, 6, &sheets, &st.text_wrap)?;
        fit_row(&mut ws, r, RUN_FILE_COLS, &[(0, &f.path), (6, &sheets)])?;
        r += 1;
    }
    let last = r.saturating_sub(1).max(head);
    ws.autofilter(head, 0, last, lc)?;
    ws.set_freeze_panes(head + 1, 0)?;
    style::print_setup(&mut ws, head, head)?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use calamine::{Data, Range, Reader, Xlsx, open_workbook};
    use chrono::NaiveDate;

    use super::*;

    proptest::proptest! {
        #[test]
        fn short_segments_take_one_line_as_the_fill_says(seg in "[a-z0-9 （）玉溪é\\-]{0,30}", width in 1.0f64..40.0) {
            let usable = ((width - 0.7) * 0.97).max(1.0);
            proptest::prop_assert_eq!(wrapped_lines(&seg, width), segment_lines(&seg, usable).max(1));
        }
    }
    use crate::decide::PriorPayments;
    use crate::ingest::worker::Isolation;
    use crate::policy::Policy;
    use crate::run::{RunConfig, evaluate};

    fn run_mixed(out_dir: &Path) -> RunOutput {
        let cfg = RunConfig {
            input: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/external/mixed"),
            out: out_dir.to_path_buf(),
            period: "2025-H1".into(),
            run_date: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
            threads: Some(2),
            isolation: Isolation::InProcess,
        };
        evaluate(
            &cfg,
            Policy::default_policy().unwrap(),
            &PriorPayments::default(),
            &|_| {},
        )
        .unwrap()
    }

    fn sheet(path: &Path, name: &str) -> Range<Data> {
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        wb.worksheet_range(name).unwrap()
    }

    fn s(r: &Range<Data>, row: u32, col: u32) -> String {
        match r.get_value((row, col)) {
            Some(Data::String(t)) => t.clone(),
            Some(Data::Float(f)) => f.to_string(),
            Some(Data::Int(i)) => i.to_string(),
            _ => String::new(),
        }
    }

    fn dec(r: &Range<Data>, row: u32, col: u32) -> Decimal {
        match r.get_value((row, col)) {
            Some(Data::Float(f)) => Decimal::try_from(*f).unwrap(),
            Some(Data::Int(i)) => Decimal::from(*i),
            other => panic!("no number at ({row},{col}): {other:?}"),
        }
    }

    fn num(r: &Range<Data>, row: u32, col: u32) -> usize {
        let d = dec(r, row, col);
        usize::try_from(d.mantissa()).unwrap() / 10usize.pow(d.scale())
    }

    fn fen(d: Decimal) -> Decimal {
        crate::money::fen(d)
    }

    /// Absolute row of the first cell in column `col` equal to `text`.
    fn find_row(r: &Range<Data>, col: u32, text: &str) -> Option<u32> {
        let (r0, _) = r.start()?;
        let (r1, _) = r.end()?;
        (r0..=r1).find(|&row| s(r, row, col) == text)
    }

    #[test]
    fn workbook_reads_back_as_the_run_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = run_mixed(dir.path());
        assert!(out.totals.approved_rows > 0 && out.totals.rejected_rows > 0);
        let path = dir.path().join("审批汇总表_2025-H1.xlsx");
        write_approval(&out, &path).unwrap();

        let wb: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "汇总",
                "核准明细",
                "不予补贴明细",
                "超预算待定",
                "文件问题",
                "对账",
                "运行信息"
            ]
        );

        // 汇总: every county row and the 合计 row are out.counties / out.totals, to the fen.
        let sum = sheet(&path, "汇总");
        assert_eq!(
            s(&sum, 0, 0),
            "玉溪市2025年上半年人民调解“一案一补”补贴审批汇总表"
        );
        for c in out.counties.iter().chain(std::iter::once(&out.totals)) {
            let r = find_row(&sum, 0, &c.name).unwrap_or_else(|| panic!("{} missing", c.name));
            assert_eq!(num(&sum, r, 2), c.claimed_rows, "{}", c.name);
            assert_eq!(num(&sum, r, 3), c.approved_rows, "{}", c.name);
            assert_eq!(num(&sum, r, 4), c.rejected_rows, "{}", c.name);
            assert_eq!(num(&sum, r, 5), c.held_rows, "{}", c.name);
            assert_eq!(fen(dec(&sum, r, 6)), c.approved_amount, "{}", c.name);
            assert_eq!(fen(dec(&sum, r, 7)), c.cap, "{}", c.name);
            assert_eq!(fen(dec(&sum, r, 8)), c.paid_before, "{}", c.name);
            assert_eq!(fen(dec(&sum, r, 9)), c.remaining_after, "{}", c.name);
        }
        let tr = find_row(&sum, 0, "合计").unwrap();
        assert_eq!(
            dec(&sum, tr, 10).round_dp(4),
            usage_rate(&out.totals),
            "使用率"
        );
        assert!(find_row(&sum, 0, "制表人：").is_some());

        // 核准明细: one numbered row per approved decision; the rows add up to the total.
        let ap = sheet(&path, "核准明细");
        assert_eq!(s(&ap, HEADER, 0), "序号");
        assert_eq!(s(&ap, HEADER, 15), "核准金额");
        let mut rows = 0;
        let mut total = Decimal::ZERO;
        let mut r = HEADER + 1;
        while matches!(ap.get_value((r, 0)), Some(Data::Float(_))) {
            rows += 1;
            total += dec(&ap, r, 15);
            r += 1;
        }
        assert_eq!(rows, out.totals.approved_rows);
        assert_eq!(fen(total), out.totals.approved_amount);
        assert!(s(&ap, r, 0).starts_with("合计"));
        assert_eq!(fen(dec(&ap, r, 15)), out.totals.approved_amount);

        // 不予补贴明细: every rejected row, found by file, sheet and row, with its codes.
        let rj = sheet(&path, "不予补贴明细");
        let (_, _) = rj.end().unwrap();
        let mut seen = 0;
        for (c, d) in out.claims.iter().zip(&out.decisions) {
            if d.outcome != Outcome::Rejected {
                continue;
            }
            seen += 1;
            let hit = (HEADER + 1..=rj.end().unwrap().0).find(|&r| {
                s(&rj, r, 7) == *c.origin.file
                    && s(&rj, r, 8) == *c.origin.sheet
                    && num(&rj, r, 9) == c.origin.row as usize
            });
            let r = hit.unwrap_or_else(|| panic!("{} not listed", c.origin.place()));
            assert_eq!(s(&rj, r, 6), d.reasons());
            for i in &d.issues {
                assert!(s(&rj, r, 5).contains(i.code.label()), "{}", i.code);
                if let Some(cell) = &i.cell {
                    assert!(s(&rj, r, 10).contains(cell.as_str()));
                }
            }
        }
        assert_eq!(seen, out.totals.rejected_rows);

        // 超预算待定: none in this input.
        let hd = sheet(&path, "超预算待定");
        assert_eq!(s(&hd, HEADER + 1, 0), "本期无超预算待定案件");

        // 文件问题 lists the sheet problems of the .xls file.
        let fp = sheet(&path, "文件问题");
        let codes: Vec<String> = (HEADER + 1..=fp.end().unwrap().0)
            .map(|r| s(&fp, r, 2))
            .collect();
        assert!(codes.iter().any(|c| c == "unknown_county"), "{codes:?}");
        assert!(codes.iter().any(|c| c == "missing_column"), "{codes:?}");

        // 对账: everything balances.
        let rc = sheet(&path, "对账");
        let mut checks = 0;
        for r in HEADER + 1..=rc.end().unwrap().0 {
            for c in 0..12 {
                let v = s(&rc, r, c);
                assert_ne!(v, "不平", "row {r} col {c}");
                checks += usize::from(v == "平");
            }
        }
        assert!(checks >= 2 * (out.counties.len() + 2) + 4);

        // 运行信息 names every input file with its SHA-256.
        let ri = sheet(&path, "运行信息");
        for f in &out.files {
            let r = find_row(&ri, 0, &f.path).unwrap();
            assert_eq!(s(&ri, r, 3), f.sha256);
        }

        // Reproducible: a second write gives the same bytes.
        let again = dir.path().join("again.xlsx");
        write_approval(&out, &again).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&again).unwrap()
        );
    }

    #[test]
    fn full_detail_sheets_continue_with_the_same_header() {
        let dir = tempfile::tempdir().unwrap();
        let out = run_mixed(dir.path());
        // Room for 3 rows under the header on each sheet.
        let limit = HEADER + 4;
        let mut wb = build(&out, limit).unwrap();
        let path = dir.path().join("paged.xlsx");
        std::fs::write(&path, wb.save_to_buffer().unwrap()).unwrap();

        let book: Xlsx<_> = open_workbook(&path).unwrap();
        let names = book.sheet_names();
        let approved: Vec<&String> = names.iter().filter(|n| n.starts_with("核准明细")).collect();
        // n approved rows + the 合计 row, 3 per sheet.
        let expect = (out.totals.approved_rows + 1).div_ceil(3);
        assert_eq!(approved.len(), expect);
        assert_eq!(approved[0], "核准明细");
        assert_eq!(approved[1], "核准明细(2)");
        let mut rows = 0;
        let mut total = Decimal::ZERO;
        for name in &approved {
            let r = sheet(&path, name);
            assert!(r.end().unwrap().0 < limit);
            for (c, col) in APPROVED_COLS.iter().enumerate() {
                assert_eq!(s(&r, HEADER, c as u32), col.0);
            }
            for row in HEADER + 1..=r.end().unwrap().0 {
                if matches!(r.get_value((row, 0)), Some(Data::Float(_))) {
                    rows += 1;
                    total += dec(&r, row, 15);
                }
            }
        }
        assert_eq!(rows, out.totals.approved_rows);
        assert_eq!(fen(total), out.totals.approved_amount);
        let last = sheet(&path, approved[approved.len() - 1]);
        assert!(s(&last, last.end().unwrap().0, 0).starts_with("合计"));
        // The other paged sheets continue too, and the fixed sheets keep their order.
        assert!(names.iter().any(|n| n == "不予补贴明细(2)"));
        assert_eq!(names.last().unwrap(), "运行信息");
    }

    #[test]
    fn a_total_that_does_not_match_is_refused_and_input_text_stays_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = run_mixed(dir.path());
        // Text that looks like a formula stays text.
        let i = out
            .decisions
            .iter()
            .position(|d| d.outcome == Outcome::Approved)
            .unwrap();
        out.claims[i].mediator = Some("=HYPERLINK(\"http://x\",\"点我\")".into());
        let path = dir.path().join("a.xlsx");
        write_approval(&out, &path).unwrap();
        let ap = sheet(&path, "核准明细");
        assert!(find_row(&ap, 9, "=HYPERLINK(\"http://x\",\"点我\")").is_some());
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let formulas = wb.worksheet_formula("核准明细").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

        // A total that the detail rows do not add up to is a bug: refused, nothing written.
        out.totals.approved_amount += Decimal::ONE;
        let bad = dir.path().join("bad.xlsx");
        let err = write_approval(&out, &bad).unwrap_err();
        assert!(err.contains("核准明细"), "{err}");
        assert!(!bad.exists());
    }

    #[test]
    fn usage_rate_is_decimal_and_zero_without_cap() {
        let mut s = CountySummary {
            cap: Decimal::new(10_000_000, 2),
            paid_before: Decimal::new(3_000_000, 2),
            approved_amount: Decimal::new(1_234_500, 2),
            ..Default::default()
        };
        assert_eq!(usage_rate(&s), Decimal::new(4235, 4));
        s.cap = Decimal::ZERO;
        assert_eq!(usage_rate(&s), Decimal::ZERO);
    }
}
