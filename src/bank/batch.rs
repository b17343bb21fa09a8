//! Batch payment files (批量代发, SPEC §12.2): one file per county and paying bank, in that
//! bank's own template, one line per 发放表 line. Planned and checked to the fen against the
//! 发放表 before a single file is written; a difference is a bug and stops the run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, IgnoreError, Workbook, XlsxError};

use super::profile::{AmountCell, BankColumn, BankFormat, BankProfile, profile_for};
use crate::county::CountyCode;
use crate::mediation::RunOutput;
use crate::money::{fen, plain};
use crate::report::payroll::{CountyPay, PayLine};
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::{self, NO_BANK, Styles, file_component};
use crate::report::text::{column_pixels, display_width};

/// The folder of a period's batch files, `<out>/<period>/代发`.
pub const BATCH_DIR: &str = "代发";
/// The bank name of lines whose bank has no profile.
pub const OTHER_BANK: &str = "其他银行";

/// One line to pay: one 发放表 line with an account (or one 补发). It borrows the texts of the
/// line it pays: a province's plan is no second copy of its 发放表.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLine<'a> {
    /// 户名: the 发放表's 调解员.
    pub name: &'a str,
    pub id_number: &'a str,
    pub bank: Option<&'a str>,
    pub account: &'a str,
    pub amount: Decimal,
    /// Why the line is in 其他银行 although its bank has a profile, or the 发放表's remarks.
    pub remark: String,
}

/// One file of batch lines.
#[derive(Debug, Clone)]
pub struct BatchFile<'a> {
    /// The profile's name, or 其他银行.
    pub bank: String,
    /// Index into the policy's profiles; None for 其他银行.
    pub profile: Option<usize>,
    pub file_name: String,
    pub lines: Vec<BatchLine<'a>>,
    pub amount: Decimal,
}

/// One county's batch files and the lines no file holds.
#[derive(Debug, Clone)]
pub struct CountyBatches<'a> {
    pub code: CountyCode,
    pub name: String,
    /// The folder name under 代发/.
    pub folder: String,
    pub files: Vec<BatchFile<'a>>,
    /// 发放表 lines without an account (待补账号): in no file.
    pub missing: Vec<&'a PayLine>,
    /// The 发放表 subtotal.
    pub subtotal: Decimal,
    pub payroll_lines: usize,
}

impl CountyBatches<'_> {
    pub fn missing_amount(&self) -> Decimal {
        fen(self.missing.iter().map(|l| l.amount).sum())
    }
    pub fn files_amount(&self) -> Decimal {
        fen(self.files.iter().map(|f| f.amount).sum())
    }
}

/// Every batch file of a run.
#[derive(Debug, Clone)]
pub struct BatchPlan<'a> {
    pub period: String,
    pub counties: Vec<CountyBatches<'a>>,
}

/// The file name of a bank's batch: `<bank>_代发_<period>[_<n>].<ext>`.
pub fn file_name(bank: &str, period: &str, part: Option<usize>, ext: &str) -> String {
    let bank = file_component(bank);
    let period = file_component(period);
    match part {
        Some(n) => format!("{bank}_代发_{period}_{n}.{ext}"),
        None => format!("{bank}_代发_{period}.{ext}"),
    }
}

/// A value a txt line cannot carry: the delimiter or a line break would shift the columns.
fn breaks_txt(p: &BankProfile, s: &str) -> bool {
    s.contains(p.delimiter.as_str()) || s.contains(['\r', '\n'])
}

/// Plans the batch files from the run's 发放表 lines and checks, county by county, that
/// Σ files + 待补账号 = the 发放表 subtotal = the approved amount, to the fen and line by line.
pub fn plan<'a>(out: &RunOutput, payroll: &'a [CountyPay]) -> Result<BatchPlan<'a>, String> {
    plan_from(out, payroll)
}

