//! The sheet writer every workbook writes its cells through: text from an input always goes
//! through [`style::cell_text`] and `write_string` (so `=cmd|…` stays inert text and a huge value
//! still fits a cell), numbers through `Decimal`, and the column widths the text model measures
//! against are kept beside the sheet.
//!
//! Column formats: rust_xlsxwriter finds the style of a cell written with a `Format` by hashing
//! and comparing the whole format, once per cell, which on a province's detail sheets is a
//! large part of writing them. A cell written without a format takes its column's format with
//! no such lookup. So a large table gives each column the format most of its cells have
//! ([`Columns::plain`]), and a cell whose format is its column's (the same `&Format`) is
//! written plainly; every other cell is written with its format as usual.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart, ChartFont, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};

use super::style;
use super::text::{chars_to_pixels, column_pixels, row_pixels, wrapped_lines};

/// The columns of one table: their widths (pixels, for the text model) and the formats that
/// cells written plainly take.
#[derive(Debug, Default, Clone)]
pub struct Columns<'f> {
    px: Vec<u32>,
    /// The widths as given in Excel's character units, when they were (set as such).
    chars: Vec<f64>,
    plain: Vec<Option<&'f Format>>,
}

impl<'f> Columns<'f> {
    /// Widths in half-width character units (see [`column_pixels`]).
    pub fn units(units: &[u32]) -> Columns<'f> {
        Columns::pixels(units.iter().map(|u| column_pixels(*u, *u, *u)).collect())
    }

    /// Widths in pixels.
    pub fn pixels(px: Vec<u32>) -> Columns<'f> {
        Columns {
            plain: vec![None; px.len()],
            chars: Vec::new(),
            px,
        }
    }

    /// Widths in Excel's character units, set as such.
    pub fn chars(chars: &[f64]) -> Columns<'f> {
        Columns {
            chars: chars.to_vec(),
            ..Columns::pixels(chars.iter().map(|w| chars_to_pixels(*w)).collect())
        }
    }

    /// Gives column `c` the format `f` for the cells written plainly (see the module comment).
    /// Only for a table whose cells fill the column down to its end: an empty cell under it
    /// shows the column's format too.
    pub fn plain(mut self, c: u16, f: &'f Format) -> Columns<'f> {
        if let Some(slot) = self.plain.get_mut(usize::from(c)) {
            *slot = Some(f);
        }
        self
    }

    /// Width of column `c` in pixels (100 for a column with no width set).
    pub fn px(&self, c: u16) -> u32 {
        self.px.get(usize::from(c)).copied().unwrap_or(100)
    }

    /// Width of columns `c0..=c1` together.
    pub fn span_px(&self, c0: u16, c1: u16) -> u32 {
        (c0..=c1).map(|c| self.px(c)).sum()
    }

    /// All columns together.
    pub fn total_px(&self) -> u32 {
        self.px.iter().sum()
    }

    pub fn count(&self) -> u16 {
        u16::try_from(self.px.len()).unwrap_or(u16::MAX)
    }

    /// Lines the tallest of `cells` (column, text) takes wrapped in its column.
    pub fn lines(&self, cells: &[(u16, &str)]) -> u32 {
        cells
            .iter()
            .map(|(c, s)| wrapped_lines(s, self.px(*c)))
            .max()
            .unwrap_or(1)
    }

    /// Sets the widths and the plain formats on `ws`.
    pub fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        if self.chars.is_empty() {
            for (c, px) in (0u16..).zip(&self.px) {
                ws.set_column_width_pixels(c, *px)?;
            }
        } else {
            for (c, w) in (0u16..).zip(&self.chars) {
                ws.set_column_width(c, *w)?;
            }
        }
        for (c, f) in (0u16..).zip(&self.plain) {
            if let Some(f) = f {
                ws.set_column_format(c, f)?;
            }
        }
        Ok(())
    }

    /// Whether `f` is the format column `c` gives a plainly written cell.
    fn is_plain(&self, c: u16, f: &Format) -> bool {
        self.plain
            .get(usize::from(c))
            .is_some_and(|p| p.is_some_and(|p| std::ptr::eq(p, f)))
    }
}

/// A worksheet being written, with the [`Columns`] of its table.
pub struct Sheet<'a, 'f> {
    pub ws: &'a mut Worksheet,
    pub cols: &'a Columns<'f>,
}

type Res = Result<(), XlsxError>;

