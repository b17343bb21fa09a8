//! How the strings of an .xls are decoded, and how to tell when they still do not read
//! (issue 19).
//!
//! BIFF8 (Excel 97 and later) stores every string with its own flag: UTF-16LE, or "compressed",
//! which is UTF-16 with the high byte of each character dropped (one byte per character of
//! U+0000–U+00FF). The CODEPAGE record has no say over them. calamine 0.38 nevertheless passes
//! BIFF8 strings through the CODEPAGE's decoder: under 936 (GBK), as Java exporters label their
//! files, UTF-16 Chinese becomes mojibake and compressed ASCII gets a NUL after each letter.
//! Only 1200 (UTF-16, also calamine's default when the record is missing) gives every string its
//! flag's meaning. So a BIFF8 workbook is read with the code page forced to 1200 through
//! calamine's public `force_codepage`, which also makes it skip the CODEPAGE record: the same
//! bytes calamine would see if the record said 1200, without copying the file to rewrite it.
//!
//! BIFF5 and older are code-page text: the record decides. Counties' old files are GBK, so when
//! the declared code page (or calamine's default, without a record) gives garbage, GBK is tried.
//!
//! A file whose text is garbage however it is decoded is refused with [`UNDECODABLE`]: it is not
//! a workbook without a claim sheet, it is one payrun cannot read.

use super::grid::CellVal;
use super::header::HEADER_SEARCH_ROWS;
use super::read::SheetRead;

/// The answer (`unreadable_file`) for a workbook whose text no decoding makes readable.
pub const UNDECODABLE: &str = "文件编码无法识别，请用 Excel/WPS 另存为 .xlsx 后重新报送";

/// How much of the workbook stream [`decoding`] looks at. The records it needs (BOF, FILEPASS,
/// CODEPAGE) come first, within a few hundred bytes in every writer's files.
pub const HEAD_BYTES: usize = 64 * 1024;

/// MS-XLS code pages.
const UTF_16: u16 = 1200;
const GBK: u16 = 936;

const BOF: u16 = 0x0809;
const FILEPASS: u16 = 0x002F;
const CODEPAGE: u16 = 0x0042;
const EOF: u16 = 0x000A;

/// How calamine is to decode the strings of one .xls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoding {
    /// The code page forced on the first read; `None` leaves it to the file's CODEPAGE record.
    pub first: Option<u16>,
    /// The code page to force when the first read's text is garbage.
    pub retry: Option<u16>,
}

/// calamine's own reading, untouched.
const AS_DECLARED: Decoding = Decoding {
    first: None,
    retry: None,
};

/// Decides from the start of the workbook stream (`None` when it could not be found).
///
/// The BIFF version is taken the way calamine takes it (which is what decides how calamine
/// parses the strings): BIFF8 until a BOF record says otherwise, and any version it does not
/// know counts as BIFF8. A FILEPASS record leaves the file as it is: calamine answers an RC4 or
/// CryptoAPI file as password-protected, and under XOR obfuscation the CODEPAGE record is itself
/// obfuscated, so nothing here can say what it means.
pub fn decoding(head: Option<&[u8]>) -> Decoding {
    let Some(mut rest) = head else {
        return AS_DECLARED;
    };
    let mut biff8 = true;
    let mut declared = None;
    while let Some((typ, data, next)) = record(rest) {
        match typ {
            BOF => biff8 = bof_is_biff8(data),
            FILEPASS => return AS_DECLARED,
            CODEPAGE => {
                declared = Some(u16_at(data, 0));
                break;
            }
            EOF => break,
            _ => {}
        }
        rest = next;
    }
    if biff8 {
        Decoding {
            first: Some(UTF_16),
            retry: None,
        }
    } else {
        Decoding {
            first: None,
            retry: (declared != Some(GBK)).then_some(GBK),
        }
    }
}

/// One BIFF record at the start of `b`: type, data, and what follows. `None` at the end or where
/// the head cuts a record short.
fn record(b: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let typ = u16_at(b, 0);
    let len = u16_at(b, 2) as usize;
    let data = b.get(4..4 + len)?;
    let next = b.get(4 + len..)?;
    Some((typ, data, next))
}

/// calamine's reading of a BOF record's version (`parse_bof`).
fn bof_is_biff8(data: &[u8]) -> bool {
    match u16_at(data, 0) {
        0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500 => false,
        0 => u16_at(data, 2) != 0x1000,
        _ => true,
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_le_bytes([x, y]),
        _ => 0,
    }
}

/// A sheet with fewer telling characters than this says nothing either way.
const MIN_EVIDENCE: usize = 8;
/// A sheet is garbage when at least one telling character in this many is a sign of it.
const GARBAGE_ONE_IN: usize = 5;
/// Characters looked at per cell (a cell may hold 32,767).
const CHARS_PER_CELL: usize = 256;

