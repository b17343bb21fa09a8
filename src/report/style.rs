//! How every workbook looks: the formats (built once per workbook here and shared by every
//! report), Excel's limits as named constants, and the helpers that make text from an input
//! stay text, sheet and file names safe, page setup uniform and saves atomic and reproducible.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

/// Excel's limits.
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_SHEET_NAME_CHARS: usize = 31;
pub const MAX_STRING_UTF16: usize = 32_767;

/// The money format of SPEC §4.6.
pub const MONEY_FORMAT: &str = "¥#,##0.00";

/// Shown in a payroll's 银行账号 (and 备注) when no account was given.
pub const NO_ACCOUNT: &str = "待补账号";
/// Shown in a payroll's 开户银行 (and 备注) when the account has no bank.
pub const NO_BANK: &str = "待补开户银行";

/// Fill of a cell that must be fixed: a rejection (light red). SPEC §11.3: red means one
/// thing everywhere.
pub const WARN_FILL: u32 = 0xFFC7CE;
/// Fill of a cell worth a look but not wrong: a warning on a row that is approved or held
/// (light yellow).
pub const NOTICE_FILL: u32 = 0xFFF2CC;
/// Fill of a held result (light amber).
pub const HELD_FILL: u32 = 0xFFEB9C;

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
    /// [`Styles::id_text`] wrapped: case numbers and file places, which may take two lines.
    pub id_wrap: Format,
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
    /// Text centred (codes, sequence numbers, results).
    pub center: Format,
    pub int_center: Format,
    /// Whole numbers with thousands separators (file sizes).
    pub int_sep: Format,
    pub total_center: Format,
    pub total_text: Format,
    pub total_pct: Format,
    /// Scores to two places.
    pub score: Format,
    pub total_score: Format,
    /// A 大写 total line.
    pub daxie: Format,
    /// A sign-off line (制表人 … 日期).
    pub sign_line: Format,
    /// An explanatory note under a table.
    pub note: Format,
    /// A rejection or failed check: red, bold, centred.
    pub bad: Format,
    /// Held (待定): amber, bold, centred.
    pub held: Format,
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
        let warn_fill = Color::RGB(WARN_FILL);
        let st = Styles {
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
            id_wrap: cell.clone().set_num_format_index(49).set_text_wrap(),
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
            center: Format::new(),
            int_center: Format::new(),
            int_sep: Format::new(),
            total_center: Format::new(),
            total_text: Format::new(),
            total_pct: Format::new(),
            score: Format::new(),
            total_score: Format::new(),
            daxie: Format::new(),
            sign_line: Format::new(),
            note: Format::new(),
            bad: Format::new(),
            held: Format::new(),
        };
        // The variants, derived from the formats above.
        Styles {
            center: st.text.clone().set_align(FormatAlign::Center),
            int_center: st.int.clone().set_align(FormatAlign::Center),
            int_sep: st.int.clone().set_num_format("#,##0"),
            total_center: st.total_label.clone().set_align(FormatAlign::Center),
            total_text: st.total_label.clone().set_text_wrap(),
            total_pct: st.total_label.clone().set_num_format("0.00%"),
            score: st.text.clone().set_num_format("0.00"),
            total_score: st.total_label.clone().set_num_format("0.00"),
            daxie: st.total_label.clone().set_align(FormatAlign::Left),
            sign_line: st.sign.clone().set_align(FormatAlign::VerticalCenter),
            note: st.plain.clone().set_text_wrap().set_align(FormatAlign::Top),
            bad: st
                .warn_text
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center),
            held: st
                .text
                .clone()
                .set_background_color(Color::RGB(HELD_FILL))
                .set_bold()
                .set_align(FormatAlign::Center),
            ..st
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
    // The first pass is an OR over every byte with no early exit: `all` stops at the first
    // hit, which keeps the compiler from vectorising it.
    let suspect = b.iter().fold(false, |acc, &c| {
        acc | (c < 0x20) | (c == 0x7F) | (c == 0xC2)
    });
    let plain = b.len() <= MAX_STRING_UTF16 - 3
        && (!suspect
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

/// A new report workbook with the document properties of [`properties`].
pub fn report_workbook(title: &str, run_date: NaiveDate) -> Workbook {
    let mut wb = workbook();
    wb.set_properties(&properties(title, run_date));
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

/// Page margins (inches): left/right, top/bottom, header/footer. Narrow at the sides, so a wide
/// table keeps its scale; room at the bottom for the page number.
const MARGIN_SIDE: f64 = 0.3;
const MARGIN_TOP_BOTTOM: f64 = 0.5;
const MARGIN_HEADER_FOOTER: f64 = 0.25;

/// A4 in millimetres.
const A4_MM: (f64, f64) = (210.0, 297.0);

/// The width (pixels at 96 dpi, the unit of column widths) a page prints between its side
/// margins, in portrait or landscape.
pub fn printable_px(landscape: bool) -> u32 {
    let paper = if landscape { A4_MM.1 } else { A4_MM.0 };
    let mm = paper - 2.0 * MARGIN_SIDE * 25.4;
    // A few hundred pixels: the cast cannot overflow.
    (mm / 25.4 * 96.0) as u32
}

/// The orientation a table `width_px` wide prints in: portrait when it fits a portrait page at
/// full size, else landscape (SPEC §11.4: landscape where the table is wide).
pub fn landscape_for(width_px: u32) -> bool {
    width_px > printable_px(false)
}

/// The scale (percent) a table `width_px` wide prints at when fitted to the page width.
pub fn fit_scale(width_px: u32) -> u32 {
    let page = printable_px(landscape_for(width_px));
    if width_px <= page {
        100
    } else {
        page * 100 / width_px
    }
}

/// The page setup of every sheet of every workbook (SPEC §11.4), set here once: A4, portrait or
/// landscape by the width of the table (`width_px`, the columns that print), fitted to one page
/// wide, the rows `repeat` (first, last; None for none) printed again at the top of every page,
/// "第 X 页，共 Y 页" in the footer.
pub fn page_setup(
    ws: &mut Worksheet,
    repeat: Option<(u32, u32)>,
    width_px: u32,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    if landscape_for(width_px) {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(
        MARGIN_SIDE,
        MARGIN_SIDE,
        MARGIN_TOP_BOTTOM,
        MARGIN_TOP_BOTTOM,
        MARGIN_HEADER_FOOTER,
        MARGIN_HEADER_FOOTER,
    );
    ws.set_print_center_horizontally(true);
    ws.set_footer(PAGE_FOOTER);
    if let Some((first, last)) = repeat {
        ws.set_repeat_rows(first, last)?;
    }
    Ok(())
}

/// The footer of every printed page.
pub const PAGE_FOOTER: &str = "&C第 &P 页，共 &N 页";

/// "制表日期：2025年6月30日": the run date, the one date every workbook of a run shows
/// (SPEC §11.2).
pub fn made_on(run_date: NaiveDate) -> String {
    format!("制表日期：{}", cn_date(run_date))
}

/// "制表人：　…　制表日期：2025年6月30日", the sign-off line under a printed form, dated with
/// the run date.
pub fn sign_off(run_date: NaiveDate) -> String {
    let gap = "\u{3000}".repeat(6);
    format!(
        "制表人：{gap}审核人：{gap}负责人：{gap}{}",
        made_on(run_date)
    )
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
