//! `payrun staff` end to end: the real binary on the committed samples and on small workbooks
//! written here; decisions compared with the generator's intent, every rule triggered, and the
//! three workbooks read back with calamine and reconciled with decisions.csv and summary.json.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use payrun::cell::format_daxie;
use payrun::policy::Policy;
use rust_decimal::Decimal;

const RUN_DATE: &str = "2025-04-01";

fn staff_samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/staff-2025")
}

/// `payrun staff --year Y --run-date 2025-04-01 --out OUT INPUT`.
fn staff(input: &Path, out: &Path, year: &str) -> Run {
    payrun(&[
        "staff",
        "--year",
        year,
        "--run-date",
        RUN_DATE,
        "--out",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ])
}

fn ok_run(input: &Path, out: &Path) -> (Run, PathBuf) {
    let r = staff(input, out, "2025");
    assert!(
        r.code == 0 || r.code == 2,
        "exit {}\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    let dir = out.join("staff-2025");
    (r, dir)
}

#[derive(Debug, Clone)]
struct Dec {
    file: String,
    row: u32,
    county: String,
    id: String,
    decision: String,
    reasons: String,
    standard: Decimal,
    approved: Decimal,
}

fn decisions(dir: &Path) -> Vec<Dec> {
    let mut rdr = csv::Reader::from_path(dir.join("decisions.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "file",
            "sheet",
            "row",
            "county_code",
            "id_number",
            "decision",
            "reasons",
            "standard_amount",
            "approved_amount"
        ]
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            Dec {
                file: r[0].to_string(),
                row: r[2].parse().unwrap(),
                county: r[3].to_string(),
                id: r[4].to_string(),
                decision: r[5].to_string(),
                reasons: r[6].to_string(),
                standard: r[7].parse().unwrap(),
                approved: r[8].parse().unwrap(),
            }
        })
        .collect()
}

fn has(d: &Dec, code: &str) -> bool {
    d.reasons.split(';').any(|c| c == code)
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); r0 as usize];
    for r in range.rows() {
        let mut v = vec![Data::Empty; c0 as usize];
        v.extend(r.iter().cloned());
        rows.push(v);
    }
    rows
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn num(d: Option<&Data>) -> Decimal {
    match d {
        Some(Data::Float(f)) => Decimal::try_from(*f).unwrap().round_dp(4),
        Some(Data::Int(i)) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    }
}

fn find<'a>(rows: &'a [Vec<Data>], col: usize, first: &str) -> &'a Vec<Data> {
    rows.iter()
        .find(|r| text(r.get(col)) == first)
        .unwrap_or_else(|| panic!("no row with {first} in column {col}"))
}

fn dec(v: &serde_json::Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .parse()
        .unwrap()
}

