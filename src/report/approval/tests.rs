//! The approval workbook read back with calamine: figures, sheets, paging, refusals.

use calamine::{Data, Range, Reader, Xlsx, open_workbook};

use super::details::{APPROVED_AMOUNT, APPROVED_COLS};
use super::summary::usage_rate;
use super::*;
use crate::form::{Outcome, Verdict};
use crate::mediation::CountySummary;
use crate::report::payroll::tests::{fixture, run_dir};
use rust_decimal::Decimal;

fn run_mixed(out_dir: &Path) -> RunOutput {
    run_dir(&fixture("mixed"), out_dir)
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn s(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(t)) => t.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

fn dec(r: &Range<Data>, row: u32, col: u32) -> Decimal {
    match r.get_value((row, col)) {
        Some(Data::Float(f)) => Decimal::try_from(*f).unwrap(),
        Some(Data::Int(i)) => Decimal::from(*i),
        other => panic!("no number at ({row},{col}): {other:?}"),
    }
}

fn num(r: &Range<Data>, row: u32, col: u32) -> usize {
    let d = dec(r, row, col);
    usize::try_from(d.mantissa()).unwrap() / 10usize.pow(d.scale())
}

fn fen(d: Decimal) -> Decimal {
    crate::money::fen(d)
}

/// Absolute row of the first cell in column `col` equal to `text`.
fn find_row(r: &Range<Data>, col: u32, text: &str) -> Option<u32> {
    let (r0, _) = r.start()?;
    let (r1, _) = r.end()?;
    (r0..=r1).find(|&row| s(r, row, col) == text)
}

#[test]
fn workbook_reads_back_as_the_run_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_mixed(dir.path());
    assert!(out.totals.approved_rows > 0 && out.totals.rejected_rows > 0);
    let path = dir.path().join("审批汇总表_2025-H1.xlsx");
    write_approval(&out, &path).unwrap();

    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "汇总",
            "核准明细",
            "不予补贴明细",
            "超预算待定",
            "文件问题",
            "对账",
            "运行信息"
        ]
    );

    // 汇总: every county row and the 合计 row are out.counties / out.totals, to the fen.
    let sum = sheet(&path, "汇总");
    assert_eq!(
        s(&sum, 0, 0),
        "玉溪市2025年上半年人民调解“一案一补”补贴审批汇总表"
    );
    for c in out.counties.iter().chain(std::iter::once(&out.totals)) {
        let r = find_row(&sum, 0, &c.name).unwrap_or_else(|| panic!("{} missing", c.name));
        assert_eq!(num(&sum, r, 2), c.claimed_rows, "{}", c.name);
        assert_eq!(num(&sum, r, 3), c.approved_rows, "{}", c.name);
        assert_eq!(num(&sum, r, 4), c.rejected_rows, "{}", c.name);
        assert_eq!(num(&sum, r, 5), c.held_rows, "{}", c.name);
        assert_eq!(fen(dec(&sum, r, 6)), c.approved_amount, "{}", c.name);
        assert_eq!(fen(dec(&sum, r, 7)), c.cap, "{}", c.name);
        assert_eq!(fen(dec(&sum, r, 8)), c.paid_before, "{}", c.name);
        assert_eq!(fen(dec(&sum, r, 9)), c.remaining_after, "{}", c.name);
    }
    let tr = find_row(&sum, 0, "合计").unwrap();
    assert_eq!(
        dec(&sum, tr, 10).round_dp(4),
        usage_rate(&out.totals),
        "使用率"
    );
    let sign = format!(
        "制表日期：{}",
        crate::report::style::cn_date(out.period.run_date)
    );
    assert!(
        (0..=sum.end().unwrap().0)
            .any(|r| s(&sum, r, 0).starts_with("制表人：") && s(&sum, r, 0).ends_with(&sign))
    );
    // The total in 大写 under the table (SPEC §11.4).
    let daxie = format!(
        "本期核准金额合计（大写）：{}",
        crate::cell::format_daxie(out.totals.approved_amount)
    );
    assert!(find_row(&sum, 0, &daxie).is_some(), "{daxie}");

    // 核准明细: one numbered row per approved decision; the rows add up to the total.
    let ap = sheet(&path, "核准明细");
    let amount = u32::from(APPROVED_AMOUNT);
    assert_eq!(s(&ap, HEADER, 0), "序号");
    assert_eq!(s(&ap, HEADER, amount), "核准金额");
    let mut rows = 0;
    let mut total = Decimal::ZERO;
    let mut r = HEADER + 1;
    while matches!(ap.get_value((r, 0)), Some(Data::Float(_))) {
        rows += 1;
        total += dec(&ap, r, amount);
        r += 1;
    }
    assert_eq!(rows, out.totals.approved_rows);
    assert_eq!(fen(total), out.totals.approved_amount);
    assert!(s(&ap, r, 0).starts_with("合计"));
    // The 合计 spans 标准金额 and 核准金额.
    assert_eq!(fen(dec(&ap, r, amount - 1)), out.totals.approved_amount);

    // 不予补贴明细: every rejected row, found by file, sheet and row, with its reasons in
    // Chinese and, in the 代码 column at the right edge, its codes one a line.
    let rj = sheet(&path, "不予补贴明细");
    let last = rj.end().unwrap().1;
    assert_eq!(s(&rj, HEADER, last), "代码");
    let mut seen = 0;
    for (c, d) in out.claims.iter().zip(&out.decisions) {
        if d.outcome != Outcome::Rejected {
            continue;
        }
        seen += 1;
        let hit = (HEADER + 1..=rj.end().unwrap().0).find(|&r| {
            s(&rj, r, 6) == *c.origin.file
                && s(&rj, r, 7) == *c.origin.sheet
                && num(&rj, r, 8) == c.origin.row as usize
        });
        let r = hit.unwrap_or_else(|| panic!("{} not listed", c.origin.place()));
        // One code a line, beside its reason (two cells of one rule: the code twice).
        let mut codes: Vec<String> = s(&rj, r, last).lines().map(String::from).collect();
        assert_eq!(codes.len(), d.issues.len());
        codes.sort();
        codes.dedup();
        let mut want: Vec<String> = d.reasons().split(';').map(String::from).collect();
        want.sort();
        assert_eq!(codes, want);
        for i in &d.issues {
            assert!(s(&rj, r, 5).contains(i.code.label()), "{}", i.code);
            assert!(!s(&rj, r, 5).contains(i.code.as_str()), "{}", i.code);
            if let Some(cell) = &i.cell {
                assert!(s(&rj, r, 9).contains(cell.as_str()));
            }
        }
    }
    assert_eq!(seen, out.totals.rejected_rows);

    // 超预算待定: none in this input.
    let hd = sheet(&path, "超预算待定");
    assert_eq!(s(&hd, HEADER + 1, 0), "本期无超预算待定案件");

    // 文件问题 lists the sheet problems of the .xls file, codes in the 代码 column at the
    // right edge.
    let fp = sheet(&path, "文件问题");
    let last = fp.end().unwrap().1;
    assert_eq!(s(&fp, HEADER, last), "代码");
    let codes: Vec<String> = (HEADER + 1..=fp.end().unwrap().0)
        .map(|r| s(&fp, r, last))
        .collect();
    assert!(codes.iter().any(|c| c == "unknown_county"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "missing_column"), "{codes:?}");

    // 对账: everything balances.
    let rc = sheet(&path, "对账");
    let mut checks = 0;
    for r in HEADER + 1..=rc.end().unwrap().0 {
        for c in 0..12 {
            let v = s(&rc, r, c);
            assert_ne!(v, "不平", "row {r} col {c}");
            checks += usize::from(v == "平");
        }
    }
    assert!(checks >= 2 * (out.counties.len() + 2) + 4);

    // 运行信息 names every input file with its SHA-256.
    let ri = sheet(&path, "运行信息");
    for f in &out.files {
        let r = find_row(&ri, 0, &f.path).unwrap();
        assert_eq!(s(&ri, r, 3), f.sha256);
    }

    // Reproducible: a second write gives the same bytes.
    let again = dir.path().join("again.xlsx");
    write_approval(&out, &again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn full_detail_sheets_continue_with_the_same_header() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_mixed(dir.path());
    // Room for 3 rows under the header on each sheet.
    let limit = HEADER + 4;
    let mut wb = build(&out, limit).unwrap();
    let path = dir.path().join("paged.xlsx");
    std::fs::write(&path, wb.save_to_buffer().unwrap()).unwrap();

    let book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    let approved: Vec<&String> = names.iter().filter(|n| n.starts_with("核准明细")).collect();
    // n approved rows + the 合计 row, 3 per sheet.
    let expect = (out.totals.approved_rows + 1).div_ceil(3);
    assert_eq!(approved.len(), expect);
    assert_eq!(approved[0], "核准明细");
    assert_eq!(approved[1], "核准明细(2)");
    let mut rows = 0;
    let mut total = Decimal::ZERO;
    for name in &approved {
        let r = sheet(&path, name);
        assert!(r.end().unwrap().0 < limit);
        for (c, col) in APPROVED_COLS.iter().enumerate() {
            assert_eq!(s(&r, HEADER, c as u32), col.0);
        }
        for row in HEADER + 1..=r.end().unwrap().0 {
            if matches!(r.get_value((row, 0)), Some(Data::Float(_))) {
                rows += 1;
                total += dec(&r, row, u32::from(APPROVED_AMOUNT));
            }
        }
    }
    assert_eq!(rows, out.totals.approved_rows);
    assert_eq!(fen(total), out.totals.approved_amount);
    let last = sheet(&path, approved[approved.len() - 1]);
    assert!(s(&last, last.end().unwrap().0, 0).starts_with("合计"));
    // The other paged sheets continue too, and the fixed sheets keep their order.
    assert!(names.iter().any(|n| n == "不予补贴明细(2)"));
    assert_eq!(names.last().unwrap(), "运行信息");
}

