//! Program B, 专职社区矫正协勤人员经费 (SPEC §5): `payrun staff --year 2025 INPUT_DIR`.
//!
//! The pipeline, top-down: files → ingest (parallel, isolated, the staff column set
//! [`StaffField`]) → typed rows ([`parse`]) → rules ([`rules`]) → per-county figures (here) →
//! outputs ([`report`], [`machine`]). Everything before the outputs is pure and deterministic;
//! the run date (`--run-date`, else SOURCE_DATE_EPOCH, else today) is the only clock.
//!
//! Per county: the allocation notice funds `min(people accepted in post, quota)` posts at
//! 12 × the monthly standard each, within the county's budget line; what is left of the line is
//! 未分配资金. The performance evaluation scores each county on posts filled, fund execution and
//! problems found (see [`performance`]).

pub mod codes;
pub mod machine;
pub mod parse;
pub mod report;
pub mod rules;
pub mod samples;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::claim::{Origin, SheetCounty};
use crate::codes::FileCode;
use crate::county::CountyCode;
use crate::decide::Outcome;
use crate::ingest::header::StaffField;
use crate::ingest::worker::{Isolation, ingest_file};
use crate::ingest::{self, FileIngest, InputFile};
use crate::money::{fen, plain};
use crate::policy::Policy;
use crate::run::{FileReport, SheetReport};
use codes::StaffCode;
use parse::StaffRow;
use rules::StaffDecision;

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
    pub skipped: Vec<ingest::SkippedFile>,
}