/// Routes `lines` to the profiles (policy order; 其他银行 last) and splits each bank's lines by its
/// `max_rows`; `name(bank, part, ext)` names a file.
pub fn split<'a>(
    profiles: &[BankProfile],
    lines: Vec<BatchLine<'a>>,
    name: &dyn Fn(&str, Option<usize>, &str) -> String,
) -> Vec<BatchFile<'a>> {
    let mut buckets: Vec<Vec<BatchLine<'a>>> = vec![Vec::new(); profiles.len() + 1];
    for mut l in lines {
        let profile = l
            .bank
            .and_then(|b| profile_for(profiles, b))
            .and_then(|p| profiles.iter().position(|q| std::ptr::eq(p, q)));
        let target = match profile {
            Some(i) => {
                let p = &profiles[i];
                let fields = [l.name, l.account, l.id_number];
                if p.format == BankFormat::Txt && fields.iter().any(|f| breaks_txt(p, f)) {
                    push_remark(
                        &mut l.remark,
                        &format!("户名或账号含分隔符“{}”，不能写入文本代发文件", p.delimiter),
                    );
                    profiles.len()
                } else {
                    i
                }
            }
            None => profiles.len(),
        };
        buckets[target].push(l);
    }
    let mut files = Vec::new();
    for (i, lines) in buckets.into_iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        let (bank, ext, max) = match profiles.get(i) {
            Some(p) => (p.name.as_str(), p.extension(), p.max_rows),
            None => (OTHER_BANK, "xlsx", None),
        };
        let max = max.unwrap_or(usize::MAX).max(1);
        let parts = lines.len().div_ceil(max);
        let mut rest = lines.into_iter();
        for n in 0..parts {
            let chunk: Vec<BatchLine<'a>> = rest.by_ref().take(max).collect();
            let part = (parts > 1).then_some(n + 1);
            files.push(BatchFile {
                bank: bank.to_string(),
                profile: (i < profiles.len()).then_some(i),
                file_name: name(bank, part, ext),
                amount: fen(chunk.iter().map(|l| l.amount).sum()),
                lines: chunk,
            });
        }
    }
    files
}

fn plan_from<'a>(out: &RunOutput, payroll: &'a [CountyPay]) -> Result<BatchPlan<'a>, String> {
    let profiles = &out.policy.banks;
    let label = out.period.label.clone();
    let mut counties = Vec::new();
    let mut folders = BTreeSet::new();
    for cp in payroll {
        let mut missing = Vec::new();
        let mut lines = Vec::new();
        for l in &cp.lines {
            let Some(account) = &l.account else {
                missing.push(l);
                continue;
            };
            lines.push(BatchLine {
                name: &l.mediator,
                id_number: &l.id_number,
                bank: l.bank.as_deref(),
                account,
                amount: l.amount,
                remark: l.remarks.join("；"),
            });
        }
        let files = split(profiles, lines, &|bank, part, ext| {
            file_name(bank, &label, part, ext)
        });
        let folder = county_folder(&cp.name, cp.code.as_str(), &mut folders);
        let cb = CountyBatches {
            code: cp.code.clone(),
            name: cp.name.clone(),
            folder,
            files,
            missing,
            subtotal: cp.amount,
            payroll_lines: cp.lines.len(),
        };
        check_county(out, &cb)?;
        counties.push(cb);
    }
    Ok(BatchPlan {
        period: label,
        counties,
    })
}

/// A county's folder name; two policy counties whose names clean to one name stay apart.
pub fn county_folder(name: &str, code: &str, taken: &mut BTreeSet<String>) -> String {
    let mut folder = file_component(name);
    if !taken.insert(folder.clone()) {
        folder = format!("{folder}_{code}");
        taken.insert(folder.clone());
    }
    folder
}

fn push_remark(remark: &mut String, s: &str) {
    if !remark.is_empty() {
        remark.push('；');
    }
    remark.push_str(s);
}

/// Σ files + 待补账号 = 发放表 subtotal = approved amount, and every 发放表 line in exactly one
/// place.
fn check_county(out: &RunOutput, cb: &CountyBatches) -> Result<(), String> {
    let approved = out
        .counties
        .iter()
        .find(|c| c.code.as_ref() == Some(&cb.code))
        .map(|c| fen(c.approved_amount))
        .unwrap_or_default();
    let files = cb.files_amount();
    let missing = cb.missing_amount();
    let lines: usize = cb.files.iter().map(|f| f.lines.len()).sum::<usize>() + cb.missing.len();
    if fen(files + missing) != fen(cb.subtotal)
        || fen(cb.subtotal) != approved
        || lines != cb.payroll_lines
    {
        return Err(format!(
            "生成代发文件失败：{} 代发文件合计 {} 元 + 待补账号 {} 元（共 {lines} 笔），与发放表小计 {} 元（{} 笔）、核准金额 {} 元不一致（程序错误，请报告）；本次未写出任何文件，台账未改动",
            cb.name,
            plain(files),
            plain(missing),
            plain(cb.subtotal),
            cb.payroll_lines,
            plain(approved)
        ));
    }
    Ok(())
}

