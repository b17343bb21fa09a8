//! 汇总, the first sheet of 审批汇总表: one line per county (rows received, approved, rejected,
//! held, amount approved, annual cap, paid before, remaining, usage), the unassigned rows, the
//! 合计, how caps were applied, the sign-off line and a chart of approved amount against cap.

use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{ChartLegendPosition, Worksheet};

use super::{
    Col, Ctx, HEADER, Res, SHEET_SUMMARY, TITLE_HEIGHT, columns, header_row, last_col,
    over_cap_text, workbook_title,
};
use crate::mediation::CountySummary;
use crate::report::sheet::{Sheet, column_chart};
use crate::report::style;
use crate::report::text::row_pixels;

const SUMMARY_COLS: &[Col] = &[
    Col("县（市、区）", 26.0),
    Col("区划代码", 9.0),
    Col("申报行数", 9.0),
    Col("核准", 9.0),
    Col("不予补贴", 9.0),
    Col("超预算待定", 9.0),
    Col("核准金额", 15.0),
    Col("年度限额", 15.0),
    Col("以前期间已发放", 15.0),
    Col("剩余额度", 15.0),
    Col("使用率", 10.0),
    Col("已入账", 15.0),
    Col("发放失败", 15.0),
    Col("待发放", 15.0),
];

pub(super) fn sheet(cx: &Ctx) -> Res<Worksheet> {
    let out = cx.out;
    let st = &cx.st;
    let mut ws = Worksheet::new();
    let cols = columns(SUMMARY_COLS);
    cols.apply(&mut ws)?;
    let mut sh = Sheet::new(&mut ws, &cols);
    let lc = last_col(SUMMARY_COLS);
    sh.merged(0, 0, lc, &workbook_title(out), &st.title)?;
    sh.ws.set_row_height(0, TITLE_HEIGHT)?;
    sh.merged(1, 0, lc - 1, &cx.info, &st.subtitle)?;
    sh.text(1, lc, "单位：元", &st.subtitle_right)?;
    sh.ws.set_row_height(1, 20)?;
    let policy = format!("政策名称：{}", out.policy.name);
    sh.merged(2, 0, lc, &policy, &st.subtitle)?;
    sh.ws.set_row_height(2, 20)?;
    let header = HEADER + 1;
    header_row(&mut sh, st, header, SUMMARY_COLS)?;

    let first = header + 1;
    let mut r = first;
    for s in &out.counties {
        county_row(&mut sh, cx, r, s, false)?;
        r += 1;
    }
    let counties_last = r.checked_sub(1).filter(|&l| l >= first);
    if out.unassigned.claimed_rows > 0 {
        county_row(&mut sh, cx, r, &out.unassigned, true)?;
        r += 1;
    }
    let last_data = r.saturating_sub(1).max(header);
    // 合计
    sh.text(r, 0, "合计", &st.total_label)?;
    sh.blank(r, 1, &st.total_label)?;
    let t = &out.totals;
    sh.count(r, 2, t.claimed_rows, &st.total_int)?;
    sh.count(r, 3, t.approved_rows, &st.total_int)?;
    sh.count(r, 4, t.rejected_rows, &st.total_int)?;
    sh.count(r, 5, t.held_rows, &st.total_int)?;
    sh.money(r, 6, t.approved_amount, &st.total_money)?;
    sh.money(r, 7, t.cap, &st.total_money)?;
    sh.money(r, 8, t.paid_before, &st.total_money)?;
    sh.money(r, 9, t.remaining_after, &st.total_money)?;
    sh.number(r, 10, usage_rate(t), &st.total_pct)?;
    let paid = crate::bank::tracking_total(out);
    sh.money(r, 11, paid.credited, &st.total_money)?;
    sh.money(r, 12, paid.failed, &st.total_money)?;
    sh.money(r, 13, paid.pending, &st.total_money)?;
    let total_row = r;

    // Notes under the table.
    let mut notes = vec![format!(
        "说明：1. 使用率 =（以前期间已发放 + 本期核准金额）÷ 年度限额；剩余额度 = 年度限额 − 以前期间已发放 − 本期核准金额。2. 超出年度限额的处理：{}。",
        over_cap_text(out.policy.over_cap)
    ), "3. 已入账、发放失败、待发放：本年度至本期核准的款项在银行的发放情况（以台账中导入的银行处理结果和补发记录为准；补发后未回单的计入待发放），三者之和 = 以前期间已发放 + 本期核准金额。".to_string()];
    if out.unassigned.claimed_rows > 0 {
        notes.push(format!(
            "4. “{}”一行是县（市、区）一栏无法识别的数据行，均不予补贴，见“不予补贴明细”表。",
            out.unassigned.name
        ));
    }
    // The total in 大写, as on the 发放表 (SPEC §11.4).
    let daxie = total_row + 1;
    sh.line(
        daxie,
        &format!(
            "本期核准金额合计（大写）：{}",
            crate::cell::format_daxie(t.approved_amount)
        ),
        &st.daxie,
        row_pixels(1),
    )?;
    let note = daxie + 1;
    sh.note(note, &notes.join(""), &st.note, 2)?;

    // Sign-off line, dated with the run date like every sign-off of the run.
    let sign = note + 2;
    sh.line(
        sign,
        &style::sign_off(out.period.run_date),
        &st.sign_line,
        28,
    )?;

    // Chart under the sign-off line: approved amount vs annual cap per county.
    if let Some(cl) = counties_last {
        let mut chart = column_chart(
            "各县（市、区）本期核准金额与年度限额（元）",
            SHEET_SUMMARY,
            (first, cl),
            0,
            &[("核准金额", 6), ("年度限额", 7)],
        );
        chart.y_axis().set_num_format("¥#,##0");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(1000).set_height(360);
        sh.ws.insert_chart_with_offset(sign + 2, 0, &chart, 10, 0)?;
    }

    sh.finish(header, Some(last_data), (header, header))?;
    Ok(ws)
}

