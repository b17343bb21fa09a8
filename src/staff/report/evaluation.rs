//! 绩效评价表_<year>.xlsx: 绩效评价 (per county: 定额, 核准在岗人数, 岗位到位率, 下达金额,
//! 核准市级补助, 资金执行率, 报送行数, 不予补助行数, 文件问题, 问题占比, 得分, 等次; 全市; the
//! scoring rule; two column charts) and 问题清单 (one line per finding and file problem, county
//! by county).

use std::path::Path;

use rust_xlsxwriter::{ChartLegendPosition, IgnoreError, Workbook, Worksheet};

use super::{
    ISSUER, MAX_TABLE_ROWS, Res, SHEET_PERFORMANCE, SHEET_PROBLEMS, SheetFn, county_name_width,
    n64, prefix, shown, sign_row, table, workbook, xe,
};
use crate::codes::Severity;
use crate::county::CountyCode;
use crate::form::Outcome;
use crate::ingest::header::StaffField;
use crate::report::sheet::{Columns, Sheet, column_chart};
use crate::report::style::{self, Styles};
use crate::report::text::row_pixels;
use crate::staff::rules::StaffDecision;
use crate::staff::{CountyStaff, StaffOutput};

/// Writes 绩效评价表_<year>.xlsx atomically.
pub fn write_performance(out: &StaffOutput, path: &Path) -> Result<(), String> {
    let mut wb = build_performance(out).map_err(xe(path))?;
    style::save(&mut wb, path)
}

pub fn build_performance(out: &StaffOutput) -> Res<Workbook> {
    workbook(
        out,
        &format!("{}绩效评价表", prefix(out)),
        &[
            (SHEET_PERFORMANCE, performance_sheet as SheetFn),
            (SHEET_CHARTS, charts_sheet as SheetFn),
            (SHEET_PROBLEMS, problems_sheet as SheetFn),
        ],
    )
}

/// The charts' own sheet: on the evaluation table's sheet they printed under its repeated
/// header rows, an empty table head over each chart.
const SHEET_CHARTS: &str = "评价图表";

fn performance_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
    const HEAD: [&str; 14] = [
        "序号",
        "县（市、区）",
        "定额（人）",
        "核准在岗人数",
        "岗位到位率",
        "下达金额",
        "核准市级补助",
        "资金执行率",
        "报送行数",
        "不予补助行数",
        "文件问题",
        "问题占比",
        "得分",
        "等次",
    ];
    let name_w = county_name_width(out);
    let cols = Columns::units(&[5, name_w + 2, 7, 8, 9, 14, 14, 9, 7, 8, 7, 9, 8, 6]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}绩效评价表", prefix(out)),
        &format!(
            "评价单位：{ISSUER}　　评价年度：{}年　　{}",
            out.year,
            style::made_on(out.run_date)
        ),
        true,
        &HEAD,
    )?;
    let first = 3u32;
    let mut r = first;
    for (n, c) in (1u64..).zip(&out.counties) {
        sh.count(r, 0, n, &st.center)?;
        perf_row(&mut sh, st, r, c, false)?;
        r += 1;
    }
    let last_county = r.saturating_sub(1);
    sh.merged(r, 0, 0, "", &st.total_label)?;
    sh.text(r, 1, "全市", &st.total_label)?;
    perf_row(&mut sh, st, r, &out.totals, true)?;
    r += 1;
    let notes = format!(
        "评分办法（满分 100 分）：得分 = 40 × 岗位到位率 + 40 × 资金执行率 + 20 × （1 − 问题占比），四舍五入保留两位小数。岗位到位率 = 下达人数 ÷ 定额（下达人数为核准在岗人数与定额中的较小者）；资金执行率 = 核准市级补助 ÷ 下达金额（下达金额为 0 时按 0 计）；问题占比 =（不予补助行数 + 文件问题个数）÷（报送行数 + 文件问题个数），未报送的按 1 计。等次：90 分及以上为优，80 分及以上为良，60 分及以上为中，60 分以下为差。报送行数含本县表中县（市、区）一栏无法识别的行；文件问题按文件所属县（市、区）归属{}。问题明细见“问题清单”表，图表见“评价图表”表。",
        if out.unattributed_file_problems > 0 {
            format!(
                "，另有 {} 个文件问题无法确定所属县（市、区），只计入全市",
                out.unattributed_file_problems
            )
        } else {
            String::new()
        }
    );
    sh.note(r, &notes, &st.note, 1)?;
    r += 2;
    sign_row(&mut sh, st, r, out.run_date)?;

    sh.finish(2, Some(last_county), (0, 2))
}