/// The bytes of a txt batch file.
pub fn txt_bytes(p: &BankProfile, period: &str, lines: &[BatchLine]) -> Vec<u8> {
    let mut text = String::new();
    if p.header {
        let heads: Vec<&str> = p.columns.iter().map(|c| c.label()).collect();
        text.push_str(&heads.join(&p.delimiter));
        text.push_str("\r\n");
    }
    let purpose = p.purpose_for(period);
    for (n, l) in (1usize..).zip(lines) {
        let cells: Vec<String> = p
            .columns
            .iter()
            .map(|c| match c {
                BankColumn::Seq => n.to_string(),
                BankColumn::Name => l.name.to_string(),
                BankColumn::Account => l.account.to_string(),
                BankColumn::Amount => plain(l.amount),
                BankColumn::IdNumber => l.id_number.to_string(),
                BankColumn::Bank => l.bank.unwrap_or_default().to_string(),
                BankColumn::Purpose => purpose.clone(),
                BankColumn::Remark => l.remark.replace(['\r', '\n'], " "),
            })
            .map(|s| s.replace(p.delimiter.as_str(), " "))
            .collect();
        text.push_str(&cells.join(&p.delimiter));
        text.push_str("\r\n");
    }
    let (bytes, _, _) = p.encoding.encoding().encode(&text);
    bytes.into_owned()
}

/// The columns of a 其他银行 file.
pub const OTHER_COLUMNS: [BankColumn; 7] = [
    BankColumn::Seq,
    BankColumn::Name,
    BankColumn::Account,
    BankColumn::Bank,
    BankColumn::Amount,
    BankColumn::IdNumber,
    BankColumn::Remark,
];

fn xe(name: &str) -> impl Fn(XlsxError) -> String + '_ {
    move |e| format!("生成代发文件 {name} 失败：{e}")
}

