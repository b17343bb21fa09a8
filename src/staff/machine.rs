//! decisions.csv and summary.json of a staff run (the conventions of SPEC §4.6).
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

use serde_json::{Value, json};

use super::{CountyStaff, StaffOutput};
use crate::money::plain;

/// decisions.csv bytes.
pub fn decisions_csv(out: &StaffOutput) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(out.rows.len() * 96));
    w.write_record([
        "file",
        "sheet",
        "row",
        "county_code",
        "id_number",
        "decision",
        "reasons",
        "standard_amount",
        "approved_amount",
    ])?;
    for i in out.reading_order() {
        let (Some(r), Some(d)) = (out.rows.get(i), out.decisions.get(i)) else {
            continue;
        };
        w.write_record([
            &*r.origin.file,
            &*r.origin.sheet,
            &r.origin.row.to_string(),
            r.county.as_ref().map(|k| k.as_str()).unwrap_or(""),
            r.id_number.as_deref().unwrap_or(&r.id_text),
            d.outcome.as_str(),
            &d.reasons(),
            &plain(d.standard),
            &plain(d.approved),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
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
    if with_policy && let Some(m) = v.as_object_mut() {
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
        if let Some(e) = extra.as_object() {
            for (k, x) in e {
                m.insert(k.clone(), x.clone());
            }
        }
    }
    v
}

/// summary.json bytes. Amounts and rates are decimal strings.
pub fn summary_json(out: &StaffOutput) -> Result<Vec<u8>, serde_json::Error> {
    let files: Vec<Value> = out
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "sha256": f.sha256,
                "bytes": f.bytes,
                "format": f.format.map(|x| format!("{x:?}").to_lowercase()),
                "status": if f.ok() { "ok" } else { "error" },
                "error": f.error.as_ref().map(|(c, m)| json!({"code": c.as_str(), "message": m})),
                "county_code": out.file_county(f, None).map(|c| c.to_string()),
                "data_rows": f.data_rows,
                "sheets": f.sheets.iter().map(|s| json!({
                    "name": s.name,
                    "hidden": s.hidden,
                    "staff_sheet": s.is_claim,
                    "county_code": s.county.as_ref().map(|c| c.as_str()),
                    "data_rows": s.data_rows,
                    "problem": s.problem.as_ref().map(|(c, m)| json!({"code": c.as_str(), "message": m})),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let v = json!({
        "program": "staff",
        "year": out.year,
        "run_date": out.run_date.to_string(),
        "program_version": out.program_version,
        "policy": {
            "name": out.policy.name,
            "year": out.policy.year,
            "source": out.policy.source,
            "sha256": out.policy.sha256,
            "staff_monthly_standard": plain(out.policy.staff_monthly_standard),
            "staff_allocation": plain(out.policy.total_staff_allocation),
            "staff_quota": out.policy.total_staff_quota,
        },
        "files": crate::report::machine::with_skipped(files, &out.skipped),
        "counties": out.counties.iter().map(|c| county_json(c, true)).collect::<Vec<_>>(),
        "unassigned": county_json(&out.unassigned, false),
        "totals": county_json(&out.totals, true),
        "unattributed_file_problems": out.unattributed_file_problems,
        "files_with_errors": out.files.iter().filter(|f| !f.ok()).count(),
        "notices": out.notices,
    });
    let mut bytes = serde_json::to_vec_pretty(&v)?;
    bytes.push(b'\n');
    Ok(bytes)
}
