//! 审核反馈 workbooks (SPEC §4.6, §8, §9.12, §11.3): one per county that sent rows, holding that
//! county's rows and nothing else, in the claim form's 20 columns plus 审核结果 and 审核意见;
//! one sheet per file the county sent, named after it, so that each file can be corrected and
//! sent back as it came.
//!
//! The workbook is built so that the county can fix the red cells and send the same file back as
//! a normal submission: a 填报单位 line names the county, the header row uses the canonical
//! headers, every cell holds the value as read from the county's file, and ID, account and case
//! numbers are text. The two added columns are unknown headers to the reader and are ignored.
//! Red fill means must be fixed (a finding that rejects the row); yellow, a warning on a row
//! that is approved or held: worth a look, nothing to fix. The legend on every sheet says so.
//! 序号 is numbered anew from 1 on each sheet (the reader ignores it).
//!
//! Values are written as read (text as text, numbers as numbers, dates as date cells, error values
//! and uncached formulas as the text they show), with these deliberate exceptions:
//! - an ID or account number that Excel had already stored as a number with lost digits stays a
//!   number (in a text-formatted cell, so a re-typed number stays text): the same digits as text
//!   could pass as a real number on the way back;
//! - a date field that held a plain date serial is written as the date it was read as (the
//!   county's workbook may have used the 1904 date system);
//! - an uncached formula in the ignored 序号 column is left blank.
//!
//! An uncached formula elsewhere comes back as its text (`=50*2`), which the reader then reports
//! as `bad_value` / `bad_date` instead of `formula_not_calculated`: the row stays rejected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Color, Format, FormatAlign, IgnoreError, Note, Workbook, Worksheet, XlsxError,
};

use super::sheet::{Columns, Sheet};
use super::style::{self, NOTICE_FILL, Styles, WARN_FILL};
use super::text::{column_pixels, display_width, row_pixels, wrapped_lines};
use crate::codes::{RowCode, Severity, cell_ref};
use crate::county::CountyCode;
use crate::form::Outcome;
use crate::ingest::grid::CellVal;
use crate::ingest::header::{FIELDS, Field};
use crate::mediation::Decision;
use crate::mediation::RunOutput;
use crate::mediation::{Claim, Issue};

/// The name of a sheet whose rows name no file (never in practice: every row has a file).
pub const SHEET: &str = "审核反馈";
/// The two columns added after the claim form's 20.
pub const RESULT_HEADER: &str = "审核结果";
pub const OPINION_HEADER: &str = "审核意见";

/// 0-based rows of the layout: the blank form's (`payrun template`), so that a row sent back
/// sits on the row it had in the county's form and `payrun check` names the same cells.
use crate::template::{FIRST_DATA_ROW, HEADER_ROW, HELP_ROW, TITLE_ROW, UNIT_ROW};

const ADDED_HEADER_FILL: u32 = 0xFCE4D6;

/// A note is a pop-up: it holds the findings of one cell, never a county's whole input.
const NOTE_MAX_CHARS: usize = 2000;

/// `s` made writable (see [`style::cell_text`]) and cut to `max` characters.
fn clip(s: &str, max: usize) -> String {
    let t = style::cell_text(s);
    if t.chars().count() <= max {
        return t;
    }
    let mut out: String = t.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The county whose feedback workbook gets a claim (SPEC §9.12): its own county, else the
/// county of its sheet; None when neither resolved (such rows go to no workbook).
pub fn feedback_county(c: &Claim) -> Option<&CountyCode> {
    c.county.as_ref().or(c.sheet_county.as_ref())
}

/// County → indices into `out.claims`, each list in reading order (file, sheet, row).
pub fn feedback_rows(out: &RunOutput) -> BTreeMap<CountyCode, Vec<usize>> {
    let mut by: BTreeMap<CountyCode, Vec<usize>> = BTreeMap::new();
    for i in out.reading_order() {
        if let Some(k) = out.claims.get(i).and_then(feedback_county) {
            by.entry(k.clone()).or_default().push(i);
        }
    }
    by
}

/// The file name of a county's feedback workbook.
pub fn feedback_file_name(county_name: &str, period: &str) -> String {
    format!(
        "{}_审核反馈_{}.xlsx",
        style::file_component(county_name),
        style::file_component(period)
    )
}

/// Writes `dir/<县名>_审核反馈_<period>.xlsx` for every county that sent rows; returns the paths
/// in county-code order.
pub fn write_feedback(out: &RunOutput, dir: &Path) -> Result<Vec<PathBuf>, String> {
    use rayon::prelude::*;
    // Counties are independent workbooks: written in parallel, collected in county order.
    let groups: Vec<(CountyCode, Vec<usize>)> = feedback_rows(out).into_iter().collect();
    groups
        .par_iter()
        .map(|(code, rows)| {
            let name = match out.county_name(Some(code)) {
                n if n.trim().is_empty() => code.as_str().to_string(),
                n => n,
            };
            let path = dir.join(feedback_file_name(&name, &out.period.label));
            let mut wb = build_feedback(out, &name, rows)?;
            style::save(&mut wb, &path)?;
            Ok(path)
        })
        .collect::<Result<Vec<PathBuf>, String>>()
        .inspect(|written| remove_stale(dir, &out.period.label, written))
}

/// The feedback workbooks of `period` already in `dir` (files named exactly as
/// `feedback_file_name` names them for this period), sorted: a run rewrites or removes each.
pub fn period_feedback_files(dir: &Path, period: &str) -> Vec<PathBuf> {
    let suffix = format!("_审核反馈_{}.xlsx", style::file_component(period));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(&suffix)))
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// Removes the feedback workbooks of this period that an earlier run wrote for a county that sent
/// nothing this time: left in place, a county would be sent an outdated verdict.
fn remove_stale(dir: &Path, period: &str, written: &[PathBuf]) {
    for path in period_feedback_files(dir, period) {
        if path.is_file() && !written.contains(&path) {
            match std::fs::remove_file(&path) {
                Ok(()) => log::info!("removed stale feedback {}", path.display()),
                Err(e) => log::warn!("cannot remove stale feedback {}: {e}", path.display()),
            }
        }
    }
}

