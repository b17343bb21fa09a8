//! Bytes → sheets of stored cells. The format is told from the bytes, not the extension
//! (counties rename files), and zip parts are checked against the size limits before calamine
//! inflates anything.

use std::io::Cursor;

use calamine::{
    Data, DataRef, Ods, OdsError, Reader, SheetVisible, Xls, XlsError, XlsOptions, Xlsb, XlsbError,
    Xlsx, XlsxError,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::grid::{CellVal, Grid, Merge};
use super::limits;
use super::xls_text;
use crate::codes::FileCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// One sheet as read: its cells, or why it could not be read.
pub struct SheetRead {
    pub name: String,
    pub hidden: bool,
    pub grid: Result<Grid, String>,
    pub epoch_1904: bool,
}

/// A problem that makes the whole file unusable.
#[derive(Debug, Clone)]
pub struct FileFail {
    pub code: FileCode,
    pub message: String,
}

fn fail(code: FileCode, message: impl Into<String>) -> FileFail {
    FileFail {
        code,
        message: message.into(),
    }
}

pub(crate) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub fn read_workbook(bytes: &[u8]) -> Result<(Format, Vec<SheetRead>), FileFail> {
    if bytes.is_empty() {
        return Err(fail(FileCode::UnreadableFile, "文件为空（0 字节）"));
    }
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(fail(
            FileCode::FileTooLarge,
            format!(
                "文件大小 {} 字节，超过上限 {} 字节",
                bytes.len(),
                limits::MAX_FILE_BYTES
            ),
        ));
    }
    if bytes.starts_with(ZIP_MAGIC) {
        let format = check_zip(bytes)?;
        let sheets = match format {
            Format::Xlsx => read_xlsx(bytes)?,
            Format::Xlsb => read_xlsb(bytes)?,
            Format::Ods => read_ods(bytes)?,
            Format::Xls => return Err(fail(FileCode::UnreadableFile, "无法识别的文件格式")),
        };
        Ok((format, sheets))
    } else if bytes.starts_with(OLE_MAGIC) {
        // calamine follows the container's sector chains without loop detection (a 13 KB file
        // can make it allocate gigabytes), so both readers below only see a container whose
        // chains were walked once, with bounded memory, and found sound.
        if let Err(d) = super::ole::check(bytes) {
            return Err(fail(
                FileCode::UnreadableFile,
                format!("文件内部结构已损坏，无法读取：复合文档中{d}"),
            ));
        }
        // An encrypted xlsx is an OLE file holding an EncryptedPackage stream.
        if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
            return Err(fail(
                FileCode::EncryptedFile,
                "工作簿设有打开密码，无法读取",
            ));
        }
        Ok((Format::Xls, read_xls(bytes)?))
    } else {
        Err(fail(
            FileCode::UnreadableFile,
            "不是 Excel 或 ODS 工作簿（文件内容无法识别，可能是改了扩展名的其他文件或已损坏）",
        ))
    }
}

/// Checks every zip entry's declared sizes before anything is inflated, and tells the format.
fn check_zip(bytes: &[u8]) -> Result<Format, FileFail> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        fail(
            FileCode::UnreadableFile,
            format!("压缩结构损坏或文件不完整：{e}"),
        )
    })?;
    let mut total: u64 = 0;
    let mut format = None;
    if zip.len() > limits::MAX_ZIP_ENTRIES {
        return Err(fail(
            FileCode::FileTooLarge,
            format!(
                "压缩包内有 {} 个部件，超过上限 {}",
                zip.len(),
                limits::MAX_ZIP_ENTRIES
            ),
        ));
    }
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| fail(FileCode::UnreadableFile, format!("压缩结构损坏：{e}")))?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if size > limits::MAX_PART_BYTES
            || (size > limits::BOMB_MIN_BYTES && size / packed > limits::MAX_COMPRESSION_RATIO)
        {
            return Err(fail(
                FileCode::FileTooLarge,
                format!(
                    "部件 {name} 解压后 {size} 字节（压缩 {packed} 字节），超过单个部件上限或压缩比异常（疑似压缩炸弹）"
                ),
            ));
        }
        total = total.saturating_add(size);
        match name.as_str() {
            "xl/workbook.xml" => format = Some(Format::Xlsx),
            "xl/workbook.bin" => format = Some(Format::Xlsb),
            "content.xml" if format.is_none() => format = Some(Format::Ods),
            _ => {}
        }
    }
    if total > limits::MAX_UNPACKED_BYTES {
        return Err(fail(
            FileCode::FileTooLarge,
            format!(
                "解压后共 {total} 字节，超过上限 {} 字节",
                limits::MAX_UNPACKED_BYTES
            ),
        ));
    }
    format.ok_or_else(|| {
        fail(
            FileCode::UnreadableFile,
            "压缩文件中没有工作簿内容（不是 xlsx/xlsb/ods 工作簿）",
        )
    })
}