/// An xlsx batch workbook (not saved): header in row 1, one row per line, no totals row;
/// accounts and ID numbers text cells in text-formatted columns.
pub fn xlsx_workbook(
    p: Option<&BankProfile>,
    period: &str,
    run_date: chrono::NaiveDate,
    file: &BatchFile,
) -> Result<Workbook, String> {
    let err = xe(&file.file_name);
    let columns: &[BankColumn] = p.map(|p| p.columns.as_slice()).unwrap_or(&OTHER_COLUMNS);
    let amount_kind = p.map(|p| p.amount).unwrap_or(AmountCell::Number);
    let purpose = p.map(|p| p.purpose_for(period)).unwrap_or_default();
    let st = Styles::new();
    let amount_number: Format = st
        .text
        .clone()
        .set_num_format("0.00")
        .set_align(FormatAlign::Right);
    let amount_text: Format = st.id_text.clone().set_align(FormatAlign::Right);
    let mut wb = style::report_workbook(&format!("{}代发 {period}", file.bank), run_date);
    fn bank_text<'a>(l: &BatchLine<'a>) -> &'a str {
        l.bank.unwrap_or(NO_BANK)
    }
    let widest = |f: &dyn Fn(&BatchLine) -> u32, min: u32, max: u32| {
        let w = file.lines.iter().map(f).max().unwrap_or(0) + 2;
        column_pixels(w, min, max)
    };
    let widths: Vec<u32> = columns
        .iter()
        .map(|c| match c {
            BankColumn::Seq => column_pixels(6, 6, 6),
            BankColumn::Name => widest(&|l| display_width(l.name), 8, 16),
            BankColumn::Account => widest(&|l| display_width(l.account), 22, 34),
            BankColumn::Amount => column_pixels(14, 14, 14),
            BankColumn::IdNumber => column_pixels(20, 20, 20),
            BankColumn::Bank => widest(&|l| display_width(bank_text(l)), 14, 30),
            BankColumn::Purpose => column_pixels(display_width(&purpose) + 2, 10, 30),
            BankColumn::Remark => widest(&|l| display_width(&l.remark), 10, 40),
        })
        .collect();
    let mut cols = Columns::pixels(widths);
    for (c, col) in (0u16..).zip(columns) {
        let f = match col {
            BankColumn::Seq => &st.int_center,
            BankColumn::Amount => match amount_kind {
                AmountCell::Number => &amount_number,
                AmountCell::Text => &amount_text,
            },
            _ => &st.id_text,
        };
        cols = cols.plain(c, f);
    }
    let ws = wb.add_worksheet();
    ws.set_name("代发").map_err(&err)?;
    cols.apply(ws).map_err(&err)?;
    let mut sh = Sheet::new(ws, &cols);
    let heads: Vec<&str> = columns.iter().map(|c| c.label()).collect();
    sh.header(0, &heads, &st.header).map_err(&err)?;
    let mut row = 1u32;
    for (n, l) in (1u32..).zip(&file.lines) {
        for (c, col) in (0u16..).zip(columns) {
            match col {
                BankColumn::Seq => sh.count(row, c, n, &st.int_center),
                BankColumn::Name => sh.text(row, c, l.name, &st.id_text),
                BankColumn::Account => sh.text(row, c, l.account, &st.id_text),
                BankColumn::Amount => match amount_kind {
                    AmountCell::Number => sh.money(row, c, l.amount, &amount_number),
                    AmountCell::Text => sh.text(row, c, &plain(l.amount), &amount_text),
                },
                BankColumn::IdNumber => sh.text(row, c, l.id_number, &st.id_text),
                BankColumn::Bank => sh.text(row, c, bank_text(l), &st.id_text),
                BankColumn::Purpose => sh.text(row, c, &purpose, &st.id_text),
                BankColumn::Remark => sh.text(row, c, &l.remark, &st.id_text),
            }
            .map_err(&err)?;
        }
        row += 1;
    }
    if row > 1 {
        let last = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);
        sh.ws
            .ignore_error_range(1, 0, row - 1, last, IgnoreError::NumberStoredAsText)
            .map_err(&err)?;
    }
    // Header row repeated on every printed page; no freeze or filter, which some banks' upload
    // tools read as content.
    style::page_setup(sh.ws, Some((0, 0)), cols.total_px()).map_err(&err)?;
    Ok(wb)
}

/// The path of a batch file relative to the period folder.
pub fn relative_path(cb: &CountyBatches, f: &BatchFile) -> PathBuf {
    Path::new(BATCH_DIR).join(&cb.folder).join(&f.file_name)
}

/// Writes every batch file of `plan` under `dir` (the period folder), in parallel, each
/// atomically, then removes batch files of this period that an earlier run of it left and this
/// run did not write (an outdated file uploaded would pay twice).
pub fn write_files(out: &RunOutput, plan: &BatchPlan, dir: &Path) -> Result<(), String> {
    let jobs: Vec<(&CountyBatches, &BatchFile)> = plan
        .counties
        .iter()
        .flat_map(|cb| cb.files.iter().map(move |f| (cb, f)))
        .collect();
    let label = &out.period.label;
    jobs.par_iter()
        .map(|(cb, f)| {
            let path = dir.join(relative_path(cb, f));
            write_one(&out.policy, label, out.period.run_date, &path, f)
        })
        .collect::<Result<Vec<()>, String>>()?;
    remove_stale(plan, dir, &jobs);
    Ok(())
}

/// Writes one batch file at `path`, atomically, as its profile says.
pub fn write_one(
    policy: &crate::policy::Policy,
    period: &str,
    run_date: chrono::NaiveDate,
    path: &Path,
    f: &BatchFile,
) -> Result<(), String> {
    let profile = f.profile.and_then(|i| policy.banks.get(i));
    match profile {
        Some(p) if p.format == BankFormat::Txt => {
            crate::report::write_atomic(path, &txt_bytes(p, period, &f.lines))
                .map_err(|e| format!("无法写入 {}：{e}", path.display()))
        }
        _ => {
            let mut wb = xlsx_workbook(profile, period, run_date, f)?;
            style::save(&mut wb, path)
        }
    }
}

