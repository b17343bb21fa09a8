//! What every claim form shares, written once: the [`Form`] trait (a form's columns, typed row,
//! codes, per-row rules and cross-row rules), the row-parsing context ([`parse`]), the county
//! of a sheet, the decision order ([`order`]), the per-file report ([`files`]), the console
//! summary ([`console`]) and the csv/json writer core ([`machine`]).
//!
//! Program A ([`crate::mediation`]) and program B ([`crate::staff`]) are two forms.
//! `payrun check` ([`crate::check`]) reads and decides a county's files with the same form
//! rules as the municipal runs, [`decide`] here, and only leaves out what needs the bureau's
//! data: the ledger, the caps, the quota and the allocation ([`municipal_only`]). So check and
//! the runs cannot disagree on a row.

pub mod console;
pub mod files;
pub mod machine;
pub mod order;
pub mod parse;
pub mod wrong_form;

use std::fmt::Debug;
use std::hash::Hash;
use std::path::Path;

use chrono::NaiveDate;

use rayon::prelude::*;
use serde::Serialize;

use crate::codes::{RowCode, Severity, cell_ref};
use crate::county::{CountyCode, CountyRegistry};
use crate::ingest::header::Column;
use crate::ingest::worker::Isolation;
use crate::ingest::{Discovery, RawRow};
use crate::policy::Policy;

pub use files::{Audience, FileReport, SheetReport};
pub use parse::{Origin, Row, RowParser, SheetCounty, SheetRows, Text, sheet_county};

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Approved,
    Rejected,
    Held,
}

impl Outcome {
    /// The machine name of decisions.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
            Outcome::Held => "held",
        }
    }
    /// Program A's words for it in the workbooks (program B words its own:
    /// `staff::rules::outcome_label`).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Approved => "核准",
            Outcome::Rejected => "不予补贴",
            Outcome::Held => "超预算待定",
        }
    }
}

/// A form's reason codes: program A's [`RowCode`]s, or program B's codes, which include them.
pub trait FormCode: Copy + Ord + Eq + Hash + Debug + Send + Sync + From<RowCode> + 'static {
    /// The machine name (decisions.csv, summary.json, `check --json`).
    fn as_str(self) -> &'static str;
    fn severity(self) -> Severity;
}

impl FormCode for RowCode {
    fn as_str(self) -> &'static str {
        RowCode::as_str(self)
    }
    fn severity(self) -> Severity {
        RowCode::severity(self)
    }
}

/// A finding on a row: the code, the field and cell it concerns, and a Chinese sentence that
/// says what is wrong and how to fix it, led by the cell ("H7 在岗月数：…").
#[derive(Debug, Clone, PartialEq)]
pub struct Finding<C, F> {
    pub code: C,
    pub field: Option<F>,
    /// "B12", when the finding belongs to one cell.
    pub cell: Option<String>,
    pub message: String,
}

impl<C, F: Column> Finding<C, F> {
    /// A finding at the cell of `field` in Excel row `row` (no cell when the sheet has no such
    /// column), its message led by the cell and the column's name.
    pub fn at(code: C, field: Option<F>, columns: &[(F, u32)], row: u32, message: &str) -> Self {
        let cell = field.and_then(|f| cell_of(columns, row, f));
        let label = field.map(|f| f.label());
        // Built at its exact size in one allocation: a province's run holds a finding on most
        // of its rows.
        let len = cell.as_ref().map_or(0, |c| c.len() + 1)
            + label.map_or(0, |l| l.len() + '：'.len_utf8())
            + message.len();
        let mut text = String::with_capacity(len);
        if let Some(c) = &cell {
            text.push_str(c);
            text.push(' ');
        }
        if let Some(l) = label {
            text.push_str(l);
            text.push('：');
        }
        text.push_str(message);
        Finding {
            code,
            field,
            cell,
            message: text,
        }
    }

