//! The year's workbooks (SPEC §14): 年度执行与绩效自评_<year>.xlsx (一案一补执行情况 with what is
//! missing said at its top, 协勤经费执行情况, one 项目支出绩效自评表 per project in the national
//! layout) and 下年度分配建议_<year+1>.xlsx. Cells a gap touches are marked (yellow fill).

use std::path::Path;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::YearOutput;
use super::execution::MediationLine;
use super::indicators::{FUNDS_POINTS, Measure};
use super::selfeval::Evaluation;
use crate::cell::format_daxie;
use crate::report::sheet::{Columns, Sheet, push};
use crate::report::style::{self, NOTICE_FILL, Styles};
use crate::report::text::row_pixels;

type Res<T = ()> = Result<T, XlsxError>;

const ISSUER: &str = "玉溪市司法局";
pub const SHEET_MEDIATION: &str = "一案一补执行情况";
pub const SHEET_STAFF: &str = "协勤经费执行情况";
pub const SHEET_EVAL_MEDIATION: &str = "项目支出绩效自评表（一案一补）";
pub const SHEET_EVAL_STAFF: &str = "项目支出绩效自评表（协勤经费）";
pub const SHEET_ALLOCATION: &str = "限额分配建议";
pub const SHEET_STAFF_FLAGS: &str = "协勤经费关注事项";

const TITLE_HEIGHTS: (f64, f64) = (30.0, 18.0);
const SIGN_PX: u32 = 28;
/// What a cell shows for a period that was not reviewed.
pub const UNREVIEWED: &str = "未审核";

/// The formats of a marked cell (data incomplete).
struct Marked {
    money: Format,
    text: Format,
    int: Format,
    pct: Format,
}

impl Marked {
    fn new(st: &Styles) -> Marked {
        let fill = Color::RGB(NOTICE_FILL);
        Marked {
            money: st.money.clone().set_background_color(fill),
            text: st.text_wrap.clone().set_background_color(fill),
            int: st.int.clone().set_background_color(fill),
            pct: st.pct.clone().set_background_color(fill),
        }
    }
}

fn xe(path: &Path) -> impl Fn(XlsxError) -> String + '_ {
    move |e| format!("生成 {} 失败：{e}", path.display())
}

fn sign_row(sh: &mut Sheet, st: &Styles, r: u32, out: &YearOutput) -> Res {
    sh.line(r, &style::sign_off(out.run_date), &st.sign_line, SIGN_PX)
}

fn info(out: &YearOutput) -> String {
    format!(
        "填报单位：{ISSUER}　　年度：{}年　　{}",
        out.policy.year,
        style::made_on(out.run_date)
    )
}

/// Writes 年度执行与绩效自评_<year>.xlsx atomically.
pub fn write_year(out: &YearOutput, path: &Path) -> Result<(), String> {
    let mut wb = build_year(out).map_err(xe(path))?;
    style::save(&mut wb, path)
}

pub fn build_year(out: &YearOutput) -> Res<Workbook> {
    let st = Styles::new();
    let title = format!("{}年度执行与绩效自评", out.policy.year);
    let mut wb = style::report_workbook(&title, out.run_date);
    let mut taken = Vec::new();
    let mut ws = Worksheet::new();
    mediation_sheet(&mut ws, &st, out)?;
    push(&mut wb, ws, SHEET_MEDIATION, &mut taken)?;
    let mut ws = Worksheet::new();
    staff_sheet(&mut ws, &st, out)?;
    push(&mut wb, ws, SHEET_STAFF, &mut taken)?;
    let mut ws = Worksheet::new();
    eval_sheet(&mut ws, &st, out, &out.mediation)?;
    push(&mut wb, ws, SHEET_EVAL_MEDIATION, &mut taken)?;
    let mut ws = Worksheet::new();
    eval_sheet(&mut ws, &st, out, &out.staff)?;
    push(&mut wb, ws, SHEET_EVAL_STAFF, &mut taken)?;
    Ok(wb)
}

