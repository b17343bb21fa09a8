//! 协勤人员工资发放表_<year>.xlsx: a 汇总 sheet (per county: 人数, 在岗月数, 市级补助, 县级配套,
//! 合计, with both totals in 大写), then one sheet per county with its people in post grouped
//! by 司法所 in the county's order, 司法所小计 rows, the county 合计, 大写 and sign-off lines.

use std::path::Path;

use rust_decimal::Decimal;
use rust_xlsxwriter::{IgnoreError, Workbook, Worksheet};

use super::{
    ISSUER, NO_ACCOUNT, NO_BANK, Res, SHEET_PAY_SUMMARY, n64, prefix, sign_row, standard_words,
    table, xe,
};
use crate::cell::format_daxie;
use crate::county::CountyCode;
use crate::money::fen;
use crate::report::sheet::{Columns, Sheet, push};
use crate::report::style::{self, Styles};
use crate::report::text::{display_width, row_pixels};
use crate::staff::StaffOutput;
use crate::staff::parse::StaffRow;

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
    let st = Styles::new();
    let mut wb = style::report_workbook(&format!("{}工资发放表", prefix(out)), out.run_date);
    let mut taken = Vec::new();
    let mut ws = Worksheet::new();
    pay_summary_sheet(&mut ws, &st, out, groups)?;
    push(&mut wb, ws, SHEET_PAY_SUMMARY, &mut taken)?;
    for g in groups {
        let mut ws = Worksheet::new();
        pay_county_sheet(&mut ws, &st, out, g)?;
        push(&mut wb, ws, &g.name, &mut taken)?;
    }
    Ok(wb)
}

/// Under the 汇总 table: what the two amounts are.
const SUMMARY_NOTE: &str = "说明：市级补助为审核通过的市级补助金额（不超过每人每月标准 × 在岗月数）；县级配套按各县申报数列示，由县级财政发放。各县明细见各县工作表。";

fn pay_summary_sheet(
    ws: &mut Worksheet,
    st: &Styles,
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
    let cols = Columns::units(&[5, 26, 8, 10, 17, 17, 17, 30]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}工资发放汇总表", prefix(out)),
        &format!(
            "填报单位：{ISSUER}　　发放年度：{}年　　{}",
            out.year,
            standard_words(out)
        ),
        true,
        &HEAD,
    )?;
    let mut r = 3u32;
    for (n, c) in (1u64..).zip(&out.counties) {
        let g = groups.iter().find(|g| Some(&g.code) == c.code.as_ref());
        sh.count(r, 0, n, &st.center)?;
        sh.text(r, 1, &c.name, &st.text)?;
        sh.count(r, 2, n64(c.in_post), &st.int)?;
        sh.count(r, 3, c.months, &st.int)?;
        sh.money(r, 4, c.approved_amount, &st.money)?;
        sh.money(r, 5, c.county_top_up, &st.money)?;
        sh.money(r, 6, c.approved_amount + c.county_top_up, &st.money)?;
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
        sh.text(r, 7, &remark, &st.text_wrap)?;
        sh.height(r, row_pixels(1))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1);
    let t = &out.totals;
    sh.merged(r, 0, 1, "合计", &st.total_center)?;
    sh.count(r, 2, n64(t.in_post), &st.total_int)?;
    sh.count(r, 3, t.months, &st.total_int)?;
    sh.money(r, 4, t.approved_amount, &st.total_money)?;
    sh.money(r, 5, t.county_top_up, &st.total_money)?;
    sh.money(r, 6, t.approved_amount + t.county_top_up, &st.total_money)?;
    sh.blank(r, 7, &st.total_label)?;
    sh.height(r, row_pixels(1))?;
    r += 1;
    daxie_rows(&mut sh, st, r, t.approved_amount, t.county_top_up)?;
    r += 2;
    sh.note(r, SUMMARY_NOTE, &st.note, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out.run_date)?;
    sh.finish(2, Some(last_data.max(2)), (0, 2))
}