impl<'a, 'f> Sheet<'a, 'f> {
    pub fn new(ws: &'a mut Worksheet, cols: &'a Columns<'f>) -> Sheet<'a, 'f> {
        Sheet { ws, cols }
    }

    /// Text from anywhere, made writable ([`style::cell_text`]); always a string cell.
    pub fn text(&mut self, r: u32, c: u16, s: &str, f: &Format) -> Res {
        self.prepared_text(r, c, &style::cell_text_borrowed(s), f)
    }

    /// Text already made writable by [`style::cell_text`] (a large sheet's values are cleaned
    /// once, when they are gathered); always a string cell.
    pub fn prepared_text(&mut self, r: u32, c: u16, s: &str, f: &Format) -> Res {
        if self.cols.is_plain(c, f) {
            // An empty string written plainly is no cell at all: the column's format shows, as
            // for a blank cell of that format.
            self.ws.write_string(r, c, s)?;
        } else {
            self.ws.write_string_with_format(r, c, s, f)?;
        }
        Ok(())
    }

    /// [`Sheet::text`], or a blank cell of format `f`.
    pub fn opt_text(&mut self, r: u32, c: u16, s: Option<&str>, f: &Format) -> Res {
        match s {
            Some(s) => self.text(r, c, s, f),
            None => self.blank(r, c, f),
        }
    }

    pub fn blank(&mut self, r: u32, c: u16, f: &Format) -> Res {
        if !self.cols.is_plain(c, f) {
            self.ws.write_blank(r, c, f)?;
        }
        Ok(())
    }

    /// Blank cells of format `f` in columns `cols` of row `r`.
    pub fn blanks(&mut self, r: u32, cols: std::ops::RangeInclusive<u16>, f: &Format) -> Res {
        for c in cols {
            self.blank(r, c, f)?;
        }
        Ok(())
    }

    /// A number: every figure of a report is a `Decimal` until the spreadsheet's own f64.
    pub fn number(&mut self, r: u32, c: u16, v: Decimal, f: &Format) -> Res {
        let Some(n) = v.to_f64() else {
            return Err(XlsxError::ParameterError(format!(
                "Cannot represent Decimal {v:?} as an Excel f64 value."
            )));
        };
        if self.cols.is_plain(c, f) {
            self.ws.write_number(r, c, n)?;
        } else {
            self.ws.write_number_with_format(r, c, n, f)?;
        }
        Ok(())
    }

    /// A count, sequence or row number.
    pub fn count(&mut self, r: u32, c: u16, n: impl Into<Decimal>, f: &Format) -> Res {
        self.number(r, c, n.into(), f)
    }

    /// An amount, to the fen.
    pub fn money(&mut self, r: u32, c: u16, v: Decimal, f: &Format) -> Res {
        self.number(r, c, crate::money::fen(v), f)
    }

    /// [`Sheet::money`], or a blank cell of format `f`.
    pub fn opt_money(&mut self, r: u32, c: u16, v: Option<Decimal>, f: &Format) -> Res {
        match v {
            Some(v) => self.money(r, c, v, f),
            None => self.blank(r, c, f),
        }
    }

    pub fn date(&mut self, r: u32, c: u16, d: NaiveDate, f: &Format) -> Res {
        let dt = excel_date(d)?;
        if self.cols.is_plain(c, f) {
            self.ws.write_datetime(r, c, &dt)?;
        } else {
            self.ws.write_datetime_with_format(r, c, &dt, f)?;
        }
        Ok(())
    }

    pub fn boolean(&mut self, r: u32, c: u16, b: bool, f: &Format) -> Res {
        if self.cols.is_plain(c, f) {
            self.ws.write_boolean(r, c, b)?;
        } else {
            self.ws.write_boolean_with_format(r, c, b, f)?;
        }
        Ok(())
    }

    /// Text across columns `c0..=c1` of row `r` (a single cell when `c0 == c1`).
    pub fn merged(&mut self, r: u32, c0: u16, c1: u16, s: &str, f: &Format) -> Res {
        if c1 > c0 {
            self.ws.merge_range(r, c0, r, c1, &style::cell_text(s), f)?;
            Ok(())
        } else {
            self.text(r, c0, s, f)
        }
    }

    /// A header row: `heads` from column 0, in format `f`.
    pub fn header(&mut self, r: u32, heads: &[&str], f: &Format) -> Res {
        for (c, h) in (0u16..).zip(heads) {
            self.ws.write_string_with_format(r, c, *h, f)?;
        }
        Ok(())
    }