/// The 数据情况 text: every gap, or that the year is complete.
fn gaps_text(out: &YearOutput) -> String {
    let g = &out.execution.gaps;
    if g.is_empty() {
        "数据情况：本年度各期均已审核并结账，已导入银行处理结果，协勤经费已审核，数据完整。"
            .to_string()
    } else {
        let lines: Vec<String> = g
            .iter()
            .enumerate()
            .map(|(i, g)| format!("{}. {}", i + 1, g.text))
            .collect();
        format!(
            "数据缺项（共 {} 项，黄色底纹的单元格受影响）：\n{}",
            g.len(),
            lines.join("\n")
        )
    }
}

fn mediation_sheet(ws: &mut Worksheet, st: &Styles, out: &YearOutput) -> Res {
    let x = &out.execution;
    let mk = Marked::new(st);
    let mut heads: Vec<String> = vec!["序号".into(), "县（市、区）".into(), "年度限额".into()];
    for p in &x.periods {
        heads.push(format!("{}核准", p.name));
    }
    for h in [
        "核准合计",
        "已入账",
        "发放失败未补发",
        "待发放",
        "超限额待定",
        "预算执行率",
        "核准案件数",
        "不予补贴件数",
        "受补贴调解员人数",
    ] {
        heads.push(h.into());
    }
    let np = x.periods.len() as u16;
    let mut units = vec![5u32, 24, 13];
    units.extend(std::iter::repeat_n(13u32, x.periods.len()));
    units.extend([13, 13, 13, 13, 12, 9, 8, 8, 9]);
    let cols = Columns::units(&units);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!(
            "玉溪市{}年人民调解“一案一补”补贴执行情况表",
            out.policy.year
        ),
        &info(out),
        true,
        TITLE_HEIGHTS,
    )?;
    let gaps = gaps_text(out);
    let fmt = if x.gaps.is_empty() {
        &st.note
    } else {
        &mk.text
    };
    sh.note(2, &gaps, fmt, 1)?;
    let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    sh.header_fitted(3, &head_refs, &st.header, 2)?;
    let no_answers = !x.answered;
    let mut r = 4u32;
    let row = |sh: &mut Sheet, r: u32, l: &MediationLine, total: bool| -> Res {
        let money = if total { &st.total_money } else { &st.money };
        let int = if total { &st.total_int } else { &st.int };
        let pct = if total { &st.total_pct } else { &st.pct };
        sh.money(r, 2, l.cap, money)?;
        for (i, p) in x.periods.iter().enumerate() {
            let c = 3 + i as u16;
            if !p.reviewed {
                sh.text(r, c, UNREVIEWED, &mk.text)?;
            } else if !p.finalized {
                sh.money(r, c, l.approved_by_period[i], &mk.money)?;
            } else {
                sh.money(r, c, l.approved_by_period[i], money)?;
            }
        }
        let c = 3 + np;
        let partial = x.periods.iter().any(|p| !p.reviewed || !p.finalized);
        sh.money(r, c, l.approved, if partial { &mk.money } else { money })?;
        let track = if no_answers { &mk.money } else { money };
        sh.money(r, c + 1, l.credited, track)?;
        sh.money(r, c + 2, l.failed, track)?;
        sh.money(r, c + 3, l.pending, track)?;
        sh.money(r, c + 4, l.held, money)?;
        sh.number(
            r,
            c + 5,
            l.execution_rate(),
            if no_answers { &mk.pct } else { pct },
        )?;
        sh.count(
            r,
            c + 6,
            l.approved_rows,
            if partial { &mk.int } else { int },
        )?;
        sh.count(
            r,
            c + 7,
            l.rejected_rows,
            if partial { &mk.int } else { int },
        )?;
        sh.count(r, c + 8, l.mediators, int)?;
        Ok(())
    };
    for (n, l) in (1u64..).zip(&x.counties) {
        sh.count(r, 0, n, &st.center)?;
        sh.text(r, 1, &l.name, &st.text)?;
        row(&mut sh, r, l, false)?;
        r += 1;
    }
    let last_county = r.saturating_sub(1);
    sh.text(r, 0, "", &st.total_label)?;
    sh.text(r, 1, "全市", &st.total_label)?;
    row(&mut sh, r, &x.total, true)?;
    r += 1;
    sh.line(
        r,
        &format!(
            "核准合计（大写）：{}　　已入账（大写）：{}",
            format_daxie(x.total.approved),
            format_daxie(x.total.credited)
        ),
        &st.daxie,
        row_pixels(1),
    )?;
    r += 1;
    let reviewed: Vec<String> = x
        .periods
        .iter()
        .map(|p| {
            format!(
                "{}（{}）：{}",
                p.label,
                p.name,
                match (p.reviewed, p.finalized) {
                    (false, _) => "未审核",
                    (true, false) => "已审核，未结账",
                    (true, true) => "已审核并结账",
                }
            )
        })
        .collect();
    let note = format!(
        "说明：各期核准数取自该期审核结果；已入账、发放失败未补发、待发放取自台账所记银行处理结果与补发记录（已入账 + 发放失败未补发 + 待发放 = 核准合计）；超限额待定为超出年度限额未予发放的补贴；预算执行率 = 已入账 ÷ 年度限额；受补贴调解员人数按身份证号码计。{}。",
        reviewed.join("；")
    );
    sh.note(r, &note, &st.note, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out)?;
    sh.finish(3, Some(last_county), (3, 3))
}

