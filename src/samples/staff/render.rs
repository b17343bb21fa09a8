//! The staff workbooks in their three shapes: title, 填报单位 line, a header of one or two rows,
//! people grouped by 司法所, the 合计 row, notes and sign-off; shape C's instruction and hidden
//! helper sheets.

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

use super::StaffSampleRow;
use super::model::{County, Fault, Shape, ymd};
use crate::policy::Policy;
use crate::samples::random::{STAFF_SALT, rng_for};
use crate::samples::sheet::{
    SheetFormats, col_of, excel_date, header_rows, merge_runs, merged_line, print_a4_landscape,
    sum_formula, title_row, total_row, write_str_or_blank,
};
use crate::samples::written::{DateStyle, cn_date, date_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Seq,
    County,
    Office,
    Name,
    Gender,
    Id,
    Education,
    Major,
    Start,
    End,
    Months,
    Standard,
    Municipal,
    TopUp,
    Bank,
    Account,
    Phone,
    Remark,
}

fn columns(c: &County) -> Vec<(Col, &'static str)> {
    let mut v = match c.shape {
        Shape::A => vec![
            (Col::Seq, "序号"),
            (Col::County, "县（市、区）"),
            (Col::Office, "司法所"),
            (Col::Name, "姓名"),
            (Col::Gender, "性别"),
            (Col::Id, "身份证号码"),
            (Col::Education, "学历"),
            (Col::Major, "专业"),
            (Col::Start, "入职日期"),
            (Col::End, "离职日期"),
            (Col::Months, "在岗月数"),
            (Col::Standard, "月补助标准（元）"),
            (Col::Municipal, "市级补助金额（元）"),
            (Col::TopUp, "县级配套（元）"),
            (Col::Bank, "开户银行"),
            (Col::Account, "银行账号"),
            (Col::Remark, "备注"),
        ],
        Shape::B => vec![
            (Col::Seq, "编号"),
            (Col::Office, "所属司法所"),
            (Col::Name, "协勤人员姓名"),
            (Col::Id, "公民身份号码"),
            (Col::Gender, "性别"),
            (Col::Education, "学历"),
            (Col::Major, "专业"),
            (Col::Start, "到岗日期"),
            (Col::End, "离职日期"),
            (Col::Months, "发放月数"),
            (Col::Standard, "月标准"),
            (Col::Municipal, "市级经费"),
            (Col::TopUp, "县级配套金额"),
            (Col::Bank, "开户行"),
            (Col::Account, "账号"),
            (Col::Remark, "备注"),
        ],
        Shape::C => vec![
            (Col::Seq, "序号"),
            (Col::County, "县（市、区）"),
            (Col::Office, "司法所"),
            (Col::Name, "姓名"),
            (Col::Gender, "性别"),
            (Col::Id, "身份证号码"),
            (Col::Phone, "联系电话"),
            (Col::Education, "学历"),
            (Col::Major, "专业"),
            (Col::Start, "入职日期"),
            (Col::End, "离职日期"),
            (Col::Months, "在岗月数"),
            (Col::Standard, "月补助标准"),
            (Col::Municipal, "市级补助金额"),
            (Col::TopUp, "县级配套"),
            (Col::Bank, "开户银行"),
            (Col::Account, "银行账号"),
            (Col::Remark, "备注"),
        ],
    };
    if !c.has_top_up {
        v.retain(|(k, _)| *k != Col::TopUp);
    }
    v
}

/// Width of a column (Excel character units) for the sample look.
fn col_width(c: Col) -> u32 {
    match c {
        Col::Seq => 5,
        Col::County => 8,
        Col::Office => 14,
        Col::Name => 9,
        Col::Gender => 5,
        Col::Id => 21,
        Col::Education | Col::Months => 7,
        Col::Major => 11,
        Col::Start | Col::End => 12,
        Col::Standard | Col::Municipal | Col::TopUp => 12,
        Col::Bank => 22,
        Col::Account => 23,
        Col::Phone => 13,
        Col::Remark => 22,
    }
}

fn formats(shape: Shape) -> SheetFormats {
    let date_format = if shape == Shape::C {
        "yyyy/m/d"
    } else {
        "yyyy年m月d日"
    };
    SheetFormats::new(shape == Shape::B, date_format)
}

/// How clerks type a date in a text cell, drawn at random per cell.
const DATE_STYLES: [DateStyle; 4] = [
    DateStyle::Dash,
    DateStyle::Dot,
    DateStyle::Chinese,
    DateStyle::Slash,
];

fn money_text(d: Decimal) -> String {
    format!("{}元", crate::staff::yuan_text(d))
}

