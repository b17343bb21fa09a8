//! Program A's decisions.csv and summary.json (SPEC §4.6), on the shared writer core
//! ([`crate::form::machine`]): the case number is the identity column, and the summary carries
//! the period, the policy's cap rule and each county's cap figures.

use std::path::Path;

use serde_json::{Value, json};

use super::{CountySummary, RunOutput};
use crate::form::FormError;
use crate::form::machine::{self, CsvLine, Summary};
use crate::money::plain;

/// decisions.csv streamed into `to` (a province's file is hundreds of MB).
pub fn write_decisions_csv(out: &RunOutput, to: &mut dyn std::io::Write) -> Result<(), csv::Error> {
    machine::write_decisions_csv(
        &out.claims,
        &out.decisions,
        "case_id",
        |c, d| CsvLine {
            county: c.county.as_ref(),
            id: c.case_key.as_deref().unwrap_or(""),
            standard: d.standard,
            approved: d.approved,
        },
        to,
    )
}

/// Writes decisions.csv and summary.json into `dir`, each atomically.
pub fn write(out: &RunOutput, dir: &Path) -> Result<(), FormError> {
    machine::write_both(dir, |w| write_decisions_csv(out, w), || summary_json(out))
}

fn county_json(s: &CountySummary) -> Value {
    json!({
        "code": s.code.as_ref().map(|c| c.as_str()),
        "name": s.name,
        "claimed_rows": s.claimed_rows,
        "approved_rows": s.approved_rows,
        "rejected_rows": s.rejected_rows,
        "held_rows": s.held_rows,
        "claimed_amount": plain(s.claimed_amount),
        "approved_amount": plain(s.approved_amount),
        "rejected_amount": plain(s.rejected_amount),
        "held_amount": plain(s.held_amount),
        "prorate_reduction": plain(s.prorate_reduction),
        "cap": plain(s.cap),
        "paid_before": plain(s.paid_before),
        "remaining_after": plain(s.remaining_after),
    })
}

/// summary.json. Amounts are decimal strings; keys are written sorted (deterministic).
pub fn summary_json(out: &RunOutput) -> Result<Vec<u8>, serde_json::Error> {
    let base = Summary {
        program_version: out.program_version,
        policy: &out.policy,
        policy_extra: json!({"over_cap": format!("{:?}", out.policy.over_cap).to_lowercase()}),
        files: machine::files_json(&out.files, "claim_sheet", |_| Vec::new()),
        reports: &out.files,
        skipped: &out.skipped,
        notices: &out.notices,
    };
    let own = json!({
        "period": out.period.label,
        "period_start": out.period.def.start.to_string(),
        "period_end": out.period.def.end.to_string(),
        "run_date": out.period.run_date.to_string(),
        "counties": out.counties.iter().map(county_json).collect::<Vec<_>>(),
        "unassigned": county_json(&out.unassigned),
        "payment_status": crate::bank::tracking_json(out),
        "totals": county_json(&out.totals),
        "without_ledger": out.without_ledger,
    });
    machine::summary_bytes(base, own)
}
