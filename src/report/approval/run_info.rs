//! 运行信息, the last sheet of 审批汇总表: the policy (name, source, SHA-256, year, how caps
//! apply), the period and run date, the program version, and every input file with its format,
//! size, SHA-256, status, data rows and sheets.

use rust_xlsxwriter::Worksheet;

use super::{
    Col, Ctx, HEADER, Res, columns, fit_px, half_name, header_row, last_col, over_cap_text,
    period_range, title_rows,
};
use crate::report::sheet::Sheet;
use crate::report::style;

const RUN_FILE_COLS: &[Col] = &[
    Col("文件", 36.0),
    Col("格式", 7.0),
    Col("大小（字节）", 13.0),
    Col("SHA-256", 66.0),
    Col("状态", 7.0),
    Col("数据行数", 9.0),
    Col("工作表", 34.0),
];

fn format_name(f: Option<crate::ingest::Format>) -> &'static str {
    use crate::ingest::Format;
    match f {
        Some(Format::Xlsx) => "xlsx",
        Some(Format::Xlsb) => "xlsb",
        Some(Format::Xls) => "xls",
        Some(Format::Ods) => "ods",
        None => "无法识别",
    }
}

pub(super) fn sheet(cx: &Ctx) -> Res<Worksheet> {
    let out = cx.out;
    let st = &cx.st;
    let mut ws = Worksheet::new();
    let cols = columns(RUN_FILE_COLS);
    cols.apply(&mut ws)?;
    let mut sh = Sheet::new(&mut ws, &cols);
    let lc = last_col(RUN_FILE_COLS);
    title_rows(
        cx,
        &mut sh,
        &format!("{}审核运行信息", cx.prefix),
        lc,
        false,
    )?;
    let p = &out.policy;
    let data_rows: usize = out.files.iter().map(|f| f.data_rows).sum();
    let mut items: Vec<(&str, String)> = vec![
        ("政策名称", p.name.clone()),
        ("政策来源", p.source.clone()),
        ("政策 SHA-256", p.sha256.clone()),
        ("政策年度", format!("{} 年", p.year)),
        ("超限额处理", over_cap_text(p.over_cap).to_string()),
        (
            "发放期间",
            format!("{}（{}）", out.period.label, half_name(out)),
        ),
        ("期间起止", period_range(out)),
        ("发放截止日期", style::cn_date(out.period.def.pay_by)),
        ("制表日期", style::cn_date(out.period.run_date)),
        ("程序版本", format!("payrun {}", out.program_version)),
        (
            "输入文件",
            format!(
                "{} 个（读取有误 {} 个）",
                out.files.len(),
                out.files.iter().filter(|f| !f.ok()).count()
            ),
        ),
        ("已审核数据行", format!("{data_rows} 行")),
    ];
    if out.without_ledger {
        items.push((
            "台账",
            "未使用台账（--without-ledger）：按本年度以前期间未发放任何补贴计算限额，无法识别以前期间已发放的案件".to_string(),
        ));
    }
    let mut r = HEADER;
    sh.text(r, 0, "项目", &st.header)?;
    sh.merged(r, 1, lc, "内容", &st.header)?;
    r += 1;
    for (k, v) in items {
        sh.text(r, 0, k, &st.total_label)?;
        sh.merged(r, 1, lc, &v, &st.text)?;
        r += 1;
    }
    r += 1;
    sh.merged(r, 0, lc, "输入文件", &st.sign)?;
    r += 1;
    let head = r;
    header_row(&mut sh, st, head, RUN_FILE_COLS)?;
    sh.ws.set_row_height(head, 20)?;
    r += 1;
    if out.files.is_empty() {
        sh.merged(r, 0, lc, "本次没有输入文件", &st.text)?;
        r += 1;
    }
    for f in &out.files {
        sh.text(r, 0, &f.path, &st.text_wrap)?;
        sh.text(r, 1, format_name(f.format), &st.center)?;
        sh.count(r, 2, f.bytes, &st.int_sep)?;
        sh.text(r, 3, &f.sha256, &st.text)?;
        if f.ok() {
            sh.text(r, 4, "正常", &st.center)?;
        } else {
            sh.text(r, 4, "错误", &st.bad)?;
        }
        sh.count(r, 5, f.data_rows, &st.int)?;
        let sheets: Vec<String> = f
            .sheets
            .iter()
            .map(|s| {
                let hidden = if s.hidden { "（隐藏）" } else { "" };
                let what = match (&s.problem, s.is_claim) {
                    (Some((code, _)), _) => format!("未审核（{}）", code.label()),
                    (None, true) => format!("{} 行", s.data_rows),
                    (None, false) => "非申报表".to_string(),
                };
                format!("{}{hidden}：{what}", s.name)
            })
            .collect();
        let sheets = sheets.join("\n");
        sh.text(r, 6, &sheets, &st.text_wrap)?;
        if let Some(px) = fit_px(&cols, &[(0, &f.path), (6, &sheets)]) {
            sh.height(r, px)?;
        }
        r += 1;
    }
    let last = r.saturating_sub(1).max(head);
    sh.finish(head, Some(last), (head, head))?;
    Ok(ws)
}
