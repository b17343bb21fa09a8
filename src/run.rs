//! `payrun run`: the pipeline, top-down. files → ingest (parallel, isolated) → claims → decide →
//! allocate → outputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::allocate::{CapUse, allocate};
use crate::claim::{self, Claim, Origin, SheetCounty};
use crate::codes::FileCode;
use crate::county::CountyCode;
use crate::decide::{self, Decision, Outcome, PriorPayments, RunPeriod};
use crate::ingest::worker::{Isolation, ingest_file};
use crate::ingest::{self, FileIngest, Format, InputFile};
use crate::money::fen;
use crate::policy::Policy;

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

/// Why a run could not do its job (exit 1: nothing written).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Policy(#[from] crate::policy::PolicyError),
    #[error("{0}")]
    Arguments(String),
    #[error("无法读取输入文件夹 {path}：{source}")]
    Input {
        path: String,
        source: std::io::Error,
    },
    #[error("无法写入输出 {path}：{source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct SheetReport {
    pub name: String,
    pub index: usize,
    pub hidden: bool,
    /// True when the sheet was recognised as a claim sheet (whatever became of it).
    pub is_claim: bool,
    pub problem: Option<(FileCode, String)>,
    pub data_rows: usize,
    pub county: Option<CountyCode>,
}

#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: Option<Format>,
    pub error: Option<(FileCode, String)>,
    pub sheets: Vec<SheetReport>,
    pub data_rows: usize,
}

impl FileReport {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
    /// Every problem of the file and its sheets, as (code, message).
    pub fn problems(&self) -> Vec<(FileCode, String, Option<&str>)> {
        let mut v: Vec<(FileCode, String, Option<&str>)> = self
            .error
            .iter()
            .map(|(c, m)| (*c, m.clone(), None))
            .collect();
        for s in &self.sheets {
            if let Some((c, m)) = &s.problem
                && self.error.as_ref().is_none_or(|(_, em)| em != m)
            {
                v.push((*c, m.clone(), Some(s.name.as_str())));
            }
        }
        v
    }
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
    pub skipped: Vec<ingest::SkippedFile>,
    /// A later period run with `--without-ledger` (SPEC §10.5): nothing paid before is known.
    pub without_ledger: bool,
}

impl RunOutput {
    /// Indices of decisions in reading order (file, sheet, row): the order of decisions.csv.
    pub fn reading_order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.claims.len()).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = (&self.claims[a].origin, &self.claims[b].origin);
            (&x.file, x.sheet_index, x.row).cmp(&(&y.file, y.sheet_index, y.row))
        });
        idx
    }

    pub fn county_name(&self, code: Option<&CountyCode>) -> String {
        code.and_then(|c| self.policy.county(c))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// Exit status of SPEC §8: 2 when any input file or claim sheet could not be read.
    pub fn exit_code(&self) -> u8 {
        if self.files.iter().any(|f| !f.problems().is_empty()) {
            2
        } else {
            0
        }
    }
}

