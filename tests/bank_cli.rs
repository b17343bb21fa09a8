//! SPEC §12.2: the batch files `payrun run` writes, read back as a bank would read them, and
//! held to the 发放表 and decisions.csv to the fen.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{read_decisions, run_period};
use payrun::bank::profile::{BankColumn, BankFormat, BankProfile};
use payrun::policy::Policy;
use rust_decimal::Decimal;

fn samples(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(p)
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(o) => o.to_string(),
    }
}

fn number(d: Option<&Data>) -> Decimal {
    match d {
        Some(Data::Float(f)) => Decimal::try_from(*f).unwrap().round_dp(2),
        Some(Data::Int(i)) => Decimal::from(*i),
        o => panic!("not a number: {o:?}"),
    }
}

fn two_decimals(s: &str) -> bool {
    let Some((a, b)) = s.split_once('.') else {
        return false;
    };
    !a.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.len() == 2
        && b.bytes().all(|c| c.is_ascii_digit())
}

/// One line of a batch file as the bank reads it.
#[derive(Debug, Clone)]
struct Read {
    name: String,
    account: String,
    amount: Decimal,
}

/// Reads a batch file with its profile (None: 其他银行), asserting the format rules on every
/// line: accounts text (digits, never a number or scientific notation), amounts two decimals,
/// no totals row.
fn read_batch(path: &Path, profile: Option<&BankProfile>) -> Vec<Read> {
    let is_txt = profile.is_some_and(|p| p.format == BankFormat::Txt);
    let columns: Vec<BankColumn> = match profile {
        Some(p) => p.columns.clone(),
        None => payrun::bank::batch::OTHER_COLUMNS.to_vec(),
    };
    let at = |c: BankColumn| columns.iter().position(|k| *k == c).unwrap();
    let (ia, ib, im) = (
        at(BankColumn::Name),
        at(BankColumn::Account),
        at(BankColumn::Amount),
    );
    let mut out = Vec::new();
    if is_txt {
        let p = profile.unwrap();
        let bytes = std::fs::read(path).unwrap();
        let (s, _, bad) = p.encoding.encoding().decode(&bytes);
        assert!(
            !bad,
            "{}: not {}",
            path.display(),
            p.encoding.encoding().name()
        );
        let mut lines = s.split("\r\n").collect::<Vec<_>>();
        assert_eq!(
            lines.pop(),
            Some(""),
            "{}: last line ends with CRLF",
            path.display()
        );
        if p.header {
            let head = lines.remove(0);
            let want: Vec<&str> = columns.iter().map(|c| c.label()).collect();
            assert_eq!(head, want.join(&p.delimiter));
        }
        for l in lines {
            let cells: Vec<&str> = l.split(p.delimiter.as_str()).collect();
            assert_eq!(cells.len(), columns.len(), "{}: {l}", path.display());
            assert!(
                !l.contains("合计") && !l.contains("小计"),
                "totals row: {l}"
            );
            let account = cells[ib].to_string();
            assert!(
                account.len() >= 6 && account.bytes().all(|b| b.is_ascii_digit()),
                "{}: account {account}",
                path.display()
            );
            assert!(
                two_decimals(cells[im]),
                "{}: amount {}",
                path.display(),
                cells[im]
            );
            out.push(Read {
                name: cells[ia].to_string(),
                account,
                amount: cells[im].parse().unwrap(),
            });
        }
    } else {
        let rows = sheet(path, "代发");
        let want: Vec<String> = columns.iter().map(|c| c.label().to_string()).collect();
        let head: Vec<String> = rows[0].iter().map(|d| text(Some(d))).collect();
        assert_eq!(head, want, "{}", path.display());
        for r in &rows[1..] {
            let joined: String = r.iter().map(|d| text(Some(d))).collect();
            assert!(
                !joined.contains("合计") && !joined.contains("小计"),
                "totals row: {r:?}"
            );
            let Some(Data::String(account)) = r.get(ib) else {
                panic!(
                    "{}: account not a text cell: {:?}",
                    path.display(),
                    r.get(ib)
                );
            };
            assert!(
                account.bytes().all(|b| b.is_ascii_digit()) && account.len() >= 6,
                "{}: account {account}",
                path.display()
            );
            let amount = match (r.get(im), profile.map(|p| p.amount)) {
                (Some(Data::String(s)), Some(payrun::bank::profile::AmountCell::Text)) => {
                    assert!(two_decimals(s), "{}: amount {s}", path.display());
                    s.parse().unwrap()
                }
                (d @ Some(Data::Float(_)), p) => {
                    assert_ne!(p, Some(payrun::bank::profile::AmountCell::Text));
                    let v = number(d);
                    assert_eq!(v, v.round_dp(2));
                    v
                }
                other => panic!("{}: amount cell {other:?}", path.display()),
            };
            out.push(Read {
                name: text(r.get(ia)),
                account: account.clone(),
                amount,
            });
        }
        // A number amount is shown with two decimals and no separator.
        if profile.is_none_or(|p| p.amount == payrun::bank::profile::AmountCell::Number) {
            let styles = common::zip_parts(path)
                .into_iter()
                .find(|(n, _)| n == "xl/styles.xml")
                .unwrap()
                .1;
            assert!(
                String::from_utf8(styles)
                    .unwrap()
                    .contains("formatCode=\"0.00\"")
            );
        }
    }
    out
}

