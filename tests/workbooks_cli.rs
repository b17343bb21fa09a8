//! The workbooks finance staff open, read back with calamine from the real binary's outputs.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use rust_decimal::Decimal;

fn samples(period: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(period)
}

fn money(d: &Data) -> Option<Decimal> {
    match d {
        Data::Float(f) => Decimal::try_from(*f).ok().map(|x| x.round_dp(2)),
        Data::Int(i) => Some(Decimal::from(*i)),
        _ => None,
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(files_in(&p));
        } else {
            v.push(p);
        }
    }
    v.sort();
    v
}

#[test]
fn payroll_and_approval_totals_equal_the_decisions_to_the_fen() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    let r = run_period(&samples("2025-H2"), &out, "2025-H2", "2025-12-31", &[]);
    let dir = r.dir("2025-H2");
    assert_invariants(&dir);
    let rows = read_decisions(&dir);
    let s = read_summary(&dir);
    let total = dec(&s["totals"]["approved_amount"]);
    assert!(total > Decimal::ZERO);
    assert!(
        rows.iter().any(|r| r.decision == "held"),
        "the samples put a county over its cap in H2"
    );

    // 发放表: every county sheet's 小计 equals that county's approved amount; 汇总 合计 the total.
    let mut wb: Xlsx<_> = open_workbook(dir.join("发放表_2025-H2.xlsx")).unwrap();
    let mut by_county: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in &rows {
        if r.decision == "approved" {
            *by_county.entry(r.county.clone()).or_default() += r.approved;
        }
    }
    let names: BTreeMap<String, String> = s["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut seen = 0;
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        if let Some(code) = names.get(&sheet) {
            let sub = range
                .rows()
                .find(|row| row.iter().any(|c| c.to_string().ends_with("小计")))
                .unwrap_or_else(|| panic!("{sheet}: no 小计 row"));
            let amount = sub.iter().rev().find_map(money).unwrap();
            assert_eq!(amount, by_county[code], "{sheet} 小计");
            let daxie = range
                .rows()
                .flatten()
                .map(|c| c.to_string())
                .find(|t| t.contains("大写"))
                .unwrap();
            assert!(
                daxie.contains(&payrun::cell::format_daxie(by_county[code])),
                "{sheet}: {daxie}"
            );
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        by_county.len(),
        "one payroll sheet per county with approved rows"
    );
    let summary = wb.worksheet_range("汇总").unwrap();
    let grand = summary
        .rows()
        .find(|row| row.first().is_some_and(|c| c.to_string().contains("合计")))
        .unwrap();
    assert_eq!(
        grand.iter().rev().find_map(money).unwrap(),
        total,
        "发放表 合计"
    );
    assert!(
        summary
            .rows()
            .flatten()
            .any(|c| c.to_string().contains(&payrun::cell::format_daxie(total)))
    );

    // 审批汇总表: the 汇总 合计 row carries the same total, and 核准明细 lists every approved row.
    let mut ap: Xlsx<_> = open_workbook(dir.join("审批汇总表_2025-H2.xlsx")).unwrap();
    let sum_sheet = ap.worksheet_range("汇总").unwrap();
    let row = sum_sheet
        .rows()
        .find(|row| row.first().is_some_and(|c| *c == "合计"))
        .unwrap();
    assert!(
        row.iter().filter_map(money).any(|m| m == total),
        "审批汇总表 合计 {row:?}"
    );
    let detail = ap.worksheet_range("核准明细").unwrap();
    let approved = rows.iter().filter(|r| r.decision == "approved").count();
    let cases: BTreeSet<String> = detail
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    for r in rows.iter().filter(|r| r.decision == "approved") {
        assert!(
            cases
                .iter()
                .any(|c| payrun::cell::case_key(c).as_deref() == Some(r.case_id.as_str())),
            "{r:?}"
        );
    }
    assert!(detail.rows().count() > approved);
    for name in ["不予补贴明细", "超预算待定", "文件问题", "对账", "运行信息"]
    {
        assert!(ap.worksheet_range(name).is_ok(), "{name}");
    }
    let recon = ap.worksheet_range("对账").unwrap();
    assert!(
        !recon.rows().flatten().any(|c| *c == "不平"),
        "对账 balances"
    );
}

