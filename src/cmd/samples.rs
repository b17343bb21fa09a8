//! `payrun samples`: realistic synthetic county workbooks for both programs
//! ([`payrun::samples`]).

use std::path::PathBuf;

use payrun::samples::{SampleOptions, write_claim_samples, write_staff_samples};

use super::Failure;

/// 生成逼真的模拟申报表（用于演示与测试）
#[derive(clap::Args)]
#[command(override_usage = "payrun samples [选项]")]
pub struct Args {
    /// 输出文件夹（默认 samples）
    #[arg(long, value_name = "文件夹", default_value = "samples")]
    out: PathBuf,
    /// 县（市、区）个数（默认 9；超过政策中县数时追加“测试县”）
    #[arg(long, value_name = "个数", default_value_t = 9, value_parser = super::usage::count)]
    counties: usize,
    /// 每县每期大约的申报行数（默认 150）
    #[arg(long, value_name = "行数", default_value_t = 150, value_parser = super::usage::count)]
    rows: usize,
    /// 随机数种子（默认 2025；同一种子生成的文件完全相同）
    #[arg(long, value_name = "整数", default_value_t = 2025, value_parser = super::usage::seed)]
    seed: u64,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    policy: Option<PathBuf>,
}

impl Args {
    pub fn exec(self) -> Result<u8, Failure> {
        let policy = super::policy(self.policy.as_deref())?;
        let opts = SampleOptions {
            counties: self.counties,
            rows: self.rows,
            seed: self.seed,
        };
        for half in [1u8, 2] {
            let dir = self.out.join(format!("{}-H{half}", policy.year));
            let files = write_claim_samples(&policy, half, &dir, &opts)?;
            println!("{}：{} 个申报表", dir.display(), files.len());
        }
        let dir = payrun::staff::output_dir(&self.out, policy.year);
        let files = write_staff_samples(&policy, &dir, self.seed)?;
        println!("{}：{} 个协勤人员经费申报表", dir.display(), files.len());
        Ok(0)
    }
}
