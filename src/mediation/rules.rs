//! Program A's rules (SPEC §4.2–§4.3): a claim's own rules ([`decide_row`]) and the rules
//! across claims — the first occurrence of a case number ([`first_occurrences`]) and
//! `possible_duplicate` ([`mark_possible_duplicates`]). Pure: no I/O. The caps are applied
//! afterwards by the municipal run ([`super::caps`]); `payrun check` stops before them.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::claim::{Claim, Issue};
use super::period::{PriorPayments, RunPeriod};
use crate::codes::{RowCode, Severity};
use crate::county::CountyCode;
use crate::form::Outcome;
use crate::ingest::header::Field;
use crate::policy::Policy;

/// The decision on one data row.
#[derive(Debug, Clone)]
pub struct Decision {
    pub outcome: Outcome,
    /// Every finding, rejections and warnings, in the order found.
    pub issues: Vec<Issue>,
    /// The policy rate for the row's (纠纷等级, 协议形式), zero when none applies.
    pub standard: Decimal,
    /// What is paid this period (zero unless approved).
    pub approved: Decimal,
}

crate::form::verdict!(Decision, RowCode, Field);

fn issue(code: RowCode, claim: &Claim, field: Option<Field>, message: impl AsRef<str>) -> Issue {
    claim.finding(code, field, message)
}

/// For each claim (in decision order, SPEC §4.3), the claim holding the first occurrence of its
/// case key when it repeats one. Case keys are scoped to their county, so each county is
/// searched on its own, in parallel, in row order. Keys borrow from the claims (no 400k cloned
/// keys).
pub fn first_occurrences(claims: &[Claim]) -> Vec<Option<usize>> {
    let mut keyed: BTreeMap<&CountyCode, Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        if let (Some(county), Some(_)) = (&c.county, &c.case_key) {
            keyed.entry(county).or_default().push(i);
        }
    }
    let repeats: Vec<Vec<(usize, usize)>> = keyed
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|rows| {
            let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
            let mut repeats = Vec::new();
            for &i in rows.iter() {
                let Some(key) = claims.get(i).and_then(|c| c.case_key.as_deref()) else {
                    continue;
                };
                match first_seen.get(key) {
                    Some(&j) => repeats.push((i, j)),
                    None => {
                        first_seen.insert(key, i);
                    }
                }
            }
            repeats
        })
        .collect();
    drop(keyed);
    let mut first_of: Vec<Option<usize>> = vec![None; claims.len()];
    for (i, j) in repeats.into_iter().flatten() {
        if let Some(slot) = first_of.get_mut(i) {
            *slot = Some(j);
        }
    }
    first_of
}

/// The period that already paid (county, case key), if any.
fn paid_in<'a>(prior: &'a PriorPayments, county: &CountyCode, key: &str) -> Option<&'a String> {
    if prior.cases.is_empty() {
        return None;
    }
    prior.cases.get(&(county.clone(), key.to_string()))
}

