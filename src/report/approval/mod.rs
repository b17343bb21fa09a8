//! 审批汇总表_<period>.xlsx (SPEC §4.6): the consolidated approval workbook finance staff sign.
//!
//! Rendering only. Every figure comes from [`RunOutput`]: per-county figures from
//! `out.counties`, `out.unassigned` and `out.totals`, row figures from the decisions. The only
//! sums made here are cross-checks (the 核准明细 total against `out.totals`, the reconciliation
//! identities), and a check that fails is reported, never papered over.
//!
//! Sheets, in order: 汇总 (with a column chart, [`summary`]), 核准明细, 不予补贴明细,
//! 超预算待定, 文件问题 ([`details`], paged by [`paged`]: a detail sheet that would pass Excel's
//! row limit continues on 核准明细(2) … with the same title and header), 对账 ([`reconcile`]),
//! 运行信息 ([`run_info`]). This module holds what the sheets share: the titles, the table
//! columns, the header row.

mod details;
mod paged;
mod reconcile;
mod run_info;
mod summary;
#[cfg(test)]
mod tests;

use std::path::Path;

use rust_xlsxwriter::{Workbook, XlsxError};

use super::sheet::{Columns, Sheet};
use super::style::{self, MAX_ROWS, Styles};
use super::text::row_pixels;
use crate::mediation::RunOutput;
use crate::policy::OverCap;

/// Title, info line, header: the header of every table sheet sits on this row (0-based).
const HEADER: u32 = 2;
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

/// The columns of a table, for the sheet writer.
fn columns<'f>(cols: &[Col]) -> Columns<'f> {
    Columns::chars(&cols.iter().map(|c| c.1).collect::<Vec<_>>())
}

/// What every sheet shares: the data, the formats, the titles.
struct Ctx<'a> {
    out: &'a RunOutput,
    st: Styles,
    /// "玉溪市2025年上半年人民调解“一案一补”".
    prefix: String,
    /// "发放期间：2025-H1（上半年，2025年1月1日至2025年6月30日）　　制表日期：2025年6月30日".
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
    let cx = Ctx {
        out,
        prefix: format!(
            "玉溪市{}年{}人民调解“一案一补”",
            out.policy.year,
            half_name(out)
        ),
        info: format!(
            "发放期间：{}（{}，{}）　　{}",
            out.period.label,
            half_name(out),
            period_range(out),
            style::made_on(out.period.run_date)
        ),
        st: Styles::new(),
        row_limit: row_limit.clamp(HEADER + 2, MAX_ROWS),
    };
    let mut wb = style::workbook();
    wb.set_properties(&style::properties(
        &workbook_title(out),
        out.period.run_date,
    ));
    let mut taken: Vec<String> = Vec::new();

    let summary = summary::sheet(&cx)?;
    super::sheet::push(&mut wb, summary, SHEET_SUMMARY, &mut taken)?;
    let (approved_sum, approved_count) = details::approved(&cx, &mut wb, &mut taken)?;
    details::rejected(&cx, &mut wb, &mut taken)?;
    details::held(&cx, &mut wb, &mut taken)?;
    details::file_problems(&cx, &mut wb, &mut taken)?;
    let recon = reconcile::sheet(&cx, approved_sum, approved_count)?;
    super::sheet::push(&mut wb, recon, SHEET_RECON, &mut taken)?;
    let run = run_info::sheet(&cx)?;
    super::sheet::push(&mut wb, run, SHEET_RUN, &mut taken)?;
    Ok(wb)
}

fn last_col(cols: &[Col]) -> u16 {
    u16::try_from(cols.len().saturating_sub(1)).unwrap_or(0)
}

/// The height (pixels) that shows the wrapped texts `cells` (column, text) whole; None for one
/// line (the sheet's standard height).
fn fit_px(cols: &Columns, cells: &[(u16, &str)]) -> Option<u32> {
    let lines = cols.lines(cells);
    (lines > 1).then(|| row_pixels(lines))
}

/// The header row `r` of a table, at least two lines high (so one header row looks like the
/// next) and as high as its longest head needs.
fn header_row(sh: &mut Sheet, st: &Styles, r: u32, cols: &[Col]) -> Res {
    let heads: Vec<&str> = cols.iter().map(|c| c.0).collect();
    sh.header_fitted(r, &heads, &st.header, 2)?;
    Ok(())
}

/// Title (row 0) and info line (row 1) of a sheet `cols` wide; "单位：元" on the right when the
/// sheet holds amounts.
fn title_rows(cx: &Ctx, sh: &mut Sheet, title: &str, ncols: u16, unit: bool) -> Res {
    sh.merged(0, 0, ncols, title, &cx.st.title)?;
    sh.ws.set_row_height(0, TITLE_HEIGHT)?;
    if unit && ncols >= 1 {
        sh.merged(1, 0, ncols - 1, &cx.info, &cx.st.subtitle)?;
        sh.text(1, ncols, "单位：元", &cx.st.subtitle_right)?;
    } else {
        sh.merged(1, 0, ncols, &cx.info, &cx.st.subtitle)?;
    }
    sh.ws.set_row_height(1, 20)?;
    Ok(())
}

fn over_cap_text(o: OverCap) -> &'static str {
    match o {
        OverCap::Hold => "超出部分待定",
        OverCap::Prorate => "按比例折算",
    }
}
