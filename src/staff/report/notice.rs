//! 经费下达表_<year>.xlsx: 经费下达表 (the per-county allocation the bureau signs, with its
//! 大写 totals and how the figures are computed), 审核明细 (every data row with its decision
//! and located findings), 文件问题 and 运行信息.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_xlsxwriter::{IgnoreError, Workbook, Worksheet};

use super::{
    ISSUER, MAX_TABLE_ROWS, Res, SHEET_DETAIL, SHEET_FILES, SHEET_NOTICE, SHEET_RUN, SheetFn,
    county_label, county_name_width, header, n64, prefix, shown, sign_row, standard_words, table,
    workbook, xe,
};
use crate::cell::format_daxie;
use crate::form::Outcome;
use crate::form::files::{SKIPPED_LABEL, SKIPPED_STATUS};
use crate::ingest::header::StaffField;
use crate::money::fen;
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::{self, Styles};
use crate::report::text::{display_width, row_pixels};
use crate::staff::parse::StaffRow;
use crate::staff::rules::{StaffDecision, outcome_label};
use crate::staff::{CountyStaff, StaffOutput, yuan_text};

/// Writes 经费下达表_<year>.xlsx atomically.
pub fn write_notice(out: &StaffOutput, path: &Path) -> Result<(), String> {
    let mut wb = build_notice(out).map_err(xe(path))?;
    check_notice(out)?;
    style::save(&mut wb, path)
}

/// The notice adds up: Σ 下达金额 + Σ 未分配资金 = the budget, each county within its line.
pub(super) fn check_notice(out: &StaffOutput) -> Result<(), String> {
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
    workbook(
        out,
        &format!("{}下达表", prefix(out)),
        &[
            (SHEET_NOTICE, notice_sheet as SheetFn),
            (SHEET_DETAIL, detail_sheet as SheetFn),
            (SHEET_FILES, files_sheet as SheetFn),
            (SHEET_RUN, run_sheet as SheetFn),
        ],
    )
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

fn notice_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
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
    let name_w = county_name_width(out);
    let remark_w = out
        .counties
        .iter()
        .map(|c| display_width(&notice_remark(c)))
        .max()
        .unwrap_or(0)
        .clamp(20, 34);
    let cols = Columns::units(&[5, name_w + 2, 8, 15, 8, 10, 8, 15, 15, remark_w + 1]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}下达表", prefix(out)),
        &format!(
            "下达单位：{ISSUER}　　预算年度：{}年　　{}",
            out.year,
            standard_words(out)
        ),
        true,
        &HEAD,
    )?;
    let mut r = 3u32;
    for (n, c) in (1u64..).zip(&out.counties) {
        sh.count(r, 0, n, &st.center)?;
        sh.text(r, 1, &c.name, &st.text)?;
        sh.count(r, 2, u64::from(c.quota), &st.int)?;
        sh.money(r, 3, c.budget, &st.money)?;
        sh.count(r, 4, n64(c.declared_rows), &st.int)?;
        sh.count(r, 5, n64(c.in_post), &st.int)?;
        sh.count(r, 6, u64::from(c.posts_allocated), &st.int)?;
        sh.money(r, 7, c.allocated_amount, &st.money)?;
        sh.money(r, 8, c.unallocated_amount, &st.money)?;
        let remark = notice_remark(c);
        sh.text(r, 9, &remark, &st.text_wrap)?;
        sh.fit(r, &[(9, &remark)], 1)?;
        r += 1;
    }
    let last_data = r.saturating_sub(1);
    let t = &out.totals;
    sh.merged(r, 0, 1, "合计", &st.total_center)?;
    sh.count(r, 2, u64::from(t.quota), &st.total_int)?;
    sh.money(r, 3, t.budget, &st.total_money)?;
    sh.count(
        r,
        4,
        n64(t.declared_rows.saturating_sub(out.unassigned.declared_rows)),
        &st.total_int,
    )?;
    sh.count(r, 5, n64(t.in_post), &st.total_int)?;
    sh.count(r, 6, u64::from(t.posts_allocated), &st.total_int)?;
    sh.money(r, 7, t.allocated_amount, &st.total_money)?;
    sh.money(r, 8, t.unallocated_amount, &st.total_money)?;
    sh.blank(r, 9, &st.total_label)?;
    sh.height(r, row_pixels(1))?;
    r += 1;
    let daxie = format_daxie(t.allocated_amount);
    sh.line(
        r,
        &format!("下达金额合计（大写）：{daxie}"),
        &st.daxie,
        row_pixels(1),
    )?;
    r += 1;
    let daxie = format_daxie(t.unallocated_amount);
    sh.line(
        r,
        &format!("未分配资金合计（大写）：{daxie}"),
        &st.daxie,
        row_pixels(1),
    )?;
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
    sh.note(r, &notes, &st.note, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out.run_date)?;

    sh.finish(2, Some(last_data.max(2)), (0, 2))
}

