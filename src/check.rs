//! `payrun check FILE...`: a county clerk's self-check before sending (SPEC §7). Reads each
//! file exactly as `payrun run` does (the same isolated ingest, the same claim parsing, the same
//! rules of `decide`), reports every problem with its file, sheet and cell, and writes nothing.
//!
//! What the clerk does not have, check does not pretend to know:
//! - **No period.** The claims are decided against the whole policy year: the period is
//!   1 January – 31 December of the policy year and the run date is `--run-date` (else
//!   SOURCE_DATE_EPOCH, else today). So a 结案日期 outside the year, or in the future, is flagged;
//!   one that falls in a later half-year than the coming payout is not (the municipal run
//!   decides which period pays it), and `late_claim` never appears.
//! - **No ledger, no other county.** `already_paid` and the county caps (`over_cap`) need the
//!   municipal ledger and every county's claims: not checked. Duplicates are checked among the
//!   files given together (`duplicate_in_batch`), as are `possible_duplicate` warnings.
//! - **Staff workbooks.** A file with no claim sheet but a 社区矫正协勤人员经费申报表 sheet
//!   is checked for what a single row can show (required fields, ID numbers, dates, months,
//!   amounts, the municipal amount against standard × months, the same person twice among the
//!   files given); quotas, allocations and the date/month consistency are the municipal staff
//!   run's. The staff rules live in [`staff_rows`]: when a `crate::staff` module with the full
//!   row rules exists, that one function is what changes.
//!
//! Exit status: 0 nothing to fix (warnings are printed but allowed), 2 problems found, 1 could
//! not run (no file given, a file missing, a bad policy).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::cell;
use crate::claim::{self, Claim, Origin, SheetCounty};
use crate::codes::{FileCode, RowCode, Severity as CodeSeverity, cell_ref};
use crate::decide::{self, Outcome, PriorPayments, RunPeriod};
use crate::ingest::grid::CellVal;
use crate::ingest::header::{Column, Field, StaffField};
use crate::ingest::worker::{Isolation, ingest_file};
use crate::ingest::{ClaimTable, FileIngest, InputFile, SkippedFile};
use crate::policy::{PeriodDef, Policy};

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The row (or file, or sheet) would not pass: fix it before sending.
    Problem,
    /// Worth a look; does not stop the row.
    Warning,
    /// What check did with the file (not counted).
    Note,
}

/// One thing the clerk should know, with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    /// The SPEC §4.7 code (`missing_field`, `no_claim_sheet`, …) or `empty_sheet` /
    /// `hidden_sheet` / `staff_form` for check's own notices.
    pub code: &'static str,
    /// 1-based Excel row, for row findings.
    pub row: Option<u32>,
    /// "E7", when the finding belongs to one cell.
    pub cell: Option<String>,
    /// Chinese, naming the cell when there is one.
    pub message: String,
}

/// Which form a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// 人民调解个案补贴申报表.
    Claims,
    /// 社区矫正协勤人员经费申报表.
    Staff,
    /// Neither could be read.
    None,
}

#[derive(Debug, Clone)]
pub struct SheetCheck {
    pub name: String,
    pub hidden: bool,
    /// Data rows read.
    pub rows: usize,
    /// Data rows without a problem (they would pass, warnings allowed).
    pub passing: usize,
    /// False when a sheet problem (`missing_column`, `unknown_county`, …) stopped the sheet:
    /// its rows (when known) count as not passing.
    pub checked: bool,
    /// Sheet findings first (row None), then row findings in row order.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
pub struct FileCheck {
    pub path: PathBuf,
    /// How the file is named in messages.
    pub name: String,
    pub form: FormKind,
    /// File-level findings.
    pub findings: Vec<Finding>,
    /// The form sheets of the file (sheets that are no form are not listed).
    pub sheets: Vec<SheetCheck>,
}

impl FileCheck {
    fn all(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.sheets.iter().flat_map(|s| s.findings.iter()))
    }
}

/// The result of a check: everything that is printed.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub policy_name: String,
    pub year: i32,
    pub today: NaiveDate,
    pub files: Vec<FileCheck>,
}