    /// A message sized to its text: `format!` reserves up to twice what it writes, and a
    /// province's run holds a finding on most of its rows.
    pub fn text(mut message: String) -> String {
        message.shrink_to_fit();
        message
    }
}

/// The cell of `field` in Excel row `row` ("H7"), when the sheet has that column.
pub fn cell_of<F: Column>(columns: &[(F, u32)], row: u32, field: F) -> Option<String> {
    columns
        .iter()
        .find(|(g, _)| *g == field)
        .map(|(_, c)| cell_ref(row.saturating_sub(1), *c))
}

/// What a typed row of any form tells the shared steps.
pub trait FormRow: Send + Sync {
    fn origin(&self) -> &Origin;
    /// The county that answers for the row: its own, else its sheet's. Rows are put in
    /// decision order under it, and its feedback goes there.
    fn owner(&self) -> Option<&CountyCode>;
}

/// The decision on one row, as the shared steps read it.
pub trait Verdict {
    type Code: FormCode;
    type Field;
    fn outcome(&self) -> Outcome;
    /// Every finding, rejections and warnings, in the order found.
    fn findings(&self) -> &[Finding<Self::Code, Self::Field>];

    /// The distinct codes, sorted by name: the `reasons` column of decisions.csv.
    fn codes(&self) -> Vec<Self::Code> {
        let mut c: Vec<Self::Code> = self.findings().iter().map(|i| i.code).collect();
        c.sort_by_key(|c| c.as_str());
        c.dedup();
        c
    }
    /// The codes `;`-joined.
    fn reasons(&self) -> String {
        self.codes()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }
    fn has(&self, code: Self::Code) -> bool {
        self.findings().iter().any(|i| i.code == code)
    }
    /// True when a finding refuses the row (warnings and holds do not).
    fn rejects(&self) -> bool {
        self.findings()
            .iter()
            .any(|i| i.code.severity() == Severity::Reject)
    }
}

/// Implements [`Verdict`] for a decision with the fields `outcome` and `issues`.
macro_rules! verdict {
    ($decision:ty, $code:ty, $field:ty) => {
        impl $crate::form::Verdict for $decision {
            type Code = $code;
            type Field = $field;
            fn outcome(&self) -> $crate::form::Outcome {
                self.outcome
            }
            fn findings(&self) -> &[$crate::form::Finding<$code, $field>] {
                &self.issues
            }
        }
    };
}
pub(crate) use verdict;

/// The accessors every run's output has, from its fields `policy`, `files` and its rows
/// (`$rows`): rows in reading order, a county's name, the exit status.
macro_rules! run_output {
    ($out:ty, $rows:ident) => {
        impl $out {
            /// Indices of rows in reading order (file, sheet, row): the order of decisions.csv.
            pub fn reading_order(&self) -> Vec<usize> {
                $crate::form::order::reading_order(&self.$rows)
            }
            pub fn county_name(&self, code: Option<&$crate::county::CountyCode>) -> String {
                $crate::form::county_name(&self.policy, code)
            }
            /// Exit status of SPEC §8: 2 when any input file or form sheet could not be read.
            pub fn exit_code(&self) -> u8 {
                $crate::form::files::exit_code(&self.files)
            }
        }
    };
}
pub(crate) use run_output;

/// Per-county figures that add up into a total line, for every form's summary type: `add`
/// sums another line's counts and amounts into this one, `normalise` puts the amounts at the
/// fen.
macro_rules! county_figures {
    ($t:ty; counts: $($c:ident),+; amounts: $($a:ident),+ $(,)?) => {
        impl $t {
            /// Adds another line's counts and amounts into this one (a total).
            fn add(&mut self, s: &Self) {
                $(self.$c += s.$c;)+
                $(self.$a += s.$a;)+
            }
            /// Puts every amount at the fen.
            fn normalise(&mut self) {
                $(self.$a = $crate::money::fen(self.$a);)+
            }
            /// The line of the rows whose county cell names no known county, taken out of the
            /// lines by county.
            fn unassigned(
                by: &mut std::collections::BTreeMap<Option<$crate::county::CountyCode>, Self>,
            ) -> Self {
                let mut u = by.remove(&None).unwrap_or_default();
                u.name = "县（市、区）无法识别".into();
                u.normalise();
                u
            }
        }
    };
}
pub(crate) use county_figures;

