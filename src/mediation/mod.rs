//! Program A, 人民调解“一案一补” (SPEC §4): `payrun run --period 2025-H1 INPUT_DIR`, as a
//! [`Form`] — the claim row ([`claim`]), its rules ([`rules`]), the period and what the ledger
//! says earlier periods paid ([`period`]) — and the municipal run's pipeline, top-down: files →
//! ingest (parallel, isolated) → claims → the form's rules → the county caps ([`caps`]) →
//! per-county figures (here) → outputs ([`outputs`]: [`machine`], [`crate::report`]).

pub mod caps;
pub mod claim;
pub mod machine;
pub mod outputs;
pub mod period;
pub mod rules;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::codes::RowCode;
use crate::county::{CountyCode, CountyRegistry};
use crate::form::{self, FileReport, Finding, Form, FormError, Outcome, SheetRows, order};
use crate::ingest::header::{Field, StaffField};
use crate::ingest::worker::Isolation;
use crate::ingest::{Discovery, RawRow, SkippedFile};
use crate::money::fen;
use crate::policy::Policy;
use caps::{CapUse, allocate};
pub use claim::{Claim, Issue};
pub use outputs::{period_dir, write_outputs};
pub use period::{PriorPayments, RunPeriod, parse_period};
pub use rules::Decision;

/// Program A's claim form with what its rules read: the policy, the period being paid and what
/// earlier periods paid. `payrun check` builds it for the whole policy year with nothing paid.
pub struct Mediation<'a> {
    pub policy: &'a Policy,
    pub period: &'a RunPeriod,
    pub prior: &'a PriorPayments,
}

impl Form for Mediation<'_> {
    type Field = Field;
    type OtherField = StaffField;
    type Code = RowCode;
    type Row = Claim;
    type Decision = Decision;
    type Earlier = Option<usize>;

    fn registry(&self) -> &CountyRegistry {
        &self.policy.registry
    }
    fn run_date(&self) -> NaiveDate {
        self.period.run_date
    }
    fn parse_row(&self, raw: RawRow<Field>, sheet: &SheetRows<'_, Field>) -> Claim {
        claim::parse(raw, sheet)
    }
    fn take_findings(row: &mut Claim) -> Vec<Finding<RowCode, Field>> {
        std::mem::take(&mut row.issues)
    }
    fn earlier(&self, rows: &[Claim]) -> Vec<Option<usize>> {
        rules::first_occurrences(rows)
    }
    fn row_rules(
        &self,
        row: &Claim,
        parsed: Vec<Issue>,
        first_of: &Option<usize>,
        rows: &[Claim],
    ) -> Decision {
        rules::decide_row(
            row,
            parsed,
            *first_of,
            rows,
            self.policy,
            self.period,
            self.prior,
        )
    }
    fn cross_row_rules(&self, rows: &[Claim], decisions: &mut [Decision]) {
        rules::mark_possible_duplicates(rows, decisions);
    }
}

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub input: PathBuf,
    pub out: PathBuf,
    pub period: String,
    pub run_date: NaiveDate,
    pub threads: Option<usize>,
    pub isolation: Isolation,
}

/// Why program A's run could not do its job (exit 1: nothing written).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Form(#[from] FormError),
    #[error("期间“{0}”格式应为 YYYY-H1 或 YYYY-H2")]
    PeriodFormat(String),
    #[error(
        "期间 {label} 与政策年度 {year} 不符（政策：{policy}），请使用对应年度的政策文件（--policy）"
    )]
    PeriodYear {
        label: String,
        year: i32,
        policy: String,
    },
    #[error("政策中没有期间“{label}”，可用：{available}")]
    NoSuchPeriod { label: String, available: String },
    /// The ledger refused or could not be written (its own message names the file and why).
    #[error("{0}")]
    Ledger(String),
    /// A guard of SPEC §10 refused the run before anything was written.
    #[error(transparent)]
    Refused(#[from] crate::guard::Refusal),
    /// An output workbook could not be written (its own message names the file and why).
    #[error("{0}")]
    Report(String),
}

