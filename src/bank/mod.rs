//! Money out (SPEC §12): the paying banks' batch files written by `payrun run` ([`batch`],
//! [`summary`]), from bank profiles that are policy data ([`profile`]).

pub mod batch;
pub mod profile;
pub mod summary;

use std::path::Path;

use crate::mediation::RunOutput;

/// Plans and checks the run's batch files to the fen; nothing is written. An error is a bug
/// that stops the run before any output is written.
pub fn plan<'a>(
    out: &RunOutput,
    payroll: &'a [crate::report::payroll::CountyPay],
) -> Result<batch::BatchPlan<'a>, String> {
    batch::plan(out, payroll)
}

/// Writes the planned batch files and 代发汇总 under `dir` (the period folder).
pub fn write(out: &RunOutput, plan: &batch::BatchPlan, dir: &Path) -> Result<(), String> {
    let (a, b) = rayon::join(
        || batch::write_files(out, plan, dir),
        || summary::write_summary(out, plan, dir),
    );
    a.and(b)
}
