//! The period a run pays and what earlier periods of the year paid (the ledger's answer to the
//! rules): program A's context beside the policy.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::RunError;
use crate::county::CountyCode;
use crate::policy::{PeriodDef, Policy};

/// What earlier periods of the year paid, from the ledger.
#[derive(Debug, Clone, Default)]
pub struct PriorPayments {
    /// (county, case key) → the period that paid it ("2025-H1").
    pub cases: HashMap<(CountyCode, String), String>,
    /// County → amount paid in earlier periods of the policy year.
    pub paid_before: BTreeMap<CountyCode, Decimal>,
}

/// The period being run.
#[derive(Debug, Clone)]
pub struct RunPeriod {
    /// "2025-H1".
    pub label: String,
    pub def: PeriodDef,
    pub run_date: NaiveDate,
}

/// Parses "2025-H1" against the policy.
pub fn parse_period(
    label: &str,
    policy: &Policy,
    run_date: NaiveDate,
) -> Result<RunPeriod, RunError> {
    let label = label.trim();
    let format = || RunError::PeriodFormat(label.to_string());
    let (year, id) = label.split_once('-').ok_or_else(format)?;
    let year: i32 = year.parse().map_err(|_| format())?;
    if year != policy.year {
        return Err(RunError::PeriodYear {
            label: label.to_string(),
            year: policy.year,
            policy: policy.name.clone(),
        });
    }
    let def = policy
        .period(&id.to_ascii_uppercase())
        .ok_or_else(|| {
            let ids: Vec<String> = policy
                .periods
                .iter()
                .map(|p| format!("{year}-{}", p.id))
                .collect();
            RunError::NoSuchPeriod {
                label: label.to_string(),
                available: ids.join("、"),
            }
        })?
        .clone();
    Ok(RunPeriod {
        label: format!("{year}-{}", def.id),
        def,
        run_date,
    })
}

/// The "period" of `payrun check`: the whole policy year, on the check date. A clerk does not
/// choose which half-year pays a claim, so only dates outside the year are out of period.
pub fn whole_year(policy: &Policy, today: NaiveDate) -> RunPeriod {
    let y = policy.year;
    let start = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX);
    RunPeriod {
        label: format!("{y}"),
        def: PeriodDef {
            id: format!("{y}"),
            name: "全年".into(),
            start,
            end,
            pay_by: end,
        },
        run_date: today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_parsed_against_the_policy() {
        let p = Policy::default_policy().unwrap();
        let d = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let h2 = parse_period(" 2025-h2 ", &p, d).unwrap();
        assert_eq!(h2.label, "2025-H2");
        assert_eq!(h2.def.start, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
        let e = |s: &str| parse_period(s, &p, d).unwrap_err().to_string();
        assert_eq!(e("2025H1"), "期间“2025H1”格式应为 YYYY-H1 或 YYYY-H2");
        assert_eq!(e("x-H1"), "期间“x-H1”格式应为 YYYY-H1 或 YYYY-H2");
        assert_eq!(
            e("2024-H1"),
            format!(
                "期间 2024-H1 与政策年度 2025 不符（政策：{}），请使用对应年度的政策文件（--policy）",
                p.name
            )
        );
        assert_eq!(
            e("2025-Q3"),
            "政策中没有期间“2025-Q3”，可用：2025-H1、2025-H2"
        );
    }

    #[test]
    fn the_check_period_is_the_policy_year() {
        let p = Policy::default_policy().unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let r = whole_year(&p, today);
        assert_eq!(r.def.start, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert_eq!(r.def.end, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert_eq!(r.run_date, today);
    }
}