/// 评价图表: the figures the charts show (county by its short name, so nine labels fit under
/// the columns side by side), then the two column charts under them.
fn charts_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
    const HEAD: [&str; 4] = ["县（市、区）", "岗位到位率", "资金执行率", "得分"];
    let cols = Columns::units(&[16, 12, 12, 10, 40, 50]);
    let mut sh = table(
        ws,
        st,
        &cols,
        &format!("{}绩效评价图表", prefix(out)),
        &format!(
            "评价单位：{ISSUER}　　评价年度：{}年　　{}",
            out.year,
            style::made_on(out.run_date)
        ),
        false,
        &HEAD,
    )?;
    let first = 3u32;
    let mut r = first;
    for c in &out.counties {
        sh.text(r, 0, &short_name(out, c), &st.text)?;
        sh.number(r, 1, c.fill_rate, &st.pct)?;
        sh.number(r, 2, c.execution_rate, &st.pct)?;
        sh.number(r, 3, c.score, &st.score)?;
        r += 1;
    }
    let last_county = r.saturating_sub(1);
    r += 1;
    if last_county >= first {
        let rows = (first, last_county);
        // Side by side under the figures, so the sheet prints on one page.
        let width = cols.total_px().saturating_sub(30) / 2;
        let mut rates = column_chart(
            "各县（市、区）岗位到位率与资金执行率",
            SHEET_CHARTS,
            rows,
            0,
            &[("岗位到位率", 1), ("资金执行率", 2)],
        );
        rates
            .y_axis()
            .set_num_format("0%")
            .set_min(0u8)
            .set_max(1u8);
        rates.legend().set_position(ChartLegendPosition::Bottom);
        rates.set_width(width).set_height(320);
        sh.ws.insert_chart_with_offset(r, 0, &rates, 10, 0)?;

        let mut scores = column_chart(
            "各县（市、区）绩效得分",
            SHEET_CHARTS,
            rows,
            0,
            &[("得分", 3)],
        );
        scores
            .y_axis()
            .set_num_format("0")
            .set_min(0u8)
            .set_max(100u8);
        scores.legend().set_hidden();
        scores.set_width(width).set_height(320);
        sh.ws
            .insert_chart_with_offset(r, 0, &scores, width + 20, 0)?;
    }
    // No repeated rows: the sheet is one page, the charts under the figures.
    crate::report::style::page_setup(sh.ws, None, cols.total_px())
}

/// A county's name as a chart label: the shortest of its aliases ending in 县, 区 or 市 like
/// the name does (元江哈尼族彝族傣族自治县 → 元江县), else the name.
fn short_name(out: &StaffOutput, c: &CountyStaff) -> String {
    let last = c.name.chars().last();
    out.policy
        .counties
        .iter()
        .find(|d| Some(&d.code) == c.code.as_ref())
        .and_then(|d| {
            d.aliases
                .iter()
                .filter(|a| a.chars().count() < c.name.chars().count() && a.chars().last() == last)
                .min_by_key(|a| a.chars().count())
        })
        .cloned()
        .unwrap_or_else(|| c.name.clone())
}

fn perf_row(sh: &mut Sheet, st: &Styles, r: u32, c: &CountyStaff, total: bool) -> Res {
    let (t, i, m, p, s) = if total {
        (
            &st.total_label,
            &st.total_int,
            &st.total_money,
            &st.total_pct,
            &st.total_score,
        )
    } else {
        (&st.text, &st.int, &st.money, &st.pct, &st.score)
    };
    if !total {
        sh.text(r, 1, &c.name, t)?;
    }
    sh.count(r, 2, u64::from(c.quota), i)?;
    sh.count(r, 3, n64(c.in_post), i)?;
    sh.number(r, 4, c.fill_rate, p)?;
    sh.money(r, 5, c.allocated_amount, m)?;
    sh.money(r, 6, c.approved_amount, m)?;
    sh.number(r, 7, c.execution_rate, p)?;
    sh.count(r, 8, n64(c.rows_sent), i)?;
    sh.count(r, 9, n64(c.problem_rows), i)?;
    sh.count(r, 10, n64(c.file_problems), i)?;
    sh.number(r, 11, c.problem_share, p)?;
    sh.number(r, 12, c.score, s)?;
    let g = if total { &st.total_center } else { &st.center };
    sh.text(r, 13, c.grade, g)?;
    sh.height(r, row_pixels(1))?;
    Ok(())
}

fn category(d: &StaffDecision, sev: Severity) -> &'static str {
    match (sev, d.outcome) {
        (Severity::Warning, _) => "提醒",
        (_, Outcome::Held) => "超额度待定",
        _ => "不予补助",
    }
}

