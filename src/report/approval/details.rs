//! The four detail tables of 审批汇总表, each on paged sheets ([`super::paged`]): 核准明细
//! (approved rows, numbered, with their 合计 checked against the run's totals), 不予补贴明细
//! (every rejected row with each reason and its cell), 超预算待定 (held rows in the order caps
//! were applied) and 文件问题 (file and sheet problems, run notices).

use rust_decimal::Decimal;

use super::paged::Paged;
use super::{Col, Ctx, Fail, Res, SHEET_APPROVED, SHEET_FILES, SHEET_HELD, SHEET_REJECTED, fit_px};
use crate::codes::{RowCode, Severity};
use crate::form::Outcome;
use crate::form::files::{SKIPPED_LABEL, SKIPPED_STATUS};
use crate::ingest::header::Field;
use crate::mediation::Claim;
use crate::mediation::Decision;
use crate::mediation::RunOutput;
use crate::report::sheet::Columns;
use rust_xlsxwriter::Workbook;

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

// ---- 核准明细 ----

/// The columns of 核准明细, widths in Excel character units. Sized so the table prints one A4
/// landscape page wide at about 78 % (SPEC §11.4): the long texts (委员会, 案件编号, 开户银行,
/// 来源) wrap to at most three lines, which 来源 (file｜sheet｜row) needs anyway; 提示 is
/// empty on most rows and wraps on the few that have one. The claimed amount has no column:
/// where it differs from the standard, 提示 says both (`amount_adjusted`).
pub(super) const APPROVED_COLS: &[Col] = &[
    Col("序号", 5.0),
    Col("县（市、区）", 9.0),
    Col("司法所", 8.0),
    Col("人民调解委员会", 9.0),
    Col("案件编号", 12.0),
    Col("纠纷类型", 6.0),
    Col("纠纷等级", 5.5),
    Col("协议形式", 5.5),
    Col("结案日期", 10.0),
    Col("调解员", 7.0),
    Col("身份证号码", 19.5),
    Col("开户银行", 11.0),
    Col("银行账号", 20.5),
    Col("标准金额", 8.5),
    Col("核准金额", 11.5),
    Col("提示", 14.0),
    Col("来源", 23.0),
];

/// Column of 核准金额 in [`APPROVED_COLS`].
pub(super) const APPROVED_AMOUNT: u16 = 14;

/// [`APPROVED_COLS`] with 序号 and 核准金额 as wide as this run's numbers need: the row count
/// and the largest amount of a row (the 合计, wider, spans 标准金额 and 核准金额).
fn approved_cols(rows: usize, widest: Decimal) -> Vec<Col> {
    let mut cols: Vec<Col> = APPROVED_COLS.iter().map(|c| Col(c.0, c.1)).collect();
    let seq = rows.to_string().len() + 2;
    let amount = crate::report::text::money_units(widest) as usize + 1;
    for (i, need) in [(0, seq), (usize::from(APPROVED_AMOUNT), amount)] {
        if let Some(c) = cols.get_mut(i) {
            c.1 = c.1.max(need as f64);
        }
    }
    cols
}