/// Everything the outputs say must agree with decisions.csv and with each other.
fn reconcile(dir: &Path) {
    let rows = decisions(dir);
    let s = read_summary(dir);
    let policy = Policy::default_policy().unwrap();

    // Every data row exactly once; amounts at the fen; approved ≤ standard.
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        assert!(seen.insert((r.file.clone(), r.row)), "row twice: {r:?}");
        assert!(
            ["approved", "rejected", "held"].contains(&r.decision.as_str()),
            "{r:?}"
        );
        assert_eq!(r.approved.scale(), 2);
        assert_eq!(r.standard.scale(), 2);
        if r.decision == "approved" {
            assert!(r.approved <= r.standard, "{r:?}");
        } else {
            assert!(r.approved.is_zero(), "{r:?}");
        }
    }
    let data_rows: u64 = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["data_rows"].as_u64().unwrap())
        .sum();
    assert_eq!(data_rows as usize, rows.len());

    // Per county: declared = approved + rejected + held; approved ≤ allocated ≤ budget.
    let mut by: BTreeMap<&str, (usize, usize, usize, usize, Decimal)> = BTreeMap::new();
    for r in &rows {
        let e = by.entry(r.county.as_str()).or_default();
        e.0 += 1;
        match r.decision.as_str() {
            "approved" => e.1 += 1,
            "rejected" => e.2 += 1,
            _ => e.3 += 1,
        }
        e.4 += r.approved;
    }
    let notice = dir.join("经费下达表_2025.xlsx");
    let payroll = dir.join("协勤人员工资发放表_2025.xlsx");
    let perf = dir.join("绩效评价表_2025.xlsx");
    let n = sheet(&notice, "经费下达表");
    let p = sheet(&perf, "绩效评价");
    let pay_names = sheet_names(&payroll);
    let mut total_alloc = Decimal::ZERO;
    let mut total_left = Decimal::ZERO;
    for c in s["counties"].as_array().unwrap() {
        let code = c["code"].as_str().unwrap();
        let name = c["name"].as_str().unwrap();
        let (decl, a, rj, h, amt) = by.remove(code).unwrap_or_default();
        let k = |key: &str| c[key].as_u64().unwrap() as usize;
        assert_eq!(k("declared_rows"), decl, "{name}");
        assert_eq!(k("approved_rows"), a, "{name}");
        assert_eq!(k("rejected_rows"), rj, "{name}");
        assert_eq!(k("held_rows"), h, "{name}");
        assert_eq!(decl, a + rj + h);
        assert_eq!(dec(&c["approved_amount"]), amt, "{name}");
        let quota = c["quota"].as_u64().unwrap();
        let in_post = c["in_post"].as_u64().unwrap();
        let posts = in_post.min(quota);
        assert_eq!(c["posts_allocated"].as_u64().unwrap(), posts);
        let alloc = dec(&c["allocated_amount"]);
        let budget = dec(&c["budget"]);
        assert_eq!(alloc, Decimal::from(posts * 12_000));
        assert!(amt <= alloc && alloc <= budget, "{name}");
        assert_eq!(dec(&c["unallocated_amount"]), budget - alloc);
        let def = policy
            .counties
            .iter()
            .find(|d| d.code.as_str() == code)
            .unwrap();
        assert_eq!(budget, def.staff_allocation);
        total_alloc += alloc;
        total_left += budget - alloc;

        // 经费下达表: the county's line.
        let line = find(&n, 1, name);
        assert_eq!(num(line.get(2)), Decimal::from(quota));
        assert_eq!(num(line.get(3)), budget);
        assert_eq!(num(line.get(4)), Decimal::from(decl as u64));
        assert_eq!(num(line.get(5)), Decimal::from(in_post));
        assert_eq!(num(line.get(6)), Decimal::from(posts));
        assert_eq!(num(line.get(7)), alloc);
        assert_eq!(num(line.get(8)), budget - alloc);

        // 绩效评价表: the county's line.
        let perf_line = find(&p, 1, name);
        let pf = &c["performance"];
        assert_eq!(num(perf_line.get(12)), dec(&pf["score"]), "{name}");
        assert_eq!(text(perf_line.get(13)), pf["grade"].as_str().unwrap());
        assert_eq!(num(perf_line.get(6)), amt);

        // 发放表: one sheet per county with people in post; people = approved rows in post.
        if in_post == 0 {
            assert!(!pay_names.iter().any(|s| s == name), "{name}");
            continue;
        }
        let pay = sheet(&payroll, name);
        let people: Vec<&Vec<Data>> = pay
            .iter()
            .skip(3)
            .filter(|r| matches!(r.first(), Some(Data::Float(_) | Data::Int(_))))
            .collect();
        assert_eq!(people.len() as u64, in_post, "{name}");
        let mut paid = Decimal::ZERO;
        for person in &people {
            let id = text(person.get(3));
            assert_eq!(id.len(), 18, "ID as text: {person:?}");
            let amount = num(person.get(5));
            let top = num(person.get(6));
            assert_eq!(num(person.get(7)), amount + top);
            let d = rows
                .iter()
                .find(|d| d.county == code && d.id == id && d.decision == "approved")
                .unwrap_or_else(|| panic!("{name}: {id} paid but not approved"));
            assert_eq!(d.approved, amount, "{id}");
            paid += amount;
        }
        assert_eq!(paid, amt, "{name}");
        let total = pay
            .iter()
            .find(|r| text(r.first()).starts_with(&format!("{name}合计")))
            .unwrap();
        assert_eq!(num(total.get(5)), amt);
        let top_up = dec(&c["county_top_up"]);
        assert_eq!(num(total.get(6)), top_up);
        find(
            &pay,
            0,
            &format!("市级补助合计（大写）：{}", format_daxie(amt)),
        );
        find(
            &pay,
            0,
            &format!("发放金额合计（大写）：{}", format_daxie(amt + top_up)),
        );
        assert!(pay.iter().any(|r| text(r.first()).starts_with("制表人：")));
    }
    let (decl, ..) = by.remove("").unwrap_or_default();
    assert_eq!(
        s["unassigned"]["declared_rows"].as_u64().unwrap() as usize,
        decl
    );
    assert!(by.is_empty(), "{by:?}");
    assert_eq!(total_alloc + total_left, policy.total_staff_allocation);
    let t = &s["totals"];
    assert_eq!(dec(&t["allocated_amount"]), total_alloc);
    let sum = find(&n, 0, "合计");
    assert_eq!(num(sum.get(7)), total_alloc);
    assert_eq!(num(sum.get(8)), total_left);
    find(
        &n,
        0,
        &format!("下达金额合计（大写）：{}", format_daxie(total_alloc)),
    );
    let pay_sum = find(&sheet(&payroll, "汇总"), 0, "合计").clone();
    assert_eq!(num(pay_sum.get(4)), dec(&t["approved_amount"]));

    // 审核明细 lists every row once.
    let detail = sheet(&notice, "审核明细");
    let listed = detail
        .iter()
        .skip(3)
        .filter(|r| matches!(r.first(), Some(Data::Float(_) | Data::Int(_))))
        .count();
    assert_eq!(listed, rows.len());
}