/// How a field's values are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 身份证号码, 银行账号: text, never wrapped.
    Id,
    /// 案件编号: text, wrapped when long.
    Case,
    Date,
    Other,
}

fn kind(f: Field) -> Kind {
    match f {
        Field::IdNumber | Field::Account => Kind::Id,
        Field::CaseNo => Kind::Case,
        Field::AcceptDate | Field::CloseDate => Kind::Date,
        _ => Kind::Other,
    }
}

/// Formats of this workbook beyond the shared ones, built once.
struct Local {
    warn_date: Format,
    case_text: Format,
    warn_case_text: Format,
    /// The yellow of a warning, on each kind of cell.
    look_text: Format,
    look_id_text: Format,
    look_case_text: Format,
    look_date: Format,
    /// The legend's two colour samples.
    legend_fix: Format,
    legend_look: Format,
    legend_text: Format,
    help: Format,
    added_header: Format,
    result_ok: Format,
    result_rejected: Format,
    result_held: Format,
}

impl Local {
    fn new(st: &Styles) -> Local {
        let center = st.text.clone().set_align(FormatAlign::Center).set_bold();
        let yellow = Color::RGB(NOTICE_FILL);
        Local {
            warn_date: st.date.clone().set_background_color(Color::RGB(WARN_FILL)),
            case_text: st.id_text.clone().set_text_wrap(),
            warn_case_text: st.warn_id_text.clone().set_text_wrap(),
            look_text: st.text_wrap.clone().set_background_color(yellow),
            look_id_text: st.id_text.clone().set_background_color(yellow),
            look_case_text: st
                .id_text
                .clone()
                .set_text_wrap()
                .set_background_color(yellow),
            look_date: st.date.clone().set_background_color(yellow),
            legend_fix: center.clone().set_background_color(Color::RGB(WARN_FILL)),
            legend_look: center.clone().set_background_color(yellow),
            legend_text: st
                .plain
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            help: st
                .plain
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter)
                .set_font_color(Color::RGB(0x9C0006)),
            added_header: st
                .header
                .clone()
                .set_background_color(Color::RGB(ADDED_HEADER_FILL)),
            result_ok: center.clone().set_font_color(Color::RGB(0x006100)),
            result_rejected: center.clone().set_font_color(Color::RGB(0x9C0006)),
            result_held: center.set_font_color(Color::RGB(0x9C5700)),
        }
    }
}

/// How a cell is marked: the fill a person reads as "fix this" or "have a look".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    /// Red: a finding that rejects the row.
    Fix,
    /// Yellow: only warnings (the row is approved or held).
    Look,
}

/// The mark of a cell carrying `issues`: red when one of them rejects the row, else yellow.
fn mark_of(issues: &[&Issue]) -> Mark {
    if issues.is_empty() {
        Mark::None
    } else if issues
        .iter()
        .any(|i| i.code.severity() != Severity::Warning)
    {
        Mark::Fix
    } else {
        Mark::Look
    }
}

fn xe(e: XlsxError) -> String {
    format!("生成审核反馈表失败：{e}")
}

/// One cell as it will be written.
enum Out<'a> {
    Blank,
    Text(std::borrow::Cow<'a, str>),
    Number(rust_decimal::Decimal),
    Date(chrono::NaiveDate),
    Bool(bool),
}

impl Out<'_> {
    /// The text a person sees, for column widths.
    fn shown(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Out::Blank => Cow::Borrowed(""),
            Out::Text(t) => Cow::Borrowed(t),
            Out::Number(n) => Cow::Owned(n.normalize().to_string()),
            Out::Date(_) => Cow::Borrowed("2025-01-01"),
            Out::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        }
    }
}

/// The value to write for field `f` of a claim (see the module comment for the two exceptions).
fn cell_value<'a>(f: Field, c: &'a Claim, county_name: &'a str) -> Out<'a> {
    // Most cells are text: borrowed from the claim, and copied only into the cell itself.
    if let Some(t) = c.raw_text(f)
        && !crate::cell::is_blank_text(t)
    {
        return Out::Text(style::cell_text_borrowed(t));
    }
    let raw = c.raw_cell(f).filter(|v| !v.is_blank());
    let Some(v) = raw else {
        return if f == Field::County {
            Out::Text(county_name.into())
        } else {
            Out::Blank
        };
    };
    match v.as_ref() {
        CellVal::Text(t) => Out::Text(style::cell_text(t).into()),
        CellVal::Number(Some(n)) => match kind(f) {
            Kind::Id | Kind::Case => {
                let keep_number = f != Field::CaseNo
                    && (crate::cell::number_lost_precision(*n)
                        || crate::cell::integer_text(*n).is_none());
                if keep_number {
                    Out::Number(*n)
                } else {
                    Out::Text(
                        crate::cell::integer_text(*n)
                            .unwrap_or_else(|| v.display())
                            .into(),
                    )
                }
            }
            Kind::Date => {
                let parsed = if f == Field::CloseDate {
                    c.close_date
                } else {
                    c.accept_date
                };
                match parsed {
                    Some(d) => Out::Date(d),
                    None => Out::Number(*n),
                }
            }
            Kind::Other => Out::Number(*n),
        },
        CellVal::Date(d) => Out::Date(*d),
        CellVal::Bool(b) => Out::Bool(*b),
        // An uncached formula in the ignored 序号 column (`=ROW()-3`) would only show as noise.
        CellVal::Formula(_) if f == Field::Seq => Out::Blank,
        CellVal::Number(None) | CellVal::BadDate(_) | CellVal::Error(_) | CellVal::Formula(_) => {
            Out::Text(style::cell_text(&v.display()).into())
        }
    }
}

