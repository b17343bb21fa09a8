//! One place for how every workbook looks: formats are built once here and reused; Excel's
//! limits are named constants checked before writing; the helpers make text from input stay
//! text, sheet and file names safe, and saves atomic and reproducible.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, FormatIndex, Workbook,
    Worksheet, XlsxError,
};

/// Excel's limits.
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_SHEET_NAME_CHARS: usize = 31;
pub const MAX_STRING_UTF16: usize = 32_767;

/// The money format of SPEC §4.6.
pub const MONEY_FORMAT: &str = "¥#,##0.00";

/// Formats, built once per workbook.
pub struct Styles {
    pub title: Format,
    pub subtitle: Format,
    pub subtitle_right: Format,
    pub header: Format,
    pub text: Format,
    pub text_wrap: Format,
    /// Built-in text format (index 49) so IDs and accounts stay text when edited.
    pub id_text: Format,
    pub int: Format,
    pub money: Format,
    pub date: Format,
    pub pct: Format,
    pub total_label: Format,
    pub total_int: Format,
    pub total_money: Format,
    pub warn_text: Format,
    pub warn_id_text: Format,
    pub plain: Format,
    pub sign: Format,
}

impl Default for Styles {
    fn default() -> Self {
        Self::new()
    }
}

impl Styles {
    pub fn new() -> Styles {
        let font = "宋体";
        let base = Format::new().set_font_name(font).set_font_size(10);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let header_fill = Color::RGB(0xD9E1F2);
        let total_fill = Color::RGB(0xF2F2F2);
        let warn_fill = Color::RGB(0xFFC7CE);
        Styles {
            title: base
                .clone()
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: base.clone().set_align(FormatAlign::VerticalCenter),
            subtitle_right: base
                .clone()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(header_fill),
            text: cell.clone(),
            text_wrap: cell.clone().set_text_wrap(),
            id_text: cell.clone().set_num_format_index(49),
            int: cell
                .clone()
                .set_num_format("0")
                .set_align(FormatAlign::Right),
            money: cell.clone().set_num_format(MONEY_FORMAT),
            date: cell
                .clone()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Center),
            pct: cell.clone().set_num_format("0.00%"),
            total_label: cell.clone().set_bold().set_background_color(total_fill),
            total_int: cell
                .clone()
                .set_bold()
                .set_num_format("0")
                .set_background_color(total_fill),
            total_money: cell
                .clone()
                .set_bold()
                .set_num_format(MONEY_FORMAT)
                .set_background_color(total_fill),
            warn_text: cell.clone().set_background_color(warn_fill).set_text_wrap(),
            warn_id_text: cell
                .clone()
                .set_num_format_index(49)
                .set_background_color(warn_fill),
            plain: base.clone(),
            sign: base.clone().set_font_size(11),
        }
    }
}

/// Text from an input, made writable: cut to Excel's cell limit, control characters other than
/// line breaks and tabs dropped (they make the XML invalid for some readers). Always written with
/// `write_string`, so `=cmd|…` stays inert text.
pub fn cell_text(s: &str) -> String {
    cell_text_borrowed(s).into_owned()
}

/// [`cell_text`], borrowing the text when it is already writable (nearly always): the cell
/// writes of the large sheets take it from there without a copy of their own.
pub fn cell_text_borrowed(s: &str) -> std::borrow::Cow<'_, str> {
    // Fast path for the usual cell: short (UTF-16 units never exceed UTF-8 bytes) and free of
    // control characters (C0, DEL, and C1 = 0xC2 0x80..=0x9F in UTF-8) — used as it is.
    // A first pass the compiler vectorises passes nearly every cell (no byte below 0x20, no
    // DEL, no 0xC2 lead byte at all); the exact pass decides the rest (line breaks, tabs, é).
    let b = s.as_bytes();
    let plain = b.len() <= MAX_STRING_UTF16 - 3
        && (b.iter().all(|&c| c >= 0x20 && c != 0x7F && c != 0xC2)
            || !b.iter().enumerate().any(|(i, &c)| {
                (c < 0x20 && c != b'\n' && c != b'\t')
                    || c == 0x7F
                    || (c == 0xC2 && b.get(i + 1).is_some_and(|&n| (0x80..=0x9F).contains(&n)))
            }));
    if plain {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(cell_text_by_char(s))
}