fn decimal_of(f: f64) -> CellVal {
    CellVal::Number(Decimal::try_from(f).ok())
}

fn date_of(dt: &calamine::ExcelDateTime) -> CellVal {
    let serial = dt.as_f64();
    if !serial.is_finite() || !(0.0..=2_958_465.0).contains(&serial) || dt.is_duration() {
        return CellVal::BadDate(format!("{serial}"));
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    match chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
        Some(day) => CellVal::Date(day),
        None => CellVal::BadDate(format!("{serial}")),
    }
}

fn iso_date(s: &str) -> CellVal {
    let day = s
        .get(..10)
        .and_then(|p| chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").ok());
    match day {
        Some(d) => CellVal::Date(d),
        None => CellVal::Text(s.to_string()),
    }
}

/// Text that is an Excel error literal (ODS gives errors as strings).
fn text_or_error(s: &str) -> CellVal {
    const ERRORS: [&str; 10] = [
        "#N/A",
        "#REF!",
        "#DIV/0!",
        "#VALUE!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    ];
    let t = s.trim();
    if t.starts_with('#') && ERRORS.contains(&t) {
        CellVal::Error(t.to_string())
    } else {
        CellVal::Text(s.to_string())
    }
}

fn convert_ref(v: &DataRef<'_>) -> Option<CellVal> {
    Some(match v {
        DataRef::Empty => return None,
        DataRef::Int(i) => CellVal::Number(Some(Decimal::from(*i))),
        DataRef::Float(f) => decimal_of(*f),
        DataRef::String(s) => text_or_error(s),
        DataRef::SharedString(s) => text_or_error(s),
        DataRef::Bool(b) => CellVal::Bool(*b),
        DataRef::DateTime(dt) => date_of(dt),
        DataRef::DateTimeIso(s) => iso_date(s),
        DataRef::DurationIso(s) => CellVal::Text(s.clone()),
        DataRef::Error(e) => CellVal::Error(e.to_string()),
    })
}

fn convert(v: &Data) -> Option<CellVal> {
    Some(match v {
        Data::Empty => return None,
        Data::Int(i) => CellVal::Number(Some(Decimal::from(*i))),
        Data::Float(f) => decimal_of(*f),
        Data::String(s) => text_or_error(s),
        Data::Bool(b) => CellVal::Bool(*b),
        Data::DateTime(dt) => date_of(dt),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => CellVal::Text(s.clone()),
        Data::Error(e) => CellVal::Error(e.to_string()),
    })
}

fn visibility(v: SheetVisible) -> bool {
    !matches!(v, SheetVisible::Visible)
}

fn too_many_cells(name: &str) -> String {
    format!(
        "工作表“{name}”的单元格超过上限 {} 个",
        limits::MAX_CELLS_PER_FILE
    )
}

fn merges_of(dims: Vec<calamine::Dimensions>) -> Vec<Merge> {
    dims.into_iter()
        .take(limits::MAX_MERGES_PER_SHEET)
        .map(|d| Merge {
            r0: d.start.0,
            c0: d.start.1,
            r1: d.end.0,
            c1: d.end.1,
        })
        .collect()
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetRead>, FileFail> {
    let mut wb = match Xlsx::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(XlsxError::Password) => {
            return Err(fail(
                FileCode::EncryptedFile,
                "工作簿设有打开密码，无法读取",
            ));
        }
        Err(e) => {
            return Err(fail(
                FileCode::UnreadableFile,
                format!("工作簿无法打开：{e}"),
            ));
        }
    };
    let epoch_1904 = wb.has_1904_epoch();
    let meta: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), visibility(s.visible)))
        .collect();
    let mut out = Vec::with_capacity(meta.len());
    let mut budget = limits::MAX_CELLS_PER_FILE;
    let has_merges = worksheets_mention(bytes, b"mergeCell");
    for (name, hidden) in meta {
        let merges = if has_merges {
            wb.merge_cells_by_sheet_name(&name)
                .map(merges_of)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let grid = (|| -> Result<Grid, String> {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| format!("工作表“{name}”无法读取：{e}"))?;
            let mut grid = Grid::default();
            loop {
                let cell = reader
                    .next_cell_with_formula_metadata()
                    .map_err(|e| format!("工作表“{name}”无法读取：{e}"))?;
                let Some(cell) = cell else { break };
                let (r, c) = cell.pos;
                let v = match (convert_ref(&cell.value), cell.formula) {
                    (Some(v), _) => v,
                    (None, Some(f)) => CellVal::Formula(formula_text(&f)),
                    (None, None) => continue,
                };
                grid.push(r, c, v);
                if grid.cell_count > budget {
                    return Err(too_many_cells(&name));
                }
            }
            Ok(grid)
        })();
        let grid = grid.map(|mut g| {
            budget = budget.saturating_sub(g.cell_count);
            g.finish();
            g.set_merges(merges);
            g
        });
        if let Err(msg) = &grid
            && msg.contains("单元格超过上限")
        {
            return Err(fail(FileCode::FileTooLarge, msg.clone()));
        }
        out.push(SheetRead {
            name,
            hidden,
            grid,
            epoch_1904,
        });
    }
    Ok(out)
}

