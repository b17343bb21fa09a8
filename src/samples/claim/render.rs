//! The claim workbooks of the samples in their four shapes (see the module above): the title and
//! 填报单位 lines, the header, the data rows in each county's own spellings, 合计, 填表说明 and
//! sign-off, column widths from the content, print setup; shape D's dropdowns, instruction sheet
//! and hidden helper sheet.

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DocProperties, Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError,
};

use super::SampleRow;
use super::county::{CountyModel, Shape};
use super::faults::Fault;
use super::flavor::DISPUTES;
use super::rows::{AmountCell, DateCell, FileSpec, IdCell, Period, Row};
use crate::policy::Form;
use crate::samples::sheet::{
    SheetFormats, col_of, excel_date, header_rows, merge_runs, merged_line, print_a4_landscape,
    split_line, sum_formula, title_row, total_row, write_str_or_blank,
};
use crate::samples::written::cn_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Seq,
    County,
    Station,
    Committee,
    CaseNo,
    Dispute,
    Level,
    Accepted,
    Concluded,
    Result,
    Form,
    Dossier,
    Mediator,
    Id,
    Bank,
    Account,
    Amount,
    StationReview,
    CountyReview,
    Note,
    Phone,
}

fn columns(shape: Shape) -> Vec<(Col, &'static str)> {
    use Col::*;
    match shape {
        Shape::A => vec![
            (Seq, "序号"),
            (County, "县（市、区）"),
            (Station, "司法所"),
            (Committee, "人民调解委员会"),
            (CaseNo, "案件编号"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Accepted, "受理日期"),
            (Concluded, "结案日期"),
            (Result, "调解结果"),
            (Form, "协议形式"),
            (Dossier, "卷宗规范"),
            (Mediator, "调解员"),
            (Id, "身份证\n号码"),
            (Bank, "开户银行"),
            (Account, "银行账号"),
            (Amount, "申报金额"),
            (StationReview, "司法所初审"),
            (CountyReview, "县级审核"),
            (Note, "备注"),
        ],
        Shape::B => vec![
            (Seq, "序号"),
            (Station, "司法所"),
            (Committee, "调委会"),
            (CaseNo, "卷宗编号"),
            (Mediator, "调解员"),
            (Id, "身份证号"),
            (Phone, "联系电话"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Form, "协议形式"),
            (Result, "调解结果"),
            (Accepted, "受理日期"),
            (Concluded, "调结日期"),
            (Dossier, "卷宗规范"),
            (Amount, "申报金额"),
            (Bank, "开户行"),
            (Account, "账号"),
            (StationReview, "司法所初审"),
            (CountyReview, "县级审核"),
            (Note, "备注"),
        ],
        Shape::C => vec![
            (Seq, "序号"),
            (County, "县（市、区）"),
            (Station, "司法所"),
            (Committee, "人民调解委员会"),
            (Mediator, "调解员"),
            (Id, "身份证\n号码"),
            (CaseNo, "案件编号"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Form, "协议形式"),
            (Accepted, "受理日期"),
            (Concluded, "结案日期"),
            (Result, "调解结果"),
            (Dossier, "卷宗规范"),
            (Amount, "申报金额"),
            (Bank, "开户银行"),
            (Account, "银行账号"),
            (StationReview, "司法所初审"),
            (CountyReview, "县级审核"),
            (Note, "备注"),
        ],
        Shape::D => vec![
            (Seq, "序号"),
            (County, "县（市、区）"),
            (Station, "司法所"),
            (Committee, "人民调解委员会"),
            (CaseNo, "案件编号"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Form, "协议形式"),
            (Accepted, "受理日期"),
            (Concluded, "结案日期"),
            (Result, "调解结果"),
            (Dossier, "卷宗规范"),
            (Mediator, "调解员"),
            (Id, "身份证号码"),
            (Bank, "开户银行"),
            (Account, "银行账号"),
            (Amount, "申报金额"),
            (StationReview, "司法所初审意见"),
            (CountyReview, "县级审核意见"),
            (Note, "备注"),
        ],
    }
}