fn staff_sheet(ws: &mut Worksheet, st: &Styles, out: &YearOutput) -> Res {
    let x = &out.execution;
    let mk = Marked::new(st);
    const HEAD: [&str; 9] = [
        "序号",
        "县（市、区）",
        "定额（人）",
        "下达人数",
        "下达金额",
        "核准市级补助",
        "资金执行率",
        "得分",
        "等次",
    ];
    let cols = Columns::units(&[5, 24, 9, 9, 14, 14, 10, 8, 6]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!("玉溪市{}年社区矫正协勤人员经费执行情况表", out.policy.year),
        &info(out),
        true,
        TITLE_HEIGHTS,
    )?;
    sh.header_fitted(2, &HEAD, &st.header, 2)?;
    let mut r = 3u32;
    let last_county;
    match &x.staff {
        Some((counties, total)) => {
            for (n, c) in (1u64..).zip(counties) {
                sh.count(r, 0, n, &st.center)?;
                sh.text(r, 1, &c.name, &st.text)?;
                sh.count(r, 2, c.quota, &st.int)?;
                sh.count(r, 3, c.posts_allocated, &st.int)?;
                sh.money(r, 4, c.allocated, &st.money)?;
                sh.money(r, 5, c.approved, &st.money)?;
                sh.number(r, 6, c.execution_rate, &st.pct)?;
                sh.number(r, 7, c.score, &st.score)?;
                sh.text(r, 8, &c.grade, &st.center)?;
                r += 1;
            }
            last_county = r.saturating_sub(1);
            sh.text(r, 0, "", &st.total_label)?;
            sh.text(r, 1, "全市", &st.total_label)?;
            sh.count(r, 2, total.quota, &st.total_int)?;
            sh.count(r, 3, total.posts_allocated, &st.total_int)?;
            sh.money(r, 4, total.allocated, &st.total_money)?;
            sh.money(r, 5, total.approved, &st.total_money)?;
            sh.number(r, 6, total.execution_rate, &st.total_pct)?;
            sh.number(r, 7, total.score, &st.total_score)?;
            sh.text(r, 8, &total.grade, &st.total_center)?;
            r += 1;
            sh.line(
                r,
                &format!("核准市级补助（大写）：{}", format_daxie(total.approved)),
                &st.daxie,
                row_pixels(1),
            )?;
            r += 1;
            let date = x.staff_run_date.as_deref().unwrap_or("");
            sh.note(
                r,
                &format!(
                    "说明：取自 {date} 的协勤经费审核结果；下达人数为核准在岗人数与定额中的较小者；资金执行率 = 核准市级补助 ÷ 下达金额；得分与等次为县级绩效评价结果。"
                ),
                &st.note,
                1,
            )?;
        }
        None => {
            for (n, c) in (1u64..).zip(&out.policy.counties) {
                sh.count(r, 0, n, &st.center)?;
                sh.text(r, 1, &c.name, &st.text)?;
                sh.count(r, 2, c.staff_quota, &st.int)?;
                for col in 3..=8 {
                    sh.text(r, col, UNREVIEWED, &mk.text)?;
                }
                r += 1;
            }
            last_county = r.saturating_sub(1);
            sh.note(
                r,
                &format!(
                    "未找到{}年协勤经费审核结果：下达人数、金额、执行率和绩效评价待审核后补（见“一案一补执行情况”表的数据缺项）。",
                    out.policy.year
                ),
                &mk.text,
                1,
            )?;
        }
    }
    r += 2;
    sign_row(&mut sh, st, r, out)?;
    sh.finish(2, Some(last_county), (2, 2))
}

