//! `payrun repay` (SPEC §12.4): failed payments paid again, never lost, never twice.
//!
//! Owed lines are the year's 发放表 lines that the bank answered 失败 and that no 补发 covers,
//! the lines without an account (待补账号), and 补发 lines whose own answer was 失败. Each gets its
//! new account from an 账户更正表 row of the same person (ID number, and county when given), or
//! else from the newest claim row of that person (latest 结案日期, then reading order) whose
//! account differs from the one that failed. A line with a usable account becomes a 补发 record
//! in the ledger; a line that has a 补发 record waiting for or credited by the bank is never owed
//! again, so running repay twice pays nothing twice. The cases stay charged to the cap of the
//! period that approved them: repay changes no entry's amount or period.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_xlsxwriter::{IgnoreError, Worksheet, XlsxError};

use super::batch::{self, BatchFile, BatchLine};
use super::correction::{self, Correction};
use super::grid;
use super::records::{Book, LineKey, Repay, Status, entry_key, refresh_status};
use super::result::name_key;
use crate::cell::{compact, format_daxie};
use crate::county::CountyCode;
use crate::ingest::InputFile;
use crate::ingest::worker::Isolation;
use crate::ledger::Ledger;
use crate::mediation::{Mediation, PriorPayments, RunPeriod};
use crate::money::{fen, plain};
use crate::policy::Policy;
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::{self, NO_ACCOUNT, NO_BANK, Styles, file_component};
use crate::report::text::{column_pixels, row_pixels};

/// A line owed: not yet paid, and payable again.
#[derive(Debug, Clone)]
pub struct Owed {
    pub key: LineKey,
    pub county_name: String,
    pub name: String,
    pub amount: Decimal,
    /// Why it was not paid.
    pub reason: String,
    /// The account that failed ("" for 待补账号).
    pub failed_account: String,
}

/// A line owed that this run could not pay, and why.
#[derive(Debug, Clone)]
pub struct Unpaid {
    pub owed: Owed,
    pub why: String,
}

/// The lines owed in the policy year.
pub fn owed(l: &Ledger, year: i32) -> Vec<Owed> {
    let book = Book::new(l);
    let prefix = format!("{year}-");
    let mut lines: BTreeMap<LineKey, (String, BTreeSet<String>, Decimal)> = BTreeMap::new();
    for e in l.entries.iter().filter(|e| e.period.starts_with(&prefix)) {
        let v = lines.entry(entry_key(e)).or_default();
        v.0 = e.county_name.clone();
        v.1.insert(e.mediator.clone());
        v.2 += e.amount.parse::<Decimal>().unwrap_or_default();
    }
    let mut out = Vec::new();
    for (key, (county_name, names, amount)) in lines {
        let name = names.into_iter().collect::<Vec<_>>().join("、");
        let (reason, failed_account) = match book.latest_repay.get(&key) {
            Some(r) => match book.repay_status(r) {
                Status::Failed(why) => (format!("补发失败（{why}）"), r.account.clone()),
                _ => continue,
            },
            None => match book.line_status(&key) {
                Status::Failed(why) => (why, key.3.clone()),
                Status::Pending if key.3.is_empty() => (NO_ACCOUNT.to_string(), String::new()),
                _ => continue,
            },
        };
        out.push(Owed {
            key,
            county_name,
            name,
            amount: fen(amount),
            reason,
            failed_account,
        });
    }
    out
}

/// An account as a bank takes it: 6 to 32 digits.
fn account_ok(a: &str) -> bool {
    (6..=32).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit())
}

/// Where a new account comes from.
#[derive(Debug, Clone)]
struct Source {
    bank: String,
    account: String,
    place: String,
}

/// A claim row's account, for the newest-row rule.
#[derive(Debug, Clone)]
struct ClaimAccount {
    county: Option<CountyCode>,
    id: String,
    close: Option<NaiveDate>,
    order: usize,
    bank: String,
    account: String,
    place: String,
}

/// What the folder given to repay holds.
pub struct Inputs {
    corrections: Vec<Correction>,
    claims: Vec<ClaimAccount>,
    /// Files that are neither, and unreadable cells of corrections.
    pub problems: Vec<String>,
}

