//! The look both kinds of sample workbook share, as county bureaus lay out a 申报表: 宋体 10 with
//! thin borders, a 黑体 title merged over the table, a header of one row or two (a group label
//! over some columns), the 司法所 merged over its rows, and a 合计 row with cached SUM results.
//!
//! Each helper makes the same rust_xlsxwriter calls in the same order as the code it replaced:
//! formats are numbered on first use, so the order of writes is part of the output bytes.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Worksheet, XlsxError, cell_range,
};

/// Formats of one sample workbook.
pub(super) struct SheetFormats {
    pub(super) title: Format,
    pub(super) info: Format,
    pub(super) info_right: Format,
    pub(super) header: Format,
    pub(super) center: Format,
    pub(super) left: Format,
    /// Text format ("@"), as clerks set it for IDs and account numbers.
    pub(super) text: Format,
    pub(super) date: Format,
    pub(super) amount: Format,
    /// Right-aligned without a number format: amounts typed as text.
    pub(super) right: Format,
    /// An 18-digit ID Excel turned into a number, shown without an exponent.
    pub(super) id_number: Format,
    pub(super) total: Format,
    pub(super) total_amount: Format,
    pub(super) notes: Format,
    pub(super) sign: Format,
}

impl SheetFormats {
    /// `grey_header`: some counties shade the header row. `date_format`: the number format of
    /// date cells, which differs from county to county.
    pub(super) fn new(grey_header: bool, date_format: &str) -> SheetFormats {
        let base = Format::new().set_font_name("宋体").set_font_size(10);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let mut header = cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_text_wrap();
        if grey_header {
            header = header.set_background_color(0xD9D9D9);
        }
        SheetFormats {
            title: Format::new()
                .set_font_name("黑体")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            info: base.clone().set_align(FormatAlign::VerticalCenter),
            info_right: base
                .clone()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter),
            header,
            center: cell.clone().set_align(FormatAlign::Center),
            left: cell.clone().set_align(FormatAlign::Left),
            text: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("@"),
            date: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format(date_format),
            amount: cell.clone().set_num_format("#,##0.00"),
            right: cell.clone().set_align(FormatAlign::Right),
            id_number: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("0"),
            total: cell.clone().set_bold().set_align(FormatAlign::Center),
            total_amount: cell.clone().set_bold().set_num_format("#,##0.00"),
            notes: base
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
            sign: base.set_align(FormatAlign::Left),
        }
    }
}

pub(super) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let y = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8)
}

/// Position of column `k` in a layout.
pub(super) fn col_of<K: PartialEq>(cols: &[(K, &str)], k: K) -> Option<u16> {
    cols.iter()
        .position(|(c, _)| *c == k)
        .and_then(|p| u16::try_from(p).ok())
}

/// An empty text is left blank (with the cell's format), as a clerk leaves it.
pub(super) fn write_str_or_blank(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    fmt: &Format,
) -> Result<(), XlsxError> {
    if s.is_empty() {
        ws.write_blank(row, col, fmt)?;
    } else {
        ws.write_string_with_format(row, col, s, fmt)?;
    }
    Ok(())
}

/// The title merged over the whole table in row 1.
pub(super) fn title_row(
    ws: &mut Worksheet,
    last_col: u16,
    title: &str,
    height: u32,
    f: &SheetFormats,
) -> Result<(), XlsxError> {
    ws.merge_range(0, 0, 0, last_col, title, &f.title)?;
    ws.set_row_height(0, height)?;
    Ok(())
}

/// A line of text merged over the whole width of the table (填报单位, 填表说明, sign-off).
pub(super) fn merged_line(
    ws: &mut Worksheet,
    row: u32,
    last_col: u16,
    text: &str,
    fmt: &Format,
) -> Result<(), XlsxError> {
    ws.merge_range(row, 0, row, last_col, text, fmt)?;
    Ok(())
}