/// Display width of a text in Excel character units (CJK counts double).
fn text_width(s: &str) -> f64 {
    s.lines()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 1.8 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// The 宋体 of the sheets: shape D's 填表说明 sheet uses it too.
const FONT: &str = "宋体";

fn formats(county: &CountyModel) -> SheetFormats {
    SheetFormats::new(
        matches!(county.shape, Shape::B | Shape::D),
        county.date_format,
    )
}

struct SheetCtx<'a> {
    county: &'a CountyModel,
    period: &'a Period,
    file: FileSpec,
    file_name: &'a str,
    /// Set for shape D: the 司法所 this sheet belongs to.
    station: Option<usize>,
}

fn period_label(period: &Period, file: FileSpec) -> String {
    match file.quarter {
        Some(q) => format!("{}年第{q}季度", period.year),
        None if period.half == 1 => format!("{}年上半年", period.year),
        None => format!("{}年下半年", period.year),
    }
}

fn write_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &DateCell,
    f: &SheetFormats,
) -> Result<(), XlsxError> {
    match cell {
        DateCell::Date(d) => {
            ws.write_date_with_format(row, col, &excel_date(*d)?, &f.date)?;
        }
        DateCell::Text(t) => {
            ws.write_string_with_format(row, col, t, &f.center)?;
        }
        DateCell::Blank => {
            ws.write_blank(row, col, &f.center)?;
        }
    }
    Ok(())
}