/// Reads the 账户更正表 and claim forms of `files`.
pub fn read_inputs(
    policy: &Policy,
    period: &RunPeriod,
    files: &[InputFile],
    isolation: &Isolation,
) -> Inputs {
    let mut problems = Vec::new();
    let mut corrections = Vec::new();
    let mut claim_files = Vec::new();
    for f in files {
        match grid::read(&f.abs, &f.rel, isolation) {
            Ok(g) => match correction::read(policy, &f.rel, &g, &mut problems) {
                Some(c) => corrections.extend(c),
                None => claim_files.push(f.clone()),
            },
            Err(e) => problems.push(e),
        }
    }
    let prior = PriorPayments::default();
    let form = Mediation {
        policy,
        period,
        prior: &prior,
    };
    let read = crate::form::files::read_files(&form, &claim_files, isolation, None, &|_: &str| {});
    let mut claims = Vec::new();
    for (report, rows) in read {
        if rows.is_empty() {
            problems.push(format!(
                "{}：不是账户更正表，也没有可读的申报行，未使用",
                report.path
            ));
        }
        for c in rows {
            let (Some(id), Some(account)) = (&c.id_number, &c.account) else {
                continue;
            };
            claims.push(ClaimAccount {
                county: c.county.clone(),
                id: compact(id).to_ascii_uppercase(),
                close: c.close_date,
                order: claims.len(),
                bank: c.bank.as_deref().unwrap_or_default().to_string(),
                account: compact(account),
                place: c.origin.place(),
            });
        }
    }
    Inputs {
        corrections,
        claims,
        problems,
    }
}