/// The definition `cell_text` shortcuts: character by character.
fn cell_text_by_char(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(1024));
    let mut units = 0usize;
    for ch in s.chars() {
        if ch.is_control() && ch != '\n' && ch != '\t' {
            continue;
        }
        units += ch.len_utf16();
        if units > MAX_STRING_UTF16 - 3 {
            out.push('…');
            break;
        }
        out.push(ch);
    }
    out
}

/// A sheet name Excel accepts: no []:*?/\ , not blank, at most 31 characters, unique in `taken`.
pub fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let cleaned: String = wanted
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim().to_string();
    let base: String = if cleaned.is_empty() {
        "Sheet".into()
    } else {
        cleaned
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("({n})")
        };
        let keep = MAX_SHEET_NAME_CHARS - suffix.chars().count();
        let candidate: String = base.chars().take(keep).collect::<String>() + &suffix;
        if !taken
            .iter()
            .any(|t| t.to_lowercase() == candidate.to_lowercase())
        {
            taken.push(candidate.clone());
            return candidate;
        }
        n += 1;
    }
}

/// A file-name component that cannot steer a path: no separators, no `..`, no reserved device
/// names, nothing a file system refuses; never empty.
pub fn file_component(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_control() || "<>:\"/\\|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .trim_matches('.')
        .to_string();
    let upper = out.to_ascii_uppercase();
    let stem = upper.split('.').next().unwrap_or("");
    const RESERVED: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if RESERVED.contains(&stem) {
        out = format!("_{out}");
    }
    if out.is_empty() {
        out = "_".into();
    }
    out.chars().take(80).collect()
}

/// Fixed document properties, so the same inputs give the same bytes.
/// Deflate level of every report. Level 6 (the default) spent a third of a large run in
/// `longest_match`; level 1 trades a somewhat larger file for that time. The cells
/// are the same either way.
pub const ZIP_LEVEL: u8 = 1;

/// A new report workbook.
pub fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(ZIP_LEVEL);
    wb
}

pub fn properties(title: &str, run_date: NaiveDate) -> DocProperties {
    let dt = ExcelDateTime::from_ymd(
        u16::try_from(run_date.year()).unwrap_or(2000),
        run_date.month() as u8,
        run_date.day() as u8,
    )
    .unwrap_or_default();
    DocProperties::new()
        .set_title(title)
        .set_author("玉溪市司法局")
        .set_company("玉溪市司法局")
        .set_comment("由 payrun 生成")
        .set_creation_datetime(&dt)
}

/// Print setup shared by the reports: A4 landscape, one page wide, header rows repeated,
/// "第 X 页，共 Y 页" in the footer.
pub fn print_setup(
    ws: &mut Worksheet,
    repeat_first: u32,
    repeat_last: u32,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.set_repeat_rows(repeat_first, repeat_last)?;
    Ok(())
}

/// Writes a money cell (the only place a Decimal becomes the f64 a spreadsheet cell holds).
pub fn write_money(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Decimal,
    f: &Format,
) -> Result<(), XlsxError> {
    ws.write_with_format(row, col, crate::money::fen(v), f)?;
    Ok(())
}

/// One worksheet's formats and their indices there, found by the format's address.
///
/// rust_xlsxwriter finds a `&Format` by content (hash and compare every property) for every
/// cell it writes, ≈ 10 % of a province's run; payrun's copy of the crate can write by index
/// (`vendor/rust_xlsxwriter/PAYRUN-PATCH.md`). This holds each format borrowed for as long as it
/// is here, so no other format can take its address meanwhile, and asks the crate for a
/// format's index at its first use: the moment a `*_with_format` call would have registered it,
/// so style numbering, and with it every output, is byte-for-byte what it was. One per
/// worksheet: the crate refuses another sheet's index rather than write a wrong format.
#[derive(Default)]
pub struct SheetFormats<'f> {
    known: Vec<(&'f Format, FormatIndex)>,
}