impl CheckReport {
    pub fn count(&self, s: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|f| f.all())
            .filter(|x| x.severity == s)
            .count()
    }
    pub fn rows(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.sheets)
            .map(|s| s.rows)
            .sum()
    }
    pub fn passing(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.sheets)
            .map(|s| s.passing)
            .sum()
    }
    /// 0 clean (warnings allowed), 2 problems found.
    pub fn exit_code(&self) -> u8 {
        if self.count(Severity::Problem) > 0 {
            2
        } else {
            0
        }
    }

    /// The printed report, in Chinese.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut line = |t: String| {
            s.push_str(&t);
            s.push('\n');
        };
        line(format!(
            "payrun 报送前自查（政策：{}；结案日期须在 {} 年内且不晚于检查日 {}）",
            self.policy_name,
            self.year,
            self.today.format("%Y-%m-%d")
        ));
        for (i, f) in self.files.iter().enumerate() {
            let form = match f.form {
                FormKind::Claims => "人民调解个案补贴申报表",
                FormKind::Staff => "社区矫正协勤人员经费申报表",
                FormKind::None => "未能识别为申报表",
            };
            line(String::new());
            line(format!("【文件 {}】{}（{form}）", i + 1, f.name));
            for x in &f.findings {
                line(format!("  {}：{}", label(x.severity), x.message));
            }
            for sh in &f.sheets {
                let hidden = if sh.hidden { "（隐藏）" } else { "" };
                let what = match (sh.checked, sh.rows) {
                    (true, n) => format!(
                        "数据 {n} 行，可以通过 {} 行，有问题 {} 行",
                        sh.passing,
                        n.saturating_sub(sh.passing)
                    ),
                    (false, 0) => "未能检查（原因见下）".to_string(),
                    (false, n) => format!("数据 {n} 行，未能检查（原因见下）"),
                };
                line(format!("  工作表“{}”{hidden}：{what}", sh.name));
                let mut current: Option<u32> = None;
                for x in &sh.findings {
                    match x.row {
                        None => line(format!("    {}：{}", label(x.severity), x.message)),
                        Some(r) => {
                            if current != Some(r) {
                                line(format!("    第 {r} 行："));
                                current = Some(r);
                            }
                            line(format!("      {}：{}", label(x.severity), x.message));
                        }
                    }
                }
            }
        }
        let (p, w) = (self.count(Severity::Problem), self.count(Severity::Warning));
        line(String::new());
        line(format!(
            "合计：检查 {} 个文件，数据 {} 行，可以通过 {} 行，有问题 {} 行；问题 {p} 个，提示 {w} 个。",
            self.files.len(),
            self.rows(),
            self.passing(),
            self.rows().saturating_sub(self.passing())
        ));
        if p > 0 {
            line("结论：发现问题，请按上面列出的单元格逐一修改后再报送。".to_string());
        } else if w > 0 {
            line(format!(
                "结论：未发现问题，可以报送；另有 {w} 条提示，请看一下是否需要处理。"
            ));
        } else {
            line("结论：未发现问题，可以报送。".to_string());
        }
        s
    }
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Problem => "问题",
        Severity::Warning => "提示",
        Severity::Note => "说明",
    }
}

fn severity(code: RowCode) -> Severity {
    match code.severity() {
        CodeSeverity::Warning => Severity::Warning,
        CodeSeverity::Reject | CodeSeverity::Hold => Severity::Problem,
    }
}

fn notice(severity: Severity, code: &'static str, message: String) -> Finding {
    Finding {
        severity,
        code,
        row: None,
        cell: None,
        message,
    }
}

/// `payrun check`: expands folders, refuses missing files (exit 1), prints the report and
/// returns 0 or 2. Files that hold no workbook are listed first and change nothing.
pub fn check_command(
    policy: &Policy,
    args: &[PathBuf],
    today: NaiveDate,
    iso: &Isolation,
) -> Result<u8, String> {
    let (files, skipped) = expand(args, iso)?;
    if !skipped.is_empty() {
        println!("未读取的文件 {} 个：", skipped.len());
        for s in &skipped {
            println!("  {}", s.line());
        }
        println!();
    }
    let report = check_files(policy, &files, today, iso);
    print!("{}", report.render());
    Ok(report.exit_code())
}