/// The municipal total and the whole payment in 大写, on rows `r` and `r + 1`.
fn daxie_rows(sh: &mut Sheet, st: &Styles, r: u32, city: Decimal, county: Decimal) -> Res {
    let city_words = format!("市级补助合计（大写）：{}", format_daxie(city));
    sh.line(r, &city_words, &st.daxie, row_pixels(1))?;
    let all_words = format!("发放金额合计（大写）：{}", format_daxie(city + county));
    sh.line(r + 1, &all_words, &st.daxie, row_pixels(1))
}

fn pay_county_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput, g: &CountyPayroll) -> Res {
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
    let cols = Columns::units(&units);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}{}年专职社区矫正协勤人员工资发放表", g.name, out.year),
        &format!(
            "填报单位：{}司法局　　发放年度：{}年（1月至12月）　　{}",
            g.name,
            out.year,
            standard_words(out)
        ),
        true,
        &HEAD,
    )?;
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
            sh.count(r, 0, seq, &st.center)?;
            sh.text(r, 1, &o.office, &st.text_wrap)?;
            sh.text(r, 2, row.name.as_deref().unwrap_or(""), &st.text_wrap)?;
            sh.text(r, 3, row.id_number.as_deref().unwrap_or(""), &st.id_text)?;
            sh.count(
                r,
                4,
                u64::try_from(row.months.unwrap_or(0)).unwrap_or(0),
                &st.int,
            )?;
            sh.money(r, 5, d.approved, &st.money)?;
            sh.money(r, 6, top, &st.money)?;
            sh.money(r, 7, d.approved + top, &st.money)?;
            let bank = row.bank.as_deref().unwrap_or(NO_BANK);
            sh.text(r, 8, bank, &st.text_wrap)?;
            sh.text(
                r,
                9,
                row.account.as_deref().unwrap_or(NO_ACCOUNT),
                &st.id_text,
            )?;
            let remark = remark_of(row);
            sh.text(r, 10, &remark, &st.text_wrap)?;
            sh.fit(r, &[(1, &o.office), (8, bank), (10, &remark)], 1)?;
            r += 1;
        }
        sh.merged(r, 0, 0, "", &st.total_label)?;
        sh.merged(
            r,
            1,
            3,
            &format!("{}小计（{} 人）", o.office, o.people.len()),
            &st.total_text,
        )?;
        sh.count(r, 4, o.months, &st.total_int)?;
        sh.money(r, 5, o.municipal, &st.total_money)?;
        sh.money(r, 6, o.top_up, &st.total_money)?;
        sh.money(r, 7, o.municipal + o.top_up, &st.total_money)?;
        for c in 8..=last {
            sh.blank(r, c, &st.total_label)?;
        }
        sh.height(r, row_pixels(1))?;
        r += 1;
    }
    let last_data = r.saturating_sub(1);
    if last_data >= first_data {
        sh.ws
            .ignore_error_range(first_data, 3, last_data, 3, IgnoreError::NumberStoredAsText)?;
        sh.ws
            .ignore_error_range(first_data, 9, last_data, 9, IgnoreError::NumberStoredAsText)?;
    }
    sh.merged(
        r,
        0,
        3,
        &format!("{}合计（{} 人）", g.name, g.people),
        &st.total_center,
    )?;
    sh.count(r, 4, g.months, &st.total_int)?;
    sh.money(r, 5, g.municipal, &st.total_money)?;
    sh.money(r, 6, g.top_up, &st.total_money)?;
    sh.money(r, 7, g.municipal + g.top_up, &st.total_money)?;
    for c in 8..=last {
        sh.blank(r, c, &st.total_label)?;
    }
    sh.height(r, row_pixels(1))?;
    r += 1;
    daxie_rows(&mut sh, st, r, g.municipal, g.top_up)?;
    r += 3;
    sign_row(&mut sh, st, r, out.run_date)?;
    sh.finish(2, Some(last_data.max(2)), (0, 2))
}