/// A claim form: its columns, typed row, codes and rules. The value holds what the rules read
/// besides the rows (the policy, the period, what earlier periods paid); `payrun check` builds
/// it without the bureau's data.
///
/// The steps every form goes through are written once over this trait: parse a file's rows
/// ([`files::read_file`]), put them in decision order ([`order`]), [`decide`] them, write
/// decisions.csv ([`machine`]). Generic, not `dyn`: each form's steps are compiled for it, so
/// the per-row and per-cell work has no dispatch.
pub trait Form: Sync {
    /// The form's columns.
    type Field: Column;
    /// The other program's columns: a workbook holding only that form is `wrong_form`, its
    /// message naming the command that reads it (SPEC §10.2, [`wrong_form`]).
    type OtherField: Column;
    type Code: FormCode;
    type Row: FormRow;
    type Decision: Verdict<Code = Self::Code, Field = Self::Field> + Send;
    /// What a row's own rules need to know about the rows before it in decision order
    /// (program A: where its case number first occurred).
    type Earlier: Send + Sync;

    fn registry(&self) -> &CountyRegistry;
    /// The date the rules are applied on (`--run-date`): an ID's birth date may not lie after it.
    fn run_date(&self) -> chrono::NaiveDate;

    /// Builds the typed row of one data row; what cannot be read is recorded on the row as a
    /// parse finding (SPEC §9.5, §9.6).
    fn parse_row(&self, raw: RawRow<Self::Field>, sheet: &SheetRows<'_, Self::Field>) -> Self::Row;

    /// Moves a row's parse findings out, to become the first findings of its decision.
    fn take_findings(row: &mut Self::Row) -> Vec<Finding<Self::Code, Self::Field>>;

    /// For each row (in decision order), what its own rules need from the rows before it.
    fn earlier(&self, rows: &[Self::Row]) -> Vec<Self::Earlier>;

    /// The rules of one row. `parsed` are its parse findings; `rows` is every row, for
    /// messages that name another row.
    fn row_rules(
        &self,
        row: &Self::Row,
        parsed: Vec<Finding<Self::Code, Self::Field>>,
        earlier: &Self::Earlier,
        rows: &[Self::Row],
    ) -> Self::Decision;

    /// The rules across rows that only add findings (duplicates of one person or case).
    fn cross_row_rules(&self, rows: &[Self::Row], decisions: &mut [Self::Decision]);

    /// The message for a workbook in which no sheet is this form, when it should name the
    /// form (the shared reader's message describes the claim form).
    fn no_sheet_message(&self, _sheet_names: &[&str]) -> Option<String> {
        None
    }
}

/// Decides every row with the form's rules: its parse findings, the rules of each row, then the
/// rules across rows. `rows` must be in decision order (county, file, sheet, row): the first
/// occurrence of a duplicate is the one decided normally. Each row's parse findings move into
/// its decision, so a province's findings are never held twice. Rows are decided in parallel
/// and collected in order, so the result does not depend on the thread count.
pub fn decide<F: Form>(form: &F, rows: &mut [F::Row]) -> Vec<F::Decision> {
    let parsed: Vec<Vec<Finding<F::Code, F::Field>>> =
        rows.iter_mut().map(F::take_findings).collect();
    let rows: &[F::Row] = rows;
    let earlier = form.earlier(rows);
    log::debug!("earlier rows found{}", console::memory_note());
    let mut out: Vec<F::Decision> = rows
        .par_iter()
        .zip(earlier.par_iter())
        .zip(parsed)
        .map(|((r, e), p)| form.row_rules(r, p, e, rows))
        .collect();
    drop(earlier);
    log::debug!("rows decided{}", console::memory_note());
    form.cross_row_rules(rows, &mut out);
    out
}

/// Why a step every form shares could not be done (the runs' exit 1: nothing written).
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("--run-date “{0}” 应为 YYYY-MM-DD 格式的日期")]
    RunDate(String),
    #[error("环境变量 SOURCE_DATE_EPOCH=“{0}” 不是整数秒")]
    EpochNotSeconds(String),
    #[error("环境变量 SOURCE_DATE_EPOCH=“{0}” 超出范围")]
    EpochOutOfRange(String),
    #[error("输入文件夹 {0} 不存在或不是文件夹")]
    NoInputFolder(String),
    #[error("无法读取输入文件夹 {path}：{source}")]
    Input {
        path: String,
        source: std::io::Error,
    },
    #[error("无法创建输出文件夹 {path}：{source}")]
    OutputFolder {
        path: String,
        source: std::io::Error,
    },
    /// An output could not be written; `message` is the writer's own reason.
    #[error("无法写入 {path}：{message}")]
    Write { path: String, message: String },
    #[error("生成 {name} 失败：{message}")]
    Render { name: &'static str, message: String },
}