/// A line in two halves, each merged over its half of the table.
pub(super) fn split_line(
    ws: &mut Worksheet,
    row: u32,
    last_col: u16,
    (left, left_fmt): (&str, &Format),
    (right, right_fmt): (&str, &Format),
) -> Result<(), XlsxError> {
    let split = last_col / 2;
    ws.merge_range(row, 0, row, split, left, left_fmt)?;
    ws.merge_range(row, split + 1, row, last_col, right, right_fmt)?;
    Ok(())
}

/// Writes the header at row `h`. With a `group` (its columns and label) the header takes two
/// rows: the group's columns under the label, every other column merged down both rows.
/// Returns the number of header rows.
pub(super) fn header_rows<K: PartialEq + Copy>(
    ws: &mut Worksheet,
    h: u32,
    cols: &[(K, &str)],
    group: Option<(&[K], &str)>,
    f: &SheetFormats,
) -> Result<u32, XlsxError> {
    let mut grouped: Vec<u16> = Vec::new();
    for (i, (k, name)) in cols.iter().enumerate() {
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        match group {
            Some((members, _)) if members.contains(k) => {
                ws.write_string_with_format(h + 1, i, *name, &f.header)?;
                grouped.push(i);
            }
            Some(_) => {
                ws.merge_range(h, i, h + 1, i, name, &f.header)?;
            }
            None => {
                ws.write_string_with_format(h, i, *name, &f.header)?;
            }
        }
    }
    let Some((_, label)) = group else {
        return Ok(1);
    };
    if let (Some(a), Some(b)) = (grouped.iter().min(), grouped.iter().max())
        && a < b
    {
        ws.merge_range(h, *a, h, *b, label, &f.header)?;
    }
    Ok(2)
}

/// Writes `name(key)` in column `col` once per run of equal `keys` (one key per data row from
/// row `first`), merged down the run: the 司法所 over its people.
pub(super) fn merge_runs<'a>(
    ws: &mut Worksheet,
    first: u32,
    col: u16,
    keys: &[usize],
    name: impl Fn(usize) -> &'a str,
    fmt: &Format,
) -> Result<(), XlsxError> {
    let row = |k: usize| first + u32::try_from(k).unwrap_or(u32::MAX - first);
    let mut k = 0usize;
    while let Some(&key) = keys.get(k) {
        let mut e = k;
        while keys.get(e + 1) == Some(&key) {
            e += 1;
        }
        let (r0, r1) = (row(k), row(e));
        if r1 > r0 {
            ws.merge_range(r0, col, r1, col, name(key), fmt)?;
        } else {
            ws.write_string_with_format(r0, col, name(key), fmt)?;
        }
        k = e + 1;
    }
    Ok(())
}

/// The frame of the 合计 row `t`: 合计 merged over the first two columns, every other cell
/// blank in the same bold format until the sums are written into it.
pub(super) fn total_row(
    ws: &mut Worksheet,
    t: u32,
    last_col: u16,
    f: &SheetFormats,
) -> Result<(), XlsxError> {
    ws.merge_range(t, 0, t, 1, "合计", &f.total)?;
    for c in 2..=last_col {
        ws.write_blank(t, c, &f.total)?;
    }
    Ok(())
}

/// `=SUM(…)` over rows `first..=last` of `col`, written in row `t` with its cached result, as
/// Excel saves it (readers that do not calculate see the total).
pub(super) fn sum_formula(
    ws: &mut Worksheet,
    (t, col): (u32, u16),
    (first, last): (u32, u32),
    result: String,
    f: &SheetFormats,
) -> Result<(), XlsxError> {
    let range = cell_range(first, col, last, col);
    let formula = Formula::new(format!("=SUM({range})")).set_result(result);
    ws.write_formula_with_format(t, col, formula, &f.total_amount)?;
    Ok(())
}

/// A4 landscape, one page wide.
pub(super) fn print_a4_landscape(ws: &mut Worksheet) {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
}
