//! A run's outputs (SPEC §4.6): where they go, which files a run replaces, and writing them.
//! The names are written here once, for the writers and for the preflight of SPEC §10.6 that
//! tries every file before the first is replaced.

use std::path::{Path, PathBuf};

use super::{RunError, RunOutput, RunPeriod, machine};
use crate::form::{FormError, console};
use crate::report;

/// The folder of the counties' feedback workbooks, in the period folder.
const FEEDBACK: &str = "feedback";

/// Where a period's outputs go: `<out>/<period>/`.
pub fn period_dir(out: &Path, period: &RunPeriod) -> PathBuf {
    out.join(&period.label)
}

/// The workbooks a run of `period_label` writes into its period folder `dir`.
pub struct Workbooks {
    pub approval: PathBuf,
    pub payroll: PathBuf,
    /// The folder of the counties' feedback workbooks.
    pub feedback: PathBuf,
}

impl Workbooks {
    pub fn in_dir(dir: &Path, period_label: &str) -> Self {
        let label = report::style::file_component(period_label);
        Workbooks {
            approval: dir.join(format!("审批汇总表_{label}.xlsx")),
            payroll: dir.join(format!("发放表_{label}.xlsx")),
            feedback: dir.join(FEEDBACK),
        }
    }
}

/// Every file a run of `period_label` replaces or removes in `dir`: decisions.csv,
/// summary.json, the two workbooks, every feedback workbook and batch file of the period already
/// there (each is rewritten or, for a county that sent nothing this time, removed) and 代发汇总.
pub fn replaced_files(dir: &Path, period_label: &str) -> Vec<PathBuf> {
    let w = Workbooks::in_dir(dir, period_label);
    let mut v: Vec<PathBuf> = crate::form::machine::files_in(dir).into();
    v.push(w.approval);
    v.push(w.payroll);
    v.extend(report::feedback::period_feedback_files(
        &w.feedback,
        period_label,
    ));
    v.push(
        dir.join(crate::bank::batch::BATCH_DIR)
            .join(crate::bank::summary::file_name(period_label)),
    );
    v.extend(crate::bank::batch::period_files(dir, period_label));
    v
}

/// The folders a run writes into under its period folder `dir` (the batch files' county
/// folders are made by the run inside 代发/).
pub fn folders(dir: &Path) -> [PathBuf; 3] {
    [
        dir.to_path_buf(),
        dir.join(FEEDBACK),
        dir.join(crate::bank::batch::BATCH_DIR),
    ]
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
    let w = Workbooks::in_dir(dir, &out.period.label);
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
            report::approval::write_approval(out, &w.approval)
        })
    };
    let payroll = || {
        timed("发放表", &|| {
            report::payroll::write_payroll_from(out, &payroll_lines, &w.payroll)
        })
    };
    let feedback = || {
        timed("feedback", &|| {
            report::feedback::write_feedback(out, &w.feedback).map(|_| ())
        })
    };
    let ((a, b), (c, d)) = rayon::join(
        || rayon::join(approval, feedback),
        || rayon::join(payroll, machine),
    );
    a.and(b).and(c).and(d)
}