/// Reads, decides and allocates; writes nothing.
pub fn evaluate(
    cfg: &RunConfig,
    policy: Policy,
    prior: &PriorPayments,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<RunOutput, RunError> {
    let period =
        decide::parse_period(&cfg.period, &policy, cfg.run_date).map_err(RunError::Arguments)?;
    let t0 = std::time::Instant::now();
    let found = ingest::discover(&cfg.input, Some(&cfg.out), &cfg.isolation).map_err(|e| {
        RunError::Input {
            path: cfg.input.display().to_string(),
            source: e,
        }
    })?;
    let files = found.files;
    log::info!(
        "discover: {} files in {:.3}s{}",
        files.len(),
        t0.elapsed().as_secs_f64(),
        memory_note()
    );

    let t1 = std::time::Instant::now();
    let ingested = read_all(&files, cfg, &policy, progress);
    log::info!(
        "read: {} files in {:.3}s{}",
        ingested.len(),
        t1.elapsed().as_secs_f64(),
        memory_note()
    );

    let t2 = std::time::Instant::now();
    let (file_reports, per_file): (Vec<FileReport>, Vec<Vec<Claim>>) = ingested.into_iter().unzip();
    let mut claims = gather_in_decision_order(per_file);
    log::debug!(
        "gather and order: {:.3}s, claim {} bytes{}",
        t2.elapsed().as_secs_f64(),
        std::mem::size_of::<Claim>(),
        memory_note()
    );
    // Each claim's parse findings move into its decision, where every report reads them.
    let mut decisions = decide::decide_all(&mut claims, &policy, &period, prior);
    log::info!(
        "decide: {} rows in {:.3}s{}",
        decisions.len(),
        t2.elapsed().as_secs_f64(),
        memory_note()
    );

    let t3 = std::time::Instant::now();
    let caps = allocate(&claims, &mut decisions, &policy, &prior.paid_before);
    log::info!(
        "allocate: {:.3}s{}",
        t3.elapsed().as_secs_f64(),
        memory_note()
    );

    let (counties, unassigned, totals) = summarise(&policy, &claims, &decisions, &caps);
    let mut notices = Vec::new();
    if files.is_empty() {
        notices.push(format!(
            "输入文件夹 {} 中没有找到任何工作簿（.xlsx .xlsm .xls .xlsb .ods）",
            cfg.input.display()
        ));
    }
    Ok(RunOutput {
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
    })
}

fn read_all(
    files: &[InputFile],
    cfg: &RunConfig,
    policy: &Policy,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<(FileReport, Vec<Claim>)> {
    let work = || -> Vec<(FileReport, Vec<Claim>)> {
        files
            .par_iter()
            .map(|f| {
                let mut fi = ingest_file::<crate::ingest::header::Field>(f, &cfg.isolation);
                ingest::wrong_form::answer_other_form::<_, crate::ingest::header::StaffField>(
                    &mut fi,
                    f,
                    &cfg.isolation,
                );
                progress(&f.rel);
                file_claims(fi, policy, cfg.run_date)
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

/// One file's report and typed claims. Runs right after the file is read, in parallel, so the
/// raw ingest is dropped as soon as it has become claims.
fn file_claims(mut fi: FileIngest, policy: &Policy, today: NaiveDate) -> (FileReport, Vec<Claim>) {
    let mut claims = Vec::new();
    {
        let mut sheets = Vec::new();
        let mut data_rows = 0;
        for s in &mut fi.sheets {
            let mut rep = SheetReport {
                name: s.name.clone(),
                index: s.index,
                hidden: s.hidden,
                is_claim: s.table.is_some() || s.problem.is_some(),
                problem: s.problem.as_ref().map(|p| (p.code, p.message.clone())),
                data_rows: 0,
                county: None,
            };
            if let Some(t) = &mut s.table {
                // A claim sheet with no data rows loses nothing: it needs no county (a county that copies the
                // form per 司法所 often leaves the original empty).
                let settled = if t.rows.is_empty() {
                    SheetCounty::Known(None)
                } else {
                    claim::sheet_county(t, &policy.registry)
                };
                match settled {
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
                        let columns: std::sync::Arc<[(crate::ingest::header::Field, u32)]> =
                            t.columns.clone().into();
                        let (file, sheet): (std::sync::Arc<str>, std::sync::Arc<str>) =
                            (fi.path.as_str().into(), s.name.as_str().into());
                        for raw in t.rows.drain(..) {
                            let origin = Origin {
                                file: file.clone(),
                                sheet: sheet.clone(),
                                sheet_index: s.index,
                                row: raw.row,
                            };
                            claims.push(claim::parse_owned(
                                raw,
                                &columns,
                                t.epoch_1904,
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
        let claim_sheets: Vec<&SheetReport> = sheets.iter().filter(|s| s.is_claim).collect();
        if error.is_none()
            && !claim_sheets.is_empty()
            && claim_sheets.iter().all(|s| s.problem.is_some())
        {
            // SPEC §9.3: no sheet could be decided → the file is in error, with the first cause.
            if let Some((c, m)) = claim_sheets.first().and_then(|s| s.problem.clone()) {
                error = Some((c, m));
            }
        }
        let report = FileReport {
            path: fi.path,
            sha256: fi.sha256,
            bytes: fi.bytes,
            format: fi.format,
            error,
            sheets,
            data_rows,
        };
        (report, claims)
    }
}

/// The county a claim is ordered under: its own, else its sheet's.
fn order_county(c: &Claim) -> Option<&str> {
    c.county
        .as_ref()
        .or(c.sheet_county.as_ref())
        .map(|c| c.as_str())
}

/// Every file's claims as one list in decision order (county, file, sheet, row; rows of no
/// county last). A file's claims come back in sheet and row order and nearly always all of one
/// county, so whole files are put in order and appended: each claim moves once, and the
/// province-sized list is never permuted. A file that mixes counties (or rows out of order) sends
/// the whole list through the general ordering instead; both give the same order.
fn gather_in_decision_order(mut per_file: Vec<Vec<Claim>>) -> Vec<Claim> {
    let total = per_file.iter().map(Vec::len).sum();
    // (no county, county, file, index): the order whole files go in.
    type FileKey<'a> = (bool, Option<&'a str>, &'a str, usize);
    let whole: Option<Vec<FileKey>> = per_file
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.first().map(|first| (i, v, first)))
        .map(|(i, v, first)| {
            let county = order_county(first);
            let file = &*first.origin.file;
            let uniform = v
                .iter()
                .all(|c| order_county(c) == county && &*c.origin.file == file)
                && v.windows(2).all(|w| {
                    (w[0].origin.sheet_index, w[0].origin.row)
                        < (w[1].origin.sheet_index, w[1].origin.row)
                });
            uniform.then_some((county.is_none(), county, file, i))
        })
        .collect();
    let Some(mut whole) = whole else {
        let mut claims = Vec::with_capacity(total);
        for v in per_file {
            claims.extend(v);
        }
        return in_decision_order(claims);
    };
    // Two entries never share a file, so this order is total.
    whole.sort_unstable();
    let order: Vec<usize> = whole.into_iter().map(|(.., i)| i).collect();
    let mut claims = Vec::with_capacity(total);
    for i in order {
        if let Some(v) = per_file.get_mut(i) {
            // Each file's buffer is freed as soon as it is emptied: the province's claims are
            // never held twice.
            claims.extend(std::mem::take(v));
        }
    }
    claims
}

/// The claims in the deterministic order of SPEC §4.3: county code (rows without one last), file
/// path, sheet order, row. Sorted as small integer keys and then moved once: sorting the claims
/// themselves moved ~0.5 KB structs around and compared paths, ~1 s on 400k rows.
fn in_decision_order(claims: Vec<Claim>) -> Vec<Claim> {
    fn ranks<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, u32> {
        let mut m: BTreeMap<&str, u32> = names.map(|n| (n, 0)).collect();
        for (i, v) in m.values_mut().enumerate() {
            *v = i as u32;
        }
        m
    }
    let counties = ranks(claims.iter().filter_map(order_county));
    let files = ranks(claims.iter().map(|c| &*c.origin.file));
    let mut keys: Vec<(u32, u32, usize, u32, usize)> = claims
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let county = order_county(c)
                .and_then(|k| counties.get(k).copied())
                .unwrap_or(u32::MAX);
            let file = files.get(&*c.origin.file).copied().unwrap_or(u32::MAX);
            (county, file, c.origin.sheet_index, c.origin.row, i)
        })
        .collect();
    drop((counties, files));
    keys.sort_unstable();
    // Apply the permutation in place, cycle by cycle: no second copy of a province's claims.
    let mut claims = claims;
    let mut dest: Vec<usize> = vec![0; keys.len()];
    for (to, k) in keys.iter().enumerate() {
        dest[k.4] = to;
    }
    drop(keys);
    for i in 0..claims.len() {
        while dest[i] != i {
            let j = dest[i];
            claims.swap(i, j);
            dest.swap(i, j);
        }
    }
    claims
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
        normalise(&mut s);
        add(&mut totals, &s);
        counties.push(s);
    }
    let mut unassigned = by.remove(&None).unwrap_or_default();
    unassigned.name = "县（市、区）无法识别".into();
    normalise(&mut unassigned);
    add(&mut totals, &unassigned);
    normalise(&mut totals);
    (counties, unassigned, totals)
}

fn normalise(s: &mut CountySummary) {
    for v in [
        &mut s.claimed_amount,
        &mut s.approved_amount,
        &mut s.rejected_amount,
        &mut s.held_amount,
        &mut s.prorate_reduction,
        &mut s.cap,
        &mut s.paid_before,
        &mut s.remaining_after,
    ] {
        *v = fen(*v);
    }
}

fn add(t: &mut CountySummary, s: &CountySummary) {
    t.claimed_rows += s.claimed_rows;
    t.approved_rows += s.approved_rows;
    t.rejected_rows += s.rejected_rows;
    t.held_rows += s.held_rows;
    t.claimed_amount += s.claimed_amount;
    t.approved_amount += s.approved_amount;
    t.rejected_amount += s.rejected_amount;
    t.held_amount += s.held_amount;
    t.prorate_reduction += s.prorate_reduction;
    t.cap += s.cap;
    t.paid_before += s.paid_before;
    t.remaining_after += s.remaining_after;
}

/// The run date: `--run-date`, else SOURCE_DATE_EPOCH, else today.
pub fn resolve_run_date(arg: Option<&str>) -> Result<NaiveDate, String> {
    if let Some(s) = arg {
        return NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("--run-date “{s}” 应为 YYYY-MM-DD 格式的日期"));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| format!("环境变量 SOURCE_DATE_EPOCH=“{epoch}” 不是整数秒"))?;
        return chrono::DateTime::from_timestamp(secs, 0)
            .map(|d| d.date_naive())
            .ok_or_else(|| format!("环境变量 SOURCE_DATE_EPOCH=“{epoch}” 超出范围"));
    }
    Ok(chrono::Local::now().date_naive())
}

/// Where a period's outputs go: `<out>/<period>/`.
pub fn period_dir(out: &Path, period: &RunPeriod) -> PathBuf {
    out.join(&period.label)
}

/// ", RSS x MiB, peak y MiB" of this process for the phase log (Linux; empty elsewhere), so the
/// phase that holds the memory shows without a profiler.
pub fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kib = |key: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    match (kib("VmRSS:"), kib("VmHWM:")) {
        (Some(now), Some(peak)) => format!(", RSS {} MiB, peak {} MiB", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::county::CountyRegistry;
    use crate::ingest::RawRow;

    fn claim(county: Option<&str>, file: &str, sheet_index: usize, row: u32) -> Claim {
        let code = county.and_then(CountyCode::new);
        let origin = Origin {
            file: file.into(),
            sheet: "Sheet1".into(),
            sheet_index,
            row,
        };
        let columns: std::sync::Arc<[(crate::ingest::header::Field, u32)]> = Vec::new().into();
        let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let raw = RawRow {
            row,
            cells: Vec::new(),
        };
        claim::parse_owned(
            raw,
            &columns,
            false,
            origin,
            &CountyRegistry::default(),
            code.as_ref(),
            today,
        )
    }

    fn keys(claims: &[Claim]) -> Vec<(Option<String>, String, usize, u32)> {
        claims
            .iter()
            .map(|c| {
                (
                    order_county(c).map(str::to_string),
                    c.origin.file.to_string(),
                    c.origin.sheet_index,
                    c.origin.row,
                )
            })
            .collect()
    }

    fn both_orders(per_file: Vec<Vec<Claim>>) -> (Vec<Claim>, Vec<Claim>) {
        let flat: Vec<Claim> = per_file.iter().flatten().cloned().collect();
        (gather_in_decision_order(per_file), in_decision_order(flat))
    }

    #[test]
    fn whole_files_are_ordered_like_the_general_sort() {
        // Files read out of name order, counties out of code order, an empty file, and a file
        // of rows with no county at all (they go last).
        let per_file = vec![
            vec![
                claim(Some("530403"), "b.xlsx", 0, 5),
                claim(Some("530403"), "b.xlsx", 1, 4),
            ],
            vec![],
            vec![claim(None, "0.xlsx", 0, 7)],
            vec![
                claim(Some("530402"), "c.xlsx", 0, 5),
                claim(Some("530402"), "c.xlsx", 0, 6),
            ],
            vec![claim(Some("530403"), "a.xlsx", 0, 9)],
            vec![claim(Some("530402"), "d.xlsx", 2, 3)],
        ];
        let (fast, general) = both_orders(per_file);
        assert_eq!(keys(&fast), keys(&general));
        let files: Vec<String> = fast.iter().map(|c| c.origin.file.to_string()).collect();
        assert_eq!(
            files,
            [
                "c.xlsx", "c.xlsx", "d.xlsx", "a.xlsx", "b.xlsx", "b.xlsx", "0.xlsx"
            ]
        );
    }

    #[test]
    fn a_file_mixing_counties_takes_the_general_sort() {
        let per_file = vec![
            vec![
                claim(Some("530403"), "a.xlsx", 0, 5),
                claim(Some("530402"), "a.xlsx", 0, 6),
                claim(Some("530403"), "a.xlsx", 0, 7),
            ],
            vec![claim(Some("530402"), "b.xlsx", 0, 2)],
        ];
        let (fast, general) = both_orders(per_file);
        assert_eq!(keys(&fast), keys(&general));
        let rows: Vec<u32> = fast.iter().map(|c| c.origin.row).collect();
        assert_eq!(rows, [6, 2, 5, 7]);
    }
}