#[test]
fn samples_are_decided_as_planned_and_reconcile() {
    let policy = Policy::default_policy().unwrap();
    let plan = payrun::samples::staff_sample_plan(&policy, 2025).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (r, dir) = ok_run(&staff_samples(), tmp.path());
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("红塔区"), "{}", r.stdout);
    let rows = decisions(&dir);
    assert_eq!(rows.len(), plan.len());
    for p in &plan {
        let d = rows
            .iter()
            .find(|d| d.file == p.file && d.row == p.row)
            .unwrap_or_else(|| panic!("{p:?} not decided"));
        assert_eq!(d.decision, p.decision, "{p:?} → {d:?}");
        assert_eq!(d.county, p.county_code, "{p:?}");
        match p.expected_code {
            Some(code) => assert!(has(d, code), "{p:?} → {d:?}"),
            None => assert_eq!(d.reasons, "", "{p:?} → {d:?}"),
        }
        if !p.id.is_empty() {
            assert_eq!(d.id, p.id);
        }
    }
    reconcile(&dir);
    let s = read_summary(&dir);
    assert_eq!(
        dec(&s["totals"]["allocated_amount"]),
        Decimal::from(1_788_000)
    );
    assert_eq!(
        dec(&s["totals"]["unallocated_amount"]),
        Decimal::from(12_000)
    );
}

#[test]
fn the_committed_samples_are_what_the_generator_writes() {
    let policy = Policy::default_policy().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let files = payrun::samples::write_staff_samples(&policy, tmp.path(), 2025).unwrap();
    assert_eq!(files.len(), 9);
    for f in files {
        let name = f.file_name().unwrap();
        assert_eq!(
            std::fs::read(&f).unwrap(),
            std::fs::read(staff_samples().join(name)).unwrap(),
            "{name:?}: regenerate with `payrun samples`"
        );
    }
}

