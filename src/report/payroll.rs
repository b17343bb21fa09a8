//! 发放表 (SPEC §4.6, §9.11): the payroll workbook finance staff print and pay from.
//!
//! A 汇总 sheet first (one line per county with approved rows, the grand total and its 大写),
//! then one sheet per county laid out like a Chinese finance form: merged title, 填报单位 line,
//! one row per (mediator ID number, bank account), the county 小计, the total in 大写 and the
//! sign-off line. Every amount is `Decision.approved`; the sums are checked against the run's
//! own totals to the fen, and a difference is an error (a bug), never a printed payroll.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::Datelike;
use rust_decimal::Decimal;
use rust_xlsxwriter::{IgnoreError, Workbook, Worksheet, XlsxError};

use super::sheet::{Columns, Sheet};
use super::style::{self, Styles};
use super::text::{column_pixels, display_width, money_units, row_pixels};
use crate::cell::format_daxie;
use crate::county::CountyCode;
use crate::form::Outcome;
use crate::mediation::{CountySummary, RunOutput};
use crate::money::fen;

/// Who issues the payroll (the 汇总 sheet's 填报单位).
const ISSUER: &str = "玉溪市司法局";
pub use super::style::{NO_ACCOUNT, NO_BANK};

/// One payroll row: one mediator ID number and one bank account within a county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLine {
    /// The 司法所 of the mediator's cases, joined with "、" when several.
    pub office: String,
    /// The mediator's name (names joined with "、" when rows of one ID disagree).
    pub mediator: String,
    pub id_number: String,
    pub bank: Option<String>,
    pub account: Option<String>,
    pub cases: usize,
    pub amount: Decimal,
    pub remarks: Vec<String>,
}

/// One county's part of the payroll.
#[derive(Debug, Clone)]
pub struct CountyPay {
    pub code: CountyCode,
    pub name: String,
    pub lines: Vec<PayLine>,
    /// Distinct ID numbers.
    pub mediators: usize,
    pub cases: usize,
    pub amount: Decimal,
}

#[derive(Default)]
struct Acc {
    names: BTreeSet<String>,
    offices: BTreeSet<String>,
    banks: BTreeSet<String>,
    cases: usize,
    amount: Decimal,
}

/// Groups the approved decisions of the run into payroll rows, county by county in policy order,
/// and checks every county subtotal and the grand total against the run's totals.
pub fn payroll_lines(out: &RunOutput) -> Result<Vec<CountyPay>, String> {
    type Key = (String, Option<String>);
    if out.claims.len() != out.decisions.len() {
        return Err("生成发放表失败：审核结果与申报记录条数不一致（程序错误，请报告）".into());
    }
    let mut by_county: BTreeMap<CountyCode, BTreeMap<Key, Acc>> = BTreeMap::new();
    for (c, d) in out.claims.iter().zip(&out.decisions) {
        if d.outcome != Outcome::Approved {
            continue;
        }
        let (Some(county), Some(id)) = (&c.county, &c.id_number) else {
            return Err(format!(
                "生成发放表失败：核准的记录 {} 没有{}（程序错误，请报告）",
                c.origin.place(),
                if c.county.is_none() {
                    "县（市、区）"
                } else {
                    "身份证号码"
                }
            ));
        };
        let acc = by_county
            .entry(county.clone())
            .or_default()
            .entry((id.to_string(), c.account.as_ref().map(|a| a.to_string())))
            .or_default();
        if let Some(n) = &c.mediator {
            acc.names.insert(n.to_string());
        }
        if let Some(o) = &c.office {
            acc.offices.insert(o.to_string());
        }
        if let Some(b) = &c.bank {
            acc.banks.insert(b.to_string());
        }
        acc.cases += 1;
        acc.amount += d.approved;
    }

    let mut result = Vec::new();
    let mut grand = Decimal::ZERO;
    for summary in &out.counties {
        let Some(code) = &summary.code else { continue };
        let Some(groups) = by_county.remove(code) else {
            check_county(summary, 0, Decimal::ZERO)?;
            continue;
        };
        let cp = county_pay(code, summary, groups);
        check_county(summary, cp.cases, cp.amount)?;
        grand += cp.amount;
        result.push(cp);
    }
    if let Some((code, _)) = by_county.first_key_value() {
        return Err(format!(
            "生成发放表失败：核准记录属于政策中没有的县（市、区）代码 {code}（程序错误，请报告）"
        ));
    }
    if fen(grand) != fen(out.totals.approved_amount) {
        return Err(format!(
            "生成发放表失败：各县小计之和 {} 元与核准总额 {} 元不一致（程序错误，请报告）",
            fen(grand),
            fen(out.totals.approved_amount)
        ));
    }
    Ok(result)
}

