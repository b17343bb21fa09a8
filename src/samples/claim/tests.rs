//! The claim samples end to end: determinism, coverage of every fault, the over-cap county,
//! case numbers, IDs, and the plan pointing at the cells written.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::faults::INJECTED;
use super::rows::over_cap_county;
use super::*;
use crate::cell::{check_id_text, id_check_char};

fn opts() -> SampleOptions {
    SampleOptions {
        counties: 11,
        rows: 60,
        seed: 7,
    }
}

#[test]
fn samples_are_byte_identical_for_the_same_seed() {
    let policy = Policy::default_policy().unwrap();
    for half in [1u8, 2] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let fa = write_claim_samples(&policy, half, a.path(), &opts()).unwrap();
        let fb = write_claim_samples(&policy, half, b.path(), &opts()).unwrap();
        assert_eq!(fa.len(), fb.len());
        assert!(!fa.is_empty());
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(x.file_name(), y.file_name());
            assert_eq!(
                std::fs::read(x).unwrap(),
                std::fs::read(y).unwrap(),
                "{x:?}"
            );
        }
        let other = SampleOptions { seed: 8, ..opts() };
        let c = tempfile::tempdir().unwrap();
        let fc = write_claim_samples(&policy, half, c.path(), &other).unwrap();
        let differs = fa
            .iter()
            .zip(&fc)
            .any(|(x, y)| std::fs::read(x).unwrap() != std::fs::read(y).unwrap());
        assert!(differs, "another seed gives other files");
    }
}

#[test]
fn samples_give_every_policy_county_a_file_and_synthetic_ones_too() {
    let policy = Policy::default_policy().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = write_claim_samples(&policy, 1, dir.path(), &opts()).unwrap();
    let names: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    for c in &policy.counties {
        let found = names.iter().any(|n| {
            let county = n.split('_').next().unwrap_or("");
            policy.registry.resolve(county) == Some(&c.code)
        });
        assert!(found, "{} has no file in {names:?}", c.name);
    }
    assert!(
        names.iter().any(|n| n.starts_with("测试县010_")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("测试县011_")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("江川县_")),
        "alias used: {names:?}"
    );
    assert!(names.iter().any(|n| n.contains("第1季度")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("上半年")), "{names:?}");
}

#[test]
fn samples_h2_over_cap_county_demand_exceeds_its_cap() {
    let policy = Policy::default_policy().unwrap();
    for rows in [10usize, 60, 150] {
        let o = SampleOptions { rows, ..opts() };
        let model = build_model(&policy, 2, &o).unwrap();
        let over = over_cap_county(&policy, policy.counties.len()).unwrap();
        assert_eq!(policy.counties[over].name, "峨山彝族自治县");
        let (county, plan) = &model.counties[over];
        let demand: Decimal = plan
            .rows
            .iter()
            .filter(|r| r.eligible)
            .filter_map(|r| r.standard)
            .sum();
        let cap = county.cap.unwrap();
        assert!(demand > cap, "rows={rows}: demand {demand} ≤ cap {cap}");
        // Nobody else gets near their cap within the year at the default size.
        if rows == 150 {
            let h1 = build_model(&policy, 1, &o).unwrap();
            for ((c, p1), (_, p2)) in h1.counties.iter().zip(&model.counties) {
                if c.index == over || c.cap.is_none() {
                    continue;
                }
                let year: Decimal = p1
                    .rows
                    .iter()
                    .chain(&p2.rows)
                    .filter(|r| r.eligible)
                    .filter_map(|r| r.standard)
                    .sum();
                assert!(year < c.cap.unwrap(), "{}: {year}", c.display);
            }
        }
    }
}

#[test]
fn samples_contain_every_fault_kind_in_each_period() {
    let policy = Policy::default_policy().unwrap();
    for half in [1u8, 2] {
        let plan = claim_sample_plan(&policy, half, &opts()).unwrap();
        for f in INJECTED {
            let n = plan.iter().filter(|r| r.fault == Some(f.slug())).count();
            assert!(n >= 1, "H{half}: no {f:?}");
        }
        if half == 2 {
            assert!(plan.iter().any(|r| r.fault == Some("reclaim")));
            assert!(plan.iter().any(|r| r.fault == Some("late_claim")));
        }
        let policy_rows: Vec<&SampleRow> =
            plan.iter().filter(|r| r.county_code.is_some()).collect();
        let eligible = policy_rows.iter().filter(|r| r.eligible).count();
        let share = eligible as f64 / policy_rows.len() as f64;
        assert!(
            (0.80..=0.93).contains(&share),
            "H{half}: eligible share {share}"
        );
    }
}

