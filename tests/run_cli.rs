//! `payrun run` end to end: the real binary on workbooks written by other tools, decisions
//! compared row by row with hand-checked expectations, and the SPEC §4.6 invariants.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

fn expected() -> BTreeMap<(String, String, String, u32), (String, String)> {
    let mut rdr = csv::Reader::from_path(fixtures().join("external/expected.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                (
                    r[0].to_string(),
                    r[1].to_string(),
                    r[2].to_string(),
                    r[3].parse().unwrap(),
                ),
                (r[4].to_string(), r[5].to_string()),
            )
        })
        .collect()
}

#[test]
fn external_workbooks_are_decided_as_hand_checked() {
    let exp = expected();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for dir in ["openpyxl", "lo_xlsx", "lo_ods", "lo_xls", "mixed"] {
        let tmp = tempfile::tempdir().unwrap();
        let r = run_period(
            &fixtures().join("external").join(dir),
            tmp.path(),
            "2025-H1",
            "2025-06-30",
            &[],
        );
        let out = r.dir("2025-H1");
        assert_invariants(&out);
        let rows = read_decisions(&out);
        let want: Vec<_> = exp.iter().filter(|(k, _)| k.0 == dir).collect();
        assert_eq!(rows.len(), want.len(), "{dir}: number of data rows");
        for row in rows {
            let key = (
                dir.to_string(),
                row.file.clone(),
                row.sheet.clone(),
                row.row,
            );
            match exp.get(&key) {
                Some((d, reasons)) if *d == row.decision && *reasons == row.reasons => checked += 1,
                Some((d, reasons)) => mismatches.push(format!(
                    "{dir}/{}!{} row {}: expected {d} [{reasons}], got {} [{}]",
                    row.file, row.sheet, row.row, row.decision, row.reasons
                )),
                None => mismatches.push(format!(
                    "{dir}/{}!{} row {}: not a data row, got {}",
                    row.file, row.sheet, row.row, row.decision
                )),
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(checked, exp.len());
}

#[test]
fn sheet_and_file_outcomes_match_expectations() {
    let mut rdr = csv::Reader::from_path(fixtures().join("external/expected_files.csv")).unwrap();
    let mut by_dir: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        by_dir.entry(r[0].to_string()).or_default().push((
            r[1].to_string(),
            r[2].to_string(),
            r[3].to_string(),
        ));
    }
    for (dir, wants) in by_dir {
        let tmp = tempfile::tempdir().unwrap();
        let r = run_period(
            &fixtures().join("external").join(&dir),
            tmp.path(),
            "2025-H1",
            "2025-06-30",
            &[],
        );
        let s = read_summary(&r.dir("2025-H1"));
        for (file, sheet, want) in wants {
            let f = s["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"] == file.as_str())
                .unwrap_or_else(|| panic!("{file}"));
            if sheet.is_empty() {
                assert_eq!(f["status"], want.as_str(), "{dir}/{file}");
                continue;
            }
            let sh = f["sheets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == sheet.as_str())
                .unwrap();
            let got = match (&sh["problem"], sh["claim_sheet"].as_bool().unwrap()) {
                (serde_json::Value::Null, true) => "ok".to_string(),
                (serde_json::Value::Null, false) => "ignored".to_string(),
                (p, _) => p["code"].as_str().unwrap().to_string(),
            };
            assert_eq!(got, want, "{dir}/{file}!{sheet}");
        }
        // A sheet problem makes the run say so in its exit status.
        let any_problem = s["files"].as_array().unwrap().iter().any(|f| {
            f["status"] == "error"
                || f["sheets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| !x["problem"].is_null())
        });
        assert_eq!(r.code, if any_problem { 2 } else { 0 }, "{dir}");
    }
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let input = fixtures().join("external/mixed");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ra = run_period(
        &input,
        a.path(),
        "2025-H1",
        "2025-06-30",
        &["--threads", "1"],
    );
    let rb = run_period(
        &input,
        b.path(),
        "2025-H1",
        "2025-06-30",
        &["--threads", "2"],
    );
    for entry in std::fs::read_dir(ra.dir("2025-H1")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let name = p.file_name().unwrap();
            assert_eq!(
                std::fs::read(&p).unwrap(),
                std::fs::read(rb.dir("2025-H1").join(name)).unwrap(),
                "{name:?} differs"
            );
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn broken_files_are_file_errors_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::copy(
        fixtures().join("external/openpyxl/openpyxl_messy.xlsx"),
        input.join("sub/good.xlsx"),
    )
    .unwrap();
    write(&input, "empty.xlsx", b"");
    write(
        &input,
        "text.xlsx",
        "县（市、区）,司法所\n红塔区,玉带路司法所\n".as_bytes(),
    );
    write(
        &input,
        "random.xls",
        &(0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<_>>(),
    );
    let good = std::fs::read(fixtures().join("external/openpyxl/openpyxl_messy.xlsx")).unwrap();
    write(&input, "truncated.xlsx", &good[..good.len() / 2]);
    write(&input, "~$lock.xlsx", b"lock");
    write(&input, "notes.txt", b"not a workbook");
    let out = tmp.path().join("out");
    let r = run_period(&input, &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let s = read_summary(&r.dir("2025-H1"));
    let files = s["files"].as_array().unwrap();
    let status = |p: &str| -> (String, String) {
        let f = files
            .iter()
            .find(|f| f["path"] == p)
            .unwrap_or_else(|| panic!("{p} missing"));
        (
            f["status"].as_str().unwrap().into(),
            f["error"]["code"].as_str().unwrap_or("").into(),
        )
    };
    // SPEC §10.1: a lock file is passed over; a file that is no workbook is listed, not read.
    assert_eq!(files.len(), 6, "lock files are not listed");
    assert_eq!(status("notes.txt"), ("skipped".into(), "".into()));
    assert_eq!(status("sub/good.xlsx"), ("ok".into(), "".into()));
    for p in ["empty.xlsx", "text.xlsx", "random.xls", "truncated.xlsx"] {
        assert_eq!(status(p), ("error".into(), "unreadable_file".into()), "{p}");
        let f = files.iter().find(|f| f["path"] == p).unwrap();
        let msg = f["error"]["message"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message in Chinese: {msg}"
        );
    }
    let rows = read_decisions(&r.dir("2025-H1"));
    assert_eq!(rows.len(), 16, "the good file is still decided whole");
    assert_invariants(&r.dir("2025-H1"));
}

#[test]
fn bad_arguments_exit_1_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let input = fixtures().join("external/mixed");
    for period in ["2025-H3", "2024-H1", "H1"] {
        let r = payrun(&[
            "run",
            "--period",
            period,
            "--out",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{period}: {}", r.stderr);
        assert!(r.stderr.contains("期间"), "{}", r.stderr);
    }
    let r = payrun(&[
        "run",
        "--period",
        "2025-H1",
        "--out",
        out.to_str().unwrap(),
        "/nonexistent/folder",
    ]);
    assert_eq!(r.code, 1);
    let bad_policy = tmp.path().join("p.toml");
    std::fs::write(&bad_policy, "name = \"x\"\n").unwrap();
    let r = payrun(&[
        "run",
        "--period",
        "2025-H1",
        "--policy",
        bad_policy.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("政策文件"), "{}", r.stderr);
    assert!(!out.exists(), "nothing written on exit 1");
}

/// SPEC §4.3: the same mediator is the same valid ID number, or the same name when either row
/// has no valid ID; two valid IDs that differ are two people even under one name.
#[test]
fn possible_duplicates_see_a_twin_whose_id_was_mistyped() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let id_a = make_id("530402", "19700101", 1);
    let id_b = make_id("530402", "19800101", 2);
    let row = |n: u32, committee: &str, name: &str, id: &str| {
        let mut r = ClaimRow::good("红塔区", n, "2025-03-10");
        r.committee = committee.into();
        r.mediator = name.into();
        r.id = id.into();
        r
    };
    let broken = &id_a[..17];
    let rows = [
        // rows 2, 3: one valid ID, its twin's ID is one digit short.
        row(1, "甲村人民调解委员会", "李明", &id_a),
        row(2, "甲村人民调解委员会", "李明", broken),
        // rows 4, 5: one name, two different valid IDs.
        row(3, "乙村人民调解委员会", "王芳", &id_a),
        row(4, "乙村人民调解委员会", "王芳", &id_b),
        // row 6, 7: the same valid ID under a misspelt name.
        row(5, "丙村人民调解委员会", "张伟", &id_b),
        row(6, "丙村人民调解委员会", "张玮", &id_b),
    ];
    write_claims(&input.join("红塔区.xlsx"), &rows);
    let r = run_period(
        &input,
        &tmp.path().join("out"),
        "2025-H1",
        "2025-06-30",
        &[],
    );
    let got: BTreeMap<u32, bool> = read_decisions(&r.dir("2025-H1"))
        .iter()
        .map(|d| {
            (
                d.row,
                d.reasons.split(';').any(|c| c == "possible_duplicate"),
            )
        })
        .collect();
    let want: BTreeMap<u32, bool> = [
        (2, true),
        (3, true),
        (4, false),
        (5, false),
        (6, true),
        (7, true),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}