/// The new account of `o`, or why there is none.
fn source_for(o: &Owed, inputs: &Inputs) -> Result<Source, String> {
    let (county, id) = (&o.key.1, &o.key.2);
    let mine: Vec<&Correction> = inputs
        .corrections
        .iter()
        .filter(|c| &c.id_number == id && c.county.as_ref().is_none_or(|k| k.as_str() == county))
        .collect();
    if !mine.is_empty() {
        let accounts: BTreeSet<&str> = mine.iter().map(|c| c.account.as_str()).collect();
        if accounts.len() > 1 {
            return Err(format!(
                "账户更正表中有 {} 个不同账号（{}），请核实后只保留一个",
                accounts.len(),
                mine.iter()
                    .map(|c| c.place.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
        let c = mine[0];
        let names: BTreeSet<String> = o.name.split('、').map(name_key).collect();
        if !names.contains(&name_key(&c.name)) {
            return Err(format!(
                "{}：姓名“{}”与发放记录“{}”不符，请核实",
                c.place, c.name, o.name
            ));
        }
        if !account_ok(&c.account) {
            return Err(format!(
                "{}：银行账号“{}”应为 6 至 32 位数字",
                c.place, c.account
            ));
        }
        if c.account == o.failed_account {
            return Err(format!(
                "{}：银行账号与发放失败的账号相同，请填写新的账号",
                c.place
            ));
        }
        return Ok(Source {
            bank: c.bank.clone(),
            account: c.account.clone(),
            place: c.place.clone(),
        });
    }
    let newest = inputs
        .claims
        .iter()
        .filter(|c| &c.id == id && c.county.as_ref().is_some_and(|k| k.as_str() == county))
        .filter(|c| account_ok(&c.account))
        .max_by_key(|c| (c.close, c.order));
    match newest {
        Some(c) if c.account != o.failed_account => Ok(Source {
            bank: c.bank.clone(),
            account: c.account.clone(),
            place: c.place.clone(),
        }),
        Some(c) => Err(format!(
            "最新申报行 {} 的账号与发放失败的账号相同，请填写账户更正表",
            c.place
        )),
        None => Err("没有新的账号（请填写账户更正表）".into()),
    }
}

/// What a repay run decided.
pub struct Plan {
    pub new: Vec<Repay>,
    pub unpaid: Vec<Unpaid>,
    /// Corrections that named no owed line (already credited, repaid, or unknown), with why.
    pub unused: Vec<String>,
}

/// Decides the repayments of this run.
pub fn plan(l: &Ledger, policy: &Policy, period: &RunPeriod, inputs: &Inputs) -> Plan {
    let owed = owed(l, policy.year);
    let batch = l
        .repays
        .iter()
        .filter(|r| r.period == period.label)
        .map(|r| r.batch)
        .max()
        .unwrap_or(0)
        + 1;
    let mut new = Vec::new();
    let mut unpaid = Vec::new();
    for o in &owed {
        match source_for(o, inputs) {
            Ok(s) => new.push(Repay {
                period: period.label.clone(),
                batch,
                orig_period: o.key.0.clone(),
                county_code: o.key.1.clone(),
                county_name: o.county_name.clone(),
                id_number: o.key.2.clone(),
                old_account: o.key.3.clone(),
                name: o.name.clone(),
                bank: style::cell_text(&s.bank),
                account: s.account,
                amount: plain(o.amount),
                reason: style::cell_text(&o.reason),
                source: style::cell_text(&s.place),
                run_date: period.run_date.to_string(),
            }),
            Err(why) => unpaid.push(Unpaid {
                owed: o.clone(),
                why,
            }),
        }
    }
    let owed_ids: BTreeSet<(&str, &str)> = owed
        .iter()
        .map(|o| (o.key.1.as_str(), o.key.2.as_str()))
        .collect();
    let book = Book::new(l);
    let mut unused = Vec::new();
    for c in &inputs.corrections {
        let hit = owed_ids.iter().any(|(county, id)| {
            *id == c.id_number && c.county.as_ref().is_none_or(|k| k.as_str() == *county)
        });
        if hit {
            continue;
        }
        let known: Vec<String> = l
            .entries
            .iter()
            .filter(|e| e.id_number == c.id_number)
            .map(|e| {
                let k = entry_key(e);
                match book.latest_repay.get(&k) {
                    Some(r) => format!(
                        "{} 已于 {} 补发（{}）",
                        e.period,
                        r.period,
                        book.repay_status(r).text()
                    ),
                    None => format!("{} {}", e.period, book.line_status(&k).text()),
                }
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        unused.push(if known.is_empty() {
            format!(
                "{}：身份证号码 {} 在台账中没有发放记录，未使用",
                c.place, c.id_number
            )
        } else {
            format!(
                "{}：{} 没有待补发的款项（{}），不再补发",
                c.place,
                c.name,
                known.join("；")
            )
        });
    }
    Plan {
        new,
        unpaid,
        unused,
    }
}

/// The batch file name of a 补发 batch.
fn file_name(bank: &str, period: &str, batch: u32, part: Option<usize>, ext: &str) -> String {
    let (bank, period) = (file_component(bank), file_component(period));
    match part {
        Some(n) => format!("{bank}_补发_{period}_第{batch}批_{n}.{ext}"),
        None => format!("{bank}_补发_{period}_第{batch}批.{ext}"),
    }
}

/// Writes the batch files of the new repayments under `dir/代发/<county>/` and checks them to
/// the fen against the new records; the files written, relative to `dir`.
pub fn write_batches(
    policy: &Policy,
    period: &RunPeriod,
    new: &[Repay],
    dir: &Path,
) -> Result<Vec<String>, String> {
    let mut by_county: BTreeMap<(&str, &str), Vec<BatchLine>> = BTreeMap::new();
    for r in new {
        by_county
            .entry((r.county_code.as_str(), r.county_name.as_str()))
            .or_default()
            .push(BatchLine {
                name: &r.name,
                id_number: &r.id_number,
                bank: (!r.bank.is_empty()).then_some(r.bank.as_str()),
                account: &r.account,
                amount: r.amount.parse().unwrap_or_default(),
                remark: format!("{} 补发", r.orig_period),
            });
    }
    let batch = new.first().map(|r| r.batch).unwrap_or(1);
    let mut written = Vec::new();
    let mut folders = BTreeSet::new();
    let mut jobs: Vec<(std::path::PathBuf, BatchFile)> = Vec::new();
    for ((code, name), lines) in by_county {
        let want = fen(lines.iter().map(|l| l.amount).sum());
        let n = lines.len();
        let files = batch::split(&policy.banks, lines, &|bank, part, ext| {
            file_name(bank, &period.label, batch, part, ext)
        });
        let got = fen(files.iter().map(|f| f.amount).sum());
        let got_n: usize = files.iter().map(|f| f.lines.len()).sum();
        if got != want || got_n != n {
            return Err(format!(
                "生成补发代发文件失败：{name} 代发文件 {} 元 {got_n} 笔，与补发 {} 元 {n} 笔不一致（程序错误，请报告）；台账未改动",
                plain(got),
                plain(want)
            ));
        }
        let folder = batch::county_folder(name, code, &mut folders);
        for f in files {
            let rel = format!("{}/{folder}/{}", batch::BATCH_DIR, f.file_name);
            jobs.push((
                dir.join(batch::BATCH_DIR).join(&folder).join(&f.file_name),
                f,
            ));
            written.push(rel);
        }
    }
    for (path, f) in &jobs {
        batch::write_one(policy, &period.label, period.run_date, path, f)?;
    }
    Ok(written)
}

/// 补发表_<P>.xlsx: every 补发 of the period (all batches, so the sheet is the period's whole
/// record), per county with 小计, the total in 大写, sign-off; and the lines still unpaid.
pub fn write_sheet(
    l: &Ledger,
    period: &RunPeriod,
    unpaid: &[Unpaid],
    path: &Path,
) -> Result<(), String> {
    let err = |e: XlsxError| format!("生成 {} 失败：{e}", path.display());
    let st = Styles::new();
    let mut wb = style::report_workbook(
        &format!("人民调解“一案一补”补贴补发表 {}", period.label),
        period.run_date,
    );
    let book = Book::new(l);
    let repays: Vec<&Repay> = l
        .repays
        .iter()
        .filter(|r| r.period == period.label)
        .collect();
    {
        let ws = wb.add_worksheet();
        ws.set_name("补发表").map_err(err)?;
        repay_table(ws, &st, period, &repays, &book).map_err(err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("未补发").map_err(err)?;
        unpaid_table(ws, &st, period, unpaid).map_err(err)?;
    }
    style::save(&mut wb, path)
}

fn info(period: &RunPeriod) -> String {
    format!(
        "补发期间：{}　　制表日期：{}",
        period.label,
        style::cn_date(period.run_date)
    )
}

fn repay_table(
    ws: &mut Worksheet,
    st: &Styles,
    period: &RunPeriod,
    repays: &[&Repay],
    book: &Book<'_>,
) -> Result<(), XlsxError> {
    const HEAD: [&str; 12] = [
        "序号",
        "县（市、区）",
        "原期间",
        "调解员",
        "身份证号码",
        "原账号",
        "失败原因",
        "开户银行",
        "银行账号",
        "补发金额",
        "批次",
        "补发状态",
    ];
    let cols = Columns::pixels(vec![
        column_pixels(5, 5, 5),
        column_pixels(14, 14, 14),
        column_pixels(9, 9, 9),
        column_pixels(9, 9, 9),
        column_pixels(20, 20, 20),
        column_pixels(21, 21, 21),
        column_pixels(18, 18, 18),
        column_pixels(20, 20, 20),
        column_pixels(21, 21, 21),
        column_pixels(13, 13, 13),
        column_pixels(5, 5, 5),
        column_pixels(14, 14, 14),
    ]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!("{}人民调解“一案一补”补贴补发表", period.label),
        &info(period),
        true,
        (30.0, 18.0),
    )?;
    sh.header(2, &HEAD, &st.header)?;
    sh.height(2, 30)?;
    let mut row = 3u32;
    let mut by_county: BTreeMap<&str, Vec<&Repay>> = BTreeMap::new();
    for r in repays {
        by_county.entry(r.county_code.as_str()).or_default().push(r);
    }
    let mut total = Decimal::ZERO;
    let mut n = 1u32;
    for list in by_county.values() {
        let mut sub = Decimal::ZERO;
        for r in list {
            let amount: Decimal = r.amount.parse().unwrap_or_default();
            let old = if r.old_account.is_empty() {
                NO_ACCOUNT
            } else {
                r.old_account.as_str()
            };
            let bank = if r.bank.is_empty() { NO_BANK } else { &r.bank };
            sh.count(row, 0, n, &st.center)?;
            sh.text(row, 1, &r.county_name, &st.text)?;
            sh.text(row, 2, &r.orig_period, &st.text)?;
            sh.text(row, 3, &r.name, &st.text_wrap)?;
            sh.text(row, 4, &r.id_number, &st.id_text)?;
            sh.text(row, 5, old, &st.id_text)?;
            sh.text(row, 6, &r.reason, &st.text_wrap)?;
            sh.text(row, 7, bank, &st.text_wrap)?;
            sh.text(row, 8, &r.account, &st.id_text)?;
            sh.money(row, 9, amount, &st.money)?;
            sh.count(row, 10, r.batch, &st.int_center)?;
            sh.text(row, 11, &book.repay_status(r).text(), &st.text_wrap)?;
            sh.fit(row, &[(3, r.name.as_str()), (6, &r.reason), (7, bank)], 1)?;
            sub += amount;
            row += 1;
            n += 1;
        }
        let name = list.first().map(|r| r.county_name.as_str()).unwrap_or("");
        sh.merged(row, 0, 8, &format!("{name}小计"), &st.total_center)?;
        sh.money(row, 9, sub, &st.total_money)?;
        sh.blanks(row, 10..=11, &st.total_label)?;
        sh.height(row, row_pixels(1))?;
        row += 1;
        total += sub;
    }
    if row > 3 {
        sh.ws
            .ignore_error_range(3, 4, row - 1, 8, IgnoreError::NumberStoredAsText)?;
    }
    sh.merged(row, 0, 8, "合计", &st.total_center)?;
    sh.money(row, 9, total, &st.total_money)?;
    sh.blanks(row, 10..=11, &st.total_label)?;
    sh.height(row, row_pixels(1))?;
    row += 1;
    sh.line(
        row,
        &format!("合计金额（大写）：{}", format_daxie(fen(total))),
        &st.daxie,
        row_pixels(1),
    )?;
    row += 2;
    sh.line(row, &style::sign_off(period.run_date), &st.sign_line, 28)?;
    sh.finish(2, None, (0, 2))
}

fn unpaid_table(
    ws: &mut Worksheet,
    st: &Styles,
    period: &RunPeriod,
    unpaid: &[Unpaid],
) -> Result<(), XlsxError> {
    const HEAD: [&str; 8] = [
        "序号",
        "县（市、区）",
        "原期间",
        "调解员",
        "身份证号码",
        "未发放原因",
        "金额",
        "未补发原因",
    ];
    let cols = Columns::pixels(vec![
        column_pixels(5, 5, 5),
        column_pixels(14, 14, 14),
        column_pixels(9, 9, 9),
        column_pixels(9, 9, 9),
        column_pixels(20, 20, 20),
        column_pixels(20, 20, 20),
        column_pixels(13, 13, 13),
        column_pixels(44, 44, 44),
    ]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!("{}未补发名单（待更正账号）", period.label),
        &info(period),
        true,
        (30.0, 18.0),
    )?;
    sh.header(2, &HEAD, &st.header)?;
    sh.height(2, 30)?;
    for (row, (n, u)) in (3u32..).zip((1u32..).zip(unpaid)) {
        sh.count(row, 0, n, &st.center)?;
        sh.text(row, 1, &u.owed.county_name, &st.text)?;
        sh.text(row, 2, &u.owed.key.0, &st.text)?;
        sh.text(row, 3, &u.owed.name, &st.text_wrap)?;
        sh.text(row, 4, &u.owed.key.2, &st.id_text)?;
        sh.text(row, 5, &u.owed.reason, &st.text_wrap)?;
        sh.money(row, 6, u.owed.amount, &st.money)?;
        sh.text(row, 7, &u.why, &st.text_wrap)?;
        sh.fit(
            row,
            &[(3, u.owed.name.as_str()), (5, &u.owed.reason), (7, &u.why)],
            1,
        )?;
    }
    if unpaid.is_empty() {
        sh.line(3, "没有未补发的款项。", &st.note, row_pixels(1))?;
    }
    sh.finish(2, None, (0, 2))
}

/// Records the new repayments and recomputes every 发放状态.
pub fn record(l: &mut Ledger, new: Vec<Repay>) {
    l.repays.extend(new);
    refresh_status(l);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_file_names_carry_the_batch() {
        assert_eq!(
            file_name("中国农业银行", "2025-H2", 2, None, "xlsx"),
            "中国农业银行_补发_2025-H2_第2批.xlsx"
        );
        assert!(account_ok("622848000001"));
        assert!(!account_ok("62284"));
        assert!(!account_ok("6228-4800"));
    }
}