fn check_county(s: &CountySummary, cases: usize, amount: Decimal) -> Result<(), String> {
    if fen(amount) != fen(s.approved_amount) || cases != s.approved_rows {
        return Err(format!(
            "生成发放表失败：{} 发放表小计 {} 件 {} 元，与核准结果 {} 件 {} 元不一致（程序错误，请报告）",
            s.name,
            cases,
            fen(amount),
            s.approved_rows,
            fen(s.approved_amount)
        ));
    }
    Ok(())
}

fn county_pay(
    code: &CountyCode,
    summary: &CountySummary,
    groups: BTreeMap<(String, Option<String>), Acc>,
) -> CountyPay {
    // Accounts given per ID number, for the 备注 of SPEC §9.11.
    let mut accounts_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut blank_of: BTreeSet<&str> = BTreeSet::new();
    for (id, account) in groups.keys() {
        match account {
            Some(_) => *accounts_of.entry(id.as_str()).or_default() += 1,
            None => {
                blank_of.insert(id.as_str());
            }
        }
    }
    let mut lines = Vec::with_capacity(groups.len());
    let mut ids = BTreeSet::new();
    for ((id, account), acc) in &groups {
        ids.insert(id.clone());
        let mut remarks = Vec::new();
        let n_accounts = accounts_of.get(id.as_str()).copied().unwrap_or(0);
        match account {
            Some(_) => {
                if n_accounts > 1 {
                    remarks.push(format!("该调解员有{n_accounts}个账号"));
                }
                if blank_of.contains(id.as_str()) {
                    remarks.push("该调解员另有案件未填账号".to_string());
                }
            }
            None => {
                remarks.push(NO_ACCOUNT.to_string());
                if n_accounts > 0 {
                    remarks.push("该调解员其他案件已填账号，请核实".to_string());
                }
            }
        }
        if account.is_some() && acc.banks.is_empty() {
            remarks.push(NO_BANK.to_string());
        }
        if acc.banks.len() > 1 {
            remarks.push("同一账号填了不同开户银行，请核实".to_string());
        }
        if acc.names.len() > 1 {
            remarks.push("同一身份证号码姓名不一致，请核实".to_string());
        }
        lines.push(PayLine {
            office: join(&acc.offices),
            mediator: join(&acc.names),
            id_number: id.clone(),
            bank: (!acc.banks.is_empty()).then(|| join(&acc.banks)),
            account: account.clone(),
            cases: acc.cases,
            amount: fen(acc.amount),
            remarks,
        });
    }
    lines.sort_by(|a, b| {
        (&a.office, &a.mediator, &a.id_number, &a.account).cmp(&(
            &b.office,
            &b.mediator,
            &b.id_number,
            &b.account,
        ))
    });
    let cases = lines.iter().map(|l| l.cases).sum();
    let amount = fen(lines.iter().map(|l| l.amount).sum());
    CountyPay {
        code: code.clone(),
        name: summary.name.clone(),
        lines,
        mediators: ids.len(),
        cases,
        amount,
    }
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("、")
}