/// Per-county figures of SPEC §4.6. Amounts at the fen.
#[derive(Debug, Clone, Default)]
pub struct CountySummary {
    pub code: Option<CountyCode>,
    pub name: String,
    pub claimed_rows: usize,
    pub approved_rows: usize,
    pub rejected_rows: usize,
    pub held_rows: usize,
    /// Σ standard amounts of every row.
    pub claimed_amount: Decimal,
    pub approved_amount: Decimal,
    /// Σ standard amounts of rejected rows.
    pub rejected_amount: Decimal,
    /// Σ standard amounts of held rows.
    pub held_amount: Decimal,
    /// Σ (standard − approved) of approved rows: what proration took off (0 with `hold`).
    pub prorate_reduction: Decimal,
    pub cap: Decimal,
    pub paid_before: Decimal,
    pub remaining_after: Decimal,
}

/// The whole result of a run: what every output is rendered from.
#[derive(Debug)]
pub struct RunOutput {
    pub period: RunPeriod,
    pub policy: Policy,
    pub files: Vec<FileReport>,
    /// In the order of SPEC §4.3 (county, file, sheet, row).
    pub claims: Vec<Claim>,
    pub decisions: Vec<Decision>,
    pub caps: BTreeMap<CountyCode, CapUse>,
    /// One per policy county, in policy order.
    pub counties: Vec<CountySummary>,
    /// Rows whose county could not be resolved (county_code empty).
    pub unassigned: CountySummary,
    pub totals: CountySummary,
    pub program_version: &'static str,
    /// Warnings about the run as a whole (shown in the outputs).
    pub notices: Vec<String>,
    /// Files of the input folder that hold no workbook (SPEC §10.1): listed, not read.
    pub skipped: Vec<SkippedFile>,
    /// A later period run with `--without-ledger` (SPEC §10.5): nothing paid before is known.
    pub without_ledger: bool,
    /// Per county code, where the year's approved money stands at the bank (SPEC §12.5),
    /// this period included; set by the run from the ledger.
    pub payments: BTreeMap<String, crate::bank::records::Tracking>,
}

form::run_output!(RunOutput, claims);