fn detail_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
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
    // Sized to print one A4 landscape page wide at about 80 % (SPEC §11.4): names, 审核意见 and
    // the file wrap; IDs, dates and amounts do not.
    let county_w = county_name_width(out).clamp(8, 9);
    let cols = Columns::units(&[
        5, county_w, 8, 7, 19, 10, 10, 5, 11, 11, 11, 7, 24, 26, 11, 5,
    ]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}审核明细", prefix(out)),
        &format!(
            "{}　　{}　　审核结果：核准 {} 行，不予补助 {} 行，超额度待定 {} 行",
            style::made_on(out.run_date),
            standard_words(out),
            out.totals.approved_rows,
            out.totals.rejected_rows,
            out.totals.held_rows
        ),
        true,
        &HEAD,
    )?;
    let mut r = 3u32;
    let mut seq = 0u64;
    for (row, d) in out.rows.iter().zip(&out.decisions) {
        if r >= MAX_TABLE_ROWS {
            let rest = out
                .rows
                .len()
                .saturating_sub(usize::try_from(seq).unwrap_or(0));
            sh.merged(
                r,
                0,
                last,
                &format!("以下 {rest} 行超出工作表行数上限，未列出，见 decisions.csv"),
                &st.text,
            )?;
            break;
        }
        seq += 1;
        sh.count(r, 0, seq, &st.center)?;
        sh.text(r, 1, &county_label(out, row), &st.text_wrap)?;
        let office = shown(&row.office, row, StaffField::Office);
        sh.text(r, 2, &office, &st.text_wrap)?;
        let name = shown(&row.name, row, StaffField::Name);
        sh.text(r, 3, &name, &st.text_wrap)?;
        let id = shown(&row.id_number, row, StaffField::IdNumber);
        sh.text(r, 4, &id, &st.id_text)?;
        date_or_written(&mut sh, st, r, 5, row.start, row, StaffField::StartDate)?;
        date_or_written(&mut sh, st, r, 6, row.end, row, StaffField::EndDate)?;
        match row.months {
            Some(m) => sh.number(r, 7, Decimal::from(m), &st.int)?,
            None => sh.text(
                r,
                7,
                &row.written(StaffField::Months).unwrap_or_default(),
                &st.text,
            )?,
        };
        match row.municipal {
            Some(v) => sh.money(r, 8, v, &st.money)?,
            None => sh.text(
                r,
                8,
                &row.written(StaffField::Municipal).unwrap_or_default(),
                &st.text,
            )?,
        }
        sh.money(r, 9, d.standard, &st.money)?;
        sh.money(r, 10, d.approved, &st.money)?;
        let f = match d.outcome {
            Outcome::Approved => &st.center,
            Outcome::Rejected => &st.bad,
            Outcome::Held => &st.held,
        };
        sh.text(r, 11, outcome_label(d.outcome), f)?;
        let op = opinions(d);
        sh.text(r, 12, &op, &st.text_wrap)?;
        sh.text(r, 13, &row.origin.file, &st.text_wrap)?;
        sh.text(r, 14, &row.origin.sheet, &st.text_wrap)?;
        sh.count(r, 15, u64::from(row.origin.row), &st.center)?;
        let cells = [
            (12, op.as_str()),
            (13, &row.origin.file),
            (14, &row.origin.sheet),
            (2, &office),
            (3, &name),
        ];
        sh.fit(r, &cells, 1)?;
        r += 1;
    }
    let last_data = r.saturating_sub(1).max(2);
    if out.rows.is_empty() {
        sh.merged(r, 0, last, "本次没有读到任何数据行", &st.text)?;
    } else if last_data >= 3 {
        sh.ws
            .ignore_error_range(3, 4, last_data, 4, IgnoreError::NumberStoredAsText)?;
    }
    sh.finish(2, Some(last_data), (0, 2))
}

fn date_or_written(
    sh: &mut Sheet,
    st: &Styles,
    r: u32,
    c: u16,
    d: Option<NaiveDate>,
    row: &StaffRow,
    f: StaffField,
) -> Res {
    match d {
        Some(d) => sh.date(r, c, d, &st.date),
        None => sh.text(r, c, &row.written(f).unwrap_or_default(), &st.center),
    }
}