#[test]
fn samples_case_numbers_are_unique_per_county_except_deliberate_repeats() {
    let policy = Policy::default_policy().unwrap();
    let h1 = claim_sample_plan(&policy, 1, &opts()).unwrap();
    let h2 = claim_sample_plan(&policy, 2, &opts()).unwrap();
    let mut seen: BTreeMap<(String, String), Option<&str>> = BTreeMap::new();
    for r in h1.iter().chain(&h2) {
        if r.case_id.is_empty() {
            continue;
        }
        let key = (r.county.clone(), r.case_id.clone());
        if let Some(prev) = seen.get(&key) {
            let ok = matches!(r.fault, Some("duplicate_case_no" | "reclaim"));
            assert!(ok, "{key:?} repeated by {:?} after {prev:?}", r.fault);
        } else {
            seen.insert(key, r.fault);
        }
    }
    // Late claims were never written in H1.
    for r in h2.iter().filter(|r| r.fault == Some("late_claim")) {
        assert!(
            !h1.iter()
                .any(|x| x.county == r.county && x.case_id == r.case_id)
        );
    }
    // Re-claims were.
    for r in h2.iter().filter(|r| r.fault == Some("reclaim")) {
        assert!(
            h1.iter()
                .any(|x| x.county == r.county && x.case_id == r.case_id)
        );
    }
}

#[test]
fn samples_ids_are_valid_resident_ids() {
    let policy = Policy::default_policy().unwrap();
    let model = build_model(&policy, 1, &opts()).unwrap();
    for (c, _) in &model.counties {
        for m in &c.mediators {
            assert_eq!(m.id.len(), 18, "{}", m.id);
            let (body, check) = m.id.split_at(17);
            assert_eq!(check.chars().next(), id_check_char(body));
            // The parsers accept every mediator's ID as it is.
            let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
            assert_eq!(check_id_text(&m.id, today), Ok(m.id.clone()));
            let birth = NaiveDate::parse_from_str(&m.id[6..14], "%Y%m%d").unwrap();
            assert!((1955..=1995).contains(&birth.year()));
            assert_eq!(m.account.len(), 19);
        }
        assert!(c.mediators.iter().any(|m| m.id.ends_with('X')));
    }
}

#[test]
fn samples_plan_rows_point_at_the_written_cells() {
    use calamine::{Data, Reader, open_workbook_auto};
    let policy = Policy::default_policy().unwrap();
    for half in [1u8, 2] {
        let dir = tempfile::tempdir().unwrap();
        let files = write_claim_samples(&policy, half, dir.path(), &opts()).unwrap();
        let plan = claim_sample_plan(&policy, half, &opts()).unwrap();
        let (mut dates, mut numeric_ids, mut hidden_helpers) = (0, 0, 0);
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let mut wb = open_workbook_auto(path).unwrap();
            if wb.sheet_names().iter().any(|s| s == "下拉选项") {
                hidden_helpers += 1;
            }
            let rows: Vec<&SampleRow> = plan.iter().filter(|r| r.file == name).collect();
            assert!(!rows.is_empty() || files.len() == 1, "{name} has no rows");
            for r in rows {
                let range = wb.worksheet_range(&r.sheet).unwrap();
                let row = r.row - 1;
                let cells: Vec<&Data> = (0..20u32)
                    .filter_map(|c| range.get_value((row, c)))
                    .collect();
                assert!(
                    matches!(cells.first(), Some(Data::Float(_) | Data::Int(_))),
                    "{name} {} row {}: 序号 missing",
                    r.sheet,
                    r.row
                );
                if !r.case_id.is_empty() {
                    assert!(
                        cells.iter().any(|d| **d == Data::String(r.case_id.clone())),
                        "{name} {} row {}: {} not found",
                        r.sheet,
                        r.row,
                        r.case_id
                    );
                }
                dates += cells
                    .iter()
                    .filter(|d| matches!(d, Data::DateTime(_)))
                    .count();
                if r.fault == Some("id_as_number") {
                    assert!(
                        cells
                            .iter()
                            .any(|d| matches!(d, Data::Float(f) if *f > 1e17))
                    );
                    numeric_ids += 1;
                }
            }
        }
        assert!(dates > 0 && numeric_ids > 0 && hidden_helpers > 0);
    }
}

#[test]
fn samples_odd_options_still_work() {
    let policy = Policy::default_policy().unwrap();
    for (counties, rows) in [(0usize, 5usize), (1, 0), (1, 1), (2, 3), (12, 2)] {
        for half in [1u8, 2] {
            let o = SampleOptions {
                counties,
                rows,
                seed: 1,
            };
            let dir = tempfile::tempdir().unwrap();
            let files = write_claim_samples(&policy, half, dir.path(), &o).unwrap();
            assert!(files.len() >= counties, "{counties}/{rows}/H{half}");
            let plan = claim_sample_plan(&policy, half, &o).unwrap();
            if counties > 0 {
                for f in INJECTED {
                    assert!(plan.iter().any(|r| r.fault == Some(f.slug())), "{f:?}");
                }
            }
        }
    }
    assert!(write_claim_samples(&policy, 3, Path::new("/nonexistent"), &opts()).is_err());
}
