//! Black-box helpers: run the real binary in a fresh folder and check the SPEC §4.6 invariants
//! on whatever it wrote.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_payrun"))
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub out: PathBuf,
}

impl Run {
    pub fn dir(&self, period: &str) -> PathBuf {
        self.out.join(period)
    }
}

/// Runs `payrun <args…>`; panics with the whole story when it cannot even start.
pub fn payrun(args: &[&str]) -> Run {
    let o = Command::new(bin()).args(args).env_remove("SOURCE_DATE_EPOCH").output().expect("start payrun");
    let out = args
        .iter()
        .position(|a| *a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("out"));
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        out,
    }
}

/// `payrun run --period P --run-date D --out OUT INPUT [extra…]`.
pub fn run_period(input: &Path, out: &Path, period: &str, run_date: &str, extra: &[&str]) -> Run {
    let mut args = vec!["run", "--period", period, "--run-date", run_date, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    let r = payrun(&args);
    assert!(
        r.code == 0 || r.code == 2,
        "payrun {args:?} exited {}\nstdout:\n{}\nstderr:\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    r
}

#[derive(Debug, Clone)]
pub struct Row {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    pub county: String,
    pub case_id: String,
    pub decision: String,
    pub reasons: String,
    pub standard: Decimal,
    pub approved: Decimal,
}

pub fn read_decisions(dir: &Path) -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(dir.join("decisions.csv")).expect("decisions.csv");
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["file", "sheet", "row", "county_code", "case_id", "decision", "reasons", "standard_amount", "approved_amount"]
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                file: r[0].to_string(),
                sheet: r[1].to_string(),
                row: r[2].parse().unwrap(),
                county: r[3].to_string(),
                case_id: r[4].to_string(),
                decision: r[5].to_string(),
                reasons: r[6].to_string(),
                standard: r[7].parse().unwrap(),
                approved: r[8].parse().unwrap(),
            }
        })
        .collect()
}

pub fn read_summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).expect("summary.json")).unwrap()
}

pub fn dec(v: &serde_json::Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

/// The invariants of SPEC §4.6, on one run's outputs.
pub fn assert_invariants(dir: &Path) {
    let rows = read_decisions(dir);
    let s = read_summary(dir);
    // Every data row exactly once.
    let mut seen = HashSet::new();
    for r in &rows {
        assert!(seen.insert((r.file.clone(), r.sheet.clone(), r.row)), "row twice: {r:?}");
        assert!(["approved", "rejected", "held"].contains(&r.decision.as_str()), "{r:?}");
        assert_eq!(r.approved.scale(), 2, "{r:?}");
        if r.decision != "approved" {
            assert!(r.approved.is_zero(), "{r:?}");
        } else {
            assert!(r.approved <= r.standard, "{r:?}");
        }
    }
    let data_rows: u64 = s["files"].as_array().unwrap().iter().map(|f| f["data_rows"].as_u64().unwrap()).sum();
    assert_eq!(data_rows as usize, rows.len(), "summary data_rows vs decisions.csv");
    // Per county: claimed = approved + rejected + held, rows and amounts; approved + paid_before ≤ cap.
    let mut by: BTreeMap<String, (usize, usize, usize, usize, Decimal, Decimal)> = BTreeMap::new();
    for r in &rows {
        let e = by.entry(r.county.clone()).or_default();
        e.0 += 1;
        match r.decision.as_str() {
            "approved" => e.1 += 1,
            "rejected" => e.2 += 1,
            _ => e.3 += 1,
        }
        e.4 += r.approved;
        e.5 += r.standard;
    }
    let mut total_approved = Decimal::ZERO;
    for c in s["counties"].as_array().unwrap().iter().chain(std::iter::once(&s["unassigned"])) {
        let code = c["code"].as_str().unwrap_or("").to_string();
        let (n, a, rj, h, amt, std) = by.remove(&code).unwrap_or_default();
        let rows_of = |k: &str| c[k].as_u64().unwrap() as usize;
        assert_eq!(rows_of("claimed_rows"), n, "{code}");
        assert_eq!(rows_of("approved_rows"), a, "{code}");
        assert_eq!(rows_of("rejected_rows"), rj, "{code}");
        assert_eq!(rows_of("held_rows"), h, "{code}");
        assert_eq!(n, a + rj + h);
        assert_eq!(dec(&c["approved_amount"]), amt, "{code}");
        assert_eq!(dec(&c["claimed_amount"]), std, "{code}");
        assert_eq!(
            dec(&c["claimed_amount"]),
            dec(&c["approved_amount"]) + dec(&c["rejected_amount"]) + dec(&c["held_amount"]) + dec(&c["prorate_reduction"]),
            "{code}: claimed = approved + rejected + held (+ proration)"
        );
        if !code.is_empty() {
            assert!(dec(&c["approved_amount"]) + dec(&c["paid_before"]) <= dec(&c["cap"]), "{code} over cap");
            assert_eq!(
                dec(&c["remaining_after"]),
                dec(&c["cap"]) - dec(&c["paid_before"]) - dec(&c["approved_amount"]),
                "{code}"
            );
        }
        total_approved += amt;
    }
    assert!(by.is_empty(), "rows of counties missing from summary: {by:?}");
    assert_eq!(dec(&s["totals"]["approved_amount"]), total_approved);
}
