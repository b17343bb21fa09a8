//! `payrun staff --year 2025 INPUT_DIR`: program B's municipal run (SPEC §5). Runs
//! [`payrun::staff`]'s pipeline, tries every output (SPEC §10.6), writes them and prints the
//! summary.

use std::path::{Path, PathBuf};

use payrun::form::{self, console};
use payrun::guard;
use payrun::money::plain;
use payrun::policy::Policy;
use payrun::staff::{
    StaffConfig, StaffError, StaffOutput, evaluate_files, output_dir, outputs, write_outputs,
};

use super::Failure;

/// 审核专职社区矫正协勤人员经费申报表，生成经费下达表、工资发放表与绩效评价表
#[derive(clap::Args)]
#[command(override_usage = "payrun staff --year <年度> [选项] <输入文件夹>")]
pub struct Args {
    /// 年度，如 2025（须与政策文件的年度一致）
    #[arg(long, value_name = "年度", value_parser = super::usage::year)]
    year: i32,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    policy: Option<PathBuf>,
    /// 输出文件夹（默认 out；结果写入其中的 staff-<年度>/）
    #[arg(long, value_name = "文件夹", default_value = "out")]
    out: PathBuf,
    /// 审核日期 YYYY-MM-DD（默认取环境变量 SOURCE_DATE_EPOCH，否则今天）
    #[arg(long, value_name = "日期")]
    run_date: Option<String>,
    /// 各县报送的协勤人员经费申报表所在文件夹（含子文件夹）
    #[arg(value_name = "输入文件夹")]
    input_dir: PathBuf,
}

impl Args {
    pub fn exec(self) -> Result<u8, Failure> {
        let policy = super::policy(self.policy.as_deref())?;
        let cfg = StaffConfig {
            input: self.input_dir,
            out: self.out,
            year: self.year,
            run_date: super::run_date(self.run_date.as_deref())?,
            threads: None,
            isolation: super::isolation()?,
        };
        Ok(run(&cfg, policy)?)
    }
}

/// The staff run: the exit status (0 or 2), or why nothing was written (exit 1).
fn run(cfg: &StaffConfig, policy: Policy) -> Result<u8, StaffError> {
    let found = form::find_inputs(&cfg.input, &cfg.out, &cfg.isolation)?;
    let bar = console::progress_bar(found.files.len());
    let progress = |name: &str| {
        bar.inc(1);
        bar.set_message(name.to_string());
    };
    let out = evaluate_files(cfg, policy, found, &progress)?;
    bar.finish_and_clear();
    let dir = output_dir(&cfg.out, out.year);
    // SPEC §10.6: every output replaceable before the first is replaced.
    guard::in_use::preflight(
        &outputs::replaced_files(&dir, out.year),
        std::slice::from_ref(&dir),
    )?;
    write_outputs(&out, &dir)?;
    print_summary(&out, &dir);
    Ok(out.exit_code())
}

/// The concise table a staff run prints: one line per county, then the file problems.
fn print_summary(out: &StaffOutput, dir: &Path) {
    println!(
        "{} 年专职社区矫正协勤人员经费审核结果（审核日 {}）",
        out.year, out.run_date
    );
    let widths = [26, 5, 5, 5, 5, 5, 14, 14, 12, 7];
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
    println!("{}", console::table_line(&head.map(String::from), &widths));
    let rows = out
        .counties
        .iter()
        .chain((out.unassigned.declared_rows > 0).then_some(&out.unassigned))
        .chain(std::iter::once(&out.totals));
    for c in rows {
        // Rows of no county have no quota, allocation or score.
        let county = |s: String| {
            if c.code.is_some() || c.name == "合计" {
                s
            } else {
                String::new()
            }
        };
        let cells = [
            c.name.clone(),
            county(c.quota.to_string()),
            c.declared_rows.to_string(),
            c.in_post.to_string(),
            c.rejected_rows.to_string(),
            c.held_rows.to_string(),
            plain(c.approved_amount),
            county(plain(c.allocated_amount)),
            county(plain(c.unallocated_amount)),
            county(c.score.to_string()),
        ];
        println!("{}", console::table_line(&cells, &widths));
    }
    console::print_tail(&out.files, &out.skipped, &out.notices, dir);
}