/// Removes `*_代发_<period>*.xlsx|txt` files under 代发/ that this run did not write.
fn remove_stale(plan: &BatchPlan, dir: &Path, written: &[(&CountyBatches, &BatchFile)]) {
    let keep: BTreeSet<PathBuf> = written
        .iter()
        .map(|(cb, f)| dir.join(relative_path(cb, f)))
        .collect();
    for path in period_files(dir, &plan.period) {
        if !keep.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The batch files of `period` already under `<dir>/代发/<county>/` (written by an earlier run
/// of it): a run replaces or removes each, so the preflight of SPEC §10.6 tries them first.
pub fn period_files(dir: &Path, period: &str) -> Vec<PathBuf> {
    let root = dir.join(BATCH_DIR);
    let tag = format!("_代发_{}", file_component(period));
    let mut v = Vec::new();
    let Ok(folders) = std::fs::read_dir(&root) else {
        return v;
    };
    for folder in folders.flatten() {
        let Ok(files) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        for f in files.flatten() {
            let path = f.path();
            let name = f.file_name().to_string_lossy().into_owned();
            let ours = name.contains(&tag)
                && (name.ends_with(".xlsx") || name.ends_with(".txt"))
                && !name.starts_with('.');
            if ours && path.is_file() {
                v.push(path);
            }
        }
    }
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn line<'a>(name: &'a str, account: &'a str, amount: i64) -> BatchLine<'a> {
        BatchLine {
            name,
            id_number: "530402197001010011",
            bank: Some("玉溪农村商业银行"),
            account,
            amount: Decimal::new(amount, 2),
            remark: String::new(),
        }
    }

    #[test]
    fn txt_batches_are_encoded_as_the_profile_says() {
        let p = Policy::default_policy().unwrap();
        let rcc = p.banks.iter().find(|b| b.name == "农村信用社").unwrap();
        let bytes = txt_bytes(rcc, "2025-H1", &[line("张三", "6223690001", 120000)]);
        let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
        assert!(!bad);
        assert_eq!(
            text,
            "序号|账号|户名|金额|身份证号码|备注\r\n1|6223690001|张三|1200.00|530402197001010011|\r\n"
        );
        // GB18030, not UTF-8: 张 is two bytes.
        assert!(std::str::from_utf8(&bytes).is_err());
    }

    #[test]
    fn a_plan_that_does_not_add_up_stops_the_run() {
        use crate::report::payroll::payroll_lines;
        use crate::report::payroll::tests::{fixture, run_dir};
        let tmp = tempfile::tempdir().unwrap();
        let out = run_dir(&fixture("mixed"), tmp.path());
        let payroll = payroll_lines(&out).unwrap();
        let plan = plan(&out, &payroll).unwrap();
        let mut cb = plan
            .counties
            .iter()
            .find(|c| !c.files.is_empty())
            .unwrap()
            .clone();
        check_county(&out, &cb).unwrap();
        cb.files[0].lines[0].amount += Decimal::new(1, 2);
        cb.files[0].amount += Decimal::new(1, 2);
        let e = check_county(&out, &cb).unwrap_err();
        assert!(e.contains("程序错误") && e.contains(&cb.name), "{e}");
        // One line dropped: the amounts may still agree by chance, the count never.
        let mut cb2 = cb.clone();
        cb2.files[0].lines.pop();
        cb2.subtotal = cb2.files_amount() + cb2.missing_amount();
        assert!(check_county(&out, &cb2).is_err());
        // Nothing was written by the failed check.
        assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
    }

    #[test]
    fn file_names_number_the_parts() {
        assert_eq!(
            file_name("中国农业银行", "2025-H1", None, "xlsx"),
            "中国农业银行_代发_2025-H1.xlsx"
        );
        assert_eq!(
            file_name("农村信用社", "2025-H1", Some(2), "txt"),
            "农村信用社_代发_2025-H1_2.txt"
        );
    }
}
