//! 代发汇总_<period>.xlsx (SPEC §12.2): per county and bank the number of lines, the amount and
//! the file; per county the 待补账号 lines no file holds and the subtotal, which equals the
//! 发放表's; a second sheet lists the 待补账号 lines to chase.

use std::path::Path;

use rust_decimal::Decimal;
use rust_xlsxwriter::{IgnoreError, Worksheet, XlsxError};

use super::batch::{BATCH_DIR, BatchFile, BatchPlan, CountyBatches};
use crate::cell::format_daxie;
use crate::mediation::RunOutput;
use crate::money::fen;
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::{self, NO_ACCOUNT, NO_BANK, Styles, file_component};
use crate::report::text::{column_pixels, display_width, row_pixels};

/// The summary's file name.
pub fn file_name(period: &str) -> String {
    format!("代发汇总_{}.xlsx", file_component(period))
}

/// A file as the summary names it, relative to 代发/ and with `/` on every system (the same
/// workbook on Windows and Linux).
fn shown_path(cb: &CountyBatches, f: &BatchFile) -> String {
    format!("{}/{}", cb.folder, f.file_name)
}

fn title_period(out: &RunOutput) -> String {
    let name = if out.period.def.name.trim().is_empty() {
        out.period.def.id.clone()
    } else {
        out.period.def.name.clone()
    };
    format!("{}年{name}", out.policy.year)
}

/// Writes `<dir>/代发/代发汇总_<period>.xlsx` atomically.
pub fn write_summary(out: &RunOutput, plan: &BatchPlan, dir: &Path) -> Result<(), String> {
    let path = dir.join(BATCH_DIR).join(file_name(&out.period.label));
    let err = |e: XlsxError| format!("生成 {} 失败：{e}", path.display());
    let st = Styles::new();
    let mut wb = style::report_workbook(
        &format!("人民调解“一案一补”补贴代发汇总 {}", out.period.label),
        out.period.run_date,
    );
    {
        let ws = wb.add_worksheet();
        ws.set_name("代发汇总").map_err(err)?;
        summary_sheet(ws, &st, out, plan).map_err(err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(NO_ACCOUNT).map_err(err)?;
        missing_sheet(ws, &st, out, plan).map_err(err)?;
    }
    style::save(&mut wb, &path)
}

fn info_line(out: &RunOutput) -> String {
    format!(
        "发放期间：{}　　制表日期：{}",
        out.period.label,
        style::cn_date(out.period.run_date)
    )
}

fn summary_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    out: &RunOutput,
    plan: &BatchPlan,
) -> Result<(), XlsxError> {
    const HEAD: [&str; 7] = [
        "序号",
        "县（市、区）",
        "代发银行",
        "代发文件",
        "笔数",
        "金额",
        "备注",
    ];
    let file_w = plan
        .counties
        .iter()
        .flat_map(|cb| cb.files.iter().map(move |f| shown_path(cb, f)))
        .map(|p| display_width(&p))
        .max()
        .unwrap_or(20);
    let name_w = plan
        .counties
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(8);
    let cols = Columns::pixels(vec![
        column_pixels(6, 6, 6),
        column_pixels(name_w + 2, 14, 26),
        column_pixels(18, 18, 18),
        column_pixels(file_w + 2, 30, 60),
        column_pixels(8, 8, 8),
        column_pixels(16, 16, 18),
        column_pixels(24, 24, 24),
    ]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!(
            "玉溪市{}人民调解“一案一补”补贴代发汇总表",
            title_period(out)
        ),
        &info_line(out),
        true,
        (30.0, 18.0),
    )?;
    sh.header(2, &HEAD, &st.header)?;
    sh.height(2, 30)?;
    let mut row = 3u32;
    let mut n = 1u32;
    let (mut lines, mut amount) = (0usize, Decimal::ZERO);
    for cb in &plan.counties {
        for f in &cb.files {
            sh.count(row, 0, n, &st.center)?;
            sh.text(row, 1, &cb.name, &st.text)?;
            sh.text(row, 2, &f.bank, &st.text)?;
            sh.text(row, 3, &shown_path(cb, f), &st.text)?;
            sh.count(row, 4, f.lines.len(), &st.int)?;
            sh.money(row, 5, f.amount, &st.money)?;
            let remark = if f.profile.is_none() {
                "无对应代发格式，请按开户银行办理"
            } else {
                ""
            };
            sh.text(row, 6, remark, &st.text_wrap)?;
            sh.fit(row, &[(6, remark)], 1)?;
            row += 1;
            n += 1;
        }
        if !cb.missing.is_empty() {
            sh.count(row, 0, n, &st.center)?;
            sh.text(row, 1, &cb.name, &st.text)?;
            sh.text(row, 2, NO_ACCOUNT, &st.text)?;
            sh.text(row, 3, "（不在任何代发文件中）", &st.text)?;
            sh.count(row, 4, cb.missing.len(), &st.int)?;
            sh.money(row, 5, cb.missing_amount(), &st.money)?;
            sh.text(row, 6, "补齐账号后再发放", &st.text_wrap)?;
            sh.height(row, row_pixels(1))?;
            row += 1;
            n += 1;
        }
        let county_lines = cb.payroll_lines;
        sh.merged(row, 0, 3, &format!("{}小计", cb.name), &st.total_center)?;
        sh.count(row, 4, county_lines, &st.total_int)?;
        sh.money(row, 5, cb.subtotal, &st.total_money)?;
        sh.text(row, 6, "等于发放表小计", &st.total_label)?;
        sh.height(row, row_pixels(1))?;
        row += 1;
        lines += county_lines;
        amount += cb.subtotal;
    }
    sh.merged(row, 0, 3, "合计", &st.total_center)?;
    sh.count(row, 4, lines, &st.total_int)?;
    sh.money(row, 5, fen(amount), &st.total_money)?;
    sh.blank(row, 6, &st.total_label)?;
    sh.height(row, row_pixels(1))?;
    row += 1;
    sh.line(
        row,
        &format!("合计金额（大写）：{}", format_daxie(fen(amount))),
        &st.daxie,
        row_pixels(1),
    )?;
    row += 2;
    sh.line(
        row,
        &style::sign_off(out.period.run_date),
        &st.sign_line,
        28,
    )?;
    sh.finish(2, None, (0, 2))
}

