//! Program B's decisions.csv and summary.json, on the shared writer core ([`crate::form::machine`])
//! (the conventions of SPEC §4.6).
//!
//! decisions.csv (UTF-8, RFC 4180, CRLF), one line per data row read, in reading order (file,
//! sheet, row):
//!
//! | column | meaning |
//! |---|---|
//! | `file` | path relative to INPUT_DIR, `/`-separated |
//! | `sheet` | sheet name |
//! | `row` | 1-based Excel row |
//! | `county_code` | the row's county; empty when its county cell names no known county |
//! | `id_number` | the 身份证号码 as read (NFKC, spaces removed, `x` → `X`), valid or not; empty when blank or stored as a number |
//! | `decision` | `approved`, `rejected` or `held` (`over_allocation`) |
//! | `reasons` | the `;`-joined codes, warnings included, sorted |
//! | `standard_amount` | policy monthly standard × 在岗月数 (the most the row may receive); `0.00` when the months are unreadable or out of range |
//! | `approved_amount` | 市级补助金额 approved; `0.00` unless approved |

use std::path::Path;

use serde_json::{Value, json};

use super::{CountyStaff, StaffOutput};
use crate::form::FormError;
use crate::form::machine::{self, CsvLine, Summary};
use crate::money::plain;

/// decisions.csv streamed into `to`.
pub fn write_decisions_csv(
    out: &StaffOutput,
    to: &mut dyn std::io::Write,
) -> Result<(), csv::Error> {
    machine::write_decisions_csv(
        &out.rows,
        &out.decisions,
        "id_number",
        |r, d| CsvLine {
            county: r.county.as_ref(),
            id: r.id_number.as_deref().unwrap_or(&r.id_text),
            standard: d.standard,
            approved: d.approved,
        },
        to,
    )
}

/// Writes decisions.csv and summary.json into `dir`, each atomically.
pub fn write(out: &StaffOutput, dir: &Path) -> Result<(), FormError> {
    machine::write_both(dir, |w| write_decisions_csv(out, w), || summary_json(out))
}

fn county_json(s: &CountyStaff, with_policy: bool) -> Value {
    let mut v = json!({
        "code": s.code.as_ref().map(|c| c.as_str()),
        "name": s.name,
        "declared_rows": s.declared_rows,
        "approved_rows": s.approved_rows,
        "rejected_rows": s.rejected_rows,
        "held_rows": s.held_rows,
        "in_post": s.in_post,
        "over_quota_rows": s.over_quota_rows,
        "months_in_post": s.months,
        "standard_amount": plain(s.standard_amount),
        "claimed_amount": plain(s.claimed_amount),
        "approved_amount": plain(s.approved_amount),
        "held_amount": plain(s.held_amount),
        "county_top_up": plain(s.county_top_up),
    });
    if with_policy {
        let extra = json!({
            "quota": s.quota,
            "budget": plain(s.budget),
            "posts_allocated": s.posts_allocated,
            "allocated_amount": plain(s.allocated_amount),
            "unallocated_amount": plain(s.unallocated_amount),
            "performance": {
                "rows_sent": s.rows_sent,
                "problem_rows": s.problem_rows,
                "file_problems": s.file_problems,
                "fill_rate": s.fill_rate.to_string(),
                "execution_rate": s.execution_rate.to_string(),
                "problem_share": s.problem_share.to_string(),
                "score": s.score.to_string(),
                "grade": s.grade,
            },
        });
        machine::merge(&mut v, extra);
    }
    v
}

/// summary.json bytes. Amounts and rates are decimal strings.
pub fn summary_json(out: &StaffOutput) -> Result<Vec<u8>, serde_json::Error> {
    let files = machine::files_json(&out.files, "staff_sheet", |f| {
        let county = out.file_county(f, None).map(|c| c.to_string());
        vec![("county_code", json!(county))]
    });
    let p = &out.policy;
    let base = Summary {
        program_version: out.program_version,
        policy: p,
        policy_extra: json!({
            "staff_monthly_standard": plain(p.staff_monthly_standard),
            "staff_allocation": plain(p.total_staff_allocation),
            "staff_quota": p.total_staff_quota,
        }),
        files,
        reports: &out.files,
        skipped: &out.skipped,
        notices: &out.notices,
    };
    let own = json!({
        "program": "staff",
        "year": out.year,
        "run_date": out.run_date.to_string(),
        "counties": out.counties.iter().map(|c| county_json(c, true)).collect::<Vec<_>>(),
        "unassigned": county_json(&out.unassigned, false),
        "totals": county_json(&out.totals, true),
        "unattributed_file_problems": out.unattributed_file_problems,
    });
    machine::summary_bytes(base, own)
}