/// Whether any worksheet part of an xlsx contains `needle`. calamine finds merged ranges by
/// parsing the whole sheet XML a second time (a fifth of the read time of a plain claim file);
/// inflating and scanning the raw bytes is far cheaper, and a sheet without the word has no
/// merges. Any doubt (a part that cannot be inflated) answers yes, which is only slower.
fn worksheets_mention(bytes: &[u8], needle: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return true;
    };
    let finder = memchr::memmem::Finder::new(needle);
    // Streamed in chunks (a sheet part may inflate to hundreds of megabytes); the tail of each
    // chunk is kept so a needle split across two reads is still found.
    let keep = needle.len().saturating_sub(1);
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else {
            return true;
        };
        let is_sheet = entry
            .name()
            .is_ok_and(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"));
        if !is_sheet {
            continue;
        }
        let mut filled = 0usize;
        loop {
            let n = match std::io::Read::read(&mut entry, buf.get_mut(filled..).unwrap_or_default())
            {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => return true,
            };
            let end = filled + n;
            let window = buf.get(..end).unwrap_or_default();
            if finder.find(window).is_some() {
                return true;
            }
            let tail = end.min(keep);
            buf.copy_within(end - tail..end, 0);
            filled = tail;
        }
    }
    false
}

fn formula_text(f: &calamine::XlsxFormulaMetadata) -> String {
    match f {
        calamine::XlsxFormulaMetadata::Normal { formula } => formula.clone(),
        other => format!("{other:?}").chars().take(200).collect(),
    }
}

fn read_xlsb(bytes: &[u8]) -> Result<Vec<SheetRead>, FileFail> {
    let mut wb = match Xlsb::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(XlsbError::Password) => {
            return Err(fail(
                FileCode::EncryptedFile,
                "工作簿设有打开密码，无法读取",
            ));
        }
        Err(e) => {
            return Err(fail(
                FileCode::UnreadableFile,
                format!("工作簿无法打开：{e}"),
            ));
        }
    };
    let epoch_1904 = wb.has_1904_epoch();
    let meta: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), visibility(s.visible)))
        .collect();
    let mut out = Vec::new();
    for (name, hidden) in meta {
        let grid = (|| -> Result<Grid, String> {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| format!("工作表“{name}”无法读取：{e}"))?;
            let mut grid = Grid::default();
            while let Some(cell) = reader
                .next_cell()
                .map_err(|e| format!("工作表“{name}”无法读取：{e}"))?
            {
                if let Some(v) = convert_ref(cell.get_value()) {
                    let (r, c) = cell.get_position();
                    grid.push(r, c, v);
                    if grid.cell_count > limits::MAX_CELLS_PER_FILE {
                        return Err(too_many_cells(&name));
                    }
                }
            }
            grid.finish();
            Ok(grid)
        })();
        out.push(SheetRead {
            name,
            hidden,
            grid,
            epoch_1904,
        });
    }
    Ok(out)
}