#[test]
fn two_runs_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, a) = ok_run(&staff_samples(), &tmp.path().join("a"));
    let (_, b) = ok_run(&staff_samples(), &tmp.path().join("b"));
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "decisions.csv",
            "summary.json",
            "协勤人员工资发放表_2025.xlsx",
            "经费下达表_2025.xlsx",
            "绩效评价表_2025.xlsx"
        ]
    );
    for n in names {
        assert_eq!(
            std::fs::read(a.join(&n)).unwrap(),
            std::fs::read(b.join(&n)).unwrap(),
            "{n}"
        );
    }
}

// ---- small workbooks written here ----

const HEADERS: [&str; 13] = [
    "县（市、区）",
    "司法所",
    "姓名",
    "身份证号码",
    "性别",
    "入职日期",
    "离职日期",
    "在岗月数",
    "月补助标准",
    "市级补助金额",
    "县级配套",
    "开户银行",
    "银行账号",
];

#[derive(Debug, Clone)]
struct P {
    county: String,
    office: String,
    name: String,
    id: String,
    gender: String,
    start: String,
    end: String,
    months: String,
    standard: String,
    municipal: String,
    top_up: String,
    bank: String,
    account: String,
}

impl P {
    /// A clean full-year person of `county` (sequence `n` makes the ID and account unique).
    fn good(county: &str, region: &str, n: u32) -> P {
        P {
            county: county.into(),
            office: "城关司法所".into(),
            name: format!("协勤{n}"),
            id: make_id(region, "19900101", n),
            gender: String::new(),
            start: format!("2020-{:02}-01", n % 12 + 1),
            end: String::new(),
            months: "12".into(),
            standard: "1000".into(),
            municipal: "12000".into(),
            top_up: "6000".into(),
            bank: "中国农业银行玉溪分行".into(),
            account: format!("62284800{n:011}"),
        }
    }
}

