//! Program B's samples: synthetic county staff workbooks (社区矫正协勤人员经费申报表, SPEC §5.1).
//!
//! One workbook per policy county, as county bureaus send them: a title row, the 填报单位 line,
//! the header (one row, or two rows under a 经费（元） group with header aliases), the 司法所
//! merged over its people, a 合计 row with SUM formulas (cached results), 填表说明 and sign-off
//! rows under the table; some files add a 联系电话 column, a 填表说明 sheet and a hidden 下拉选项
//! sheet; dates are date cells or typed text; amounts numbers or text.
//!
//! Most people are in post the whole year (12 months, 1,000 元 a month from the city, a county
//! top-up); the counties of the 2025 policy, by position in the policy, also show every rule:
//!
//! | # | county (2025) | what is in it |
//! |---|---|---|
//! | 0 | 红塔区 | a leaver (to 30 June) and her successor (from 1 July) in one post; a 性别 that contradicts the ID; a person also declared by county 1 |
//! | 1 | 江川区 | that same person (`duplicate_person` in both); a municipal amount over 1,000 × months |
//! | 2 | 澄江市 | two people over the quota (the two latest arrivals: `over_quota`) |
//! | 3 | 通海县 | a joiner on 1 March (10 months) in a vacant post; 12 months declared for someone who joined 1 May (`months_inconsistent`) |
//! | 4 | 华宁县 | one post vacant (unallocated funds); a row without 姓名 (`missing_field`) |
//! | 5 | 易门县 | 月补助标准 1,200 (`standard_mismatch`); a leaver and successor overlapping in April (`over_allocation`, held); 0 months (`zero_months`); 13 months (`months_out_of_range`) |
//! | 6 | 峨山彝族自治县 | a wrong ID check character (`bad_id_number`); one person listed twice (`duplicate_in_batch`) |
//! | 7 | 新平彝族傣族自治县 | a leaver on 15 September (post vacant after); an impossible 入职日期 (`bad_date`) |
//! | 8 | 元江哈尼族彝族傣族自治县 | an ID stored as a number (`id_precision_lost`); no bank account (`missing_bank_account`); no 县级配套 column |
//!
//! Everything is derived from the seed: the same (policy, seed) gives byte-identical files.
//!
//! `model` makes each county's people and faults; `render` writes the workbooks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{NamedFile, SamplesError, write_files};
use crate::policy::Policy;
use model::county_model;
use render::workbook;

mod model;
mod render;

/// One data row as written, with what a correct run should decide about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSampleRow {
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row.
    pub row: u32,
    pub county_code: String,
    /// The ID as written (empty for the one stored as a number).
    pub id: String,
    /// The code the row must carry (rejection, hold or warning), None for clean rows.
    pub expected_code: Option<&'static str>,
    /// `approved`, `rejected` or `held`.
    pub decision: &'static str,
}

/// Writes one staff workbook per policy county into `dir` (created); returns the files written,
/// sorted. Deterministic for (policy, seed).
pub fn write_staff_samples(
    policy: &Policy,
    dir: &Path,
    seed: u64,
) -> Result<Vec<PathBuf>, SamplesError> {
    let (files, _) = render(policy, seed)?;
    write_files(dir, files)
}

/// The rows `write_staff_samples` writes for the same arguments, with their intended outcome.
pub fn staff_sample_plan(policy: &Policy, seed: u64) -> Result<Vec<StaffSampleRow>, SamplesError> {
    render(policy, seed).map(|(_, plan)| plan)
}

type Rendered = (Vec<NamedFile>, Vec<StaffSampleRow>);

fn render(policy: &Policy, seed: u64) -> Result<Rendered, SamplesError> {
    let mut ids = BTreeSet::new();
    let mut shared = None;
    let mut files = Vec::new();
    let mut plan = Vec::new();
    for index in 0..policy.counties.len() {
        let Some(county) = county_model(policy, index, seed, &mut ids, &mut shared) else {
            continue;
        };
        let name = format!(
            "{}_专职社区矫正协勤人员经费申报表_{}.xlsx",
            county.display, policy.year
        );
        let bytes = workbook(policy, &county, &name, &mut plan).map_err(|source| {
            SamplesError::Workbook {
                name: name.clone(),
                source,
            }
        })?;
        files.push((name, bytes));
    }
    Ok((files, plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_deterministic_and_cover_every_rule() {
        let p = Policy::default_policy().unwrap();
        let (a, plan) = render(&p, 2025).unwrap();
        let (b, _) = render(&p, 2025).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 9);
        let (c, _) = render(&p, 7).unwrap();
        assert_ne!(a, c);
        let codes: BTreeSet<&str> = plan.iter().filter_map(|r| r.expected_code).collect();
        for code in [
            "gender_mismatch",
            "duplicate_person",
            "over_monthly_standard",
            "over_quota",
            "months_inconsistent",
            "missing_field",
            "standard_mismatch",
            "over_allocation",
            "zero_months",
            "months_out_of_range",
            "bad_id_number",
            "duplicate_in_batch",
            "bad_date",
            "id_precision_lost",
            "missing_bank_account",
        ] {
            assert!(codes.contains(code), "{code}");
        }
        assert_eq!(
            plan.iter()
                .filter(|r| r.expected_code == Some("duplicate_person"))
                .count(),
            2
        );
    }
}
