//! Reading the files of the money's way back (a bank's answer, an 账户更正表) into sheets of
//! cells: any workbook calamine reads, or a text file (a txt/csv answer in UTF-8 or GB18030 with
//! any common delimiter). These files come from the bank or the bureau's own officer, one or a
//! few at a time, so they are read in-process — but by the claim forms' reader
//! ([`crate::ingest::read::read_workbook`]) with its limits: size, zip bombs, broken OLE, cell
//! count. Numbers arrive as `Decimal`, converted once at that boundary.

use std::path::Path;

use rust_decimal::Decimal;

use crate::cell::compact;
use crate::ingest::grid::CellVal;
use crate::ingest::limits::MAX_FILE_BYTES as MAX_BYTES;
use crate::ingest::worker::Isolation;

/// Columns of a row kept: an answer or a correction form has a dozen; a stray cell far to the
/// right (XFD) must not make every row 16,384 cells wide.
const MAX_COLUMNS: u32 = 256;

/// One cell: text as written, or a number.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number(Decimal),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }
    /// Text for messages.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(d) => d.normalize().to_string(),
        }
    }
}

/// A sheet, or the whole of a text file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    /// Sheet name; empty for a text file.
    pub sheet: String,
    pub rows: Vec<Vec<Cell>>,
}

/// The place of a row for messages: "file｜sheet｜第 N 行" (N 1-based).
pub fn place(file: &str, sheet: &str, row: usize) -> String {
    if sheet.is_empty() {
        format!("{file}｜第 {} 行", row + 1)
    } else {
        format!("{file}｜{sheet}｜第 {} 行", row + 1)
    }
}

const ZIP: [u8; 4] = [0x50, 0x4B, 0x03, 0x04];
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads `path` (shown as `name`). A file that is neither a readable workbook nor text is an
/// error naming it.
pub fn read(path: &Path, name: &str, iso: &Isolation) -> Result<Vec<Grid>, String> {
    match iso {
        Isolation::InProcess => read_in_process(path, name),
        // calamine can abort a process on a crafted workbook: parsed by a worker, under its
        // memory and time limits, like the claim forms.
        Isolation::Subprocess(exe) => crate::ingest::worker::read_grids(
            exe,
            &crate::ingest::InputFile {
                abs: path.to_path_buf(),
                rel: name.to_string(),
            },
        ),
    }
}

/// [`read`] in this process (the worker's side, and tests).
pub fn read_in_process(path: &Path, name: &str) -> Result<Vec<Grid>, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("{name}：无法读取（{}）", crate::zh::io_reason(&e)))?;
    if meta.len() > MAX_BYTES {
        return Err(format!("{name}：文件超过 100 MB，未读取"));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{name}：无法读取（{}）", crate::zh::io_reason(&e)))?;
    if bytes.starts_with(&ZIP) || bytes.starts_with(&OLE) {
        return read_workbook(bytes, name);
    }
    read_text(&bytes, name)
}

fn read_workbook(bytes: Vec<u8>, name: &str) -> Result<Vec<Grid>, String> {
    let (_, sheets) = crate::ingest::read::read_workbook(&bytes).map_err(|f| {
        format!(
            "{name}：不是可读取的 Excel/WPS 工作簿（{}），未读取",
            f.message
        )
    })?;
    let mut out = Vec::new();
    for sheet in sheets {
        let grid = sheet.grid.map_err(|e| {
            format!(
                "{name}｜{}：工作表无法读取（{e}），未读取此文件",
                sheet.name
            )
        })?;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for (r, cells) in grid.rows() {
            let r = *r as usize;
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            let row = &mut rows[r];
            for (c, v) in cells.iter().filter(|(c, _)| *c < MAX_COLUMNS) {
                let c = *c as usize;
                if row.len() <= c {
                    row.resize(c + 1, Cell::Empty);
                }
                row[c] = cell_of(v);
            }
        }
        out.push(Grid {
            sheet: sheet.name,
            rows,
        });
    }
    Ok(out)
}

fn cell_of(v: &CellVal) -> Cell {
    match v {
        CellVal::Number(Some(d)) => Cell::Number(*d),
        CellVal::Number(None) => Cell::Text(v.display()),
        CellVal::Text(t) if t.is_empty() => Cell::Empty,
        CellVal::Error(_) => Cell::Text("#错误".into()),
        other => Cell::Text(other.display()),
    }
}

