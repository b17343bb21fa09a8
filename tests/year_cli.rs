//! SPEC §14 with the real binary: H1 (with a bank answer: two lines failed, one repaid), H2 and
//! staff on the samples, then `payrun year`; every figure of the year checked against the
//! decisions, the ledger and the staff run, the draft policy loaded and run, and a year with its
//! pieces missing still reported with the gaps named on the first sheet.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{dec, payrun, read_decisions, read_summary, run_period};
use payrun::policy::Policy;
use payrun::year::indicators::{Compare, Measure};
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;

fn samples(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(p)
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = wb
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()));
    range.rows().map(|r| r.to_vec()).collect()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names().to_vec()
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
        Some(Data::Float(f)) => Decimal::try_from(*f).unwrap().round_dp(4),
        Some(Data::Int(i)) => Decimal::from(*i),
        o => panic!("not a number: {o:?}"),
    }
}

#[derive(Debug, Clone)]
struct Line {
    account: String,
    name: String,
    amount: String,
}

fn batch_lines(path: &Path) -> Vec<Line> {
    let rows = sheet(path, "代发");
    let head: Vec<String> = rows[0].iter().map(|d| text(Some(d))).collect();
    let at = |h: &str| head.iter().position(|x| x == h).unwrap();
    rows[1..]
        .iter()
        .map(|r| Line {
            account: text(r.get(at("账号"))),
            name: text(r.get(at("户名"))),
            amount: text(r.get(at("金额"))),
        })
        .collect()
}

fn write_answer(path: &Path, lines: &[Line], failed: &[(usize, &str)]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["序号", "账号", "户名", "金额", "处理结果", "失败原因"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        let why = failed.iter().find(|(k, _)| *k == i).map(|(_, w)| *w);
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, &l.account).unwrap();
        ws.write_string(r, 2, &l.name).unwrap();
        ws.write_string(r, 3, &l.amount).unwrap();
        ws.write_string(r, 4, if why.is_some() { "失败" } else { "成功" })
            .unwrap();
        ws.write_string(r, 5, why.unwrap_or("")).unwrap();
    }
    wb.save(path).unwrap();
}

fn write_correction(path: &Path, county: &str, name: &str, id: &str, account: &str) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2025年人民调解“一案一补”补贴账户更正表")
        .unwrap();
    for (c, h) in [
        "县（市、区）",
        "姓名",
        "身份证号码",
        "开户银行",
        "银行账号",
        "备注",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (c, v) in [
        county,
        name,
        id,
        "中国农业银行红塔支行",
        account,
        "原账户已销户",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(3, c as u16, *v).unwrap();
    }
    wb.save(path).unwrap();
}

/// The 台账 sheet: (period, county code, ID number, amount, account, 发放状态) per entry.
fn ledger_entries(ledger: &Path) -> Vec<(String, String, String, Decimal, String, String)> {
    sheet(ledger, "台账")[1..]
        .iter()
        .filter(|r| {
            matches!(r.get(10), Some(Data::Float(_) | Data::Int(_))) && !text(r.get(1)).is_empty()
        })
        .map(|r| {
            (
                text(r.first()),
                text(r.get(1)),
                text(r.get(8)),
                number(r.get(10)),
                text(r.get(13)),
                text(r.get(14)),
            )
        })
        .collect()
}