/// xls and ods are parsed whole by calamine into dense ranges; the worker's memory limit is what
/// stands between a lying dimension record and the machine.
fn dense_to_grid(
    name: &str,
    range: &calamine::Range<Data>,
    formulas: Option<&calamine::Range<String>>,
) -> Result<Grid, String> {
    let mut grid = Grid::default();
    let Some((r0, c0)) = range.start() else {
        if let Some(f) = formulas {
            add_uncached_formulas(&mut grid, f, None);
        }
        grid.finish();
        return Ok(grid);
    };
    for (r, c, v) in range.used_cells() {
        if let Some(v) = convert(v) {
            grid.push(r0 + r as u32, c0 + c as u32, v);
            if grid.cell_count > limits::MAX_CELLS_PER_FILE {
                return Err(too_many_cells(name));
            }
        }
    }
    if let Some(f) = formulas {
        add_uncached_formulas(&mut grid, f, Some(range));
    }
    grid.finish();
    Ok(grid)
}

fn add_uncached_formulas(
    grid: &mut Grid,
    f: &calamine::Range<String>,
    values: Option<&calamine::Range<Data>>,
) {
    let Some((fr0, fc0)) = f.start() else { return };
    for (r, c, text) in f.used_cells() {
        if text.trim().is_empty() {
            continue;
        }
        let (ar, ac) = (fr0 + r as u32, fc0 + c as u32);
        let has_value = values
            .and_then(|v| v.get_value((ar, ac)))
            .is_some_and(|d| !matches!(d, Data::Empty));
        if !has_value {
            grid.push(ar, ac, CellVal::Formula(text.clone()));
        }
    }
}

/// An .xls read with the decoding its format calls for (see [`xls_text`]); text that is garbage
/// however it is decoded makes the whole file unreadable rather than a file without claims.
fn read_xls(bytes: &[u8]) -> Result<Vec<SheetRead>, FileFail> {
    let head = super::ole::workbook_head(bytes, xls_text::HEAD_BYTES);
    let plan = xls_text::decoding(head.as_deref());
    let sheets = read_xls_as(bytes, plan.first)?;
    if !xls_text::garbled(&sheets) {
        return Ok(sheets);
    }
    if let Some(cp) = plan.retry
        && let Ok(again) = read_xls_as(bytes, Some(cp))
        && !xls_text::garbled(&again)
    {
        return Ok(again);
    }
    Err(fail(FileCode::UnreadableFile, xls_text::UNDECODABLE))
}

/// An .xls as calamine reads it, with `codepage` forced on its strings when given.
fn read_xls_as(bytes: &[u8], codepage: Option<u16>) -> Result<Vec<SheetRead>, FileFail> {
    let mut options = XlsOptions::default();
    options.force_codepage = codepage;
    let mut wb = match Xls::new_with_options(Cursor::new(bytes), options) {
        Ok(wb) => wb,
        Err(XlsError::Password) => {
            return Err(fail(
                FileCode::EncryptedFile,
                "工作簿设有打开密码，无法读取",
            ));
        }
        Err(e) => {
            return Err(fail(
                FileCode::UnreadableFile,
                format!("工作簿无法打开：{e}"),
            ));
        }
    };
    let epoch_1904 = wb.has_1904_epoch();
    let meta: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), visibility(s.visible)))
        .collect();
    let mut out = Vec::new();
    for (name, hidden) in meta {
        let merges = wb
            .merge_cells_by_sheet_name(&name)
            .map(merges_of)
            .unwrap_or_default();
        let formulas = wb.worksheet_formula(&name).ok();
        let grid = wb
            .worksheet_range(&name)
            .map_err(|e| format!("工作表“{name}”无法读取：{e}"))
            .and_then(|range| dense_to_grid(&name, &range, formulas.as_ref()))
            .map(|mut g| {
                g.set_merges(merges);
                g
            });
        out.push(SheetRead {
            name,
            hidden,
            grid,
            epoch_1904,
        });
    }
    Ok(out)
}