impl<'f> SheetFormats<'f> {
    pub fn index(&mut self, ws: &mut Worksheet, f: &'f Format) -> FormatIndex {
        if let Some((_, ix)) = self.known.iter().find(|(k, _)| std::ptr::eq(*k, f)) {
            return *ix;
        }
        let ix = ws.format_index(f);
        self.known.push((f, ix));
        ix
    }

    /// Writes one cell through `f`'s index.
    fn with_index(
        &mut self,
        ws: &mut Worksheet,
        f: &'f Format,
        write: impl FnOnce(&mut Worksheet, FormatIndex) -> Result<&mut Worksheet, XlsxError>,
    ) -> Result<(), XlsxError> {
        let ix = self.index(ws, f);
        write(ws, ix)?;
        Ok(())
    }

    /// `write_string_with_format`.
    pub fn string(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        s: &str,
        f: &'f Format,
    ) -> Result<(), XlsxError> {
        self.with_index(ws, f, |ws, ix| {
            ws.write_string_with_format_index(row, col, s, ix)
        })
    }

    /// `write_blank`.
    pub fn blank(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        f: &'f Format,
    ) -> Result<(), XlsxError> {
        self.with_index(ws, f, |ws, ix| {
            ws.write_blank_with_format_index(row, col, ix)
        })
    }

    /// `write_boolean_with_format`.
    pub fn boolean(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        b: bool,
        f: &'f Format,
    ) -> Result<(), XlsxError> {
        self.with_index(ws, f, |ws, ix| {
            ws.write_boolean_with_format_index(row, col, b, ix)
        })
    }

    /// `write_with_format` of a Decimal: the crate's own conversion to the cell's f64, and its
    /// error for a value that has none.
    pub fn decimal(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        v: Decimal,
        f: &'f Format,
    ) -> Result<(), XlsxError> {
        let Some(n) = v.to_f64() else {
            return Err(XlsxError::ParameterError(format!(
                "Cannot represent Decimal {v:?} as an Excel f64 value."
            )));
        };
        self.with_index(ws, f, |ws, ix| {
            ws.write_number_with_format_index(row, col, n, ix)
        })
    }

    /// [`write_money`].
    pub fn money(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        v: Decimal,
        f: &'f Format,
    ) -> Result<(), XlsxError> {
        self.decimal(ws, row, col, crate::money::fen(v), f)
    }

    /// [`write_date`].
    pub fn date(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        d: NaiveDate,
        f: &'f Format,
    ) -> Result<(), XlsxError> {
        let dt = excel_date(d)?;
        self.with_index(ws, f, |ws, ix| {
            ws.write_datetime_with_format_index(row, col, &dt, ix)
        })
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )
}

pub fn write_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: NaiveDate,
    f: &Format,
) -> Result<(), XlsxError> {
    let dt = excel_date(d)?;
    ws.write_datetime_with_format(row, col, &dt, f)?;
    Ok(())
}

