//! `payrun run --period 2025-H1 INPUT_DIR`: program A's municipal run (SPEC §4, §10). Reads
//! the ledger, lets the guards of SPEC §10 have their say, runs [`payrun::mediation`]'s
//! pipeline, writes the outputs, then the ledger, and prints the summary.

use std::path::{Path, PathBuf};

use payrun::form::console;
use payrun::guard;
use payrun::ledger::{self, Ledger};
use payrun::mediation::{
    PriorPayments, RunConfig, RunError, RunOutput, evaluate_files, outputs, parse_period,
    period_dir, write_outputs,
};
use payrun::money::plain;
use payrun::policy::Policy;
use payrun::report;

use super::Failure;

/// 审核一个发放期间的人民调解个案补贴申报表，生成决定、汇总与反馈
#[derive(clap::Args)]
#[command(override_usage = "payrun run --period <期间> [选项] <输入文件夹>")]
pub struct Args {
    /// 发放期间，如 2025-H1（上半年）或 2025-H2（下半年）
    #[arg(long, value_name = "期间")]
    period: String,
    /// 政策文件（TOML）；不指定时使用内置的 2025 年玉溪市政策
    #[arg(long, value_name = "文件")]
    policy: Option<PathBuf>,
    /// 输出文件夹（默认 out）
    #[arg(long, value_name = "文件夹", default_value = "out")]
    out: PathBuf,
    /// 台账文件（默认 <输出文件夹>/台账.xlsx）
    #[arg(long, value_name = "文件")]
    ledger: Option<PathBuf>,
    /// 结束本期：此后不能再重新审核本期
    #[arg(long)]
    finalize: bool,
    /// 以本次结果替换台账中本期的记录，即使输入中没有数据行或某县原有的核准案件会变为零（替换前的台账备份在 台账备份/）
    #[arg(long)]
    replace: bool,
    /// 没有台账时仍审核本年度第一期以外的期间（须确认以前期间未发放任何补贴，否则会重复发放）
    #[arg(long)]
    without_ledger: bool,
    /// 审核日期 YYYY-MM-DD（默认取环境变量 SOURCE_DATE_EPOCH，否则今天）
    #[arg(long, value_name = "日期")]
    run_date: Option<String>,
    /// 并行处理的线程数（默认为 CPU 核数）
    #[arg(long, value_name = "个数", value_parser = super::usage::count)]
    threads: Option<usize>,
    /// 各县报送的申报表所在文件夹（含子文件夹）
    #[arg(value_name = "输入文件夹")]
    input_dir: PathBuf,
}

impl Args {
    pub fn exec(self) -> Result<u8, Failure> {
        let policy = super::policy(self.policy.as_deref())?;
        let run_date = super::run_date(self.run_date.as_deref())?;
        if !self.input_dir.is_dir() {
            return Err(
                format!("输入文件夹 {} 不存在或不是文件夹", self.input_dir.display()).into(),
            );
        }
        if let Some(n) = self.threads {
            // --threads bounds the whole run (reading, deciding, every output), not only the
            // reading; an error only means the pool exists already.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global();
        }
        let ledger = self.ledger.unwrap_or_else(|| self.out.join("台账.xlsx"));
        let cfg = RunConfig {
            input: self.input_dir,
            out: self.out,
            period: self.period,
            run_date,
            threads: self.threads,
            isolation: super::isolation()?,
        };
        let guard = guard::Options {
            replace: self.replace,
            without_ledger: self.without_ledger,
        };
        let (code, out) = run(&cfg, policy, &ledger, self.finalize, guard)?;
        // Freeing a province's million claims one by one takes a measurable share of the run
        // (≈2 % of its CPU on the M set); the process ends right after this, and the OS takes
        // the memory back at once. Everything was written and printed already.
        std::mem::forget(out);
        Ok(code)
    }
}