    /// [`Sheet::header`], the row as high as its longest head wrapped in its column needs (at
    /// least `min_lines`): a head cut off at the bottom ("县（市、区）代码") reads as another word.
    pub fn header_fitted(&mut self, r: u32, heads: &[&str], f: &Format, min_lines: u32) -> Res {
        self.header(r, heads, f)?;
        let cells: Vec<(u16, &str)> = (0u16..).zip(heads.iter().copied()).collect();
        self.fit(r, &cells, min_lines)
    }

    /// Row `r` `px` pixels high.
    pub fn height(&mut self, r: u32, px: u32) -> Res {
        self.ws.set_row_height_pixels(r, px)?;
        Ok(())
    }

    /// Sizes row `r` for the tallest of `cells` (column, text), at least `min_lines` lines.
    pub fn fit(&mut self, r: u32, cells: &[(u16, &str)], min_lines: u32) -> Res {
        let lines = self.cols.lines(cells).max(min_lines);
        self.height(r, row_pixels(lines))
    }

    /// Title (row 0) and info line (row 1) across the table, "单位：元" in the last column when
    /// `unit`; `heights` of the two rows in points.
    pub fn title_rows(
        &mut self,
        st: &style::Styles,
        title: &str,
        info: &str,
        unit: bool,
        heights: (f64, f64),
    ) -> Res {
        let last = self.cols.count().saturating_sub(1);
        self.merged(0, 0, last, title, &st.title)?;
        self.ws.set_row_height(0, heights.0)?;
        if unit && last >= 1 {
            self.merged(1, 0, last - 1, info, &st.subtitle)?;
            self.text(1, last, "单位：元", &st.subtitle_right)?;
        } else {
            self.merged(1, 0, last, info, &st.subtitle)?;
        }
        self.ws.set_row_height(1, heights.1)?;
        Ok(())
    }

    /// One line of text merged across the table (a 大写 total, a sign-off line), `px` high.
    pub fn line(&mut self, r: u32, s: &str, f: &Format, px: u32) -> Res {
        let last = self.cols.count().saturating_sub(1);
        self.merged(r, 0, last, s, f)?;
        self.height(r, px)
    }

    /// Ends a table whose header is row `header`: the rows down to it frozen, a filter from the
    /// header row down to row `filter_to` (none when None), the print setup with rows
    /// `repeat` repeated on every page.
    pub fn finish(&mut self, header: u32, filter_to: Option<u32>, repeat: (u32, u32)) -> Res {
        self.ws.set_freeze_panes(header + 1, 0)?;
        if let Some(last) = filter_to {
            let last_col = self.cols.count().saturating_sub(1);
            self.ws.autofilter(header, 0, last.max(header), last_col)?;
        }
        style::page_setup(self.ws, Some(repeat), self.cols.total_px())
    }

    /// A wrapped text merged across the whole table, as high as it needs, at least
    /// `min_lines` lines.
    pub fn note(&mut self, r: u32, s: &str, f: &Format, min_lines: u32) -> Res {
        let last = self.cols.count().saturating_sub(1);
        self.merged(r, 0, last, s, f)?;
        let lines = wrapped_lines(s, self.cols.total_px()).max(min_lines);
        self.height(r, row_pixels(lines))
    }
}

/// An Excel date cell's value for `d`.
pub fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

/// A column chart titled `title` over rows `rows` of sheet `sheet`: one series per (name,
/// column) of `series`, the categories in column `categories`. Size, axes and legend are the
/// caller's.
pub fn column_chart(
    title: &str,
    sheet: &str,
    rows: (u32, u32),
    categories: u16,
    series: &[(&str, u16)],
) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    chart
        .title()
        .set_name(title)
        .set_font(ChartFont::new().set_size(12).set_bold());
    let (first, last) = rows;
    for (name, col) in series {
        chart
            .add_series()
            .set_name(*name)
            .set_categories((sheet, first, categories, last, categories))
            .set_values((sheet, first, *col, last, *col));
    }
    chart
}

