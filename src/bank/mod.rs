//! Money out (SPEC §12): the paying banks' batch files written by `payrun run` ([`batch`],
//! [`summary`]) from bank profiles that are policy data ([`profile`]); the banks' answers
//! ([`result`]) and the repayments ([`repay`], from the [`correction`] form) recorded in the
//! ledger ([`records`]); the commands `payrun result` and `payrun repay` ([`command`]).

pub mod batch;
pub mod correction;
pub mod grid;
pub mod profile;
pub mod records;
pub mod repay;
pub mod result;
pub mod summary;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::ledger::Ledger;
use crate::mediation::RunOutput;
use crate::money::{fen, plain};
use records::Tracking;

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

/// A period whose money the bank has answered for, or that was repaid, is closed to re-runs:
/// replacing its entries would erase what happened to real money.
pub fn check_rerun(l: &Ledger, period: &str) -> Result<(), String> {
    let answered = l
        .answers
        .iter()
        .filter(|a| !a.repay && a.period == period)
        .count();
    let repaid = l.repays.iter().filter(|r| r.orig_period == period).count();
    if answered + repaid > 0 {
        return Err(format!(
            "期间 {period} 已导入银行处理结果 {answered} 行、补发 {repaid} 笔，钱已经发出，不能再重新审核（否则台账中的发放记录会被覆盖）；漏报的案件请在下一期间申报"
        ));
    }
    Ok(())
}

/// Where the year's money stands per county code: the ledger's other periods of the policy
/// year, and this run's approved amounts as 待发放.
pub fn run_tracking(l: Option<&Ledger>, out: &RunOutput) -> BTreeMap<String, Tracking> {
    let label = out.period.label.as_str();
    let prefix = format!("{}-", out.policy.year);
    let mut t = match l {
        Some(l) => records::tracking(l, &|p| p != label && p.starts_with(&prefix)),
        None => BTreeMap::new(),
    };
    for c in &out.counties {
        if let Some(code) = &c.code {
            let e = t.entry(code.as_str().to_string()).or_default();
            e.pending = fen(e.pending + c.approved_amount);
        }
    }
    t
}

/// The sum over counties.
pub fn tracking_total(out: &RunOutput) -> Tracking {
    let mut s = Tracking::default();
    for t in out.payments.values() {
        s.credited += t.credited;
        s.failed += t.failed;
        s.pending += t.pending;
    }
    Tracking {
        credited: fen(s.credited),
        failed: fen(s.failed),
        pending: fen(s.pending),
    }
}

/// summary.json's `payment_status`: per county of the policy and in total, amounts as decimal
/// strings.
pub fn tracking_json(out: &RunOutput) -> Value {
    let one = |t: &Tracking| {
        json!({
            "credited": plain(t.credited),
            "failed": plain(t.failed),
            "pending": plain(t.pending),
        })
    };
    let counties: Vec<Value> = out
        .counties
        .iter()
        .filter_map(|c| c.code.as_ref().map(|code| (c, code)))
        .map(|(c, code)| {
            let t = out.payments.get(code.as_str()).cloned().unwrap_or_default();
            let mut v = one(&t);
            v["code"] = json!(code.as_str());
            v["name"] = json!(c.name);
            v
        })
        .collect();
    json!({
        "scope": format!("{} 年至 {}（含本期）", out.policy.year, out.period.label),
        "counties": counties,
        "totals": one(&tracking_total(out)),
    })
}
