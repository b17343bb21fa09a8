//! Issue 16, SPEC §10: ordinary mistakes in a clerk's hands never erase a record, pay twice or
//! drop a county. Each test is one scenario of the issue, run with the real binary.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, open_workbook};
use common::*;

/// (h) Usage errors are refusals: exit 1, a Chinese message and the usage line; help is Chinese.
#[test]
fn usage_errors_exit_1_in_chinese_and_help_is_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let (o, i) = (out.to_str().unwrap(), input.to_str().unwrap());

    let r = payrun(&["run", "--peroid", "2025-H1", "--out", o, i]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("不认识的选项 --peroid") && r.stderr.contains("--period"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("用法：payrun run --period <期间> [选项] <输入文件夹>"),
        "{}",
        r.stderr
    );

    let r = payrun(&["staff", "--year", "abc", "--out", o, i]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--year"), "{}", r.stderr);
    assert!(r.stderr.contains("“abc”无效"), "{}", r.stderr);
    assert!(r.stderr.contains("用法：payrun staff"), "{}", r.stderr);

    let r = payrun(&["run", "--out", o, i]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("缺少必需的参数"), "{}", r.stderr);

    for r in [
        payrun(&["run", "--peroid", "2025-H1", i]),
        payrun(&["staff", "--year", "abc", i]),
        payrun(&["run", i]),
        payrun(&["bogus"]),
    ] {
        for english in ["error:", "Usage:", "For more information"] {
            assert!(!r.stderr.contains(english), "{}", r.stderr);
        }
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    assert!(!out.exists(), "nothing written on a usage error");

    // --help of every command is Chinese, describes every argument and exits 0.
    for cmd in ["run", "staff", "check", "template", "samples"] {
        let r = payrun(&[cmd, "--help"]);
        assert_eq!(r.code, 0, "{cmd}: {}", r.stderr);
        assert!(r.stdout.contains("用法：payrun"), "{cmd}: {}", r.stdout);
        for english in ["Usage", "Options", "Arguments", "Print help", "[default"] {
            assert!(!r.stdout.contains(english), "{cmd}: {}", r.stdout);
        }
        // Every option line carries a description (two spaces, then CJK text).
        for line in r.stdout.lines().filter(|l| l.trim_start().starts_with('-')) {
            assert!(
                line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{cmd}: option without Chinese help: {line}"
            );
        }
    }
    let r = payrun(&["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("payrun "), "{}", r.stdout);
}

fn samples(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(dir)
}

/// The first workbook of a samples folder.
fn sample_file(dir: &str, county: &str) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(samples(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(county))
        .collect();
    v.sort();
    v.remove(0)
}

fn zip_with(path: &Path, parts: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in parts {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(sheet)
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// (e) A WPS .et file is read; a .csv and a .docx are listed as skipped everywhere; the exit
/// status is what the workbooks alone give.
#[test]
fn a_wps_file_is_read_and_other_files_are_listed_as_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        sample_file("2025-H1", "江川县"),
        input.join("江川县_申报表.et"),
    )
    .unwrap();
    std::fs::write(input.join("江川区_申报.csv"), "县,案件编号\n江川区,1\n").unwrap();
    zip_with(
        &input.join("红塔区_申报说明.docx"),
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ],
    );
    let out = tmp.path().join("out");
    let r = run_period(&input, &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let dir = r.dir("2025-H1");
    let rows = read_decisions(&dir);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|row| row.file == "江川县_申报表.et"));
    let s = read_summary(&dir);
    let status: Vec<(String, String)> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            ("江川区_申报.csv", "skipped"),
            ("江川县_申报表.et", "ok"),
            ("红塔区_申报说明.docx", "skipped"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(s["files_with_errors"], 0);
    assert!(
        r.stdout
            .contains("江川区_申报.csv：不是 Excel/WPS 工作簿，未读取；请用申报表模板填报后报送"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("红塔区_申报说明.docx：不是 Excel/WPS 工作簿")
    );
    assert!(r.stdout.contains("未读取的文件 2 个"), "{}", r.stdout);

    let problems = sheet_rows(&dir.join("审批汇总表_2025-H1.xlsx"), "文件问题");
    let listed: Vec<&Vec<String>> = problems
        .iter()
        .filter(|row| row.iter().any(|c| c == "未读取的文件"))
        .collect();
    assert_eq!(listed.len(), 2, "{problems:?}");
    assert!(listed.iter().any(|row| row[0] == "江川区_申报.csv"));

    // check reads the same .et and lists the same files, with the exit status of the .et alone.
    let alone = tmp.path().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::copy(
        input.join("江川县_申报表.et"),
        alone.join("江川县_申报表.et"),
    )
    .unwrap();
    let c = payrun(&["check", "--run-date", "2025-06-30", input.to_str().unwrap()]);
    let a = payrun(&["check", "--run-date", "2025-06-30", alone.to_str().unwrap()]);
    assert_eq!(c.code, a.code, "{}", c.stdout);
    assert!(c.stdout.contains("江川县_申报表.et"), "{}", c.stdout);
    assert!(
        c.stdout.contains("江川区_申报.csv：不是 Excel/WPS 工作簿"),
        "{}",
        c.stdout
    );
    assert!(
        c.stdout.ends_with(&a.stdout),
        "{}\n----\n{}",
        c.stdout,
        a.stdout
    );

    // staff lists them too.
    let sin = tmp.path().join("staff_in");
    std::fs::create_dir_all(&sin).unwrap();
    std::fs::copy(sample_file("staff-2025", "红塔区"), sin.join("红塔区.et")).unwrap();
    std::fs::write(sin.join("江川区_协勤.csv"), "姓名\n张三\n").unwrap();
    let r = payrun(&[
        "staff",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        out.to_str().unwrap(),
        sin.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("江川区_协勤.csv：不是 Excel/WPS 工作簿"),
        "{}",
        r.stdout
    );
    let s = read_summary(&out.join("staff-2025"));
    let files = s["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], "江川区_协勤.csv");
    assert_eq!(files[0]["status"], "skipped");
    assert_eq!(files[1]["status"], "ok");
    let problems = sheet_rows(&out.join("staff-2025/经费下达表_2025.xlsx"), "文件问题");
    assert!(
        problems
            .iter()
            .any(|row| row.iter().any(|c| c == "江川区_协勤.csv")),
        "{problems:?}"
    );
}

/// (f) Lock files, dot files and the files systems leave behind are passed over without a word
/// by run, staff and check alike.
#[test]
fn lock_dot_and_system_files_are_ignored_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let junk: [(&str, &[u8]); 6] = [
        ("~$红塔区_申报表.xlsx", b"\x00lock"),
        (".~lock.红塔区_申报表.xlsx#", b"lock"),
        (".hidden.xlsx", b"not a workbook"),
        (".DS_Store", b"\x00\x00\x00\x01Bud1"),
        ("Thumbs.db", b"\xd0\xcf\x11\xe0"),
        (".git/config", b"[core]"),
    ];
    let with_junk = |name: &str, good: &Path| -> (PathBuf, PathBuf) {
        let clean = tmp.path().join(format!("{name}_clean"));
        let messy = tmp.path().join(format!("{name}_messy"));
        for d in [&clean, &messy] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::copy(good, d.join(good.file_name().unwrap())).unwrap();
        }
        for (f, bytes) in junk {
            let p = messy.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        (clean, messy)
    };

    let (clean, messy) = with_junk("run", &sample_file("2025-H1", "红塔区"));
    let a = run_period(&clean, &tmp.path().join("o1"), "2025-H1", "2025-06-30", &[]);
    let b = run_period(&messy, &tmp.path().join("o2"), "2025-H1", "2025-06-30", &[]);
    assert_eq!((a.code, b.code), (0, 0), "{}", b.stdout);
    for f in ["decisions.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(a.dir("2025-H1").join(f)).unwrap(),
            std::fs::read(b.dir("2025-H1").join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(!b.stdout.contains("未读取"), "{}", b.stdout);

    let (clean, messy) = with_junk("staff", &sample_file("staff-2025", "红塔区"));
    let staff = |input: &Path, out: &str| {
        payrun(&[
            "staff",
            "--year",
            "2025",
            "--run-date",
            "2025-12-31",
            "--out",
            tmp.path().join(out).to_str().unwrap(),
            input.to_str().unwrap(),
        ])
    };
    let a = staff(&clean, "s1");
    let b = staff(&messy, "s2");
    assert_eq!((a.code, b.code), (0, 0), "{}", b.stdout);
    for f in ["decisions.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(tmp.path().join("s1/staff-2025").join(f)).unwrap(),
            std::fs::read(tmp.path().join("s2/staff-2025").join(f)).unwrap(),
            "{f}"
        );
    }

    let (clean, messy) = with_junk("check", &sample_file("2025-H1", "红塔区"));
    let a = payrun(&["check", "--run-date", "2025-06-30", clean.to_str().unwrap()]);
    let b = payrun(&["check", "--run-date", "2025-06-30", messy.to_str().unwrap()]);
    assert_eq!(a.code, b.code);
    assert_eq!(a.stdout, b.stdout);
}

/// (b, first half) A staff form given to `run` and a claim form given to `staff` are
/// `wrong_form`, naming the command to use.
#[test]
fn the_other_programs_forms_are_wrong_form_naming_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run_period(&samples("staff-2025"), &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let s = read_summary(&r.dir("2025-H1"));
    let files = s["files"].as_array().unwrap();
    assert_eq!(files.len(), 9);
    for f in files {
        assert_eq!(f["error"]["code"], "wrong_form", "{f}");
        let m = f["error"]["message"].as_str().unwrap();
        assert!(
            m.starts_with("这是社区矫正协勤人员经费申报表，请用 payrun staff 处理"),
            "{m}"
        );
    }
    // The console names the problem in Chinese (SPEC §11.1); the code stays in the machine outputs.
    assert!(
        r.stdout
            .contains("其他项目的申报表：这是社区矫正协勤人员经费申报表"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("wrong_form"), "{}", r.stdout);
    let problems = sheet_rows(
        &r.dir("2025-H1").join("审批汇总表_2025-H1.xlsx"),
        "文件问题",
    );
    assert!(
        problems
            .iter()
            .any(|row| row.iter().any(|c| c == "wrong_form")),
        "{problems:?}"
    );

    let r = payrun(&[
        "staff",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        out.to_str().unwrap(),
        samples("2025-H1").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let s = read_summary(&out.join("staff-2025"));
    for f in s["files"].as_array().unwrap() {
        assert_eq!(f["error"]["code"], "wrong_form", "{f}");
        let m = f["error"]["message"].as_str().unwrap();
        assert!(
            m.starts_with("这是人民调解个案补贴申报表，请用 payrun run 处理"),
            "{m}"
        );
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn assert_unchanged(before: &BTreeMap<String, Vec<u8>>, dir: &Path) {
    let after = snapshot(dir);
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(before), names(&after), "files added or removed");
    for (k, v) in before {
        assert!(after[k] == *v, "{k} changed");
    }
}

/// `payrun run` that may be refused: any exit status.
fn run_any(input: &Path, out: &Path, period: &str, run_date: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "run",
        "--period",
        period,
        "--run-date",
        run_date,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    payrun(&args)
}

/// (a) An empty folder after a real H1 run: refused, with what each county would lose, and the
/// ledger and every earlier output byte-identical.
#[test]
fn an_empty_folder_cannot_erase_a_recorded_period() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o3");
    let h1 = run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(h1.code, 0);
    let before = snapshot(&out);
    assert!(before.contains_key("台账.xlsx"));
    assert!(before.keys().filter(|k| k.contains("审核反馈")).count() >= 9);

    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let r = run_any(&empty, &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for want in [
        "拒绝重新审核 2025-H1",
        "输入中没有任何数据行",
        "在台账中有核准案件，本次一件也没有",
        "--replace",
        "台账件数",
        "红塔区",
        "峨山彝族自治县",
        "合计",
    ] {
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
    }
    // The table names the approved amount on record: 合计 row ends with what would be lost.
    let s = read_summary(&out.join("2025-H1"));
    let recorded = s["totals"]["approved_amount"].as_str().unwrap().to_string();
    let total = r.stderr.lines().find(|l| l.starts_with("合计")).unwrap();
    let grouped = {
        let (int, frac) = recorded.split_once('.').unwrap();
        let mut g = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                g.push(',');
            }
            g.push(ch);
        }
        format!("{g}.{frac}")
    };
    assert!(total.ends_with(&grouped), "{total} / {grouped}");
    assert_unchanged(&before, &out);

    // A county left out is refused too, naming that county.
    let partial = tmp.path().join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    for e in std::fs::read_dir(samples("2025-H1")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.starts_with("江川县") {
            std::fs::copy(e.path(), partial.join(&name)).unwrap();
        }
    }
    let r = run_any(&partial, &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("江川区 在台账中有核准案件，本次一件也没有"),
        "{}",
        r.stderr
    );
    assert_unchanged(&before, &out);

    // The same inputs again replace the period: nothing is lowered.
    let again = run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    for (k, v) in &before {
        if !k.starts_with("台账备份") {
            assert!(std::fs::read(out.join(k)).unwrap() == *v, "{k} changed");
        }
    }
}

/// (b) `run` pointed at the staff folder after a real H1 run: every file is wrong_form, and the
/// run is refused from lowering the record.
#[test]
fn the_staff_folder_given_to_run_cannot_erase_a_recorded_period() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    let before = snapshot(&out);
    let r = run_any(&samples("staff-2025"), &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("拒绝重新审核 2025-H1"), "{}", r.stderr);
    assert!(r.stderr.contains("输入中没有任何数据行"), "{}", r.stderr);
    assert_unchanged(&before, &out);
}

/// (c) `--replace` lets a lowering run through, and the ledger it replaces is kept, byte for
/// byte, in 台账备份/; every later replacement adds a numbered copy.
#[test]
fn replace_keeps_the_old_ledger_in_the_backup_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let first = run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    assert!(
        !first.stdout.contains("备份"),
        "no ledger before, no backup"
    );
    assert!(!out.join("台账备份").exists());
    let ledger = out.join("台账.xlsx");
    let old = std::fs::read(&ledger).unwrap();

    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let r = run_any(&empty, &out, "2025-H1", "2025-06-30", &["--replace"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let copy = out.join("台账备份/台账_2025-06-30_1.xlsx");
    assert!(std::fs::read(&copy).unwrap() == old, "backup differs");
    assert!(
        r.stdout
            .contains(&format!("替换前的台账已备份为：{}", copy.display())),
        "{}",
        r.stdout
    );
    assert_ne!(
        std::fs::read(&ledger).unwrap(),
        old,
        "the ledger was replaced"
    );
    let s = read_summary(&out.join("2025-H1"));
    let notices: Vec<&str> = s["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("按 --replace 以本次结果替换了台账中 2025-H1 的记录")),
        "{notices:?}"
    );

    // Undo by copying the backup back: the next run sees H1 as recorded before.
    let replaced = std::fs::read(&ledger).unwrap();
    std::fs::copy(&copy, &ledger).unwrap();
    let r = run_period(&samples("2025-H2"), &out, "2025-H2", "2025-12-31", &[]);
    assert_eq!(r.code, 0);
    let second = out.join("台账备份/台账_2025-12-31_1.xlsx");
    assert!(std::fs::read(&second).unwrap() == old);
    assert!(
        std::fs::read(&copy).unwrap() == old,
        "earlier copies untouched"
    );
    assert_ne!(old, replaced);
    let again = run_period(&samples("2025-H2"), &out, "2025-H2", "2025-12-31", &[]);
    assert_eq!(again.code, 0);
    assert!(out.join("台账备份/台账_2025-12-31_2.xlsx").is_file());
}

/// (d) A later period without its ledger is refused, saying where the program looked and why;
/// `--without-ledger` runs it and every output says so.
#[test]
fn a_later_period_without_the_ledger_is_refused_unless_told() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o13");
    let r = run_any(&samples("2025-H2"), &out, "2025-H2", "2025-12-31", &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let ledger = out.join("台账.xlsx");
    assert!(
        r.stderr.contains(&ledger.display().to_string()),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2025-H1 可能已发放，缺少台账会重复发放"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--without-ledger"), "{}", r.stderr);
    assert!(!out.exists(), "nothing written");

    let r = run_any(
        &samples("2025-H2"),
        &out,
        "2025-H2",
        "2025-12-31",
        &["--without-ledger"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("注意：按 --without-ledger"),
        "{}",
        r.stdout
    );
    let dir = out.join("2025-H2");
    let s = read_summary(&dir);
    assert_eq!(s["without_ledger"], true);
    let run_sheet = sheet_rows(&dir.join("审批汇总表_2025-H2.xlsx"), "运行信息");
    assert!(
        run_sheet
            .iter()
            .any(|row| row.first().is_some_and(|c| c == "台账")
                && row.iter().any(|c| c.contains("--without-ledger"))),
        "{run_sheet:?}"
    );

    // With the ledger of a real H1 the flag changes nothing.
    let out2 = tmp.path().join("with");
    run_period(&samples("2025-H1"), &out2, "2025-H1", "2025-06-30", &[]);
    let a = run_period(&samples("2025-H2"), &out2, "2025-H2", "2025-12-31", &[]);
    let d_a = std::fs::read(out2.join("2025-H2/decisions.csv")).unwrap();
    let b = run_period(
        &samples("2025-H2"),
        &out2,
        "2025-H2",
        "2025-12-31",
        &["--without-ledger"],
    );
    assert_eq!((a.code, b.code), (0, 0));
    assert_eq!(
        d_a,
        std::fs::read(out2.join("2025-H2/decisions.csv")).unwrap()
    );
    assert_eq!(read_summary(&out2.join("2025-H2"))["without_ledger"], false);
    // …and differs from the run without the ledger: H1's cases are not paid twice.
    assert_ne!(d_a, std::fs::read(dir.join("decisions.csv")).unwrap());
}

fn set_read_only(p: &Path, on: bool) {
    let mut perm = std::fs::metadata(p).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(on);
    std::fs::set_permissions(p, perm).unwrap();
}

/// (g) An output or the ledger that cannot be replaced (on Windows: open in Excel/WPS; here a
/// read-only file or folder stands in) stops the run before anything is replaced.
#[test]
fn outputs_in_use_are_refused_before_anything_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    let dir = r.dir("2025-H1");

    // The preflight knows every file a run writes.
    let mut written: Vec<PathBuf> = snapshot(&dir).keys().map(|k| dir.join(k)).collect();
    written.sort();
    let mut targets = payrun::mediation::outputs::replaced_files(&dir, "2025-H1");
    targets.sort();
    assert_eq!(written, targets);

    let before = snapshot(&out);
    let h2ish = samples("2025-H1");
    for victim in [
        dir.join("审批汇总表_2025-H1.xlsx"),
        dir.join("feedback/红塔区_审核反馈_2025-H1.xlsx"),
        out.join("台账.xlsx"),
    ] {
        set_read_only(&victim, true);
        let r = run_any(&h2ish, &out, "2025-H1", "2025-06-30", &[]);
        set_read_only(&victim, false);
        assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
        let name = victim.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            r.stderr
                .contains(&format!("请先关闭 Excel/WPS 中打开的 {name} 后重新运行")),
            "{}",
            r.stderr
        );
        assert_unchanged(&before, &out);
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        for folder in [dir.join("feedback"), dir.clone()] {
            mode(&folder, 0o555);
            let r = run_any(&h2ish, &out, "2025-H1", "2025-06-30", &[]);
            mode(&folder, 0o755);
            assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
            assert!(r.stderr.contains("无法写入文件夹"), "{}", r.stderr);
            assert_unchanged(&before, &out);
        }
    }

    // staff alike.
    let sdir = out.join("staff-2025");
    let s = payrun(&[
        "staff",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        out.to_str().unwrap(),
        samples("staff-2025").to_str().unwrap(),
    ]);
    assert_eq!(s.code, 0);
    let mut written: Vec<PathBuf> = snapshot(&sdir).keys().map(|k| sdir.join(k)).collect();
    written.sort();
    let mut targets = payrun::staff::outputs::replaced_files(&sdir, 2025);
    targets.sort();
    assert_eq!(written, targets);
    let before = snapshot(&out);
    let victim = sdir.join("经费下达表_2025.xlsx");
    set_read_only(&victim, true);
    let s = payrun(&[
        "staff",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        out.to_str().unwrap(),
        samples("staff-2025").to_str().unwrap(),
    ]);
    set_read_only(&victim, false);
    assert_eq!(s.code, 1, "{}", s.stderr);
    assert!(
        s.stderr
            .contains("请先关闭 Excel/WPS 中打开的 经费下达表_2025.xlsx 后重新运行"),
        "{}",
        s.stderr
    );
    assert_unchanged(&before, &out);
}