/// Writes one claim sheet: title, 填报单位 line, header, data, 合计, notes and sign-off.
fn write_claim_sheet(
    ws: &mut Worksheet,
    ctx: &SheetCtx,
    rows: &[&Row],
    f: &SheetFormats,
    plan: &mut Vec<SampleRow>,
) -> Result<(), XlsxError> {
    let county = ctx.county;
    let shape = county.shape;
    let cols = columns(shape);
    let last_col = u16::try_from(cols.len().saturating_sub(1)).unwrap_or(0);
    let col_of = |c: Col| col_of(&cols, c);
    let label = period_label(ctx.period, ctx.file);
    let sheet_name = ws.name();

    // Title and 填报单位 line.
    let station_name = ctx.station.map(|s| county.stations[s].name.as_str());
    let title = format!(
        "{}{}{label}人民调解“一案一补”个案补贴申报表",
        county.display,
        station_name.unwrap_or("")
    );
    title_row(ws, last_col, &title, 30, f)?;
    let unit = format!("{}司法局{}", county.display, station_name.unwrap_or(""));
    let filed = cn_date(ctx.file.filed);
    if shape == Shape::C {
        let left = format!("填报单位：{unit}（盖章）");
        let right = format!("填报日期：{filed}        单位：元");
        split_line(ws, 1, last_col, (&left, &f.info), (&right, &f.info_right))?;
    } else {
        let line = format!("填报单位：{unit}        填报日期：{filed}");
        merged_line(ws, 1, last_col, &line, &f.info)?;
    }
    ws.set_row_height(1, 20)?;

    // Header (two rows for shape C, the reviews under 审核意见).
    let h = 2u32;
    let reviews = [Col::StationReview, Col::CountyReview];
    let group = (shape == Shape::C).then_some((&reviews[..], "审核意见"));
    let header_rows = header_rows(ws, h, &cols, group, f)?;
    if shape == Shape::C {
        ws.set_row_height(h, 20)?;
        ws.set_row_height(h + 1, 20)?;
    } else {
        ws.set_row_height(h, 30)?;
    }
    let first = h + header_rows;

    // Data rows.
    let mut numeric_sum = Decimal::ZERO;
    for (k, r) in rows.iter().enumerate() {
        let row = first + k as u32;
        for (i, (c, _)) in cols.iter().enumerate() {
            let col = i as u16;
            match c {
                Col::Seq => {
                    ws.write_number_with_format(row, col, (k + 1) as f64, &f.center)?;
                }
                Col::County => {
                    if shape == Shape::A {
                        ws.write_string_with_format(row, col, &county.display, &f.center)?;
                    } // C and D: merged below
                }
                Col::Station => {} // merged below
                Col::Committee => {
                    ws.write_string_with_format(
                        row,
                        col,
                        &county.committees[r.committee].name,
                        &f.left,
                    )?;
                }
                Col::CaseNo => write_str_or_blank(ws, row, col, &r.case_no, &f.center)?,
                Col::Dispute => {
                    ws.write_string_with_format(row, col, r.dispute, &f.center)?;
                }
                Col::Level => {
                    ws.write_string_with_format(row, col, r.level_label, &f.center)?;
                }
                Col::Accepted => write_date(ws, row, col, &r.accepted_cell, f)?,
                Col::Concluded => write_date(ws, row, col, &r.concluded_cell, f)?,
                Col::Result => {
                    ws.write_string_with_format(row, col, r.result, &f.center)?;
                }
                Col::Form => {
                    let label = match r.form {
                        Form::Written => county.vocab.written,
                        Form::Oral => county.vocab.oral,
                    };
                    ws.write_string_with_format(row, col, label, &f.center)?;
                }
                Col::Dossier => {
                    ws.write_string_with_format(row, col, r.dossier, &f.center)?;
                }
                Col::Mediator => write_str_or_blank(ws, row, col, &r.mediator_name, &f.center)?,
                Col::Id => match &r.id_cell {
                    IdCell::Text(s) => {
                        ws.write_string_with_format(row, col, s, &f.text)?;
                    }
                    IdCell::Number(n) => {
                        // What Excel does to an ID typed into a General cell.
                        ws.write_number_with_format(row, col, *n as f64, &f.id_number)?;
                    }
                },
                Col::Bank => write_str_or_blank(ws, row, col, &r.bank, &f.left)?,
                Col::Account => write_str_or_blank(ws, row, col, &r.account, &f.text)?,
                Col::Amount => match &r.amount {
                    AmountCell::Number(d) => {
                        numeric_sum += *d;
                        ws.write_with_format(row, col, *d, &f.amount)?;
                    }
                    AmountCell::Text(t) => {
                        ws.write_string_with_format(row, col, t, &f.right)?;
                    }
                    AmountCell::Blank => {
                        ws.write_blank(row, col, &f.amount)?;
                    }
                },
                Col::StationReview => {
                    ws.write_string_with_format(row, col, r.station_review, &f.center)?;
                }
                Col::CountyReview => {
                    ws.write_string_with_format(row, col, r.county_review, &f.center)?;
                }
                Col::Note => write_str_or_blank(ws, row, col, &r.note, &f.left)?,
                Col::Phone => {
                    let phone = &county.mediators[r.mediator].phone;
                    ws.write_string_with_format(row, col, phone, &f.text)?;
                }
            }
        }
        plan.push(SampleRow {
            file: ctx.file_name.to_string(),
            sheet: sheet_name.clone(),
            row: row + 1,
            county: county.display.clone(),
            county_code: county.code.clone(),
            case_id: r.case_no.clone(),
            fault: r.fault.map(Fault::slug),
            expected_code: r.fault.and_then(Fault::expected_code),
            eligible: r.eligible,
            standard_amount: r.standard,
        });
    }
    let n = rows.len() as u32;
    let last = first + n.max(1) - 1;

    // Merged 司法所 groups (and the county column in shapes C and D).
    if let Some(sc) = col_of(Col::Station) {
        let stations: Vec<usize> = rows.iter().map(|r| r.station).collect();
        let name = |s: usize| county.stations.get(s).map_or("", |s| s.name.as_str());
        merge_runs(ws, first, sc, &stations, name, &f.center)?;
    }
    if matches!(shape, Shape::C | Shape::D)
        && let Some(cc) = col_of(Col::County)
        && n > 0
    {
        if n > 1 {
            ws.merge_range(first, cc, last, cc, &county.display, &f.center)?;
        } else {
            ws.write_string_with_format(first, cc, &county.display, &f.center)?;
        }
    }

    // 合计 row.
    let mut t = first + n;
    if shape == Shape::B {
        t += 1; // a blank line before the total, as some counties leave
    }
    total_row(ws, t, last_col, f)?;
    ws.write_string_with_format(t, 2, format!("共{n}件"), &f.total)?;
    if let Some(ac) = col_of(Col::Amount) {
        if n > 0 {
            let sum = crate::money::plain(numeric_sum);
            sum_formula(ws, (t, ac), (first, last), sum, f)?;
        } else {
            ws.write_with_format(t, ac, Decimal::ZERO, &f.total_amount)?;
        }
    }
    ws.set_row_height(t, 20)?;

    // 填表说明 and sign-off lines.
    let notes = "填表说明：1. 本表由人民调解委员会填写，经司法所初审、县（市、区）司法局审核后报市司法局；\
                 2. 案件编号须与卷宗编号一致，一案一补，不得重复申报；3. 身份证号码、银行账号请设置为文本格式，\
                 补贴发放至调解员本人账户（谁调解，补谁）；4. 纠纷等级分为简易、一般、疑难复杂、重大，\
                 补贴标准按《玉溪市人民调解“一案一补”实施办法》执行。";
    let nr = t + 1;
    merged_line(ws, nr, last_col, notes, &f.notes)?;
    ws.set_row_height(nr, 42)?;
    let sr = nr + 1;
    let [maker, checker, head] = &county.clerks;
    if shape == Shape::B {
        let left = format!("制表人：{maker}          审核人：{checker}");
        let right = format!("负责人：{head}");
        split_line(ws, sr, last_col, (&left, &f.sign), (&right, &f.sign))?;
    } else {
        let line =
            format!("制表人：{maker}            审核人：{checker}            负责人：{head}");
        merged_line(ws, sr, last_col, &line, &f.sign)?;
    }
    ws.set_row_height(sr, 24)?;

    // Column widths from the content, like a clerk dragging the borders.
    for (i, (c, name)) in cols.iter().enumerate() {
        let mut w = text_width(name) + 1.0;
        let content = |r: &Row| -> f64 {
            match c {
                Col::Seq => 4.0,
                Col::County => text_width(&county.display),
                Col::Station => text_width(&county.stations[r.station].name),
                Col::Committee => text_width(&county.committees[r.committee].name),
                Col::CaseNo => text_width(&r.case_no),
                Col::Dispute | Col::Level | Col::Result | Col::Form | Col::Dossier => 8.5,
                Col::StationReview | Col::CountyReview => 6.5,
                Col::Accepted | Col::Concluded => 11.5,
                Col::Mediator => text_width(&r.mediator_name),
                Col::Id => 19.0,
                Col::Bank => text_width(&r.bank),
                Col::Account => 20.0,
                Col::Amount => 9.5,
                Col::Note => text_width(&r.note).min(24.0),
                Col::Phone => 12.5,
            }
        };
        for r in rows {
            w = w.max(content(r) + 1.0);
        }
        ws.set_column_width(i as u16, w.clamp(5.0, 40.0))?;
    }

    // Print setup: A4 landscape, one page wide, header rows repeated, page numbers.
    print_a4_landscape(ws);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(h, first - 1)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    if matches!(shape, Shape::A | Shape::D) {
        ws.set_freeze_panes(first, 0)?;
    }
    Ok(())
}