pub(super) fn workbook(
    policy: &Policy,
    c: &County,
    file: &str,
    plan: &mut Vec<StaffSampleRow>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let dt = excel_date(filed(policy, c))?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("专职社区矫正协勤人员经费申报表")
            .set_author(format!("{}司法局", c.display))
            .set_creation_datetime(&dt),
    );
    let f = formats(c.shape);
    let sheet = format!("{}年协勤人员", policy.year);
    let ws = wb.add_worksheet();
    ws.set_name(&sheet)?;
    staff_sheet(ws, policy, c, &f, (file, &sheet), plan)?;
    if c.shape == Shape::C {
        let notes = wb.add_worksheet();
        notes.set_name("填表说明")?;
        notes.set_column_width(0, 90)?;
        for (r, line) in INSTRUCTIONS.iter().enumerate() {
            notes.write_string(u32::try_from(r).unwrap_or(0), 0, *line)?;
        }
        let lists = wb.add_worksheet();
        lists.set_name("下拉选项")?;
        for (r, v) in ["男", "女", "本科", "大专", "中专", "高中"]
            .iter()
            .enumerate()
        {
            lists.write_string(u32::try_from(r).unwrap_or(0), 0, *v)?;
        }
        lists.set_hidden(true);
        if let Ok(first) = wb.worksheet_from_index(0) {
            first.set_active(true);
        }
    }
    wb.save_to_buffer()
}

pub(super) const INSTRUCTIONS: [&str; 5] = [
    "填表说明",
    "1. 每名协勤人员填一行，同一人只能在一个县（市、区）申报。",
    "2. 在岗月数按本年度实际在岗月份填写（不满一月按一月计），最多 12 个月。",
    "3. 市级补助金额 = 每人每月 1000 元 × 在岗月数；县级配套按本县标准填写。",
    "4. 身份证号码、银行账号请设为文本格式，以免后几位变成 0。",
];

/// The 填报日期: county by county in the first weeks of January.
fn filed(policy: &Policy, c: &County) -> NaiveDate {
    let day = 10 + u32::try_from(c.index % 15).unwrap_or(0);
    ymd(policy.year, 1, day)
}

