//! The three workbooks of a staff run, in the look of the program-A reports (title, unit line,
//! frozen header, filters, ¥#,##0.00, IDs as text, 大写 totals, sign-off lines, A4 landscape
//! one page wide with header rows repeated and 第 X 页，共 Y 页).
//!
//! * **经费下达表_<year>.xlsx** — 经费下达表 (per county: 定额, 预算额度, 申报人数, 核准在岗人数,
//!   下达人数, 下达金额, 未分配资金; total and its 大写), 审核明细 (every row with its decision
//!   and located reasons: the basis of the notice), 文件问题, 运行信息.
//! * **协勤人员工资发放表_<year>.xlsx** — 汇总, then one sheet per county with people in post,
//!   grouped by 司法所 with 小计 rows, the county 合计, its 大写 and sign-off lines.
//! * **绩效评价表_<year>.xlsx** — 绩效评价 (per county figures, score, 等次, how the score is
//!   computed, two native column charts) and 问题清单 (one line per finding and file problem).
//!
//! Rendering only: every figure comes from [`StaffOutput`]. The sums made here are
//! cross-checks against the run's own totals; a difference is an error (a bug), never a
//! printed form.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart, ChartFont, ChartLegendPosition, ChartType, Format, FormatAlign, IgnoreError, Workbook,
    Worksheet, XlsxError,
};

use super::parse::StaffRow;
use super::rules::{StaffDecision, outcome_label};
use super::{CountyStaff, StaffOutput, yuan_text};
use crate::cell::format_daxie;
use crate::codes::Severity;
use crate::county::CountyCode;
use crate::decide::Outcome;
use crate::ingest::header::StaffField;
use crate::money::fen;
use crate::report::payroll::{column_pixels, display_width, row_pixels, wrapped_lines};
use crate::report::style::{self, MAX_ROWS, Styles};

/// Who issues the notice, payroll and evaluation.
const ISSUER: &str = "玉溪市司法局";
/// Shown in 银行账号 when the person gave none (as the program-A payroll).
pub const NO_ACCOUNT: &str = "待补账号";
pub const NO_BANK: &str = "待补开户银行";
/// Detail tables stop before Excel's last row; the rest is in decisions.csv.
const MAX_TABLE_ROWS: u32 = MAX_ROWS - 64;

pub const SHEET_NOTICE: &str = "经费下达表";
pub const SHEET_DETAIL: &str = "审核明细";
pub const SHEET_FILES: &str = "文件问题";
pub const SHEET_RUN: &str = "运行信息";
pub const SHEET_PAY_SUMMARY: &str = "汇总";
pub const SHEET_PERFORMANCE: &str = "绩效评价";
pub const SHEET_PROBLEMS: &str = "问题清单";

type Res<T = ()> = Result<T, XlsxError>;

/// Formats of these workbooks beyond the shared ones, built once per workbook.
struct Fm {
    st: Styles,
    center: Format,
    total_center: Format,
    total_text: Format,
    daxie: Format,
    sign: Format,
    note: Format,
    pct: Format,
    total_pct: Format,
    score: Format,
    total_score: Format,
    bad: Format,
    held: Format,
}

impl Fm {
    fn new() -> Fm {
        let st = Styles::new();
        Fm {
            center: st.text.clone().set_align(FormatAlign::Center),
            total_center: st.total_label.clone().set_align(FormatAlign::Center),
            total_text: st.total_label.clone().set_text_wrap(),
            daxie: st.total_label.clone().set_align(FormatAlign::Left),
            sign: st.sign.clone().set_align(FormatAlign::VerticalCenter),
            note: st.plain.clone().set_text_wrap().set_align(FormatAlign::Top),
            pct: st.text.clone().set_num_format("0.00%"),
            total_pct: st.total_label.clone().set_num_format("0.00%"),
            score: st.text.clone().set_num_format("0.00"),
            total_score: st.total_label.clone().set_num_format("0.00"),
            bad: st
                .warn_text
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center),
            held: st
                .text
                .clone()
                .set_background_color(rust_xlsxwriter::Color::RGB(0xFFEB9C))
                .set_bold()
                .set_align(FormatAlign::Center),
            st,
        }
    }
}

fn xe(path: &Path) -> impl Fn(XlsxError) -> String + '_ {
    move |e| format!("生成 {} 失败：{e}", path.display())
}

// ---- small writers: input text always goes through cell_text and write_string ----

fn text(ws: &mut Worksheet, r: u32, c: u16, s: &str, f: &Format) -> Res {
    ws.write_string_with_format(r, c, style::cell_text(s), f)?;
    Ok(())
}

fn merged(ws: &mut Worksheet, r: u32, c0: u16, c1: u16, s: &str, f: &Format) -> Res {
    if c1 > c0 {
        ws.merge_range(r, c0, r, c1, &style::cell_text(s), f)?;
    } else {
        text(ws, r, c0, s, f)?;
    }
    Ok(())
}

fn count(ws: &mut Worksheet, r: u32, c: u16, n: u64, f: &Format) -> Res {
    ws.write_with_format(r, c, Decimal::from(n), f)?;
    Ok(())
}

fn money(ws: &mut Worksheet, r: u32, c: u16, v: Decimal, f: &Format) -> Res {
    style::write_money(ws, r, c, v, f)
}

fn n64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Column widths in half-width character units.
fn set_widths(ws: &mut Worksheet, units: &[u32]) -> Res<Vec<u32>> {
    let px: Vec<u32> = units.iter().map(|u| column_pixels(*u, *u, *u)).collect();
    for (c, w) in px.iter().enumerate() {
        ws.set_column_width_pixels(col(c), *w)?;
    }
    Ok(px)
}

fn header(ws: &mut Worksheet, fm: &Fm, r: u32, heads: &[&str]) -> Res {
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(r, col(c), *h, &fm.st.header)?;
    }
    ws.set_row_height_pixels(r, 36)?;
    Ok(())
}

/// Title (row 0) and the info line (row 1), "单位：元" on the right when `unit`.
fn title_rows(ws: &mut Worksheet, fm: &Fm, title: &str, info: &str, last: u16, unit: bool) -> Res {
    merged(ws, 0, 0, last, title, &fm.st.title)?;
    ws.set_row_height_pixels(0, 40)?;
    if unit && last >= 2 {
        merged(ws, 1, 0, last - 1, info, &fm.st.subtitle)?;
        text(ws, 1, last, "单位：元", &fm.st.subtitle_right)?;
    } else {
        merged(ws, 1, 0, last, info, &fm.st.subtitle)?;
    }
    ws.set_row_height_pixels(1, 24)?;
    Ok(())
}

/// A wrapped note across the table, as high as its text needs.
fn note(ws: &mut Worksheet, fm: &Fm, r: u32, last: u16, s: &str, px: &[u32]) -> Res {
    merged(ws, r, 0, last, s, &fm.note)?;
    let width: u32 = px.iter().sum();
    ws.set_row_height_pixels(r, row_pixels(wrapped_lines(s, width)))?;
    Ok(())
}

