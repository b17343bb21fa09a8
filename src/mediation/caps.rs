//! Program A's county caps (SPEC §4.4, §9.9), applied by the municipal run after the form's
//! rules, with exact decimal arithmetic. Pure.
//!
//! `hold`: approved rows are taken in order of 结案日期 then case key; the first row that does
//! not fit the remaining cap is held, and so is every later row of that county — no partial
//! payment, no later row jumping ahead.
//!
//! `prorate`: when demand exceeds the remaining cap, every approved row of the county is scaled
//! by remaining ÷ demand and rounded to the fen by the largest-remainder method (exact integer
//! arithmetic on fen), so the county total equals the remaining cap exactly. Ties in the
//! remainder go to the earlier row in the same order as `hold`.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::claim::{Claim, Issue};
use super::rules::Decision;
use crate::codes::RowCode;
use crate::county::CountyCode;
use crate::form::Outcome;
use crate::ingest::header::Field;
use crate::money::{fen, from_fen_i128, to_fen_i128};
use crate::policy::{OverCap, Policy};

/// Per county: cap, paid before, and what this period used.
#[derive(Debug, Clone)]
pub struct CapUse {
    pub cap: Decimal,
    pub paid_before: Decimal,
    pub remaining_before: Decimal,
    pub demand: Decimal,
    pub approved: Decimal,
}

pub fn allocate(
    claims: &[Claim],
    decisions: &mut [Decision],
    policy: &Policy,
    paid_before: &BTreeMap<CountyCode, Decimal>,
) -> BTreeMap<CountyCode, CapUse> {
    let mut by_county: BTreeMap<CountyCode, Vec<usize>> = BTreeMap::new();
    for (i, (c, d)) in claims.iter().zip(decisions.iter()).enumerate() {
        if d.outcome == Outcome::Approved
            && let Some(k) = &c.county
        {
            by_county.entry(k.clone()).or_default().push(i);
        }
    }
    let jobs: Vec<_> = policy
        .counties
        .iter()
        .map(|county| {
            let rows = by_county.remove(&county.code).unwrap_or_default();
            (county, rows)
        })
        .collect();
    // Counties are independent: each is planned in parallel from the decisions as they stand,
    // and the plans are applied afterwards in policy order.
    let decided: &[Decision] = decisions;
    let plans: Vec<Plan> = jobs
        .into_par_iter()
        .map(|(county, mut rows)| {
            let cap = county.mediation_cap;
            let before = paid_before
                .get(&county.code)
                .copied()
                .unwrap_or(Decimal::ZERO);
            let remaining = (cap - before).max(Decimal::ZERO);
            rows.sort_by(|&a, &b| {
                let (ca, cb) = (&claims[a], &claims[b]);
                ca.close_date
                    .cmp(&cb.close_date)
                    .then_with(|| ca.case_key.cmp(&cb.case_key))
                    .then(a.cmp(&b))
            });
            let demand: Decimal = rows.iter().map(|&i| decided[i].standard).sum();
            let changes = if demand > remaining {
                match policy.over_cap {
                    OverCap::Hold => hold_plan(claims, decided, &rows, remaining),
                    OverCap::Prorate => prorate_plan(decided, &rows, remaining, demand),
                }
            } else {
                Vec::new()
            };
            Plan {
                code: county.code.clone(),
                cap,
                before,
                remaining,
                demand,
                rows,
                changes,
            }
        })
        .collect();
    let mut out = BTreeMap::new();
    for plan in plans {
        apply(decisions, plan.changes);
        let approved: Decimal = plan
            .rows
            .iter()
            .filter(|&&i| decisions[i].outcome == Outcome::Approved)
            .map(|&i| decisions[i].approved)
            .sum();
        out.insert(
            plan.code,
            CapUse {
                cap: fen(plan.cap),
                paid_before: fen(plan.before),
                remaining_before: fen(plan.remaining),
                demand: fen(plan.demand),
                approved: fen(approved),
            },
        );
    }
    out
}

/// One county's caps, worked out before anything is changed.
struct Plan {
    code: CountyCode,
    cap: Decimal,
    before: Decimal,
    remaining: Decimal,
    demand: Decimal,
    /// The county's approved rows in cap order.
    rows: Vec<usize>,
    changes: Vec<(usize, Change)>,
}

/// What the caps do to one row.
enum Change {
    Hold(Issue),
    Pay(Decimal),
}

fn apply(decisions: &mut [Decision], changes: Vec<(usize, Change)>) {
    for (i, change) in changes {
        let Some(d) = decisions.get_mut(i) else {
            continue;
        };
        match change {
            Change::Hold(finding) => {
                d.outcome = Outcome::Held;
                d.approved = fen(Decimal::ZERO);
                // Exactly one more slot: a plain push would reserve four issues on each of what
                // can be hundreds of thousands of held rows.
                d.issues.reserve_exact(1);
                d.issues.push(finding);
            }
            Change::Pay(amount) => d.approved = amount,
        }
    }
}