/// "修改方法" for a finding, when its message does not already say how to fix it.
fn hint(code: RowCode) -> Option<&'static str> {
    Some(match code {
        RowCode::BadIdNumber => {
            "请核对调解员身份证，填写完整的 18 位号码（末位 X 用大写），本列保持文本格式"
        }
        RowCode::NotSuccessful => {
            "调解未成功的案件不予补贴；如系填写错误，请更正为“成功”，否则无需修改"
        }
        RowCode::DossierNonstandard => {
            "卷宗规范后方可补贴；卷宗已整改规范的，请改为“是”，否则无需修改"
        }
        RowCode::ReviewNotPassed => {
            "司法所初审和县级审核均为“通过”方可补贴；复核通过后请改为“通过”"
        }
        RowCode::DateOutOfPeriod => "请核对结案日期；日期无误的，本案不属本期补贴范围，无需修改",
        RowCode::DateInFuture => "结案日期不能晚于审核日，请核对更正",
        RowCode::NoRate => "该纠纷等级与协议形式没有补贴标准；如填写有误，请更正纠纷等级或协议形式",
        RowCode::DuplicateInBatch => "一个案件只能申报一次：请删除重复的行，或更正填错的案件编号",
        RowCode::AlreadyPaid => "该案件已发放过补贴，请勿重复申报；如案件编号填写有误，请更正",
        RowCode::OverCap => {
            "本县年度补贴限额剩余不足，按结案日期先后发放，本案待市局统筹决定，无需修改"
        }
        RowCode::AmountAdjusted => "按补贴标准发放，无需修改",
        RowCode::LateClaim => "跨期补报已核准，无需修改",
        RowCode::PossibleDuplicate => {
            "请核实是否同一案件重复申报：重复的请删除一行，确为不同案件的无需修改"
        }
        RowCode::MissingField
        | RowCode::BadValue
        | RowCode::BadDate
        | RowCode::IdPrecisionLost
        | RowCode::FormulaNotCalculated
        | RowCode::MissingBankAccount => return None,
    })
}

/// The message with the cell reference of the county's file replaced by `new_ref` (the cell of
/// this workbook), or dropped when `new_ref` is None.
fn relocate(issue: &Issue, new_ref: Option<&str>) -> String {
    let mut m = issue.message.as_str();
    if let Some(old) = &issue.cell
        && let Some(rest) = m.strip_prefix(old.as_str())
    {
        m = rest.trim_start();
    }
    match new_ref {
        Some(r) => format!("{r} {m}"),
        None => m.to_string(),
    }
}

fn field_col(f: Field) -> u16 {
    Field::all()
        .position(|g| g == f)
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(0)
}

/// Builds one county's feedback workbook (not saved): one sheet per file the rows came from,
/// in reading order. `rows` index `out.claims`, in reading order.
pub fn build_feedback(
    out: &RunOutput,
    county_name: &str,
    rows: &[usize],
) -> Result<Workbook, String> {
    let st = Styles::new();
    let local = Local::new(&st);
    let mut wb = style::workbook();
    wb.set_properties(&style::properties(
        &format!(
            "{county_name} 人民调解“一案一补”审核反馈 {}",
            out.period.label
        ),
        out.period.run_date,
    ));
    let mut taken: Vec<String> = Vec::new();
    let groups = by_file(out, rows);
    if groups.is_empty() {
        let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name(style::sheet_name(SHEET, &mut taken))
            .map_err(xe)?;
        write_sheet(ws, &st, &local, out, county_name, "", &[]).map_err(xe)?;
    }
    for (file, rows) in groups {
        // Constant memory: rows stream to a temp file with inline strings, so a county of 100k
        // rows costs neither a shared-string table nor the whole sheet in memory. write_sheet
        // writes strictly row by row, as that mode requires.
        let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name(style::sheet_name(&file_stem(file), &mut taken))
            .map_err(xe)?;
        write_sheet(ws, &st, &local, out, county_name, file, &rows).map_err(xe)?;
    }
    Ok(wb)
}

/// `rows` (in reading order, so each file's rows are together) cut into one run per file.
fn by_file<'a>(out: &'a RunOutput, rows: &[usize]) -> Vec<(&'a str, Vec<usize>)> {
    let mut groups: Vec<(&'a str, Vec<usize>)> = Vec::new();
    for &i in rows {
        let Some(c) = out.claims.get(i) else { continue };
        let file: &str = &c.origin.file;
        match groups.last_mut() {
            Some((f, v)) if *f == file => v.push(i),
            _ => groups.push((file, vec![i])),
        }
    }
    groups
}

/// A sheet name for a file: its name without folders and extension ("峨山县_…_2025年第3季度");
/// [`style::sheet_name`] cuts it to 31 characters and keeps it unique.
fn file_stem(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && ext.len() <= 5
                && ext.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            stem.to_string()
        }
        _ => name.to_string(),
    }
}

/// Column width limits in half-width units, in claim-form order: narrow, wrapping columns so
/// that the 22 columns print one A4 page wide at a readable scale.
const WIDTH_LIMITS: [(u32, u32); 20] = [
    (4, 5),   // 序号
    (6, 12),  // 县（市、区）
    (6, 10),  // 司法所
    (8, 14),  // 人民调解委员会
    (12, 17), // 案件编号
    (4, 8),   // 纠纷类型
    (4, 8),   // 纠纷等级
    (10, 10), // 受理日期
    (10, 10), // 结案日期
    (4, 8),   // 调解结果
    (4, 8),   // 协议形式
    (4, 8),   // 卷宗规范
    (4, 8),   // 调解员
    (18, 20), // 身份证号码
    (8, 12),  // 开户银行
    (12, 21), // 银行账号
    (4, 10),  // 申报金额
    (4, 8),   // 司法所初审
    (4, 8),   // 县级审核
    (4, 12),  // 备注
];
const OPINION_UNITS: u32 = 30;

/// The width (half-width units) of a column whose content is `content` units wide, within
/// `min..=max`, chosen so that a header that has to wrap splits into two even lines
/// ("调解/结果", "司法所/初审") rather than leaving one character on a line of its own.
fn fit_units(header: u32, content: u32, min: u32, max: u32) -> u32 {
    let w = content.clamp(min, max.max(min));
    if w >= header {
        return w;
    }
    let two_lines = header.div_ceil(2).next_multiple_of(2);
    if content <= two_lines && two_lines >= min {
        two_lines
    } else if header <= max {
        header
    } else {
        two_lines.max(min)
    }
}

/// The legend and the help under the 来源文件 line: what the colours mean and how to send the
/// sheet back.
const LEGEND_FIX: &str =
    "必须修改：本行不予补贴，原因在红色单元格（批注写明问题和修改方法），改正后报回";