/// The run date: `--run-date`, else SOURCE_DATE_EPOCH, else today.
pub fn resolve_run_date(arg: Option<&str>) -> Result<NaiveDate, FormError> {
    if let Some(s) = arg {
        return NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| FormError::RunDate(s.to_string()));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| FormError::EpochNotSeconds(epoch.clone()))?;
        return chrono::DateTime::from_timestamp(secs, 0)
            .map(|d| d.date_naive())
            .ok_or(FormError::EpochOutOfRange(epoch));
    }
    Ok(chrono::Local::now().date_naive())
}

/// Every file of a run's input folder answered ([`crate::ingest::discover`], SPEC §10.1): the
/// workbooks to read and the files not read, each sorted by relative path, leaving out the
/// output folder when it lies inside. Found once per run, and the same for every form.
pub fn find_inputs(input: &Path, out: &Path, iso: &Isolation) -> Result<Discovery, FormError> {
    if !input.is_dir() {
        return Err(FormError::NoInputFolder(input.display().to_string()));
    }
    crate::ingest::discover(input, Some(out), iso).map_err(|e| FormError::Input {
        path: input.display().to_string(),
        source: e,
    })
}

/// The notice of a run whose input folder holds no workbook.
pub fn no_workbooks_notice(input: &Path) -> String {
    format!(
        "输入文件夹 {} 中没有找到任何工作簿（.xlsx .xlsm .xls .xlsb .ods）",
        input.display()
    )
}