/// Title, 填报单位 line, header on row 3, people from row 4 (Excel row numbers).
fn write_staff(path: &Path, unit: &str, rows: &[P]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "专职社区矫正协勤人员经费申报表")
        .unwrap();
    ws.write_string(1, 0, format!("填报单位：{unit}　　填报日期：2025年1月10日"))
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, p) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        let vals = [
            &p.county,
            &p.office,
            &p.name,
            &p.id,
            &p.gender,
            &p.start,
            &p.end,
            &p.months,
            &p.standard,
            &p.municipal,
            &p.top_up,
            &p.bank,
            &p.account,
        ];
        for (c, v) in vals.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, v.as_str()).unwrap();
            }
        }
    }
    let r = 3 + rows.len() as u32;
    ws.write_string(r, 0, "合计").unwrap();
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn every_rule_triggers_with_its_code_and_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    // 澄江市: quota 11, budget 132,000. Excel row numbers in the comments.
    let cj = |n| P::good("澄江市", "530481", n);
    let mut rows: Vec<P> = (1..=7).map(cj).collect(); // rows 4..=10: 7 clean people
    for (k, n) in [20, 21, 22].into_iter().enumerate() {
        let mut v = cj(n); // rows 11..=13: the latest arrivals; the last two are over quota
        v.start = format!("2024-12-0{}", k + 1);
        rows.push(v);
    }
    let mut v = cj(30);
    v.months = "13".into(); // row 14
    rows.push(v);
    let mut v = cj(31);
    v.start = "2025-07-01".into(); // row 15: 12 months but in post from July
    rows.push(v);
    let mut v = cj(32);
    v.municipal = "12,000.01".into(); // row 16
    rows.push(v);
    let mut v = cj(33);
    let last = v.id.pop();
    v.id.push(if last == Some('0') { '1' } else { '0' }); // row 17
    rows.push(v);
    let mut v = cj(2); // row 18: the person of row 5 again
    v.office = "右所司法所".into();
    rows.push(v);
    let mut v = cj(34);
    v.name = String::new(); // row 19
    rows.push(v);
    let mut v = cj(35);
    v.start = "2025-02-30".into(); // row 20
    rows.push(v);
    let mut v = cj(36);
    v.end = "2024-12-31".into(); // row 21: left before the year, 0 months
    v.months = "0".into();
    v.municipal = "0".into();
    v.top_up = String::new();
    rows.push(v);
    let mut v = cj(37);
    v.standard = "1200".into(); // row 22: warning only
    v.start = "2019-01-01".into();
    rows.push(v);
    let mut v = cj(38);
    v.account = String::new(); // row 23: warning only
    v.start = "2019-01-02".into();
    rows.push(v);
    let mut v = cj(39);
    v.gender = "女".into(); // row 24: sequence 039 is odd → male; warning only
    v.start = "2019-01-03".into();
    rows.push(v);
    let mut v = cj(40);
    v.start = "2025-03-01".into();
    v.end = "2025-02-01".into(); // row 25: leaves before arriving
    v.months = "1".into();
    v.municipal = "1000".into();
    rows.push(v);
    let mut dup = cj(50);
    dup.start = "2018-05-01".into(); // row 26: also declared by 江川区
    rows.push(dup.clone());
    let mut v = cj(41);
    v.county = "某某县".into(); // row 27: a county cell that names no county
    rows.push(v);
    write_staff(&input.join("澄江市_协勤.xlsx"), "澄江市司法局", &rows);
    let mut other = dup.clone();
    other.county = "江川区".into();
    write_staff(
        &input.join("江川区_协勤.xlsx"),
        "江川区司法局",
        &[other, P::good("江川区", "530403", 60)],
    );

    let (r, dir) = ok_run(&input, &tmp.path().join("out"));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let d = decisions(&dir);
    let at = |file: &str, row: u32| {
        d.iter()
            .find(|x| x.file.starts_with(file) && x.row == row)
            .unwrap_or_else(|| panic!("{file} row {row}"))
            .clone()
    };
    let expect = |row: u32, decision: &str, reasons: &str| {
        let x = at("澄江市", row);
        assert_eq!(
            (x.decision.as_str(), x.reasons.as_str()),
            (decision, reasons),
            "row {row}: {x:?}"
        );
    };
    for row in 4..=11 {
        expect(row, "approved", "");
    }
    expect(12, "rejected", "over_quota");
    expect(13, "rejected", "over_quota");
    expect(14, "rejected", "months_out_of_range");
    expect(15, "rejected", "months_inconsistent");
    expect(16, "rejected", "over_monthly_standard");
    expect(17, "rejected", "bad_id_number");
    expect(18, "rejected", "duplicate_in_batch");
    expect(19, "rejected", "missing_field");
    expect(20, "rejected", "bad_date");
    expect(21, "approved", "zero_months");
    expect(22, "approved", "standard_mismatch");
    expect(23, "approved", "missing_bank_account");
    expect(24, "approved", "gender_mismatch");
    expect(25, "rejected", "bad_value");
    expect(26, "rejected", "duplicate_person");
    expect(27, "rejected", "bad_value");
    assert_eq!(at("澄江市", 27).county, "");
    let jc = at("江川区", 4);
    assert_eq!(
        (jc.decision.as_str(), jc.reasons.as_str()),
        ("rejected", "duplicate_person")
    );
    assert_eq!(at("江川区", 5).decision, "approved");

    // The located Chinese messages are in the 审核明细 and 问题清单 sheets.
    let notice = dir.join("经费下达表_2025.xlsx");
    let detail = sheet(&notice, "审核明细");
    let opinion = |row: u32| {
        detail
            .iter()
            .find(|r| text(r.get(13)).starts_with("澄江市") && num(r.get(15)) == Decimal::from(row))
            .map(|r| text(r.get(12)))
            .unwrap()
    };
    assert!(opinion(14).contains("H14 在岗月数"), "{}", opinion(14));
    assert!(opinion(15).contains("最多在岗 6 个月"), "{}", opinion(15));
    assert!(opinion(16).contains("J16 市级补助金额"), "{}", opinion(16));
    assert!(opinion(12).contains("定额 11 人"), "{}", opinion(12));
    assert!(opinion(18).contains("第 5 行"), "{}", opinion(18));
    assert!(opinion(26).contains("江川区"), "{}", opinion(26));
    assert!(opinion(27).contains("某某县"), "{}", opinion(27));
    let problems = sheet(&dir.join("绩效评价表_2025.xlsx"), "问题清单");
    assert!(problems.iter().any(|r| text(r.get(6)) == "G25"));

    reconcile(&dir);
    let s = read_summary(&dir);
    let cj = &s["counties"][2];
    assert_eq!(cj["name"], "澄江市");
    // In post: 7 clean + the first late arrival + 3 with warnings; the 0-month row is not.
    assert_eq!(cj["in_post"].as_u64().unwrap(), 11);
    assert_eq!(cj["over_quota_rows"].as_u64().unwrap(), 2);
    assert_eq!(cj["posts_allocated"].as_u64().unwrap(), 11);
    assert_eq!(dec(&cj["allocated_amount"]), Decimal::from(132_000));
    assert_eq!(s["unassigned"]["declared_rows"].as_u64().unwrap(), 1);
}

