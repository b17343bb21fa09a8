//! `payrun template`: the blank forms the counties fill in ([`payrun::template`]).

use std::path::PathBuf;

use payrun::template::{template_date, write_templates};

use super::Failure;

/// 生成各县填报用的空白申报表
#[derive(clap::Args)]
#[command(override_usage = "payrun template [选项]")]
pub struct Args {
    /// 输出文件夹（默认 templates）
    #[arg(long, value_name = "文件夹", default_value = "templates")]
    out: PathBuf,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    policy: Option<PathBuf>,
}

impl Args {
    pub fn exec(self) -> Result<u8, Failure> {
        let policy = super::policy(self.policy.as_deref())?;
        let date = template_date(&policy)?;
        for p in write_templates(&policy, &self.out, date)? {
            println!("已生成空白申报表：{}", p.display());
        }
        let p = payrun::bank::correction::write_template(&policy, &self.out, date)?;
        println!("已生成空白账户更正表：{}", p.display());
        Ok(0)
    }
}