fn sign_off(date: NaiveDate) -> String {
    let gap = "\u{3000}".repeat(6);
    format!(
        "制表人：{gap}审核人：{gap}负责人：{gap}日期：{}",
        style::cn_date(date)
    )
}

fn sign_row(ws: &mut Worksheet, fm: &Fm, r: u32, last: u16, date: NaiveDate) -> Res {
    merged(ws, r, 0, last, &sign_off(date), &fm.sign)?;
    ws.set_row_height_pixels(r, 28)?;
    Ok(())
}

fn prefix(out: &StaffOutput) -> String {
    format!("玉溪市{}年专职社区矫正协勤人员经费", out.year)
}

fn standard_words(out: &StaffOutput) -> String {
    format!(
        "补助标准：每人每月 {} 元（每人每年 {} 元）",
        yuan_text(out.policy.staff_monthly_standard),
        yuan_text(out.post_year())
    )
}

/// The row's county name, or the unassigned label.
fn county_label(out: &StaffOutput, r: &StaffRow) -> String {
    let n = out.county_name(r.county.as_ref());
    if n.is_empty() {
        out.unassigned.name.clone()
    } else {
        n
    }
}

/// Every finding of a decision, one per line: "H7 在岗月数：…".
fn opinions(d: &StaffDecision) -> String {
    d.issues
        .iter()
        .map(|i| format!("【{}】{}", i.code.label(), i.message))
        .collect::<Vec<_>>()
        .join("\n")
}

// =============================================================================================
// 经费下达表
// =============================================================================================

/// Writes 经费下达表_<year>.xlsx atomically.
pub fn write_notice(out: &StaffOutput, path: &Path) -> Result<(), String> {
    let mut wb = build_notice(out).map_err(xe(path))?;
    check_notice(out)?;
    style::save(&mut wb, path)
}

/// The notice adds up: Σ 下达金额 + Σ 未分配资金 = the budget, each county within its line.
fn check_notice(out: &StaffOutput) -> Result<(), String> {
    let mut alloc = Decimal::ZERO;
    let mut left = Decimal::ZERO;
    for c in &out.counties {
        if c.allocated_amount > c.budget || c.approved_amount > c.allocated_amount {
            return Err(format!(
                "生成经费下达表失败：{} 下达 {} 元、核准 {} 元超出预算额度 {} 元（程序错误，请报告）",
                c.name, c.allocated_amount, c.approved_amount, c.budget
            ));
        }
        alloc += c.allocated_amount;
        left += c.unallocated_amount;
    }
    if fen(alloc + left) != fen(out.policy.total_staff_allocation)
        || fen(alloc) != fen(out.totals.allocated_amount)
    {
        return Err(format!(
            "生成经费下达表失败：下达 {alloc} 元 + 未分配 {left} 元与预算总额 {} 元不符（程序错误，请报告）",
            out.policy.total_staff_allocation
        ));
    }
    Ok(())
}

pub fn build_notice(out: &StaffOutput) -> Res<Workbook> {
    let fm = Fm::new();
    let mut wb = Workbook::new();
    wb.set_properties(&style::properties(
        &format!("{}下达表", prefix(out)),
        out.run_date,
    ));
    let mut taken = Vec::new();
    let mut ws = Worksheet::new();
    notice_sheet(&mut ws, &fm, out)?;
    push(&mut wb, ws, SHEET_NOTICE, &mut taken)?;
    let mut ws = Worksheet::new();
    detail_sheet(&mut ws, &fm, out)?;
    push(&mut wb, ws, SHEET_DETAIL, &mut taken)?;
    let mut ws = Worksheet::new();
    files_sheet(&mut ws, &fm, out)?;
    push(&mut wb, ws, SHEET_FILES, &mut taken)?;
    let mut ws = Worksheet::new();
    run_sheet(&mut ws, &fm, out)?;
    push(&mut wb, ws, SHEET_RUN, &mut taken)?;
    Ok(wb)
}

fn push(wb: &mut Workbook, mut ws: Worksheet, name: &str, taken: &mut Vec<String>) -> Res {
    ws.set_name(style::sheet_name(name, taken))?;
    wb.push_worksheet(ws);
    Ok(())
}

fn notice_remark(c: &CountyStaff) -> String {
    let mut parts = Vec::new();
    if c.rows_sent == 0 && c.file_problems == 0 {
        parts.push("未报送".to_string());
    }
    if c.over_quota_rows > 0 {
        parts.push(format!("超定额 {} 人", c.over_quota_rows));
    }
    let other = c.rejected_rows.saturating_sub(c.over_quota_rows);
    if other > 0 {
        parts.push(format!("不予补助 {other} 人"));
    }
    if c.held_rows > 0 {
        parts.push(format!("超额度待定 {} 人", c.held_rows));
    }
    if c.in_post > usize::try_from(c.quota).unwrap_or(usize::MAX) {
        parts.push(format!(
            "年内接替 {} 人",
            c.in_post - usize::try_from(c.quota).unwrap_or(0)
        ));
    }
    if c.file_problems > 0 {
        parts.push(format!("文件问题 {} 个", c.file_problems));
    }
    parts.join("；")
}