const LEGEND_LOOK: &str = "提示：本行已核准或待定，黄色单元格请核对，无需修改也可照原样报回";
const HELP: &str = "说明：1. 鼠标移到有颜色的单元格上可查看批注；“审核意见”列列出本行的全部问题和提示。\
                    2. 请直接在本表中修改后整份报回（核准的行也请保留），每个工作表对应县里报送的一个文件；“审核结果”“审核意见”两列不必填写或删除。\
                    3. 身份证号码、银行账号、案件编号请保持文本格式，不要改成数字。";

/// The columns of the legend row (of the 22): the red sample, what red means, the yellow
/// sample, what yellow means, then the help.
const LEGEND_COLS: [(u16, u16); 5] = [(0, 1), (2, 6), (7, 8), (9, 13), (14, 21)];

#[allow(clippy::too_many_arguments)]
fn write_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    local: &Local,
    out: &RunOutput,
    county_name: &str,
    file: &str,
    rows: &[usize],
) -> Result<(), XlsxError> {
    let n_fields = u16::try_from(FIELDS.len()).unwrap_or(20);
    let result_col = n_fields;
    let opinion_col = n_fields + 1;
    let last_col = opinion_col;

    // Everything written, decided first so the column widths fit it.
    let mut table: Vec<(&Decision, Vec<Out>)> = Vec::with_capacity(rows.len());
    for &i in rows {
        if let (Some(c), Some(d)) = (out.claims.get(i), out.decisions.get(i)) {
            let seq = u32::try_from(table.len() + 1).unwrap_or(u32::MAX);
            let values = Field::all()
                .map(|f| {
                    if f == Field::Seq {
                        // Numbered anew on each sheet (SPEC §11.3): the reader ignores it.
                        Out::Number(seq.into())
                    } else {
                        cell_value(f, c, county_name)
                    }
                })
                .collect();
            table.push((d, values));
        }
    }
    let last_row = u32::try_from(table.len())
        .unwrap_or(u32::MAX)
        .saturating_add(FIRST_DATA_ROW);
    if last_row >= style::MAX_ROWS {
        return Err(XlsxError::RowColumnLimitError);
    }

    let mut widths: Vec<u32> = Vec::with_capacity(usize::from(last_col) + 1);
    for (k, spec) in FIELDS.iter().enumerate() {
        let (min, max) = WIDTH_LIMITS.get(k).copied().unwrap_or((8, 16));
        let content = table
            .iter()
            .filter_map(|(_, v)| v.get(k))
            .map(|v| display_width(&v.shown()))
            .max()
            .unwrap_or(0);
        let units = fit_units(display_width(spec.canonical), content, min, max);
        widths.push(column_pixels(units, units, units));
    }
    let results = table
        .iter()
        .map(|(d, _)| display_width(d.outcome.label()))
        .max()
        .unwrap_or(0);
    let units = fit_units(display_width(RESULT_HEADER), results, 8, 10);
    widths.push(column_pixels(units, units, units));
    widths.push(column_pixels(OPINION_UNITS, OPINION_UNITS, OPINION_UNITS));
    // Each column's format is that of its cells without a problem, so that only marked cells
    // (and results other than the most common) are written with a format of their own; it also
    // keeps a value typed into the form later text where an ID or account goes.
    let mut cols = (0u16..)
        .zip(Field::all())
        .fold(Columns::pixels(widths), |cols, (c, f)| {
            cols.plain(c, plain_format(st, local, kind(f)))
        });
    cols = cols
        .plain(
            result_col,
            result_format(local, most_common_outcome(&table)),
        )
        .plain(opinion_col, &st.text_wrap);
    cols.apply(ws)?;
    let width_of = |c: u16| cols.px(c);
    let mut sh = Sheet::new(ws, &cols);

    // Title, 填报单位 line (what lets payrun find the county when the file comes back), the
    // file the sheet answers, the legend, help.
    sh.merged(
        TITLE_ROW,
        0,
        last_col,
        &format!(
            "{county_name}{}年{}人民调解“一案一补”补贴申报审核反馈表",
            out.policy.year, out.period.def.name
        ),
        &st.title,
    )?;
    sh.height(TITLE_ROW, 40)?;
    sh.merged(
        UNIT_ROW,
        0,
        4,
        &format!("填报单位：{county_name}司法局"),
        &st.subtitle,
    )?;
    let count = |o: Outcome| table.iter().filter(|(d, _)| d.outcome == o).count();
    let about = format!(
        "来源文件：{}　　本表 {} 条：核准 {} 条，不予补贴 {} 条，超预算待定 {} 条　　审核期间：{}（{}至{}）　　{}",
        if file.is_empty() { "—" } else { file },
        table.len(),
        count(Outcome::Approved),
        count(Outcome::Rejected),
        count(Outcome::Held),
        out.period.label,
        style::cn_date(out.period.def.start),
        style::cn_date(out.period.def.end),
        style::made_on(out.period.run_date),
    );
    sh.merged(UNIT_ROW, 5, last_col, &about, &local.legend_text)?;
    let lines = wrapped_lines(&about, cols.span_px(5, last_col));
    sh.height(UNIT_ROW, row_pixels(lines).max(24))?;
    // The legend: a red and a yellow sample, each with what it means, then the help.
    let [red, fix, yellow, look, help] = LEGEND_COLS;
    sh.merged(HELP_ROW, red.0, red.1, "红色", &local.legend_fix)?;
    sh.merged(HELP_ROW, fix.0, fix.1, LEGEND_FIX, &local.legend_text)?;
    sh.merged(HELP_ROW, yellow.0, yellow.1, "黄色", &local.legend_look)?;
    sh.merged(HELP_ROW, look.0, look.1, LEGEND_LOOK, &local.legend_text)?;
    sh.merged(HELP_ROW, help.0, help.1, HELP, &local.help)?;
    let lines = [(LEGEND_FIX, fix), (LEGEND_LOOK, look), (HELP, help)]
        .iter()
        .map(|(t, (a, b))| wrapped_lines(t, cols.span_px(*a, *b)))
        .max()
        .unwrap_or(1);
    sh.height(HELP_ROW, row_pixels(lines))?;

    let mut header_lines = 1;
    for (c, spec) in (0u16..).zip(FIELDS.iter()) {
        sh.ws
            .write_string_with_format(HEADER_ROW, c, spec.canonical, &st.header)?;
        header_lines = header_lines.max(wrapped_lines(spec.canonical, width_of(c)));
    }
    sh.ws
        .write_string_with_format(HEADER_ROW, result_col, RESULT_HEADER, &local.added_header)?;
    sh.ws
        .write_string_with_format(HEADER_ROW, opinion_col, OPINION_HEADER, &local.added_header)?;
    sh.height(HEADER_ROW, row_pixels(header_lines))?;

    sh.ws.set_default_note_author("玉溪市司法局");
    let mut row = FIRST_DATA_ROW;
    // Consumed row by row: each text is moved into its cell, not copied again.
    for (d, values) in table {
        // Findings per column; a finding without a field only goes to 审核意见.
        let mut by_field: BTreeMap<Field, Vec<&Issue>> = BTreeMap::new();
        for issue in &d.issues {
            if let Some(f) = issue.field {
                by_field.entry(f).or_default().push(issue);
            }
        }
        let mut lines = 1;
        for ((col, f), v) in (0u16..).zip(Field::all()).zip(values) {
            let mark = by_field.get(&f).map_or(Mark::None, |v| mark_of(v));
            if matches!(v, Out::Text(_) | Out::Number(_)) && kind(f) != Kind::Id {
                lines = lines.max(wrapped_lines(&v.shown(), width_of(col)));
            }
            write_value(&mut sh, st, local, row, col, kind(f), v, mark)?;
        }
        for (f, issues) in &by_field {
            let col = field_col(*f);
            let mut text: Vec<String> = issues.iter().map(|i| relocate(i, None)).collect();
            let mut hints: Vec<&str> = Vec::new();
            for i in issues {
                // A date after the period end is usually also after the run date: one hint.
                let covered = i.code == RowCode::DateInFuture
                    && issues.iter().any(|j| j.code == RowCode::DateOutOfPeriod);
                if let Some(h) = hint(i.code)
                    && !covered
                    && !hints.contains(&h)
                {
                    hints.push(h);
                }
            }
            let how = if mark_of(issues) == Mark::Fix {
                "修改方法"
            } else {
                "说明"
            };
            text.extend(hints.iter().map(|h| format!("{how}：{h}")));
            let text = clip(&text.join("\n"), NOTE_MAX_CHARS);
            let note_width = 360;
            let note = Note::new(text.as_str())
                .add_author_prefix(false)
                .set_font_name("宋体")
                .set_font_size(9)
                .set_width(note_width)
                .set_height(row_pixels(wrapped_lines(&text, note_width)).saturating_add(8));
            sh.ws.insert_note(row, col, &note)?;
        }

        let result = result_format(local, d.outcome);
        sh.text(row, result_col, d.outcome.label(), result)?;
        let opinion: Vec<String> = d
            .issues
            .iter()
            .map(|i| {
                let here = i.field.map(|f| cell_ref(row, u32::from(field_col(f))));
                let text = relocate(i, here.as_deref());
                if i.code.severity() == Severity::Warning {
                    format!("〔提示〕{text}")
                } else {
                    text
                }
            })
            .collect();
        let opinion = style::cell_text(&opinion.join("\n"));
        lines = lines.max(wrapped_lines(&opinion, width_of(opinion_col)));
        sh.prepared_text(row, opinion_col, &opinion, &st.text_wrap)?;
        sh.height(row, row_pixels(lines))?;
        row += 1;
    }

    let last_data = row.saturating_sub(1).max(HEADER_ROW);
    if last_data >= FIRST_DATA_ROW {
        for f in [Field::CaseNo, Field::IdNumber, Field::Account] {
            let col = field_col(f);
            sh.ws.ignore_error_range(
                FIRST_DATA_ROW,
                col,
                last_data,
                col,
                IgnoreError::NumberStoredAsText,
            )?;
        }
    }
    // Only the header row repeats: the title, legend and help print once, on the first page.
    sh.finish(HEADER_ROW, Some(last_data), (HEADER_ROW, HEADER_ROW))
}