fn read_text(bytes: &[u8], name: &str) -> Result<Vec<Grid>, String> {
    let not_text = || format!("{name}：不是 Excel/WPS 工作簿，也不是文本文件，未读取");
    if bytes.contains(&0) {
        return Err(not_text());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(not_text());
            }
            s.into_owned()
        }
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\r' | '\n' | '\t'))
    {
        return Err(not_text());
    }
    let lines: Vec<&str> = text.lines().collect();
    // The delimiter is the one that splits the header line (the first with 账号) into most cells.
    let head = lines
        .iter()
        .find(|l| compact(l).contains("账号"))
        .copied()
        .unwrap_or("");
    let delim = ['|', ',', '\t', ';']
        .into_iter()
        .max_by_key(|d| head.matches(*d).count())
        .unwrap_or(',');
    let rows = lines
        .iter()
        .map(|l| {
            l.split(delim)
                .map(|c| {
                    let c = c.trim().trim_matches('"');
                    if c.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c.to_string())
                    }
                })
                .collect()
        })
        .collect();
    Ok(vec![Grid {
        sheet: String::new(),
        rows,
    }])
}

/// An account or ID number as text. A number cell is accepted only while it is exact (at most
/// 15 digits): a longer one has lost its last digits in Excel, and a payment is never matched or
/// sent on a guess.
pub fn digits_text(c: &Cell) -> Result<String, String> {
    match c {
        Cell::Empty => Ok(String::new()),
        Cell::Text(s) => Ok(compact(s)),
        Cell::Number(d) => {
            if d.fract().is_zero() && d.abs() < Decimal::from(1_000_000_000_000_000i64) {
                Ok(d.trunc().normalize().to_string())
            } else {
                Err(format!(
                    "“{}”被存成了数字，末几位已丢失；请把这一列设为文本格式后重新导出",
                    c.shown()
                ))
            }
        }
    }
}

/// An amount with at most two decimals (`1200`, `1200.00`, `1,200.00`, `¥1200.00元`).
pub fn amount(c: &Cell) -> Result<rust_decimal::Decimal, String> {
    let s = match c {
        Cell::Empty => return Err("金额为空".into()),
        Cell::Number(d) => d.normalize().to_string(),
        Cell::Text(s) => compact(s)
            .trim_start_matches(['¥', '￥'])
            .trim_end_matches('元')
            .replace(',', ""),
    };
    let d: rust_decimal::Decimal = s
        .parse()
        .map_err(|_| format!("金额“{}”不是数字", c.shown()))?;
    if d.is_sign_negative() || d.normalize().scale() > 2 {
        return Err(format!("金额“{}”应为不带负号、最多两位小数的数", c.shown()));
    }
    Ok(crate::money::fen(d))
}

/// The columns of a header row: for each wanted field (by its aliases, compacted), the column.
pub fn find_header(
    rows: &[Vec<Cell>],
    fields: &[&[&str]],
    required: usize,
) -> Option<(usize, Vec<Option<usize>>)> {
    for (r, row) in rows.iter().enumerate().take(20) {
        let heads: Vec<String> = row.iter().map(|c| compact(&c.shown())).collect();
        let cols: Vec<Option<usize>> = fields
            .iter()
            .map(|aliases| heads.iter().position(|h| aliases.contains(&h.as_str())))
            .collect();
        if cols.iter().take(required).all(|c| c.is_some()) {
            return Some((r, cols));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_accounts_stored_as_numbers_are_refused() {
        assert_eq!(
            digits_text(&Cell::Number(Decimal::from(622848))).unwrap(),
            "622848"
        );
        assert!(digits_text(&Cell::Number(Decimal::from(6_228_480_000_000_001_000i64))).is_err());
        assert_eq!(
            digits_text(&Cell::Text(" 6228 4800 01 ".into())).unwrap(),
            "6228480001"
        );
    }

    #[test]
    fn amounts_keep_the_fen_and_refuse_more() {
        assert_eq!(
            amount(&Cell::Number(Decimal::new(1001, 1)))
                .unwrap()
                .to_string(),
            "100.10"
        );
        assert_eq!(
            amount(&Cell::Text("¥1,200.00元".into()))
                .unwrap()
                .to_string(),
            "1200.00"
        );
        assert!(amount(&Cell::Text("100.001".into())).is_err());
        assert!(amount(&Cell::Text("-5".into())).is_err());
        assert!(amount(&Cell::Text("一百".into())).is_err());
    }

    #[test]
    fn gb18030_text_with_pipes_reads_as_a_grid() {
        let (b, _, _) = encoding_rs::GB18030.encode("序号|账号|户名\r\n1|622|张三\r\n");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, &b).unwrap();
        let g = read_in_process(&p, "a.txt").unwrap();
        assert_eq!(g[0].rows[1][2], Cell::Text("张三".into()));
        std::fs::write(&p, [0x50, 0x4B, 3, 4, 0, 0, 9]).unwrap();
        let e = read_in_process(&p, "a.txt").unwrap_err();
        assert!(e.contains("a.txt") && e.contains("不是可读取的"), "{e}");
        std::fs::write(&p, [0xff, 0x00, 0x13, 0x80]).unwrap();
        assert!(
            read_in_process(&p, "a.txt")
                .unwrap_err()
                .contains("不是 Excel/WPS 工作簿")
        );
    }
}