#[test]
fn over_the_budget_line_is_held() {
    // 澄江市: 10 full-year people, one leaving 10 July (7 months) and her successor from
    // 11 July (6 months): 11 posts, but 133,000 元 asked of a 132,000 元 line.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut rows: Vec<P> = (1..=10).map(|n| P::good("澄江", "530481", n)).collect();
    let mut leaver = P::good("澄江", "530481", 11);
    leaver.end = "2025-07-10".into();
    leaver.months = "7".into();
    leaver.municipal = "7000".into();
    rows.push(leaver);
    let mut successor = P::good("澄江", "530481", 12);
    successor.start = "2025-07-11".into();
    successor.months = "6".into();
    successor.municipal = "6000.00".into();
    rows.push(successor);
    write_staff(&input.join("cj.xlsx"), "澄江县司法局", &rows);
    let (_, dir) = ok_run(&input, &tmp.path().join("out"));
    let d = decisions(&dir);
    let held: Vec<&Dec> = d.iter().filter(|x| x.decision == "held").collect();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].row, 15);
    assert_eq!(held[0].reasons, "over_allocation");
    reconcile(&dir);
    let s = read_summary(&dir);
    assert_eq!(
        dec(&s["counties"][2]["approved_amount"]),
        Decimal::from(127_000)
    );
    assert_eq!(dec(&s["counties"][2]["held_amount"]), Decimal::from(6_000));
}

#[test]
fn the_notice_adds_up_to_the_budget_when_every_county_fills_its_quota() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let policy = Policy::default_policy().unwrap();
    let mut n = 0;
    for c in &policy.counties {
        let rows: Vec<P> = (0..c.staff_quota)
            .map(|_| {
                n += 1;
                P::good(&c.name, c.code.as_str(), n)
            })
            .collect();
        write_staff(
            &input.join(format!("{}.xlsx", c.name)),
            &format!("{}司法局", c.name),
            &rows,
        );
    }
    let (r, dir) = ok_run(&input, &tmp.path().join("out"));
    assert_eq!(r.code, 0);
    reconcile(&dir);
    let s = read_summary(&dir);
    assert_eq!(s["totals"]["allocated_amount"], "1800000.00");
    assert_eq!(s["totals"]["unallocated_amount"], "0.00");
    assert_eq!(s["totals"]["approved_amount"], "1800000.00");
    assert_eq!(s["totals"]["in_post"], 150);
    let notice = sheet(&dir.join("经费下达表_2025.xlsx"), "经费下达表");
    let total = find(&notice, 0, "合计");
    assert_eq!(num(total.get(7)), Decimal::from(1_800_000));
    find(&notice, 0, "下达金额合计（大写）：人民币壹佰捌拾万元整");
    find(&notice, 0, "未分配资金合计（大写）：人民币零元整");
    let perf = sheet(&dir.join("绩效评价表_2025.xlsx"), "绩效评价");
    let city = find(&perf, 1, "全市");
    assert_eq!(num(city.get(12)), Decimal::from(100));
    assert_eq!(text(city.get(13)), "优");
}

