//! `payrun check FILE...`: the county clerk's self-check before sending (SPEC §7), on
//! [`payrun::check`]. Writes nothing.

use std::path::PathBuf;

use payrun::check::{check_files, expand};
use payrun::form::console::skipped_lines;

use super::Failure;

/// 县级报送前自查：列出申报表中的问题（不写任何文件）
#[derive(clap::Args)]
#[command(override_usage = "payrun check [选项] <文件或文件夹>...")]
pub struct Args {
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    policy: Option<PathBuf>,
    /// 检查日期 YYYY-MM-DD（晚于此日的结案日期视为未来日期；默认取环境变量 SOURCE_DATE_EPOCH，否则今天）
    #[arg(long, value_name = "日期")]
    run_date: Option<String>,
    /// 改为每个数据行输出一行 JSON：{"file","sheet","row","codes":[…]}（代码与 decisions.csv 相同）；文件和工作表的问题写到标准错误
    #[arg(long)]
    json: bool,
    /// 要检查的申报表文件，也可以是文件夹（检查其中全部工作簿）；可以给多个
    #[arg(value_name = "文件或文件夹")]
    files: Vec<PathBuf>,
}

impl Args {
    /// Expands folders, refuses missing files (exit 1), lists the files that hold no workbook,
    /// prints the report (or with `--json` the rows' codes on stdout and the file and sheet
    /// findings, with the files not read, on stderr) and returns 0 or 2. Files not read change
    /// nothing.
    pub fn exec(self) -> Result<u8, Failure> {
        let policy = super::policy(self.policy.as_deref())?;
        let today = super::run_date(self.run_date.as_deref())?;
        let iso = super::isolation()?;
        let (files, skipped) = expand(&self.files, &iso)?;
        let mut not_read = skipped_lines(&skipped).join("\n");
        if !not_read.is_empty() {
            not_read.push_str("\n\n");
        }
        let report = check_files(&policy, &files, today, &iso);
        if self.json {
            print!("{}", report.render_json());
            eprint!("{not_read}{}", report.render_file_findings());
        } else {
            print!("{not_read}{}", report.render());
        }
        Ok(report.exit_code())
    }
}
