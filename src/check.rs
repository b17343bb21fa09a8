//! `payrun check FILE...`: a county clerk's self-check before sending (SPEC §7). Reads each
//! file exactly as the municipal runs do (the same isolated ingest, the same form: claim forms
//! as `payrun run`, staff forms as `payrun staff`) and decides its rows with the same form rules
//! ([`crate::form::decide`]), so check and the runs cannot disagree on a row. It reports every
//! problem with its file, sheet and cell, or with `--json` each data row's codes, and writes
//! nothing.
//!
//! What the clerk does not have, check does not pretend to know (the codes are listed in
//! [`crate::form::municipal_only`]):
//! - **No period.** Claims are decided against the whole policy year: the period is 1 January –
//!   31 December of the policy year and the run date is `--run-date` (else SOURCE_DATE_EPOCH,
//!   else today). So a 结案日期 outside the year, or in the future, is flagged; one that falls in
//!   a later half-year than the coming payout is not (the municipal run decides which period
//!   pays it), and `late_claim` never appears.
//! - **No ledger, caps, quota or allocation.** `already_paid`, `over_cap`, `over_quota` and
//!   `over_allocation` need the bureau's ledger and every county's rows: not checked.
//!   Duplicates are found among the files given together (`duplicate_in_batch`,
//!   `duplicate_person`, `possible_duplicate`), as the runs find them among the files they read.
//!
//! Exit status: 0 nothing to fix (warnings are printed but allowed), 2 problems found, 1 could
//! not run (no file given, a file missing, a bad policy).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::codes::{FileCode, Severity as CodeSeverity};
use crate::form::files::{Audience, read_file};
use crate::form::{self, FileReport, Form, FormCode, FormRow, Verdict, order};
use crate::ingest::header::{Field, StaffField};
use crate::ingest::worker::{Isolation, ingest_file};
use crate::ingest::{FileIngest, InputFile, SkippedFile};
use crate::mediation::period::whole_year;
use crate::mediation::{Mediation, PriorPayments};
use crate::policy::Policy;
use crate::staff::StaffForm;

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
    /// 0-based position in the workbook.
    pub index: usize,
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

/// The codes of one data row, as `check --json` prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowCodes {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    /// As in decisions.csv: distinct, sorted by name, warnings included.
    pub codes: Vec<&'static str>,
}

/// The result of a check: everything that is printed.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub policy_name: String,
    pub year: i32,
    pub today: NaiveDate,
    pub files: Vec<FileCheck>,
    /// Every data row decided, in reading order (file as given, sheet, row).
    pub rows: Vec<RowCodes>,
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

    /// `check --json`: one JSON object per data row, one per line.
    pub fn render_json(&self) -> String {
        let mut s = String::new();
        for r in &self.rows {
            // A struct of strings, numbers and string lists always serialises.
            if let Ok(line) = serde_json::to_string(r) {
                s.push_str(&line);
                s.push('\n');
            }
        }
        s
    }

    /// The file and sheet findings (no row findings), one per line: what `check --json` says
    /// on stderr beside the rows.
    pub fn render_file_findings(&self) -> String {
        let mut s = String::new();
        for f in &self.files {
            let sheets = f.sheets.iter().flat_map(|sh| {
                sh.findings
                    .iter()
                    .filter(|x| x.row.is_none())
                    .map(move |x| (Some(sh.name.as_str()), x))
            });
            for (sheet, x) in f.findings.iter().map(|x| (None, x)).chain(sheets) {
                let at = sheet.map(|n| format!("｜{n}")).unwrap_or_default();
                s.push_str(&format!(
                    "{}{at}：{}：[{}] {}\n",
                    f.name,
                    label(x.severity),
                    x.code,
                    x.message
                ));
            }
        }
        s
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

fn severity<C: FormCode>(code: C) -> Severity {
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

/// Why check could not run (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("请指定要检查的申报表文件，例如：payrun check 红塔区申报表.xlsx")]
    NothingToCheck,
    #[error("找不到文件：{}", .0.join("、"))]
    Missing(Vec<String>),
    #[error("无法读取文件夹 {path}：{source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    /// A folder holding no workbook; `not_read` are the files in it not read (SPEC §10.1).
    #[error("文件夹 {folder} 中没有工作簿（.xlsx .xlsm .xls .xlsb .ods .et）{}", not_read_list(.not_read))]
    NoWorkbooks {
        folder: String,
        not_read: Vec<SkippedFile>,
    },
    /// Every file named holds no workbook.
    #[error("没有可检查的申报表：{}", lines(.0))]
    NothingReadable(Vec<SkippedFile>),
}

fn lines(skipped: &[SkippedFile]) -> String {
    skipped
        .iter()
        .map(SkippedFile::line)
        .collect::<Vec<_>>()
        .join("；")
}

fn not_read_list(skipped: &[SkippedFile]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!("；未读取的文件：{}", lines(skipped))
    }
}