/// 万元 to four decimals, from 元.
fn wan(v: Decimal) -> Decimal {
    (v / Decimal::from(10_000)).round_dp(4)
}

/// An actual value's number format: its unit after the figure.
fn unit_format(base: &Format, unit: &str, whole: bool) -> Format {
    let digits = if whole { "#,##0" } else { "#,##0.00" };
    let unit = unit.replace('"', "");
    // A long unit (元/人·月) stays in 年度指标值: beside the figure it would not fit the column.
    if unit.is_empty() || crate::report::text::display_width(&unit) > 5 {
        base.clone().set_num_format(digits)
    } else {
        base.clone().set_num_format(format!("{digits}\"{unit}\""))
    }
}

/// One 项目支出绩效自评表 in the layout of 财预〔2020〕10号.
fn eval_sheet(ws: &mut Worksheet, st: &Styles, out: &YearOutput, e: &Evaluation) -> Res {
    let mk = Marked::new(st);
    // 0 label | 1 一级 | 2 二级 | 3 三级 | 4 年度指标值 | 5 实际完成值 | 6 分值 | 7 得分 | 8 偏差
    let cols = Columns::units(&[9, 9, 9, 15, 11, 11, 6, 7, 17]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    let center = st.text_wrap.clone().set_align(FormatAlign::Center);
    let left = st.text_wrap.clone();
    let wan_fmt = st.money.clone().set_num_format("#,##0.0000");
    let head = st.header.clone();
    sh.title_rows(
        st,
        "项目支出绩效自评表",
        &format!(
            "（{}年度）　　{}",
            out.policy.year,
            style::made_on(out.run_date)
        ),
        false,
        TITLE_HEIGHTS,
    )?;
    let mut r = 2u32;
    sh.text(r, 0, "项目名称", &head)?;
    sh.merged(r, 1, 8, &e.project.name, &left)?;
    sh.fit(r, &[(3, &e.project.name)], 1)?;
    r += 1;
    sh.text(r, 0, "主管部门", &head)?;
    sh.merged(r, 1, 4, &e.project.department, &left)?;
    sh.text(r, 5, "实施单位", &head)?;
    sh.merged(r, 6, 8, &e.project.implementer, &left)?;
    sh.height(r, row_pixels(2))?;
    r += 1;
    // 项目资金（万元）: a head row and four lines.
    let funds_top = r;
    sh.text(r, 1, "", &head)?;
    for (c, h) in [
        (2u16, "年初预算数"),
        (3, "全年预算数"),
        (4, "全年执行数"),
        (5, "分值"),
        (6, "执行率"),
    ] {
        sh.text(r, c, h, &head)?;
    }
    sh.merged(r, 7, 8, "得分", &head)?;
    sh.height(r, row_pixels(2))?;
    r += 1;
    sh.text(r, 1, "年度资金总额", &center)?;
    sh.number(r, 2, wan(e.budget_initial), &wan_fmt)?;
    sh.number(r, 3, wan(e.budget_full), &wan_fmt)?;
    match e.executed {
        Some(v) => sh.number(r, 4, wan(v), &wan_fmt)?,
        None => sh.text(r, 4, "缺数据", &mk.text)?,
    }
    sh.count(r, 5, FUNDS_POINTS, &st.int_center)?;
    match (e.execution_rate, e.funds_score) {
        (Some(rate), Some(score)) => {
            sh.number(r, 6, rate, &st.pct)?;
            sh.ws.merge_range(r, 7, r, 8, "", &st.score)?;
            sh.number(r, 7, score, &st.score)?;
        }
        _ => {
            sh.text(r, 6, "缺数据", &mk.text)?;
            sh.merged(r, 7, 8, "缺数据", &mk.text)?;
        }
    }
    sh.height(r, row_pixels(2))?;
    r += 1;
    sh.text(r, 1, "其中：当年财政拨款", &center)?;
    sh.number(r, 2, wan(e.budget_initial), &wan_fmt)?;
    sh.number(r, 3, wan(e.budget_full), &wan_fmt)?;
    match e.executed {
        Some(v) => sh.number(r, 4, wan(v), &wan_fmt)?,
        None => sh.text(r, 4, "缺数据", &mk.text)?,
    }
    for c in 5..=6 {
        sh.text(r, c, "—", &center)?;
    }
    sh.merged(r, 7, 8, "—", &center)?;
    sh.height(r, row_pixels(2))?;
    r += 1;
    for label in ["上年结转资金", "其他资金"] {
        sh.text(r, 1, label, &center)?;
        for c in 2..=6 {
            sh.text(r, c, "—", &center)?;
        }
        sh.merged(r, 7, 8, "—", &center)?;
        sh.height(r, row_pixels(2))?;
        r += 1;
    }
    sh.ws
        .merge_range(funds_top, 0, r - 1, 0, "项目资金（万元）", &head)?;
    // 年度总体目标.
    let goal_top = r;
    sh.merged(r, 1, 4, "预期目标", &head)?;
    sh.merged(r, 5, 8, "实际完成情况", &head)?;
    r += 1;
    let goal = if e.project.goal.is_empty() {
        "（政策文件未写年度总体目标）".to_string()
    } else {
        e.project.goal.clone()
    };
    sh.merged(r, 1, 4, &goal, &left)?;
    sh.merged(r, 5, 8, &e.achieved, &left)?;
    let lines = crate::report::text::wrapped_lines(&goal, cols.span_px(1, 4)).max(
        crate::report::text::wrapped_lines(&e.achieved, cols.span_px(5, 8)),
    );
    sh.height(r, row_pixels(lines.max(3) + 1))?;
    sh.ws
        .merge_range(goal_top, 0, r, 0, "年度总体目标", &head)?;
    r += 1;
    // The indicators.
    let ind_top = r;
    for (c, h) in [
        (1u16, "一级指标"),
        (2, "二级指标"),
        (3, "三级指标"),
        (4, "年度指标值"),
        (5, "实际完成值"),
        (6, "分值"),
        (7, "得分"),
        (8, "偏差原因分析及改进措施"),
    ] {
        sh.text(r, c, h, &head)?;
    }
    sh.height(r, row_pixels(2))?;
    r += 1;
    let first_ind = r;
    for s in &e.rows {
        let ind = &s.indicator;
        sh.text(r, 1, &ind.level1, &center)?;
        sh.text(r, 2, &ind.level2, &center)?;
        sh.text(r, 3, &ind.level3, &left)?;
        sh.text(r, 4, &ind.target_shown(), &center)?;
        let whole = matches!(
            ind.measure,
            Measure::CasesPaid | Measure::MediatorsPaid | Measure::PostsFilled
        );
        match (s.actual, s.pending) {
            (Some(a), _) => {
                let base = if s.partial { &mk.money } else { &st.money };
                let f = unit_format(
                    &base.clone().set_align(FormatAlign::Center),
                    &ind.unit,
                    whole,
                );
                sh.number(r, 5, a, &f)?;
            }
            (None, Some(p)) => sh.text(r, 5, p.label(), &mk.text)?,
            (None, None) => sh.text(r, 5, "", &center)?,
        }
        sh.number(r, 6, ind.points, &st.int_center)?;
        match (s.score, s.pending) {
            (Some(v), _) => sh.number(r, 7, v, &st.score)?,
            (None, Some(p)) => sh.text(r, 7, p.label(), &mk.text)?,
            (None, None) => sh.text(r, 7, "", &center)?,
        }
        sh.text(r, 8, &s.deviation, &left)?;
        sh.fit(
            r,
            &[
                (1, &ind.level1),
                (2, &ind.level2),
                (3, &ind.level3),
                (4, &ind.target_shown()),
                (8, &s.deviation),
            ],
            2,
        )?;
        r += 1;
    }
    if e.rows.is_empty() {
        sh.merged(r, 1, 8, "（政策文件未设绩效指标）", &left)?;
        r += 1;
    }
    // Merge runs of the same level-1 / level-2 name.
    for col in [1u16, 2] {
        let mut start = first_ind;
        while start < r && !e.rows.is_empty() {
            let key = |i: u32| {
                let s = &e.rows[(i - first_ind) as usize].indicator;
                if col == 1 {
                    s.level1.clone()
                } else {
                    format!("{}|{}", s.level1, s.level2)
                }
            };
            let mut end = start;
            while end + 1 < r && key(end + 1) == key(start) {
                end += 1;
            }
            if end > start {
                let s = &e.rows[(start - first_ind) as usize].indicator;
                let name = if col == 1 { &s.level1 } else { &s.level2 };
                sh.ws.merge_range(start, col, end, col, name, &center)?;
            }
            start = end + 1;
        }
    }
    sh.ws.merge_range(ind_top, 0, r - 1, 0, "绩效指标", &head)?;
    // 总分.
    sh.merged(r, 0, 5, "总分", &head)?;
    sh.count(r, 6, 100, &st.total_int)?;
    sh.number(r, 7, e.total, &st.total_score)?;
    let pending = if e.pending_points.is_zero() {
        String::new()
    } else {
        format!(
            "另有 {} 分待评（待填、缺数据）",
            e.pending_points.normalize()
        )
    };
    if pending.is_empty() {
        sh.text(r, 8, "", &st.total_text)?;
    } else {
        sh.text(r, 8, &pending, &mk.text)?;
    }
    sh.fit(r, &[(8, &pending)], 2)?;
    r += 1;
    sh.merged(r, 0, 5, "自评等次", &head)?;
    let grade = match e.grade {
        Some(g) => g.to_string(),
        None => format!(
            "待定（{} 分待评；按已评部分为“{}”）",
            e.pending_points.normalize(),
            super::selfeval::grade(e.total)
        ),
    };
    sh.merged(r, 6, 8, &grade, &st.total_text)?;
    sh.height(r, row_pixels(2))?;
    r += 1;
    let rule = format!(
        "评分办法：项目资金 {FUNDS_POINTS} 分 × 执行率（最高 {FUNDS_POINTS} 分）；由 payrun 计算的指标达到年度指标值得满分，未达到的按 分值 × 实际完成值 ÷ 年度指标值（“不高于”类按 分值 × 年度指标值 ÷ 实际完成值）计，保留两位小数；“待填”由评价人员据实评分。等次：90 分及以上为优，80 分及以上为良，60 分及以上为中，60 分以下为差。"
    );
    sh.note(r, &rule, &st.note, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out)?;
    style::page_setup(sh.ws, Some((0, 1)), cols.total_px())
}

/// Writes 下年度分配建议_<year+1>.xlsx atomically.
pub fn write_allocation(out: &YearOutput, path: &Path) -> Result<(), String> {
    let mut wb = build_allocation(out).map_err(xe(path))?;
    style::save(&mut wb, path)
}

pub fn build_allocation(out: &YearOutput) -> Res<Workbook> {
    let st = Styles::new();
    let a = &out.allocation;
    let title = format!("{}年度分配建议", a.next_year);
    let mut wb = style::report_workbook(&title, out.run_date);
    let mut taken = Vec::new();
    let mut ws = Worksheet::new();
    allocation_sheet(&mut ws, &st, out)?;
    push(&mut wb, ws, SHEET_ALLOCATION, &mut taken)?;
    let mut ws = Worksheet::new();
    flags_sheet(&mut ws, &st, out)?;
    push(&mut wb, ws, SHEET_STAFF_FLAGS, &mut taken)?;
    Ok(wb)
}

fn allocation_sheet(ws: &mut Worksheet, st: &Styles, out: &YearOutput) -> Res {
    let a = &out.allocation;
    let y = out.policy.year;
    let heads: Vec<String> = vec![
        "序号".into(),
        "县（市、区）".into(),
        format!("{y}年限额"),
        format!("{y}年核准"),
        "超限额待定".into(),
        "需求合计".into(),
        "按需求测算".into(),
        "下限".into(),
        "上限".into(),
        format!("{}年建议限额", a.next_year),
        "增减额".into(),
        "增减幅度".into(),
        "备注".into(),
    ];
    let cols = Columns::units(&[5, 24, 12, 12, 11, 12, 12, 12, 12, 13, 11, 8, 30]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!("玉溪市{}年人民调解“一案一补”补贴限额分配建议", a.next_year),
        &info(out),
        true,
        TITLE_HEIGHTS,
    )?;
    let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    sh.header_fitted(2, &head_refs, &st.header, 2)?;
    let mut r = 3u32;
    let wrap = st.text_wrap.clone();
    for (n, l) in (1u64..).zip(&a.lines) {
        sh.count(r, 0, n, &st.center)?;
        sh.text(r, 1, &l.name, &st.text)?;
        sh.money(r, 2, l.cap, &st.money)?;
        sh.money(r, 3, l.approved, &st.money)?;
        sh.money(r, 4, l.held, &st.money)?;
        sh.money(r, 5, l.demand, &st.money)?;
        sh.money(r, 6, l.share, &st.money)?;
        sh.money(r, 7, l.lower, &st.money)?;
        sh.money(r, 8, l.upper, &st.money)?;
        sh.money(r, 9, l.proposed, &st.money)?;
        sh.money(r, 10, l.proposed - l.cap, &st.money)?;
        sh.number(
            r,
            11,
            super::execution::ratio(l.proposed - l.cap, l.cap),
            &st.pct,
        )?;
        sh.text(r, 12, &l.note, &wrap)?;
        sh.fit(r, &[(12, &l.note)], 1)?;
        r += 1;
    }
    let last_county = r.saturating_sub(1);
    let sum = |f: &dyn Fn(&super::allocation::Proposal) -> Decimal| -> Decimal {
        a.lines.iter().map(f).sum()
    };
    sh.text(r, 0, "", &st.total_label)?;
    sh.text(r, 1, "合计", &st.total_label)?;
    sh.money(r, 2, a.total, &st.total_money)?;
    sh.money(r, 3, sum(&|l| l.approved), &st.total_money)?;
    sh.money(r, 4, sum(&|l| l.held), &st.total_money)?;
    sh.money(r, 5, sum(&|l| l.demand), &st.total_money)?;
    sh.money(r, 6, sum(&|l| l.share), &st.total_money)?;
    sh.money(r, 7, sum(&|l| l.lower), &st.total_money)?;
    sh.money(r, 8, sum(&|l| l.upper), &st.total_money)?;
    sh.money(r, 9, a.proposed_total, &st.total_money)?;
    sh.money(r, 10, a.proposed_total - a.total, &st.total_money)?;
    sh.number(
        r,
        11,
        super::execution::ratio(a.proposed_total - a.total, a.total),
        &st.total_pct,
    )?;
    sh.text(r, 12, "", &st.total_label)?;
    r += 1;
    sh.text(r, 0, "", &st.total_label)?;
    sh.text(r, 1, "待分配", &st.total_label)?;
    for c in 2..=8 {
        sh.text(r, c, "", &st.total_label)?;
    }
    sh.money(r, 9, a.unallocated, &st.total_money)?;
    sh.text(r, 10, "", &st.total_label)?;
    sh.text(r, 11, "", &st.total_label)?;
    let why = if a.unallocated.is_sign_negative() {
        "各县下限之和超出本年总额，建议限额合计高于本年总额，请统筹"
    } else {
        "增减幅度限制后未分配的部分，由局统筹"
    };
    sh.text(r, 12, why, &st.total_text)?;
    sh.fit(r, &[(12, why)], 1)?;
    r += 1;
    sh.line(
        r,
        &format!(
            "建议限额合计（大写）：{}　　待分配（大写）：{}",
            format_daxie(a.proposed_total),
            format_daxie(a.unallocated.abs())
        ),
        &st.daxie,
        row_pixels(1),
    )?;
    r += 1;
    let pct = (a.bound * Decimal::from(100)).normalize();
    let note = format!(
        "测算办法（政策文件中的下年度限额分配办法）：{y}年限额总额 {} 元按各县需求（两期核准 + 超限额待定）占全市需求的比例分配，每县增减不超过现限额的 {pct}%（下限向上、上限向下取整到 {} 元），结果按 {} 元向下取整；建议限额合计与本年总额之差列为待分配。本年无核准案件的县按下限保留；建议限额低于本年核准额的在备注中提示。协勤人员定额不变（玉司发〔2014〕67号）。建议已写入同一文件夹的 policy-{}-草案.toml，经审定后可作为政策文件使用。",
        crate::money::plain(a.total),
        crate::money::plain(a.round_to),
        crate::money::plain(a.round_to),
        a.next_year
    );
    sh.note(r, &note, &st.note, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out)?;
    sh.finish(2, Some(last_county), (2, 2))
}

fn flags_sheet(ws: &mut Worksheet, st: &Styles, out: &YearOutput) -> Res {
    let a = &out.allocation;
    const HEAD: [&str; 7] = [
        "序号",
        "县（市、区）",
        "关注事项",
        "定额（人）",
        "下达人数",
        "空岗人数",
        "绩效得分",
    ];
    let cols = Columns::units(&[5, 24, 28, 9, 9, 9, 9]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!(
            "{}年社区矫正协勤人员经费关注事项（{}年定额不变）",
            out.policy.year, a.next_year
        ),
        &info(out),
        false,
        TITLE_HEIGHTS,
    )?;
    sh.header_fitted(2, &HEAD, &st.header, 2)?;
    let mut r = 3u32;
    let mut n = 0u64;
    let mut item = |sh: &mut Sheet, r: u32, f: &super::allocation::StaffFlag, what: &str| -> Res {
        n += 1;
        sh.count(r, 0, n, &st.center)?;
        sh.text(r, 1, &f.name, &st.text)?;
        sh.text(r, 2, what, &st.text_wrap)?;
        sh.count(r, 3, f.quota, &st.int)?;
        sh.count(r, 4, f.posts_allocated, &st.int)?;
        sh.count(r, 5, f.quota.saturating_sub(f.posts_allocated), &st.int)?;
        sh.number(r, 6, f.score, &st.score)
    };
    for f in &a.poor {
        item(&mut sh, r, f, &format!("绩效评价等次为“{}”", f.grade))?;
        r += 1;
    }
    for f in &a.vacant {
        item(&mut sh, r, f, "全年有岗位空缺（下达人数低于定额）")?;
        r += 1;
    }
    let last = r.saturating_sub(1).max(3);
    let text = if !a.staff_known {
        format!(
            "未找到{}年协勤经费审核结果，无法列出绩效为差和岗位空缺的县（市、区）。",
            out.policy.year
        )
    } else if a.poor.is_empty() && a.vacant.is_empty() {
        "本年度没有绩效评价为差或全年岗位空缺的县（市、区）。".to_string()
    } else {
        "以上县（市、区）请局审定时关注；协勤人员定额按玉司发〔2014〕67号不变。".to_string()
    };
    let f = if a.staff_known {
        st.note.clone()
    } else {
        Marked::new(st).text
    };
    sh.note(r, &text, &f, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out)?;
    sh.finish(2, Some(last), (2, 2))
}