/// The files named on the command line; a folder stands for the workbooks in it, found as `run`
/// finds them (SPEC §10.1), and a file is answered by its content as there. Returns the files to
/// check and the files not read. Nothing to check, or a name that does not exist, is an error
/// (exit 1).
pub fn expand(
    args: &[PathBuf],
    iso: &Isolation,
) -> Result<(Vec<PathBuf>, Vec<SkippedFile>), String> {
    if args.is_empty() {
        return Err("请指定要检查的申报表文件，例如：payrun check 红塔区申报表.xlsx".into());
    }
    let missing: Vec<String> = args
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!("找不到文件：{}", missing.join("、")));
    }
    let mut out: Vec<PathBuf> = Vec::new();
    let mut skipped: Vec<SkippedFile> = Vec::new();
    for a in args {
        if a.is_dir() {
            let found = crate::ingest::discover(a, None, iso)
                .map_err(|e| format!("无法读取文件夹 {}：{e}", a.display()))?;
            let not_read: Vec<SkippedFile> = found
                .skipped
                .into_iter()
                .map(|s| SkippedFile {
                    rel: a.join(&s.rel).display().to_string(),
                    ..s
                })
                .collect();
            if found.files.is_empty() {
                let also = if not_read.is_empty() {
                    String::new()
                } else {
                    let lines: Vec<String> = not_read.iter().map(|s| s.line()).collect();
                    format!("；未读取的文件：{}", lines.join("；"))
                };
                return Err(format!(
                    "文件夹 {} 中没有工作簿（.xlsx .xlsm .xls .xlsb .ods .et）{also}",
                    a.display()
                ));
            }
            skipped.extend(not_read);
            out.extend(found.files.into_iter().map(|f| f.abs));
        } else {
            match crate::ingest::discover::one_file(a, &a.display().to_string(), iso) {
                Ok(f) => out.push(f.abs),
                Err(s) => skipped.push(s),
            }
        }
    }
    if out.is_empty() {
        let lines: Vec<String> = skipped.iter().map(|s| s.line()).collect();
        return Err(format!("没有可检查的申报表：{}", lines.join("；")));
    }
    // A file named twice (or also inside a folder given) is checked once: its rows are not
    // duplicates of themselves.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok((out, skipped))
}

/// How each file is named: its file name, or the path as given when two share a name.
fn display_names(files: &[PathBuf]) -> Vec<String> {
    let short: Vec<String> = files
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| p.display().to_string())
        })
        .collect();
    short
        .iter()
        .zip(files)
        .map(|(n, p)| {
            if short.iter().filter(|m| *m == n).count() > 1 {
                p.display().to_string()
            } else {
                n.clone()
            }
        })
        .collect()
}

/// The "period" of a check: the whole policy year, run on `today`.
pub fn check_period(policy: &Policy, today: NaiveDate) -> RunPeriod {
    let y = policy.year;
    let start = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX);
    RunPeriod {
        label: format!("{y}"),
        def: PeriodDef {
            id: format!("{y}"),
            name: "全年".into(),
            start,
            end,
            pay_by: end,
        },
        run_date: today,
    }
}

/// What a file was read as.
enum Read {
    Claims(FileIngest<Field>),
    Staff(FileIngest<StaffField>),
    /// Neither form: the claim reading's error (no_claim_sheet, unreadable, …).
    Failed(FileIngest<Field>),
}

fn read_file(abs: &Path, name: &str, iso: &Isolation) -> Read {
    let input = InputFile {
        abs: abs.to_path_buf(),
        rel: name.to_string(),
    };
    let claims = ingest_file::<Field>(&input, iso);
    match &claims.error {
        None => Read::Claims(claims),
        Some(e) if e.code == FileCode::NoClaimSheet => {
            let staff = ingest_file::<StaffField>(&input, iso);
            let is_staff = staff.error.is_none()
                && staff
                    .sheets
                    .iter()
                    .any(|s| s.table.is_some() || s.problem.is_some());
            if is_staff {
                Read::Staff(staff)
            } else {
                Read::Failed(claims)
            }
        }
        Some(_) => Read::Failed(claims),
    }
}

