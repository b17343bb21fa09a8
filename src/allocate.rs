//! County caps (SPEC §4.4, §9.9) with exact decimal arithmetic. Pure.
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

use rust_decimal::Decimal;

use crate::claim::{Claim, Issue};
use crate::codes::RowCode;
use crate::county::CountyCode;
use crate::decide::{Decision, Outcome};
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
    let mut out = BTreeMap::new();
    for county in &policy.counties {
        let cap = county.mediation_cap;
        let before = paid_before
            .get(&county.code)
            .copied()
            .unwrap_or(Decimal::ZERO);
        let remaining = (cap - before).max(Decimal::ZERO);
        let mut rows = by_county.remove(&county.code).unwrap_or_default();
        rows.sort_by(|&a, &b| {
            let (ca, cb) = (&claims[a], &claims[b]);
            ca.close_date
                .cmp(&cb.close_date)
                .then_with(|| ca.case_key.cmp(&cb.case_key))
                .then(a.cmp(&b))
        });
        let demand: Decimal = rows.iter().map(|&i| decisions[i].standard).sum();
        if demand > remaining {
            match policy.over_cap {
                OverCap::Hold => hold(claims, decisions, &rows, remaining),
                OverCap::Prorate => prorate(claims, decisions, &rows, remaining, demand),
            }
        }
        let approved: Decimal = rows
            .iter()
            .filter(|&&i| decisions[i].outcome == Outcome::Approved)
            .map(|&i| decisions[i].approved)
            .sum();
        out.insert(
            county.code.clone(),
            CapUse {
                cap: fen(cap),
                paid_before: fen(before),
                remaining_before: fen(remaining),
                demand: fen(demand),
                approved: fen(approved),
            },
        );
    }
    out
}

fn hold(claims: &[Claim], decisions: &mut [Decision], rows: &[usize], remaining: Decimal) {
    let mut used = Decimal::ZERO;
    let mut holding = false;
    for &i in rows {
        let d = &mut decisions[i];
        if !holding && used + d.standard <= remaining {
            used += d.standard;
            continue;
        }
        holding = true;
        d.outcome = Outcome::Held;
        d.approved = fen(Decimal::ZERO);
        let cell = claims[i].cell_of(Field::CaseNo);
        let at = cell.clone().map(|c| format!("{c} ")).unwrap_or_default();
        // Exactly one more slot: a plain push would reserve four issues on each of what can be
        // hundreds of thousands of held rows.
        d.issues.reserve_exact(1);
        d.issues.push(Issue {
            code: RowCode::OverCap,
            field: None,
            cell,
            message: Issue::text(format!(
                "{at}本县年度限额剩余 {} 元已用完（按结案日期顺序），本案 {} 元待定，暂不发放",
                crate::money::plain(remaining),
                crate::money::plain(d.standard)
            )),
        });
    }
}

fn prorate(
    _claims: &[Claim],
    decisions: &mut [Decision],
    rows: &[usize],
    remaining: Decimal,
    demand: Decimal,
) {
    let r = to_fen_i128(remaining);
    let dm = to_fen_i128(demand);
    if dm == 0 {
        return;
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
    for (i, q, _) in floors {
        decisions[i].approved = from_fen_i128(q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::plain;

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