fn period_words(out: &RunOutput) -> String {
    format!(
        "{}年{}",
        out.policy.year,
        if out.period.def.name.trim().is_empty() {
            out.period.def.id.clone()
        } else {
            out.period.def.name.clone()
        }
    )
}

fn period_line(out: &RunOutput) -> String {
    let (start, end) = (out.period.def.start, out.period.def.end);
    let end_text = if start.year() == end.year() {
        format!("{}月{}日", end.month(), end.day())
    } else {
        style::cn_date(end)
    };
    format!(
        "发放期间：{}（{}至{end_text}）",
        out.period.label,
        style::cn_date(start)
    )
}

fn xe(e: XlsxError) -> String {
    format!("生成发放表失败：{e}")
}

/// Builds the payroll workbook (not saved).
pub fn build_payroll(out: &RunOutput) -> Result<Workbook, String> {
    build_payroll_from(out, &payroll_lines(out)?)
}

/// Builds the payroll workbook from lines [`payroll_lines`] gave (not saved).
pub fn build_payroll_from(out: &RunOutput, counties: &[CountyPay]) -> Result<Workbook, String> {
    let st = Styles::new();
    let mut wb = style::workbook();
    wb.set_properties(&style::properties(
        &format!("人民调解“一案一补”补贴发放表 {}", out.period.label),
        out.period.run_date,
    ));
    let mut taken = Vec::new();
    let name = style::sheet_name("汇总", &mut taken);
    let ws = wb.add_worksheet();
    ws.set_name(name).map_err(xe)?;
    write_summary(ws, &st, out, counties).map_err(xe)?;
    for cp in counties {
        let name = style::sheet_name(&cp.name, &mut taken);
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(xe)?;
        write_county(ws, &st, out, cp).map_err(xe)?;
    }
    Ok(wb)
}

/// Writes 发放表_<period>.xlsx (SPEC §4.6) atomically.
pub fn write_payroll(out: &RunOutput, path: &Path) -> Result<(), String> {
    write_payroll_from(out, &payroll_lines(out)?, path)
}

/// [`write_payroll`] from lines [`payroll_lines`] gave (the run shares them with the batch
/// files).
pub fn write_payroll_from(
    out: &RunOutput,
    counties: &[CountyPay],
    path: &Path,
) -> Result<(), String> {
    let mut wb = build_payroll_from(out, counties)?;
    style::save(&mut wb, path)
}

fn write_summary(
    ws: &mut Worksheet,
    st: &Styles,
    out: &RunOutput,
    counties: &[CountyPay],
) -> Result<(), XlsxError> {
    const HEAD: [&str; 6] = [
        "序号",
        "县（市、区）",
        "调解员人数",
        "案件数",
        "补贴金额",
        "备注",
    ];
    let last_col: u16 = 5;
    let name_w = counties
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(0);
    let money_w = money_units(out.totals.approved_amount);
    let cols = Columns::pixels(vec![
        column_pixels(6, 6, 6),
        column_pixels(name_w + 2, 24, 30),
        column_pixels(14, 14, 14),
        column_pixels(12, 12, 12),
        column_pixels(money_w + 2, 22, 26),
        column_pixels(36, 36, 36),
    ]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);

    let title = format!(
        "玉溪市{}人民调解“一案一补”补贴发放汇总表",
        period_words(out)
    );
    sh.merged(0, 0, last_col, &title, &st.title)?;
    sh.height(0, 40)?;
    sh.merged(1, 0, 1, &format!("填报单位：{ISSUER}"), &st.subtitle)?;
    sh.merged(1, 2, 4, &period_line(out), &st.subtitle)?;
    sh.text(1, 5, "单位：元", &st.subtitle_right)?;
    sh.height(1, 24)?;
    sh.header(2, &HEAD, &st.header)?;
    sh.height(2, 30)?;

    let mut row = 3u32;
    let (mut mediators, mut cases, mut amount) = (0usize, 0usize, Decimal::ZERO);
    for (n, cp) in (1u32..).zip(counties) {
        sh.count(row, 0, n, &st.center)?;
        sh.text(row, 1, &cp.name, &st.text)?;
        sh.count(row, 2, cp.mediators, &st.int)?;
        sh.count(row, 3, cp.cases, &st.int)?;
        sh.money(row, 4, cp.amount, &st.money)?;
        let no_account = cp.lines.iter().filter(|l| l.account.is_none()).count();
        let remark = if no_account > 0 {
            format!("{no_account} 笔{NO_ACCOUNT}")
        } else {
            String::new()
        };
        sh.text(row, 5, &remark, &st.text_wrap)?;
        sh.height(row, row_pixels(1))?;
        mediators += cp.mediators;
        cases += cp.cases;
        amount += cp.amount;
        row += 1;
    }
    let last_data = row.saturating_sub(1);
    sh.merged(row, 0, 1, "合计", &st.total_center)?;
    sh.count(row, 2, mediators, &st.total_int)?;
    sh.count(row, 3, cases, &st.total_int)?;
    sh.money(row, 4, amount, &st.total_money)?;
    sh.blank(row, 5, &st.total_label)?;
    sh.height(row, row_pixels(1))?;
    row += 1;
    let daxie = format!("合计金额（大写）：{}", format_daxie(amount));
    sh.merged(row, 0, last_col, &daxie, &st.daxie)?;
    sh.height(row, row_pixels(1))?;
    row += 2;
    let sign = style::sign_off(out.period.run_date);
    sh.merged(row, 0, last_col, &sign, &st.sign_line)?;
    sh.height(row, 28)?;

    sh.finish(2, (last_data >= 3).then_some(last_data), (0, 2))
}

