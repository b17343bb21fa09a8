//! What each subcommand does around the library: progress, writing, the printed summary.

use std::path::Path;

use crate::form::{FormError, console};
use crate::ledger::{self, Ledger};
use crate::mediation::{
    PriorPayments, RunConfig, RunError, RunOutput, evaluate_files, machine, parse_period,
    period_dir,
};
use crate::money::plain;
use crate::policy::Policy;
use crate::report;

/// `payrun run`: the exit status (0 or 2) and the run's data, or why nothing was written
/// (exit 1). The data is handed back rather than dropped here: the binary decides whether
/// freeing it is worth the time at exit.
pub fn run_command(
    cfg: &RunConfig,
    policy: Policy,
    ledger_path: &Path,
    finalize: bool,
) -> Result<(u8, RunOutput), RunError> {
    let period = parse_period(&cfg.period, &policy, cfg.run_date)?;
    // The lock is held until the new ledger is in place.
    let _lock = ledger::lock(ledger_path).map_err(RunError::Ledger)?;
    remove_stale_temp_files(&[
        cfg.out.as_path(),
        ledger_path.parent().unwrap_or(Path::new(".")),
    ]);
    let ledger = Ledger::load(ledger_path).map_err(RunError::Ledger)?;
    let mut notices = Vec::new();
    let prior = match &ledger {
        Some(l) => {
            l.check_can_run(&period, &policy)
                .map_err(RunError::Ledger)?;
            crate::bank::check_rerun(l, &period.label).map_err(RunError::Ledger)?;
            l.prior_for(&period, &policy)
        }
        None => {
            if policy
                .periods
                .first()
                .is_some_and(|p| p.id != period.def.id)
            {
                notices.push(format!(
                    "台账 {} 不存在：没有以前期间的发放记录，本期按以前期间已发放 0 元计算限额，也无法识别以前期间已发放的案件",
                    ledger_path.display()
                ));
            }
            PriorPayments::default()
        }
    };

    let files = crate::form::find_inputs(&cfg.input, &cfg.out)?;
    let bar = console::progress_bar(files.len());
    let progress = |name: &str| {
        bar.inc(1);
        bar.set_message(name.to_string());
    };
    let mut out = evaluate_files(cfg, policy, period, &files, &prior, &progress);
    bar.finish_and_clear();
    out.notices.extend(notices);
    out.payments = crate::bank::run_tracking(ledger.as_ref(), &out);
    let dir = period_dir(&cfg.out, &out.period);
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
    written?;
    let ledger_bytes = ledger_bytes.map_err(RunError::Ledger)?;
    report::write_atomic(ledger_path, &ledger_bytes)
        .map_err(|e| RunError::Ledger(format!("无法写入台账 {}：{e}", ledger_path.display())))?;
    print_summary(&out, &dir);
    if finalize {
        println!("期间 {} 已在台账中结束，不能再重新审核。", out.period.label);
    }
    println!("台账：{}", ledger_path.display());
    Ok((out.exit_code(), out))
}

/// Writes every output of a run into `dir`. The outputs are independent, so they are written in
/// parallel; each is atomic on its own.
pub fn write_outputs(out: &RunOutput, dir: &Path) -> Result<(), RunError> {
    // The 发放表's lines, once for the 发放表 and its batch files; the batch files are checked to
    // the fen against them before anything is written: a difference stops the run.
    let payroll_lines = report::payroll::payroll_lines(out).map_err(RunError::Report)?;
    let batches = crate::bank::plan(out, &payroll_lines).map_err(RunError::Report)?;
    std::fs::create_dir_all(dir).map_err(|e| FormError::OutputFolder {
        path: dir.display().to_string(),
        source: e,
    })?;
    let label = report::style::file_component(&out.period.label);
    let timed = |name: &str, f: &dyn Fn() -> Result<(), String>| {
        let t = std::time::Instant::now();
        let r = f();
        log::info!(
            "write {name}: {:.3}s{}",
            t.elapsed().as_secs_f64(),
            console::memory_note()
        );
        r.map_err(RunError::Report)
    };
    let timed_ref = &timed;
    // The batch files first, so that their plan (a copy of every 发放表 line) is freed while
    // the large workbooks are still being written.
    let machine = move || {
        let b = timed_ref("代发", &|| crate::bank::write(out, &batches, dir));
        drop(batches);
        let m = machine::write(out, dir).map_err(RunError::from);
        b.and(m)
    };
    let approval = || {
        timed("审批汇总表", &|| {
            report::approval::write_approval(out, &dir.join(format!("审批汇总表_{label}.xlsx")))
        })
    };
    let payroll = || {
        timed("发放表", &|| {
            report::payroll::write_payroll_from(
                out,
                &payroll_lines,
                &dir.join(format!("发放表_{label}.xlsx")),
            )
        })
    };
    let feedback = || {
        timed("feedback", &|| {
            report::feedback::write_feedback(out, &dir.join("feedback")).map(|_| ())
        })
    };
    let ((a, b), (c, d)) = rayon::join(
        || rayon::join(approval, feedback),
        || rayon::join(payroll, machine),
    );
    a.and(b).and(c).and(d)
}

/// The concise table a run prints: one line per county, then the file problems.
pub fn print_summary(out: &RunOutput, dir: &Path) {
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
    console::print_tail(&out.files, &out.notices, dir);
}

/// `payrun samples`.
pub fn samples_command(
    policy: &Policy,
    out: &Path,
    counties: usize,
    rows: usize,
    seed: u64,
) -> Result<u8, String> {
    let opts = crate::samples::SampleOptions {
        counties,
        rows,
        seed,
    };
    for half in [1u8, 2] {
        let dir = out.join(format!("{}-H{half}", policy.year));
        let files = crate::samples::write_claim_samples(policy, half, &dir, &opts)
            .map_err(|e| e.to_string())?;
        println!("{}：{} 个申报表", dir.display(), files.len());
    }
    let dir = crate::staff::output_dir(out, policy.year);
    let files =
        crate::samples::write_staff_samples(policy, &dir, seed).map_err(|e| e.to_string())?;
    println!("{}：{} 个协勤人员经费申报表", dir.display(), files.len());
    Ok(0)
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