/// Checks `files` together (duplicates are found across them). Writes nothing.
pub fn check_files(
    policy: &Policy,
    files: &[PathBuf],
    today: NaiveDate,
    iso: &Isolation,
) -> CheckReport {
    let names = display_names(files);
    let reads: Vec<Read> = files
        .par_iter()
        .zip(names.par_iter())
        .map(|(p, n)| read_file(p, n, iso))
        .collect();

    let mut out: Vec<FileCheck> = Vec::with_capacity(files.len());
    // Claims of every file, with where their findings go (file, sheet position).
    let mut claims: Vec<(Claim, usize, usize)> = Vec::new();
    let mut staff_ids: HashMap<String, String> = HashMap::new();
    for ((read, path), name) in reads.into_iter().zip(files).zip(&names) {
        let mut fc = FileCheck {
            path: path.clone(),
            name: name.clone(),
            form: FormKind::None,
            findings: Vec::new(),
            sheets: Vec::new(),
        };
        let file_index = out.len();
        match read {
            Read::Failed(fi) => {
                if let Some(e) = &fi.error {
                    let message = if e.code == FileCode::NoClaimSheet {
                        format!(
                            "{}；也没有找到社区矫正协勤人员经费申报表的表头（姓名、身份证号码、入职日期、在岗月数等）。请使用市司法局下发的空白申报表填写",
                            e.message
                        )
                    } else {
                        e.message.clone()
                    };
                    fc.findings
                        .push(notice(Severity::Problem, e.code.as_str(), message));
                }
            }
            Read::Claims(fi) => {
                fc.form = FormKind::Claims;
                for s in &fi.sheets {
                    let mut sc = SheetCheck {
                        name: s.name.clone(),
                        hidden: s.hidden,
                        rows: 0,
                        passing: 0,
                        checked: s.problem.is_none(),
                        findings: Vec::new(),
                    };
                    if let Some(p) = &s.problem {
                        sc.findings.push(notice(
                            Severity::Problem,
                            p.code.as_str(),
                            p.message.clone(),
                        ));
                    }
                    let Some(t) = &s.table else {
                        if s.problem.is_some() {
                            fc.sheets.push(sc);
                        }
                        continue;
                    };
                    sheet_notices(&mut sc, t.rows.len());
                    if t.rows.is_empty() {
                        // Nothing to decide, so no county to settle either.
                        fc.sheets.push(sc);
                        continue;
                    }
                    match claim::sheet_county(t, &policy.registry) {
                        SheetCounty::Unknown(why) => {
                            sc.rows = t.rows.len();
                            sc.checked = false;
                            sc.findings.push(notice(
                                Severity::Problem,
                                FileCode::UnknownCounty.as_str(),
                                format!(
                                    "无法确定本表属于哪个县（市、区）：{why}。请在“县（市、区）”列填写本县名称（如“红塔区”），或在表头上方的“填报单位”处写明“××司法局”"
                                ),
                            ));
                        }
                        SheetCounty::Known(county) => {
                            sc.rows = t.rows.len();
                            let sheet_pos = fc.sheets.len();
                            for raw in &t.rows {
                                let origin = Origin {
                                    file: name.as_str().into(),
                                    sheet: s.name.as_str().into(),
                                    sheet_index: s.index,
                                    row: raw.row,
                                };
                                let c = claim::parse_row(
                                    raw,
                                    t,
                                    origin,
                                    &policy.registry,
                                    county.as_ref(),
                                    today,
                                );
                                claims.push((c, file_index, sheet_pos));
                            }
                        }
                    }
                    fc.sheets.push(sc);
                }
            }
            Read::Staff(fi) => {
                fc.form = FormKind::Staff;
                fc.findings.push(notice(
                    Severity::Note,
                    "staff_form",
                    "这是社区矫正协勤人员经费申报表：已检查必填项、身份证号码、日期、在岗月数和金额，以及同一人是否重复申报；各县定额、经费总额和在岗月数与入离职日期是否相符，由市司法局审核时检查".to_string(),
                ));
                for s in &fi.sheets {
                    let mut sc = SheetCheck {
                        name: s.name.clone(),
                        hidden: s.hidden,
                        rows: 0,
                        passing: 0,
                        checked: s.problem.is_none(),
                        findings: Vec::new(),
                    };
                    if let Some(p) = &s.problem {
                        sc.findings.push(notice(
                            Severity::Problem,
                            p.code.as_str(),
                            p.message.clone(),
                        ));
                    }
                    if let Some(t) = &s.table {
                        sheet_notices(&mut sc, t.rows.len());
                        let place = |row: u32| format!("{name}｜{}｜第 {row} 行", s.name);
                        let rows = staff_rows(t, policy, today, &mut staff_ids, &place);
                        sc.rows = rows.len();
                        sc.passing = rows
                            .iter()
                            .filter(|r| !r.iter().any(|x| x.severity == Severity::Problem))
                            .count();
                        sc.findings.extend(rows.into_iter().flatten());
                    } else if s.problem.is_none() {
                        continue;
                    }
                    fc.sheets.push(sc);
                }
            }
        }
        out.push(fc);
    }

    // The rules, on all claims together in the order of SPEC §4.3.
    claims.sort_by(|(a, _, _), (b, _, _)| {
        let key = |c: &Claim| {
            c.county
                .as_ref()
                .or(c.sheet_county.as_ref())
                .map(|k| k.as_str().to_string())
                .unwrap_or_else(|| "~".into())
        };
        (key(a), &a.origin.file, a.origin.sheet_index, a.origin.row).cmp(&(
            key(b),
            &b.origin.file,
            b.origin.sheet_index,
            b.origin.row,
        ))
    });
    let (mut list, places): (Vec<Claim>, Vec<(usize, usize)>) =
        claims.into_iter().map(|(c, f, s)| (c, (f, s))).unzip();
    let period = check_period(policy, today);
    let decisions = decide::decide_all(&mut list, policy, &period, &PriorPayments::default());
    for ((c, d), (fi, si)) in list.iter().zip(&decisions).zip(&places) {
        let Some(sheet) = out.get_mut(*fi).and_then(|f| f.sheets.get_mut(*si)) else {
            continue;
        };
        if d.outcome == Outcome::Approved {
            sheet.passing += 1;
        }
        for i in &d.issues {
            sheet.findings.push(Finding {
                severity: severity(i.code),
                code: i.code.as_str(),
                row: Some(c.origin.row),
                cell: i.cell.clone(),
                message: i.message.clone(),
            });
        }
    }
    for f in &mut out {
        for s in &mut f.sheets {
            // Sheet notices first, then rows in order; within a row, problems before warnings.
            s.findings
                .sort_by_key(|x| (x.row.is_some(), x.row, x.severity));
        }
    }
    CheckReport {
        policy_name: policy.name.clone(),
        year: policy.year,
        today,
        files: out,
    }
}