fn files_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
    const HEAD: [&str; 7] = [
        "序号",
        "文件",
        "工作表",
        "县（市、区）",
        "问题",
        "说明",
        "代码",
    ];
    let last: u16 = 6;
    let cols = Columns::units(&[5, 30, 12, 12, 14, 60, 16]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}申报文件问题", prefix(out)),
        &format!(
            "{}　　共读取文件 {} 个，其中无法审核 {} 个{}",
            style::made_on(out.run_date),
            out.files.len(),
            out.files.iter().filter(|f| !f.ok()).count(),
            if out.skipped.is_empty() {
                String::new()
            } else {
                format!("；另有 {} 个文件不是工作簿，未读取", out.skipped.len())
            }
        ),
        false,
        &HEAD,
    )?;
    let mut r = 3u32;
    let mut n = 0u64;
    for f in &out.files {
        for (code, msg, sheet) in f.problems() {
            n += 1;
            sh.count(r, 0, n, &st.center)?;
            sh.text(r, 1, &f.path, &st.id_wrap)?;
            sh.text(r, 2, sheet.unwrap_or("（整个文件）"), &st.text_wrap)?;
            let county = out.county_name(out.file_county(f, sheet).as_ref());
            sh.text(r, 3, &county, &st.text)?;
            sh.text(r, 4, code.label(), &st.text_wrap)?;
            sh.text(r, 5, &msg, &st.text_wrap)?;
            sh.text(r, 6, code.as_str(), &st.text_wrap)?;
            sh.fit(
                r,
                &[
                    (1, &f.path),
                    (4, code.label()),
                    (5, &msg),
                    (6, code.as_str()),
                ],
                1,
            )?;
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
        sh.count(r, 0, n, &st.center)?;
        sh.text(r, 1, &sk.rel, &st.id_wrap)?;
        sh.text(r, 2, "（整个文件）", &st.text_wrap)?;
        let county = out.county_name(out.policy.registry.resolve_in_text(&sk.rel));
        sh.text(r, 3, &county, &st.text)?;
        sh.text(r, 4, SKIPPED_LABEL, &st.text_wrap)?;
        sh.text(r, 5, &sk.message, &st.text_wrap)?;
        sh.text(r, 6, SKIPPED_STATUS, &st.text_wrap)?;
        sh.fit(r, &[(1, &sk.rel), (4, SKIPPED_LABEL), (5, &sk.message)], 1)?;
        r += 1;
    }
    let last_data = r.saturating_sub(1).max(2);
    if n == 0 {
        sh.merged(
            r,
            0,
            last,
            "本次没有文件问题：所有文件均已读取并审核",
            &st.text,
        )?;
    }
    sh.finish(2, Some(last_data), (0, 2))
}

fn run_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
    let last: u16 = 5;
    let cols = Columns::units(&[36, 8, 14, 8, 66, 10]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}审核运行信息", prefix(out)),
        "",
        false,
        &[],
    )?;
    let p = &out.policy;
    let info: [(&str, String); 9] = [
        (
            "程序",
            format!("payrun {}（协勤人员经费审核）", out.program_version),
        ),
        ("审核年度", format!("{}年", out.year)),
        ("制表日期", style::cn_date(out.run_date)),
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
        sh.text(r, 0, k, &st.total_label)?;
        sh.merged(r, 1, last, &v, &st.text)?;
        r += 1;
    }
    r += 1;
    header(
        &mut sh,
        st,
        r,
        &["文件", "格式", "大小（字节）", "数据行", "SHA-256", "状态"],
    )?;
    r += 1;
    for f in &out.files {
        sh.text(r, 0, &f.path, &st.text_wrap)?;
        sh.text(
            r,
            1,
            &f.format
                .map(|x| format!("{x:?}").to_lowercase())
                .unwrap_or_else(|| "—".into()),
            &st.center,
        )?;
        sh.count(r, 2, f.bytes, &st.int)?;
        sh.count(r, 3, n64(f.data_rows), &st.int)?;
        sh.text(r, 4, &f.sha256, &st.id_text)?;
        let status = if f.ok() { "已审核" } else { "无法审核" };
        sh.text(r, 5, status, if f.ok() { &st.center } else { &st.bad })?;
        sh.fit(r, &[(0, &f.path)], 1)?;
        r += 1;
        if r >= MAX_TABLE_ROWS {
            break;
        }
    }
    style::page_setup(sh.ws, Some((0, 0)), cols.total_px())?;
    Ok(())
}

/// Every finding of a decision, one per line: "H7 在岗月数：…".
fn opinions(d: &StaffDecision) -> String {
    d.issues
        .iter()
        .map(|i| format!("【{}】{}", i.code.label(), i.message))
        .collect::<Vec<_>>()
        .join("\n")
}
