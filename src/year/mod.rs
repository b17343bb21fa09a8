//! `payrun year` (SPEC §14): the year's end from what payrun recorded — the execution per county
//! ([`execution`]), the two 项目支出绩效自评表 ([`selfeval`], indicators from the policy:
//! [`indicators`]), next year's draft allocation and policy ([`allocation`]) — written into
//! `<out>/<year>年度/` ([`report`], [`summary`]).

pub mod allocation;
pub mod execution;
pub mod indicators;
pub mod report;
pub mod selfeval;
pub mod summary;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::policy::Policy;

pub use execution::{Execution, Gap, Sources};

/// Everything `payrun year` writes.
pub struct YearOutput {
    pub policy: Policy,
    pub run_date: NaiveDate,
    pub program_version: &'static str,
    pub execution: Execution,
    pub mediation: selfeval::Evaluation,
    pub staff: selfeval::Evaluation,
    pub allocation: allocation::Allocation,
}

/// `<out>/<year>年度/`.
pub fn output_dir(out: &Path, year: i32) -> PathBuf {
    out.join(format!("{year}年度"))
}

/// The files of a year's report in `dir`.
pub struct Files {
    pub workbook: PathBuf,
    pub allocation: PathBuf,
    pub draft: PathBuf,
    pub summary: PathBuf,
}

impl Files {
    pub fn in_dir(dir: &Path, year: i32) -> Files {
        Files {
            workbook: dir.join(format!("年度执行与绩效自评_{year}.xlsx")),
            allocation: dir.join(format!("下年度分配建议_{}.xlsx", year + 1)),
            draft: dir.join(format!("policy-{}-草案.toml", year + 1)),
            summary: dir.join("summary.json"),
        }
    }
    pub fn all(&self) -> Vec<PathBuf> {
        vec![
            self.workbook.clone(),
            self.allocation.clone(),
            self.draft.clone(),
            self.summary.clone(),
        ]
    }
}

/// Assembles the year. `policy_text` is the policy file's text (the draft rewrites it).
pub fn assemble(
    policy: Policy,
    policy_text: &str,
    src: &Sources,
    run_date: NaiveDate,
) -> Result<YearOutput, String> {
    let execution = execution::gather(&policy, src)?;
    let mediation = selfeval::mediation(&policy, &execution);
    let staff = selfeval::staff(&policy, &execution);
    let allocation = allocation::allocate(&policy, policy_text, &execution, run_date)?;
    Ok(YearOutput {
        policy,
        run_date,
        program_version: env!("CARGO_PKG_VERSION"),
        execution,
        mediation,
        staff,
        allocation,
    })
}

/// Writes the year's files into `dir`, each atomically.
pub fn write(out: &YearOutput, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "无法创建输出文件夹 {}：{}",
            dir.display(),
            crate::zh::io_reason(&e)
        )
    })?;
    let f = Files::in_dir(dir, out.policy.year);
    report::write_year(out, &f.workbook)?;
    report::write_allocation(out, &f.allocation)?;
    crate::report::write_atomic(&f.draft, out.allocation.draft.as_bytes()).map_err(|e| {
        format!(
            "无法写入 {}：{}",
            f.draft.display(),
            crate::zh::io_reason(&e)
        )
    })?;
    let json = summary::json(out).map_err(|e| format!("生成 {} 失败：{e}", f.summary.display()))?;
    crate::report::write_atomic(&f.summary, &json).map_err(|e| {
        format!(
            "无法写入 {}：{}",
            f.summary.display(),
            crate::zh::io_reason(&e)
        )
    })?;
    Ok(())
}