fn dropdown_lists(county: &CountyModel) -> Vec<(&'static str, Vec<&'static str>)> {
    let v = county.vocab;
    vec![
        ("纠纷类型", DISPUTES.iter().map(|(d, _)| *d).collect()),
        ("纠纷等级", vec!["简易", "一般", v.complex, "重大"]),
        ("协议形式", vec![v.written, v.oral]),
        ("调解结果", vec![v.success, "不成功"]),
        ("卷宗规范", vec![v.dossier_ok, v.dossier_bad]),
        ("初审意见", vec![v.station_ok, v.station_bad]),
        ("审核意见", vec![v.county_ok, v.county_bad]),
    ]
}

/// Shape D extras: dropdowns on the coded columns pointing at the hidden 下拉选项 sheet.
fn add_dropdowns(ws: &mut Worksheet, county: &CountyModel, first: u32) -> Result<(), XlsxError> {
    let cols = columns(county.shape);
    let lists = dropdown_lists(county);
    let targets = [
        (Col::Dispute, 0usize),
        (Col::Level, 1),
        (Col::Form, 2),
        (Col::Result, 3),
        (Col::Dossier, 4),
        (Col::StationReview, 5),
        (Col::CountyReview, 6),
    ];
    for (c, li) in targets {
        let Some(pos) = cols.iter().position(|(k, _)| *k == c) else {
            continue;
        };
        let n = lists[li].1.len() as u32;
        let letter = rust_xlsxwriter::column_number_to_name(li as u16);
        let dv = DataValidation::new()
            .allow_list_formula(Formula::new(format!(
                "=下拉选项!${letter}$2:${letter}${}",
                n + 1
            )))
            .ignore_blank(true);
        ws.add_data_validation(first, pos as u16, first + 499, pos as u16, &dv)?;
    }
    Ok(())
}