/// The run: the exit status (0 or 2) and the run's data, or why nothing was written (exit 1).
/// The data is handed back rather than dropped here: [`Args::exec`] decides whether freeing it
/// is worth the time at exit. Before anything is written, the guards of SPEC §10 (see
/// [`payrun::guard`]) have their say.
fn run(
    cfg: &RunConfig,
    policy: Policy,
    ledger_path: &Path,
    finalize: bool,
    guard: guard::Options,
) -> Result<(u8, RunOutput), RunError> {
    let period = parse_period(&cfg.period, &policy, cfg.run_date)?;
    if !ledger_path.exists() {
        // Refused before the lock creates the ledger's folder: nothing at all is written.
        guard::record::ledger_needed(&period, &policy, ledger_path, guard.without_ledger)?;
    }
    // The lock is held until the new ledger is in place.
    let _lock = ledger::lock(ledger_path).map_err(RunError::Ledger)?;
    remove_stale_temp_files(&[
        cfg.out.as_path(),
        ledger_path.parent().unwrap_or(Path::new(".")),
    ]);
    let ledger = Ledger::load(ledger_path).map_err(RunError::Ledger)?;
    let mut notices = Vec::new();
    let mut without_ledger = false;
    let prior = match &ledger {
        Some(l) => {
            l.check_can_run(&period, &policy)
                .map_err(RunError::Ledger)?;
            payrun::bank::check_rerun(l, &period.label).map_err(RunError::Ledger)?;
            l.prior_for(&period, &policy)
        }
        None => {
            if let Some(n) =
                guard::record::ledger_needed(&period, &policy, ledger_path, guard.without_ledger)?
            {
                notices.push(n);
                without_ledger = true;
            }
            PriorPayments::default()
        }
    };

    let found = payrun::form::find_inputs(&cfg.input, &cfg.out, &cfg.isolation)?;
    let bar = console::progress_bar(found.files.len());
    let progress = |name: &str| {
        bar.inc(1);
        bar.set_message(name.to_string());
    };
    let mut out = evaluate_files(cfg, policy, period, found, &prior, &progress);
    bar.finish_and_clear();
    out.notices.extend(notices);
    out.without_ledger = without_ledger;
    out.payments = payrun::bank::run_tracking(ledger.as_ref(), &out);
    if let Some(record) = ledger
        .as_ref()
        .and_then(|l| guard::record::compare(l, &out))
    {
        if record.lowers() && !guard.replace {
            return Err(record.refusal(ledger_path, &cfg.input).into());
        }
        out.notices.extend(record.notice());
    }
    let dir = period_dir(&cfg.out, &out.period);
    let mut targets = outputs::replaced_files(&dir, &out.period.label);
    targets.push(ledger_path.to_path_buf());
    let mut folders = outputs::folders(&dir).to_vec();
    folders.push(ledger_path.parent().unwrap_or(Path::new(".")).to_path_buf());
    folders.push(guard::backup::folder(ledger_path));
    guard::in_use::preflight(&targets, &folders)?;
    let backup = guard::backup::backup(ledger_path, out.period.run_date)?;
    let mut l = ledger.unwrap_or_default();
    // The new ledger is built beside the reports but put in place only after they are written.
    let (written, ledger_bytes) = rayon::join(
        || write_outputs(&out, &dir),
        || {
            let t = std::time::Instant::now();
            l.replace_period(&out, finalize);
            let b = l.render(out.period.run_date);
            // Its entries (a province's approved cases) are not needed once rendered; freed
            // here, they make room for the reports still being written.
            drop(l);
            log::info!("build ledger: {:.3}s", t.elapsed().as_secs_f64());
            b
        },
    );
    // A report that could not be replaced after the preflight (opened in the meantime): the
    // ledger keeps the period's earlier record, and a run after closing the file completes it.
    written.map_err(|e| {
        RunError::Report(format!(
            "{e}\n本期输出未能全部写完；台账未替换，本期记录仍是上次的。请先关闭 Excel/WPS 中打开的文件后重新运行本期"
        ))
    })?;
    let ledger_bytes = ledger_bytes.map_err(RunError::Ledger)?;
    report::write_atomic(ledger_path, &ledger_bytes).map_err(|e| {
        RunError::Ledger(format!(
            "无法写入台账 {}：{e}\n本期输出已写出，但台账未替换；请先关闭 Excel/WPS 中打开的台账后重新运行本期",
            ledger_path.display()
        ))
    })?;
    print_summary(&out, &dir);
    let batches = payrun::bank::batch::period_files(&dir, &out.period.label).len();
    let batch_dir = dir.join(payrun::bank::batch::BATCH_DIR);
    if batches > 0 {
        println!(
            "银行代发文件：{}（{batches} 个，按县和开户银行分开；笔数和金额见其中的 {}）",
            batch_dir.display(),
            payrun::bank::summary::file_name(&out.period.label)
        );
    }
    if finalize {
        println!("期间 {} 已在台账中结束，不能再重新审核。", out.period.label);
    }
    println!("台账：{}", ledger_path.display());
    if let Some(b) = backup {
        println!("替换前的台账已备份为：{}", b.display());
    }
    Ok((out.exit_code(), out))
}

/// The concise table a run prints: one line per county, then the file problems.
fn print_summary(out: &RunOutput, dir: &Path) {
    println!(
        "{} 人民调解“一案一补”审核结果（审核日 {}）",
        out.period.label, out.period.run_date
    );
    let widths = [26, 6, 6, 6, 6, 14, 14, 14];
    let head = [
        "县（市、区）",
        "申报",
        "核准",
        "不予",
        "待定",
        "核准金额",
        "年度限额",
        "剩余",
    ];
    println!("{}", console::table_line(&head.map(String::from), &widths));
    for c in out
        .counties
        .iter()
        .chain(std::iter::once(&out.unassigned))
        .chain(std::iter::once(&out.totals))
    {
        // A province-sized policy would print hundreds of empty lines: show only counties that sent rows.
        let quiet = out.counties.len() > 20 && c.code.is_some();
        if (quiet || (c.code.is_none() && c.name != "合计")) && c.claimed_rows == 0 {
            continue;
        }
        let cells = [
            c.name.clone(),
            c.claimed_rows.to_string(),
            c.approved_rows.to_string(),
            c.rejected_rows.to_string(),
            c.held_rows.to_string(),
            plain(c.approved_amount),
            plain(c.cap),
            plain(c.remaining_after),
        ];
        println!("{}", console::table_line(&cells, &widths));
    }
    console::print_tail(&out.files, &out.skipped, &out.notices, dir);
}

/// A run killed mid-write leaves its temp file behind (the rename never happened); with the
/// ledger lock held no other run is writing, so they can go.
fn remove_stale_temp_files(dirs: &[&Path]) {
    let mut all: Vec<std::path::PathBuf> = Vec::new();
    for d in dirs {
        all.push(d.to_path_buf());
        if let Ok(rd) = std::fs::read_dir(d) {
            all.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    for d in all {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(".payrun-") && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
