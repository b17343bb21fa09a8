//! Program B's municipal stage (SPEC §5.2), applied by `payrun staff` after the form's rules and
//! never by `payrun check`: it needs everything the county declared in the year.
//!
//! * **Quota** (`over_quota`, rejection): the people in post at the same time may not exceed
//!   the county's quota. The rows that pass every other rule and have at least one month are
//!   taken in order of 入职日期, then ID number, then reading order, and each occupies its post
//!   for every day from max(入职日期, 1 January) to min(离职日期, 31 December). A row is
//!   accepted when on every day of its span fewer than `quota` accepted people are already in
//!   post; otherwise it is over quota (the message names the first full day). With nobody
//!   leaving this is plain headcount (the latest arrivals give way); a successor who starts
//!   after the predecessor's 离职日期 takes over the same post. Over-quota people are not
//!   funded by the municipal budget at all (the county may fund them itself), hence rejected.
//! * **Budget line** (`over_allocation`, held): in the same order, the accepted municipal
//!   amounts of a county are added up; the first row that would take the total past the
//!   county's budget line is held, and so is every later row of that county (no partial
//!   payment, no later row jumping ahead, as SPEC §9.9). With the quota kept this only happens
//!   when successors and predecessors overlap in months; held rows wait for a decision of the
//!   bureau, they are not paid.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::codes::StaffCode;
use super::parse::StaffRow;
use super::rules::StaffDecision;
use super::yuan_text;
use crate::county::CountyCode;
use crate::form::Verdict;
use crate::ingest::header::StaffField;
use crate::policy::Policy;

/// Applies the quota and the budget line to decided rows (in decision order); run
/// [`super::rules::settle`] afterwards.
pub fn quota_and_budget(rows: &[StaffRow], out: &mut [StaffDecision], policy: &Policy) {
    let year = policy.year;
    let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return;
    };
    // County → candidate row indices.
    let mut by_county: BTreeMap<&CountyCode, Vec<usize>> = BTreeMap::new();
    for (i, (r, d)) in rows.iter().zip(out.iter()).enumerate() {
        if d.rejects() || r.months.unwrap_or(0) < 1 || r.start.is_none() {
            continue;
        }
        if let Some(c) = &r.county {
            by_county.entry(c).or_default().push(i);
        }
    }
    for (county, mut idx) in by_county {
        let Some(def) = policy.county(county) else {
            continue;
        };
        idx.sort_by(|&a, &b| {
            let (x, y) = (&rows[a], &rows[b]);
            (x.start, &x.id_number, a).cmp(&(y.start, &y.id_number, b))
        });
        let quota = def.staff_quota;
        let mut occupied = [0u32; 366];
        let mut accepted: Vec<usize> = Vec::new();
        for &i in &idx {
            let Some(r) = rows.get(i) else { continue };
            let Some(start) = r.start else { continue };
            let Some((a, b)) = super::rules::span_in_year(start, r.end, year) else {
                continue;
            };
            let from = a.ordinal0() as usize;
            let to = (b.ordinal0() as usize).min(365);
            let full = (from..=to).find(|&d| occupied.get(d).is_some_and(|n| *n >= quota));
            match full {
                Some(day) => {
                    let date = jan1
                        .checked_add_days(chrono::Days::new(day as u64))
                        .unwrap_or(a);
                    if let Some(d) = out.get_mut(i) {
                        d.issues.push(r.finding(StaffCode::OverQuota, Some(StaffField::IdNumber),
                            format!(
                                "{}协勤人员定额 {quota} 人，按入职日期先后（同日按身份证号码）核定，{date} 起在岗人数已满定额，本人员超出定额，市级经费不予补助",
                                def.name
                            ),
                        ));
                    }
                }
                None => {
                    for n in occupied.iter_mut().take(to + 1).skip(from) {
                        *n += 1;
                    }
                    accepted.push(i);
                }
            }
        }
        let budget = def.staff_allocation;
        let mut total = Decimal::ZERO;
        let mut over = false;
        for &i in &accepted {
            let Some(r) = rows.get(i) else { continue };
            let amount = r.municipal.unwrap_or_default();
            if !over && total + amount > budget {
                over = true;
            }
            if over {
                if let Some(d) = out.get_mut(i) {
                    d.issues.push(r.finding(StaffCode::OverAllocation, Some(StaffField::Municipal),
                        format!(
                            "{}协勤经费预算额度 {} 元，按入职日期先后已核定 {} 元，本人员市级补助 {} 元超出额度，暂缓发放，待市司法局研究决定",
                            def.name,
                            yuan_text(budget),
                            yuan_text(total),
                            yuan_text(amount)
                        ),
                    ));
                }
            } else {
                total += amount;
            }
        }
    }
}
