//! Issue 16, SPEC §10: ordinary mistakes in a clerk's hands never erase a record, pay twice or
//! drop a county. Each test is one scenario of the issue, run with the real binary.

mod common;

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