/// "2025年6月30日".
pub fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Saves a workbook atomically.
pub fn save(wb: &mut Workbook, path: &Path) -> Result<(), String> {
    // Streamed into the temp file: a province's approval workbook is tens of MB.
    enum E {
        Io(std::io::Error),
        Xlsx(XlsxError),
    }
    impl From<std::io::Error> for E {
        fn from(e: std::io::Error) -> E {
            E::Io(e)
        }
    }
    super::write_atomic_with(path, |w| wb.save_to_writer(w).map_err(E::Xlsx)).map_err(|e| match e {
        E::Xlsx(e) => format!("生成 {} 失败：{e}", path.display()),
        E::Io(e) => format!("无法写入 {}：{e}", path.display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same cells through `*_with_format` and through [`SheetFormats`], on an ordinary and a
    /// constant-memory sheet, in an order that registers formats mid-way: the two files must
    /// be byte-identical.
    #[test]
    fn writing_by_format_index_is_byte_identical() {
        let st = Styles::new();
        let dt = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        let save = |indexed: bool| -> Vec<u8> {
            let mut wb = workbook();
            wb.set_properties(&properties("t", dt));
            for constant in [false, true] {
                let ws = if constant {
                    wb.add_worksheet_with_constant_memory().unwrap()
                } else {
                    wb.add_worksheet()
                };
                let mut fx = SheetFormats::default();
                for r in 0..40u32 {
                    let f = if r % 3 == 0 { &st.money } else { &st.text_wrap };
                    let v = Decimal::new(i64::from(r) * 1234, 2);
                    if indexed {
                        fx.string(ws, r, 0, &format!("行{r}"), &st.text).unwrap();
                        fx.string(ws, r, 1, "", &st.id_text).unwrap();
                        fx.money(ws, r, 2, v, f).unwrap();
                        fx.date(ws, r, 3, dt, &st.date).unwrap();
                        fx.blank(ws, r, 4, &st.warn_text).unwrap();
                        fx.boolean(ws, r, 5, r % 2 == 0, &st.text).unwrap();
                        fx.decimal(ws, r, 6, Decimal::from(r), &st.header).unwrap();
                        fx.decimal(ws, r, 7, v, &st.text).unwrap();
                    } else {
                        ws.write_string_with_format(r, 0, format!("行{r}"), &st.text)
                            .unwrap();
                        ws.write_string_with_format(r, 1, "", &st.id_text).unwrap();
                        write_money(ws, r, 2, v, f).unwrap();
                        write_date(ws, r, 3, dt, &st.date).unwrap();
                        ws.write_blank(r, 4, &st.warn_text).unwrap();
                        ws.write_boolean_with_format(r, 5, r % 2 == 0, &st.text)
                            .unwrap();
                        ws.write_with_format(r, 6, r, &st.header).unwrap();
                        ws.write_with_format(r, 7, v, &st.text).unwrap();
                    }
                }
            }
            wb.save_to_buffer().unwrap()
        };
        assert_eq!(save(true), save(false));
    }

    #[test]
    fn a_format_index_from_another_sheet_is_refused() {
        let st = Styles::new();
        let mut wb = workbook();
        let ix = wb.add_worksheet().format_index(&st.text);
        let other = wb.add_worksheet();
        assert!(other.write_string_with_format_index(0, 0, "x", ix).is_err());
        assert!(other.write_blank_with_format_index(0, 0, ix).is_err());
        assert!(other.write_number_with_format_index(0, 0, 1.0, ix).is_err());
    }

    #[test]
    fn hostile_county_values_cannot_steer_paths() {
        assert_eq!(file_component("../../x"), "_.._x");
        assert_eq!(file_component("a/b"), "a_b");
        assert_eq!(file_component("CON"), "_CON");
        assert_eq!(file_component("con.txt"), "_con.txt");
        assert_eq!(file_component(""), "_");
        assert_eq!(file_component(".."), "_");
        assert!(!file_component("..\\..\\evil").contains(['/', '\\']));
    }

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("a/b:c", &mut taken), "a_b_c");
        assert_eq!(sheet_name("A/B:C", &mut taken), "A_B_C(2)");
        let long = "新平彝族傣族自治县人民调解委员会审核明细表第一部分第二部分";
        let n = sheet_name(long, &mut taken);
        assert!(n.chars().count() <= 31);
    }

    proptest::proptest! {
        #[test]
        fn cell_text_fast_path_agrees_with_the_definition(s in "\\PC*|[\\x00-\\u{a0}é玉]{0,40}") {
            proptest::prop_assert_eq!(cell_text(&s), cell_text_by_char(&s));
        }
    }

    #[test]
    fn cell_text_drops_controls_and_respects_the_limit() {
        assert_eq!(cell_text("a\u{0}b\nc"), "ab\nc");
        assert_eq!(cell_text("a\u{85}b\u{7f}c\u{9f}"), "abc");
        assert_eq!(cell_text("玉带路\t司法所\n"), "玉带路\t司法所\n");
        assert_eq!(cell_text("\u{a0}é"), "\u{a0}é");
        let long = "长".repeat(40_000);
        assert!(cell_text(&long).encode_utf16().count() <= MAX_STRING_UTF16);
    }
}