/// Whether the workbook's text is garbage: some sheet reads as garbage and none reads as text.
///
/// What is judged is what a person and the header search see first: each sheet's name and the
/// text cells of its first [`HEADER_SEARCH_ROWS`] rows. Whitespace and printable ASCII are
/// neutral (digits, codes and Latin letters look the same in good text and in most garbage).
/// Of the other characters, signs of garbage are U+FFFD (bytes the decoder rejected), control
/// characters other than tab and line breaks (UTF-16 read as GBK, NULs from compressed strings
/// read through a code page), Latin-1 letters and symbols (GBK bytes read as Latin-1 or
/// Windows-1252), and private-use characters. The symbols a Chinese form may really hold
/// (· × ÷ ¥ °) are not counted.
///
/// Measured on the claim form's headers: GBK read as Latin-1 gives 91 % signs, UTF-16 read as
/// GBK 50 %, UTF-16 read as Latin-1 68 %; the headers themselves 0 %. A sheet is garbage at
/// 20 % and at least [`MIN_EVIDENCE`] signs. Because every sheet of a workbook is decoded the
/// same way, one sheet that reads as text (at least [`MIN_EVIDENCE`] telling characters, under
/// 20 % signs) clears the workbook: a claim sheet next to a sheet of Wingdings check boxes
/// (stored as þ and ¨) is read as usual.
pub fn garbled(sheets: &[SheetRead]) -> bool {
    let mut some_garbage = false;
    for s in sheets {
        let mut t = Tally::default();
        t.add(&s.name);
        if let Ok(grid) = &s.grid {
            for (r, cells) in grid.rows() {
                if *r >= HEADER_SEARCH_ROWS {
                    break;
                }
                for (_, v) in cells {
                    if let CellVal::Text(text) = v {
                        t.add(text);
                    }
                }
            }
        }
        match t.verdict() {
            Some(Verdict::Text) => return false,
            Some(Verdict::Garbage) => some_garbage = true,
            None => {}
        }
    }
    some_garbage
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Text,
    Garbage,
}

#[derive(Default)]
struct Tally {
    telling: usize,
    signs: usize,
}

impl Tally {
    fn add(&mut self, s: &str) {
        for c in s.chars().take(CHARS_PER_CELL) {
            if c.is_whitespace() || c.is_ascii_graphic() {
                continue;
            }
            self.telling += 1;
            if sign_of_garbage(c) {
                self.signs += 1;
            }
        }
    }

    fn verdict(&self) -> Option<Verdict> {
        let garbage_share = self.signs * GARBAGE_ONE_IN >= self.telling;
        if self.telling < MIN_EVIDENCE {
            None
        } else if !garbage_share {
            Some(Verdict::Text)
        } else if self.signs >= MIN_EVIDENCE {
            Some(Verdict::Garbage)
        } else {
            None
        }
    }
}

