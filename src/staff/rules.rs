//! Program B's form rules (SPEC §5.2), as a finance officer applies them: the rules of a row and
//! the duplicates across rows. Pure: typed rows + policy in, one decision per row out.
//!
//! Row rules (each a rejection unless marked warning; a field that could not be read gets its
//! own code from [`super::parse`] and the rules that need it are skipped, SPEC §9.6):
//!
//! * **在岗月数** must be a whole number from 0 to 12 (`months_out_of_range`).
//! * **Dates**: a 离职日期 earlier than the 入职日期 is `bad_value` on the 离职日期 cell.
//! * **Consistency** (`months_inconsistent`): 在岗月数 may not exceed the calendar months of the
//!   policy year in which the person was in post on at least one day, i.e. the months from
//!   max(入职日期, 1 January) to min(离职日期, 31 December) inclusive, a partial month counting as
//!   a whole month (离职日期 is the last day in post; no 离职日期 means still in post). Fewer
//!   months than that are accepted: a county may pay from the month after arrival or leave out
//!   unpaid leave. Someone not in post at all during the year allows 0 months.
//! * **Municipal money** (`over_monthly_standard`): 市级补助金额 ≤ policy monthly standard ×
//!   在岗月数. Less is accepted and paid as declared; more is rejected, never cut down silently
//!   (the county corrects the row and resends).
//! * **月补助标准** different from the policy standard is the warning `standard_mismatch`: the
//!   policy figure is what the amount is checked against, so a wrong column entry alone does not
//!   stop a correct payment, but the county is told.
//! * **性别** that contradicts the sex digit of a valid ID number is the warning
//!   `gender_mismatch` (often the sign of someone else's ID typed in).
//! * **0 months** is the warning `zero_months`: the row is accepted, takes no post and pays
//!   nothing (it is not in the payroll).
//! * A missing 开户银行 or 银行账号 is the warning `missing_bank_account` (payroll: 待补账号).
//!
//! Across rows:
//!
//! * **One person, one county** (`duplicate_person`): a valid ID number that appears in two or
//!   more counties is rejected in every county, each message naming the other places.
//! * **One row per person in a county** (`duplicate_in_batch`): the first row of an ID in the
//!   order (county code, file path, sheet, row) is decided normally, every later row of the same
//!   ID in the same county is rejected naming the first. A transfer between 司法所 of one county
//!   is declared as one row.
//!
//! The quota and the budget line are the municipal run's ([`super::quota`]); `payrun check`
//! stops before them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::codes::StaffCode;
use super::parse::{StaffIssue, StaffRow};
use super::yuan_text;
use crate::county::CountyCode;
use crate::form::{Outcome, Verdict};
use crate::ingest::header::StaffField;
use crate::money::fen;
use crate::policy::Policy;

/// The decision on one staff row.
#[derive(Debug, Clone)]
pub struct StaffDecision {
    pub outcome: Outcome,
    /// Every finding (the row's parse issues first, then the rules'), in the order found.
    pub issues: Vec<StaffIssue>,
    /// Policy monthly standard × 在岗月数 (0.00 when the months are unknown or out of range).
    pub standard: Decimal,
    /// 市级补助金额 paid (0.00 unless approved).
    pub approved: Decimal,
    /// Approved with at least one month: the person takes a post and is on the payroll.
    pub in_post: bool,
}

crate::form::verdict!(StaffDecision, StaffCode, StaffField);

/// The outcome label shown in workbooks.
pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Approved => "核准",
        Outcome::Rejected => "不予补助",
        Outcome::Held => "超额度待定",
    }
}

/// The months of `year` in which someone in post from `start` to `end` (inclusive; None = still
/// in post) was in post on at least one day.
pub fn months_possible(start: NaiveDate, end: Option<NaiveDate>, year: i32) -> u32 {
    match span_in_year(start, end, year) {
        Some((a, b)) => b.month() - a.month() + 1,
        None => 0,
    }
}

/// The days of `year` in post: [max(start, 1 Jan), min(end, 31 Dec)], None when empty.
pub(super) fn span_in_year(
    start: NaiveDate,
    end: Option<NaiveDate>,
    year: i32,
) -> Option<(NaiveDate, NaiveDate)> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31)?;
    let a = start.max(jan1);
    let b = end.unwrap_or(dec31).min(dec31);
    (a <= b).then_some((a, b))
}