#[test]
fn feedback_holds_only_its_county_and_reads_back_as_a_submission() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    let dir = r.dir("2025-H1");
    let rows = read_decisions(&dir);
    let s = read_summary(&dir);
    let fb = dir.join("feedback");
    let files = files_in(&fb);
    assert_eq!(files.len(), 9);
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let county_name = name.split('_').next().unwrap();
        let code = s["counties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == county_name)
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string();
        let mine: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.county == code)
            .map(|r| r.case_id.as_str())
            .collect();
        let others: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.county != code && !r.county.is_empty())
            .map(|r| r.case_id.as_str())
            .filter(|c| !mine.contains(c))
            .collect();
        let mut wb: Xlsx<_> = open_workbook(f).unwrap();
        for sheet in wb.sheet_names() {
            for cell in wb.worksheet_range(&sheet).unwrap().rows().flatten() {
                let t = cell.to_string();
                if let Some(k) = payrun::cell::case_key(&t) {
                    assert!(
                        !others.contains(k.as_str()),
                        "{name}: case {k} of another county"
                    );
                }
            }
        }
    }
    // 峨山 sent two files: its workbook has a sheet for each, named after it (SPEC §11.3).
    let eshan: Xlsx<_> = open_workbook(fb.join("峨山彝族自治县_审核反馈_2025-H1.xlsx")).unwrap();
    assert_eq!(
        eshan.sheet_names(),
        [
            "峨山县_人民调解个案补贴申报表_2025年第1季度",
            "峨山县_人民调解个案补贴申报表_2025年第2季度"
        ]
    );
    // Sent back as they are, the feedback files give the same decisions for the same cases.
    let out2 = tmp.path().join("out2");
    let r2 = run_period(&fb, &out2, "2025-H1", "2025-06-30", &[]);
    assert_invariants(&r2.dir("2025-H1"));
    let back = read_decisions(&r2.dir("2025-H1"));
    assert_eq!(
        back.len(),
        rows.iter().filter(|r| !r.county.is_empty()).count()
            + rows.iter().filter(|r| r.county.is_empty()).count()
    );
    let key = |r: &Row| {
        (
            r.county.clone(),
            r.case_id.clone(),
            r.decision.clone(),
            r.reasons.clone(),
            r.approved,
        )
    };
    let mut a: Vec<_> = rows.iter().map(key).collect();
    let mut b: Vec<_> = back.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(
        a, b,
        "feedback resubmitted unchanged gives the same decisions"
    );
}

#[test]
fn two_runs_give_identical_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_period(
        &samples("2025-H1"),
        &tmp.path().join("a"),
        "2025-H1",
        "2025-06-30",
        &["--threads", "1"],
    );
    let b = run_period(
        &samples("2025-H1"),
        &tmp.path().join("b"),
        "2025-H1",
        "2025-06-30",
        &["--threads", "2"],
    );
    let fa = files_in(&a.out);
    let fb = files_in(&b.out);
    assert_eq!(fa.len(), fb.len());
    assert!(fa.len() >= 14);
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(
            x.strip_prefix(&a.out).unwrap(),
            y.strip_prefix(&b.out).unwrap()
        );
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs",
            x.display()
        );
    }
}

/// Re-running a period after a county withdrew its file must not leave that county's old verdict
/// in the feedback folder; other files there are left alone.
#[test]
fn a_rerun_removes_the_feedback_of_a_county_that_sent_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let out = tmp.path().join("out");
    write_claims(
        &input.join("红塔区.xlsx"),
        &[ClaimRow::good("红塔区", 1, "2025-03-10")],
    );
    write_claims(
        &input.join("江川区.xlsx"),
        &[ClaimRow::good("江川区", 2, "2025-03-11")],
    );
    run_period(&input, &out, "2025-H1", "2025-06-30", &[]);
    let fb = out.join("2025-H1").join("feedback");
    let jiangchuan = fb.join("江川区_审核反馈_2025-H1.xlsx");
    assert!(jiangchuan.is_file());
    let mine = fb.join("江川区_审核反馈_2025-H1（已打印）.xlsx");
    std::fs::write(&mine, b"kept").unwrap();

    std::fs::remove_file(input.join("江川区.xlsx")).unwrap();
    // 江川区's approved case on record would go: refused without --replace (SPEC §10.3).
    run_period(&input, &out, "2025-H1", "2025-06-30", &["--replace"]);
    assert!(fb.join("红塔区_审核反馈_2025-H1.xlsx").is_file());
    assert!(!jiangchuan.exists(), "stale feedback left behind");
    assert_eq!(std::fs::read(&mine).unwrap(), b"kept");
}
