//! `payrun year --year 2025`: the year's end (SPEC §14). Reads what payrun recorded — the
//! ledger, each period's decisions.csv, the staff run's summary.json — and writes into
//! `<out>/<year>年度/` the execution and self-evaluation workbook, next year's allocation
//! proposal and draft policy, and summary.json.

use std::path::PathBuf;

use payrun::guard;
use payrun::money::plain;
use payrun::policy::DEFAULT_POLICY_TOML;
use payrun::year::{self, Files, Sources};

use super::Failure;

/// 年度汇总：一案一补与协勤经费执行情况、项目支出绩效自评表、下年度限额分配建议与政策草案
#[derive(clap::Args)]
#[command(override_usage = "payrun year --year <年度> [选项]")]
pub struct Args {
    /// 年度，如 2025（须与政策文件的年度一致）
    #[arg(long, value_name = "年度", value_parser = super::usage::year)]
    year: i32,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    policy: Option<PathBuf>,
    /// 输出文件夹（默认 out；读取其中各期的审核结果，结果写入其中的 <年度>年度/）
    #[arg(long, value_name = "文件夹", default_value = "out")]
    out: PathBuf,
    /// 台账文件（默认为输出文件夹中的 台账.xlsx）
    #[arg(long, value_name = "文件")]
    ledger: Option<PathBuf>,
    /// 协勤经费审核结果所在文件夹（默认为输出文件夹中的 staff-<年度>/）
    #[arg(long, value_name = "文件夹")]
    staff: Option<PathBuf>,
    /// 制表日期 YYYY-MM-DD（默认取环境变量 SOURCE_DATE_EPOCH，否则今天）
    #[arg(long, value_name = "日期")]
    run_date: Option<String>,
}

impl Args {
    pub fn exec(self) -> Result<u8, Failure> {
        let policy = super::policy(self.policy.as_deref())?;
        let text = match &self.policy {
            None => DEFAULT_POLICY_TOML.to_string(),
            Some(p) => std::fs::read_to_string(p).map_err(|e| {
                format!(
                    "无法读取政策文件 {}：{}",
                    p.display(),
                    payrun::zh::io_reason(&e)
                )
            })?,
        };
        if policy.year != self.year {
            return Err(format!(
                "政策文件 {} 是 {} 年的政策，与 --year {} 不一致；请指定 {} 年的政策文件",
                policy.source, policy.year, self.year, self.year
            )
            .into());
        }
        let run_date = super::run_date(self.run_date.as_deref())?;
        let src = Sources {
            ledger: self
                .ledger
                .clone()
                .unwrap_or_else(|| self.out.join("台账.xlsx")),
            staff_dir: self
                .staff
                .clone()
                .unwrap_or_else(|| payrun::staff::output_dir(&self.out, self.year)),
            out: self.out.clone(),
        };
        let out = year::assemble(policy, &text, &src, run_date)?;
        let dir = year::output_dir(&self.out, self.year);
        let files = Files::in_dir(&dir, self.year);
        guard::in_use::preflight(&files.all(), std::slice::from_ref(&dir))?;
        year::write(&out, &dir)?;
        print_summary(&out, &files);
        Ok(0)
    }
}

fn print_summary(out: &year::YearOutput, files: &Files) {
    let x = &out.execution;
    println!("{} 年度汇总（制表日期 {}）", out.policy.year, out.run_date);
    println!(
        "人民调解“一案一补”：核准 {} 件、{} 元；已入账 {} 元，发放失败未补发 {} 元，待发放 {} 元；超限额待定 {} 元",
        x.total.approved_rows,
        plain(x.total.approved),
        plain(x.total.credited),
        plain(x.total.failed),
        plain(x.total.pending),
        plain(x.total.held)
    );
    for e in [&out.mediation, &out.staff] {
        let grade = e
            .grade
            .map(str::to_string)
            .unwrap_or_else(|| format!("待定，{} 分待填", e.pending_points.normalize()));
        println!(
            "绩效自评 {}：总分 {}（{}）",
            e.project.name,
            e.total.normalize(),
            grade
        );
    }
    let a = &out.allocation;
    println!(
        "{} 年建议限额合计 {} 元，待分配 {} 元",
        a.next_year,
        plain(a.proposed_total),
        plain(a.unallocated)
    );
    if !x.gaps.is_empty() {
        println!("数据缺项 {} 项（已在年度执行表首页列明）：", x.gaps.len());
        for g in &x.gaps {
            println!("  - {}", g.text);
        }
    }
    for f in [
        &files.workbook,
        &files.allocation,
        &files.draft,
        &files.summary,
    ] {
        println!("输出：{}", f.display());
    }
}