fn year(out: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec![
        "year",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = payrun(&args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r
}

/// `(a ÷ b)` to four decimals, as a percentage to two: how payrun states a rate indicator.
fn pct(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ZERO;
    }
    ((a / b).round_dp(4) * Decimal::from(100)).round_dp(2)
}

/// Everything the first sheet says, joined.
fn first_sheet_text(path: &Path) -> String {
    let names = sheet_names(path);
    assert_eq!(names[0], "一案一补执行情况");
    sheet(path, &names[0])
        .iter()
        .flat_map(|r| r.iter().map(|d| text(Some(d))))
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn a_whole_year_adds_up_to_the_decisions_the_ledger_and_the_staff_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ledger = out.join("台账.xlsx");
    run_period(
        &samples("2025-H1"),
        &out,
        "2025-H1",
        "2025-06-30",
        &["--finalize"],
    );

    // The bank's answer for 红塔区's 农行 batch: lines 1 and 3 failed.
    let batch = out.join("2025-H1/代发/红塔区/中国农业银行_代发_2025-H1.xlsx");
    let lines = batch_lines(&batch);
    assert!(lines.len() >= 5);
    let answers = tmp.path().join("回单");
    std::fs::create_dir_all(&answers).unwrap();
    let answer = answers.join("农行回单_红塔区.xlsx");
    write_answer(&answer, &lines, &[(1, "账户已销户"), (3, "户名与账户不符")]);
    let r = payrun(&[
        "result",
        "--period",
        "2025-H1",
        "--out",
        out.to_str().unwrap(),
        answer.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Line 1 repaid to a corrected account (no answer yet: 待发放); line 3 stays failed.
    let entries = ledger_entries(&ledger);
    let a = &lines[1];
    let a_id = entries.iter().find(|e| e.4 == a.account).unwrap().2.clone();
    let corr = tmp.path().join("更正");
    std::fs::create_dir_all(&corr).unwrap();
    write_correction(
        &corr.join("红塔区_账户更正表.xlsx"),
        "红塔区",
        &a.name,
        &a_id,
        "6228480099990000001",
    );
    let r = payrun(&[
        "repay",
        "--period",
        "2025-H2",
        "--run-date",
        "2025-07-15",
        "--out",
        out.to_str().unwrap(),
        corr.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    run_period(
        &samples("2025-H2"),
        &out,
        "2025-H2",
        "2025-12-31",
        &["--finalize"],
    );
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
    assert_eq!(s.code, 0, "{}{}", s.stdout, s.stderr);

    let r = year(&out, &[]);
    let dir = out.join("2025年度");
    let sum = read_summary(&dir);
    assert!(
        sum["gaps"].as_array().unwrap().is_empty(),
        "{}",
        sum["gaps"]
    );
    assert!(r.stdout.contains("2025 年度汇总"), "{}", r.stdout);

    // Per county: 核准合计 = Σ approved of both decisions.csv; the money's three states add up
    // to it; 全市 = Σ counties.
    let decisions: Vec<common::Row> = ["2025-H1", "2025-H2"]
        .iter()
        .flat_map(|p| read_decisions(&out.join(p)))
        .collect();
    let m = &sum["mediation"];
    let counties = m["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 9);
    let mut totals: BTreeMap<&str, Decimal> = BTreeMap::new();
    for c in counties {
        let code = c["code"].as_str().unwrap();
        let approved: Decimal = decisions
            .iter()
            .filter(|d| d.county == code && d.decision == "approved")
            .map(|d| d.approved)
            .sum();
        assert_eq!(dec(&c["approved"]), approved, "{code}");
        let rows = decisions
            .iter()
            .filter(|d| d.county == code && d.decision == "approved")
            .count() as u64;
        assert_eq!(c["approved_rows"].as_u64(), Some(rows), "{code}");
        assert_eq!(
            dec(&c["credited"]) + dec(&c["failed_unpaid"]) + dec(&c["pending"]),
            approved,
            "{code}"
        );
        for k in [
            "cap",
            "approved",
            "credited",
            "failed_unpaid",
            "pending",
            "held",
        ] {
            *totals.entry(k).or_default() += dec(&c[k]);
        }
    }
    for (k, v) in &totals {
        assert_eq!(dec(&m["total"][k]), *v, "全市 {k}");
    }
    // The failed line not repaid is 发放失败未补发; the repaid one waits for its answer.
    let b_amount: Decimal = lines[3].amount.parse().unwrap();
    assert_eq!(dec(&m["total"]["failed_unpaid"]), b_amount);
    assert!(dec(&m["total"]["credited"]) > Decimal::ZERO);

    // The workbook says the same, county by county, and the 全市 line.
    let wb = dir.join("年度执行与绩效自评_2025.xlsx");
    let names = sheet_names(&wb);
    assert_eq!(
        names,
        [
            "一案一补执行情况",
            "协勤经费执行情况",
            "项目支出绩效自评表（一案一补）",
            "项目支出绩效自评表（协勤经费）"
        ]
    );
    let rows = sheet(&wb, "一案一补执行情况");
    let head_at = rows.iter().position(|r| text(r.first()) == "序号").unwrap();
    let head: Vec<String> = rows[head_at].iter().map(|d| text(Some(d))).collect();
    let col = |h: &str| head.iter().position(|x| x == h).unwrap();
    for c in counties.iter().chain(std::iter::once(&m["total"])) {
        let name = c["name"].as_str().unwrap();
        let row = rows
            .iter()
            .find(|r| text(r.get(1)) == name)
            .unwrap_or_else(|| panic!("{name}"));
        for (h, k) in [
            ("年度限额", "cap"),
            ("核准合计", "approved"),
            ("已入账", "credited"),
            ("发放失败未补发", "failed_unpaid"),
            ("待发放", "pending"),
            ("超限额待定", "held"),
        ] {
            assert_eq!(number(row.get(col(h))), dec(&c[k]), "{name} {h}");
        }
        assert_eq!(
            number(row.get(col("上半年核准"))) + number(row.get(col("下半年核准"))),
            dec(&c["approved"]),
            "{name}"
        );
    }
    assert!(first_sheet_text(&wb).contains("数据完整"));

    // Each computed indicator's 实际完成值, recomputed from the decisions, the ledger and the
    // staff run; its score by the rule; 总分 = Σ 得分 ≤ 100.
    let policy = Policy::default_policy().unwrap();
    let entries = ledger_entries(&ledger);
    let year_entries: Vec<_> = entries
        .iter()
        .filter(|e| e.0.starts_with("2025-"))
        .collect();
    let mediators: BTreeSet<(&str, &str)> = year_entries
        .iter()
        .map(|e| (e.1.as_str(), e.2.as_str()))
        .collect();
    let mut line_status: BTreeMap<(&str, &str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
    for e in &year_entries {
        line_status
            .entry((&e.0, &e.1, &e.2, &e.4))
            .or_default()
            .insert(&e.5);
    }
    let on_time = line_status
        .values()
        .filter(|s| s.len() == 1 && s.contains("已入账"))
        .count();
    let approved_rows = decisions
        .iter()
        .filter(|d| d.decision == "approved" && !d.county.is_empty())
        .count();
    let held_rows = decisions
        .iter()
        .filter(|d| d.decision == "held" && !d.county.is_empty())
        .count();
    let claimed_rows = decisions.iter().filter(|d| !d.county.is_empty()).count();
    let total_approved: Decimal = decisions
        .iter()
        .filter(|d| d.decision == "approved")
        .map(|d| d.approved)
        .sum();
    let staff = read_summary(&out.join("staff-2025"));
    let st = &staff["totals"];
    let expected = |m: Measure| -> Decimal {
        match m {
            Measure::CasesPaid => Decimal::from(approved_rows),
            Measure::MediatorsPaid => Decimal::from(mediators.len()),
            Measure::OnTimeRate => pct(Decimal::from(on_time), Decimal::from(line_status.len())),
            Measure::BudgetExecution => pct(totals["credited"], policy.total_mediation_cap),
            Measure::FileCompliance => pct(
                Decimal::from(approved_rows + held_rows),
                Decimal::from(claimed_rows),
            ),
            Measure::AverageSubsidy => (total_approved / Decimal::from(approved_rows)).round_dp(2),
            Measure::PostsFilled => Decimal::from(st["posts_allocated"].as_u64().unwrap()),
            Measure::FillRate => {
                (dec(&st["performance"]["fill_rate"]) * Decimal::from(100)).round_dp(2)
            }
            Measure::StaffExecution => {
                (dec(&st["performance"]["execution_rate"]) * Decimal::from(100)).round_dp(2)
            }
            Measure::StaffScore => dec(&st["performance"]["score"]),
            Measure::MonthlyCost => (dec(&st["approved_amount"])
                / Decimal::from(st["months_in_post"].as_u64().unwrap()))
            .round_dp(2),
            Measure::Manual => unreachable!(),
        }
    };
    let mut computed = 0;
    for (key, list, sheet_name, budget, executed) in [
        (
            "mediation",
            &policy.performance.mediation,
            "项目支出绩效自评表（一案一补）",
            policy.total_mediation_cap,
            totals["credited"],
        ),
        (
            "staff",
            &policy.performance.staff,
            "项目支出绩效自评表（协勤经费）",
            policy.total_staff_allocation,
            dec(&st["approved_amount"]),
        ),
    ] {
        let e = &sum["self_evaluation"][key];
        let inds = e["indicators"].as_array().unwrap();
        assert_eq!(inds.len(), list.len());
        let funds = (Decimal::from(10) * (executed / budget).round_dp(4))
            .round_dp(2)
            .min(Decimal::from(10));
        assert_eq!(dec(&e["funds_score"]), funds, "{key}");
        let mut total = funds;
        let mut pending = Decimal::ZERO;
        let form = sheet(&wb, sheet_name);
        for (ind, j) in list.iter().zip(inds) {
            if ind.measure == Measure::Manual {
                assert_eq!(j["pending"], "待填");
                pending += ind.points;
                let row = form.iter().find(|r| text(r.get(3)) == ind.level3).unwrap();
                assert_eq!(text(row.get(5)), "待填");
                assert_eq!(text(row.get(7)), "待填");
                continue;
            }
            computed += 1;
            let actual = expected(ind.measure);
            assert_eq!(dec(&j["actual"]), actual, "{}", ind.level3);
            let t = ind.target.unwrap();
            let want = match ind.compare {
                Compare::AtLeast if actual >= t => ind.points,
                Compare::AtLeast => (ind.points * actual / t).round_dp(2),
                Compare::AtMost if actual <= t => ind.points,
                Compare::AtMost => (ind.points * t / actual).round_dp(2),
            };
            assert_eq!(dec(&j["score"]), want, "{}", ind.level3);
            total += want;
            // The form shows the same figures.
            let row = form.iter().find(|r| text(r.get(3)) == ind.level3).unwrap();
            assert_eq!(number(row.get(5)), actual, "{}", ind.level3);
            assert_eq!(number(row.get(7)), want, "{}", ind.level3);
        }
        assert_eq!(dec(&e["total"]), total, "{key}");
        assert_eq!(dec(&e["pending_points"]), pending, "{key}");
        assert!(total + pending <= Decimal::from(100), "{key}");
        let row = form.iter().find(|r| text(r.first()) == "总分").unwrap();
        assert_eq!(number(row.get(6)), Decimal::from(100));
        assert_eq!(number(row.get(7)), total, "{key}");
        let all = form
            .iter()
            .flat_map(|r| r.iter().map(|d| text(Some(d))))
            .collect::<Vec<_>>()
            .join("|");
        for w in [
            "项目名称",
            "主管部门",
            "实施单位",
            "年初预算数",
            "全年执行数",
            "年度总体目标",
            "偏差原因分析及改进措施",
            "制表日期：2025年12月31日",
        ] {
            assert!(all.contains(w), "{key}: {w}");
        }
    }
    assert!(computed >= 8, "{computed}");

    // 协勤经费执行情况 from the staff run.
    let srows = sheet(&wb, "协勤经费执行情况");
    let total_row = srows.iter().find(|r| text(r.get(1)) == "全市").unwrap();
    assert_eq!(number(total_row.get(5)), dec(&st["approved_amount"]));
    assert_eq!(
        number(total_row.get(3)),
        Decimal::from(st["posts_allocated"].as_u64().unwrap())
    );

    // The draft: caps within ±20 % of 2025's, Σ caps + 待分配 = the 2025 total; it loads,
    // gives blank forms and runs 2026-H1 on an empty folder.
    let a = &sum["allocation"];
    let mut caps = Decimal::ZERO;
    let draft = dir.join("policy-2026-草案.toml");
    let p2026 = Policy::load(Some(&draft)).unwrap();
    assert_eq!(p2026.year, 2026);
    for c in &policy.counties {
        let next = p2026.county(&c.code).unwrap().mediation_cap;
        let bound = c.mediation_cap * Decimal::new(20, 2);
        assert!(
            next >= c.mediation_cap - bound && next <= c.mediation_cap + bound,
            "{}: {next}",
            c.name
        );
        assert_eq!(next % Decimal::from(100), Decimal::ZERO, "{}", c.name);
        assert_eq!(
            next.normalize(),
            dec(&a["counties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["code"] == c.code.as_str())
                .unwrap()["proposed"])
            .normalize()
        );
        assert_eq!(p2026.county(&c.code).unwrap().staff_quota, c.staff_quota);
        caps += next;
    }
    assert_eq!(caps + dec(&a["unallocated"]), policy.total_mediation_cap);
    assert_eq!(p2026.total_mediation_cap, caps);
    assert_eq!(p2026.periods[0].start.to_string(), "2026-01-01");
    assert_eq!(p2026.periods[1].pay_by.to_string(), "2026-12-31");
    let text_draft = std::fs::read_to_string(&draft).unwrap();
    assert!(
        text_draft.contains("# 超出县（市、区）年度限额时"),
        "comments kept"
    );
    let tpl = tmp.path().join("模板");
    let t = payrun(&[
        "template",
        "--policy",
        draft.to_str().unwrap(),
        "--out",
        tpl.to_str().unwrap(),
    ]);
    assert_eq!(t.code, 0, "{}{}", t.stdout, t.stderr);
    let empty = tmp.path().join("空");
    std::fs::create_dir_all(&empty).unwrap();
    let out26 = tmp.path().join("out2026");
    let r26 = payrun(&[
        "run",
        "--period",
        "2026-H1",
        "--policy",
        draft.to_str().unwrap(),
        "--run-date",
        "2026-06-30",
        "--out",
        out26.to_str().unwrap(),
        empty.to_str().unwrap(),
    ]);
    assert_eq!(r26.code, 0, "{}{}", r26.stdout, r26.stderr);
    // The proposal workbook shows the same caps and 待分配.
    let alloc = sheet(&dir.join("下年度分配建议_2026.xlsx"), "限额分配建议");
    let rest = alloc.iter().find(|r| text(r.get(1)) == "待分配").unwrap();
    assert_eq!(number(rest.get(9)), dec(&a["unallocated"]));
    let sum_row = alloc.iter().find(|r| text(r.get(1)) == "合计").unwrap();
    assert_eq!(number(sum_row.get(9)), caps);
}

#[test]
fn a_year_without_h2_bank_answers_or_staff_run_is_reported_with_its_gaps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    let r = year(&out, &[]);
    assert!(r.stdout.contains("数据缺项"), "{}", r.stdout);
    let dir = out.join("2025年度");
    let sum = read_summary(&dir);
    let codes: Vec<&str> = sum["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    for c in [
        "period_not_finalized",
        "period_missing",
        "no_bank_answers",
        "staff_missing",
    ] {
        assert!(codes.contains(&c), "{codes:?}");
    }
    let wb = dir.join("年度执行与绩效自评_2025.xlsx");
    let first = first_sheet_text(&wb);
    for w in [
        "数据缺项",
        "2025-H2（下半年）未审核",
        "没有本年度任何银行处理结果",
        "未找到 2025 年协勤经费审核结果",
        "尚未结账",
    ] {
        assert!(first.contains(w), "{w}: {first}");
    }
    // The H2 cells say 未审核; the year's total is H1's.
    let rows = sheet(&wb, "一案一补执行情况");
    let all = rows.iter().find(|r| text(r.get(1)) == "全市").unwrap();
    assert!(all.iter().any(|d| text(Some(d)) == "未审核"));
    let h1 = read_summary(&out.join("2025-H1"));
    assert_eq!(
        dec(&sum["mediation"]["total"]["approved"]),
        dec(&h1["totals"]["approved_amount"])
    );
    // Without answers nothing is credited: all of it waits, and the indicators that need the
    // bank's answer are 缺数据, not 0.
    assert_eq!(
        dec(&sum["mediation"]["total"]["pending"]),
        dec(&h1["totals"]["approved_amount"])
    );
    let inds = sum["self_evaluation"]["mediation"]["indicators"]
        .as_array()
        .unwrap();
    let on_time = inds
        .iter()
        .find(|i| i["measure"] == "on_time_rate")
        .unwrap();
    assert_eq!(on_time["pending"], "缺数据");
    assert!(on_time["score"].is_null());
    assert!(sum["staff"].is_null());
    assert!(
        sum["self_evaluation"]["staff"]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["score"].is_null())
    );
    let staff_rows = sheet(&wb, "协勤经费执行情况");
    assert!(
        staff_rows
            .iter()
            .flatten()
            .any(|d| text(Some(d)).contains("未找到2025年协勤经费审核结果"))
    );
    // The draft still loads.
    Policy::load(Some(&dir.join("policy-2026-草案.toml"))).unwrap();
}

#[test]
fn a_year_without_a_ledger_or_for_another_policy_year_is_refused_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = payrun(&[
        "year",
        "--year",
        "2025",
        "--run-date",
        "2025-12-31",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("台账") && r.stderr.contains("不存在"),
        "{}",
        r.stderr
    );
    let r = payrun(&["year", "--year", "2026", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("2025 年的政策"), "{}", r.stderr);
}
