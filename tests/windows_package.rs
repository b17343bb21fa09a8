//! payrun.exe against the Linux build (SPEC §13.3, issue 18). When `PAYRUN_BIN` names another
//! build of payrun (scripts/wine-test.sh sets it to scripts/wine-payrun, which runs the
//! unzipped package's payrun.exe under Wine), each test runs that build and cargo's own on the
//! same inputs, in folders with Chinese names, and compares what they print and write:
//! decisions.csv and summary.json byte for byte once path separators are normalised, workbooks
//! part by part. Without `PAYRUN_BIN` there is nothing to compare and the tests say so.

mod common;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `exe args…` in `cwd` (relative paths in `args` are resolved there).
fn exec(exe: &Path, cwd: &Path, args: &[&str]) -> Outcome {
    let o = Command::new(exe)
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("start payrun");
    Outcome {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Windows joins paths with `\`; the rest of the text must be the same.
fn normalised(s: &str) -> String {
    s.replace("\\\\", "/").replace('\\', "/")
}

fn skip() -> bool {
    if !foreign_bin() {
        eprintln!("PAYRUN_BIN is not set: no other build to compare with (scripts/wine-test.sh)");
    }
    !foreign_bin()
}

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if !keep(&p) {
            continue;
        }
        let dst = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dst, keep);
        } else {
            std::fs::copy(&p, &dst).unwrap();
        }
    }
}

/// Every file under `dir`, relative, '/'-separated, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

/// The two output folders hold the same files with the same content.
fn assert_same_outputs(linux: &Path, windows: &Path) {
    let (a, b) = (files(linux), files(windows));
    assert_eq!(a, b, "different files in {linux:?} and {windows:?}");
    assert!(!a.is_empty(), "nothing written in {linux:?}");
    for f in &a {
        let (x, y) = (linux.join(f), windows.join(f));
        if f.ends_with(".xlsx") {
            if let Some(d) = workbook_difference(&x, &y, false) {
                panic!("{f}: {d}");
            }
        } else if f.ends_with(".csv") || f.ends_with(".json") {
            let text =
                |p: &Path| normalised(&String::from_utf8(std::fs::read(p).unwrap()).unwrap());
            assert!(text(&x) == text(&y), "{f} differs");
        } else {
            assert!(
                std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(),
                "{f} differs"
            );
        }
    }
}

/// Both builds, each in its own folder `root/<name>` laid out by `prepare`, run the same
/// commands; what they print and the folders they leave must agree.
fn both(root: &Path, prepare: &dyn Fn(&Path), steps: &[&[&str]]) -> (PathBuf, PathBuf) {
    let mut dirs = Vec::new();
    let mut printed: Vec<Vec<Outcome>> = Vec::new();
    for (name, exe) in [("linux 构建", native_bin()), ("windows 构建", bin())] {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        prepare(&dir);
        printed.push(steps.iter().map(|a| exec(&exe, &dir, a)).collect());
        dirs.push(dir);
    }
    for (i, (l, w)) in printed[0].iter().zip(&printed[1]).enumerate() {
        let what = steps[i].join(" ");
        assert_eq!(
            l.code, w.code,
            "`payrun {what}`: exit status\nlinux stderr: {}\nwindows stderr: {}",
            l.stderr, w.stderr
        );
        assert_eq!(
            normalised(&l.stdout),
            normalised(&w.stdout),
            "`payrun {what}`: stdout"
        );
        // Log lines carry timings; every message to a person must agree.
        let messages = |s: &str| {
            normalised(s)
                .lines()
                .filter(|l| !l.starts_with('['))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            messages(&l.stderr),
            messages(&w.stderr),
            "`payrun {what}`: stderr"
        );
        assert!(!w.stderr.contains("panicked"), "{}", w.stderr);
    }
    let w = dirs.pop().unwrap();
    (dirs.pop().unwrap(), w)
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

#[test]
fn the_sample_year_staff_check_and_template_equal_linux_in_chinese_folders() {
    if skip() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let prepare = |dir: &Path| copy_tree(&samples(), &dir.join("申报表 2025"), &|_| true);
    let (linux, windows) = both(
        tmp.path(),
        &prepare,
        &[
            &[
                "run",
                "--period",
                "2025-H1",
                "--run-date",
                "2025-06-30",
                "--out",
                "输出 结果",
                "申报表 2025/2025-H1",
            ],
            &[
                "run",
                "--period",
                "2025-H2",
                "--run-date",
                "2025-12-31",
                "--out",
                "输出 结果",
                "申报表 2025/2025-H2",
            ],
            &[
                "staff",
                "--year",
                "2025",
                "--run-date",
                "2025-12-31",
                "--out",
                "输出 结果",
                "申报表 2025/staff-2025",
            ],
            &["template", "--out", "空白 模板"],
            &["check", "--run-date", "2025-06-30", "申报表 2025/2025-H1"],
            &[
                "check",
                "--run-date",
                "2025-06-30",
                "空白 模板/人民调解个案补贴申报表.xlsx",
            ],
        ],
    );
    for sub in ["输出 结果", "空白 模板"] {
        assert_same_outputs(&linux.join(sub), &windows.join(sub));
    }
    let out = windows.join("输出 结果");
    for f in [
        "2025-H1/发放表_2025-H1.xlsx",
        "2025-H2/审批汇总表_2025-H2.xlsx",
        "staff-2025/经费下达表_2025.xlsx",
        "台账.xlsx",
    ] {
        assert!(out.join(f).is_file(), "{f} not written");
    }
    assert_invariants(&out.join("2025-H2"));
}

#[test]
fn the_hostile_corpus_gets_the_same_answers_as_on_linux() {
    if skip() {
        return;
    }
    let heavy = std::env::var_os("PAYRUN_HEAVY_TESTS").is_some_and(|v| v == "1");
    let tmp = tempfile::tempdir().unwrap();
    let corpus = fixtures().join("hostile");
    let prepare = |dir: &Path| {
        copy_tree(&corpus, &dir.join("来文"), &|p| {
            heavy || p.file_name() != Some(OsStr::new("heavy"))
        });
        let good = fixtures().join("external/openpyxl/openpyxl_messy.xlsx");
        std::fs::copy(good, dir.join("来文/openpyxl_messy.xlsx")).unwrap();
    };
    let (linux, windows) = both(
        tmp.path(),
        &prepare,
        &[&[
            "run",
            "--period",
            "2025-H1",
            "--run-date",
            "2025-06-30",
            "--out",
            "输出",
            "来文",
        ]],
    );
    assert_same_outputs(&linux.join("输出"), &windows.join("输出"));
    // The same answers are also the right ones: the corpus's expected file outcomes.
    let s = read_summary(&windows.join("输出/2025-H1"));
    let mut rdr = csv::Reader::from_path(corpus.join("expected.csv")).unwrap();
    let mut checked = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        if !heavy && r[0].starts_with("heavy/") {
            continue;
        }
        let f = s["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == r[0])
            .unwrap_or_else(|| panic!("{} missing from summary.json", &r[0]));
        let got = match f["status"].as_str() {
            Some("ok") => "ok",
            _ => f["error"]["code"].as_str().unwrap_or("?"),
        };
        assert_eq!(got, &r[1], "{}", &r[0]);
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} corpus files checked");
}

/// A workbook held open as Excel holds it cannot be replaced on Windows: the run stops with
/// exit 1 and says which file to close, without a panic (SPEC §10.6). `PAYRUN_HOLD_OPEN` is
/// scripts/wine/hold-open.c built by scripts/wine-test.sh, run through the same wrapper.
#[test]
fn a_workbook_open_in_excel_is_named_in_a_refusal() {
    if skip() {
        return;
    }
    let Some(hold) = std::env::var_os("PAYRUN_HOLD_OPEN") else {
        eprintln!("PAYRUN_HOLD_OPEN is not set: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = samples().join("2025-H1");
    let out = tmp.path().join("输出");
    let first = run_period(&input, &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let payroll = out.join("2025-H1/发放表_2025-H1.xlsx");
    let before = std::fs::read(&payroll).unwrap();
    let mut holder = Command::new(bin())
        .env("PAYRUN_EXE", &hold)
        .arg(&payroll)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start hold-open");
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "open", "hold-open could not open the file");
    let r = payrun(&[
        "run",
        "--period",
        "2025-H1",
        "--run-date",
        "2025-06-30",
        "--out",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    let _ = holder.stdin.take().map(|mut s| s.write_all(b"\n"));
    let _ = holder.wait();
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("请先关闭 Excel/WPS 中打开的 发放表_2025-H1.xlsx 后重新运行"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(&payroll).unwrap(),
        before,
        "the open file changed"
    );
    let leftovers: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