/// Reads, decides and allocates; writes nothing. Parses the period and finds the input files
/// itself: see [`evaluate_files`] for a caller that already has both.
pub fn evaluate(
    cfg: &RunConfig,
    policy: Policy,
    prior: &PriorPayments,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<RunOutput, RunError> {
    let period = parse_period(&cfg.period, &policy, cfg.run_date)?;
    let found = form::find_inputs(&cfg.input, &cfg.out, &cfg.isolation)?;
    Ok(evaluate_files(cfg, policy, period, found, prior, progress))
}

/// Reads the files `found`, decides every claim with the form's rules for `period`, and applies
/// the caps. The files not read are kept for the outputs to list.
pub fn evaluate_files(
    cfg: &RunConfig,
    policy: Policy,
    period: RunPeriod,
    found: Discovery,
    prior: &PriorPayments,
    progress: &(dyn Fn(&str) + Sync),
) -> RunOutput {
    let files = &found.files;
    let mediation = Mediation {
        policy: &policy,
        period: &period,
        prior,
    };
    let t1 = std::time::Instant::now();
    let read = form::files::read_files(&mediation, files, &cfg.isolation, cfg.threads, progress);
    log::info!(
        "read: {} files in {:.3}s{}",
        read.len(),
        t1.elapsed().as_secs_f64(),
        form::console::memory_note()
    );

    let t2 = std::time::Instant::now();
    let (file_reports, per_file): (Vec<FileReport>, Vec<Vec<Claim>>) = read.into_iter().unzip();
    let mut claims = order::gather_in_decision_order(per_file);
    log::debug!(
        "gather and order: {:.3}s, claim {} bytes{}",
        t2.elapsed().as_secs_f64(),
        std::mem::size_of::<Claim>(),
        form::console::memory_note()
    );
    let mut decisions = form::decide(&mediation, &mut claims);
    log::info!(
        "decide: {} rows in {:.3}s{}",
        decisions.len(),
        t2.elapsed().as_secs_f64(),
        form::console::memory_note()
    );

    let t3 = std::time::Instant::now();
    let caps = allocate(&claims, &mut decisions, &policy, &prior.paid_before);
    log::info!(
        "allocate: {:.3}s{}",
        t3.elapsed().as_secs_f64(),
        form::console::memory_note()
    );

    let (counties, unassigned, totals) = summarise(&policy, &claims, &decisions, &caps);
    let mut notices = Vec::new();
    if files.is_empty() {
        notices.push(form::no_workbooks_notice(&cfg.input));
    }
    RunOutput {
        period,
        policy,
        files: file_reports,
        claims,
        decisions,
        caps,
        counties,
        unassigned,
        totals,
        program_version: env!("CARGO_PKG_VERSION"),
        notices,
        skipped: found.skipped,
        without_ledger: false,
        payments: BTreeMap::new(),
    }
}

fn summarise(
    policy: &Policy,
    claims: &[Claim],
    decisions: &[Decision],
    caps: &BTreeMap<CountyCode, CapUse>,
) -> (Vec<CountySummary>, CountySummary, CountySummary) {
    let mut by: BTreeMap<Option<CountyCode>, CountySummary> = BTreeMap::new();
    for (c, d) in claims.iter().zip(decisions) {
        let s = by.entry(c.county.clone()).or_default();
        s.claimed_rows += 1;
        s.claimed_amount += d.standard;
        match d.outcome {
            Outcome::Approved => {
                s.approved_rows += 1;
                s.approved_amount += d.approved;
                s.prorate_reduction += d.standard - d.approved;
            }
            Outcome::Rejected => {
                s.rejected_rows += 1;
                s.rejected_amount += d.standard;
            }
            Outcome::Held => {
                s.held_rows += 1;
                s.held_amount += d.standard;
            }
        }
    }
    let mut counties = Vec::new();
    let mut totals = CountySummary {
        name: "合计".into(),
        ..Default::default()
    };
    for def in &policy.counties {
        let mut s = by.remove(&Some(def.code.clone())).unwrap_or_default();
        s.code = Some(def.code.clone());
        s.name = def.name.clone();
        let cap = caps.get(&def.code);
        s.cap = fen(def.mediation_cap);
        s.paid_before = cap.map(|c| c.paid_before).unwrap_or(fen(Decimal::ZERO));
        s.remaining_after = fen(s.cap - s.paid_before - s.approved_amount);
        s.normalise();
        totals.add(&s);
        counties.push(s);
    }
    let unassigned = CountySummary::unassigned(&mut by);
    totals.add(&unassigned);
    totals.normalise();
    (counties, unassigned, totals)
}

form::county_figures!(CountySummary;
    counts: claimed_rows, approved_rows, rejected_rows, held_rows;
    amounts: claimed_amount, approved_amount, rejected_amount, held_amount, prorate_reduction,
        cap, paid_before, remaining_after);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_errors_say_what_stopped_the_run() {
        let cases = [
            (
                RunError::Form(FormError::NoInputFolder("in".into())),
                "输入文件夹 in 不存在或不是文件夹",
            ),
            (
                RunError::PeriodFormat("2025".into()),
                "期间“2025”格式应为 YYYY-H1 或 YYYY-H2",
            ),
            (
                RunError::PeriodYear {
                    label: "2024-H1".into(),
                    year: 2025,
                    policy: "玉溪".into(),
                },
                "期间 2024-H1 与政策年度 2025 不符（政策：玉溪），请使用对应年度的政策文件（--policy）",
            ),
            (
                RunError::NoSuchPeriod {
                    label: "2025-Q1".into(),
                    available: "2025-H1、2025-H2".into(),
                },
                "政策中没有期间“2025-Q1”，可用：2025-H1、2025-H2",
            ),
            (
                RunError::Ledger("台账 out/台账.xlsx 已被另一次运行锁定".into()),
                "台账 out/台账.xlsx 已被另一次运行锁定",
            ),
            (
                RunError::Report("无法写入 审批汇总表_2025-H1.xlsx".into()),
                "无法写入 审批汇总表_2025-H1.xlsx",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