fn write_county(
    ws: &mut Worksheet,
    st: &Styles,
    out: &RunOutput,
    cp: &CountyPay,
) -> Result<(), XlsxError> {
    const HEAD: [&str; 9] = [
        "序号",
        "司法所",
        "调解员",
        "身份证号码",
        "开户银行",
        "银行账号",
        "案件数",
        "补贴金额",
        "备注",
    ];
    let last_col: u16 = 8;
    let widest = |f: &dyn Fn(&PayLine) -> u32| cp.lines.iter().map(f).max().unwrap_or(0);
    let remark_text = |l: &PayLine| l.remarks.join("；");
    let cols = Columns::pixels(vec![
        column_pixels(4, 4, 4),
        column_pixels(widest(&|l| display_width(&l.office)) + 1, 12, 22),
        column_pixels(widest(&|l| display_width(&l.mediator)) + 1, 8, 14),
        column_pixels(19, 19, 19),
        column_pixels(
            widest(&|l| display_width(l.bank.as_deref().unwrap_or(NO_BANK))) + 1,
            12,
            28,
        ),
        column_pixels(
            widest(&|l| display_width(l.account.as_deref().unwrap_or(NO_ACCOUNT))) + 1,
            20,
            30,
        ),
        column_pixels(6, 6, 6),
        column_pixels(money_units(cp.amount) + 2, 13, 22),
        column_pixels(widest(&|l| display_width(&remark_text(l))) + 1, 16, 24),
    ]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);

    let title = format!(
        "{}{}人民调解“一案一补”补贴发放表",
        cp.name,
        period_words(out)
    );
    sh.merged(0, 0, last_col, &title, &st.title)?;
    sh.height(0, 40)?;
    sh.merged(
        1,
        0,
        2,
        &format!("填报单位：{}司法局", cp.name),
        &st.subtitle,
    )?;
    sh.merged(1, 3, 6, &period_line(out), &st.subtitle)?;
    sh.merged(1, 7, last_col, "单位：元", &st.subtitle_right)?;
    sh.height(1, 24)?;
    sh.header(2, &HEAD, &st.header)?;
    sh.height(2, 30)?;

    let mut row = 3u32;
    for (n, l) in (1u32..).zip(&cp.lines) {
        let bank = l.bank.as_deref().unwrap_or(NO_BANK);
        let account = l.account.as_deref().unwrap_or(NO_ACCOUNT);
        let remark = remark_text(l);
        sh.count(row, 0, n, &st.center)?;
        sh.text(row, 1, &l.office, &st.text_wrap)?;
        sh.text(row, 2, &l.mediator, &st.text_wrap)?;
        sh.text(row, 3, &l.id_number, &st.id_text)?;
        sh.text(row, 4, bank, &st.text_wrap)?;
        sh.text(row, 5, account, &st.id_text)?;
        sh.count(row, 6, l.cases, &st.int)?;
        sh.money(row, 7, l.amount, &st.money)?;
        sh.text(row, 8, &remark, &st.text_wrap)?;
        let cells = [
            (1, l.office.as_str()),
            (2, &l.mediator),
            (4, bank),
            (8, &remark),
        ];
        sh.fit(row, &cells, 1)?;
        row += 1;
    }
    let last_data = row.saturating_sub(1);
    if last_data >= 3 {
        sh.ws
            .ignore_error_range(3, 3, last_data, 3, IgnoreError::NumberStoredAsText)?;
        sh.ws
            .ignore_error_range(3, 5, last_data, 5, IgnoreError::NumberStoredAsText)?;
    }

    let subtotal = format!("{}小计", cp.name);
    sh.merged(row, 0, 5, &subtotal, &st.total_center)?;
    sh.count(row, 6, cp.cases, &st.total_int)?;
    sh.money(row, 7, cp.amount, &st.total_money)?;
    sh.blank(row, 8, &st.total_label)?;
    sh.height(row, row_pixels(1))?;
    row += 1;
    let daxie = format!("合计金额（大写）：{}", format_daxie(cp.amount));
    sh.merged(row, 0, last_col, &daxie, &st.daxie)?;
    sh.height(row, row_pixels(1))?;
    row += 2;
    let sign = style::sign_off(out.period.run_date);
    sh.merged(row, 0, last_col, &sign, &st.sign_line)?;
    sh.height(row, 28)?;

    sh.finish(2, (last_data >= 3).then_some(last_data), (0, 2))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use crate::ingest::worker::Isolation;
    use crate::mediation::PriorPayments;
    use crate::mediation::{RunConfig, evaluate};
    use crate::policy::Policy;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use chrono::NaiveDate;
    use std::path::PathBuf;

    pub(crate) fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/external")
            .join(name)
    }

    /// Runs `evaluate` in-process on `input`, the way `payrun run --period 2025-H1
    /// --run-date 2025-06-30` does.
    pub(crate) fn run_dir(input: &Path, out: &Path) -> RunOutput {
        let cfg = RunConfig {
            input: input.to_path_buf(),
            out: out.to_path_buf(),
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

    pub(crate) fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        let range = wb.worksheet_range(sheet).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        // Pad to absolute positions so row/column indices are Excel's.
        let mut rows = vec![Vec::new(); r0 as usize];
        for r in range.rows() {
            let mut v = vec![Data::Empty; c0 as usize];
            v.extend(r.iter().cloned());
            rows.push(v);
        }
        rows
    }

    pub(crate) fn text(d: Option<&Data>) -> String {
        match d {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    fn money(d: Option<&Data>) -> Decimal {
        match d {
            Some(Data::Float(f)) => Decimal::try_from(*f).unwrap(),
            Some(Data::Int(i)) => Decimal::from(*i),
            other => panic!("not a number: {other:?}"),
        }
    }

    fn find_row<'a>(rows: &'a [Vec<Data>], first: &str) -> &'a Vec<Data> {
        rows.iter()
            .find(|r| text(r.first()) == first)
            .unwrap_or_else(|| panic!("no row starting with {first}"))
    }

    fn check_payroll(out: &RunOutput, path: &Path) {
        let total = out.totals.approved_amount;
        assert!(total > Decimal::ZERO);
        let summary = read_sheet(path, "汇总");
        assert_eq!(
            text(summary.first().and_then(|r| r.first())),
            "玉溪市2025年上半年人民调解“一案一补”补贴发放汇总表"
        );
        let sum_row = find_row(&summary, "合计");
        assert_eq!(fen(money(sum_row.get(4))), fen(total));
        let daxie = format!("合计金额（大写）：{}", format_daxie(total));
        find_row(&summary, &daxie);

        let mut grand = Decimal::ZERO;
        let mut sheets = 0;
        for cs in out.counties.iter().filter(|c| c.approved_rows > 0) {
            sheets += 1;
            let rows = read_sheet(path, &cs.name);
            assert_eq!(
                text(rows.first().and_then(|r| r.first())),
                format!("{}2025年上半年人民调解“一案一补”补贴发放表", cs.name)
            );
            assert_eq!(
                text(rows.get(1).and_then(|r| r.first())),
                format!("填报单位：{}司法局", cs.name)
            );
            let head: Vec<String> = rows[2].iter().map(|d| text(Some(d))).collect();
            assert_eq!(
                head,
                [
                    "序号",
                    "司法所",
                    "调解员",
                    "身份证号码",
                    "开户银行",
                    "银行账号",
                    "案件数",
                    "补贴金额",
                    "备注"
                ]
            );
            let sub = find_row(&rows, &format!("{}小计", cs.name));
            assert_eq!(money(sub.get(7)), cs.approved_amount);
            assert_eq!(money(sub.get(6)), Decimal::from(cs.approved_rows));
            // The data rows add up to the subtotal, IDs are text.
            let data: Vec<&Vec<Data>> = rows
                .iter()
                .skip(3)
                .take_while(|r| !text(r.first()).ends_with("小计"))
                .collect();
            let lines: Decimal = data.iter().map(|r| money(r.get(7))).sum();
            assert_eq!(lines, cs.approved_amount);
            for r in &data {
                assert!(matches!(r.get(3), Some(Data::String(s)) if s.len() == 18));
                assert!(matches!(r.get(5), Some(Data::String(_))));
            }
            let daxie = format!("合计金额（大写）：{}", format_daxie(cs.approved_amount));
            find_row(&rows, &daxie);
            assert!(rows.iter().any(|r| text(r.first()).starts_with("制表人：")
                && text(r.first()).ends_with("日期：2025年6月30日")));
            grand += money(sub.get(7));
        }
        assert!(sheets > 0);
        assert_eq!(fen(grand), fen(total));
    }

    #[test]
    fn payroll_totals_match_the_run_for_every_fixture() {
        for dir in ["mixed", "openpyxl"] {
            let tmp = tempfile::tempdir().unwrap();
            let out = run_dir(&fixture(dir), &tmp.path().join("out"));
            let path = tmp.path().join("发放表_2025-H1.xlsx");
            write_payroll(&out, &path).unwrap();
            check_payroll(&out, &path);
        }
    }

    #[test]
    fn fixture_amounts_are_the_documented_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), tmp.path());
        let c = payroll_lines(&out).unwrap();
        let got: Vec<(&str, Decimal)> = c.iter().map(|c| (c.name.as_str(), c.amount)).collect();
        assert_eq!(
            got,
            [
                ("通海县", Decimal::new(85000, 2)),
                ("华宁县", Decimal::new(106000, 2))
            ]
        );
    }

    #[test]
    fn a_row_without_account_shows_dai_bu_zhang_hao() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), tmp.path());
        let counties = payroll_lines(&out).unwrap();
        let tonghai = counties.iter().find(|c| c.name == "通海县").unwrap();
        let blank: Vec<&PayLine> = tonghai
            .lines
            .iter()
            .filter(|l| l.account.is_none())
            .collect();
        assert_eq!(blank.len(), 1);
        assert!(blank[0].remarks.contains(&NO_ACCOUNT.to_string()));
        let path = tmp.path().join("p.xlsx");
        write_payroll(&out, &path).unwrap();
        let rows = read_sheet(&path, "通海县");
        assert!(
            rows.iter()
                .any(|r| text(r.get(5)) == NO_ACCOUNT && text(r.get(8)).contains(NO_ACCOUNT))
        );
    }

    #[test]
    fn a_mediator_with_two_accounts_gets_two_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = run_dir(&fixture("mixed"), tmp.path());
        let i = out
            .claims
            .iter()
            .zip(&out.decisions)
            .position(|(c, d)| d.outcome == Outcome::Approved && c.account.is_some())
            .unwrap();
        let mut c = out.claims[i].clone();
        let d = out.decisions[i].clone();
        c.account = Some("6217000000000000017".into());
        c.case_no = Some("TEST-2".into());
        c.case_key = Some("TEST-2".into());
        let code = c.county.clone().unwrap();
        let id = c.id_number.clone().unwrap();
        out.totals.approved_amount += d.approved;
        out.totals.approved_rows += 1;
        let cs = out
            .counties
            .iter_mut()
            .find(|s| s.code.as_ref() == Some(&code))
            .unwrap();
        cs.approved_amount += d.approved;
        cs.approved_rows += 1;
        let county_name = cs.name.clone();
        out.claims.push(c);
        out.decisions.push(d);

        let counties = payroll_lines(&out).unwrap();
        let cp = counties.iter().find(|c| c.code == code).unwrap();
        let mine: Vec<&PayLine> = cp.lines.iter().filter(|l| l.id_number == id).collect();
        assert_eq!(mine.len(), 2, "{mine:?}");
        for l in &mine {
            assert!(
                l.remarks.contains(&"该调解员有2个账号".to_string()),
                "{l:?}"
            );
        }
        let path = tmp.path().join("p.xlsx");
        write_payroll(&out, &path).unwrap();
        check_payroll(&out, &path);
        let rows = read_sheet(&path, &county_name);
        let with_id: Vec<&Vec<Data>> = rows.iter().filter(|r| text(r.get(3)) == id).collect();
        assert_eq!(with_id.len(), 2);
        assert!(
            with_id
                .iter()
                .all(|r| text(r.get(8)).contains("该调解员有2个账号"))
        );
        assert_ne!(text(with_id[0].get(5)), text(with_id[1].get(5)));
    }

    #[test]
    fn a_total_that_does_not_add_up_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = run_dir(&fixture("mixed"), tmp.path());
        out.totals.approved_amount += Decimal::new(1, 2);
        let err = write_payroll(&out, &tmp.path().join("p.xlsx")).unwrap_err();
        assert!(err.contains("不一致"), "{err}");
        assert!(!tmp.path().join("p.xlsx").exists());

        let mut out = run_dir(&fixture("mixed"), tmp.path());
        if let Some(c) = out.counties.iter_mut().find(|c| c.approved_rows > 0) {
            c.approved_amount -= Decimal::ONE;
        }
        assert!(payroll_lines(&out).is_err());
    }

    #[test]
    fn two_writes_are_byte_identical() {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), &tmp.path().join("out"));
        let (a, b) = (tmp.path().join("a.xlsx"), tmp.path().join("b.xlsx"));
        write_payroll(&out, &a).unwrap();
        write_payroll(&out, &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }

    #[test]
    fn a_run_with_nothing_approved_still_gives_a_summary() {
        let tmp = tempfile::tempdir().unwrap();
        let empty = tmp.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let out = run_dir(&empty, &tmp.path().join("out"));
        let path = tmp.path().join("p.xlsx");
        write_payroll(&out, &path).unwrap();
        let rows = read_sheet(&path, "汇总");
        assert_eq!(money(find_row(&rows, "合计").get(4)), Decimal::ZERO);
        find_row(&rows, "合计金额（大写）：人民币零元整");
    }

    #[test]
    fn amounts_are_measured_with_their_separators() {
        assert_eq!(money_units(Decimal::new(1_530_000, 2)), 11);
        assert_eq!(money_units(Decimal::new(99, 2)), 6);
    }
}