fn notice_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput) -> Res {
    const HEAD: [&str; 10] = [
        "序号",
        "县（市、区）",
        "定额（人）",
        "预算额度",
        "申报人数",
        "核准在岗人数",
        "下达人数",
        "下达金额",
        "未分配资金",
        "备注",
    ];
    let last: u16 = 9;
    let name_w = out
        .counties
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(12);
    let remark_w = out
        .counties
        .iter()
        .map(|c| display_width(&notice_remark(c)))
        .max()
        .unwrap_or(0)
        .clamp(20, 34);
    let px = set_widths(ws, &[5, name_w + 2, 8, 15, 8, 10, 8, 15, 15, remark_w + 1])?;
    title_rows(
        ws,
        fm,
        &format!("{}下达表", prefix(out)),
        &format!(
            "下达单位：{ISSUER}　　预算年度：{}年　　{}",
            out.year,
            standard_words(out)
        ),
        last,
        true,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let mut r = 3u32;
    for (n, c) in (1u64..).zip(&out.counties) {
        count(ws, r, 0, n, &fm.center)?;
        text(ws, r, 1, &c.name, &st.text)?;
        count(ws, r, 2, u64::from(c.quota), &st.int)?;
        money(ws, r, 3, c.budget, &st.money)?;
        count(ws, r, 4, n64(c.declared_rows), &st.int)?;
        count(ws, r, 5, n64(c.in_post), &st.int)?;
        count(ws, r, 6, u64::from(c.posts_allocated), &st.int)?;
        money(ws, r, 7, c.allocated_amount, &st.money)?;
        money(ws, r, 8, c.unallocated_amount, &st.money)?;
        let remark = notice_remark(c);
        text(ws, r, 9, &remark, &st.text_wrap)?;
        let lines = px.get(9).map_or(1, |w| wrapped_lines(&remark, *w));
        ws.set_row_height_pixels(r, row_pixels(lines))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1);
    let t = &out.totals;
    merged(ws, r, 0, 1, "合计", &fm.total_center)?;
    count(ws, r, 2, u64::from(t.quota), &st.total_int)?;
    money(ws, r, 3, t.budget, &st.total_money)?;
    count(
        ws,
        r,
        4,
        n64(t.declared_rows.saturating_sub(out.unassigned.declared_rows)),
        &st.total_int,
    )?;
    count(ws, r, 5, n64(t.in_post), &st.total_int)?;
    count(ws, r, 6, u64::from(t.posts_allocated), &st.total_int)?;
    money(ws, r, 7, t.allocated_amount, &st.total_money)?;
    money(ws, r, 8, t.unallocated_amount, &st.total_money)?;
    ws.write_blank(r, 9, &st.total_label)?;
    ws.set_row_height_pixels(r, row_pixels(1))?;
    r += 1;
    merged(
        ws,
        r,
        0,
        last,
        &format!("下达金额合计（大写）：{}", format_daxie(t.allocated_amount)),
        &fm.daxie,
    )?;
    ws.set_row_height_pixels(r, row_pixels(1))?;
    r += 1;
    merged(
        ws,
        r,
        0,
        last,
        &format!(
            "未分配资金合计（大写）：{}",
            format_daxie(t.unallocated_amount)
        ),
        &fm.daxie,
    )?;
    ws.set_row_height_pixels(r, row_pixels(1))?;
    r += 1;
    let mut notes = format!(
        "说明：1. 核准在岗人数为审核通过且在岗月数不少于 1 个月的人数；下达人数 = 核准在岗人数与定额中的较小者；下达金额 = 下达人数 × {} 元，不超过预算额度；未分配资金 = 预算额度 − 下达金额。2. 同一时间在岗人数超过定额的，按入职日期先后（同日按身份证号码）核定，后入职者不予补助；年内离职后由他人接替同一岗位的，两人均计入核准在岗人数。3. 不予补助、超额度待定人员及原因见“审核明细”表，文件无法读取等见“文件问题”表。",
        yuan_text(out.post_year())
    );
    if out.unassigned.declared_rows > 0 {
        notes.push_str(&format!(
            "4. 另有 {} 行县（市、区）一栏无法识别，不予补助，未计入各县申报人数。",
            out.unassigned.declared_rows
        ));
    }
    note(ws, fm, r, last, &notes, &px)?;
    r += 2;
    sign_row(ws, fm, r, last, out.run_date)?;

    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_data.max(2), last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

fn detail_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput) -> Res {
    const HEAD: [&str; 16] = [
        "序号",
        "县（市、区）",
        "司法所",
        "姓名",
        "身份证号码",
        "入职日期",
        "离职日期",
        "在岗月数",
        "市级补助金额",
        "标准上限",
        "核准金额",
        "审核结果",
        "审核意见",
        "文件",
        "工作表",
        "行号",
    ];
    let last: u16 = 15;
    let county_w = out
        .counties
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(12)
        .clamp(12, 26);
    let px = set_widths(
        ws,
        &[
            5, county_w, 12, 8, 19, 11, 11, 6, 12, 12, 12, 9, 40, 42, 14, 5,
        ],
    )?;
    title_rows(
        ws,
        fm,
        &format!("{}审核明细", prefix(out)),
        &format!(
            "审核日期：{}　　{}　　审核结果：核准 {} 行，不予补助 {} 行，超额度待定 {} 行",
            style::cn_date(out.run_date),
            standard_words(out),
            out.totals.approved_rows,
            out.totals.rejected_rows,
            out.totals.held_rows
        ),
        last,
        true,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let mut r = 3u32;
    let mut seq = 0u64;
    for (row, d) in out.rows.iter().zip(&out.decisions) {
        if r >= MAX_TABLE_ROWS {
            let rest = out
                .rows
                .len()
                .saturating_sub(usize::try_from(seq).unwrap_or(0));
            merged(
                ws,
                r,
                0,
                last,
                &format!("以下 {rest} 行超出工作表行数上限，未列出，见 decisions.csv"),
                &st.text,
            )?;
            break;
        }
        seq += 1;
        count(ws, r, 0, seq, &fm.center)?;
        text(ws, r, 1, &county_label(out, row), &st.text_wrap)?;
        let office = row
            .office
            .clone()
            .or_else(|| row.written(StaffField::Office))
            .unwrap_or_default();
        text(ws, r, 2, &office, &st.text_wrap)?;
        let name = row
            .name
            .clone()
            .or_else(|| row.written(StaffField::Name))
            .unwrap_or_default();
        text(ws, r, 3, &name, &st.text_wrap)?;
        let id = row
            .id_number
            .clone()
            .unwrap_or_else(|| row.written(StaffField::IdNumber).unwrap_or_default());
        text(ws, r, 4, &id, &st.id_text)?;
        date_or_written(ws, fm, r, 5, row.start, row, StaffField::StartDate)?;
        date_or_written(ws, fm, r, 6, row.end, row, StaffField::EndDate)?;
        match row.months {
            Some(m) => ws.write_with_format(r, 7, Decimal::from(m), &st.int)?,
            None => ws.write_string_with_format(
                r,
                7,
                style::cell_text(&row.written(StaffField::Months).unwrap_or_default()),
                &st.text,
            )?,
        };
        match row.municipal {
            Some(v) => money(ws, r, 8, v, &st.money)?,
            None => text(
                ws,
                r,
                8,
                &row.written(StaffField::Municipal).unwrap_or_default(),
                &st.text,
            )?,
        }
        money(ws, r, 9, d.standard, &st.money)?;
        money(ws, r, 10, d.approved, &st.money)?;
        let f = match d.outcome {
            Outcome::Approved => &fm.center,
            Outcome::Rejected => &fm.bad,
            Outcome::Held => &fm.held,
        };
        text(ws, r, 11, outcome_label(d.outcome), f)?;
        let op = opinions(d);
        text(ws, r, 12, &op, &st.text_wrap)?;
        text(ws, r, 13, &row.origin.file, &st.text_wrap)?;
        text(ws, r, 14, &row.origin.sheet, &st.text_wrap)?;
        count(ws, r, 15, u64::from(row.origin.row), &fm.center)?;
        let lines = [
            (op.as_str(), 12usize),
            (&*row.origin.file, 13),
            (&*row.origin.sheet, 14),
            (office.as_str(), 2),
            (name.as_str(), 3),
        ]
        .iter()
        .map(|(s, c)| px.get(*c).map_or(1, |w| wrapped_lines(s, *w)))
        .max()
        .unwrap_or(1);
        ws.set_row_height_pixels(r, row_pixels(lines))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1).max(2);
    if out.rows.is_empty() {
        merged(ws, r, 0, last, "本次没有读到任何数据行", &st.text)?;
    } else if last_data >= 3 {
        ws.ignore_error_range(3, 4, last_data, 4, IgnoreError::NumberStoredAsText)?;
    }
    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_data, last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

fn date_or_written(
    ws: &mut Worksheet,
    fm: &Fm,
    r: u32,
    c: u16,
    d: Option<NaiveDate>,
    row: &StaffRow,
    f: StaffField,
) -> Res {
    match d {
        Some(d) => style::write_date(ws, r, c, d, &fm.st.date),
        None => text(ws, r, c, &row.written(f).unwrap_or_default(), &fm.center),
    }
}

fn files_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput) -> Res {
    const HEAD: [&str; 6] = ["序号", "文件", "工作表", "县（市、区）", "问题", "说明"];
    let last: u16 = 5;
    let px = set_widths(ws, &[5, 34, 14, 14, 16, 60])?;
    title_rows(
        ws,
        fm,
        &format!("{}申报文件问题", prefix(out)),
        &format!(
            "审核日期：{}　　共读取文件 {} 个，其中无法审核 {} 个{}",
            style::cn_date(out.run_date),
            out.files.len(),
            out.files.iter().filter(|f| !f.ok()).count(),
            if out.skipped.is_empty() {
                String::new()
            } else {
                format!("；另有 {} 个文件不是工作簿，未读取", out.skipped.len())
            }
        ),
        last,
        false,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let mut r = 3u32;
    let mut n = 0u64;
    for f in &out.files {
        for (code, msg, sheet) in f.problems() {
            n += 1;
            count(ws, r, 0, n, &fm.center)?;
            text(ws, r, 1, &f.path, &st.text_wrap)?;
            text(ws, r, 2, sheet.unwrap_or("（整个文件）"), &st.text_wrap)?;
            let county = out.county_name(out.file_county(f, sheet).as_ref());
            text(ws, r, 3, &county, &st.text)?;
            text(
                ws,
                r,
                4,
                &format!("{}\n{}", code.label(), code.as_str()),
                &st.text_wrap,
            )?;
            text(ws, r, 5, &msg, &st.text_wrap)?;
            let lines = [(&f.path, 1usize), (&msg, 5)]
                .iter()
                .map(|(s, c)| px.get(*c).map_or(1, |w| wrapped_lines(s, *w)))
                .max()
                .unwrap_or(1)
                .max(2);
            ws.set_row_height_pixels(r, row_pixels(lines))?;
            r += 1;
            if r >= MAX_TABLE_ROWS {
                break;
            }
        }
    }
    // Files that hold no workbook (SPEC §10.1): listed so that nothing a county sent goes
    // unanswered, though they are no problem of the run.
    for sk in &out.skipped {
        if r >= MAX_TABLE_ROWS {
            break;
        }
        n += 1;
        count(ws, r, 0, n, &fm.center)?;
        text(ws, r, 1, &sk.rel, &st.text_wrap)?;
        text(ws, r, 2, "（整个文件）", &st.text_wrap)?;
        let county = out.county_name(out.policy.registry.resolve_in_text(&sk.rel));
        text(ws, r, 3, &county, &st.text)?;
        text(
            ws,
            r,
            4,
            crate::ingest::discover::SKIPPED_LABEL,
            &st.text_wrap,
        )?;
        text(ws, r, 5, &sk.message, &st.text_wrap)?;
        let lines = [(&sk.rel, 1usize), (&sk.message, 5)]
            .iter()
            .map(|(s, c)| px.get(*c).map_or(1, |w| wrapped_lines(s, *w)))
            .max()
            .unwrap_or(1)
            .max(2);
        ws.set_row_height_pixels(r, row_pixels(lines))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1).max(2);
    if n == 0 {
        merged(
            ws,
            r,
            0,
            last,
            "本次没有文件问题：所有文件均已读取并审核",
            &st.text,
        )?;
    }
    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_data, last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

fn run_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput) -> Res {
    let last: u16 = 5;
    let px = set_widths(ws, &[36, 8, 14, 8, 66, 10])?;
    title_rows(
        ws,
        fm,
        &format!("{}审核运行信息", prefix(out)),
        "",
        last,
        false,
    )?;
    let st = &fm.st;
    let p = &out.policy;
    let info: [(&str, String); 9] = [
        ("程序", format!("payrun staff {}", out.program_version)),
        ("审核年度", format!("{}年", out.year)),
        ("审核日期", style::cn_date(out.run_date)),
        ("政策名称", p.name.clone()),
        ("政策来源", p.source.clone()),
        ("政策 SHA-256", p.sha256.clone()),
        (
            "月补助标准",
            format!("{} 元/人·月", yuan_text(p.staff_monthly_standard)),
        ),
        (
            "协勤经费预算总额",
            format!("{} 元", yuan_text(p.total_staff_allocation)),
        ),
        ("协勤人员总定额", format!("{} 人", p.total_staff_quota)),
    ];
    let mut r = 2u32;
    for (k, v) in info {
        text(ws, r, 0, k, &st.total_label)?;
        merged(ws, r, 1, last, &v, &st.text)?;
        r += 1;
    }
    r += 1;
    header(
        ws,
        fm,
        r,
        &["文件", "格式", "大小（字节）", "数据行", "SHA-256", "状态"],
    )?;
    r += 1;
    for f in &out.files {
        text(ws, r, 0, &f.path, &st.text_wrap)?;
        text(
            ws,
            r,
            1,
            &f.format
                .map(|x| format!("{x:?}").to_lowercase())
                .unwrap_or_else(|| "—".into()),
            &fm.center,
        )?;
        count(ws, r, 2, f.bytes, &st.int)?;
        count(ws, r, 3, n64(f.data_rows), &st.int)?;
        text(ws, r, 4, &f.sha256, &st.id_text)?;
        let status = if f.ok() { "已审核" } else { "无法审核" };
        text(ws, r, 5, status, if f.ok() { &fm.center } else { &fm.bad })?;
        let lines = px.first().map_or(1, |w| wrapped_lines(&f.path, *w));
        ws.set_row_height_pixels(r, row_pixels(lines))?;
        r += 1;
        if r >= MAX_TABLE_ROWS {
            break;
        }
    }
    style::print_setup(ws, 0, 0)?;
    Ok(())
}

// =============================================================================================
// 协勤人员工资发放表
// =============================================================================================

/// One 司法所 group of a county's payroll: the office and its people (indices into `out.rows`).
#[derive(Debug, Clone)]
pub struct OfficeGroup {
    pub office: String,
    pub people: Vec<usize>,
    pub months: u64,
    pub municipal: Decimal,
    pub top_up: Decimal,
}

/// One county's payroll.
#[derive(Debug, Clone)]
pub struct CountyPayroll {
    pub code: CountyCode,
    pub name: String,
    pub offices: Vec<OfficeGroup>,
    pub people: usize,
    pub months: u64,
    pub municipal: Decimal,
    pub top_up: Decimal,
}

/// The people in post of every county, grouped by 司法所 in the order the county listed them,
/// checked against the run's figures to the fen.
pub fn payroll_groups(out: &StaffOutput) -> Result<Vec<CountyPayroll>, String> {
    if out.rows.len() != out.decisions.len() {
        return Err("生成发放表失败：审核结果与申报记录条数不一致（程序错误，请报告）".into());
    }
    let mut result = Vec::new();
    let (mut grand, mut grand_top) = (Decimal::ZERO, Decimal::ZERO);
    for s in &out.counties {
        let Some(code) = &s.code else { continue };
        let mut offices: Vec<OfficeGroup> = Vec::new();
        for (i, (r, d)) in out.rows.iter().zip(&out.decisions).enumerate() {
            if !d.in_post || r.county.as_ref() != Some(code) {
                continue;
            }
            let office = r.office.clone().unwrap_or_else(|| "（未填司法所）".into());
            let g = match offices.iter().position(|g| g.office == office) {
                Some(p) => offices.get_mut(p),
                None => {
                    offices.push(OfficeGroup {
                        office,
                        people: Vec::new(),
                        months: 0,
                        municipal: Decimal::ZERO,
                        top_up: Decimal::ZERO,
                    });
                    offices.last_mut()
                }
            };
            if let Some(g) = g {
                g.people.push(i);
                g.months += u64::try_from(r.months.unwrap_or(0)).unwrap_or(0);
                g.municipal += d.approved;
                g.top_up += r.county_top_up.unwrap_or_default();
            }
        }
        let people: usize = offices.iter().map(|g| g.people.len()).sum();
        let months: u64 = offices.iter().map(|g| g.months).sum();
        let municipal = fen(offices.iter().map(|g| g.municipal).sum());
        let top_up = fen(offices.iter().map(|g| g.top_up).sum());
        if people != s.in_post
            || municipal != fen(s.approved_amount)
            || top_up != fen(s.county_top_up)
            || months != s.months
        {
            return Err(format!(
                "生成发放表失败：{} 发放表 {people} 人 {municipal} 元与审核结果 {} 人 {} 元不一致（程序错误，请报告）",
                s.name, s.in_post, s.approved_amount
            ));
        }
        grand += municipal;
        grand_top += top_up;
        if people > 0 {
            result.push(CountyPayroll {
                code: code.clone(),
                name: s.name.clone(),
                offices,
                people,
                months,
                municipal,
                top_up,
            });
        }
    }
    if fen(grand) != fen(out.totals.approved_amount)
        || fen(grand_top) != fen(out.totals.county_top_up)
    {
        return Err(format!(
            "生成发放表失败：各县合计 {} 元与核准总额 {} 元不一致（程序错误，请报告）",
            fen(grand),
            out.totals.approved_amount
        ));
    }
    Ok(result)
}

/// Writes 协勤人员工资发放表_<year>.xlsx atomically.
pub fn write_payroll(out: &StaffOutput, path: &Path) -> Result<(), String> {
    let groups = payroll_groups(out)?;
    let mut wb = build_payroll(out, &groups).map_err(xe(path))?;
    style::save(&mut wb, path)
}

pub fn build_payroll(out: &StaffOutput, groups: &[CountyPayroll]) -> Res<Workbook> {
    let fm = Fm::new();
    let mut wb = Workbook::new();
    wb.set_properties(&style::properties(
        &format!("{}工资发放表", prefix(out)),
        out.run_date,
    ));
    let mut taken = Vec::new();
    let mut ws = Worksheet::new();
    pay_summary_sheet(&mut ws, &fm, out, groups)?;
    push(&mut wb, ws, SHEET_PAY_SUMMARY, &mut taken)?;
    for g in groups {
        let mut ws = Worksheet::new();
        pay_county_sheet(&mut ws, &fm, out, g)?;
        push(&mut wb, ws, &g.name, &mut taken)?;
    }
    Ok(wb)
}

fn pay_summary_sheet(
    ws: &mut Worksheet,
    fm: &Fm,
    out: &StaffOutput,
    groups: &[CountyPayroll],
) -> Res {
    const HEAD: [&str; 8] = [
        "序号",
        "县（市、区）",
        "人数",
        "在岗月数",
        "市级补助",
        "县级配套",
        "合计",
        "备注",
    ];
    let last: u16 = 7;
    let px = set_widths(ws, &[5, 26, 8, 10, 17, 17, 17, 30])?;
    title_rows(
        ws,
        fm,
        &format!("{}工资发放汇总表", prefix(out)),
        &format!(
            "填报单位：{ISSUER}　　发放年度：{}年　　{}",
            out.year,
            standard_words(out)
        ),
        last,
        true,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let mut r = 3u32;
    for (n, c) in (1u64..).zip(&out.counties) {
        let g = groups.iter().find(|g| Some(&g.code) == c.code.as_ref());
        count(ws, r, 0, n, &fm.center)?;
        text(ws, r, 1, &c.name, &st.text)?;
        count(ws, r, 2, n64(c.in_post), &st.int)?;
        count(ws, r, 3, c.months, &st.int)?;
        money(ws, r, 4, c.approved_amount, &st.money)?;
        money(ws, r, 5, c.county_top_up, &st.money)?;
        money(ws, r, 6, c.approved_amount + c.county_top_up, &st.money)?;
        let no_account = g.map_or(0, |g| {
            g.offices
                .iter()
                .flat_map(|o| &o.people)
                .filter(|&&i| out.rows.get(i).is_some_and(|r| r.account.is_none()))
                .count()
        });
        let remark = match (g, no_account) {
            (None, _) => "无核准在岗人员".to_string(),
            (_, 0) => String::new(),
            (_, k) => format!("{k} 人{NO_ACCOUNT}"),
        };
        text(ws, r, 7, &remark, &st.text_wrap)?;
        ws.set_row_height_pixels(r, row_pixels(1))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1);
    let t = &out.totals;
    merged(ws, r, 0, 1, "合计", &fm.total_center)?;
    count(ws, r, 2, n64(t.in_post), &st.total_int)?;
    count(ws, r, 3, t.months, &st.total_int)?;
    money(ws, r, 4, t.approved_amount, &st.total_money)?;
    money(ws, r, 5, t.county_top_up, &st.total_money)?;
    money(
        ws,
        r,
        6,
        t.approved_amount + t.county_top_up,
        &st.total_money,
    )?;
    ws.write_blank(r, 7, &st.total_label)?;
    ws.set_row_height_pixels(r, row_pixels(1))?;
    r += 1;
    daxie_rows(ws, fm, r, last, t.approved_amount, t.county_top_up)?;
    r += 2;
    note(
        ws,
        fm,
        r,
        last,
        "说明：市级补助为审核通过的市级补助金额（不超过每人每月标准 × 在岗月数）；县级配套按各县申报数列示，由县级财政发放。各县明细见各县工作表。",
        &px,
    )?;
    r += 2;
    sign_row(ws, fm, r, last, out.run_date)?;
    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_data.max(2), last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

fn daxie_rows(
    ws: &mut Worksheet,
    fm: &Fm,
    r: u32,
    last: u16,
    city: Decimal,
    county: Decimal,
) -> Res {
    merged(
        ws,
        r,
        0,
        last,
        &format!("市级补助合计（大写）：{}", format_daxie(city)),
        &fm.daxie,
    )?;
    ws.set_row_height_pixels(r, row_pixels(1))?;
    merged(
        ws,
        r + 1,
        0,
        last,
        &format!("发放金额合计（大写）：{}", format_daxie(city + county)),
        &fm.daxie,
    )?;
    ws.set_row_height_pixels(r + 1, row_pixels(1))?;
    Ok(())
}

fn pay_county_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput, g: &CountyPayroll) -> Res {
    const HEAD: [&str; 11] = [
        "序号",
        "司法所",
        "姓名",
        "身份证号码",
        "在岗月数",
        "市级补助",
        "县级配套",
        "合计",
        "开户银行",
        "银行账号",
        "备注",
    ];
    let last: u16 = 10;
    let rows_of = || {
        g.offices
            .iter()
            .flat_map(|o| o.people.iter())
            .filter_map(|&i| out.rows.get(i))
    };
    let widest = |f: &dyn Fn(&StaffRow) -> u32| rows_of().map(f).max().unwrap_or(0);
    let remark_of = |r: &StaffRow| {
        let mut v = Vec::new();
        if r.account.is_none() {
            v.push(NO_ACCOUNT.to_string());
        } else if r.bank.is_none() {
            v.push(NO_BANK.to_string());
        }
        if let Some(m) = &r.remark {
            v.push(m.clone());
        }
        v.join("；")
    };
    let office_w = g
        .offices
        .iter()
        .map(|o| display_width(&o.office))
        .max()
        .unwrap_or(12);
    let units = [
        4,
        office_w.clamp(12, 20) + 1,
        widest(&|r| display_width(r.name.as_deref().unwrap_or(""))).clamp(6, 12) + 1,
        19,
        6,
        13,
        13,
        13,
        widest(&|r| display_width(r.bank.as_deref().unwrap_or(NO_BANK))).clamp(12, 28) + 1,
        widest(&|r| display_width(r.account.as_deref().unwrap_or(NO_ACCOUNT))).clamp(20, 26) + 1,
        widest(&|r| display_width(&remark_of(r))).clamp(10, 24) + 1,
    ];
    let px = set_widths(ws, &units)?;
    title_rows(
        ws,
        fm,
        &format!("{}{}年专职社区矫正协勤人员工资发放表", g.name, out.year),
        &format!(
            "填报单位：{}司法局　　发放年度：{}年（1月至12月）　　{}",
            g.name,
            out.year,
            standard_words(out)
        ),
        last,
        true,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let mut r = 3u32;
    let mut seq = 0u64;
    let first_data = r;
    for o in &g.offices {
        for &i in &o.people {
            let (Some(row), Some(d)) = (out.rows.get(i), out.decisions.get(i)) else {
                continue;
            };
            seq += 1;
            let top = row.county_top_up.unwrap_or_default();
            count(ws, r, 0, seq, &fm.center)?;
            text(ws, r, 1, &o.office, &st.text_wrap)?;
            text(ws, r, 2, row.name.as_deref().unwrap_or(""), &st.text_wrap)?;
            text(
                ws,
                r,
                3,
                row.id_number.as_deref().unwrap_or(""),
                &st.id_text,
            )?;
            count(
                ws,
                r,
                4,
                u64::try_from(row.months.unwrap_or(0)).unwrap_or(0),
                &st.int,
            )?;
            money(ws, r, 5, d.approved, &st.money)?;
            money(ws, r, 6, top, &st.money)?;
            money(ws, r, 7, d.approved + top, &st.money)?;
            let bank = row.bank.as_deref().unwrap_or(NO_BANK);
            text(ws, r, 8, bank, &st.text_wrap)?;
            text(
                ws,
                r,
                9,
                row.account.as_deref().unwrap_or(NO_ACCOUNT),
                &st.id_text,
            )?;
            let remark = remark_of(row);
            text(ws, r, 10, &remark, &st.text_wrap)?;
            let lines = [
                (o.office.as_str(), 1usize),
                (bank, 8),
                (remark.as_str(), 10),
            ]
            .iter()
            .map(|(s, c)| px.get(*c).map_or(1, |w| wrapped_lines(s, *w)))
            .max()
            .unwrap_or(1);
            ws.set_row_height_pixels(r, row_pixels(lines))?;
            r += 1;
        }
        merged(ws, r, 0, 0, "", &st.total_label)?;
        merged(
            ws,
            r,
            1,
            3,
            &format!("{}小计（{} 人）", o.office, o.people.len()),
            &fm.total_text,
        )?;
        count(ws, r, 4, o.months, &st.total_int)?;
        money(ws, r, 5, o.municipal, &st.total_money)?;
        money(ws, r, 6, o.top_up, &st.total_money)?;
        money(ws, r, 7, o.municipal + o.top_up, &st.total_money)?;
        for c in 8..=last {
            ws.write_blank(r, c, &st.total_label)?;
        }
        ws.set_row_height_pixels(r, row_pixels(1))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1);
    if last_data >= first_data {
        ws.ignore_error_range(first_data, 3, last_data, 3, IgnoreError::NumberStoredAsText)?;
        ws.ignore_error_range(first_data, 9, last_data, 9, IgnoreError::NumberStoredAsText)?;
    }
    merged(
        ws,
        r,
        0,
        3,
        &format!("{}合计（{} 人）", g.name, g.people),
        &fm.total_center,
    )?;
    count(ws, r, 4, g.months, &st.total_int)?;
    money(ws, r, 5, g.municipal, &st.total_money)?;
    money(ws, r, 6, g.top_up, &st.total_money)?;
    money(ws, r, 7, g.municipal + g.top_up, &st.total_money)?;
    for c in 8..=last {
        ws.write_blank(r, c, &st.total_label)?;
    }
    ws.set_row_height_pixels(r, row_pixels(1))?;
    r += 1;
    daxie_rows(ws, fm, r, last, g.municipal, g.top_up)?;
    r += 3;
    sign_row(ws, fm, r, last, out.run_date)?;
    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_data.max(2), last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

// =============================================================================================
// 绩效评价表
// =============================================================================================

/// Writes 绩效评价表_<year>.xlsx atomically.
pub fn write_performance(out: &StaffOutput, path: &Path) -> Result<(), String> {
    let mut wb = build_performance(out).map_err(xe(path))?;
    style::save(&mut wb, path)
}

pub fn build_performance(out: &StaffOutput) -> Res<Workbook> {
    let fm = Fm::new();
    let mut wb = Workbook::new();
    wb.set_properties(&style::properties(
        &format!("{}绩效评价表", prefix(out)),
        out.run_date,
    ));
    let mut taken = Vec::new();
    let mut ws = Worksheet::new();
    performance_sheet(&mut ws, &fm, out)?;
    push(&mut wb, ws, SHEET_PERFORMANCE, &mut taken)?;
    let mut ws = Worksheet::new();
    problems_sheet(&mut ws, &fm, out)?;
    push(&mut wb, ws, SHEET_PROBLEMS, &mut taken)?;
    Ok(wb)
}

fn performance_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput) -> Res {
    const HEAD: [&str; 14] = [
        "序号",
        "县（市、区）",
        "定额（人）",
        "核准在岗人数",
        "岗位到位率",
        "下达金额",
        "核准市级补助",
        "资金执行率",
        "报送行数",
        "不予补助行数",
        "文件问题",
        "问题占比",
        "得分",
        "等次",
    ];
    let last: u16 = 13;
    let name_w = out
        .counties
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(12);
    let px = set_widths(ws, &[5, name_w + 2, 7, 8, 9, 14, 14, 9, 7, 8, 7, 9, 8, 6])?;
    title_rows(
        ws,
        fm,
        &format!("{}绩效评价表", prefix(out)),
        &format!(
            "评价单位：{ISSUER}　　评价年度：{}年　　评价日期：{}",
            out.year,
            style::cn_date(out.run_date)
        ),
        last,
        true,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let first = 3u32;
    let mut r = first;
    for (n, c) in (1u64..).zip(&out.counties) {
        count(ws, r, 0, n, &fm.center)?;
        perf_row(ws, fm, r, c, false)?;
        r += 1;
    }
    let last_county = r.saturating_sub(1);
    merged(ws, r, 0, 0, "", &st.total_label)?;
    text(ws, r, 1, "全市", &st.total_label)?;
    perf_row(ws, fm, r, &out.totals, true)?;
    r += 1;
    let notes = format!(
        "评分办法（满分 100 分）：得分 = 40 × 岗位到位率 + 40 × 资金执行率 + 20 × （1 − 问题占比），四舍五入保留两位小数。岗位到位率 = 下达人数 ÷ 定额（下达人数为核准在岗人数与定额中的较小者）；资金执行率 = 核准市级补助 ÷ 下达金额（下达金额为 0 时按 0 计）；问题占比 =（不予补助行数 + 文件问题个数）÷（报送行数 + 文件问题个数），未报送的按 1 计。等次：90 分及以上为优，80 分及以上为良，60 分及以上为中，60 分以下为差。报送行数含本县表中县（市、区）一栏无法识别的行；文件问题按文件所属县（市、区）归属{}。问题明细见“问题清单”表。",
        if out.unattributed_file_problems > 0 {
            format!(
                "，另有 {} 个文件问题无法确定所属县（市、区），只计入全市",
                out.unattributed_file_problems
            )
        } else {
            String::new()
        }
    );
    note(ws, fm, r, last, &notes, &px)?;
    r += 2;
    sign_row(ws, fm, r, last, out.run_date)?;
    r += 1;

    if last_county >= first {
        // The charts get a page of their own (under the repeated header rows).
        ws.set_page_breaks(&[r])?;
        let mut rates = Chart::new(ChartType::Column);
        rates
            .title()
            .set_name("各县（市、区）岗位到位率与资金执行率")
            .set_font(ChartFont::new().set_size(12).set_bold());
        rates
            .add_series()
            .set_name("岗位到位率")
            .set_categories((SHEET_PERFORMANCE, first, 1, last_county, 1))
            .set_values((SHEET_PERFORMANCE, first, 4, last_county, 4));
        rates
            .add_series()
            .set_name("资金执行率")
            .set_categories((SHEET_PERFORMANCE, first, 1, last_county, 1))
            .set_values((SHEET_PERFORMANCE, first, 7, last_county, 7));
        rates
            .y_axis()
            .set_num_format("0%")
            .set_min(0u8)
            .set_max(1u8);
        rates.legend().set_position(ChartLegendPosition::Bottom);
        rates.set_width(1000).set_height(330);
        ws.insert_chart_with_offset(r, 0, &rates, 10, 8)?;

        let mut scores = Chart::new(ChartType::Column);
        scores
            .title()
            .set_name("各县（市、区）绩效得分")
            .set_font(ChartFont::new().set_size(12).set_bold());
        scores
            .add_series()
            .set_name("得分")
            .set_categories((SHEET_PERFORMANCE, first, 1, last_county, 1))
            .set_values((SHEET_PERFORMANCE, first, 12, last_county, 12));
        scores
            .y_axis()
            .set_num_format("0")
            .set_min(0u8)
            .set_max(100u8);
        scores.legend().set_hidden();
        scores.set_width(1000).set_height(300);
        ws.insert_chart_with_offset(r + 18, 0, &scores, 10, 0)?;
    }

    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_county.max(2), last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

fn perf_row(ws: &mut Worksheet, fm: &Fm, r: u32, c: &CountyStaff, total: bool) -> Res {
    let st = &fm.st;
    let (t, i, m, p, s) = if total {
        (
            &st.total_label,
            &st.total_int,
            &st.total_money,
            &fm.total_pct,
            &fm.total_score,
        )
    } else {
        (&st.text, &st.int, &st.money, &fm.pct, &fm.score)
    };
    if !total {
        text(ws, r, 1, &c.name, t)?;
    }
    count(ws, r, 2, u64::from(c.quota), i)?;
    count(ws, r, 3, n64(c.in_post), i)?;
    ws.write_with_format(r, 4, c.fill_rate, p)?;
    money(ws, r, 5, c.allocated_amount, m)?;
    money(ws, r, 6, c.approved_amount, m)?;
    ws.write_with_format(r, 7, c.execution_rate, p)?;
    count(ws, r, 8, n64(c.rows_sent), i)?;
    count(ws, r, 9, n64(c.problem_rows), i)?;
    count(ws, r, 10, n64(c.file_problems), i)?;
    ws.write_with_format(r, 11, c.problem_share, p)?;
    ws.write_with_format(r, 12, c.score, s)?;
    let g = if total { &fm.total_center } else { &fm.center };
    text(ws, r, 13, c.grade, g)?;
    ws.set_row_height_pixels(r, row_pixels(1))?;
    Ok(())
}

fn category(d: &StaffDecision, sev: Severity) -> &'static str {
    match (sev, d.outcome) {
        (Severity::Warning, _) => "提醒",
        (_, Outcome::Held) => "超额度待定",
        _ => "不予补助",
    }
}

fn problems_sheet(ws: &mut Worksheet, fm: &Fm, out: &StaffOutput) -> Res {
    const HEAD: [&str; 9] = [
        "序号",
        "县（市、区）",
        "类别",
        "姓名",
        "身份证号码",
        "问题",
        "单元格",
        "问题说明",
        "来源（文件｜工作表｜行）",
    ];
    let last: u16 = 8;
    let px = set_widths(ws, &[5, 12, 10, 8, 19, 18, 7, 48, 26])?;
    let n_issues: usize = out.decisions.iter().map(|d| d.issues.len()).sum();
    let n_files: usize = out.files.iter().map(|f| f.problems().len()).sum();
    title_rows(
        ws,
        fm,
        &format!("{}绩效评价问题清单", prefix(out)),
        &format!(
            "审核日期：{}　　发现问题 {} 个（数据行 {} 个，其中不予补助 {} 行；文件问题 {} 个）",
            style::cn_date(out.run_date),
            n_issues + n_files,
            n_issues,
            out.totals.rejected_rows,
            n_files
        ),
        last,
        false,
    )?;
    header(ws, fm, 2, &HEAD)?;
    let st = &fm.st;
    let mut r = 3u32;
    let mut seq = 0u64;
    // County by county (policy order, then rows no county owns), rows then file problems.
    let mut owners: Vec<Option<&CountyCode>> =
        out.counties.iter().map(|c| c.code.as_ref()).collect();
    owners.push(None);
    'outer: for owner in owners {
        let name = match owner {
            Some(c) => out.county_name(Some(c)),
            None => "未能归属".to_string(),
        };
        for (row, d) in out.rows.iter().zip(&out.decisions) {
            if row.owner() != owner {
                continue;
            }
            for i in &d.issues {
                if r >= MAX_TABLE_ROWS {
                    merged(
                        ws,
                        r,
                        0,
                        last,
                        "以下问题超出工作表行数上限，未列出，见 decisions.csv",
                        &st.text,
                    )?;
                    break 'outer;
                }
                seq += 1;
                let sev = i.code.severity();
                count(ws, r, 0, seq, &fm.center)?;
                text(ws, r, 1, &name, &st.text)?;
                let cat = category(d, sev);
                let f = match sev {
                    Severity::Warning => &fm.center,
                    Severity::Hold => &fm.held,
                    Severity::Reject => &fm.bad,
                };
                text(ws, r, 2, cat, f)?;
                let person = row
                    .name
                    .clone()
                    .or_else(|| row.written(StaffField::Name))
                    .unwrap_or_default();
                text(ws, r, 3, &person, &st.text_wrap)?;
                let id = row
                    .id_number
                    .clone()
                    .unwrap_or_else(|| row.written(StaffField::IdNumber).unwrap_or_default());
                text(ws, r, 4, &id, &st.id_text)?;
                text(
                    ws,
                    r,
                    5,
                    &format!("{}\n{}", i.code.label(), i.code.as_str()),
                    &st.text_wrap,
                )?;
                text(ws, r, 6, i.cell.as_deref().unwrap_or(""), &fm.center)?;
                text(ws, r, 7, &i.message, &st.text_wrap)?;
                let src = row.origin.place();
                text(ws, r, 8, &src, &st.text_wrap)?;
                let lines = [(&i.message, 7usize), (&src, 8)]
                    .iter()
                    .map(|(s, c)| px.get(*c).map_or(1, |w| wrapped_lines(s, *w)))
                    .max()
                    .unwrap_or(1)
                    .max(2);
                ws.set_row_height_pixels(r, row_pixels(lines))?;
                r += 1;
            }
        }
        for f in &out.files {
            for (code, msg, sheet) in f.problems() {
                if out.file_county(f, sheet).as_ref() != owner {
                    continue;
                }
                if r >= MAX_TABLE_ROWS {
                    break 'outer;
                }
                seq += 1;
                count(ws, r, 0, seq, &fm.center)?;
                text(ws, r, 1, &name, &st.text)?;
                text(ws, r, 2, "文件问题", &fm.bad)?;
                ws.write_blank(r, 3, &st.text)?;
                ws.write_blank(r, 4, &st.text)?;
                text(
                    ws,
                    r,
                    5,
                    &format!("{}\n{}", code.label(), code.as_str()),
                    &st.text_wrap,
                )?;
                ws.write_blank(r, 6, &st.text)?;
                text(ws, r, 7, &msg, &st.text_wrap)?;
                let src = match sheet {
                    Some(s) => format!("{}｜{s}", f.path),
                    None => f.path.clone(),
                };
                text(ws, r, 8, &src, &st.text_wrap)?;
                let lines = [(&msg, 7usize), (&src, 8)]
                    .iter()
                    .map(|(s, c)| px.get(*c).map_or(1, |w| wrapped_lines(s, *w)))
                    .max()
                    .unwrap_or(1)
                    .max(2);
                ws.set_row_height_pixels(r, row_pixels(lines))?;
                r += 1;
            }
        }
    }
    let last_data = r.saturating_sub(1).max(2);
    if seq == 0 {
        merged(ws, r, 0, last, "本次审核没有发现问题", &st.text)?;
    } else {
        ws.ignore_error_range(3, 4, last_data, 4, IgnoreError::NumberStoredAsText)?;
    }
    ws.set_freeze_panes(3, 0)?;
    ws.autofilter(2, 0, last_data, last)?;
    style::print_setup(ws, 0, 2)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::worker::Isolation;
    use crate::policy::Policy;
    use crate::staff::{StaffConfig, evaluate};

    fn samples_output() -> StaffOutput {
        let cfg = StaffConfig {
            input: Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/staff-2025"),
            out: std::env::temp_dir().join("payrun-staff-report-tests"),
            year: 2025,
            run_date: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            threads: Some(2),
            isolation: Isolation::InProcess,
        };
        evaluate(&cfg, Policy::default_policy().unwrap(), &|_| {}).unwrap()
    }

    #[test]
    fn payroll_groups_follow_the_counties_and_offices() {
        let out = samples_output();
        let groups = payroll_groups(&out).unwrap();
        assert_eq!(groups.len(), 9);
        let hongta = &groups[0];
        assert_eq!(hongta.name, "红塔区");
        assert_eq!(hongta.people, 26);
        assert_eq!(hongta.municipal, Decimal::from(300_000));
        // Offices appear in the order the county listed them, each once.
        let mut names: Vec<&str> = hongta.offices.iter().map(|o| o.office.as_str()).collect();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn a_payroll_or_notice_that_does_not_add_up_is_refused() {
        let mut out = samples_output();
        out.totals.approved_amount += Decimal::new(1, 2);
        let err = payroll_groups(&out).unwrap_err();
        assert!(err.contains("不一致"), "{err}");

        let mut out = samples_output();
        if let Some(c) = out.counties.first_mut() {
            c.approved_amount -= Decimal::ONE;
        }
        assert!(payroll_groups(&out).is_err());

        let mut out = samples_output();
        if let Some(c) = out.counties.first_mut() {
            c.allocated_amount += Decimal::from(12_000);
        }
        let err = check_notice(&out).unwrap_err();
        assert!(err.contains("超出预算额度"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.xlsx");
        assert!(write_notice(&out, &path).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn workbooks_are_byte_identical_across_writes() {
        let out = samples_output();
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        write_performance(&out, &a).unwrap();
        write_performance(&out, &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }
}