/// Notices every form sheet gets: empty, hidden.
fn sheet_notices(sc: &mut SheetCheck, rows: usize) {
    if rows == 0 {
        sc.findings.push(notice(
            Severity::Warning,
            "empty_sheet",
            format!("工作表“{}”找到了表头，但没有填写任何数据行", sc.name),
        ));
    }
    if sc.hidden {
        sc.findings.push(notice(
            Severity::Warning,
            "hidden_sheet",
            format!(
                "工作表“{}”是隐藏的，其中的数据同样会被审核；如不应报送，请删除该工作表",
                sc.name
            ),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Staff rows: what one row of a 协勤人员 declaration can show on its own.
// ---------------------------------------------------------------------------------------------

struct StaffRow<'a> {
    table: &'a ClaimTable<StaffField>,
    row: u32,
    findings: Vec<Finding>,
}

impl StaffRow<'_> {
    fn cell(&self, f: StaffField) -> Option<String> {
        self.table
            .column(f)
            .map(|c| cell_ref(self.row.saturating_sub(1), c))
    }

    fn push(&mut self, code: RowCode, f: StaffField, message: String) {
        let cell = self.cell(f);
        let at = cell.clone().map(|c| format!("{c} ")).unwrap_or_default();
        self.findings.push(Finding {
            severity: severity(code),
            code: code.as_str(),
            row: Some(self.row),
            cell,
            message: format!("{at}{}：{message}", f.label()),
        });
    }

    /// The value to read further, or None (a finding is recorded when one is due).
    fn present<'v>(&mut self, f: StaffField, v: Option<&'v CellVal>) -> Option<&'v CellVal> {
        match v {
            None => {
                if f.required() {
                    self.push(RowCode::MissingField, f, "必填项为空，请填写".into());
                }
                None
            }
            Some(v) if v.is_blank() => {
                if f.required() {
                    self.push(RowCode::MissingField, f, "必填项为空，请填写".into());
                }
                None
            }
            Some(CellVal::Error(e)) => {
                if f.required() {
                    self.push(
                        RowCode::BadValue,
                        f,
                        format!("单元格是 Excel 错误值 {e}，请改为实际内容"),
                    );
                }
                None
            }
            Some(CellVal::Formula(x)) => {
                self.push(
                    RowCode::FormulaNotCalculated,
                    f,
                    format!(
                        "单元格是未计算的公式 ={}，请在 Excel/WPS 中打开后重新保存，或直接填写数值",
                        x.trim_start_matches('=')
                    ),
                );
                None
            }
            Some(v) => Some(v),
        }
    }

    fn text(&mut self, f: StaffField, v: Option<&CellVal>) -> Option<String> {
        let v = self.present(f, v)?;
        Some(match v {
            CellVal::Text(t) => cell::normalize_text(t),
            other => other.display(),
        })
    }

    fn date(&mut self, f: StaffField, v: Option<&CellVal>) -> Option<NaiveDate> {
        let v = self.present(f, v)?;
        let r = match v {
            CellVal::Date(d) => Ok(*d),
            CellVal::Text(t) => cell::parse_date_text(t),
            CellVal::Number(Some(n)) => cell::parse_date_number(*n, self.table.epoch_1904),
            other => Err(format!("“{}”不是日期", other.display())),
        };
        r.map_err(|e| {
            self.push(
                RowCode::BadDate,
                f,
                format!("{e}，请填写如 2025-03-05 的日期"),
            )
        })
        .ok()
    }

    fn money(&mut self, f: StaffField, v: Option<&CellVal>) -> Option<Decimal> {
        let v = self.present(f, v)?;
        let r = match v {
            CellVal::Number(Some(n)) => cell::check_money(*n),
            CellVal::Text(t) => cell::parse_money_text(t),
            other => Err(format!("“{}”不是金额", other.display())),
        };
        r.map_err(|e| {
            self.push(
                RowCode::BadValue,
                f,
                format!("{e}，请填写如 1000.00 的金额"),
            )
        })
        .ok()
    }

    fn months(&mut self, v: Option<&CellVal>) -> Option<u32> {
        let f = StaffField::Months;
        let v = self.present(f, v)?;
        let n = match v {
            CellVal::Number(Some(n)) => Some(*n),
            CellVal::Text(t) => cell::normalize_text(t)
                .trim_end_matches('个')
                .trim_end_matches('月')
                .trim_end_matches('个')
                .parse::<Decimal>()
                .ok(),
            _ => None,
        };
        let m = n
            .filter(|n| n.fract().is_zero() && *n >= Decimal::ZERO && *n <= Decimal::from(12))
            .and_then(|n| u32::try_from(n.trunc().mantissa()).ok());
        if m.is_none() {
            self.push(
                RowCode::BadValue,
                f,
                format!("“{}”不是 0 到 12 的整数月数", v.display()),
            );
        }
        m
    }

    fn id_number(&mut self, v: Option<&CellVal>, today: NaiveDate) -> Option<String> {
        let f = StaffField::IdNumber;
        let v = self.present(f, v)?;
        match v {
            CellVal::Text(t) => match cell::check_id_text(t, today) {
                Ok(id) => Some(id),
                Err(e) => {
                    self.push(RowCode::BadIdNumber, f, format!("“{}”无效：{e}", t.trim()));
                    None
                }
            },
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                self.push(
                    RowCode::IdPrecisionLost,
                    f,
                    format!(
                        "身份证号码被 Excel 存成了数字（显示为 {}），后几位已丢失，无法还原；请把该列设为文本格式后重新录入完整号码",
                        n.normalize()
                    ),
                );
                None
            }
            other => {
                self.push(
                    RowCode::BadIdNumber,
                    f,
                    format!("“{}”不是 18 位身份证号码", other.display()),
                );
                None
            }
        }
    }

    fn account(&mut self, v: Option<&CellVal>) {
        let f = StaffField::Account;
        let Some(v) = self.present(f, v) else {
            return;
        };
        match v {
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => self.push(
                RowCode::IdPrecisionLost,
                f,
                format!(
                    "银行账号被 Excel 存成了数字（显示为 {}），后几位已丢失，无法还原；请把该列设为文本格式后重新录入完整账号",
                    n.normalize()
                ),
            ),
            CellVal::Number(Some(_)) => {}
            CellVal::Text(t) => {
                let s: String = cell::compact(t).chars().filter(|c| *c != '-').collect();
                if !(6..=32).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
                    self.push(
                        RowCode::BadValue,
                        f,
                        format!(
                            "“{}”不是有效的银行账号（应为 6–32 位数字），请核对后重填",
                            t.trim()
                        ),
                    );
                }
            }
            other => self.push(
                RowCode::BadValue,
                f,
                format!("“{}”不是银行账号", other.display()),
            ),
        }
    }
}

