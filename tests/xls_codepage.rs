//! .xls text encodings (issue 19), through the real binary: BIFF8 whose UTF-16 text is labelled
//! GBK, BIFF5 GBK under any label, and text that no decoding reads. The fixtures are made by
//! tests/fixtures/xls_codepage/make_fixtures.py.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

const UNDECODABLE: &str = "文件编码无法识别，请用 Excel/WPS 另存为 .xlsx 后重新报送";

fn dir(name: &str) -> PathBuf {
    fixtures().join("xls_codepage").join(name)
}

/// Runs 2025-H1 on `input`; returns the period folder.
fn run(input: &Path, out: &Path) -> PathBuf {
    let r = run_period(input, out, "2025-H1", "2025-06-30", &[]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let d = r.dir("2025-H1");
    assert_invariants(&d);
    d
}

/// path → (status, data_rows, error code, error message).
fn files(d: &Path) -> BTreeMap<String, (String, u64, String, String)> {
    let s = read_summary(d);
    s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                (
                    f["status"].as_str().unwrap().to_string(),
                    f["data_rows"].as_u64().unwrap_or(0),
                    f["error"]["code"].as_str().unwrap_or("").to_string(),
                    f["error"]["message"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

/// The decisions without the file column, in output order.
fn rows_without_file(d: &Path) -> Vec<String> {
    read_decisions(d)
        .into_iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                r.sheet, r.row, r.county, r.case_id, r.decision, r.reasons, r.standard, r.approved
            )
        })
        .collect()
}

#[test]
fn utf16_text_under_a_gbk_label_is_decided_like_its_xlsx_twin() {
    let tmp = tempfile::tempdir().unwrap();
    let xls = run(&dir("twin_cp936"), &tmp.path().join("xls"));
    let xlsx = run(
        &fixtures().join("external/lo_xlsx"),
        &tmp.path().join("xlsx"),
    );
    let f = files(&xls);
    let (status, data_rows, code, _) = &f["libreoffice_two_row_header_cp936.xls"];
    assert_eq!((status.as_str(), code.as_str()), ("ok", ""), "{f:?}");
    assert_eq!(*data_rows, 13);
    let got = rows_without_file(&xls);
    assert_eq!(got.len(), 13);
    assert_eq!(got, rows_without_file(&xlsx));
    // Not equal by both being empty or refused: the Chinese county names resolved (one row
    // names 某某县 on purpose) and the rows were decided.
    let decisions = read_decisions(&xls);
    let jiangchuan = decisions.iter().filter(|r| r.county == "530403").count();
    let approved = decisions
        .iter()
        .filter(|r| r.decision == "approved")
        .count();
    assert_eq!((jiangchuan, approved), (12, 9), "{decisions:?}");
}

#[test]
fn biff5_gbk_and_biff8_labels_are_decided_whatever_the_code_page_says() {
    let tmp = tempfile::tempdir().unwrap();
    let d = run(&dir("decided"), &tmp.path().join("out"));
    let f = files(&d);
    let expected = [
        ("biff8_label_cp936.xls", "B8L"),
        ("biff5_cp936.xls", "B5A"),
        ("biff5_cp1252_gbk.xls", "B5B"),
        ("biff5_no_codepage.xls", "B5C"),
    ];
    assert_eq!(f.len(), expected.len(), "{f:?}");
    let decisions = read_decisions(&d);
    for (file, tag) in expected {
        let (status, data_rows, code, message) = &f[file];
        assert_eq!(status, "ok", "{file}: {code} {message}");
        assert_eq!(*data_rows, 3, "{file}");
        let mine: Vec<_> = decisions.iter().filter(|r| r.file == file).collect();
        let ids: Vec<&str> = mine.iter().map(|r| r.case_id.as_str()).collect();
        assert_eq!(ids, [1, 2, 3].map(|n| format!("{tag}-00{n}")), "{file}");
        for r in mine {
            assert_eq!(r.sheet, "申报表", "{r:?}");
            assert_eq!(
                (r.county.as_str(), r.decision.as_str()),
                ("530402", "approved"),
                "{r:?}"
            );
            assert_eq!(r.approved, "100".parse().unwrap(), "{r:?}");
        }
    }
}

#[test]
fn text_no_decoding_reads_is_unreadable_not_a_missing_claim_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let d = run(&dir("refused"), &tmp.path().join("out"));
    let f = files(&d);
    for file in ["biff8_compressed_gbk.xls", "biff5_utf16.xls"] {
        let (status, data_rows, code, message) = &f[file];
        assert_eq!(status, "error", "{file}");
        assert_eq!(*data_rows, 0, "{file}");
        assert_eq!(code, "unreadable_file", "{file}: {message}");
        assert_eq!(message, UNDECODABLE, "{file}");
    }
    // A FILEPASS record ahead of the GBK label: still a password, not an encoding.
    let (_, _, code, _) = &f["biff8_rc4_cp936.xls"];
    assert_eq!(code, "encrypted_file");
    assert!(read_decisions(&d).is_empty());
}
