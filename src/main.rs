//! The command-line shell: parse arguments, set up logging and the progress bar, call the
//! library, map the result to an exit status (SPEC §8: 0 done, 2 done with unreadable inputs,
//! 1 nothing written).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use payrun::form::resolve_run_date;
use payrun::ingest::worker::{Isolation, WORKER_ARG, worker_main};
use payrun::mediation::RunConfig;
use payrun::policy::Policy;

#[derive(Parser)]
#[command(
    name = "payrun",
    version,
    about = "玉溪市司法局 重点项目经费批量审核与发放：人民调解“一案一补”、社区矫正协勤人员经费",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 审核一个发放期间的人民调解个案补贴申报表，生成决定、汇总与反馈
    Run {
        /// 发放期间，如 2025-H1（上半年）或 2025-H2（下半年）
        #[arg(long)]
        period: String,
        /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
        #[arg(long)]
        policy: Option<PathBuf>,
        /// 输出文件夹
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// 台账文件，默认 <out>/台账.xlsx
        #[arg(long)]
        ledger: Option<PathBuf>,
        /// 结束本期：此后不能再重新审核本期
        #[arg(long)]
        finalize: bool,
        /// 审核日期 YYYY-MM-DD（默认取 SOURCE_DATE_EPOCH，否则今天）
        #[arg(long)]
        run_date: Option<String>,
        /// 并行读取文件的线程数（默认为 CPU 核数）
        #[arg(long)]
        threads: Option<usize>,
        /// 各县报送的申报表所在文件夹（含子文件夹）
        input_dir: PathBuf,
    },
    /// 审核社区矫正协勤人员经费申报表
    Staff {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        policy: Option<PathBuf>,
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[arg(long)]
        run_date: Option<String>,
        input_dir: PathBuf,
    },
    /// 县级报送前自查：列出申报表中的问题（不写任何文件）
    Check {
        /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
        #[arg(long)]
        policy: Option<PathBuf>,
        /// 检查日期 YYYY-MM-DD（晚于此日的结案日期视为未来日期；默认取 SOURCE_DATE_EPOCH，否则今天）
        #[arg(long)]
        run_date: Option<String>,
        /// 改为每个数据行输出一行 JSON：{"file","sheet","row","codes":[…]}（代码与 decisions.csv 相同）；文件和工作表的问题写到标准错误
        #[arg(long)]
        json: bool,
        /// 要检查的申报表文件（也可以是文件夹）
        files: Vec<PathBuf>,
    },
    /// 生成各县填报用的空白申报表
    Template {
        /// 输出文件夹
        #[arg(long, default_value = "templates")]
        out: PathBuf,
        /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// 导入银行返回的代发处理结果（成功/失败），记入台账的发放状态
    Result(payrun::bank::command::ResultArgs),
    /// 补发发放失败（或待补账号）的款项：按账户更正表或申报表中的新账号生成补发表和代发文件
    Repay(payrun::bank::command::RepayArgs),
    /// 生成逼真的模拟申报表（用于演示与测试）
    Samples {
        #[arg(long, default_value = "samples")]
        out: PathBuf,
        /// 县（市、区）个数（超过政策中县数时追加“测试县”）
        #[arg(long, default_value_t = 9)]
        counties: usize,
        /// 每县每期大约的申报行数
        #[arg(long, default_value_t = 150)]
        rows: usize,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
}

// mimalloc instead of glibc's malloc: a run allocates and frees millions of small strings across
// threads; measured on the yardstick's M set it cut wall time by ~9 % and peak memory by ~11 %.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (mimalloc.h, `mi_option_e`): the bindings name no
/// constant for it.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

fn main() -> ExitCode {
    // Commit arena memory as it is used rather than whole arenas up front: on the M set this
    // took ~1 s of system time (page-table work) off a 12 s run and a little off the peak.
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == WORKER_ARG) {
        let (Some(schema), Some(abs), Some(rel)) = (args.get(2), args.get(3), args.get(4)) else {
            return ExitCode::from(1);
        };
        let code = worker_main(
            &schema.to_string_lossy(),
            &PathBuf::from(abs),
            &rel.to_string_lossy(),
        );
        // Everything the parent needs is on the (flushed) pipe; ending the process here skips
        // the allocator's and the runtime's exit-time cleanup, ~2 % of a worker's time, paid
        // once per input file.
        #[cfg(unix)]
        // SAFETY: _exit only ends the process; stdout was flushed by worker_main.
        unsafe {
            libc::_exit(code)
        }
        #[cfg(not(unix))]
        return ExitCode::from(code as u8);
    }
    // Each line carries the seconds since start, so the phase log shows the gaps between phases
    // as well as their lengths.
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
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("错误：{msg}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Run {
            period,
            policy,
            out,
            ledger,
            finalize,
            run_date,
            threads,
            input_dir,
        } => {
            let policy = Policy::load(policy.as_deref()).map_err(|e| e.to_string())?;
            let run_date = resolve_run_date(run_date.as_deref()).map_err(|e| e.to_string())?;
            if !input_dir.is_dir() {
                return Err(format!(
                    "输入文件夹 {} 不存在或不是文件夹",
                    input_dir.display()
                ));
            }
            if let Some(n) = threads {
                // --threads bounds the whole run (reading, deciding, every output), not only the
                // reading; an error only means the pool exists already.
                let _ = rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build_global();
            }
            let exe = std::env::current_exe().map_err(|e| format!("无法定位程序自身：{e}"))?;
            let ledger = ledger.unwrap_or_else(|| out.join("台账.xlsx"));
            let cfg = RunConfig {
                input: input_dir,
                out,
                period,
                run_date,
                threads,
                isolation: Isolation::Subprocess(exe),
            };
            let (code, out) = payrun::cli::run_command(&cfg, policy, &ledger, finalize)
                .map_err(|e| e.to_string())?;
            // Freeing a province's million claims one by one takes a measurable share of the
            // run (≈2 % of its CPU on the M set); the process ends right after this, and the OS
            // takes the memory back at once. Everything was written and printed already.
            std::mem::forget(out);
            Ok(code)
        }
        Command::Staff {
            year,
            policy,
            out,
            run_date,
            input_dir,
        } => {
            let policy = Policy::load(policy.as_deref()).map_err(|e| e.to_string())?;
            let run_date = resolve_run_date(run_date.as_deref()).map_err(|e| e.to_string())?;
            let exe = std::env::current_exe().map_err(|e| format!("无法定位程序自身：{e}"))?;
            let cfg = payrun::staff::StaffConfig {
                input: input_dir,
                out,
                year,
                run_date,
                threads: None,
                isolation: Isolation::Subprocess(exe),
            };
            payrun::staff::staff_command(&cfg, policy).map_err(|e| e.to_string())
        }
        Command::Check {
            policy,
            run_date,
            json,
            files,
        } => {
            let policy = Policy::load(policy.as_deref()).map_err(|e| e.to_string())?;
            let today = resolve_run_date(run_date.as_deref()).map_err(|e| e.to_string())?;
            let exe = std::env::current_exe().map_err(|e| format!("无法定位程序自身：{e}"))?;
            let iso = Isolation::Subprocess(exe);
            payrun::check::check_command(&policy, &files, today, &iso, json)
                .map_err(|e| e.to_string())
        }
        Command::Result(a) => payrun::bank::command::result_command(a),
        Command::Repay(a) => payrun::bank::command::repay_command(a),
        Command::Template { out, policy } => {
            let policy = Policy::load(policy.as_deref()).map_err(|e| e.to_string())?;
            payrun::template::template_command(&policy, &out)
        }
        Command::Samples {
            out,
            counties,
            rows,
            seed,
            policy,
        } => {
            let policy = Policy::load(policy.as_deref()).map_err(|e| e.to_string())?;
            payrun::cli::samples_command(&policy, &out, counties, rows, seed)
        }
    }
}