/// The format of a cell of kind `kind` without a problem.
fn plain_format<'f>(st: &'f Styles, local: &'f Local, kind: Kind) -> &'f Format {
    match kind {
        Kind::Id => &st.id_text,
        Kind::Case => &local.case_text,
        Kind::Date => &st.date,
        Kind::Other => &st.text_wrap,
    }
}

fn result_format(local: &Local, outcome: Outcome) -> &Format {
    match outcome {
        Outcome::Approved => &local.result_ok,
        Outcome::Rejected => &local.result_rejected,
        Outcome::Held => &local.result_held,
    }
}

/// The outcome most rows of `table` have (the first in approved, rejected, held on a tie).
fn most_common_outcome<T>(table: &[(&Decision, T)]) -> Outcome {
    let outcomes = [Outcome::Approved, Outcome::Rejected, Outcome::Held];
    let count = |o: Outcome| table.iter().filter(|(d, _)| d.outcome == o).count();
    let counts = outcomes.map(count);
    let mut best = 0;
    for (i, n) in counts.iter().enumerate() {
        if *n > counts[best] {
            best = i;
        }
    }
    outcomes[best]
}

#[allow(clippy::too_many_arguments)]
fn write_value(
    sh: &mut Sheet,
    st: &Styles,
    local: &Local,
    row: u32,
    col: u16,
    kind: Kind,
    v: Out,
    mark: Mark,
) -> Result<(), XlsxError> {
    let text_format = match (kind, mark) {
        (Kind::Id, Mark::None) => &st.id_text,
        (Kind::Id, Mark::Fix) => &st.warn_id_text,
        (Kind::Id, Mark::Look) => &local.look_id_text,
        (Kind::Case, Mark::None) => &local.case_text,
        (Kind::Case, Mark::Fix) => &local.warn_case_text,
        (Kind::Case, Mark::Look) => &local.look_case_text,
        (_, Mark::None) => &st.text_wrap,
        (_, Mark::Fix) => &st.warn_text,
        (_, Mark::Look) => &local.look_text,
    };
    let date_format = match mark {
        Mark::None => &st.date,
        Mark::Fix => &local.warn_date,
        Mark::Look => &local.look_date,
    };
    match v {
        Out::Blank => {
            let f = if kind == Kind::Date {
                date_format
            } else {
                text_format
            };
            sh.blank(row, col, f)
        }
        // Made writable when it was read from the claim (`cell_value`).
        Out::Text(t) => sh.prepared_text(row, col, &t, text_format),
        Out::Number(n) => sh.number(row, col, n, text_format),
        Out::Date(d) => sh.date(row, col, d, date_format),
        Out::Bool(b) => sh.boolean(row, col, b, text_format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Verdict;
    use crate::report::payroll::tests::{fixture, read_sheet, run_dir, text};
    use calamine::Data;
    use std::collections::BTreeSet;
    use std::io::Read;

    /// Every sheet of a workbook, by name, in order.
    fn read_sheets(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
        use calamine::Reader;
        let wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
        wb.sheet_names()
            .into_iter()
            .map(|n| {
                let rows = read_sheet(path, &n);
                (n, rows)
            })
            .collect()
    }

    /// The rows of every sheet, one after another.
    fn all_rows(path: &Path) -> Vec<Vec<Data>> {
        read_sheets(path).into_iter().flat_map(|(_, r)| r).collect()
    }

    /// The data rows of every sheet, one after another.
    fn data_rows(path: &Path) -> Vec<Vec<Data>> {
        read_sheets(path)
            .into_iter()
            .flat_map(|(_, r)| r.into_iter().skip(FIRST_DATA_ROW as usize))
            .collect()
    }

    fn zip_part(path: &Path, name: &str) -> Option<String> {
        let f = std::fs::File::open(path).unwrap();
        let mut z = zip::ZipArchive::new(f).unwrap();
        let mut e = z.by_name(name).ok()?;
        let mut s = String::new();
        e.read_to_string(&mut s).unwrap();
        Some(s)
    }

    /// Codes of a decision, with the one documented difference of a round trip folded: an
    /// uncached formula is written as its text, which reads back as a bad value of its field.
    fn folded(d: &Decision) -> BTreeSet<&'static str> {
        d.codes()
            .into_iter()
            .map(|c| match c {
                RowCode::FormulaNotCalculated | RowCode::BadValue | RowCode::BadDate => {
                    "unreadable"
                }
                other => other.as_str(),
            })
            .collect()
    }

    fn check_round_trip(dir: &str) {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture(dir), &tmp.path().join("out"));
        let fb = tmp.path().join("feedback");
        let paths = write_feedback(&out, &fb).unwrap();
        let groups = feedback_rows(&out);
        assert_eq!(paths.len(), groups.len());
        assert!(!paths.is_empty());

        // Each file: the header, the 填报单位 line and exactly that county's rows (computed here
        // independently of `feedback_rows`), in reading order.
        let mut sent: BTreeMap<CountyCode, Vec<(String, u32, u32)>> = BTreeMap::new();
        for c in &out.claims {
            let owner = match (&c.county, &c.sheet_county) {
                (Some(k), _) => k,
                (None, Some(k)) => k,
                (None, None) => continue,
            };
            sent.entry(owner.clone()).or_default().push((
                c.origin.file.to_string(),
                c.origin.sheet_index as u32,
                c.origin.row,
            ));
        }
        for rows in sent.values_mut() {
            rows.sort();
        }
        assert_eq!(
            sent.keys().collect::<Vec<_>>(),
            groups.keys().collect::<Vec<_>>()
        );
        for (code, rows) in &groups {
            let places: Vec<(String, u32, u32)> = rows
                .iter()
                .map(|&i| {
                    let o = &out.claims[i].origin;
                    (o.file.to_string(), o.sheet_index as u32, o.row)
                })
                .collect();
            assert_eq!(Some(&places), sent.get(code));
        }
        for (path, (code, rows)) in paths.iter().zip(&groups) {
            let name = out.county_name(Some(code));
            assert_eq!(
                path.file_name().unwrap().to_string_lossy(),
                format!("{name}_审核反馈_2025-H1.xlsx")
            );
            // One sheet per file the county sent, in reading order, each naming its file,
            // numbered from 1.
            let files: Vec<String> = by_file(&out, rows)
                .into_iter()
                .map(|(f, _)| f.to_string())
                .collect();
            let sheets = read_sheets(path);
            assert_eq!(sheets.len(), files.len());
            let mut data: Vec<Vec<Data>> = Vec::new();
            for ((sheet_name, sheet), file) in sheets.iter().zip(&files) {
                assert_eq!(
                    *sheet_name,
                    style::sheet_name(&file_stem(file), &mut Vec::new())
                );
                assert_eq!(
                    text(sheet[UNIT_ROW as usize].first()),
                    format!("填报单位：{name}司法局")
                );
                assert!(
                    text(sheet[UNIT_ROW as usize].get(5))
                        .starts_with(&format!("来源文件：{file}　　")),
                    "{sheet_name}"
                );
                let head: Vec<String> = sheet[HEADER_ROW as usize]
                    .iter()
                    .map(|d| text(Some(d)))
                    .collect();
                let mut want: Vec<String> =
                    FIELDS.iter().map(|s| s.canonical.to_string()).collect();
                want.push(RESULT_HEADER.into());
                want.push(OPINION_HEADER.into());
                assert_eq!(head, want);
                let seq: Vec<String> = sheet[FIRST_DATA_ROW as usize..]
                    .iter()
                    .map(|r| text(r.first()))
                    .collect();
                let want: Vec<String> = (1..=seq.len()).map(|n| n.to_string()).collect();
                assert_eq!(seq, want, "序号 of {sheet_name}");
                data.extend(sheet[FIRST_DATA_ROW as usize..].iter().cloned());
            }
            assert_eq!(data.len(), rows.len());
            let col = field_col(Field::CaseNo) as usize;
            for (r, &i) in data.iter().zip(rows) {
                let cell = r.get(col);
                assert!(
                    matches!(cell, Some(Data::String(_)) | Some(Data::Empty) | None),
                    "{cell:?}"
                );
                let key = crate::cell::case_key(&text(cell));
                assert_eq!(key.as_deref(), out.claims[i].case_key.as_deref());
                // The county column is never blank.
                assert!(!text(r.get(field_col(Field::County) as usize)).is_empty());
                assert_eq!(
                    text(r.get(usize::from(field_col(Field::Remark)) + 1)),
                    out.decisions[i].outcome.label()
                );
            }
        }

        // Read the feedback folder back as a submission: same rows, same decisions.
        let again = run_dir(&fb, &tmp.path().join("out2"));
        assert!(again.files.iter().all(|f| f.ok()), "{:?}", again.files);
        for (path, (code, rows)) in paths.iter().zip(&groups) {
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            let mut back: Vec<usize> = (0..again.claims.len())
                .filter(|&j| *again.claims[j].origin.file == *file)
                .collect();
            back.sort_by_key(|&j| again.claims[j].origin.row);
            assert_eq!(back.len(), rows.len(), "{file}");
            for (&i, &j) in rows.iter().zip(&back) {
                let (c0, c1) = (&out.claims[i], &again.claims[j]);
                let (d0, d1) = (&out.decisions[i], &again.decisions[j]);
                assert_eq!(c0.case_key, c1.case_key);
                assert_eq!(feedback_county(c1), Some(code));
                assert_eq!(c0.county, c1.county, "{}", c0.origin.place());
                assert_eq!(
                    d0.outcome,
                    d1.outcome,
                    "{} {:?}",
                    c0.origin.place(),
                    d1.issues
                );
                assert_eq!(d0.approved, d1.approved);
                if d0.codes() != d1.codes() {
                    assert!(
                        d0.has(RowCode::FormulaNotCalculated),
                        "{}",
                        c0.origin.place()
                    );
                    assert_eq!(folded(d0), folded(d1), "{}", c0.origin.place());
                }
                for f in [
                    Field::IdNumber,
                    Field::Account,
                    Field::Mediator,
                    Field::Office,
                ] {
                    let get = |c: &Claim| match f {
                        Field::IdNumber => c.id_number.clone(),
                        Field::Account => c.account.clone(),
                        Field::Mediator => c.mediator.clone(),
                        _ => c.office.clone(),
                    };
                    assert_eq!(get(c0), get(c1), "{f:?} {}", c0.origin.place());
                }
                assert_eq!(c0.close_date, c1.close_date);
                assert_eq!(c0.claimed, c1.claimed);
            }
        }
        assert_eq!(again.totals.approved_amount, out.totals.approved_amount);
    }

    #[test]
    fn round_trip_mixed() {
        check_round_trip("mixed");
    }

    #[test]
    fn round_trip_openpyxl() {
        check_round_trip("openpyxl");
    }

    #[test]
    fn round_trip_libreoffice_formats() {
        for dir in ["lo_xlsx", "lo_ods", "lo_xls"] {
            check_round_trip(dir);
        }
    }

    #[test]
    fn a_row_whose_county_does_not_resolve_goes_to_its_sheets_county() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("lo_xlsx"), &tmp.path().join("out"));
        let paths = write_feedback(&out, tmp.path()).unwrap();
        assert_eq!(paths.len(), 1);
        let sheet = all_rows(&paths[0]);
        let county_col = field_col(Field::County) as usize;
        assert!(sheet.iter().any(|r| text(r.get(county_col)) == "某某县"));
    }

    #[test]
    fn problem_cells_are_red_with_a_note_and_the_opinion_lists_every_issue() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), &tmp.path().join("out"));
        let paths = write_feedback(&out, tmp.path()).unwrap();
        for (path, (_, rows)) in paths.iter().zip(feedback_rows(&out)) {
            let expected_notes: usize = rows
                .iter()
                .map(|&i| {
                    out.decisions[i]
                        .issues
                        .iter()
                        .filter_map(|x| x.field)
                        .collect::<BTreeSet<_>>()
                        .len()
                })
                .sum();
            let comments: String = (1..)
                .map_while(|n| zip_part(path, &format!("xl/comments{n}.xml")))
                .collect();
            assert_eq!(comments.matches("<comment ").count(), expected_notes);
            assert!(comments.contains("修改方法："));
            let data = data_rows(path);
            assert_eq!(data.len(), rows.len());
            let op = usize::from(field_col(Field::Remark)) + 2;
            for (r, &i) in data.iter().zip(&rows) {
                let opinion = text(r.get(op));
                let d = &out.decisions[i];
                assert_eq!(opinion.lines().count(), d.issues.len(), "{opinion}");
            }
        }
        // 通海县 秀山司法所 row 10: 疑难复杂 口头 → no_rate on 协议形式, shown at the feedback's
        // own cell, not the county file's.
        let tonghai = paths
            .iter()
            .find(|p| p.to_string_lossy().contains("通海县_审核反馈"))
            .unwrap();
        let op = usize::from(field_col(Field::Remark)) + 2;
        let hit = read_sheets(tonghai)
            .into_iter()
            .find_map(|(_, th)| {
                th.iter()
                    .enumerate()
                    .find(|(_, r)| text(r.get(op)).contains("没有补贴标准"))
                    .map(|(n, r)| (n, r.clone()))
            })
            .unwrap();
        let want = format!("K{} 协议形式：", hit.0 + 1);
        assert!(
            text(hit.1.get(op)).starts_with(&want),
            "{}",
            text(hit.1.get(op))
        );
        let styles = zip_part(tonghai, "xl/styles.xml").unwrap();
        assert!(styles.contains("FFFFC7CE"));
    }

    /// The fill colour (ARGB) of cell `at` of sheet `n` (1-based) as written, if it has one.
    fn fill_of(path: &Path, n: usize, at: &str) -> Option<String> {
        let sheet = zip_part(path, &format!("xl/worksheets/sheet{n}.xml"))?;
        let styles = zip_part(path, "xl/styles.xml")?;
        let start = sheet.find(&format!("<c r=\"{at}\""))?;
        let tag = &sheet[start..start + sheet[start..].find('>')?];
        let s: usize = tag.split(" s=\"").nth(1)?.split('"').next()?.parse().ok()?;
        let xfs = &styles[styles.find("<cellXfs")?..styles.find("</cellXfs>")?];
        let xf = xfs.split("<xf ").nth(s + 1)?;
        let fill: usize = xf
            .split("fillId=\"")
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()?;
        let fills = &styles[styles.find("<fills")?..styles.find("</fills>")?];
        let f = fills.split("<fill>").nth(fill + 1)?;
        Some(
            f.split("fgColor rgb=\"")
                .nth(1)?
                .split('"')
                .next()?
                .to_string(),
        )
    }

    /// SPEC §11.3: a cell whose findings reject the row is red, a cell with warnings only is
    /// yellow; each sheet's legend shows both colours.
    #[test]
    fn red_is_for_fixing_and_yellow_for_warnings() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), &tmp.path().join("out"));
        let paths = write_feedback(&out, tmp.path()).unwrap();
        let (mut red, mut yellow) = (0, 0);
        for (path, (_, rows)) in paths.iter().zip(feedback_rows(&out)) {
            let mut at = 0usize;
            for (n, (_, file_rows)) in (1..).zip(by_file(&out, &rows)) {
                let [red_sample, _, yellow_sample, ..] = LEGEND_COLS;
                assert_eq!(
                    fill_of(path, n, &cell_ref(HELP_ROW, u32::from(red_sample.0))).as_deref(),
                    Some("FFFFC7CE")
                );
                assert_eq!(
                    fill_of(path, n, &cell_ref(HELP_ROW, u32::from(yellow_sample.0))).as_deref(),
                    Some("FFFFF2CC")
                );
                for (k, &i) in file_rows.iter().enumerate() {
                    let row = FIRST_DATA_ROW + u32::try_from(k).unwrap();
                    let d = &out.decisions[i];
                    let mut by: BTreeMap<Field, Vec<&Issue>> = BTreeMap::new();
                    for x in &d.issues {
                        if let Some(f) = x.field {
                            by.entry(f).or_default().push(x);
                        }
                    }
                    for (f, xs) in by {
                        let fix = xs.iter().any(|x| x.code.severity() != Severity::Warning);
                        let want = if fix { "FFFFC7CE" } else { "FFFFF2CC" };
                        let got = fill_of(path, n, &cell_ref(row, u32::from(field_col(f))));
                        assert_eq!(got.as_deref(), Some(want), "{f:?} {:?}", d.issues);
                        if fix {
                            red += 1;
                        } else {
                            yellow += 1;
                            assert_eq!(d.outcome, Outcome::Approved, "{:?}", d.issues);
                        }
                    }
                }
                at += file_rows.len();
            }
            assert_eq!(at, rows.len());
        }
        assert!(red > 0 && yellow > 0, "red {red}, yellow {yellow}");
    }

    #[test]
    fn lost_digits_stay_a_number_so_a_resubmission_is_still_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("openpyxl"), &tmp.path().join("out"));
        let paths = write_feedback(&out, tmp.path()).unwrap();
        let sheet = all_rows(&paths[0]);
        let col = field_col(Field::IdNumber) as usize;
        let numbers = sheet
            .iter()
            .filter(|r| matches!(r.get(col), Some(Data::Float(_))))
            .count();
        assert_eq!(numbers, 1);
    }

    #[test]
    fn rows_no_county_owns_are_written_nowhere() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = run_dir(&fixture("mixed"), &tmp.path().join("out"));
        let mut orphan = out.claims[0].clone();
        orphan.county = None;
        orphan.sheet_county = None;
        orphan.raw.cells.retain(|(f, _)| *f != Field::CaseNo);
        orphan
            .raw
            .cells
            .push((Field::CaseNo, CellVal::Text("ORPHAN-0001".into())));
        let d = out.decisions[0].clone();
        out.claims.push(orphan);
        out.decisions.push(d);
        let paths = write_feedback(&out, tmp.path()).unwrap();
        assert_eq!(paths.len(), 2);
        let col = field_col(Field::CaseNo) as usize;
        for p in &paths {
            let sheet = all_rows(p);
            assert!(sheet.iter().all(|r| text(r.get(col)) != "ORPHAN-0001"));
        }
    }

    #[test]
    fn two_writes_are_byte_identical() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), &tmp.path().join("out"));
        let a = write_feedback(&out, &tmp.path().join("a")).unwrap();
        let b = write_feedback(&out, &tmp.path().join("b")).unwrap();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
        }
    }

    #[test]
    fn a_huge_hostile_value_still_gives_a_workbook() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = run_dir(&fixture("mixed"), &tmp.path().join("out"));
        let huge = "坏".repeat(40_000);
        let d = &mut out.decisions[0];
        d.issues.push(Issue {
            code: RowCode::BadValue,
            field: Some(Field::Committee),
            cell: None,
            message: format!("人民调解委员会：“{huge}”"),
        });
        out.claims[0]
            .raw
            .cells
            .push((Field::Remark, CellVal::Text(huge.clone())));
        let paths = write_feedback(&out, tmp.path()).unwrap();
        assert_eq!(paths.len(), 2);
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn wrapped_headers_split_evenly() {
        // 调解结果 over 成功: two lines of two characters.
        assert_eq!(fit_units(8, 4, 4, 8), 4);
        // over 不成功: the header on one line.
        assert_eq!(fit_units(8, 6, 4, 8), 8);
        // 司法所初审 over 通过: 司法所/初审.
        assert_eq!(fit_units(10, 4, 4, 8), 6);
        // Content wider than the header decides.
        assert_eq!(fit_units(6, 10, 6, 10), 10);
        assert_eq!(fit_units(14, 22, 8, 14), 14);
    }

    #[test]
    fn messages_are_moved_to_the_feedback_cell() {
        let i = Issue {
            code: RowCode::BadDate,
            field: Some(Field::CloseDate),
            cell: Some("H12".into()),
            message: "H12 结案日期：不是日期".into(),
        };
        assert_eq!(relocate(&i, Some("I5")), "I5 结案日期：不是日期");
        assert_eq!(relocate(&i, None), "结案日期：不是日期");
        let j = Issue {
            cell: None,
            message: "结案日期：x".into(),
            ..i
        };
        assert_eq!(relocate(&j, Some("I5")), "I5 结案日期：x");
    }
}