struct CountyCheck {
    files: Decimal,
    lines: usize,
}

/// Every batch file of a period, per county folder: Σ and lines; panics on any format breach.
fn read_all(dir: &Path, policy: &Policy) -> BTreeMap<String, (CountyCheck, Vec<Read>)> {
    let root = dir.join("代发");
    let mut per = BTreeMap::new();
    for county in std::fs::read_dir(&root).unwrap().flatten() {
        if !county.path().is_dir() {
            continue;
        }
        let name = county.file_name().to_string_lossy().into_owned();
        let mut check = CountyCheck {
            files: Decimal::ZERO,
            lines: 0,
        };
        let mut all = Vec::new();
        for f in std::fs::read_dir(county.path()).unwrap().flatten() {
            let fname = f.file_name().to_string_lossy().into_owned();
            let bank = fname.split("_代发_").next().unwrap().to_string();
            let profile = policy.banks.iter().find(|p| p.name == bank);
            assert!(profile.is_some() || bank == "其他银行", "{fname}");
            let lines = read_batch(&f.path(), profile);
            assert!(!lines.is_empty(), "{fname} is empty");
            check.files += lines.iter().map(|l| l.amount).sum::<Decimal>();
            check.lines += lines.len();
            all.extend(lines);
        }
        per.insert(name, (check, all));
    }
    per
}

/// 发放表 per county: subtotal, lines with 待补账号 (amount, count), all lines (name, account, amount).
fn payroll(dir: &Path, period: &str, county: &str) -> (Decimal, Decimal, usize, usize) {
    let (a, b, c, d, _) = payroll_lines(dir, period, county);
    (a, b, c, d)
}

/// A 发放表 line with an account: (户名, 账号, 金额).
type PaidLine = (String, String, Decimal);
/// [`payroll`]'s figures.
type PayrollFigures = (Decimal, Decimal, usize, usize, Vec<PaidLine>);

/// [`payroll`] and the (户名, 账号, 金额) of every line with an account, sorted.
fn payroll_lines(dir: &Path, period: &str, county: &str) -> PayrollFigures {
    let mut paid = Vec::new();
    let rows = sheet(&dir.join(format!("发放表_{period}.xlsx")), county);
    let mut subtotal = None;
    let (mut missing, mut missing_n, mut lines) = (Decimal::ZERO, 0, 0);
    for r in &rows {
        if text(r.first()) == format!("{county}小计") {
            subtotal = Some(number(r.get(7)));
        }
        if matches!(r.first(), Some(Data::Float(_))) {
            lines += 1;
            if text(r.get(5)) == "待补账号" {
                missing += number(r.get(7));
                missing_n += 1;
            } else {
                paid.push((text(r.get(2)), text(r.get(5)), number(r.get(7))));
            }
        }
    }
    paid.sort();
    (subtotal.unwrap(), missing, missing_n, lines, paid)
}

