//! SPEC §12.3–12.5 with the real binary: a bank's answer with two failures imported (twice),
//! a contradicting answer and malformed answers refused without touching the ledger, a repay
//! from an 账户更正表 (twice: nothing paid twice), and the next period's tracking.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{payrun, read_summary, run_period};
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;

fn samples(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(p)
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("{} {name}: {e}", path.display()))
        .rows()
        .map(|r| r.to_vec())
        .collect()
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
        Some(Data::String(s)) => s.parse().unwrap(),
        o => panic!("not a number: {o:?}"),
    }
}

/// A line of the 红塔区 中国农业银行 batch: (账号, 户名, 金额 as written).
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

/// Writes a bank answer: the batch's columns plus 处理结果 and 失败原因.
fn write_answer(path: &Path, lines: &[Line], results: &[(&str, &str)]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "序号",
        "账号",
        "户名",
        "金额",
        "用途",
        "处理结果",
        "失败原因",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (l, (res, why))) in lines.iter().zip(results).enumerate() {
        let r = i as u32 + 1;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, &l.account).unwrap();
        ws.write_string(r, 2, &l.name).unwrap();
        ws.write_string(r, 3, &l.amount).unwrap();
        ws.write_string(r, 4, "人民调解补贴2025-H1").unwrap();
        ws.write_string(r, 5, *res).unwrap();
        ws.write_string(r, 6, *why).unwrap();
    }
    wb.save(path).unwrap();
}

