//! Program B, 专职社区矫正协勤人员经费 (SPEC §5): `payrun staff --year 2025 INPUT_DIR`.
//!
//! Program B as a [`Form`] ([`StaffForm`]: the staff column set [`StaffField`], the typed row
//! [`parse`], the codes [`codes`], the rules of a row and across rows [`rules`]) and the
//! municipal staff run's pipeline, top-down: files → ingest (parallel, isolated) → typed rows →
//! the form's rules → the quota and the budget line ([`quota`]) → per-county figures (here) →
//! outputs ([`report`], [`machine`]). Everything before the outputs is pure and deterministic;
//! the run date (`--run-date`, else SOURCE_DATE_EPOCH, else today) is the only clock.
//!
//! Per county: the allocation notice funds `min(people accepted in post, quota)` posts at
//! 12 × the monthly standard each, within the county's budget line; what is left of the line is
//! 未分配资金. The performance evaluation scores each county on posts filled, fund execution and
//! problems found (see [`performance`]).

pub mod codes;
pub mod machine;
pub mod outputs;
pub mod parse;
pub mod quota;
pub mod report;
pub mod rules;

use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::county::{CountyCode, CountyRegistry};
use crate::form::{self, FileReport, Form, FormError, Outcome, SheetRows, Verdict, order};
use crate::ingest::header::StaffField;
use crate::ingest::worker::Isolation;
use crate::ingest::{Discovery, RawRow, SkippedFile};
use crate::money::fen;
use crate::policy::Policy;
use codes::StaffCode;
use parse::{StaffIssue, StaffRow};
use rules::StaffDecision;

pub use outputs::{output_dir, write_outputs};

/// Program B's staff form with what its rules read: the policy (year, monthly standard) and the
/// run date.
pub struct StaffForm<'a> {
    pub policy: &'a Policy,
    pub run_date: NaiveDate,
}

impl Form for StaffForm<'_> {
    type Field = StaffField;
    type OtherField = crate::ingest::header::Field;
    type Code = StaffCode;
    type Row = StaffRow;
    type Decision = StaffDecision;
    type Earlier = ();

    fn registry(&self) -> &CountyRegistry {
        &self.policy.registry
    }
    fn run_date(&self) -> NaiveDate {
        self.run_date
    }
    fn parse_row(&self, raw: RawRow<StaffField>, sheet: &SheetRows<'_, StaffField>) -> StaffRow {
        parse::parse(raw, sheet)
    }
    fn take_findings(row: &mut StaffRow) -> Vec<StaffIssue> {
        std::mem::take(&mut row.issues)
    }
    fn earlier(&self, rows: &[StaffRow]) -> Vec<()> {
        vec![(); rows.len()]
    }
    fn row_rules(
        &self,
        row: &StaffRow,
        parsed: Vec<StaffIssue>,
        _: &(),
        _: &[StaffRow],
    ) -> StaffDecision {
        rules::row_rules(row, parsed, self.policy)
    }
    fn cross_row_rules(&self, rows: &[StaffRow], decisions: &mut [StaffDecision]) {
        rules::duplicates(rows, decisions, self.policy);
        rules::settle(rows, decisions);
    }
    fn no_sheet_message(&self, sheet_names: &[&str]) -> Option<String> {
        // The shared reader describes the claim form; say which form was looked for.
        Some(format!(
            "所有工作表（{}）的前 {} 行中都找不到协勤人员经费申报表表头（至少需一半必填列：县（市、区）、司法所、姓名、身份证号码、入职日期、在岗月数、月补助标准、市级补助金额）",
            sheet_names.join("、"),
            crate::ingest::header::HEADER_SEARCH_ROWS
        ))
    }
}