fn county_row(sh: &mut Sheet, cx: &Ctx, r: u32, s: &CountySummary, unassigned: bool) -> Res {
    let st = &cx.st;
    sh.text(r, 0, &s.name, &st.text_wrap)?;
    let code = s.code.as_ref().map_or("—", |c| c.as_str());
    sh.text(r, 1, code, &st.center)?;
    sh.count(r, 2, s.claimed_rows, &st.int)?;
    sh.count(r, 3, s.approved_rows, &st.int)?;
    sh.count(r, 4, s.rejected_rows, &st.int)?;
    sh.count(r, 5, s.held_rows, &st.int)?;
    sh.money(r, 6, s.approved_amount, &st.money)?;
    if unassigned {
        // No cap belongs to rows without a county, and nothing is paid to them.
        sh.blanks(r, 7..=13, &st.text)?;
    } else {
        sh.money(r, 7, s.cap, &st.money)?;
        sh.money(r, 8, s.paid_before, &st.money)?;
        sh.money(r, 9, s.remaining_after, &st.money)?;
        sh.number(r, 10, usage_rate(s), &st.pct)?;
        let paid = s
            .code
            .as_ref()
            .and_then(|c| cx.out.payments.get(c.as_str()))
            .cloned()
            .unwrap_or_default();
        sh.money(r, 11, paid.credited, &st.money)?;
        sh.money(r, 12, paid.failed, &st.money)?;
        sh.money(r, 13, paid.pending, &st.money)?;
    }
    Ok(())
}

/// Usage of the annual cap: (paid before + approved) ÷ cap, 0 when there is no cap; rounded to
/// the basis point the 0.00% format shows.
pub(super) fn usage_rate(s: &CountySummary) -> Decimal {
    if s.cap.is_zero() {
        return Decimal::ZERO;
    }
    ((s.paid_before + s.approved_amount) / s.cap)
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}