#[test]
fn a_broken_file_is_a_file_error_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for e in std::fs::read_dir(staff_samples()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("红塔区") || name.starts_with("华宁县") {
            std::fs::copy(e.path(), input.join(&name)).unwrap();
        }
    }
    std::fs::write(
        input.join("通海县_协勤人员经费申报表.xlsx"),
        b"PK\x03\x04 not a zip",
    )
    .unwrap();
    // A workbook whose header lacks 在岗月数 and the money columns.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["县（市、区）", "司法所", "姓名", "身份证号码", "入职日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "易门县").unwrap();
    ws.write_string(1, 2, "张三").unwrap();
    wb.save(input.join("易门县_协勤.xlsx")).unwrap();

    let (r, dir) = ok_run(&input, &tmp.path().join("out"));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("文件无法读取"), "{}", r.stdout);
    assert!(!r.stdout.contains("unreadable_file"), "{}", r.stdout);
    let s = read_summary(&dir);
    let files = s["files"].as_array().unwrap();
    let status = |prefix: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().starts_with(prefix))
            .unwrap()
    };
    assert_eq!(status("通海县")["status"], "error");
    assert_eq!(status("通海县")["error"]["code"], "unreadable_file");
    assert_eq!(status("通海县")["county_code"], "530423");
    assert_eq!(status("易门县")["status"], "error");
    assert_eq!(status("易门县")["error"]["code"], "missing_column");
    assert!(
        status("易门县")["error"]["message"]
            .as_str()
            .unwrap()
            .contains("在岗月数")
    );
    assert_eq!(status("红塔区")["status"], "ok");
    assert_eq!(status("华宁县")["status"], "ok");
    // The two good files were decided in full; the broken ones contributed nothing.
    let d = decisions(&dir);
    assert!(
        d.iter()
            .all(|x| x.file.starts_with("红塔区") || x.file.starts_with("华宁县"))
    );
    assert_eq!(
        d.len() as u64,
        s["totals"]["declared_rows"].as_u64().unwrap()
    );
    // The file problems count against their counties in the evaluation, and are listed.
    assert_eq!(s["counties"][3]["performance"]["file_problems"], 1);
    assert_eq!(s["counties"][5]["performance"]["file_problems"], 1);
    let problems = sheet(&dir.join("经费下达表_2025.xlsx"), "文件问题");
    assert!(
        problems
            .iter()
            .any(|r| text(r.get(1)).starts_with("通海县"))
    );
    reconcile(&dir);
}

#[test]
fn a_year_the_policy_does_not_cover_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let r = staff(&staff_samples(), &tmp.path().join("out"), "2026");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--year 2026"), "{}", r.stderr);
    assert!(!tmp.path().join("out/staff-2026").exists());
    assert!(!tmp.path().join("out/staff-2025").exists());
    let r = staff(&tmp.path().join("missing"), &tmp.path().join("out"), "2025");
    assert_eq!(r.code, 1);
}

#[test]
fn an_empty_folder_gives_empty_outputs_and_a_notice() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let (r, dir) = ok_run(&input, &tmp.path().join("out"));
    assert_eq!(r.code, 0);
    let s = read_summary(&dir);
    assert_eq!(s["totals"]["allocated_amount"], "0.00");
    assert_eq!(s["totals"]["unallocated_amount"], "1800000.00");
    assert!(!s["notices"].as_array().unwrap().is_empty());
    reconcile(&dir);
}
