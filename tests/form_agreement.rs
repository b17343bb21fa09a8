//! `payrun check` and the municipal runs cannot disagree on a row: on every shipped sample and
//! every workbook fixture under tests/, `check --json` gives each data row exactly the codes
//! `run` (claim forms) or `staff` (staff forms) writes into decisions.csv, except the codes only
//! the municipal run can know, listed once in `payrun::form::municipal_only`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{bin, fixtures, payrun};
use payrun::form::{Municipal, municipal_only};

type Key = (String, String, u32);

/// The rows of a decisions.csv (either program's): (file, sheet, row) → codes.
fn decisions(dir: &Path) -> BTreeMap<Key, BTreeSet<String>> {
    let mut rdr = csv::Reader::from_path(dir.join("decisions.csv")).expect("decisions.csv");
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let codes = r[6]
                .split(';')
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
            (
                (r[0].to_string(), r[1].to_string(), r[2].parse().unwrap()),
                codes,
            )
        })
        .collect()
}

/// `payrun check --json --run-date D ARGS…`: its exit status and its rows.
fn check_json(run_date: &str, args: &[&Path]) -> (i32, BTreeMap<Key, BTreeSet<String>>) {
    let mut a: Vec<String> = vec!["check".into(), "--json".into(), "--run-date".into()];
    a.push(run_date.into());
    a.extend(args.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = payrun(&refs);
    assert!(
        r.code == 0 || r.code == 2,
        "{refs:?}: {}{}",
        r.stdout,
        r.stderr
    );
    let mut rows = BTreeMap::new();
    for line in r.stdout.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["codes", "file", "row", "sheet"], "{line}");
        let codes: Vec<String> = v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            codes, sorted,
            "codes sorted and distinct as in decisions.csv: {line}"
        );
        let key = (
            v["file"].as_str().unwrap().to_string(),
            v["sheet"].as_str().unwrap().to_string(),
            v["row"].as_u64().unwrap() as u32,
        );
        assert!(
            rows.insert(key, codes.into_iter().collect()).is_none(),
            "{line}"
        );
    }
    (r.code, rows)
}

/// Every row of `check` against the municipal run's rows: the same rows, and the same codes but
/// for those only the municipal run can know. Returns how many rows were compared.
fn assert_agree(
    what: &str,
    check: &BTreeMap<Key, BTreeSet<String>>,
    run: &BTreeMap<Key, BTreeSet<String>>,
) -> usize {
    let (ck, rk): (BTreeSet<&Key>, BTreeSet<&Key>) = (check.keys().collect(), run.keys().collect());
    assert_eq!(ck, rk, "{what}: check and the run decided different rows");
    let mut disagree = Vec::new();
    for (key, run_codes) in run {
        let check_codes = &check[key];
        for c in check_codes {
            if let Some(Municipal::Only(_)) = municipal_only(c) {
                disagree.push(format!("{key:?}: check gave the municipal-only {c}"));
            }
        }
        let shared = |codes: &BTreeSet<String>| -> BTreeSet<String> {
            codes
                .iter()
                .filter(|c| municipal_only(c).is_none())
                .cloned()
                .collect()
        };
        if shared(check_codes) != shared(run_codes) {
            disagree.push(format!("{key:?}: check {check_codes:?}, run {run_codes:?}"));
        }
        // Partly known codes: check gives them only where the run does.
        for c in check_codes {
            if matches!(municipal_only(c), Some(Municipal::Partly(_))) && !run_codes.contains(c) {
                disagree.push(format!("{key:?}: check gave {c}, the run did not"));
            }
        }
    }
    assert!(
        disagree.is_empty(),
        "{what}: {} rows disagree:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
    run.len()
}

fn samples(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

#[test]
fn check_agrees_with_run_and_staff_on_the_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();
    // H1, then H2 with H1's ledger (already_paid, late_claim, over_cap), then staff.
    for (period, date) in [("2025-H1", "2025-06-30"), ("2025-H2", "2025-12-31")] {
        let dir = samples(period);
        common::run_period(&dir, &out, period, date, &[]);
        let (code, check) = check_json(date, &[&dir]);
        assert_eq!(code, 2, "the samples hold rows to fix");
        let run = decisions(&out.join(period));
        let n = assert_agree(period, &check, &run);
        assert!(n > 1000, "{period}: {n} rows");
    }
    let dir = samples("staff-2025");
    let r = payrun(&[
        "staff",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        o,
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let (code, check) = check_json("2025-12-31", &[&dir]);
    assert_eq!(code, 2);
    let run = decisions(&out.join("staff-2025"));
    let n = assert_agree("staff-2025", &check, &run);
    assert_eq!(n, 164);
    // The staff samples hold the cases the municipal-only codes are for, so they are compared
    // where it matters: the run gives them, check does not.
    let all: BTreeSet<&String> = run.values().flatten().collect();
    for c in [
        "over_quota",
        "over_allocation",
        "duplicate_person",
        "months_inconsistent",
    ] {
        assert!(
            all.iter().any(|x| x.as_str() == c),
            "{c} not in the staff samples"
        );
    }
}

/// Every workbook under tests/fixtures (the heavy ones aside), copied flat into one folder.
fn fixture_folder(to: &Path) -> usize {
    fn walk(dir: &Path, root: &Path, to: &Path, n: &mut usize) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "heavy") {
                    continue;
                }
                walk(&p, root, to, n);
                continue;
            }
            let ext = p
                .extension()
                .map(|x| x.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            if ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&ext.as_str()) {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('/', "__");
                std::fs::copy(&p, to.join(rel)).unwrap();
                *n += 1;
            }
        }
    }
    std::fs::create_dir_all(to).unwrap();
    let mut n = 0;
    walk(&fixtures(), &fixtures(), to, &mut n);
    n
}