fn check_period(input: &Path, out: &Path, period: &str, date: &str, extra: &[&str]) {
    run_period(input, out, period, date, extra);
    let dir = out.join(period);
    let policy = Policy::default_policy().unwrap();
    let mut approved: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in read_decisions(&dir) {
        if r.decision == "approved" {
            *approved.entry(r.county).or_default() += r.approved;
        }
    }
    let files = read_all(&dir, &policy);
    let summary = sheet(
        &dir.join(format!("代发/代发汇总_{period}.xlsx")),
        "代发汇总",
    );
    let mut seen_missing = false;
    for c in &policy.counties {
        let want = approved.get(c.code.as_str()).copied().unwrap_or_default();
        if want.is_zero() {
            assert!(
                !files.contains_key(&c.name),
                "{}: files without money",
                c.name
            );
            continue;
        }
        let (subtotal, missing, missing_n, lines, paid) = payroll_lines(&dir, period, &c.name);
        let (check, read) = &files[&c.name];
        let mut read: Vec<(String, String, Decimal)> = read
            .iter()
            .map(|l| (l.name.clone(), l.account.clone(), l.amount))
            .collect();
        read.sort();
        assert_eq!(
            read, paid,
            "{period} {}: the files hold the 发放表's lines",
            c.name
        );
        assert_eq!(
            subtotal, want,
            "{period} {}: 发放表 subtotal vs decisions.csv",
            c.name
        );
        assert_eq!(
            check.files + missing,
            subtotal,
            "{period} {}: Σ files + 待补账号 = 发放表 subtotal",
            c.name
        );
        assert_eq!(
            check.lines + missing_n,
            lines,
            "{period} {}: every line once",
            c.name
        );
        // 代发汇总 says the same.
        let sub = summary
            .iter()
            .find(|r| text(r.first()) == format!("{}小计", c.name))
            .unwrap();
        assert_eq!(number(sub.get(5)), subtotal);
        if missing_n > 0 {
            seen_missing = true;
            let row = summary
                .iter()
                .find(|r| text(r.get(1)) == c.name && text(r.get(2)) == "待补账号")
                .unwrap();
            assert_eq!(number(row.get(5)), missing);
            assert_eq!(number(row.get(4)), Decimal::from(missing_n));
        }
    }
    assert!(seen_missing, "{period}: the samples show a 待补账号 line");
    // Every path of SPEC §12.2 shows in the samples: xlsx, txt in GB18030, 其他银行.
    let names: Vec<String> = walk(&dir.join("代发"));
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("中国农业银行_代发_") && n.ends_with(".xlsx"))
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("农村信用社_代发_") && n.ends_with(".txt"))
    );
    assert!(names.iter().any(|n| n.starts_with("其他银行_代发_")));
}

fn walk(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            v.extend(walk(&e.path()));
        } else {
            v.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    v.sort();
    v
}

fn all_bytes(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn go(base: &Path, d: &Path, m: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                go(base, &p, m);
            } else {
                m.insert(
                    p.strip_prefix(base).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut m = BTreeMap::new();
    go(dir, dir, &mut m);
    m
}

#[test]
fn batch_files_add_up_to_the_payroll_in_both_half_years() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    check_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    check_period(&samples("2025-H2"), &out, "2025-H2", "2025-12-31", &[]);
}

#[test]
fn batch_files_are_byte_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    run_period(
        &samples("2025-H1"),
        &a,
        "2025-H1",
        "2025-06-30",
        &["--threads", "1"],
    );
    run_period(
        &samples("2025-H1"),
        &b,
        "2025-H1",
        "2025-06-30",
        &["--threads", "2"],
    );
    let (x, y) = (
        all_bytes(&a.join("2025-H1/代发")),
        all_bytes(&b.join("2025-H1/代发")),
    );
    assert!(x.len() > 20, "{}", x.len());
    assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
    for (k, v) in &x {
        assert!(
            v == &y[k],
            "{} differs between --threads 1 and 2",
            k.display()
        );
    }
}

