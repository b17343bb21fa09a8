//! Program A's samples: synthetic county claim workbooks (SPEC §4.1, §4.2, §9).
//!
//! The generator builds an in-memory model of every county's claims for one payout period and
//! then renders it in one of four workbook shapes that imitate what county bureaus really send:
//!
//! * **A** – title row, 填报单位 line, one header row, county column, 合计 / 填表说明 / sign-off rows;
//! * **B** – like A without the county column (county only in the 填报单位 line), other column
//!   order, header aliases (调委会, 卷宗编号, 调结日期 …) and an extra 联系电话 column;
//! * **C** – a two-row header with the group header 审核意见 over the two review columns;
//! * **D** – one claim sheet per 司法所, a 填表说明 sheet and a hidden 下拉选项 helper sheet.
//!
//! About 85–90 % of the rows are valid and eligible; each other row breaks exactly one rule (or
//! carries exactly one warning), and across one period's files every fault kind of [`Fault`]
//! occurs at least once. In H2 the policy county with the smallest cap gets enough eligible
//! demand to exceed its annual cap on its own. Everything is derived from the seed: the same
//! (policy, half, options) always gives byte-identical files.
//!
//! | module | owns |
//! |---|---|
//! | `faults` | the fault kinds and what a correct run says about each |
//! | `flavor` | township, village and person names, dispute types, county spellings |
//! | `county` | one county: 司法所, 调委会, mediators, shape and habits |
//! | `rows` | one period's claims, faults, re-claims, late claims, case numbers |
//! | `render` | the workbooks in shapes A–D |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::{NamedFile, SamplesError, write_files};
use crate::policy::Policy;
use render::{file_name, render_workbook};
use rows::{Row, build_model};

mod county;
mod faults;
mod flavor;
mod render;
mod rows;
#[cfg(test)]
mod tests;

/// What `payrun samples` generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of counties; the first ones come from the policy, the rest are synthetic
    /// (测试县010, 测试县011 …) and unknown to the policy.
    pub counties: usize,
    /// Claim rows per county per period (the over-cap county gets more in H2).
    pub rows: usize,
    pub seed: u64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            counties: 9,
            rows: 150,
            seed: 2025,
        }
    }
}

/// One data row as written, with what a correct run should decide about it. Lets end-to-end
/// tests compare `decisions.csv` with the generator's intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRow {
    /// File name inside the output folder.
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row.
    pub row: u32,
    /// County name as written in the workbook (canonical or alias).
    pub county: String,
    /// Policy code, `None` for synthetic counties (whose sheets a run refuses whole with
    /// `unknown_county`, so their rows never reach decisions.csv).
    pub county_code: Option<String>,
    /// 案件编号 as written (empty when deliberately blank).
    pub case_id: String,
    /// The injected fault, if any (`Fault::slug`).
    pub fault: Option<&'static str>,
    /// The row code (SPEC §4.7) the fault should produce; `None` for clean rows and for faults
    /// that must pass without a code (full-width ID, lower-case x).
    pub expected_code: Option<&'static str>,
    /// Expected to be approved before caps are applied (warnings allowed). For `reclaim` rows
    /// this is false: they are `already_paid` once H1 has been run into the ledger.
    pub eligible: bool,
    /// Standard rate for (纠纷等级, 协议形式) when one exists.
    pub standard_amount: Option<Decimal>,
}

/// Writes the claim workbooks of one payout period (`half` = 1 or 2) of `policy.year` into
/// `dir` (created), one or more workbooks per county; returns the files written (sorted).
/// Deterministic: same (policy, half, options) → byte-identical files.
pub fn write_claim_samples(
    policy: &Policy,
    half: u8,
    dir: &Path,
    opts: &SampleOptions,
) -> Result<Vec<PathBuf>, SamplesError> {
    let (files, _) = render_period(policy, half, opts)?;
    write_files(dir, files)
}

/// Writes both periods of the policy year: `<out>/<year>-H1/` and `<out>/<year>-H2/`.
pub fn write_all_samples(
    policy: &Policy,
    out: &Path,
    opts: &SampleOptions,
) -> Result<Vec<PathBuf>, SamplesError> {
    let mut all = Vec::new();
    for half in 1..=2u8 {
        let dir = out.join(format!("{}-H{half}", policy.year));
        all.extend(write_claim_samples(policy, half, &dir, opts)?);
    }
    Ok(all)
}

/// The rows `write_claim_samples` writes for the same arguments, with their intended outcome,
/// in file / sheet / row order.
pub fn claim_sample_plan(
    policy: &Policy,
    half: u8,
    opts: &SampleOptions,
) -> Result<Vec<SampleRow>, SamplesError> {
    render_period(policy, half, opts).map(|(_, plan)| plan)
}

type Rendered = (Vec<NamedFile>, Vec<SampleRow>);

fn render_period(
    policy: &Policy,
    half: u8,
    opts: &SampleOptions,
) -> Result<Rendered, SamplesError> {
    let model = build_model(policy, half, opts)?;
    let mut files = Vec::new();
    let mut plan = Vec::new();
    for (county, hp) in &model.counties {
        // Rows go to the workbook whose 填报日期 follows their 结案日期.
        let mut per_file: Vec<Vec<&Row>> = vec![Vec::new(); hp.files.len()];
        for r in &hp.rows {
            let k = hp
                .files
                .iter()
                .position(|f| r.concluded < f.filed)
                .unwrap_or(hp.files.len() - 1);
            per_file[k].push(r);
        }
        let only_one = per_file.iter().filter(|v| !v.is_empty()).count() <= 1;
        for (k, mut rows) in per_file.into_iter().enumerate() {
            if rows.is_empty() && !(only_one && k == 0) {
                continue;
            }
            rows.sort_by_key(|r| (r.station, r.concluded, r.order));
            let spec = hp.files[k];
            let name = file_name(county, &model.period, spec);
            let bytes = render_workbook(county, &model.period, spec, &name, &rows, &mut plan)
                .map_err(|source| SamplesError::Workbook {
                    name: name.clone(),
                    source,
                })?;
            files.push((name, bytes));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut order: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (n, _)) in files.iter().enumerate() {
        order.insert(n.as_str(), i);
    }
    plan.sort_by(|a, b| {
        let fa = order.get(a.file.as_str());
        let fb = order.get(b.file.as_str());
        fa.cmp(&fb)
    });
    Ok((files, plan))
}