/// Writes the one data sheet `sheet` of workbook `file`.
fn staff_sheet(
    ws: &mut Worksheet,
    policy: &Policy,
    c: &County,
    f: &SheetFormats,
    (file, sheet): (&str, &str),
    plan: &mut Vec<StaffSampleRow>,
) -> Result<(), XlsxError> {
    let cols = columns(c);
    let last_col = u16::try_from(cols.len().saturating_sub(1)).unwrap_or(0);
    let col_of = |k: Col| col_of(&cols, k);
    for (i, (k, _)) in cols.iter().enumerate() {
        ws.set_column_width(u16::try_from(i).unwrap_or(0), col_width(*k))?;
    }
    let y = policy.year;
    let title = format!("{}{y}年专职社区矫正协勤人员经费申报表", c.display);
    title_row(ws, last_col, &title, 32, f)?;
    let info = format!(
        "填报单位：{}司法局（盖章）　　　　填报日期：{}　　　　单位：元",
        c.display,
        cn_date(filed(policy, c))
    );
    merged_line(ws, 1, last_col, &info, &f.info)?;
    ws.set_row_height(1, 20)?;

    // Header (two rows for shape B, the amounts under 经费（元）).
    let h = 2u32;
    let money_cols = [Col::Standard, Col::Municipal, Col::TopUp];
    let group = (c.shape == Shape::B).then_some((&money_cols[..], "经费（元）"));
    let first = h + header_rows(ws, h, &cols, group, f)?;
    ws.set_row_height(h, if group.is_some() { 20 } else { 30 })?;
    let mut rng = rng_for(c.seed, STAFF_SALT, c.index, 7);

    let mut sums = (0i64, Decimal::ZERO, Decimal::ZERO);
    for (k, p) in c.people.iter().enumerate() {
        let row = first + u32::try_from(k).unwrap_or(0);
        for (i, (kind, _)) in cols.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(0);
            match kind {
                Col::Seq => {
                    ws.write_with_format(row, col, u32::try_from(k + 1).unwrap_or(0), &f.center)?;
                }
                Col::County => {
                    if c.shape == Shape::C {
                        ws.write_string_with_format(row, col, &c.display, &f.center)?;
                    }
                }
                Col::Office => {} // merged below
                Col::Name => write_str_or_blank(ws, row, col, &p.name, &f.center)?,
                Col::Gender => {
                    let g = p.gender_written.unwrap_or(if p.male { "男" } else { "女" });
                    ws.write_string_with_format(row, col, g, &f.center)?;
                }
                Col::Id => {
                    if p.id_as_number {
                        let n: Decimal = p.id.parse().unwrap_or_default();
                        ws.write_with_format(row, col, n, &f.id_number)?;
                    } else {
                        ws.write_string_with_format(row, col, &p.id, &f.text)?;
                    }
                }
                Col::Education => {
                    ws.write_string_with_format(row, col, p.education, &f.center)?;
                }
                Col::Major => write_str_or_blank(ws, row, col, p.major, &f.center)?,
                Col::Start => match &p.start_text {
                    Some(t) => {
                        ws.write_string_with_format(row, col, t, &f.center)?;
                    }
                    None => date_cell(ws, row, col, p.start, c.shape, &mut rng, f)?,
                },
                Col::End => match p.end {
                    Some(d) => date_cell(ws, row, col, d, c.shape, &mut rng, f)?,
                    None => {
                        ws.write_blank(row, col, &f.center)?;
                    }
                },
                Col::Months => {
                    if c.shape == Shape::B && rng.random_bool(0.3) {
                        ws.write_string_with_format(
                            row,
                            col,
                            format!("{}个月", p.months),
                            &f.center,
                        )?;
                    } else {
                        ws.write_with_format(row, col, Decimal::from(p.months), &f.center)?;
                    }
                    sums.0 += p.months;
                }
                Col::Standard => {
                    if c.shape == Shape::B {
                        ws.write_string_with_format(row, col, money_text(p.standard), &f.right)?;
                    } else {
                        ws.write_with_format(row, col, p.standard, &f.amount)?;
                    }
                }
                Col::Municipal => {
                    ws.write_with_format(row, col, p.municipal, &f.amount)?;
                    sums.1 += p.municipal;
                }
                Col::TopUp => {
                    if p.top_up.is_zero() {
                        ws.write_blank(row, col, &f.amount)?;
                    } else {
                        ws.write_with_format(row, col, p.top_up, &f.amount)?;
                    }
                    sums.2 += p.top_up;
                }
                Col::Bank => write_str_or_blank(ws, row, col, p.bank.unwrap_or(""), &f.left)?,
                Col::Account => {
                    let account = p.account.as_deref().unwrap_or("");
                    let shown = if c.shape == Shape::C {
                        grouped(account)
                    } else {
                        account.to_string()
                    };
                    write_str_or_blank(ws, row, col, &shown, &f.text)?;
                }
                Col::Phone => {
                    ws.write_string_with_format(row, col, &p.phone, &f.text)?;
                }
                Col::Remark => write_str_or_blank(ws, row, col, &p.remark, &f.left)?,
            }
        }
        plan.push(StaffSampleRow {
            file: file.to_string(),
            sheet: sheet.to_string(),
            row: row + 1,
            county_code: c.code.clone(),
            id: if p.id_as_number {
                String::new()
            } else {
                p.id.clone()
            },
            expected_code: p.fault.map(Fault::code),
            decision: p.fault.map_or("approved", Fault::decision),
        });
    }
    let n = u32::try_from(c.people.len()).unwrap_or(0);
    let last = first + n.max(1) - 1;

    // 司法所 merged over its people; the county merged over the whole table (shape A).
    if let Some(oc) = col_of(Col::Office) {
        let offices: Vec<usize> = c.people.iter().map(|p| p.office).collect();
        let name = |o: usize| c.offices.get(o).map_or("", |s| s.as_str());
        merge_runs(ws, first, oc, &offices, name, &f.center)?;
    }
    if c.shape == Shape::A
        && let Some(cc) = col_of(Col::County)
        && n > 1
    {
        ws.merge_range(first, cc, last, cc, &c.display, &f.center)?;
    }

    // 合计 row with cached SUM results.
    let t = first + n;
    total_row(ws, t, last_col, f)?;
    if let Some(nc) = col_of(Col::Name) {
        ws.write_string_with_format(t, nc, format!("{n}人"), &f.total)?;
    }
    let sum = |ws: &mut Worksheet, k: Col, v: String| match col_of(k) {
        Some(col) => sum_formula(ws, (t, col), (first, last), v, f),
        None => Ok(()),
    };
    if c.shape != Shape::B {
        sum(ws, Col::Months, sums.0.to_string())?;
    }
    sum(ws, Col::Municipal, crate::money::plain(sums.1))?;
    if c.has_top_up {
        sum(ws, Col::TopUp, crate::money::plain(sums.2))?;
    }
    ws.set_row_height(t, 20)?;

    let notes = t + 2;
    merged_line(
        ws,
        notes,
        last_col,
        "填表说明：1. 在岗月数按本年度实际在岗月份填写，不满一月按一月计；2. 市级补助金额按每人每月 1000 元 × 在岗月数计算；3. 身份证号码、银行账号请以文本格式填写。",
        &f.notes,
    )?;
    ws.set_row_height(notes, 30)?;
    merged_line(
        ws,
        notes + 2,
        last_col,
        "填表人：　　　　　　　审核人：　　　　　　　单位负责人：　　　　　　　联系电话：",
        &f.sign,
    )?;
    ws.set_freeze_panes(first, 0)?;
    print_a4_landscape(ws);
    Ok(())
}

/// An account number in groups of four, as some clerks type it.
fn grouped(a: &str) -> String {
    let chars: Vec<char> = a.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn date_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: NaiveDate,
    shape: Shape,
    rng: &mut ChaCha8Rng,
    f: &SheetFormats,
) -> Result<(), XlsxError> {
    let as_text = match shape {
        Shape::A => false,
        Shape::B => true,
        Shape::C => rng.random_bool(0.5),
    };
    if as_text {
        let form = rng.random_range(0..4usize);
        let style = DATE_STYLES[form % DATE_STYLES.len()];
        ws.write_string_with_format(row, col, date_text(d, style), &f.center)?;
    } else {
        ws.write_datetime_with_format(row, col, &excel_date(d)?, &f.date)?;
    }
    Ok(())
}