/// Decides every row as the municipal staff run does: the form's rules, then the quota and the
/// budget line. `rows` must be in decision order (county, file, sheet, row).
pub fn decide_all(staff: &StaffForm<'_>, rows: &mut [StaffRow]) -> Vec<StaffDecision> {
    let mut decisions = form::decide(staff, rows);
    quota::quota_and_budget(rows, &mut decisions, staff.policy);
    rules::settle(rows, &mut decisions);
    decisions
}

/// Everything a staff run needs to know.
#[derive(Debug, Clone)]
pub struct StaffConfig {
    pub input: PathBuf,
    pub out: PathBuf,
    pub year: i32,
    pub run_date: NaiveDate,
    pub threads: Option<usize>,
    pub isolation: Isolation,
}

/// Per-county figures of a staff run. Amounts at the fen.
#[derive(Debug, Clone, Default)]
pub struct CountyStaff {
    pub code: Option<CountyCode>,
    pub name: String,
    /// 定额 (people) and 预算额度 (元/year) of the policy.
    pub quota: u32,
    pub budget: Decimal,
    /// Data rows whose county_code is this county (decisions.csv): declared = approved +
    /// rejected + held.
    pub declared_rows: usize,
    pub approved_rows: usize,
    pub rejected_rows: usize,
    pub held_rows: usize,
    /// Approved rows with at least one month (核准在岗人数).
    pub in_post: usize,
    pub over_quota_rows: usize,
    /// Σ 在岗月数 of the people in post.
    pub months: u64,
    /// Σ standard amounts (monthly standard × months) of every row.
    pub standard_amount: Decimal,
    /// Σ 市级补助金额 as declared (rows where it could be read).
    pub claimed_amount: Decimal,
    /// Σ approved municipal amounts.
    pub approved_amount: Decimal,
    /// Σ declared municipal amounts of held rows.
    pub held_amount: Decimal,
    /// Σ 县级配套 of the people in post.
    pub county_top_up: Decimal,
    /// min(in_post, quota): posts funded by the notice.
    pub posts_allocated: u32,
    /// posts_allocated × 12 × monthly standard (下达金额).
    pub allocated_amount: Decimal,
    /// budget − allocated (未分配资金).
    pub unallocated_amount: Decimal,
    /// Performance: rows the county sent (its own and those whose county cell did not resolve
    /// in its sheets), rejected rows among them, file and sheet problems of its files.
    pub rows_sent: usize,
    pub problem_rows: usize,
    pub file_problems: usize,
    pub fill_rate: Decimal,
    pub execution_rate: Decimal,
    pub problem_share: Decimal,
    pub score: Decimal,
    pub grade: &'static str,
}

/// The whole result of a staff run: what every output is rendered from.
#[derive(Debug)]
pub struct StaffOutput {
    pub year: i32,
    pub run_date: NaiveDate,
    pub policy: Policy,
    pub files: Vec<FileReport>,
    /// In decision order (county, file, sheet, row).
    pub rows: Vec<StaffRow>,
    pub decisions: Vec<StaffDecision>,
    /// One per policy county, in policy order.
    pub counties: Vec<CountyStaff>,
    /// Rows whose county cell names no known county (county_code empty).
    pub unassigned: CountyStaff,
    pub totals: CountyStaff,
    /// File and sheet problems no county could be found for (file name and sheets say nothing).
    pub unattributed_file_problems: usize,
    pub program_version: &'static str,
    pub notices: Vec<String>,
    /// Files of the input folder that hold no workbook (SPEC §10.1): listed, not read.
    pub skipped: Vec<SkippedFile>,
}

form::run_output!(StaffOutput, rows);

impl StaffOutput {
    /// 12 × the monthly standard: the money of one post for a year.
    pub fn post_year(&self) -> Decimal {
        self.policy.staff_monthly_standard * Decimal::from(12)
    }

    /// The county a file's problems are charged to: the county of one of its sheets, else the
    /// county its path names (`红塔区_协勤人员经费申报表.xlsx`), else none.
    pub fn file_county(&self, f: &FileReport, sheet: Option<&str>) -> Option<CountyCode> {
        file_county(&self.policy, f, sheet)
    }
}