fn missing_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    out: &RunOutput,
    plan: &BatchPlan,
) -> Result<(), XlsxError> {
    const HEAD: [&str; 8] = [
        "序号",
        "县（市、区）",
        "司法所",
        "调解员",
        "身份证号码",
        "开户银行",
        "金额",
        "备注",
    ];
    let cols = Columns::pixels(vec![
        column_pixels(6, 6, 6),
        column_pixels(16, 16, 26),
        column_pixels(16, 16, 24),
        column_pixels(10, 10, 14),
        column_pixels(20, 20, 20),
        column_pixels(18, 18, 28),
        column_pixels(14, 14, 16),
        column_pixels(28, 28, 36),
    ]);
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, &cols);
    sh.title_rows(
        st,
        &format!("{}待补账号名单", title_period(out)),
        &info_line(out),
        true,
        (30.0, 18.0),
    )?;
    sh.header(2, &HEAD, &st.header)?;
    sh.height(2, 30)?;
    let mut row = 3u32;
    for cb in &plan.counties {
        for l in &cb.missing {
            let bank = l.bank.as_deref().unwrap_or(NO_BANK);
            let remark = l.remarks.join("；");
            sh.count(row, 0, row - 2, &st.center)?;
            sh.text(row, 1, &cb.name, &st.text)?;
            sh.text(row, 2, &l.office, &st.text_wrap)?;
            sh.text(row, 3, &l.mediator, &st.text_wrap)?;
            sh.text(row, 4, &l.id_number, &st.id_text)?;
            sh.text(row, 5, bank, &st.text_wrap)?;
            sh.money(row, 6, l.amount, &st.money)?;
            sh.text(row, 7, &remark, &st.text_wrap)?;
            sh.fit(
                row,
                &[
                    (2, l.office.as_str()),
                    (3, &l.mediator),
                    (5, bank),
                    (7, &remark),
                ],
                1,
            )?;
            row += 1;
        }
    }
    if row > 3 {
        sh.ws
            .ignore_error_range(3, 4, row - 1, 4, IgnoreError::NumberStoredAsText)?;
    } else {
        sh.line(3, "本期没有待补账号的发放行。", &st.note, row_pixels(1))?;
    }
    sh.finish(2, None, (0, 2))
}