fn instructions_sheet(wb: &mut Workbook, county: &CountyModel) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("填表说明")?;
    let title = Format::new().set_font_name("黑体").set_font_size(14);
    let body = Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    ws.set_column_width(0, 100)?;
    ws.write_string_with_format(0, 0, "填表说明", &title)?;
    let lines = [
        "一、本表按司法所分别填写，每个司法所一个工作表，由人民调解委员会填写，司法所初审后报县（市、区）司法局审核。",
        "二、“一案一补”对象为调解成功、卷宗规范的人民调解案件，补贴发放给主办调解员本人（谁调解，补谁）。",
        "三、案件编号与卷宗编号一致，同一案件不得重复申报；已获补贴的案件不得再次申报。",
        "四、纠纷等级、协议形式、调解结果、卷宗规范、审核意见请从下拉列表中选择。",
        "五、身份证号码须为 18 位，银行账号须为调解员本人账户，均按文本格式填写。",
        "六、结案日期为调解协议签订或调解终结之日，须在本申报期间内。",
    ];
    for (i, l) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32 + 2, 0, *l, &body)?;
        ws.set_row_height(i as u32 + 2, 30)?;
    }
    ws.write_string_with_format(
        lines.len() as u32 + 3,
        0,
        format!("{}司法局", county.display),
        &body,
    )?;
    Ok(())
}

fn helper_sheet(wb: &mut Workbook, county: &CountyModel) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("下拉选项")?;
    for (i, (name, items)) in dropdown_lists(county).iter().enumerate() {
        let c = i as u16;
        ws.write_string(0, c, *name)?;
        for (k, item) in items.iter().enumerate() {
            ws.write_string(k as u32 + 1, c, *item)?;
        }
        ws.set_column_width(c, 12)?;
    }
    ws.set_hidden(true);
    Ok(())
}

pub(super) fn file_name(county: &CountyModel, period: &Period, file: FileSpec) -> String {
    format!(
        "{}_人民调解个案补贴申报表_{}.xlsx",
        county.display,
        period_label(period, file)
    )
}

pub(super) fn render_workbook(
    county: &CountyModel,
    period: &Period,
    file: FileSpec,
    name: &str,
    rows: &[&Row],
    plan: &mut Vec<SampleRow>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = excel_date(file.filed)?.and_hms(9, 30, 0)?;
    let props = DocProperties::new()
        .set_title(format!(
            "{}{}人民调解个案补贴申报表",
            county.display,
            period_label(period, file)
        ))
        .set_author(format!("{}司法局", county.display))
        .set_company(format!("{}司法局", county.display))
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    let f = formats(county);
    let ctx = |station| SheetCtx {
        county,
        period,
        file,
        file_name: name,
        station,
    };
    match county.shape {
        Shape::D => {
            let mut any = false;
            for s in 0..county.stations.len() {
                let these: Vec<&Row> = rows.iter().copied().filter(|r| r.station == s).collect();
                if these.is_empty() && (any || s + 1 < county.stations.len()) {
                    continue;
                }
                any = true;
                let ws = wb.add_worksheet();
                ws.set_name(&county.stations[s].name)?;
                write_claim_sheet(ws, &ctx(Some(s)), &these, &f, plan)?;
                add_dropdowns(ws, county, 3)?;
            }
            instructions_sheet(&mut wb, county)?;
            helper_sheet(&mut wb, county)?;
        }
        Shape::A | Shape::B | Shape::C => {
            let ws = wb.add_worksheet();
            let sheet = match county.shape {
                Shape::A => "申报表".to_string(),
                Shape::B => "Sheet1".to_string(),
                _ => period_label(period, file),
            };
            ws.set_name(sheet)?;
            write_claim_sheet(ws, &ctx(None), rows, &f, plan)?;
            if county.shape == Shape::B {
                // The empty default sheets Excel leaves behind.
                wb.add_worksheet().set_name("Sheet2")?;
                wb.add_worksheet().set_name("Sheet3")?;
            }
        }
    }
    wb.save_to_buffer()
}