fn read_ods(bytes: &[u8]) -> Result<Vec<SheetRead>, FileFail> {
    let mut wb = match Ods::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(OdsError::Password) => {
            return Err(fail(
                FileCode::EncryptedFile,
                "工作簿设有打开密码，无法读取",
            ));
        }
        Err(OdsError::CellLimitExceeded { requested, max }) => {
            return Err(fail(
                FileCode::FileTooLarge,
                format!("工作表声明的表格范围有 {requested} 个单元格，超过上限 {max} 个"),
            ));
        }
        Err(e) => {
            return Err(fail(
                FileCode::UnreadableFile,
                format!("工作簿无法打开：{e}"),
            ));
        }
    };
    let meta: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), visibility(s.visible)))
        .collect();
    let mut out = Vec::new();
    for (name, hidden) in meta {
        let formulas = wb.worksheet_formula(&name).ok();
        let grid = wb
            .worksheet_range(&name)
            .map_err(|e| format!("工作表“{name}”无法读取：{e}"))
            .and_then(|range| dense_to_grid(&name, &range, formulas.as_ref()));
        out.push(SheetRead {
            name,
            hidden,
            grid,
            epoch_1904: false,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(body).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn fixture(path: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        std::fs::read(p.join(path)).unwrap()
    }

    fn texts(sheets: &[SheetRead]) -> Vec<String> {
        let mut out = Vec::new();
        for s in sheets {
            out.push(s.name.clone());
            for (_, cells) in s.grid.as_ref().unwrap().rows() {
                for (_, v) in cells {
                    if let CellVal::Text(t) = v {
                        out.push(t.clone());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn biff8_utf16_under_a_gbk_label_reads_as_written() {
        let bytes = fixture("xls_codepage/twin_cp936/libreoffice_two_row_header_cp936.xls");
        // calamine's own reading goes through the GBK label: garbage.
        let label = read_xls_as(&bytes, None).unwrap();
        assert!(xls_text::garbled(&label));
        assert!(!texts(&label).iter().any(|t| t.contains("人民调解")));
        let (format, sheets) = read_workbook(&bytes).unwrap();
        assert_eq!(format, Format::Xls);
        assert!(!xls_text::garbled(&sheets));
        // Identical to the same file with its original CODEPAGE 1200, read as before.
        let original = fixture("external/lo_xls/libreoffice_two_row_header.xls");
        let before = read_xls_as(&original, None).unwrap();
        assert_eq!(texts(&sheets), texts(&before));
        assert!(texts(&sheets).iter().any(|t| t.contains("人民调解委员会")));
    }

    #[test]
    fn biff5_gbk_reads_whatever_its_label() {
        for name in [
            "xls_codepage/decided/biff5_cp936.xls",
            "xls_codepage/decided/biff5_cp1252_gbk.xls",
            "xls_codepage/decided/biff5_no_codepage.xls",
            "hostile/formats/biff5_gbk.xls",
        ] {
            let (_, sheets) = read_workbook(&fixture(name)).unwrap();
            let t = texts(&sheets);
            assert_eq!(t[0], "申报表", "{name}");
            assert!(t.iter().any(|t| t == "人民调解委员会"), "{name}");
        }
        // The 1252 label read as declared is what needed the second try.
        let b = fixture("xls_codepage/decided/biff5_cp1252_gbk.xls");
        assert!(xls_text::garbled(&read_xls_as(&b, None).unwrap()));
    }

    #[test]
    fn text_that_no_decoding_reads_makes_the_file_unreadable() {
        for name in [
            "xls_codepage/refused/biff8_compressed_gbk.xls",
            "xls_codepage/refused/biff5_utf16.xls",
        ] {
            let Err(f) = read_workbook(&fixture(name)) else {
                panic!("{name} was read");
            };
            assert_eq!(f.code, FileCode::UnreadableFile, "{name}");
            assert_eq!(f.message, xls_text::UNDECODABLE, "{name}");
        }
        let Err(f) = read_workbook(&fixture("xls_codepage/refused/biff8_rc4_cp936.xls")) else {
            panic!("an encrypted file was read");
        };
        assert_eq!(f.code, FileCode::EncryptedFile);
    }

    #[test]
    fn merged_cells_are_found_wherever_the_word_falls() {
        // Across the 64 KiB read boundary, at the very end, and not at all.
        for at in [0usize, 65_530, 65_536 - 4, 65_536, 200_000] {
            let mut xml = vec![b' '; at];
            xml.extend_from_slice(b"<mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells>");
            let z = zip_with(&[
                ("xl/workbook.xml", b"<workbook/>".to_vec()),
                ("xl/worksheets/sheet1.xml", xml),
            ]);
            assert!(worksheets_mention(&z, b"mergeCell"), "at {at}");
        }
        let z = zip_with(&[
            ("xl/sharedStrings.xml", b"mergeCell".to_vec()),
            ("xl/worksheets/sheet1.xml", vec![b'x'; 300_000]),
        ]);
        assert!(!worksheets_mention(&z, b"mergeCell"));
        assert!(worksheets_mention(b"not a zip", b"mergeCell"));
    }
}