fn hold_plan(
    claims: &[Claim],
    decisions: &[Decision],
    rows: &[usize],
    remaining: Decimal,
) -> Vec<(usize, Change)> {
    let mut used = Decimal::ZERO;
    // The first row that did not fit and what was left of the cap then.
    let mut first: Option<(usize, Decimal)> = None;
    let mut changes = Vec::new();
    for &i in rows {
        let d = &decisions[i];
        if first.is_none() && used + d.standard <= remaining {
            used += d.standard;
            continue;
        }
        let (blocker, left) = *first.get_or_insert((i, remaining - used));
        let cell = claims[i].cell_of(Field::CaseNo);
        let at = cell.clone().map(|c| format!("{c} ")).unwrap_or_default();
        let blocking = (blocker != i).then(|| {
            let b = &claims[blocker];
            (
                b.case_no.as_deref().unwrap_or("（无编号）").to_string(),
                b.close_date,
                decisions[blocker].standard,
            )
        });
        changes.push((
            i,
            Change::Hold(Issue {
                code: RowCode::OverCap,
                field: None,
                cell,
                message: Issue::text(format!("{at}{}", held_message(left, d.standard, blocking))),
            }),
        ));
    }
    changes
}

/// Why a row is held, with the figures (SPEC §9.9): the cap left once the earlier cases are paid
/// (the 剩余额度 of the county's 汇总 line), the case that does not fit it, and the rule that a
/// later case never jumps ahead of an earlier one. `blocking` is that case when it is another
/// one (case number, 结案日期, amount); None when this row is the one that does not fit.
pub fn held_message(
    left: Decimal,
    amount: Decimal,
    blocking: Option<(String, Option<chrono::NaiveDate>, Decimal)>,
) -> String {
    let fits = amount <= left;
    let left = crate::money::plain(left);
    let amount = crate::money::plain(amount);
    match blocking {
        None => format!(
            "本县年度限额按结案日期先后核准后剩余 {left} 元（汇总表“剩余额度”），不够支付本案 {amount} 元，不部分支付：本案待定，结案在后的案件也随之待定"
        ),
        Some((case, date, need)) => {
            let date = date.map(|d| format!("，{d} 结案")).unwrap_or_default();
            let this = if fits {
                format!("故本案 {amount} 元虽不超过剩余额度，也待定")
            } else {
                format!("本案 {amount} 元待定")
            };
            format!(
                "本县年度限额剩余 {left} 元（汇总表“剩余额度”），不够支付结案在先的案件 {case}（{} 元{date}）；按结案日期先后发放，后结案的不能越过先结案的，{this}",
                crate::money::plain(need)
            )
        }
    }
}

#[cfg(test)]
fn prorate(
    _claims: &[Claim],
    decisions: &mut [Decision],
    rows: &[usize],
    remaining: Decimal,
    demand: Decimal,
) {
    let changes = prorate_plan(decisions, rows, remaining, demand);
    apply(decisions, changes);
}

fn prorate_plan(
    decisions: &[Decision],
    rows: &[usize],
    remaining: Decimal,
    demand: Decimal,
) -> Vec<(usize, Change)> {
    let r = to_fen_i128(remaining);
    let dm = to_fen_i128(demand);
    if dm == 0 {
        return Vec::new();
    }
    let mut floors: Vec<(usize, i128, i128)> = Vec::with_capacity(rows.len());
    let mut given: i128 = 0;
    for &i in rows {
        let a = to_fen_i128(decisions[i].standard);
        let prod = a * r;
        let (q, rem) = (prod / dm, prod % dm);
        given += q;
        floors.push((i, q, rem));
    }
    let mut leftover = r - given;
    let mut order: Vec<usize> = (0..floors.len()).collect();
    // Largest remainder first; the sort is stable, so ties keep the date order.
    order.sort_by(|&a, &b| floors[b].2.cmp(&floors[a].2));
    for k in order {
        if leftover <= 0 {
            break;
        }
        floors[k].1 += 1;
        leftover -= 1;
    }
    floors
        .into_iter()
        .map(|(i, q, _)| (i, Change::Pay(from_fen_i128(q))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::plain;

    #[test]
    fn a_held_row_says_what_is_left_and_which_case_waits_first() {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 11, 3);
        let first = held_message(Decimal::new(29000, 2), Decimal::from(400), None);
        assert_eq!(
            first,
            "本县年度限额按结案日期先后核准后剩余 290.00 元（汇总表“剩余额度”），不够支付本案 400.00 元，不部分支付：本案待定，结案在后的案件也随之待定"
        );
        let later = held_message(
            Decimal::new(29000, 2),
            Decimal::from(50),
            Some(("(2025)峨调字第123号".into(), day, Decimal::from(400))),
        );
        assert!(
            later.contains("剩余 290.00 元")
                && later.contains("(2025)峨调字第123号（400.00 元，2025-11-03 结案）")
                && later.contains("故本案 50.00 元虽不超过剩余额度，也待定"),
            "{later}"
        );
        let big = held_message(
            Decimal::new(29000, 2),
            Decimal::from(400),
            Some(("X-1".into(), None, Decimal::from(400))),
        );
        assert!(
            big.ends_with("，本案 400.00 元待定") && big.contains("X-1（400.00 元）"),
            "{big}"
        );
    }

    #[test]
    fn largest_remainder_makes_the_total_exact() {
        // Three rows of 100 against 200 remaining: 66.67 + 66.67 + 66.66 = 200.00.
        let mut ds: Vec<Decision> = (0..3)
            .map(|_| Decision {
                outcome: Outcome::Approved,
                issues: vec![],
                standard: Decimal::from(100),
                approved: Decimal::from(100),
            })
            .collect();
        prorate(
            &[],
            &mut ds,
            &[0, 1, 2],
            Decimal::from(200),
            Decimal::from(300),
        );
        let got: Vec<String> = ds.iter().map(|d| plain(d.approved)).collect();
        assert_eq!(got, ["66.67", "66.67", "66.66"]);
        let total: Decimal = ds.iter().map(|d| d.approved).sum();
        assert_eq!(total, Decimal::from(200));
    }
}