/// Names `ws` (legal and unique among `taken`) and adds it to `wb`.
pub fn push(
    wb: &mut Workbook,
    mut ws: Worksheet,
    name: &str,
    taken: &mut Vec<String>,
) -> Result<(), XlsxError> {
    ws.set_name(style::sheet_name(name, taken))?;
    wb.push_worksheet(ws);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use calamine::{Data, Reader, Xlsx};
    use rust_decimal::Decimal;

    use super::*;
    use crate::report::style::Styles;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// The `s` (style index) of cell `at` in the sheet's XML, if the cell is stored.
    fn style_of(sheet: &str, at: &str) -> Option<usize> {
        let start = sheet.find(&format!("<c r=\"{at}\""))?;
        let tag = &sheet[start..start + sheet[start..].find('>')?];
        let s = tag.split(" s=\"").nth(1)?;
        s[..s.find('"')?].parse().ok()
    }

    /// The `<xf …>` of cell style `ix` in styles.xml.
    fn xf(styles: &str, ix: usize) -> String {
        let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        xfs.split("<xf ").nth(ix + 1).unwrap().to_string()
    }

    /// Cells written plainly under column formats (the path of the large detail sheets) read
    /// back with their values and their columns' formats: an ID and an account stay text, a
    /// date is a date, an amount has the money format; a cell with another format keeps it,
    /// and a blank of the column's format is no cell at all.
    #[test]
    fn plain_writes_take_their_columns_formats() {
        let st = Styles::new();
        let mut wb = style::workbook();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        let cols = Columns::units(&[20, 20, 12, 12])
            .plain(0, &st.id_text)
            .plain(1, &st.id_text)
            .plain(2, &st.date)
            .plain(3, &st.money);
        cols.apply(ws).unwrap();
        let mut sh = Sheet::new(ws, &cols);
        let day = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        for r in 0..3u32 {
            sh.text(r, 0, "530402199307184704", &st.id_text).unwrap();
            sh.text(r, 1, "6228480318009290780", &st.id_text).unwrap();
            sh.date(r, 2, day, &st.date).unwrap();
            sh.money(r, 3, Decimal::new(10050, 2), &st.money).unwrap();
        }
        // Row 4: a problem cell in red, and a blank ID.
        sh.text(3, 0, "53040219930718470", &st.warn_id_text)
            .unwrap();
        sh.blank(3, 1, &st.id_text).unwrap();
        let bytes = wb.save_to_buffer().unwrap();

        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        let styles = part(&bytes, "xl/styles.xml");
        assert!(sheet.contains("<col "), "no column formats: {sheet}");
        let id = xf(&styles, style_of(&sheet, "A1").unwrap());
        assert!(id.contains("numFmtId=\"49\""), "{id}");
        assert_eq!(style_of(&sheet, "B2"), style_of(&sheet, "A1"));
        let money = xf(&styles, style_of(&sheet, "D1").unwrap());
        assert!(money.contains("numFmtId=\"164\"") || money.contains("numFmtId=\"165\""));
        assert!(styles.contains("formatCode=\"¥#,##0.00\""));
        let warn = style_of(&sheet, "A4").unwrap();
        assert_ne!(Some(warn), style_of(&sheet, "A1"));
        assert!(xf(&styles, warn).contains("numFmtId=\"49\""));
        assert!(style_of(&sheet, "B4").is_none(), "a plain blank is no cell");

        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        for r in 0..3u32 {
            assert_eq!(
                range.get_value((r, 0)),
                Some(&Data::String("530402199307184704".into()))
            );
            assert_eq!(
                range.get_value((r, 1)),
                Some(&Data::String("6228480318009290780".into()))
            );
            let Some(Data::DateTime(d)) = range.get_value((r, 2)) else {
                panic!("not a date: {:?}", range.get_value((r, 2)));
            };
            assert_eq!(d.as_f64(), 45721.0);
            assert_eq!(range.get_value((r, 3)), Some(&Data::Float(100.5)));
        }
    }

    #[test]
    fn columns_measure_what_they_set() {
        let cols = Columns::chars(&[10.0, 26.0]);
        assert_eq!((cols.px(0), cols.px(1), cols.px(9)), (75, 187, 100));
        assert_eq!(cols.total_px(), 262);
        assert_eq!(cols.span_px(0, 1), 262);
        // 75 px hold 4 full-width characters a line, 187 px 13.
        assert_eq!(cols.lines(&[(0, "一二三四五六七八九十一二三四五")]), 4);
        assert_eq!(cols.lines(&[(1, "一二三四五六七八九十一二三四五")]), 2);
        assert_eq!(Columns::units(&[4]).px(0), 34);
    }
}
