//! Black-box helpers: run the real binary in a fresh folder and check the SPEC §4.6 invariants
//! on whatever it wrote.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;

/// The payrun under test: `PAYRUN_BIN` when set (`scripts/wine-payrun` runs payrun.exe under
/// Wine, SPEC §13.3), else the binary cargo built for this machine.
pub fn bin() -> PathBuf {
    std::env::var_os("PAYRUN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(native_bin)
}

/// The binary cargo built, whatever `PAYRUN_BIN` says: the reference the Windows build is
/// compared with.
pub fn native_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_payrun"))
}

/// Whether the tests run another build than cargo's (payrun.exe under Wine).
pub fn foreign_bin() -> bool {
    std::env::var_os("PAYRUN_BIN").is_some()
}

/// The parts of a zip (an xlsx) in stored order: name and inflated bytes.
pub fn zip_parts(path: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{}: not a zip: {e}", path.display()));
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// How workbook `b` differs from `a`, if it does: other parts, other part order or other part
/// bytes; and, when both can come from one build, other file bytes. A workbook payrun.exe wrote
/// differs from Linux's in its zip headers' "made by" byte (the OS that wrote it), so across
/// builds the parts are what is compared (SPEC §13.3).
pub fn workbook_difference(a: &Path, b: &Path, same_build: bool) -> Option<String> {
    let (pa, pb) = (zip_parts(a), zip_parts(b));
    let names = |p: &[(String, Vec<u8>)]| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if names(&pa) != names(&pb) {
        return Some(format!(
            "different parts: {:?} / {:?}",
            names(&pa),
            names(&pb)
        ));
    }
    if let Some(((name, _), _)) = pa.iter().zip(&pb).find(|((_, x), (_, y))| x != y) {
        return Some(format!("part {name} differs"));
    }
    if same_build && std::fs::read(a).ok() != std::fs::read(b).ok() {
        return Some("same parts, different bytes".to_string());
    }
    None
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
    let o = Command::new(bin())
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("start payrun");
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
        [
            "file",
            "sheet",
            "row",
            "county_code",
            "case_id",
            "decision",
            "reasons",
            "standard_amount",
            "approved_amount"
        ]
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
    v.as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"))
        .parse()
        .unwrap()
}

/// The invariants of SPEC §4.6, on one run's outputs.
pub fn assert_invariants(dir: &Path) {
    let rows = read_decisions(dir);
    let s = read_summary(dir);
    // Every data row exactly once.
    let mut seen = HashSet::new();
    for r in &rows {
        assert!(
            seen.insert((r.file.clone(), r.sheet.clone(), r.row)),
            "row twice: {r:?}"
        );
        assert!(
            ["approved", "rejected", "held"].contains(&r.decision.as_str()),
            "{r:?}"
        );
        assert_eq!(r.approved.scale(), 2, "{r:?}");
        if r.decision != "approved" {
            assert!(r.approved.is_zero(), "{r:?}");
        } else {
            assert!(r.approved <= r.standard, "{r:?}");
        }
    }
    let data_rows: u64 = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["data_rows"].as_u64().unwrap())
        .sum();
    assert_eq!(
        data_rows as usize,
        rows.len(),
        "summary data_rows vs decisions.csv"
    );
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
    for c in s["counties"]
        .as_array()
        .unwrap()
        .iter()
        .chain(std::iter::once(&s["unassigned"]))
    {
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
            dec(&c["approved_amount"])
                + dec(&c["rejected_amount"])
                + dec(&c["held_amount"])
                + dec(&c["prorate_reduction"]),
            "{code}: claimed = approved + rejected + held (+ proration)"
        );
        if !code.is_empty() {
            assert!(
                dec(&c["approved_amount"]) + dec(&c["paid_before"]) <= dec(&c["cap"]),
                "{code} over cap"
            );
            assert_eq!(
                dec(&c["remaining_after"]),
                dec(&c["cap"]) - dec(&c["paid_before"]) - dec(&c["approved_amount"]),
                "{code}"
            );
        }
        total_approved += amt;
    }
    assert!(
        by.is_empty(),
        "rows of counties missing from summary: {by:?}"
    );
    assert_eq!(dec(&s["totals"]["approved_amount"]), total_approved);
}

/// A valid 18-character resident ID for a region, birth date and sequence (GB 11643 check char).
pub fn make_id(region: &str, birth: &str, seq: u32) -> String {
    let body = format!("{region}{birth}{seq:03}");
    let check = payrun::cell::id_check_char(&body).expect("17 digits");
    format!("{body}{check}")
}

/// A claim row as a clerk types it (canonical columns of SPEC §4.1).
#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub county: String,
    pub office: String,
    pub committee: String,
    pub case_no: String,
    pub kind: String,
    pub level: String,
    pub close: String,
    pub result: String,
    pub form: String,
    pub dossier: String,
    pub mediator: String,
    pub id: String,
    pub bank: String,
    pub account: String,
    pub amount: String,
    pub office_review: String,
    pub county_review: String,
}

impl ClaimRow {
    pub fn good(county: &str, n: u32, close: &str) -> ClaimRow {
        ClaimRow {
            county: county.into(),
            office: "玉带路司法所".into(),
            committee: "玉带路社区人民调解委员会".into(),
            case_no: format!("T-2025-{n:04}"),
            kind: "邻里纠纷".into(),
            level: "一般".into(),
            close: close.into(),
            result: "成功".into(),
            form: "书面".into(),
            dossier: "是".into(),
            mediator: format!("调解员{}", n % 7),
            id: make_id("530402", "19700101", n % 7 + 1),
            bank: "中国农业银行玉溪分行".into(),
            account: format!("62284800{:011}", n % 7),
            amount: "100".into(),
            office_review: "通过".into(),
            county_review: "通过".into(),
        }
    }
}

pub const CANONICAL_HEADERS: [&str; 20] = [
    "序号",
    "县（市、区）",
    "司法所",
    "人民调解委员会",
    "案件编号",
    "纠纷类型",
    "纠纷等级",
    "受理日期",
    "结案日期",
    "调解结果",
    "协议形式",
    "卷宗规范",
    "调解员",
    "身份证号码",
    "开户银行",
    "银行账号",
    "申报金额",
    "司法所初审",
    "县级审核",
    "备注",
];

/// Writes a plain claim workbook: header in row 1, text cells everywhere (dates as text).
pub fn write_claims(path: &Path, rows: &[ClaimRow]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in CANONICAL_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let vals = [
            (i + 1).to_string(),
            r.county.clone(),
            r.office.clone(),
            r.committee.clone(),
            r.case_no.clone(),
            r.kind.clone(),
            r.level.clone(),
            String::new(),
            r.close.clone(),
            r.result.clone(),
            r.form.clone(),
            r.dossier.clone(),
            r.mediator.clone(),
            r.id.clone(),
            r.bank.clone(),
            r.account.clone(),
            r.amount.clone(),
            r.office_review.clone(),
            r.county_review.clone(),
            String::new(),
        ];
        for (c, v) in vals.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(row, c as u16, v).unwrap();
            }
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    wb.save(path).unwrap();
}

/// Rewrites one part of an xlsx (a zip) through `edit`, as a person editing the file would.
pub fn edit_xlsx_part(path: &Path, part: &str, edit: impl Fn(&str) -> String) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut found = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == part {
            found = true;
            data = edit(&String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(found, "{part} not in {}", path.display());
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}