/// The approved rows, sorted by county code, 司法所, case; returns the sheets, the sum of
/// 核准金额 written and the number of rows, after checking both against `out.totals`.
pub(super) fn approved(
    cx: &Ctx,
    wb: &mut Workbook,
    taken: &mut Vec<String>,
) -> Res<(Decimal, usize)> {
    let out = cx.out;
    let st = &cx.st;
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
    // Every column but the totals' has one format: the column's own.
    let plain = [
        &st.int_center,
        &st.text_wrap,
        &st.text_wrap,
        &st.text_wrap,
        &st.id_wrap,
        &st.text_wrap,
        &st.center,
        &st.center,
        &st.date,
        &st.text,
        &st.id_text,
        &st.text_wrap,
        &st.id_text,
        &st.money,
        &st.money,
        &st.text_wrap,
        &st.id_wrap,
    ];
    let title = format!("{}核准案件明细", cx.prefix);
    let widest = rows
        .iter()
        .map(|(_, d)| d.approved.max(d.standard))
        .max()
        .unwrap_or_default();
    let cols = approved_cols(rows.len(), widest);
    let mut pg = Paged::new(cx, wb, taken, SHEET_APPROVED, title, &cols, &plain, true);
    let mut sum = Decimal::ZERO;
    let texts = |c: &Claim, d: &Decision| {
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
        (county_label(out, c), hints.join("\n"), c.origin.place())
    };
    let fit = |cols: &Columns, c: &Claim, (county, hints, place): &(String, String, String)| {
        fit_px(
            cols,
            &[
                (1, county),
                (2, c.office.as_deref().unwrap_or("")),
                (3, c.committee.as_deref().unwrap_or("")),
                (4, c.case_no.as_deref().unwrap_or("")),
                (5, c.dispute_type.as_deref().unwrap_or("")),
                (6, c.level.map(|l| l.label()).unwrap_or("")),
                (11, c.bank.as_deref().unwrap_or("")),
                (15, hints),
                (16, place),
            ],
        )
    };
    let heights: Vec<Option<u32>> = rows
        .iter()
        .map(|(c, d)| fit(pg.columns(), c, &texts(c, d)))
        .collect();
    pg.usual_height(&heights);
    for (n, ((c, d), height)) in rows.iter().zip(heights).enumerate() {
        let (county, hints, place) = texts(c, d);
        let (mut w, r) = pg.row(true, height)?;
        w.count(r, 0, n + 1, &st.int_center)?;
        w.text(r, 1, &county, &st.text_wrap)?;
        w.opt_text(r, 2, c.office.as_deref(), &st.text_wrap)?;
        w.opt_text(r, 3, c.committee.as_deref(), &st.text_wrap)?;
        w.opt_text(r, 4, c.case_no.as_deref(), &st.id_wrap)?;
        w.opt_text(r, 5, c.dispute_type.as_deref(), &st.text_wrap)?;
        w.opt_text(r, 6, c.level.map(|l| l.label()), &st.center)?;
        w.opt_text(r, 7, c.form.map(|f| f.label()), &st.center)?;
        match c.close_date {
            Some(dt) => w.date(r, 8, dt, &st.date)?,
            None => w.blank(r, 8, &st.date)?,
        }
        w.opt_text(r, 9, c.mediator.as_deref(), &st.text)?;
        w.opt_text(r, 10, c.id_number.as_deref(), &st.id_text)?;
        w.opt_text(r, 11, c.bank.as_deref(), &st.text_wrap)?;
        w.opt_text(r, 12, c.account.as_deref(), &st.id_text)?;
        w.money(r, 13, d.standard, &st.money)?;
        w.money(r, APPROVED_AMOUNT, d.approved, &st.money)?;
        w.text(r, 15, &hints, &st.text_wrap)?;
        w.text(r, 16, &place, &st.id_wrap)?;
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
    // The 合计 is wider than any row's amount: it takes 标准金额's cell too, ending under
    // 核准金额.
    let (mut w, r) = pg.row(false, None)?;
    let first = APPROVED_AMOUNT - 1;
    w.merged(
        r,
        0,
        first - 1,
        &format!("合计（{} 件）", rows.len()),
        &st.total_label,
    )?;
    w.ws.merge_range(r, first, r, APPROVED_AMOUNT, "", &st.total_money)?;
    w.money(r, first, out.totals.approved_amount, &st.total_money)?;
    w.blanks(
        r,
        APPROVED_AMOUNT + 1..=APPROVED_AMOUNT + 2,
        &st.total_label,
    )?;
    pg.finish()?;
    Ok((sum, rows.len()))
}

// ---- 不予补贴明细 ----

/// The reasons in Chinese, where they are (file, sheet, row, cells), and at the right edge the
/// codes of decisions.csv, one a line beside its reason (SPEC §11.1).
const REJECTED_COLS: &[Col] = &[
    Col("县（市、区）", 9.0),
    Col("案件编号", 12.0),
    Col("调解员", 7.0),
    Col("身份证号码", 19.5),
    Col("结案日期", 10.0),
    Col("不予补贴原因", 42.0),
    Col("文件", 22.0),
    Col("工作表", 9.0),
    Col("行号", 5.0),
    Col("单元格", 7.0),
    Col("代码", 20.0),
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

pub(super) fn rejected(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res {
    let out = cx.out;
    let st = &cx.st;
    let plain = [
        &st.text_wrap,
        &st.id_wrap,
        &st.text,
        &st.id_text,
        &st.date,
        &st.text_wrap,
        &st.id_wrap,
        &st.text_wrap,
        &st.int_center,
        &st.text_wrap,
        &st.text_wrap,
    ];
    let title = format!("{}不予补贴案件明细", cx.prefix);
    let mut pg = Paged::new(
        cx,
        wb,
        taken,
        SHEET_REJECTED,
        title,
        REJECTED_COLS,
        &plain,
        false,
    );
    let rows = rows_of(out, Outcome::Rejected);
    if rows.is_empty() {
        pg.note("本期无不予补贴案件")?;
    }
    struct Texts {
        county: String,
        why: String,
        codes: String,
        cells: String,
    }
    let texts = |c: &Claim, d: &Decision| {
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
        // The codes in the order of the reasons above, one a line.
        let codes = d
            .issues
            .iter()
            .filter(|i| i.code.severity() != Severity::Warning)
            .chain(
                d.issues
                    .iter()
                    .filter(|i| i.code.severity() == Severity::Warning),
            )
            .map(|i| i.code.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let mut cells: Vec<&str> = Vec::new();
        for i in &d.issues {
            if let Some(cell) = i.cell.as_deref()
                && !cells.contains(&cell)
            {
                cells.push(cell);
            }
        }
        let cells = cells.join(", ");
        Texts {
            county: county_label(out, c),
            why,
            codes,
            cells,
        }
    };
    let fit = |cols: &Columns, c: &Claim, t: &Texts| {
        fit_px(
            cols,
            &[
                (0, &t.county),
                (1, c.case_no.as_deref().unwrap_or("")),
                (5, &t.why),
                (6, &c.origin.file),
                (7, &c.origin.sheet),
                (9, &t.cells),
                (10, &t.codes),
            ],
        )
    };
    let heights: Vec<Option<u32>> = rows
        .iter()
        .map(|(c, d)| fit(pg.columns(), c, &texts(c, d)))
        .collect();
    pg.usual_height(&heights);
    for ((c, d), height) in rows.into_iter().zip(heights) {
        let Texts {
            county,
            why,
            codes,
            cells,
        } = texts(c, d);
        let (mut w, r) = pg.row(true, height)?;
        w.text(r, 0, &county, &st.text_wrap)?;
        let case_no = shown(c.case_no.as_deref(), c, Field::CaseNo);
        w.opt_text(r, 1, case_no.as_deref(), &st.id_wrap)?;
        let mediator = shown(c.mediator.as_deref(), c, Field::Mediator);
        w.opt_text(r, 2, mediator.as_deref(), &st.text)?;
        let id = shown(c.id_number.as_deref(), c, Field::IdNumber);
        w.opt_text(r, 3, id.as_deref(), &st.id_text)?;
        match c.close_date {
            Some(dt) => w.date(r, 4, dt, &st.date)?,
            None => {
                let written = shown(None, c, Field::CloseDate);
                w.opt_text(r, 4, written.as_deref(), &st.center)?;
            }
        }
        w.text(r, 5, &why, &st.text_wrap)?;
        w.text(r, 6, &c.origin.file, &st.id_wrap)?;
        w.text(r, 7, &c.origin.sheet, &st.text_wrap)?;
        w.count(r, 8, c.origin.row, &st.int_center)?;
        w.text(r, 9, &cells, &st.text_wrap)?;
        w.text(r, 10, &codes, &st.text_wrap)?;
    }
    pg.finish()
}

// ---- 超预算待定 ----

/// Two lines a row: the reason (the figures of SPEC §9.9) and the place each take two.
const HELD_COLS: &[Col] = &[
    Col("县（市、区）", 9.0),
    Col("案件编号", 15.0),
    Col("调解员", 7.0),
    Col("结案日期", 10.0),
    Col("标准金额", 10.0),
    Col("待定原因", 90.0),
    Col("来源", 34.0),
];

pub(super) fn held(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res {
    let out = cx.out;
    let st = &cx.st;
    let plain = [
        &st.text_wrap,
        &st.id_wrap,
        &st.text,
        &st.date,
        &st.money,
        &st.text_wrap,
        &st.id_wrap,
    ];
    let title = format!("{}超预算待定案件", cx.prefix);
    let mut pg = Paged::new(cx, wb, taken, SHEET_HELD, title, HELD_COLS, &plain, true);
    let mut rows = rows_of(out, Outcome::Held);
    // The order caps are applied in (SPEC §4.4): county, 结案日期, case.
    rows.sort_by(|(a, _), (b, _)| {
        (county_key(a), a.close_date, &a.case_key).cmp(&(county_key(b), b.close_date, &b.case_key))
    });
    if rows.is_empty() {
        pg.note("本期无超预算待定案件")?;
    }
    let texts = |c: &Claim, d: &Decision| {
        let why: Vec<&str> = d
            .issues
            .iter()
            .filter(|i| i.code == RowCode::OverCap)
            .map(|i| i.message.as_str())
            .collect();
        (county_label(out, c), why.join("\n"), c.origin.place())
    };
    let fit = |cols: &Columns, c: &Claim, (county, why, place): &(String, String, String)| {
        fit_px(
            cols,
            &[
                (0, county),
                (1, c.case_no.as_deref().unwrap_or("")),
                (5, why),
                (6, place),
            ],
        )
    };
    let heights: Vec<Option<u32>> = rows
        .iter()
        .map(|(c, d)| fit(pg.columns(), c, &texts(c, d)))
        .collect();
    pg.usual_height(&heights);
    for ((c, d), height) in rows.into_iter().zip(heights) {
        let (county, why, place) = texts(c, d);
        let (mut w, r) = pg.row(true, height)?;
        w.text(r, 0, &county, &st.text_wrap)?;
        w.opt_text(r, 1, c.case_no.as_deref(), &st.id_wrap)?;
        w.opt_text(r, 2, c.mediator.as_deref(), &st.text)?;
        match c.close_date {
            Some(dt) => w.date(r, 3, dt, &st.date)?,
            None => w.blank(r, 3, &st.date)?,
        }
        w.money(r, 4, d.standard, &st.money)?;
        w.text(r, 5, &why, &st.text_wrap)?;
        w.text(r, 6, &place, &st.id_wrap)?;
    }
    pg.finish()
}

// ---- 文件问题 ----

const FILE_PROBLEM_COLS: &[Col] = &[
    Col("文件", 30.0),
    Col("工作表", 12.0),
    Col("问题类型", 14.0),
    Col("问题说明", 72.0),
    Col("代码", 16.0),
];

pub(super) fn file_problems(cx: &Ctx, wb: &mut Workbook, taken: &mut Vec<String>) -> Res {
    let out = cx.out;
    let st = &cx.st;
    // A few rows a run: no column formats, so nothing shows under the table.
    let title = format!("{}申报文件问题清单", cx.prefix);
    let mut pg = Paged::new(
        cx,
        wb,
        taken,
        SHEET_FILES,
        title,
        FILE_PROBLEM_COLS,
        &[],
        false,
    );
    let mut any = false;
    for f in &out.files {
        for (code, message, sheet) in f.problems() {
            any = true;
            let height = fit_px(
                pg.columns(),
                &[
                    (0, &f.path),
                    (1, sheet.unwrap_or("")),
                    (2, code.label()),
                    (3, &message),
                    (4, code.as_str()),
                ],
            );
            let (mut w, r) = pg.row(true, height)?;
            w.text(r, 0, &f.path, &st.id_wrap)?;
            w.opt_text(r, 1, sheet, &st.text_wrap)?;
            w.text(r, 2, code.label(), &st.text_wrap)?;
            w.text(r, 3, &message, &st.text_wrap)?;
            w.text(r, 4, code.as_str(), &st.text_wrap)?;
        }
    }
    // Files that hold no workbook (SPEC §10.1): no problem of the run, listed all the same so
    // that nothing a county sent goes unanswered.
    for sk in &out.skipped {
        any = true;
        let height = fit_px(
            pg.columns(),
            &[(0, &sk.rel), (2, SKIPPED_LABEL), (3, &sk.message)],
        );
        let (mut w, r) = pg.row(true, height)?;
        w.text(r, 0, &sk.rel, &st.id_wrap)?;
        w.blank(r, 1, &st.text)?;
        w.text(r, 2, SKIPPED_LABEL, &st.text_wrap)?;
        w.text(r, 3, &sk.message, &st.text_wrap)?;
        w.text(r, 4, SKIPPED_STATUS, &st.text_wrap)?;
    }
    for n in &out.notices {
        any = true;
        let height = fit_px(pg.columns(), &[(3, n)]);
        let (mut w, r) = pg.row(true, height)?;
        w.text(r, 0, "（整批）", &st.text)?;
        w.blank(r, 1, &st.text)?;
        w.text(r, 2, "运行提示", &st.text)?;
        w.text(r, 3, n, &st.text_wrap)?;
        w.text(r, 4, "—", &st.center)?;
    }
    if !any {
        pg.note("本期所有文件均已读取")?;
    }
    pg.finish()
}