impl StaffOutput {
    /// Indices in reading order (file, sheet, row): the order of decisions.csv.
    pub fn reading_order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.rows.len()).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = (&self.rows[a].origin, &self.rows[b].origin);
            (&x.file, x.sheet_index, x.row).cmp(&(&y.file, y.sheet_index, y.row))
        });
        idx
    }

    pub fn county_name(&self, code: Option<&CountyCode>) -> String {
        code.and_then(|c| self.policy.county(c))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// 12 × the monthly standard: the money of one post for a year.
    pub fn post_year(&self) -> Decimal {
        self.policy.staff_monthly_standard * Decimal::from(12)
    }

    /// Exit status of SPEC §8: 2 when any input file or staff sheet could not be read.
    pub fn exit_code(&self) -> u8 {
        if self.files.iter().any(|f| !f.problems().is_empty()) {
            2
        } else {
            0
        }
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
    #[error("{0}")]
    Arguments(String),
    #[error("无法读取输入文件夹 {path}：{source}")]
    Input {
        path: String,
        source: std::io::Error,
    },
}

/// Reads and decides; writes nothing.
pub fn evaluate(
    cfg: &StaffConfig,
    policy: Policy,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StaffOutput, StaffError> {
    if cfg.year != policy.year {
        return Err(StaffError::Arguments(format!(
            "--year {} 与政策文件的年度 {} 不符（{}）；请指定该年度的政策文件 --policy",
            cfg.year, policy.year, policy.source
        )));
    }
    let t0 = std::time::Instant::now();
    let found = ingest::discover(&cfg.input, Some(&cfg.out), &cfg.isolation).map_err(|e| {
        StaffError::Input {
            path: cfg.input.display().to_string(),
            source: e,
        }
    })?;
    let files = found.files;
    let ingested = read_all(&files, cfg, progress);
    log::info!(
        "read: {} files in {:.3}s",
        ingested.len(),
        t0.elapsed().as_secs_f64()
    );
    let (reports, mut rows) = build_rows(ingested, &policy, cfg.run_date);
    rows.sort_by(|a, b| {
        let ka = a.owner().map(|c| c.as_str()).unwrap_or("~");
        let kb = b.owner().map(|c| c.as_str()).unwrap_or("~");
        (ka, &a.origin.file, a.origin.sheet_index, a.origin.row).cmp(&(
            kb,
            &b.origin.file,
            b.origin.sheet_index,
            b.origin.row,
        ))
    });
    let decisions = rules::decide_all(&rows, &policy);
    let mut notices = Vec::new();
    if files.is_empty() {
        notices.push(format!(
            "输入文件夹 {} 中没有找到任何工作簿（.xlsx .xlsm .xls .xlsb .ods）",
            cfg.input.display()
        ));
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

fn read_all(
    files: &[InputFile],
    cfg: &StaffConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<FileIngest<StaffField>> {
    let work = || -> Vec<FileIngest<StaffField>> {
        files
            .par_iter()
            .map(|f| {
                let mut fi = ingest_file::<StaffField>(f, &cfg.isolation);
                ingest::wrong_form::answer_other_form::<_, crate::ingest::header::Field>(
                    &mut fi,
                    f,
                    &cfg.isolation,
                );
                progress(&f.rel);
                fi
            })
            .collect()
    };
    match cfg.threads {
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        },
        None => work(),
    }
}

fn build_rows(
    ingested: Vec<FileIngest<StaffField>>,
    policy: &Policy,
    today: NaiveDate,
) -> (Vec<FileReport>, Vec<StaffRow>) {
    let mut reports = Vec::with_capacity(ingested.len());
    let mut rows = Vec::new();
    for fi in ingested {
        let mut sheets = Vec::new();
        let mut data_rows = 0;
        for s in &fi.sheets {
            let mut rep = SheetReport {
                name: s.name.clone(),
                index: s.index,
                hidden: s.hidden,
                is_claim: s.table.is_some() || s.problem.is_some(),
                problem: s.problem.as_ref().map(|p| (p.code, p.message.clone())),
                data_rows: 0,
                county: None,
            };
            if let Some(t) = &s.table {
                match parse::sheet_county(t, &policy.registry) {
                    SheetCounty::Unknown(why) => {
                        rep.problem = Some((
                            FileCode::UnknownCounty,
                            format!(
                                "工作表“{}”无法确定所属县（市、区）：{why}；本表 {} 行未审核，请来函确认",
                                s.name,
                                t.rows.len()
                            ),
                        ));
                    }
                    SheetCounty::Known(county) => {
                        rep.county = county.clone();
                        rep.data_rows = t.rows.len();
                        data_rows += t.rows.len();
                        for raw in &t.rows {
                            let origin = Origin {
                                file: fi.path.as_str().into(),
                                sheet: s.name.as_str().into(),
                                sheet_index: s.index,
                                row: raw.row,
                            };
                            rows.push(parse::parse_row(
                                raw,
                                t,
                                origin,
                                &policy.registry,
                                county.as_ref(),
                                today,
                            ));
                        }
                    }
                }
            }
            sheets.push(rep);
        }
        let mut error = fi.error.as_ref().map(|e| (e.code, e.message.clone()));
        let staff_sheets: Vec<&SheetReport> = sheets.iter().filter(|s| s.is_claim).collect();
        if error.is_none()
            && !staff_sheets.is_empty()
            && staff_sheets.iter().all(|s| s.problem.is_some())
            && let Some((c, m)) = staff_sheets.first().and_then(|s| s.problem.clone())
        {
            // SPEC §9.3: no sheet could be decided → the file is in error, with the first cause.
            error = Some((c, m));
        }
        if let Some((FileCode::NoClaimSheet, m)) = &mut error
            && !fi.sheets.is_empty()
        {
            // The shared reader describes the claim form; say which form was looked for.
            let names: Vec<&str> = fi.sheets.iter().map(|s| s.name.as_str()).collect();
            *m = format!(
                "所有工作表（{}）的前 {} 行中都找不到协勤人员经费申报表表头（至少需一半必填列：县（市、区）、司法所、姓名、身份证号码、入职日期、在岗月数、月补助标准、市级补助金额）",
                names.join("、"),
                crate::ingest::header::HEADER_SEARCH_ROWS
            );
        }
        reports.push(FileReport {
            path: fi.path,
            sha256: fi.sha256,
            bytes: fi.bytes,
            format: fi.format,
            error,
            sheets,
            data_rows,
        });
    }
    (reports, rows)
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
        normalise(&mut s);
        performance(&mut s);
        add(&mut totals, &s);
        counties.push(s);
    }
    let mut unassigned = by.remove(&None).unwrap_or_default();
    unassigned.name = "县（市、区）无法识别".into();
    normalise(&mut unassigned);
    add(&mut totals, &unassigned);
    // Rows no county owns cannot exist (their sheet would be unknown_county), but count them.
    let (n, bad) = sent.remove(&None).unwrap_or_default();
    totals.rows_sent += n;
    totals.problem_rows += bad;
    let unattributed = file_problems.remove(&None).unwrap_or(0);
    totals.file_problems += unattributed;
    normalise(&mut totals);
    performance(&mut totals);
    (counties, unassigned, totals, unattributed)
}

fn normalise(s: &mut CountyStaff) {
    for v in [
        &mut s.budget,
        &mut s.standard_amount,
        &mut s.claimed_amount,
        &mut s.approved_amount,
        &mut s.held_amount,
        &mut s.county_top_up,
        &mut s.allocated_amount,
        &mut s.unallocated_amount,
    ] {
        *v = fen(*v);
    }
}

fn add(t: &mut CountyStaff, s: &CountyStaff) {
    t.quota += s.quota;
    t.budget += s.budget;
    t.declared_rows += s.declared_rows;
    t.approved_rows += s.approved_rows;
    t.rejected_rows += s.rejected_rows;
    t.held_rows += s.held_rows;
    t.in_post += s.in_post;
    t.over_quota_rows += s.over_quota_rows;
    t.months += s.months;
    t.standard_amount += s.standard_amount;
    t.claimed_amount += s.claimed_amount;
    t.approved_amount += s.approved_amount;
    t.held_amount += s.held_amount;
    t.county_top_up += s.county_top_up;
    t.posts_allocated += s.posts_allocated;
    t.allocated_amount += s.allocated_amount;
    t.unallocated_amount += s.unallocated_amount;
    t.rows_sent += s.rows_sent;
    t.problem_rows += s.problem_rows;
    t.file_problems += s.file_problems;
}

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

/// Where a staff run's outputs go: `<out>/staff-<year>/`.
pub fn output_dir(out: &Path, year: i32) -> PathBuf {
    out.join(format!("staff-{year}"))
}

/// Writes every output of a staff run into `dir`, in parallel; each file is atomic.
pub fn write_outputs(out: &StaffOutput, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("无法创建输出文件夹 {}：{e}", dir.display()))?;
    let y = out.year;
    let machine = || -> Result<(), String> {
        let csv =
            machine::decisions_csv(out).map_err(|e| format!("生成 decisions.csv 失败：{e}"))?;
        let p = dir.join("decisions.csv");
        crate::report::write_atomic(&p, &csv)
            .map_err(|e| format!("无法写入 {}：{e}", p.display()))?;
        let json =
            machine::summary_json(out).map_err(|e| format!("生成 summary.json 失败：{e}"))?;
        let p = dir.join("summary.json");
        crate::report::write_atomic(&p, &json).map_err(|e| format!("无法写入 {}：{e}", p.display()))
    };
    let notice = || report::write_notice(out, &dir.join(format!("经费下达表_{y}.xlsx")));
    let payroll = || report::write_payroll(out, &dir.join(format!("协勤人员工资发放表_{y}.xlsx")));
    let perf = || report::write_performance(out, &dir.join(format!("绩效评价表_{y}.xlsx")));
    let ((a, b), (c, d)) = rayon::join(
        || rayon::join(notice, payroll),
        || rayon::join(perf, machine),
    );
    a.and(b).and(c).and(d)
}

/// `payrun staff`: returns the exit status (0 or 2), or a message for exit 1 (nothing written).
pub fn staff_command(cfg: &StaffConfig, policy: Policy) -> Result<u8, String> {
    if !cfg.input.is_dir() {
        return Err(format!(
            "输入文件夹 {} 不存在或不是文件夹",
            cfg.input.display()
        ));
    }
    let total = ingest::discover::count(&cfg.input, Some(&cfg.out));
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("读取 {bar:30} {pos}/{len} 个文件 {msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |name: &str| {
        bar.inc(1);
        bar.set_message(name.to_string());
    };
    let out = evaluate(cfg, policy, &progress).map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let dir = output_dir(&cfg.out, out.year);
    // SPEC §10.6: every output replaceable before the first is replaced.
    crate::guard::in_use::preflight(
        &crate::guard::in_use::staff_outputs(&dir, out.year),
        std::slice::from_ref(&dir),
    )?;
    write_outputs(&out, &dir)?;
    print_summary(&out, &dir);
    Ok(out.exit_code())
}

fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// The concise table a staff run prints: one line per county, then the file problems.
pub fn print_summary(out: &StaffOutput, dir: &Path) {
    println!(
        "{} 年专职社区矫正协勤人员经费审核结果（审核日 {}）",
        out.year, out.run_date
    );
    let head = [
        "县（市、区）",
        "定额",
        "申报",
        "在岗",
        "不予",
        "待定",
        "核准市级补助",
        "下达金额",
        "未分配",
        "得分",
    ];
    let widths = [26, 5, 5, 5, 5, 5, 14, 14, 12, 7];
    let line = |cells: [String; 10]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(&pad(c, widths.get(i).copied().unwrap_or(8), i > 0));
            s.push(' ');
        }
        println!("{}", s.trim_end());
    };
    line(head.map(String::from));
    let rows = out
        .counties
        .iter()
        .chain((out.unassigned.declared_rows > 0).then_some(&out.unassigned))
        .chain(std::iter::once(&out.totals));
    for c in rows {
        let is_county = c.code.is_some() || c.name == "合计";
        line([
            c.name.clone(),
            if is_county {
                c.quota.to_string()
            } else {
                String::new()
            },
            c.declared_rows.to_string(),
            c.in_post.to_string(),
            c.rejected_rows.to_string(),
            c.held_rows.to_string(),
            plain(c.approved_amount),
            if is_county {
                plain(c.allocated_amount)
            } else {
                String::new()
            },
            if is_county {
                plain(c.unallocated_amount)
            } else {
                String::new()
            },
            if is_county {
                c.score.to_string()
            } else {
                String::new()
            },
        ]);
    }
    let problems: Vec<String> = out
        .files
        .iter()
        .flat_map(|f| {
            f.problems()
                .into_iter()
                .map(move |(c, m, _)| format!("  {}：[{}] {}", f.path, c.as_str(), m))
        })
        .collect();
    if !problems.is_empty() {
        println!("文件问题 {} 个：", problems.len());
        for p in problems {
            println!("{p}");
        }
    }
    for l in crate::ingest::discover::console_lines(&out.skipped) {
        println!("{l}");
    }
    for n in &out.notices {
        println!("注意：{n}");
    }
    println!("输出：{}", dir.display());
}

#[cfg(test)]
mod tests {
    use super::*;

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