fn sign_of_garbage(c: char) -> bool {
    match c {
        '\u{FFFD}' | '\u{E000}'..='\u{F8FF}' => true,
        '·' | '×' | '÷' | '¥' | '°' => false,
        '\u{A1}'..='\u{FF}' => true,
        c => c.is_control() && !matches!(c, '\t' | '\n' | '\r'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::grid::Grid;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    fn bof(version: u16, dt: u16) -> Vec<u8> {
        let mut d = version.to_le_bytes().to_vec();
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0; 12]);
        rec(BOF, &d)
    }

    fn head(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    const BY_FLAG: Decoding = Decoding {
        first: Some(UTF_16),
        retry: None,
    };

    #[test]
    fn biff8_strings_are_read_by_their_flags_whatever_the_label() {
        for cp in [936u16, 1252, 1200, 0xFFFF] {
            let h = head(&[
                bof(0x0600, 5),
                rec(0x00E1, &[0xB0, 0x04]),
                rec(CODEPAGE, &cp.to_le_bytes()),
            ]);
            assert_eq!(decoding(Some(&h)), BY_FLAG, "{cp}");
        }
        // No CODEPAGE record; a version calamine does not know; no BOF at all: calamine parses
        // BIFF8 strings in each case.
        assert_eq!(decoding(Some(&bof(0x0600, 5))), BY_FLAG);
        assert_eq!(decoding(Some(&bof(0x0700, 5))), BY_FLAG);
        assert_eq!(decoding(Some(&rec(CODEPAGE, &[0xA8, 0x03]))), BY_FLAG);
        assert_eq!(decoding(Some(&bof(0, 5))), BY_FLAG);
    }

    #[test]
    fn biff5_is_code_page_text_with_gbk_to_fall_back_on() {
        let gbk = head(&[bof(0x0500, 5), rec(CODEPAGE, &936u16.to_le_bytes())]);
        assert_eq!(decoding(Some(&gbk)), AS_DECLARED);
        let western = head(&[bof(0x0500, 5), rec(CODEPAGE, &1252u16.to_le_bytes())]);
        let with_retry = Decoding {
            first: None,
            retry: Some(GBK),
        };
        assert_eq!(decoding(Some(&western)), with_retry);
        assert_eq!(decoding(Some(&bof(0x0500, 5))), with_retry);
        // calamine's reading of version 0: BIFF5 when the substream type is 0x1000.
        assert_eq!(decoding(Some(&bof(0, 0x1000))), with_retry);
    }

    #[test]
    fn encrypted_or_unknown_files_are_left_as_they_are() {
        let rc4 = head(&[
            bof(0x0600, 5),
            rec(FILEPASS, &[1, 0, 1, 0, 1, 0]),
            rec(CODEPAGE, &936u16.to_le_bytes()),
        ]);
        assert_eq!(decoding(Some(&rc4)), AS_DECLARED);
        let xor = head(&[
            bof(0x0600, 5),
            rec(FILEPASS, &[0, 0, 0x12, 0x34, 0x56, 0x78]),
        ]);
        assert_eq!(decoding(Some(&xor)), AS_DECLARED);
        assert_eq!(decoding(None), AS_DECLARED);
        // A head that ends inside a record decides on what came before it.
        let mut cut = head(&[bof(0x0500, 5), rec(CODEPAGE, &936u16.to_le_bytes())]);
        cut.truncate(cut.len() - 1);
        assert_eq!(decoding(Some(&cut)).retry, Some(GBK));
    }

    fn sheet(name: &str, texts: &[(u32, &str)]) -> SheetRead {
        let mut g = Grid::default();
        for (i, (r, t)) in texts.iter().enumerate() {
            g.push(*r, i as u32, CellVal::Text(t.to_string()));
        }
        g.finish();
        SheetRead {
            name: name.into(),
            hidden: false,
            grid: Ok(g),
            epoch_1904: false,
        }
    }

    const HEADERS: [&str; 8] = [
        "县（市、区）",
        "司法所",
        "人民调解委员会",
        "案件编号",
        "纠纷等级",
        "结案日期",
        "调解员",
        "身份证号码",
    ];
    /// HEADERS as UTF-16LE bytes read as GBK (the case).
    const UTF16_AS_GBK: [&str; 8] = [
        "縎\u{8}\u{FFFD}\u{2}^\u{1}0:S\t\u{FFFD}",
        "鳶誰@b",
        "篘\u{11}l\u{3}屻壴YXT\u{1a}O",
        "Hh鯪\u{16}\u{7f}鱏",
        "爚穨I{\u{FFFD}~",
        "觺Hh錯\u{1f}g",
        "\u{3}屻塜T",
        "珟齆翄鱏\u{1}x",
    ];
    /// HEADERS as GBK bytes read as Latin-1.
    const GBK_AS_LATIN1: [&str; 8] = [
        "ÏØ£¨ÊÐ¡¢Çø£©",
        "Ë¾·¨Ëù",
        "ÈËÃñµ÷½âÎ¯Ô±»á",
        "°¸¼þ±àºÅ",
        "¾À·×µÈ¼¶",
        "½á°¸ÈÕÆÚ",
        "µ÷½âÔ±",
        "Éí·ÝÖ¤ºÅÂë",
    ];

    fn header_sheet(name: &str, cells: &[&str]) -> SheetRead {
        let texts: Vec<(u32, &str)> = cells.iter().map(|t| (2, *t)).collect();
        sheet(name, &texts)
    }

    #[test]
    fn mis_decoded_headers_are_garbage_and_real_ones_are_not() {
        assert!(!garbled(&[header_sheet("申报表", &HEADERS)]));
        assert!(garbled(&[header_sheet("Sheet1", &UTF16_AS_GBK)]));
        assert!(garbled(&[header_sheet("Sheet1", &GBK_AS_LATIN1)]));
        // NULs and U+FFFD (GBK read through compressed strings under 936).
        let nuls = ["\u{FFFD}\0\u{FFFD}\0\u{FFFD}\0\u{FFFD}\0\u{FFFD}\0"; 2];
        assert!(garbled(&[header_sheet("Sheet1", &nuls)]));
    }

    #[test]
    fn one_readable_sheet_clears_the_workbook() {
        let good = header_sheet("申报表", &HEADERS);
        let boxes = header_sheet("勾选", &["þ¨þ¨þ¨þ¨þ¨þ¨þ¨þ¨þ¨"]);
        assert!(garbled(std::slice::from_ref(&boxes)));
        assert!(!garbled(&[boxes, good]));
        // The claim sheet itself with a check-box column and a name with a middle dot.
        let mut cells: Vec<&str> = HEADERS.to_vec();
        cells.extend([
            "þ",
            "þ",
            "¨",
            "阿依古丽·买买提",
            "¥100",
            "玉带路社区人民调解委员会",
        ]);
        assert!(!garbled(&[header_sheet("申报表", &cells)]));
    }

    #[test]
    fn too_little_text_says_nothing() {
        // Numbers, ASCII, and a few odd characters: neither text nor garbage.
        assert!(!garbled(&[header_sheet("Sheet1", &["No.", "ID", "2025"])]));
        assert!(!garbled(&[header_sheet("Sheet1", &["Ã©", "\u{1}"])]));
        assert!(!garbled(&[]));
        // Garbage below the rows the header search reads is not looked at.
        let below = sheet("Sheet1", &[(HEADER_SEARCH_ROWS, GBK_AS_LATIN1[2])]);
        assert!(!garbled(&[below]));
    }
}