fn problems_sheet(ws: &mut Worksheet, st: &Styles, out: &StaffOutput) -> Res {
    const HEAD: [&str; 10] = [
        "序号",
        "县（市、区）",
        "类别",
        "姓名",
        "身份证号码",
        "问题",
        "单元格",
        "问题说明",
        "来源（文件｜工作表｜行）",
        "代码",
    ];
    let last: u16 = 9;
    let cols = Columns::units(&[5, 12, 10, 8, 19, 16, 7, 46, 26, 18]);
    let n_issues: usize = out.decisions.iter().map(|d| d.issues.len()).sum();
    let n_files: usize = out.files.iter().map(|f| f.problems().len()).sum();
    let info = format!(
        "{}　　发现问题 {} 个（数据行 {} 个，其中不予补助 {} 行；文件问题 {} 个）",
        style::made_on(out.run_date),
        n_issues + n_files,
        n_issues,
        out.totals.rejected_rows,
        n_files
    );
    let title = format!("{}绩效评价问题清单", prefix(out));
    let mut sh = table(ws, st, &cols, &title, &info, false, &HEAD)?;
    let mut r = 3u32;
    let mut seq = 0u64;
    // County by county (policy order, then rows no county owns), rows then file problems.
    let mut owners: Vec<Option<&CountyCode>> =
        out.counties.iter().map(|c| c.code.as_ref()).collect();
    owners.push(None);
    'outer: for owner in owners {
        let name = match owner {
            Some(c) => out.county_name(Some(c)),
            None => "未能归属".to_string(),
        };
        for (row, d) in out.rows.iter().zip(&out.decisions) {
            if row.owner() != owner {
                continue;
            }
            for i in &d.issues {
                if r >= MAX_TABLE_ROWS {
                    sh.merged(
                        r,
                        0,
                        last,
                        "以下问题超出工作表行数上限，未列出，见 decisions.csv",
                        &st.text,
                    )?;
                    break 'outer;
                }
                seq += 1;
                let sev = i.code.severity();
                sh.count(r, 0, seq, &st.center)?;
                sh.text(r, 1, &name, &st.text)?;
                let cat = category(d, sev);
                let f = match sev {
                    Severity::Warning => &st.center,
                    Severity::Hold => &st.held,
                    Severity::Reject => &st.bad,
                };
                sh.text(r, 2, cat, f)?;
                let person = shown(&row.name, row, StaffField::Name);
                sh.text(r, 3, &person, &st.text_wrap)?;
                let id = shown(&row.id_number, row, StaffField::IdNumber);
                sh.text(r, 4, &id, &st.id_text)?;
                sh.text(r, 5, i.code.label(), &st.text_wrap)?;
                sh.text(r, 6, i.cell.as_deref().unwrap_or(""), &st.center)?;
                sh.text(r, 7, &i.message, &st.text_wrap)?;
                let src = row.origin.place();
                sh.text(r, 8, &src, &st.id_wrap)?;
                sh.text(r, 9, i.code.as_str(), &st.text_wrap)?;
                sh.fit(
                    r,
                    &[
                        (3, &person),
                        (5, i.code.label()),
                        (7, &i.message),
                        (8, &src),
                        (9, i.code.as_str()),
                    ],
                    1,
                )?;
                r += 1;
            }
        }
        for f in &out.files {
            for (code, msg, sheet) in f.problems() {
                if out.file_county(f, sheet).as_ref() != owner {
                    continue;
                }
                if r >= MAX_TABLE_ROWS {
                    break 'outer;
                }
                seq += 1;
                sh.count(r, 0, seq, &st.center)?;
                sh.text(r, 1, &name, &st.text)?;
                sh.text(r, 2, "文件问题", &st.bad)?;
                sh.blank(r, 3, &st.text)?;
                sh.blank(r, 4, &st.text)?;
                sh.text(r, 5, code.label(), &st.text_wrap)?;
                sh.blank(r, 6, &st.text)?;
                sh.text(r, 7, &msg, &st.text_wrap)?;
                let src = match sheet {
                    Some(s) => format!("{}｜{s}", f.path),
                    None => f.path.clone(),
                };
                sh.text(r, 8, &src, &st.id_wrap)?;
                sh.text(r, 9, code.as_str(), &st.text_wrap)?;
                sh.fit(
                    r,
                    &[(5, code.label()), (7, &msg), (8, &src), (9, code.as_str())],
                    1,
                )?;
                r += 1;
            }
        }
    }
    let last_data = r.saturating_sub(1).max(2);
    if seq == 0 {
        sh.merged(r, 0, last, "本次审核没有发现问题", &st.text)?;
    } else {
        sh.ws
            .ignore_error_range(3, 4, last_data, 4, IgnoreError::NumberStoredAsText)?;
    }
    sh.finish(2, Some(last_data), (0, 2))
}