/// The files named on the command line; a folder stands for the workbooks in it, found as `run`
/// finds them (SPEC §10.1), and a file is answered by its content as there. Returns the files to
/// check and the files not read. Nothing to check, or a name that does not exist, is an error
/// (exit 1).
pub fn expand(
    args: &[PathBuf],
    iso: &Isolation,
) -> Result<(Vec<PathBuf>, Vec<SkippedFile>), CheckError> {
    if args.is_empty() {
        return Err(CheckError::NothingToCheck);
    }
    let missing: Vec<String> = args
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(CheckError::Missing(missing));
    }
    let mut out: Vec<PathBuf> = Vec::new();
    let mut skipped: Vec<SkippedFile> = Vec::new();
    for a in args {
        if a.is_dir() {
            let found = crate::ingest::discover(a, None, iso).map_err(|e| CheckError::Folder {
                path: a.display().to_string(),
                source: e,
            })?;
            // Named as the clerk named the folder, so that the line says where the file is.
            let not_read: Vec<SkippedFile> = found
                .skipped
                .into_iter()
                .map(|s| SkippedFile {
                    rel: a.join(&s.rel).display().to_string(),
                    ..s
                })
                .collect();
            if found.files.is_empty() {
                return Err(CheckError::NoWorkbooks {
                    folder: a.display().to_string(),
                    not_read,
                });
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
        return Err(CheckError::NothingReadable(skipped));
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

/// What a file was read as.
enum Read {
    Claims(FileIngest<Field>),
    Staff(FileIngest<StaffField>),
    /// Neither form: the claim reading's error (no_claim_sheet, unreadable, …).
    Failed(FileIngest<Field>),
}

fn read_input(abs: &Path, name: &str, iso: &Isolation) -> Read {
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

/// The rows of one form read from the files checked, to be decided together.
struct FormRows<R> {
    /// Per file (position in the check), its rows.
    per_file: Vec<(usize, Vec<R>)>,
}

impl<R: FormRow> FormRows<R> {
    fn new() -> Self {
        FormRows {
            per_file: Vec::new(),
        }
    }

    /// Decides the rows with `form`'s rules in decision order (files by path, as the runs
    /// order them), and hands each row's decision to `place`.
    fn decide<F: Form<Row = R>>(
        self,
        form: &F,
        paths: &[String],
        mut place: impl FnMut(&R, &F::Decision),
    ) {
        let mut per_file = self.per_file;
        per_file.sort_by(|a, b| paths.get(a.0).cmp(&paths.get(b.0)));
        let per_file: Vec<Vec<R>> = per_file.into_iter().map(|(_, v)| v).collect();
        let mut rows = order::gather_in_decision_order(per_file);
        let decisions = form::decide(form, &mut rows);
        for (r, d) in rows.iter().zip(&decisions) {
            place(r, d);
        }
    }
}

/// The sheets of a file as check shows them, from the file's report: sheets that are no form
/// are left out; a sheet's own problem, then the notices (empty, hidden), then its county
/// problem.
fn sheet_checks(report: &FileReport) -> Vec<SheetCheck> {
    let mut out = Vec::new();
    for s in report.sheets.iter().filter(|s| s.is_claim) {
        let mut sc = SheetCheck {
            name: s.name.clone(),
            index: s.index,
            hidden: s.hidden,
            rows: s.rows_found.unwrap_or(0),
            passing: 0,
            checked: s.problem.is_none(),
            findings: Vec::new(),
        };
        if s.rows_found.is_some() {
            sheet_notices(&mut sc, s.rows_found.unwrap_or(0));
        }
        if let Some((code, message)) = &s.problem {
            sc.findings
                .push(notice(Severity::Problem, code.as_str(), message.clone()));
        }
        out.push(sc);
    }
    out
}

/// A decided row on its way to its sheet.
struct Placed {
    codes: RowCodes,
    /// No finding refuses or holds it.
    passes: bool,
    findings: Vec<Finding>,
}

fn placed_row<R: FormRow, D: Verdict>(r: &R, d: &D) -> Placed {
    let o = r.origin();
    let findings: Vec<Finding> = d
        .findings()
        .iter()
        .map(|i| Finding {
            severity: severity(i.code),
            code: i.code.as_str(),
            row: Some(o.row),
            cell: i.cell.clone(),
            message: i.message.clone(),
        })
        .collect();
    Placed {
        codes: RowCodes {
            file: o.file.to_string(),
            sheet: o.sheet.to_string(),
            row: o.row,
            codes: d.codes().into_iter().map(|c| c.as_str()).collect(),
        },
        passes: !findings.iter().any(|f| f.severity == Severity::Problem),
        findings,
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
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let reads: Vec<Read> = files
        .par_iter()
        .zip(names.par_iter())
        .map(|(p, n)| read_input(p, n, iso))
        .collect();

    let period = whole_year(policy, today);
    let nothing_paid = PriorPayments::default();
    let mediation = Mediation {
        policy,
        period: &period,
        prior: &nothing_paid,
    };
    let staff = StaffForm {
        policy,
        run_date: today,
    };
    let mut out: Vec<FileCheck> = Vec::with_capacity(files.len());
    let mut claims = FormRows::new();
    let mut staff_rows = FormRows::new();
    for ((read, path), name) in reads.into_iter().zip(files).zip(&names) {
        let mut fc = FileCheck {
            path: path.clone(),
            name: name.clone(),
            form: FormKind::None,
            findings: Vec::new(),
            sheets: Vec::new(),
        };
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
                let (report, rows) = read_file(&mediation, fi, Audience::Clerk);
                fc.sheets = sheet_checks(&report);
                claims.per_file.push((out.len(), rows));
            }
            Read::Staff(fi) => {
                fc.form = FormKind::Staff;
                fc.findings.push(notice(
                    Severity::Note,
                    "staff_form",
                    "这是社区矫正协勤人员经费申报表：已按市司法局审核的同样规则检查每一行（必填项、身份证号码、日期、在岗月数与入职离职日期、金额、同一人重复申报等）；各县定额和预算额度由市司法局审核时检查".to_string(),
                ));
                let (report, rows) = read_file(&staff, fi, Audience::Clerk);
                fc.sheets = sheet_checks(&report);
                staff_rows.per_file.push((out.len(), rows));
            }
        }
        out.push(fc);
    }

    // Where each row's findings go: (file name, sheet index) → (file, sheet position).
    let mut sheet_of: HashMap<(String, usize), (usize, usize)> = HashMap::new();
    for (fi, f) in out.iter().enumerate() {
        for (si, s) in f.sheets.iter().enumerate() {
            sheet_of.insert((f.name.clone(), s.index), (fi, si));
        }
    }
    let mut placed: Vec<(usize, usize, Placed)> = Vec::new();
    let mut place = |o: &form::Origin, p: Placed| {
        if let Some(&(fi, si)) = sheet_of.get(&(o.file.to_string(), o.sheet_index)) {
            placed.push((fi, si, p));
        }
    };
    claims.decide(&mediation, &paths, |r, d| {
        place(r.origin(), placed_row(r, d))
    });
    staff_rows.decide(&staff, &paths, |r, d| place(r.origin(), placed_row(r, d)));
    placed.sort_by_key(|(fi, si, p)| (*fi, *si, p.codes.row));
    let mut rows = Vec::with_capacity(placed.len());
    for (fi, si, p) in placed {
        if let Some(sheet) = out.get_mut(fi).and_then(|f| f.sheets.get_mut(si)) {
            if p.passes {
                sheet.passing += 1;
            }
            sheet.findings.extend(p.findings);
        }
        rows.push(p.codes);
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
        rows,
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
        assert!(matches!(expand(&[], &iso), Err(CheckError::NothingToCheck)));
        let e = expand(&[PathBuf::from("/nonexistent/红塔区.xlsx")], &iso).unwrap_err();
        assert_eq!(e.to_string(), "找不到文件：/nonexistent/红塔区.xlsx");
        // A folder, or a list of files, that holds no workbook leaves nothing to check.
        let tmp = tempfile::tempdir().unwrap();
        let csv = tmp.path().join("江川区_申报.csv");
        std::fs::write(&csv, "a,b\n").unwrap();
        let e = expand(&[tmp.path().to_path_buf()], &iso)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("没有工作簿") && e.contains("江川区_申报.csv：不是 Excel/WPS 工作簿"),
            "{e}"
        );
        let e = expand(&[csv], &iso).unwrap_err().to_string();
        assert!(e.contains("没有可检查的申报表"), "{e}");
    }

    #[test]
    fn error_messages_name_what_is_missing() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let cases = [
            (
                CheckError::NothingToCheck,
                "请指定要检查的申报表文件，例如：payrun check 红塔区申报表.xlsx",
            ),
            (
                CheckError::Missing(vec!["a.xlsx".into(), "b.xlsx".into()]),
                "找不到文件：a.xlsx、b.xlsx",
            ),
            (
                CheckError::Folder {
                    path: "county".into(),
                    source: io,
                },
                "无法读取文件夹 county：denied",
            ),
            (
                CheckError::NoWorkbooks {
                    folder: "county".into(),
                    not_read: Vec::new(),
                },
                "文件夹 county 中没有工作簿（.xlsx .xlsm .xls .xlsb .ods .et）",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
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
}
