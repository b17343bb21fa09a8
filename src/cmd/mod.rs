//! The commands, one module each: its clap arguments, with the Chinese help `--help` shows,
//! and its body — arguments → configuration → the library's pipeline → outputs → exit status.
//!
//! Only the binary holds this module, so the libraries (form, mediation, staff, check, report,
//! ledger, guard) cannot depend on it. Every argument has a help text, and defaults are
//! written into it because clap's own `[default: …]` is English ([`usage`] dresses the rest).

mod bank;
mod check;
mod run;
mod samples;
mod staff;
mod template;
pub mod usage;
mod year;

use std::path::Path;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use payrun::ingest::worker::Isolation;
use payrun::policy::Policy;

#[derive(Parser)]
#[command(
    name = "payrun",
    version,
    about = "玉溪市司法局 重点项目经费批量审核与发放：人民调解“一案一补”、社区矫正协勤人员经费",
    long_about = None,
    override_usage = "payrun <命令> [选项]"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(run::Args),
    Staff(staff::Args),
    Check(check::Args),
    Template(template::Args),
    Result(bank::ResultArgs),
    Repay(bank::RepayArgs),
    Samples(samples::Args),
    Year(year::Args),
}

/// Why a command wrote nothing (exit 1): a Chinese sentence naming the place.
pub type Failure = Box<dyn std::error::Error>;

impl Cli {
    /// Runs the command: its exit status (0 done, 2 done with some inputs unreadable; SPEC §8),
    /// or why nothing was written (exit 1).
    pub fn exec(self) -> Result<u8, Failure> {
        match self.command {
            Command::Run(a) => a.exec(),
            Command::Staff(a) => a.exec(),
            Command::Check(a) => a.exec(),
            Command::Template(a) => a.exec(),
            Command::Result(a) => a.exec(),
            Command::Repay(a) => a.exec(),
            Command::Samples(a) => a.exec(),
            Command::Year(a) => a.exec(),
        }
    }
}

/// `--policy`, else the embedded 2025 policy.
fn policy(path: Option<&Path>) -> Result<Policy, Failure> {
    Ok(Policy::load(path)?)
}

/// `--run-date`, else SOURCE_DATE_EPOCH, else today.
fn run_date(arg: Option<&str>) -> Result<NaiveDate, Failure> {
    Ok(payrun::form::resolve_run_date(arg)?)
}

/// Each input file is read by a worker: this program run again (see `payrun::ingest::worker`).
fn isolation() -> Result<Isolation, Failure> {
    let exe = std::env::current_exe().map_err(|e| format!("无法定位程序自身：{e}"))?;
    Ok(Isolation::Subprocess(exe))
}

/// The log on stderr (`RUST_LOG`, default warnings): each line carries the seconds since
/// start, so the phase log shows the gaps between phases as well as their lengths.
pub fn init_logging() {
    let start = std::time::Instant::now();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .format(move |buf, record| {
            use std::io::Write;
            writeln!(
                buf,
                "[{:7.3}s {:5} {}] {}",
                start.elapsed().as_secs_f64(),
                record.level(),
                record.target(),
                record.args()
            )
        })
        .init();
}