#[test]
fn check_agrees_with_run_and_staff_on_every_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let files = fixture_folder(&input);
    assert!(files > 50, "{files} fixture workbooks");
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();
    let i = input.to_str().unwrap();
    let date = "2025-06-30";
    common::run_period(&input, &out, "2025-H1", date, &[]);
    let r = payrun(&["staff", "--year", "2025", "--run-date", date, "--out", o, i]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let mut run = decisions(&out.join("2025-H1"));
    let staff = decisions(&out.join("staff-2025"));
    let staff_rows = staff.len();
    for (k, v) in staff {
        assert!(
            run.insert(k.clone(), v).is_none(),
            "{k:?} read as both forms"
        );
    }
    let (code, check) = check_json(date, &[&input]);
    assert_eq!(code, 2, "the hostile corpus is in the fixtures");
    let n = assert_agree("fixtures", &check, &run);
    assert!(n >= 30, "{n} rows compared ({staff_rows} staff rows)");
}

#[test]
fn check_json_prints_rows_and_says_file_problems_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk.xlsx");
    std::fs::write(&junk, "hello").unwrap();
    let good = fixtures().join("external/lo_xlsx/libreoffice_two_row_header.xlsx");
    let o = std::process::Command::new(bin())
        .args(["check", "--json", "--run-date", "2025-06-30"])
        .arg(&good)
        .arg(&junk)
        .output()
        .unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{stdout}{stderr}");
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["file"], "libreoffice_two_row_header.xlsx", "{line}");
    }
    assert!(
        stderr.contains("junk.xlsx：问题：[unreadable_file]"),
        "{stderr}"
    );
    // Without --json the same check prints the report, with the same exit status.
    let plain = payrun(&[
        "check",
        "--run-date",
        "2025-06-30",
        good.to_str().unwrap(),
        junk.to_str().unwrap(),
    ]);
    assert_eq!(plain.code, 2);
    assert!(
        plain.stdout.contains("【文件 2】junk.xlsx"),
        "{}",
        plain.stdout
    );
    // One line per data row, each with its codes.
    let (code, rows) = check_json("2025-06-30", &[&good]);
    assert_eq!(code, 2);
    assert_eq!(rows.len(), 13);
    let key = |r: u32| {
        (
            "libreoffice_two_row_header.xlsx".to_string(),
            "申报表".to_string(),
            r,
        )
    };
    let codes = |r: u32| rows[&key(r)].iter().map(String::as_str).collect::<Vec<_>>();
    assert_eq!(codes(8), ["bad_value"]);
    assert_eq!(codes(12), ["duplicate_in_batch"]);
    assert_eq!(codes(13), ["amount_adjusted"]);
}
