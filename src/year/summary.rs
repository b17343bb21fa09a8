//! The year's summary.json (SPEC §14.3): every figure of the workbooks, amounts and rates as
//! decimal strings, the gaps by code and in words.

use serde_json::{Value, json};

use super::YearOutput;
use super::execution::{MediationLine, StaffLine};
use super::selfeval::Evaluation;
use crate::money::plain;

fn mediation_line(l: &MediationLine) -> Value {
    json!({
        "code": if l.code.is_empty() { Value::Null } else { json!(l.code) },
        "name": l.name,
        "cap": plain(l.cap),
        "approved_by_period": l.approved_by_period.iter().map(|a| plain(*a)).collect::<Vec<_>>(),
        "approved": plain(l.approved),
        "credited": plain(l.credited),
        "failed_unpaid": plain(l.failed),
        "pending": plain(l.pending),
        "held": plain(l.held),
        "held_rows": l.held_rows,
        "execution_rate": l.execution_rate().to_string(),
        "approved_rows": l.approved_rows,
        "rejected_rows": l.rejected_rows,
        "claimed_rows": l.claimed_rows,
        "mediators": l.mediators,
    })
}

fn staff_line(l: &StaffLine) -> Value {
    json!({
        "code": if l.code.is_empty() { Value::Null } else { json!(l.code) },
        "name": l.name,
        "quota": l.quota,
        "posts_allocated": l.posts_allocated,
        "allocated_amount": plain(l.allocated),
        "approved_amount": plain(l.approved),
        "execution_rate": l.execution_rate.to_string(),
        "score": l.score.to_string(),
        "grade": l.grade,
    })
}

fn evaluation(e: &Evaluation) -> Value {
    json!({
        "project": e.project.name,
        "department": e.project.department,
        "implementer": e.project.implementer,
        "goal": e.project.goal,
        "achieved": e.achieved,
        "budget_initial": plain(e.budget_initial),
        "budget_full": plain(e.budget_full),
        "executed": e.executed.map(plain),
        "execution_rate": e.execution_rate.map(|r| r.to_string()),
        "funds_points": super::indicators::FUNDS_POINTS,
        "funds_score": e.funds_score.map(|s| s.to_string()),
        "indicators": e.rows.iter().map(|r| json!({
            "level1": r.indicator.level1,
            "level2": r.indicator.level2,
            "level3": r.indicator.level3,
            "target": r.indicator.target_shown(),
            "measure": r.indicator.measure.code(),
            "points": r.indicator.points.normalize().to_string(),
            "actual": r.actual.map(|a| a.to_string()),
            "score": r.score.map(|s| s.to_string()),
            "pending": r.pending.map(|p| p.label()),
            "partial": r.partial,
        })).collect::<Vec<_>>(),
        "total": e.total.to_string(),
        "pending_points": e.pending_points.to_string(),
        "grade": e.grade,
    })
}

/// summary.json bytes.
pub fn json(out: &YearOutput) -> Result<Vec<u8>, serde_json::Error> {
    let x = &out.execution;
    let a = &out.allocation;
    let v = json!({
        "program": "year",
        "program_version": out.program_version,
        "year": x.year,
        "run_date": out.run_date.to_string(),
        "policy": { "name": out.policy.name, "source": out.policy.source, "sha256": out.policy.sha256 },
        "periods": x.periods.iter().map(|p| json!({
            "period": p.label,
            "name": p.name,
            "pay_by": p.pay_by.to_string(),
            "reviewed": p.reviewed,
            "in_ledger": p.in_ledger,
            "finalized": p.finalized,
            "run_date": p.run_date.map(|d| d.to_string()),
        })).collect::<Vec<_>>(),
        "gaps": x.gaps.iter().map(|g| json!({"code": g.code, "text": g.text})).collect::<Vec<_>>(),
        "mediation": {
            "counties": x.counties.iter().map(mediation_line).collect::<Vec<_>>(),
            "total": mediation_line(&x.total),
            "bank_answers": x.answered,
            "payroll_lines": x.lines,
            "payroll_lines_on_time": x.lines_on_time,
        },
        "staff": x.staff.as_ref().map(|(c, t)| json!({
            "run_date": x.staff_run_date,
            "counties": c.iter().map(staff_line).collect::<Vec<_>>(),
            "total": staff_line(t),
        })),
        "self_evaluation": {
            "mediation": evaluation(&out.mediation),
            "staff": evaluation(&out.staff),
        },
        "allocation": {
            "next_year": a.next_year,
            "bound": a.bound.to_string(),
            "round_to": plain(a.round_to),
            "total": plain(a.total),
            "proposed_total": plain(a.proposed_total),
            "unallocated": plain(a.unallocated),
            "counties": a.lines.iter().map(|l| json!({
                "code": l.code,
                "name": l.name,
                "cap": plain(l.cap),
                "approved": plain(l.approved),
                "held": plain(l.held),
                "demand": plain(l.demand),
                "share": plain(l.share),
                "lower": plain(l.lower),
                "upper": plain(l.upper),
                "proposed": plain(l.proposed),
                "note": l.note,
            })).collect::<Vec<_>>(),
            "staff_known": a.staff_known,
            "graded_poor": a.poor.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
            "posts_vacant": a.vacant.iter().map(|f| json!({
                "name": f.name, "quota": f.quota, "posts_allocated": f.posts_allocated,
                "vacant": f.quota.saturating_sub(f.posts_allocated),
            })).collect::<Vec<_>>(),
        },
    });
    let mut bytes = serde_json::to_vec_pretty(&v)?;
    bytes.push(b'\n');
    Ok(bytes)
}