#[test]
fn max_rows_splits_into_numbered_files_that_still_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.toml");
    let text = payrun::policy::DEFAULT_POLICY_TOML.replace("max_rows = 1000", "max_rows = 3");
    assert_ne!(text, payrun::policy::DEFAULT_POLICY_TOML);
    std::fs::write(&policy, &text).unwrap();
    let out = tmp.path().join("out");
    run_period(
        &samples("2025-H1"),
        &out,
        "2025-H1",
        "2025-06-30",
        &["--policy", policy.to_str().unwrap()],
    );
    let dir = out.join("2025-H1");
    let p = Policy::from_toml(&text, "p").unwrap();
    let abc = p.banks.iter().find(|b| b.name == "中国农业银行").unwrap();
    let folder = dir.join("代发/红塔区");
    let mut parts = Vec::new();
    for n in 1.. {
        let f = folder.join(format!("中国农业银行_代发_2025-H1_{n}.xlsx"));
        if !f.exists() {
            break;
        }
        let lines = read_batch(&f, Some(abc));
        assert!(lines.len() <= 3 && !lines.is_empty());
        parts.push(lines);
    }
    assert!(parts.len() > 2, "{} parts", parts.len());
    assert!(!folder.join("中国农业银行_代发_2025-H1.xlsx").exists());
    // The sums hold with the split files.
    let files = read_all(&dir, &p);
    let (subtotal, missing, _, _) = payroll(&dir, "2025-H1", "红塔区");
    assert_eq!(files["红塔区"].0.files + missing, subtotal);
}

#[test]
fn a_rerun_removes_batch_files_it_no_longer_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let policy = tmp.path().join("policy.toml");
    let text = payrun::policy::DEFAULT_POLICY_TOML.replace("max_rows = 1000", "max_rows = 3");
    std::fs::write(&policy, &text).unwrap();
    let p = policy.to_str().unwrap();
    run_period(
        &samples("2025-H1"),
        &out,
        "2025-H1",
        "2025-06-30",
        &["--policy", p],
    );
    let split = out.join("2025-H1/代发/红塔区/中国农业银行_代发_2025-H1_1.xlsx");
    assert!(split.exists());
    let other = out.join("2025-H1/代发/红塔区/备忘.txt");
    std::fs::write(&other, "keep").unwrap();
    // The same period again with the embedded policy (no split): the numbered files of the
    // first run go, a file of the county's own stays.
    run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    assert!(!split.exists());
    assert!(
        out.join("2025-H1/代发/红塔区/中国农业银行_代发_2025-H1.xlsx")
            .exists()
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep");
}

/// A bank's answer is parsed like a claim form, by a worker under its limits: a crafted
/// workbook that makes the parser ask for gigabytes (or abort) is that file's located error,
/// and the ledger keeps every byte.
#[test]
fn a_crafted_answer_file_is_refused_by_name_and_the_ledger_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let ledger = out.join("台账.xlsx");
    let before = std::fs::read(&ledger).unwrap();
    for name in ["huge/cell_at_row_col_0xffff.xls", "zipbomb/ratio_1000.xlsx"] {
        let bad = common::fixtures().join("hostile").join(name);
        let r = common::payrun(&[
            "result",
            "--period",
            "2025-H1",
            "--out",
            out.to_str().unwrap(),
            bad.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        let file = name.rsplit('/').next().unwrap();
        assert!(r.stderr.contains(file), "{name}: {}", r.stderr);
        assert!(r.stderr.contains("未导入任何一行"), "{name}: {}", r.stderr);
        assert_eq!(std::fs::read(&ledger).unwrap(), before, "{name}");
    }
}
