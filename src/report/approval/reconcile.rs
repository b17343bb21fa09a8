//! 对账, the reconciliation sheet of 审批汇总表: per county, rows received = approved +
//! rejected + held and the standard amount = approved + rejected + held + prorate reduction,
//! each marked 平 or 不平; then the whole-run checks (data rows read = rows decided = rows in
//! 汇总; 核准明细's count and total = 汇总's).

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Worksheet};

use super::{Col, Ctx, HEADER, Res, columns, header_row, last_col, title_rows};
use crate::mediation::CountySummary;
use crate::report::sheet::Sheet;
use crate::report::text::{row_pixels, wrapped_lines};

const RECON_COLS: &[Col] = &[
    Col("县（市、区）", 26.0),
    Col("申报行数", 9.0),
    Col("核准行数", 9.0),
    Col("不予补贴行数", 9.0),
    Col("待定行数", 9.0),
    Col("行数核对", 8.0),
    Col("申报标准金额", 15.0),
    Col("核准金额", 15.0),
    Col("不予补贴金额", 15.0),
    Col("待定金额", 15.0),
    Col("折算减少额", 13.0),
    Col("金额核对", 8.0),
];

fn balanced<'a>(cx: &'a Ctx, ok: bool) -> (&'static str, &'a Format) {
    if ok {
        ("平", &cx.st.center)
    } else {
        ("不平", &cx.st.bad)
    }
}

fn recon_row(sh: &mut Sheet, cx: &Ctx, r: u32, s: &CountySummary, total: bool) -> Res {
    let st = &cx.st;
    let (lf, intf, mf) = if total {
        (&st.total_label, &st.total_int, &st.total_money)
    } else {
        (&st.text_wrap, &st.int, &st.money)
    };
    sh.text(r, 0, &s.name, lf)?;
    sh.count(r, 1, s.claimed_rows, intf)?;
    sh.count(r, 2, s.approved_rows, intf)?;
    sh.count(r, 3, s.rejected_rows, intf)?;
    sh.count(r, 4, s.held_rows, intf)?;
    let rows_ok = s.claimed_rows == s.approved_rows + s.rejected_rows + s.held_rows;
    let (t, f) = balanced(cx, rows_ok);
    sh.text(r, 5, t, f)?;
    sh.money(r, 6, s.claimed_amount, mf)?;
    sh.money(r, 7, s.approved_amount, mf)?;
    sh.money(r, 8, s.rejected_amount, mf)?;
    sh.money(r, 9, s.held_amount, mf)?;
    sh.money(r, 10, s.prorate_reduction, mf)?;
    let amount_ok = s.claimed_amount
        == s.approved_amount + s.rejected_amount + s.held_amount + s.prorate_reduction;
    let (t, f) = balanced(cx, amount_ok);
    sh.text(r, 11, t, f)?;
    Ok(())
}

/// How the table above is checked, under it.
const RULE: &str = "核对规则：申报行数 = 核准 + 不予补贴 + 待定；申报标准金额 = 核准金额 + 不予补贴金额 + 待定金额 + 折算减少额（按比例折算时标准金额与核准金额之差）。";

enum Figure {
    Count(usize),
    Amount(Decimal),
}

pub(super) fn sheet(cx: &Ctx, approved_sum: Decimal, approved_count: usize) -> Res<Worksheet> {
    let out = cx.out;
    let st = &cx.st;
    let mut ws = Worksheet::new();
    let cols = columns(RECON_COLS);
    cols.apply(&mut ws)?;
    let mut sh = Sheet::new(&mut ws, &cols);
    let lc = last_col(RECON_COLS);
    title_rows(cx, &mut sh, &format!("{}审核对账表", cx.prefix), lc, true)?;
    header_row(&mut sh, st, HEADER, RECON_COLS)?;
    let mut r = HEADER + 1;
    for s in out.counties.iter().chain(std::iter::once(&out.unassigned)) {
        recon_row(&mut sh, cx, r, s, false)?;
        r += 1;
    }
    let last_data = r - 1;
    recon_row(&mut sh, cx, r, &out.totals, true)?;
    r += 1;
    sh.note(r, RULE, &st.note, 2)?;
    r += 2;

    // Whole-run checks.
    let data_rows: usize = out.files.iter().map(|f| f.data_rows).sum();
    let checks: [(&str, String, Figure, Figure, bool); 4] = [
        (
            "数据行数",
            "审核结果明细文件（decisions.csv）行数（已审核的数据行）＝ 各文件数据行数之和".into(),
            Figure::Count(out.claims.len()),
            Figure::Count(data_rows),
            out.claims.len() == data_rows,
        ),
        (
            "申报行数",
            "汇总表申报行数合计 ＝ 审核结果明细文件（decisions.csv）行数".into(),
            Figure::Count(out.totals.claimed_rows),
            Figure::Count(out.claims.len()),
            out.totals.claimed_rows == out.claims.len(),
        ),
        (
            "核准件数",
            "“核准明细”行数 ＝ 汇总表核准合计".into(),
            Figure::Count(approved_count),
            Figure::Count(out.totals.approved_rows),
            approved_count == out.totals.approved_rows,
        ),
        (
            "核准金额",
            "“核准明细”核准金额合计 ＝ 汇总表核准金额合计".into(),
            Figure::Amount(approved_sum),
            Figure::Amount(out.totals.approved_amount),
            approved_sum == out.totals.approved_amount,
        ),
    ];
    sh.text(r, 0, "核对项目", &st.header)?;
    sh.merged(r, 1, 5, "核对内容", &st.header)?;
    sh.text(r, 6, "左边", &st.header)?;
    sh.text(r, 7, "右边", &st.header)?;
    sh.text(r, 8, "核对", &st.header)?;
    sh.ws.set_row_height(r, 20)?;
    r += 1;
    for (item, what, left, right, ok) in checks {
        sh.text(r, 0, item, &st.text)?;
        sh.merged(r, 1, 5, &what, &st.text_wrap)?;
        let lines = wrapped_lines(&what, sh.cols.span_px(1, 5));
        sh.height(r, row_pixels(lines))?;
        for (c, v) in [(6u16, left), (7, right)] {
            match v {
                Figure::Count(n) => sh.count(r, c, n, &st.int)?,
                Figure::Amount(a) => sh.money(r, c, a, &st.money)?,
            }
        }
        let (t, f) = balanced(cx, ok);
        sh.text(r, 8, t, f)?;
        r += 1;
    }
    sh.finish(HEADER, Some(last_data), (HEADER, HEADER))?;
    Ok(ws)
}
