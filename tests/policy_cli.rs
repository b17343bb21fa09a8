//! A policy file with a mistake is refused before anything is read or written, with a Chinese
//! message that names the file and the line at fault (SPEC §6, §11.1), by every command that
//! takes `--policy`.

mod common;

use common::payrun;

const POLICY: &str = include_str!("../templates/policy-2025.toml");

fn bad_policy(dir: &std::path::Path, from: &str, to: &str) -> std::path::PathBuf {
    assert!(POLICY.contains(from), "{from}");
    let p = dir.join("政策.toml");
    std::fs::write(&p, POLICY.replacen(from, to, 1)).unwrap();
    p
}

#[test]
fn a_policy_mistake_is_refused_in_chinese_at_its_line_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/2025-H1");
    let staff = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/staff-2025");
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    let cases = [
        ("over_cap = \"hold\"", "over_cap = \"hlod\"", "第 9 行"),
        ("end = \"2025-06-30\"", "end = \"2025-06-31\"", "第 22 行"),
        (
            "aliases = [\"红塔\"]",
            "aliases = [\"红塔\" \"红塔区司法局\"]",
            "第 66 行",
        ),
    ];
    for (from, to, line) in cases {
        let p = bad_policy(tmp.path(), from, to);
        let p = p.to_str().unwrap();
        let runs = [
            payrun(&[
                "run", "--period", "2025-H1", "--policy", p, "--out", out, samples,
            ]),
            payrun(&[
                "staff", "--year", "2025", "--policy", p, "--out", out, staff,
            ]),
            payrun(&["check", "--policy", p, samples]),
            payrun(&["template", "--policy", p, "--out", out]),
        ];
        for r in runs {
            assert_eq!(r.code, 1, "{to}: {}", r.stderr);
            assert!(r.stderr.contains(line), "{to}: {}", r.stderr);
            assert!(r.stderr.contains("政策.toml"), "{to}: {}", r.stderr);
            for english in ["expected", "unknown", "invalid", "missing", "error:"] {
                assert!(!r.stderr.contains(english), "{to}: {}", r.stderr);
            }
        }
        assert!(
            !std::path::Path::new(out).exists(),
            "a refused policy wrote {out}"
        );
    }
    let r = payrun(&[
        "run",
        "--period",
        "2025-H1",
        "--policy",
        "/没有/这个.toml",
        "--out",
        out,
        samples,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("文件或文件夹不存在"), "{}", r.stderr);
}