pub(super) fn county_name(policy: &Policy, code: &CountyCode) -> String {
    policy
        .county(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// Sets each row's outcome, amount and post from its findings: rejected when a finding
/// rejects, held when over the budget line, else approved at its declared municipal amount.
/// Run after the rules across rows and again after the quota, which add findings.
pub fn settle(rows: &[StaffRow], out: &mut [StaffDecision]) {
    for (r, d) in rows.iter().zip(out.iter_mut()) {
        d.outcome = if d.rejects() {
            Outcome::Rejected
        } else if d.has(StaffCode::OverAllocation) {
            Outcome::Held
        } else {
            Outcome::Approved
        };
        let approved = d.outcome == Outcome::Approved;
        d.approved = fen(if approved {
            r.municipal.unwrap_or_default()
        } else {
            Decimal::ZERO
        });
        d.in_post = approved && r.months.unwrap_or(0) >= 1;
        d.standard = fen(d.standard);
    }
}

/// The rules of one row; `parsed` are its parse findings.
pub fn row_rules(r: &StaffRow, parsed: Vec<StaffIssue>, policy: &Policy) -> StaffDecision {
    let unreadable: Vec<StaffField> = parsed.iter().filter_map(|i| i.field).collect();
    let unreadable = |f: StaffField| unreadable.contains(&f);
    let mut issues = parsed;
    let std = policy.staff_monthly_standard;
    let year = policy.year;

    let months = match r.months {
        Some(m) if (0..=12).contains(&m) => u32::try_from(m).ok(),
        Some(m) => {
            issues.push(r.finding(
                StaffCode::MonthsOutOfRange,
                Some(StaffField::Months),
                format!("填了 {m} 个月，一年在岗月数只能是 0 至 12"),
            ));
            None
        }
        None => None,
    };

    let mut dates_ok = r.start.is_some() && !unreadable(StaffField::EndDate);
    if let (Some(s), Some(e)) = (r.start, r.end)
        && e < s
    {
        issues.push(r.finding(
            StaffCode::BAD_VALUE,
            Some(StaffField::EndDate),
            format!("离职日期 {e} 早于入职日期 {s}，请核对"),
        ));
        dates_ok = false;
    }

    if let (Some(m), Some(s), true) = (months, r.start, dates_ok) {
        let possible = months_possible(s, r.end, year);
        if m > possible {
            let end_text = match r.end {
                Some(e) => format!("离职日期 {e}"),
                None => "未填离职日期（视为仍在岗）".to_string(),
            };
            issues.push(r.finding(StaffCode::MonthsInconsistent, Some(StaffField::Months),
                format!(
                    "填了 {m} 个月，但按入职日期 {s}、{end_text}，{year} 年内最多在岗 {possible} 个月（不满一月按一月计），请按实际在岗月数填写"
                ),
            ));
        }
    }

    let standard = months.map(|m| std * Decimal::from(m)).unwrap_or_default();
    if let (Some(m), Some(amount)) = (months, r.municipal)
        && amount > standard
    {
        issues.push(r.finding(
            StaffCode::OverMonthlyStandard,
            Some(StaffField::Municipal),
            format!(
                "市级补助 {} 元超过标准 {} 元/月 × {m} 个月 = {} 元，请按标准更正",
                yuan_text(amount),
                yuan_text(std),
                yuan_text(standard)
            ),
        ));
    }

    if let Some(s) = r.monthly_standard
        && fen(s) != fen(std)
    {
        issues.push(r.finding(
            StaffCode::StandardMismatch,
            Some(StaffField::MonthlyStandard),
            format!(
                "填了 {} 元，政策标准为每人每月 {} 元，市级补助按政策标准核定（提醒）",
                yuan_text(s),
                yuan_text(std)
            ),
        ));
    }

    if let (Some(g), Some(id)) = (&r.gender, &r.id_number) {
        let said_male = match crate::cell::compact(g).as_str() {
            "男" | "男性" => Some(true),
            "女" | "女性" => Some(false),
            _ => None,
        };
        let id_male = id
            .as_bytes()
            .get(16)
            .and_then(|b| (*b as char).to_digit(10))
            .map(|d| d % 2 == 1);
        if let (Some(a), Some(b)) = (said_male, id_male)
            && a != b
        {
            issues.push(r.finding(
                StaffCode::GenderMismatch,
                Some(StaffField::Gender),
                format!(
                    "填的是“{g}”，身份证号码第 17 位表示{}，请核对身份证号码是否为本人（提醒）",
                    if b { "男" } else { "女" }
                ),
            ));
        }
    }

    if months == Some(0) {
        issues.push(r.finding(
            StaffCode::ZeroMonths,
            Some(StaffField::Months),
            "在岗月数为 0：不占定额，本年度不发放（提醒）",
        ));
    }

    if months != Some(0) {
        let missing: Vec<&str> = [
            (
                r.bank.is_none() && !unreadable(StaffField::Bank),
                "开户银行",
            ),
            (
                r.account.is_none() && !unreadable(StaffField::Account),
                "银行账号",
            ),
        ]
        .into_iter()
        .filter_map(|(m, n)| m.then_some(n))
        .collect();
        if !missing.is_empty() {
            let f = if r.account.is_none() {
                StaffField::Account
            } else {
                StaffField::Bank
            };
            issues.push(r.finding(
                StaffCode::MISSING_BANK_ACCOUNT,
                Some(f),
                format!(
                    "未填{}，发放表中显示“待补账号”，请补充（提醒）",
                    missing.join("和")
                ),
            ));
        }
    }

    StaffDecision {
        outcome: Outcome::Approved,
        issues,
        standard,
        approved: Decimal::ZERO,
        in_post: false,
    }
}

/// One person, one county (`duplicate_person`) and one row per person in a county
/// (`duplicate_in_batch`), over rows in decision order.
pub fn duplicates(rows: &[StaffRow], out: &mut [StaffDecision], policy: &Policy) {
    // ID → (county → row indices), over rows whose county is known.
    let mut by_id: BTreeMap<&str, BTreeMap<&CountyCode, Vec<usize>>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let (Some(id), Some(c)) = (&r.id_number, &r.county) {
            by_id
                .entry(id.as_str())
                .or_default()
                .entry(c)
                .or_default()
                .push(i);
        }
    }
    for counties in by_id.values() {
        if counties.len() > 1 {
            for (county, idx) in counties {
                let elsewhere: Vec<String> = counties
                    .iter()
                    .filter(|(c, _)| c != &county)
                    .flat_map(|(c, v)| {
                        v.iter()
                            .filter_map(|&j| rows.get(j))
                            .map(|o| format!("{}（{}）", county_name(policy, c), o.origin.place()))
                    })
                    .take(5)
                    .collect();
                for &i in idx {
                    if let (Some(r), Some(d)) = (rows.get(i), out.get_mut(i)) {
                        d.issues.push(r.finding(StaffCode::DuplicatePerson, Some(StaffField::IdNumber),
                            format!(
                                "同一身份证号码也在 {} 申报；同一人只能在一个县（市、区）领取，两处均不予补助，请有关县（市、区）核实后由实际在岗的一方重新报送",
                                elsewhere.join("、")
                            ),
                        ));
                    }
                }
            }
        }
        for idx in counties.values() {
            let Some((&first, later)) = idx.split_first() else {
                continue;
            };
            let Some(first_row) = rows.get(first) else {
                continue;
            };
            for &i in later {
                if let (Some(r), Some(d)) = (rows.get(i), out.get_mut(i)) {
                    d.issues.push(r.finding(StaffCode::DUPLICATE_IN_BATCH, Some(StaffField::IdNumber),
                        format!(
                            "与 {} 是同一人；同一人在本县只能申报一行（调动的按现所在司法所填一行），本行不予补助",
                            first_row.origin.place()
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::form::Origin;
    use crate::staff::StaffForm;
    use crate::staff::parse::StaffFields;

    fn decide_all(rows: &mut [StaffRow], policy: &Policy) -> Vec<StaffDecision> {
        let staff = StaffForm {
            policy,
            run_date: ymd(2025, 4, 1),
        };
        crate::staff::decide_all(&staff, rows)
    }

    pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A valid ID for a region, birth date and sequence.
    pub(crate) fn make_id(region: &str, birth: &str, seq: u32) -> String {
        let body = format!("{region}{birth}{seq:03}");
        let check = crate::cell::id_check_char(&body).expect("17 digits");
        format!("{body}{check}")
    }

    /// A clean full-year row of `county` at `row` of file `file`.
    pub(crate) fn person(county: &str, file: &str, row: u32, seq: u32) -> StaffRow {
        StaffRow {
            origin: Origin {
                file: file.into(),
                sheet: "Sheet1".into(),
                sheet_index: 0,
                row,
            },
            county: CountyCode::new(county),
            sheet_county: CountyCode::new(county),
            fields: StaffFields {
                office: Some("玉带路司法所".into()),
                name: Some(format!("协勤{seq}")),
                id_number: Some(make_id("530402", "19900101", seq)),
                id_text: String::new(),
                gender: None,
                education: None,
                major: None,
                start: Some(ymd(2020, 1, 1)),
                end: None,
                months: Some(12),
                monthly_standard: Some(Decimal::from(1000)),
                municipal: Some(Decimal::from(12000)),
                county_top_up: None,
                bank: Some("中国农业银行".into()),
                account: Some(format!("62284800{seq:011}")),
                remark: None,
            },
            issues: Vec::new(),
            raw: crate::ingest::RawRow {
                row,
                cells: Vec::new(),
            },
            columns: crate::form::parse::test_columns(),
        }
    }

    fn policy() -> Policy {
        Policy::default_policy().unwrap()
    }

    fn codes(d: &StaffDecision) -> Vec<&'static str> {
        d.codes().iter().map(|c| c.as_str()).collect()
    }

    fn one(r: StaffRow) -> StaffDecision {
        decide_all(&mut [r], &policy()).remove(0)
    }

    const HT: &str = "530402";
    const JC: &str = "530403";
    const CJ: &str = "530481";

    #[test]
    fn a_clean_row_is_approved_at_its_declared_amount() {
        let mut r = person(HT, "a.xlsx", 5, 1);
        r.municipal = Some(Decimal::from(11000));
        let d = one(r);
        assert_eq!(d.outcome, Outcome::Approved);
        assert!(d.issues.is_empty(), "{:?}", d.issues);
        assert_eq!(d.standard.to_string(), "12000.00");
        assert_eq!(d.approved.to_string(), "11000.00");
        assert!(d.in_post);
    }

    #[test]
    fn months_outside_0_to_12_are_rejected() {
        for m in [13, -1] {
            let mut r = person(HT, "a.xlsx", 5, 1);
            r.months = Some(m);
            let d = one(r);
            assert_eq!(d.outcome, Outcome::Rejected);
            assert_eq!(codes(&d), ["months_out_of_range"]);
            assert_eq!(d.issues[0].cell.as_deref(), Some("K5"));
            assert_eq!(d.standard, Decimal::ZERO);
        }
    }

    #[test]
    fn months_must_fit_the_dates_counting_partial_months_whole() {
        assert_eq!(months_possible(ymd(2019, 5, 1), None, 2025), 12);
        assert_eq!(months_possible(ymd(2025, 7, 15), None, 2025), 6);
        assert_eq!(months_possible(ymd(2025, 7, 31), None, 2025), 6);
        assert_eq!(
            months_possible(ymd(2020, 1, 1), Some(ymd(2025, 3, 1)), 2025),
            3
        );
        assert_eq!(
            months_possible(ymd(2025, 2, 28), Some(ymd(2025, 3, 1)), 2025),
            2
        );
        assert_eq!(months_possible(ymd(2026, 1, 1), None, 2025), 0);
        assert_eq!(
            months_possible(ymd(2020, 1, 1), Some(ymd(2024, 12, 31)), 2025),
            0
        );
        assert_eq!(
            months_possible(ymd(2024, 6, 1), Some(ymd(2026, 6, 1)), 2025),
            12
        );

        let mut r = person(HT, "a.xlsx", 6, 1);
        r.start = Some(ymd(2025, 7, 1));
        r.municipal = Some(Decimal::from(6000));
        let d = one(r.clone());
        assert_eq!(codes(&d), ["months_inconsistent"]);
        assert!(d.issues[0].message.contains("最多在岗 6 个月"), "{:?}", d);
        r.months = Some(6);
        assert_eq!(one(r.clone()).outcome, Outcome::Approved);
        r.months = Some(5);
        r.municipal = Some(Decimal::from(5000));
        assert_eq!(one(r).outcome, Outcome::Approved, "fewer months are fine");
    }

    #[test]
    fn a_leaving_date_before_the_joining_date_is_bad_value_without_follow_on() {
        let mut r = person(HT, "a.xlsx", 6, 1);
        r.start = Some(ymd(2025, 5, 1));
        r.end = Some(ymd(2025, 3, 1));
        let d = one(r);
        assert_eq!(codes(&d), ["bad_value"]);
        assert_eq!(d.issues[0].cell.as_deref(), Some("J6"));
    }

    #[test]
    fn municipal_money_over_the_monthly_standard_is_rejected() {
        let mut r = person(HT, "a.xlsx", 8, 1);
        r.months = Some(10);
        r.start = Some(ymd(2025, 3, 1));
        r.municipal = Some(Decimal::new(1000001, 2));
        let d = one(r.clone());
        assert_eq!(d.outcome, Outcome::Rejected);
        assert_eq!(codes(&d), ["over_monthly_standard"]);
        assert_eq!(d.issues[0].cell.as_deref(), Some("M8"));
        assert!(d.issues[0].message.contains("10,000.00"), "{d:?}");
        r.municipal = Some(Decimal::from(10000));
        assert_eq!(one(r).outcome, Outcome::Approved);
    }

    #[test]
    fn a_different_monthly_standard_only_warns() {
        let mut r = person(HT, "a.xlsx", 8, 1);
        r.monthly_standard = Some(Decimal::from(1200));
        let d = one(r);
        assert_eq!(d.outcome, Outcome::Approved);
        assert_eq!(codes(&d), ["standard_mismatch"]);
    }

    #[test]
    fn gender_against_the_id_only_warns() {
        let mut r = person(HT, "a.xlsx", 8, 2); // sequence 002: even → female
        r.gender = Some("男".into());
        let d = one(r.clone());
        assert_eq!(d.outcome, Outcome::Approved);
        assert_eq!(codes(&d), ["gender_mismatch"]);
        r.gender = Some("女".into());
        assert!(one(r).issues.is_empty());
    }

    #[test]
    fn zero_months_is_accepted_but_not_in_post() {
        let mut r = person(HT, "a.xlsx", 8, 1);
        r.months = Some(0);
        r.municipal = Some(Decimal::ZERO);
        r.account = None;
        let d = one(r.clone());
        assert_eq!(d.outcome, Outcome::Approved);
        assert_eq!(codes(&d), ["zero_months"]);
        assert!(!d.in_post);
        r.municipal = Some(Decimal::from(1000));
        assert_eq!(codes(&one(r)), ["over_monthly_standard", "zero_months"]);
    }

    #[test]
    fn a_missing_account_warns() {
        let mut r = person(HT, "a.xlsx", 8, 1);
        r.account = None;
        let d = one(r);
        assert_eq!(d.outcome, Outcome::Approved);
        assert_eq!(codes(&d), ["missing_bank_account"]);
        assert_eq!(d.issues[0].cell.as_deref(), Some("P8"));
    }

    #[test]
    fn the_same_person_in_two_counties_is_rejected_in_both() {
        let a = person(HT, "红塔区.xlsx", 5, 7);
        let mut b = person(JC, "江川区.xlsx", 9, 7);
        b.name = Some("同一人".into());
        let c = person(JC, "江川区.xlsx", 10, 8);
        let d = decide_all(&mut [a, b, c], &policy());
        assert_eq!(codes(&d[0]), ["duplicate_person"]);
        assert_eq!(codes(&d[1]), ["duplicate_person"]);
        assert_eq!(d[0].outcome, Outcome::Rejected);
        assert_eq!(d[1].outcome, Outcome::Rejected);
        assert!(
            d[0].issues[0]
                .message
                .contains("江川区（江川区.xlsx｜Sheet1｜第 9 行）")
        );
        assert!(
            d[1].issues[0]
                .message
                .contains("红塔区（红塔区.xlsx｜Sheet1｜第 5 行）")
        );
        assert_eq!(d[2].outcome, Outcome::Approved);
    }

    #[test]
    fn the_same_person_twice_in_one_county_keeps_the_first() {
        let a = person(HT, "a.xlsx", 5, 7);
        let b = person(HT, "b.xlsx", 5, 7);
        let d = decide_all(&mut [a, b], &policy());
        assert_eq!(d[0].outcome, Outcome::Approved);
        assert_eq!(codes(&d[1]), ["duplicate_in_batch"]);
        assert!(d[1].issues[0].message.contains("a.xlsx｜Sheet1｜第 5 行"));
    }

    #[test]
    fn over_quota_goes_to_the_latest_arrivals_then_the_larger_id() {
        // 澄江市: quota 11. 13 full-year people; two arrived last (one on the same day as
        // another, decided by ID number).
        let mut rows: Vec<StaffRow> = (1..=13).map(|i| person(CJ, "c.xlsx", 4 + i, i)).collect();
        rows[2].start = Some(ymd(2024, 6, 1)); // seq 3
        rows[11].start = Some(ymd(2024, 6, 1)); // seq 12
        rows[7].start = Some(ymd(2024, 6, 1)); // seq 8
        let d = decide_all(&mut rows, &policy());
        let over: Vec<u32> = rows
            .iter()
            .zip(&d)
            .filter(|(_, d)| d.has(StaffCode::OverQuota))
            .map(|(r, _)| r.origin.row)
            .collect();
        // Of the three late arrivals (rows 7, 12, 16), the two with larger IDs give way.
        assert_eq!(over, [12, 16]);
        let approved = d.iter().filter(|d| d.outcome == Outcome::Approved).count();
        assert_eq!(approved, 11);
        assert!(
            d.iter()
                .find(|d| d.has(StaffCode::OverQuota))
                .unwrap()
                .issues[0]
                .message
                .contains("定额 11 人")
        );
    }

    #[test]
    fn a_successor_after_the_leaving_date_takes_over_the_post() {
        let mut rows: Vec<StaffRow> = (1..=11).map(|i| person(CJ, "c.xlsx", 4 + i, i)).collect();
        rows[0].end = Some(ymd(2025, 6, 30));
        rows[0].months = Some(6);
        rows[0].municipal = Some(Decimal::from(6000));
        let mut succ = person(CJ, "c.xlsx", 20, 50);
        succ.start = Some(ymd(2025, 7, 1));
        succ.months = Some(6);
        succ.municipal = Some(Decimal::from(6000));
        rows.push(succ.clone());
        let d = decide_all(&mut rows, &policy());
        assert!(d.iter().all(|d| d.outcome == Outcome::Approved), "{d:?}");
        // Starting on the predecessor's last day overlaps one day: over quota.
        succ.start = Some(ymd(2025, 6, 30));
        succ.months = Some(7);
        succ.municipal = Some(Decimal::from(7000));
        rows.pop();
        rows.push(succ);
        let d = decide_all(&mut rows, &policy());
        let last = d.last().unwrap();
        assert_eq!(codes(last), ["over_quota"]);
        assert!(last.issues[0].message.contains("2025-06-30 起"), "{last:?}");
    }

    #[test]
    fn over_the_budget_line_is_held_from_the_first_that_does_not_fit() {
        // 11 posts in 澄江市 (132,000): a predecessor paid 7 months and a successor 6 months
        // overlap in July only by months, not by days.
        let mut rows: Vec<StaffRow> = (1..=11).map(|i| person(CJ, "c.xlsx", 4 + i, i)).collect();
        rows[0].end = Some(ymd(2025, 7, 10));
        rows[0].months = Some(7);
        rows[0].municipal = Some(Decimal::from(7000));
        let mut succ = person(CJ, "c.xlsx", 20, 50);
        succ.start = Some(ymd(2025, 7, 11));
        succ.months = Some(6);
        succ.municipal = Some(Decimal::from(6000));
        rows.push(succ);
        let d = decide_all(&mut rows, &policy());
        let held: Vec<&StaffDecision> = d.iter().filter(|d| d.outcome == Outcome::Held).collect();
        assert_eq!(held.len(), 1);
        assert_eq!(codes(held[0]), ["over_allocation"]);
        assert_eq!(held[0].approved, Decimal::ZERO);
        let paid: Decimal = d.iter().map(|d| d.approved).sum();
        assert_eq!(paid, Decimal::from(127000));
        assert!(paid <= Decimal::from(132000));
    }

    #[test]
    fn rejected_rows_take_no_post() {
        let mut rows: Vec<StaffRow> = (1..=12).map(|i| person(CJ, "c.xlsx", 4 + i, i)).collect();
        rows[0].municipal = Some(Decimal::from(13000));
        let d = decide_all(&mut rows, &policy());
        assert_eq!(codes(&d[0]), ["over_monthly_standard"]);
        assert!(d[1..].iter().all(|d| d.outcome == Outcome::Approved));
    }
}