fn results(n: usize, failed: &[(usize, &'static str)]) -> Vec<(&'static str, &'static str)> {
    (0..n)
        .map(|i| match failed.iter().find(|(k, _)| *k == i) {
            Some((_, why)) => ("失败", *why),
            None => ("成功", ""),
        })
        .collect()
}

/// The 台账 sheet: (period, county, 调解员, 身份证号码, amount, 银行账号, 发放状态) per entry.
fn ledger_entries(ledger: &Path) -> Vec<(String, String, String, String, Decimal, String, String)> {
    // The table starts under its header (title and info line above it) and ends at the first
    // blank row (the 小计 and sign-off lines follow).
    let rows = sheet(ledger, "台账");
    let head = rows
        .iter()
        .position(|r| text(r.first()) == "期间")
        .expect("台账 has its header");
    rows[head + 1..]
        .iter()
        .take_while(|r| r.iter().any(|d| !text(Some(d)).is_empty()))
        .map(|r| {
            (
                text(r.first()),
                text(r.get(2)),
                text(r.get(7)),
                text(r.get(8)),
                number(r.get(10)),
                text(r.get(13)),
                text(r.get(14)),
            )
        })
        .collect()
}

fn result(out: &Path, files: &[&Path]) -> common::Run {
    let mut args = vec![
        "result",
        "--period",
        "2025-H1",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    payrun(&args)
}

fn repay(out: &Path, dir: &Path) -> common::Run {
    payrun(&[
        "repay",
        "--period",
        "2025-H2",
        "--run-date",
        "2025-07-15",
        "--out",
        out.to_str().unwrap(),
        dir.to_str().unwrap(),
    ])
}

#[test]
fn answer_twice_contradiction_repay_twice_and_the_next_period() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ledger = out.join("台账.xlsx");
    run_period(&samples("2025-H1"), &out, "2025-H1", "2025-06-30", &[]);
    let h1 = out.join("2025-H1");
    let batch = h1.join("代发/红塔区/中国农业银行_代发_2025-H1.xlsx");
    let lines = batch_lines(&batch);
    assert!(lines.len() >= 5, "{}", lines.len());
    // Before any answer every entry waits.
    assert!(ledger_entries(&ledger).iter().all(|e| e.6 == "待发放"));

    // The bank's answer: two lines failed.
    let answers = tmp.path().join("回单");
    std::fs::create_dir_all(&answers).unwrap();
    let answer = answers.join("农行回单_红塔区.xlsx");
    let failed = [(1usize, "账户已销户"), (3usize, "户名与账户不符")];
    write_answer(&answer, &lines, &results(lines.len(), &failed));
    let r = result(&out, &[&answer]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("失败 2 行"), "{}", r.stdout);
    let after_first = std::fs::read(&ledger).unwrap();

    // Every entry of the file's lines carries its status; everything else still waits.
    let entries = ledger_entries(&ledger);
    let (a, b) = (&lines[1], &lines[3]);
    let status_of = |acc: &str| -> Vec<String> {
        entries
            .iter()
            .filter(|e| e.0 == "2025-H1" && e.5 == acc)
            .map(|e| e.6.clone())
            .collect()
    };
    assert!(
        status_of(&a.account)
            .iter()
            .all(|s| s == "发放失败（账户已销户）")
    );
    assert!(
        status_of(&b.account)
            .iter()
            .all(|s| s == "发放失败（户名与账户不符）")
    );
    for (i, l) in lines.iter().enumerate() {
        if i != 1 && i != 3 {
            let s = status_of(&l.account);
            assert!(
                !s.is_empty() && s.iter().all(|s| s == "已入账"),
                "{l:?} {s:?}"
            );
        }
    }
    let batch_accounts: Vec<&str> = lines.iter().map(|l| l.account.as_str()).collect();
    assert!(
        entries
            .iter()
            .filter(|e| !batch_accounts.contains(&e.5.as_str()))
            .all(|e| e.6 == "待发放")
    );
    // The amounts the answer recorded are the lines' amounts (银行回单 sheet).
    let recorded = sheet(&ledger, "银行回单");
    assert_eq!(recorded.len(), lines.len() + 1);

    // The same answer again, by folder: nothing new, the ledger not rewritten.
    let r = result(&out, &[&answers]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("均已导入"), "{}", r.stdout);
    assert_eq!(std::fs::read(&ledger).unwrap(), after_first);

    // A contradicting answer: line 0 now failed. Refused, naming both, ledger untouched.
    let bad_dir = tmp.path().join("坏回单");
    std::fs::create_dir_all(&bad_dir).unwrap();
    let contra = bad_dir.join("农行回单_更正.xlsx");
    let mut res = results(lines.len(), &failed);
    res[0] = ("失败", "账户冻结");
    write_answer(&contra, &lines, &res);
    let r = result(&out, &[&contra]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("矛盾")
            && r.stderr.contains("农行回单_更正.xlsx")
            && r.stderr.contains("农行回单_红塔区.xlsx")
            && r.stderr.contains("第 2 行"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&ledger).unwrap(), after_first);

    // A period with bank answers cannot be re-run: its records would be erased.
    let again = payrun(&[
        "run",
        "--period",
        "2025-H1",
        "--run-date",
        "2025-06-30",
        "--out",
        out.to_str().unwrap(),
        samples("2025-H1").to_str().unwrap(),
    ]);
    assert_eq!(again.code, 1, "{}{}", again.stdout, again.stderr);
    assert!(
        again.stderr.contains("已导入银行处理结果"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read(&ledger).unwrap(), after_first);

    // Malformed answers: each a located Chinese message, nothing changed.
    let mut unknown = lines.clone();
    unknown[2].account = "6228480000000000009".into();
    let mut off = lines.clone();
    let fen = Decimal::new(1, 2);
    off[2].amount = (off[2].amount.parse::<Decimal>().unwrap() + fen).to_string();
    let mut dup = lines.clone();
    dup.push(lines[2].clone());
    let cases: [(&str, Vec<Line>, &str); 3] = [
        ("未知账号.xlsx", unknown, "不在 2025-H1 的发放记录中"),
        ("差一分.xlsx", off, "相差 0.01 元"),
        ("重复行.xlsx", dup, "重复出现"),
    ];
    for (name, ls, want) in cases {
        let p = bad_dir.join(name);
        write_answer(&p, &ls, &results(ls.len(), &failed));
        let r = result(&out, &[&p]);
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(want) && r.stderr.contains(name) && r.stderr.contains("第 4 行")
                || r.stderr.contains(want) && name == "重复行.xlsx",
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("台账未改动"), "{}", r.stderr);
        assert_eq!(std::fs::read(&ledger).unwrap(), after_first, "{name}");
    }
    let garbage = bad_dir.join("回单.xlsx");
    std::fs::write(&garbage, b"PK\x03\x04 this is not a workbook").unwrap();
    let r = result(&out, &[&garbage]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("回单.xlsx") && r.stderr.contains("不是可读取的"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&ledger).unwrap(), after_first);

    // Repay with an 账户更正表 for A only.
    let corr_dir = tmp.path().join("更正");
    std::fs::create_dir_all(&corr_dir).unwrap();
    let a_id = entries
        .iter()
        .find(|e| e.5 == a.account)
        .map(|e| e.3.clone())
        .unwrap();
    let new_account = "6228480099990000001";
    {
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
        // A spaced name still names A (NFKC, whitespace removed).
        let spaced: String = a.name.chars().flat_map(|c| [c, ' ']).collect();
        for (c, v) in [
            "红塔区",
            spaced.trim(),
            &a_id,
            "中国农业银行红塔支行",
            new_account,
            "原账户已销户",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(3, c as u16, *v).unwrap();
        }
        wb.save(corr_dir.join("红塔区_账户更正表.xlsx")).unwrap();
    }
    let r = repay(&out, &corr_dir);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let sheet_path = out.join("2025-H2/补发/补发表_2025-H2.xlsx");
    let rep = sheet(&sheet_path, "补发表");
    let data: Vec<&Vec<Data>> = rep
        .iter()
        .filter(|r| matches!(r.first(), Some(Data::Float(_))))
        .collect();
    assert_eq!(data.len(), 1, "{rep:?}");
    let a_amount: Decimal = a.amount.parse().unwrap();
    assert_eq!(text(data[0].get(4)), a_id);
    assert_eq!(text(data[0].get(5)), a.account);
    assert_eq!(text(data[0].get(8)), new_account);
    assert_eq!(number(data[0].get(9)), a_amount);
    let total = rep.iter().find(|r| text(r.first()) == "合计").unwrap();
    assert_eq!(number(total.get(9)), a_amount);
    // B has no correction: listed unpaid.
    let unpaid = sheet(&sheet_path, "未补发");
    let b_id = entries
        .iter()
        .find(|e| e.5 == b.account)
        .map(|e| e.3.clone())
        .unwrap();
    let b_row = unpaid.iter().find(|r| text(r.get(4)) == b_id).unwrap();
    assert!(text(b_row.get(5)).contains("户名与账户不符"));
    // The 待补账号 lines of H1 are owed too, and listed while no account comes.
    assert!(unpaid.iter().any(|r| text(r.get(5)) == "待补账号"));
    assert_eq!(number(b_row.get(6)), b.amount.parse::<Decimal>().unwrap());
    assert!(text(b_row.get(7)).contains("账户更正表"));
    // The batch file of the repay holds A's new account and amount only.
    let rb = out.join("2025-H2/补发/代发/红塔区/中国农业银行_补发_2025-H2_第1批.xlsx");
    let rl = batch_lines(&rb);
    assert_eq!(rl.len(), 1);
    assert_eq!(rl[0].account, new_account);
    assert_eq!(rl[0].amount.parse::<Decimal>().unwrap(), a_amount);
    let entries = ledger_entries(&ledger);
    assert!(
        entries
            .iter()
            .filter(|e| e.5 == a.account)
            .all(|e| e.6 == "已补发（2025-H2）")
    );
    assert!(
        entries
            .iter()
            .filter(|e| e.5 == b.account)
            .all(|e| e.6.starts_with("发放失败"))
    );
    // Entries keep their period and amount: the cases stay charged to H1's cap.
    let h1_total: Decimal = entries
        .iter()
        .filter(|e| e.0 == "2025-H1")
        .map(|e| e.4)
        .sum();
    let after_repay = std::fs::read(&ledger).unwrap();

    // Repay again: nothing paid twice, nothing written.
    let r = repay(&out, &corr_dir);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("没有可补发的款项"), "{}", r.stdout);
    assert!(r.stdout.contains("不再补发"), "{}", r.stdout);
    assert_eq!(std::fs::read(&ledger).unwrap(), after_repay);
    assert!(
        !out.join("2025-H2/补发/代发/红塔区/中国农业银行_补发_2025-H2_第2批.xlsx")
            .exists()
    );

    // The original answer once more: nothing new. A 成功 for A's repaid line: refused.
    let r = result(&out, &[&answer]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(std::fs::read(&ledger).unwrap(), after_repay);
    let late = bad_dir.join("迟到的回单.xlsx");
    write_answer(&late, &lines[1..2], &[("成功", "")]);
    let r = result(&out, &[&late]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("已于 2025-H2 补发"), "{}", r.stderr);
    assert_eq!(std::fs::read(&ledger).unwrap(), after_repay);

    // The next period: its 审批汇总表 and summary.json track the year's money per county.
    let r2 = run_period(&samples("2025-H2"), &out, "2025-H2", "2025-12-31", &[]);
    assert!(r2.code == 0 || r2.code == 2);
    let h2 = out.join("2025-H2");
    let s = read_summary(&h2);
    let hongta = s["payment_status"]["counties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "红塔区")
        .unwrap()
        .clone();
    let dec = |v: &serde_json::Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
    let all: Decimal = lines
        .iter()
        .map(|l| l.amount.parse::<Decimal>().unwrap())
        .sum();
    let b_amount: Decimal = b.amount.parse().unwrap();
    assert_eq!(dec(&hongta["credited"]), all - a_amount - b_amount);
    assert_eq!(dec(&hongta["failed"]), b_amount);
    let county = s["counties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "红塔区")
        .unwrap()
        .clone();
    let paid_before = dec(&county["paid_before"]);
    let approved = dec(&county["approved_amount"]);
    assert_eq!(
        dec(&hongta["credited"]) + dec(&hongta["failed"]) + dec(&hongta["pending"]),
        paid_before + approved
    );
    // A's repayment is unanswered: it waits with the rest.
    assert_eq!(
        dec(&hongta["pending"]),
        paid_before - (all - a_amount - b_amount) - b_amount + approved
    );
    let _ = h1_total;
    let summary = sheet(&h2.join("审批汇总表_2025-H2.xlsx"), "汇总");
    let head = summary
        .iter()
        .find(|r| r.iter().any(|d| text(Some(d)) == "已入账"))
        .unwrap();
    let col = |h: &str| head.iter().position(|d| text(Some(d)) == h).unwrap();
    let row = summary
        .iter()
        .find(|r| text(r.first()) == "红塔区")
        .unwrap();
    assert_eq!(number(row.get(col("已入账"))), dec(&hongta["credited"]));
    assert_eq!(number(row.get(col("发放失败"))), dec(&hongta["failed"]));
    assert_eq!(number(row.get(col("待发放"))), dec(&hongta["pending"]));
    // The ledger's own tracking sheet says the same for H1.
    let track = sheet(&ledger, "发放情况");
    let h1_hongta = track
        .iter()
        .find(|r| text(r.first()) == "2025-H1" && text(r.get(2)) == "红塔区")
        .unwrap();
    assert_eq!(number(h1_hongta.get(4)), dec(&hongta["credited"]));
    assert_eq!(number(h1_hongta.get(5)), b_amount);
}