/// One claim's rules; `issues` are its parse findings, `first_of` is the claim holding the
/// first occurrence of its case key, when this claim repeats it. The period and what earlier
/// periods paid decide `date_out_of_period`, `late_claim` and `already_paid`.
pub fn decide_row(
    c: &Claim,
    mut issues: Vec<Issue>,
    first_of: Option<usize>,
    claims: &[Claim],
    policy: &Policy,
    period: &RunPeriod,
    prior: &PriorPayments,
) -> Decision {
    let parse_findings = issues.len();

    // The answers of the form that refuse a subsidy, in the order the form asks them.
    let refusals = [
        (
            c.successful,
            RowCode::NotSuccessful,
            Field::Result,
            "调解未成功，不予补贴",
        ),
        (
            c.dossier_ok,
            RowCode::DossierNonstandard,
            Field::Dossier,
            "卷宗不规范，不予补贴",
        ),
        (
            c.office_review,
            RowCode::ReviewNotPassed,
            Field::OfficeReview,
            "司法所初审未通过",
        ),
        (
            c.county_review,
            RowCode::ReviewNotPassed,
            Field::CountyReview,
            "县级审核未通过",
        ),
    ];
    for (answer, code, field, why) in refusals {
        if answer == Some(false) {
            issues.push(issue(code, c, Some(field), why));
        }
    }

    if let Some(d) = c.close_date {
        let in_year = d.year() == policy.year;
        if !in_year || d > period.def.end {
            let why = if in_year {
                format!(
                    "结案日期 {d} 晚于本期截止日 {}，请在下一期申报",
                    period.def.end
                )
            } else {
                format!("结案日期 {d} 不在政策年度 {} 年内", policy.year)
            };
            issues.push(issue(
                RowCode::DateOutOfPeriod,
                c,
                Some(Field::CloseDate),
                why,
            ));
        }
        if d > period.run_date {
            issues.push(issue(
                RowCode::DateInFuture,
                c,
                Some(Field::CloseDate),
                format!("结案日期 {d} 晚于审核日 {}", period.run_date),
            ));
        }
        if in_year && d < period.def.start {
            let paid = c
                .county
                .as_ref()
                .zip(c.case_key.as_ref())
                .and_then(|(k, key)| paid_in(prior, k, key));
            if paid.is_none() {
                issues.push(issue(
                    RowCode::LateClaim,
                    c,
                    Some(Field::CloseDate),
                    format!("结案日期 {d} 属于以前期间，此前未发放，按跨期补报核准"),
                ));
            }
        }
    }

    let standard = match (c.level, c.form) {
        (Some(l), Some(f)) => match policy.rate(l, f) {
            Some(r) => r,
            None => {
                issues.push(issue(
                    RowCode::NoRate,
                    c,
                    Some(Field::Form),
                    format!("{}纠纷的{}协议没有补贴标准，不予补贴", l.label(), f.label()),
                ));
                Decimal::ZERO
            }
        },
        _ => Decimal::ZERO,
    };

    if let (Some(county), Some(key)) = (&c.county, &c.case_key) {
        if let Some(period_paid) = paid_in(prior, county, key) {
            issues.push(issue(
                RowCode::AlreadyPaid,
                c,
                Some(Field::CaseNo),
                format!("案件 {key} 已于 {period_paid} 发放补贴，一案只补一次"),
            ));
        }
        if let Some(j) = first_of {
            let first = claims.get(j).map(|f| f.origin.place()).unwrap_or_default();
            issues.push(issue(
                RowCode::DuplicateInBatch,
                c,
                Some(Field::CaseNo),
                format!("案件 {key} 在本批中重复申报，首次出现在 {first}"),
            ));
        }
    }

    if let Some(claimed) = c.claimed
        && !standard.is_zero()
        && claimed != standard
    {
        issues.push(issue(
            RowCode::AmountAdjusted,
            c,
            Some(Field::Claimed),
            format!(
                "申报 {} 元，按标准核定 {} 元",
                crate::money::plain(claimed),
                crate::money::plain(standard)
            ),
        ));
    }
    let account_finding = issues
        .get(..parse_findings)
        .unwrap_or_default()
        .iter()
        .any(|i| i.field == Some(Field::Account));
    if c.account.is_none() && !account_finding {
        issues.push(issue(
            RowCode::MissingBankAccount,
            c,
            Some(Field::Account),
            "未填银行账号，发放前请补充",
        ));
    } else if c.bank.is_none() && c.account.is_some() {
        issues.push(issue(
            RowCode::MissingBankAccount,
            c,
            Some(Field::Bank),
            "未填开户银行，发放前请补充",
        ));
    }

    let rejected = issues.iter().any(|i| i.code.severity() == Severity::Reject);
    if rejected {
        // late_claim describes how an approval was reached; on a rejection it is noise.
        issues.retain(|i| i.code != RowCode::LateClaim);
    }
    // Held for the whole run, one per row: no spare capacity.
    issues.shrink_to_fit();
    Decision {
        outcome: if rejected {
            Outcome::Rejected
        } else {
            Outcome::Approved
        },
        issues,
        standard: crate::money::fen(standard),
        approved: if rejected {
            crate::money::fen(Decimal::ZERO)
        } else {
            crate::money::fen(standard)
        },
    }
}

/// SPEC §4.3 and §9.8: rows sharing mediator, committee, 纠纷类型 and 结案日期 under different case
/// numbers are flagged for a reviewer, every row of the group.
pub fn mark_possible_duplicates(claims: &[Claim], decisions: &mut [Decision]) {
    // The groups never cross counties (the county is part of the bucket), so each county is
    // searched on its own, in parallel; every row gets at most one finding.
    let mut by_county: BTreeMap<Option<&CountyCode>, Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        by_county
            .entry(c.county.as_ref().or(c.sheet_county.as_ref()))
            .or_default()
            .push(i);
    }
    let found: Vec<Vec<(usize, Issue)>> = by_county
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|rows| possible_duplicates(claims, rows))
        .collect();
    for (i, finding) in found.into_iter().flatten() {
        if let Some(d) = decisions.get_mut(i) {
            d.issues.push(finding);
        }
    }
}