fn file_county(policy: &Policy, f: &FileReport, sheet: Option<&str>) -> Option<CountyCode> {
    if let Some(s) = sheet.and_then(|n| f.sheets.iter().find(|s| s.name == n))
        && let Some(c) = &s.county
    {
        return Some(c.clone());
    }
    if let Some(c) = f.sheets.iter().find_map(|s| s.county.clone()) {
        return Some(c);
    }
    policy.registry.resolve_in_text(&f.path).cloned()
}

/// Why a staff run could not do its job (exit 1: nothing written).
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Form(#[from] FormError),
    #[error(
        "--year {year} 与政策文件的年度 {policy_year} 不符（{policy_file}）；请指定该年度的政策文件 --policy"
    )]
    Year {
        year: i32,
        policy_year: i32,
        policy_file: String,
    },
    /// An output workbook could not be written (its own message names the file and why).
    #[error("{0}")]
    Report(String),
    /// A guard of SPEC §10 refused the run before anything was written.
    #[error(transparent)]
    Refused(#[from] crate::guard::Refusal),
}

/// Reads and decides; writes nothing. Finds the input files itself: see [`evaluate_files`] for
/// a caller that already has them.
pub fn evaluate(
    cfg: &StaffConfig,
    policy: Policy,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StaffOutput, StaffError> {
    let found = form::find_inputs(&cfg.input, &cfg.out, &cfg.isolation)?;
    evaluate_files(cfg, policy, found, progress)
}

/// Reads the files `found` and decides every row: the form's rules, then the quota and the
/// budget line. The files not read are kept for the outputs to list.
pub fn evaluate_files(
    cfg: &StaffConfig,
    policy: Policy,
    found: Discovery,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StaffOutput, StaffError> {
    let files = &found.files;
    if cfg.year != policy.year {
        return Err(StaffError::Year {
            year: cfg.year,
            policy_year: policy.year,
            policy_file: policy.source.clone(),
        });
    }
    let t0 = std::time::Instant::now();
    let staff = StaffForm {
        policy: &policy,
        run_date: cfg.run_date,
    };
    let read = form::files::read_files(&staff, files, &cfg.isolation, cfg.threads, progress);
    log::info!(
        "read: {} files in {:.3}s",
        read.len(),
        t0.elapsed().as_secs_f64()
    );
    let (reports, per_file): (Vec<FileReport>, Vec<Vec<StaffRow>>) = read.into_iter().unzip();
    let mut rows = order::gather_in_decision_order(per_file);
    let decisions = decide_all(&staff, &mut rows);
    let mut notices = Vec::new();
    if files.is_empty() {
        notices.push(form::no_workbooks_notice(&cfg.input));
    }
    let (counties, unassigned, totals, unattributed) =
        summarise(&policy, &reports, &rows, &decisions);
    for c in &counties {
        if c.rows_sent == 0 && c.file_problems == 0 {
            notices.push(format!("{} 没有报送协勤人员经费申报表", c.name));
        }
    }
    Ok(StaffOutput {
        year: cfg.year,
        run_date: cfg.run_date,
        policy,
        files: reports,
        rows,
        decisions,
        counties,
        unassigned,
        totals,
        unattributed_file_problems: unattributed,
        program_version: env!("CARGO_PKG_VERSION"),
        notices,
        skipped: found.skipped,
    })
}

/// Performance score of SPEC §5.2's evaluation, out of 100:
/// 40 × 岗位到位率 + 40 × 资金执行率 + 20 × (1 − 问题占比), where
/// 岗位到位率 = posts funded ÷ quota, 资金执行率 = municipal amount approved ÷ amount allocated,
/// 问题占比 = (rejected rows + file problems) ÷ (rows sent + file problems), 1 when the county
/// sent nothing. Rounded to the hundredth (四舍五入). 等次: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差.
pub fn performance(s: &mut CountyStaff) {
    let ratio = |a: Decimal, b: Decimal| {
        if b.is_zero() {
            Decimal::ZERO
        } else {
            (a / b).min(Decimal::ONE)
        }
    };
    let fill = ratio(Decimal::from(s.posts_allocated), Decimal::from(s.quota));
    let exec = ratio(s.approved_amount, s.allocated_amount);
    let denom = Decimal::from(s.rows_sent + s.file_problems);
    let share = if denom.is_zero() {
        Decimal::ONE
    } else {
        ratio(Decimal::from(s.problem_rows + s.file_problems), denom)
    };
    let score = Decimal::from(40) * fill
        + Decimal::from(40) * exec
        + Decimal::from(20) * (Decimal::ONE - share);
    let r4 = |d: Decimal| {
        let mut x = d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
        x.rescale(4);
        x
    };
    s.fill_rate = r4(fill);
    s.execution_rate = r4(exec);
    s.problem_share = r4(share);
    s.score = fen(score);
    s.grade = grade(s.score);
}

pub fn grade(score: Decimal) -> &'static str {
    if score >= Decimal::from(90) {
        "优"
    } else if score >= Decimal::from(80) {
        "良"
    } else if score >= Decimal::from(60) {
        "中"
    } else {
        "差"
    }
}

fn summarise(
    policy: &Policy,
    files: &[FileReport],
    rows: &[StaffRow],
    decisions: &[StaffDecision],
) -> (Vec<CountyStaff>, CountyStaff, CountyStaff, usize) {
    use std::collections::BTreeMap;
    let mut by: BTreeMap<Option<CountyCode>, CountyStaff> = BTreeMap::new();
    let mut sent: BTreeMap<Option<CountyCode>, (usize, usize)> = BTreeMap::new();
    for (r, d) in rows.iter().zip(decisions) {
        let s = by.entry(r.county.clone()).or_default();
        s.declared_rows += 1;
        s.standard_amount += d.standard;
        s.claimed_amount += r.municipal.unwrap_or_default();
        match d.outcome {
            Outcome::Approved => {
                s.approved_rows += 1;
                s.approved_amount += d.approved;
                if d.in_post {
                    s.in_post += 1;
                    s.months += u64::try_from(r.months.unwrap_or(0)).unwrap_or(0);
                    s.county_top_up += r.county_top_up.unwrap_or_default();
                }
            }
            Outcome::Rejected => s.rejected_rows += 1,
            Outcome::Held => {
                s.held_rows += 1;
                s.held_amount += r.municipal.unwrap_or_default();
            }
        }
        if d.has(StaffCode::OverQuota) {
            s.over_quota_rows += 1;
        }
        let e = sent.entry(r.owner().cloned()).or_default();
        e.0 += 1;
        if d.outcome == Outcome::Rejected {
            e.1 += 1;
        }
    }
    let mut file_problems: BTreeMap<Option<CountyCode>, usize> = BTreeMap::new();
    for f in files {
        for (_, _, sheet) in f.problems() {
            *file_problems
                .entry(file_county(policy, f, sheet))
                .or_default() += 1;
        }
    }

    let post_year = policy.staff_monthly_standard * Decimal::from(12);
    let mut counties = Vec::new();
    let mut totals = CountyStaff {
        name: "合计".into(),
        ..Default::default()
    };
    for def in &policy.counties {
        let key = Some(def.code.clone());
        let mut s = by.remove(&key).unwrap_or_default();
        s.code = key.clone();
        s.name = def.name.clone();
        s.quota = def.staff_quota;
        s.budget = def.staff_allocation;
        s.posts_allocated = u32::try_from(s.in_post)
            .unwrap_or(u32::MAX)
            .min(def.staff_quota);
        s.allocated_amount = (Decimal::from(s.posts_allocated) * post_year).min(s.budget);
        s.unallocated_amount = s.budget - s.allocated_amount;
        let (n, bad) = sent.remove(&key).unwrap_or_default();
        s.rows_sent = n;
        s.problem_rows = bad;
        s.file_problems = file_problems.remove(&key).unwrap_or(0);
        s.normalise();
        performance(&mut s);
        totals.add(&s);
        counties.push(s);
    }
    let unassigned = CountyStaff::unassigned(&mut by);
    totals.add(&unassigned);
    // Rows no county owns cannot exist (their sheet would be unknown_county), but count them.
    let (n, bad) = sent.remove(&None).unwrap_or_default();
    totals.rows_sent += n;
    totals.problem_rows += bad;
    let unattributed = file_problems.remove(&None).unwrap_or(0);
    totals.file_problems += unattributed;
    totals.normalise();
    performance(&mut totals);
    (counties, unassigned, totals, unattributed)
}

form::county_figures!(CountyStaff;
    counts: quota, declared_rows, approved_rows, rejected_rows, held_rows, in_post,
        over_quota_rows, months, posts_allocated, rows_sent, problem_rows, file_problems;
    amounts: budget, standard_amount, claimed_amount, approved_amount, held_amount,
        county_top_up, allocated_amount, unallocated_amount);

/// "12,000.00": an amount as a person reads it in a message.
pub fn yuan_text(d: Decimal) -> String {
    let s = fen(d).to_string();
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest.to_string()),
        None => ("", s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    let n = int.chars().count();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_errors_say_what_stopped_the_run() {
        let year = StaffError::Year {
            year: 2026,
            policy_year: 2025,
            policy_file: "内置政策".into(),
        };
        assert_eq!(
            year.to_string(),
            "--year 2026 与政策文件的年度 2025 不符（内置政策）；请指定该年度的政策文件 --policy"
        );
        let form = StaffError::Form(FormError::NoInputFolder("staff".into()));
        assert_eq!(form.to_string(), "输入文件夹 staff 不存在或不是文件夹");
        let report = StaffError::Report("无法写入 经费下达表_2025.xlsx".into());
        assert_eq!(report.to_string(), "无法写入 经费下达表_2025.xlsx");
    }

    #[test]
    fn amounts_in_messages_are_grouped() {
        assert_eq!(yuan_text(Decimal::from(1_800_000)), "1,800,000.00");
        assert_eq!(yuan_text(Decimal::new(100001, 2)), "1,000.01");
        assert_eq!(yuan_text(Decimal::from(100)), "100.00");
        assert_eq!(yuan_text(Decimal::from(-1234)), "-1,234.00");
    }

    #[test]
    fn the_score_is_the_documented_formula() {
        let mut s = CountyStaff {
            quota: 25,
            posts_allocated: 20,
            allocated_amount: Decimal::from(240_000),
            approved_amount: Decimal::from(216_000),
            rows_sent: 24,
            problem_rows: 3,
            file_problems: 1,
            ..Default::default()
        };
        performance(&mut s);
        // 40 × 0.8 + 40 × 0.9 + 20 × (1 − 4/25) = 32 + 36 + 16.8
        assert_eq!(s.score.to_string(), "84.80");
        assert_eq!(s.grade, "良");
        assert_eq!(s.fill_rate.to_string(), "0.8000");
        assert_eq!(s.problem_share.to_string(), "0.1600");

        let mut none = CountyStaff {
            quota: 11,
            ..Default::default()
        };
        performance(&mut none);
        assert_eq!(none.score.to_string(), "0.00");
        assert_eq!(none.grade, "差");

        let mut full = CountyStaff {
            quota: 11,
            posts_allocated: 11,
            allocated_amount: Decimal::from(132_000),
            approved_amount: Decimal::from(132_000),
            rows_sent: 11,
            ..Default::default()
        };
        performance(&mut full);
        assert_eq!(full.score.to_string(), "100.00");
        assert_eq!(full.grade, "优");
    }
}