/// The policy's name of a county; empty for none.
pub fn county_name(policy: &Policy, code: Option<&CountyCode>) -> String {
    code.and_then(|c| policy.county(c))
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// How much of a code `payrun check` can give (see [`municipal_only`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Municipal {
    /// Only the municipal run gives it: check never does.
    Only(&'static str),
    /// Check gives it for part of the rows the municipal run gives it for, never for others.
    Partly(&'static str),
}

/// The codes only the municipal run can know, in one place, with why: `payrun check` decides a
/// county's files with the same form rules as `run` and `staff` but without the bureau's data
/// (SPEC §7). Every other code of a row is the same in check and in the municipal run when
/// both read the same files on the same date (tests/form_agreement.rs holds them to it).
///
/// Not listed: `duplicate_in_batch`, `possible_duplicate` and `duplicate_person` are cross-row
/// rules over the files read, so check gives them among the files it is given, as the run does
/// among the files it reads.
pub fn municipal_only(code: &str) -> Option<Municipal> {
    use Municipal::{Only, Partly};
    Some(match code {
        // Program A.
        "already_paid" => Only("the ledger: which cases earlier periods paid"),
        "late_claim" => Only(
            "the period being paid and the ledger: a case of an earlier half-year is a late claim only when no earlier period paid it",
        ),
        "over_cap" => Only(
            "the county caps: every claim of the county this period and what earlier periods paid",
        ),
        "date_out_of_period" => Partly(
            "the period being paid: check knows the policy year, so it flags dates outside the year, not dates after the end of the half-year being paid",
        ),
        // Program B.
        "over_quota" => Only(
            "the quota: the people in post at the same time over everything the county declared",
        ),
        "over_allocation" => {
            Only("the budget line: the municipal money of every person the county declared")
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::codes::StaffCode;

    #[test]
    fn municipal_only_names_real_codes_of_the_two_forms() {
        let names: Vec<&str> = RowCode::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(StaffCode::OWN.iter().map(|c| c.as_str()))
            .collect();
        let listed: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| municipal_only(n).is_some())
            .collect();
        assert_eq!(
            listed,
            [
                "date_out_of_period",
                "already_paid",
                "over_cap",
                "late_claim",
                "over_quota",
                "over_allocation"
            ]
        );
        assert_eq!(municipal_only("bad_value"), None);
        assert_eq!(municipal_only("duplicate_person"), None);
        assert!(matches!(
            municipal_only("date_out_of_period"),
            Some(Municipal::Partly(_))
        ));
    }

    #[test]
    fn error_messages_are_chinese_and_name_the_place() {
        let io = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let cases: Vec<(FormError, &str)> = vec![
            (
                FormError::RunDate("2025-13-01".into()),
                "--run-date “2025-13-01” 应为 YYYY-MM-DD 格式的日期",
            ),
            (
                FormError::EpochNotSeconds("abc".into()),
                "环境变量 SOURCE_DATE_EPOCH=“abc” 不是整数秒",
            ),
            (
                FormError::EpochOutOfRange("99999999999999999".into()),
                "环境变量 SOURCE_DATE_EPOCH=“99999999999999999” 超出范围",
            ),
            (
                FormError::NoInputFolder("in".into()),
                "输入文件夹 in 不存在或不是文件夹",
            ),
            (
                FormError::Input {
                    path: "in".into(),
                    source: io(),
                },
                "无法读取输入文件夹 in：denied",
            ),
            (
                FormError::OutputFolder {
                    path: "out/2025-H1".into(),
                    source: io(),
                },
                "无法创建输出文件夹 out/2025-H1：denied",
            ),
            (
                FormError::Write {
                    path: "out/decisions.csv".into(),
                    message: "denied".into(),
                },
                "无法写入 out/decisions.csv：denied",
            ),
            (
                FormError::Render {
                    name: "summary.json",
                    message: "x".into(),
                },
                "生成 summary.json 失败：x",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
        assert!(matches!(
            resolve_run_date(Some("2025-6-31")),
            Err(FormError::RunDate(_))
        ));
        assert_eq!(
            resolve_run_date(Some(" 2025-06-30 ")).unwrap(),
            NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
    }

    #[test]
    fn a_finding_is_led_by_its_cell_and_column() {
        use crate::ingest::header::Field;
        let cols = [(Field::CaseNo, 4u32), (Field::Mediator, 12)];
        let f: Finding<RowCode, Field> = Finding::at(
            RowCode::BadValue,
            Some(Field::Mediator),
            &cols,
            7,
            "必填项为空",
        );
        assert_eq!(f.cell.as_deref(), Some("M7"));
        assert_eq!(f.message, "M7 调解员：必填项为空");
        let f: Finding<RowCode, Field> =
            Finding::at(RowCode::BadValue, Some(Field::Bank), &cols, 7, "x");
        assert_eq!((f.cell, f.message.as_str()), (None, "开户银行：x"));
        let f: Finding<RowCode, Field> = Finding::at(RowCode::OverCap, None, &cols, 7, "y");
        assert_eq!(f.message, "y");
    }
}