/// The `possible_duplicate` findings among `rows` (one county's rows, in order).
fn possible_duplicates(claims: &[Claim], rows: &[usize]) -> Vec<(usize, Issue)> {
    // SPEC §4.3: rows of the same mediator, committee, 纠纷类型 and 结案日期 under different
    // case numbers. "The same mediator" is the same valid ID number, or the same name when
    // either row has no valid ID (blank or broken): a twin whose ID was mistyped is exactly the
    // row a reviewer must see. Two different valid IDs are two people, even with one name.
    type Bucket<'a> = (Option<&'a CountyCode>, &'a str, &'a str, NaiveDate);
    let mut buckets: BTreeMap<Bucket, Vec<usize>> = BTreeMap::new();
    let mut found = Vec::new();
    for &i in rows {
        let Some(c) = claims.get(i) else { continue };
        if c.id_number.is_none() && c.mediator.is_none() {
            continue;
        }
        if let (Some(com), Some(kind), Some(date), Some(_)) =
            (&c.committee, &c.dispute_type, c.close_date, &c.case_key)
        {
            let county = c.county.as_ref().or(c.sheet_county.as_ref());
            buckets
                .entry((county, com.as_str(), kind.as_str(), date))
                .or_default()
                .push(i);
        }
    }
    let same_mediator = |a: &Claim, b: &Claim| match (&a.id_number, &b.id_number) {
        (Some(x), Some(y)) => x == y,
        _ => a.mediator.is_some() && a.mediator == b.mediator,
    };
    for members in buckets.values() {
        if members.len() < 2 {
            continue;
        }
        // Sub-groups by ID and by name keep this linear in a bucket a hostile file fills.
        let mut by_id: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in members {
            let Some(c) = claims.get(i) else { continue };
            if let Some(id) = &c.id_number {
                by_id.entry(id).or_default().push(i);
            }
            if let Some(name) = &c.mediator {
                by_name.entry(name).or_default().push(i);
            }
        }
        let key = |i: usize| claims.get(i).and_then(|c| c.case_key.as_deref());
        let mut marked: Vec<usize> = Vec::new();
        for group in by_id.values() {
            let first = group.first().and_then(|&i| key(i));
            if group.iter().any(|&i| key(i) != first) {
                marked.extend(group);
            }
        }
        for group in by_name.values() {
            let no_id: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&i| claims.get(i).is_some_and(|c| c.id_number.is_none()))
                .collect();
            let mut no_id_keys: Vec<&str> = no_id.iter().filter_map(|&i| key(i)).collect();
            no_id_keys.sort_unstable();
            no_id_keys.dedup();
            match no_id_keys.as_slice() {
                [] => {}
                [only] => {
                    let differ: Vec<usize> = group
                        .iter()
                        .copied()
                        .filter(|&i| key(i) != Some(*only))
                        .collect();
                    if !differ.is_empty() {
                        marked.extend(differ);
                        marked.extend(&no_id);
                    }
                }
                _ => marked.extend(group),
            }
        }
        marked.sort_unstable();
        marked.dedup();
        for &i in &marked {
            let Some(c) = claims.get(i) else { continue };
            let by_id_group = c.id_number.as_deref().and_then(|id| by_id.get(id));
            let by_name_group = c.mediator.as_deref().and_then(|n| by_name.get(n));
            let mut others: Vec<usize> = by_id_group
                .into_iter()
                .chain(by_name_group)
                .flatten()
                .copied()
                .filter(|&j| j != i)
                .filter(|&j| {
                    claims
                        .get(j)
                        .is_some_and(|o| o.case_key != c.case_key && same_mediator(c, o))
                })
                .collect();
            others.sort_unstable();
            others.dedup();
            let others: Vec<String> = others
                .iter()
                .filter_map(|&j| claims.get(j))
                .take(5)
                .map(|o| {
                    format!(
                        "{}（{}）",
                        o.case_no.clone().unwrap_or_default(),
                        o.origin.place()
                    )
                })
                .collect();
            if others.is_empty() {
                continue;
            }
            found.push((
                i,
                issue(
                    RowCode::PossibleDuplicate,
                    c,
                    Some(Field::CaseNo),
                    format!(
                        "同一调解员、调委会、纠纷类型和结案日期另有案件 {}，请复核是否重复",
                        others.join("、")
                    ),
                ),
            ));
        }
    }
    found
}