/// The findings of every data row of a staff sheet, one list per row (empty = the row passes).
/// `ids` carries the ID numbers seen so far across the files checked, with their place.
pub fn staff_rows(
    table: &ClaimTable<StaffField>,
    policy: &Policy,
    today: NaiveDate,
    ids: &mut HashMap<String, String>,
    place: &dyn Fn(u32) -> String,
) -> Vec<Vec<Finding>> {
    let unit_county = table
        .filing_unit
        .as_ref()
        .and_then(|(t, _)| policy.registry.resolve_in_text(t));
    let mut out = Vec::with_capacity(table.rows.len());
    for raw in &table.rows {
        let mut r = StaffRow {
            table,
            row: raw.row,
            findings: Vec::new(),
        };
        let g = |f: StaffField| raw.get(f);
        match g(StaffField::County).filter(|v| !v.is_blank()) {
            Some(CellVal::Text(t)) => {
                if policy.registry.resolve(t).is_none() {
                    r.push(
                        RowCode::BadValue,
                        StaffField::County,
                        format!("“{}”不是本市的县（市、区），请填写如“红塔区”", t.trim()),
                    );
                }
            }
            Some(other) => {
                if r.present(StaffField::County, Some(other)).is_some() {
                    r.push(
                        RowCode::BadValue,
                        StaffField::County,
                        format!("“{}”不是县（市、区）名称", other.display()),
                    );
                }
            }
            None => {
                if unit_county.is_none() {
                    r.push(
                        RowCode::MissingField,
                        StaffField::County,
                        "必填项为空，请填写（或在“填报单位”处写明本县司法局）".into(),
                    );
                }
            }
        }
        r.text(StaffField::Office, g(StaffField::Office));
        r.text(StaffField::Name, g(StaffField::Name));
        if let Some(id) = r.id_number(g(StaffField::IdNumber), today) {
            let here = place(raw.row);
            match ids.get(&id) {
                Some(first) => {
                    let msg = format!(
                        "同一人（{id}）已在 {first} 申报；一人只能在一个县（市、区）申报一次"
                    );
                    r.push(RowCode::DuplicateInBatch, StaffField::IdNumber, msg);
                }
                None => {
                    ids.insert(id, here);
                }
            }
        }
        r.text(StaffField::Gender, g(StaffField::Gender));
        let start = r.date(StaffField::StartDate, g(StaffField::StartDate));
        let end = r.date(StaffField::EndDate, g(StaffField::EndDate));
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            r.push(
                RowCode::BadDate,
                StaffField::EndDate,
                format!("离职日期 {e} 早于入职日期 {s}"),
            );
        }
        if let Some(s) = start
            && s > today
        {
            r.push(
                RowCode::DateInFuture,
                StaffField::StartDate,
                format!("入职日期 {s} 晚于检查日 {today}"),
            );
        }
        let months = r.months(g(StaffField::Months));
        r.money(StaffField::MonthlyStandard, g(StaffField::MonthlyStandard));
        let municipal = r.money(StaffField::Municipal, g(StaffField::Municipal));
        r.money(StaffField::CountyTopUp, g(StaffField::CountyTopUp));
        if let (Some(m), Some(amount)) = (months, municipal) {
            let most = policy.staff_monthly_standard * Decimal::from(m);
            if amount > most {
                r.push(
                    RowCode::BadValue,
                    StaffField::Municipal,
                    format!(
                        "{} 元超过市级补助上限 {} 元 × {m} 个月 = {} 元",
                        crate::money::plain(amount),
                        crate::money::plain(policy.staff_monthly_standard),
                        crate::money::plain(most)
                    ),
                );
            }
        }
        r.account(g(StaffField::Account));
        out.push(r.findings);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_file_names_unless_two_share_one() {
        let files = vec![
            PathBuf::from("a/x.xlsx"),
            PathBuf::from("b/x.xlsx"),
            PathBuf::from("c/y.xlsx"),
        ];
        assert_eq!(display_names(&files), ["a/x.xlsx", "b/x.xlsx", "y.xlsx"]);
    }

    #[test]
    fn nothing_to_check_or_a_missing_file_cannot_run() {
        let iso = Isolation::InProcess;
        assert!(expand(&[], &iso).unwrap_err().contains("请指定"));
        let e = expand(&[PathBuf::from("/nonexistent/红塔区.xlsx")], &iso).unwrap_err();
        assert!(e.contains("找不到文件") && e.contains("红塔区.xlsx"), "{e}");
        // A folder, or a list of files, that holds no workbook leaves nothing to check.
        let tmp = tempfile::tempdir().unwrap();
        let csv = tmp.path().join("江川区_申报.csv");
        std::fs::write(&csv, "a,b\n").unwrap();
        let e = expand(&[tmp.path().to_path_buf()], &iso).unwrap_err();
        assert!(
            e.contains("没有工作簿") && e.contains("江川区_申报.csv：不是 Excel/WPS 工作簿"),
            "{e}"
        );
        let e = expand(&[csv], &iso).unwrap_err();
        assert!(e.contains("没有可检查的申报表"), "{e}");
    }

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/external")
            .join(rel)
    }

    fn june_30() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    #[test]
    fn sheet_problems_hidden_sheets_and_row_problems_are_placed() {
        let p = Policy::default_policy().unwrap();
        let files = [
            fixture("mixed/华宁县人民调解个案补贴申报表.xls"),
            fixture("openpyxl/openpyxl_messy.xlsx"),
        ];
        let r = check_files(&p, &files, june_30(), &Isolation::InProcess);
        assert_eq!(r.exit_code(), 2);
        let huaning = &r.files[0];
        assert_eq!(huaning.form, FormKind::Claims);
        let sheet = |name: &str| huaning.sheets.iter().find(|s| s.name == name).unwrap();
        let hidden = sheet("盘溪司法所");
        assert!(hidden.hidden && hidden.checked);
        assert_eq!((hidden.rows, hidden.passing), (3, 3));
        assert!(hidden.findings.iter().any(|f| f.code == "hidden_sheet"));
        let unknown = sheet("通红甸司法所");
        assert!(!unknown.checked);
        assert_eq!((unknown.rows, unknown.passing), (3, 0));
        assert_eq!(unknown.findings[0].code, "unknown_county");
        let old = sheet("2024年四季度");
        assert!(!old.checked);
        assert_eq!(old.findings[0].code, "missing_column");
        let ningzhou = sheet("宁州司法所");
        assert_eq!((ningzhou.rows, ningzhou.passing), (9, 7));
        let g5 = ningzhou
            .findings
            .iter()
            .find(|f| f.cell.as_deref() == Some("G5"))
            .unwrap();
        assert_eq!(
            (g5.severity, g5.code, g5.row),
            (Severity::Problem, "bad_value", Some(5))
        );
        // Row findings in row order, problems before warnings within a row.
        let rows: Vec<(Option<u32>, Severity)> = ningzhou
            .findings
            .iter()
            .map(|f| (f.row, f.severity))
            .collect();
        let mut sorted = rows.clone();
        sorted.sort();
        assert_eq!(rows, sorted);

        let text = r.render();
        assert!(
            text.contains("【文件 1】华宁县人民调解个案补贴申报表.xls（人民调解个案补贴申报表）")
        );
        assert!(text.contains("工作表“通红甸司法所”：数据 3 行，未能检查（原因见下）"));
        assert!(text.contains("问题：G5 纠纷等级：单元格是 Excel 错误值 #N/A"));
        assert!(text.contains("问题：E6 身份证号码：身份证号码被 Excel 存成了数字"));
        assert!(text.contains(&format!(
            "数据 {} 行，可以通过 {} 行",
            r.rows(),
            r.passing()
        )));
        assert!(text.ends_with("结论：发现问题，请按上面列出的单元格逐一修改后再报送。\n"));
    }

    #[test]
    fn a_file_that_is_no_workbook_or_no_form_is_a_problem() {
        let p = Policy::default_policy().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let junk = tmp.path().join("junk.xlsx");
        std::fs::write(&junk, "hello").unwrap();
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "通讯录").unwrap();
        let other = tmp.path().join("other.xlsx");
        wb.save(&other).unwrap();
        let r = check_files(&p, &[junk, other], june_30(), &Isolation::InProcess);
        assert_eq!(r.exit_code(), 2);
        assert!(r.files.iter().all(|f| f.form == FormKind::None));
        assert_eq!(r.files[0].findings[0].code, "unreadable_file");
        assert_eq!(r.files[1].findings[0].code, "no_claim_sheet");
        assert!(
            r.files[1].findings[0]
                .message
                .contains("协勤人员经费申报表")
        );
    }

    #[test]
    fn a_file_named_twice_is_checked_once() {
        let dir = fixture("lo_xlsx");
        let file = dir.join("libreoffice_two_row_header.xlsx");
        let (files, skipped) = expand(&[file.clone(), dir, file], &Isolation::InProcess).unwrap();
        assert!(skipped.is_empty());
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn the_period_is_the_policy_year() {
        let p = Policy::default_policy().unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let r = check_period(&p, today);
        assert_eq!(r.def.start, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert_eq!(r.def.end, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert_eq!(r.run_date, today);
    }
}