#[test]
fn a_total_that_does_not_match_is_refused_and_input_text_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut out = run_mixed(dir.path());
    // Text that looks like a formula stays text.
    let i = out
        .decisions
        .iter()
        .position(|d| d.outcome == Outcome::Approved)
        .unwrap();
    out.claims[i].mediator = Some("=HYPERLINK(\"http://x\",\"点我\")".into());
    let path = dir.path().join("a.xlsx");
    write_approval(&out, &path).unwrap();
    let ap = sheet(&path, "核准明细");
    assert!(find_row(&ap, 9, "=HYPERLINK(\"http://x\",\"点我\")").is_some());
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let formulas = wb.worksheet_formula("核准明细").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    // A total that the detail rows do not add up to is a bug: refused, nothing written.
    out.totals.approved_amount += Decimal::ONE;
    let bad = dir.path().join("bad.xlsx");
    let err = write_approval(&out, &bad).unwrap_err();
    assert!(err.contains("核准明细"), "{err}");
    assert!(!bad.exists());
}

#[test]
fn usage_rate_is_decimal_and_zero_without_cap() {
    let mut s = CountySummary {
        cap: Decimal::new(10_000_000, 2),
        paid_before: Decimal::new(3_000_000, 2),
        approved_amount: Decimal::new(1_234_500, 2),
        ..Default::default()
    };
    assert_eq!(usage_rate(&s), Decimal::new(4235, 4));
    s.cap = Decimal::ZERO;
    assert_eq!(usage_rate(&s), Decimal::ZERO);
}

#[test]
fn usual_row_height_is_the_most_common_one() {
    use crate::report::text::most_common;
    // 超预算待定 of a province: the first row is unusual, the rest are not.
    let mut h: Vec<Option<u32>> = vec![Some(42)];
    h.extend(std::iter::repeat_n(Some(60), 5));
    h.push(None);
    assert_eq!(most_common(&h), Some(Some(60)));
    // A tie takes the smaller height (None, the standard one, is the smallest).
    assert_eq!(most_common(&[Some(60), None]), Some(None));
    assert_eq!(most_common(&[Some(60), Some(42)]), Some(Some(42)));
    assert_eq!(most_common::<Option<u32>>(&[]), None);
}
