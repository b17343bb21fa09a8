//! Ingest: one input file → its claim sheets and their data rows, each cell as the workbook
//! holds it. Knows calamine, headers, aliases, merged cells and which rows are data (SPEC §4.1,
//! §9.1–§9.3, §9.10); nothing after it does. Policy-free: county names are resolved later.
//!
//! Files are independent and read in parallel. Because a crafted workbook can make calamine
//! abort the whole process (not a panic: nothing can catch it), each file is parsed by a worker —
//! this same binary re-run with a hidden subcommand — under a memory and time limit; a worker
//! that dies becomes that file's error, never the batch's end (see [`worker`]).

pub mod discover;
pub mod grid;
pub mod header;
pub mod ole;
pub mod read;
pub mod worker;
pub mod xls_text;

use std::path::{Path, PathBuf};

pub use discover::{Discovery, SkippedFile, discover};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cell::compact;
use crate::codes::FileCode;
use grid::{CellVal, Grid};
use header::{Column, Field};
pub use read::Format;

/// Limits on what one input file may hold (documented in the README). Real county claim files
/// are well under a megabyte; these leave two orders of magnitude of headroom.
pub mod limits {
    /// Largest input file on disk.
    pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
    /// Largest single zip part once inflated (one worksheet's XML).
    pub const MAX_PART_BYTES: u64 = 512 * 1024 * 1024;
    /// Largest total of all zip parts once inflated.
    pub const MAX_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;
    /// A part above this size must not be compressed more than MAX_COMPRESSION_RATIO : 1
    /// (worksheet XML compresses 5–30 : 1; zip bombs 1000 : 1 and more).
    pub const BOMB_MIN_BYTES: u64 = 16 * 1024 * 1024;
    pub const MAX_COMPRESSION_RATIO: u64 = 200;
    pub const MAX_ZIP_ENTRIES: usize = 10_000;
    /// Stored (non-empty) cells over all sheets of one file.
    pub const MAX_CELLS_PER_FILE: usize = 20_000_000;
    pub const MAX_MERGES_PER_SHEET: usize = 100_000;
    /// Data rows over all claim sheets of one file. Every row read costs the main process about
    /// 20 KB on the way to the reports (measured: 100,000 rows, 1.9 GB), outside the worker's
    /// limits; a county sends a few hundred rows a period.
    pub const MAX_DATA_ROWS_PER_FILE: usize = 50_000;
    /// Address space of one parsing worker.
    pub const WORKER_MEMORY_BYTES: u64 = 4 * 1024 * 1024 * 1024;
    /// Wall time of one parsing worker.
    pub const WORKER_SECONDS: u64 = 300;
}

/// One data row: its 1-based Excel row and, per mapped field, the cell value (merged ranges and
/// the fill-down of §9.10 already applied to 县（市、区） and 司法所).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "F: Column")]
pub struct RawRow<F = Field> {
    pub row: u32,
    pub cells: Vec<(F, CellVal)>,
}

impl<F: Column> RawRow<F> {
    pub fn get(&self, f: F) -> Option<&CellVal> {
        self.cells.iter().find(|(g, _)| *g == f).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SheetProblem {
    pub code: FileCode,
    pub message: String,
}

/// A claim sheet: where its table is and its data rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "F: Column")]
pub struct ClaimTable<F = Field> {
    /// 1-based first header row and header height.
    pub header_row: u32,
    pub header_height: u32,
    /// Field → 0-based column.
    pub columns: Vec<(F, u32)>,
    /// The 填报单位 text and the cell it came from ("A2").
    pub filing_unit: Option<(String, String)>,
    pub rows: Vec<RawRow<F>>,
    pub epoch_1904: bool,
}

impl<F: Column> ClaimTable<F> {
    pub fn column(&self, f: F) -> Option<u32> {
        self.columns.iter().find(|(g, _)| *g == f).map(|(_, c)| *c)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "F: Column")]
pub struct SheetIngest<F = Field> {
    pub name: String,
    /// 0-based position in the workbook.
    pub index: usize,
    pub hidden: bool,
    pub table: Option<ClaimTable<F>>,
    pub problem: Option<SheetProblem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "F: Column")]
pub struct FileIngest<F = Field> {
    /// Path relative to INPUT_DIR, '/'-separated.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: Option<Format>,
    pub error: Option<SheetProblem>,
    pub sheets: Vec<SheetIngest<F>>,
}

impl<F: Column> FileIngest<F> {
    pub fn failed(path: &str, sha256: String, bytes: u64, code: FileCode, message: String) -> Self {
        FileIngest {
            path: path.to_string(),
            sha256,
            bytes,
            format: None,
            error: Some(SheetProblem { code, message }),
            sheets: Vec::new(),
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::policy::hex(&Sha256::digest(bytes))
}

/// Reads one workbook given as bytes. Pure apart from calamine; runs inside the worker.
pub fn ingest_bytes<F: Column>(rel_path: &str, bytes: &[u8]) -> FileIngest<F> {
    let sha = sha256_hex(bytes);
    let (format, sheets) = match read::read_workbook(bytes) {
        Ok(x) => x,
        Err(f) => return FileIngest::failed(rel_path, sha, bytes.len() as u64, f.code, f.message),
    };
    let mut out = Vec::with_capacity(sheets.len());
    for (index, s) in sheets.into_iter().enumerate() {
        let (table, problem) = match &s.grid {
            Err(msg) => (
                None,
                Some(SheetProblem {
                    code: FileCode::UnreadableFile,
                    message: msg.clone(),
                }),
            ),
            Ok(grid) => extract_table::<F>(&s.name, grid, s.epoch_1904, format),
        };
        out.push(SheetIngest {
            name: s.name,
            index,
            hidden: s.hidden,
            table,
            problem,
        });
    }
    let data_rows: usize = out
        .iter()
        .filter_map(|s| s.table.as_ref())
        .map(|t| t.rows.len())
        .sum();
    if data_rows > limits::MAX_DATA_ROWS_PER_FILE {
        return FileIngest::failed(
            rel_path,
            sha,
            bytes.len() as u64,
            FileCode::FileTooLarge,
            format!(
                "文件共有 {data_rows} 个数据行，超过上限 {} 行；请按司法所或季度拆分后分别报送",
                limits::MAX_DATA_ROWS_PER_FILE
            ),
        );
    }
    let mut fi = FileIngest {
        path: rel_path.to_string(),
        sha256: sha,
        bytes: bytes.len() as u64,
        format: Some(format),
        error: None,
        sheets: out,
    };
    if fi.sheets.is_empty() {
        fi.error = Some(SheetProblem {
            code: FileCode::NoClaimSheet,
            message: "工作簿中没有任何工作表".into(),
        });
    } else if !fi
        .sheets
        .iter()
        .any(|s| s.table.is_some() || s.problem.is_some())
    {
        let names: Vec<&str> = fi.sheets.iter().map(|s| s.name.as_str()).collect();
        fi.error = Some(SheetProblem {
            code: FileCode::NoClaimSheet,
            message: format!(
                "所有工作表（{}）的前 {} 行中都找不到申报表表头（至少需一半必填列：县（市、区）、司法所、人民调解委员会、案件编号、纠纷等级、结案日期 等）",
                names.join("、"),
                header::HEADER_SEARCH_ROWS
            ),
        });
    }
    fi
}

/// Finds the claim table of a sheet and its data rows. A sheet without a header is simply not
/// a claim sheet (None, None).
fn extract_table<F: Column>(
    sheet: &str,
    grid: &Grid,
    epoch_1904: bool,
    format: Format,
) -> (Option<ClaimTable<F>>, Option<SheetProblem>) {
    let Some(h) = header::find_header::<F>(grid) else {
        return (None, None);
    };
    let filing_unit = header::find_filing_unit(grid, h.row);
    let mut missing: Vec<&str> = F::all()
        .into_iter()
        .filter(|f| f.required() && !h.columns.iter().any(|(g, _)| g == f))
        .filter(|f| !(f.is_county() && filing_unit.is_some()))
        .map(|f| f.label())
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        let missing: Vec<&str> = F::all()
            .into_iter()
            .filter(|f| missing.contains(&f.label()))
            .map(|f| f.label())
            .collect();
        let place = crate::codes::cell_ref(h.row, 0);
        let place = place.trim_start_matches(char::is_alphabetic);
        return (
            None,
            Some(SheetProblem {
                code: FileCode::MissingColumn,
                message: format!(
                    "工作表“{sheet}”第 {place} 行的表头缺少必需列：{}；找到的表头为：{}",
                    missing.join("、"),
                    h.found.join("、")
                ),
            }),
        );
    }

    let first_data = h.row + h.height;
    let min_col = h.columns.iter().map(|(_, c)| *c).min().unwrap_or(0);
    // SPEC §9.10: only where merges are unknowable (xlsb, ods) does a blank cell inherit.
    let fill_down = matches!(format, Format::Xlsb | Format::Ods);
    let mut last: Vec<(F, CellVal)> = Vec::new();
    let mut rows = Vec::new();
    let claim_cols: Vec<u32> = h.columns.iter().map(|(_, c)| *c).collect();
    let merged = grid.column_merges(&claim_cols);
    for (r, cells) in grid.rows() {
        if *r < first_data {
            continue;
        }
        if !is_data_row(cells, min_col, &h.columns) {
            continue;
        }
        let mut out = Vec::with_capacity(h.columns.len());
        for &(f, c) in &h.columns {
            // The row's own cell first (what get_indexed would find without searching the rows
            // again); the merge lookup only for a blank.
            let own = cells
                .binary_search_by_key(&c, |(col, _)| *col)
                .ok()
                .and_then(|i| cells.get(i))
                .map(|(_, v)| v);
            let mut v = own.or_else(|| grid.get_indexed(*r, c, &merged)).cloned();
            if f.is_grouping() && fill_down {
                match &v {
                    Some(x) => {
                        last.retain(|(g, _)| *g != f);
                        last.push((f, x.clone()));
                    }
                    None => v = last.iter().find(|(g, _)| *g == f).map(|(_, x)| x.clone()),
                }
            }
            if let Some(v) = v {
                out.push((f, v));
            }
        }
        rows.push(RawRow {
            row: r + 1,
            cells: out,
        });
    }
    let table = ClaimTable {
        header_row: h.row + 1,
        header_height: h.height,
        columns: h.columns,
        filing_unit: filing_unit.map(|(t, r, c)| (t, crate::codes::cell_ref(r, c))),
        rows,
        epoch_1904,
    };
    (Some(table), None)
}

const NOTE_PREFIXES: [&str; 12] = [
    "填表说明",
    "注",
    "说明",
    "备注:",
    "制表人",
    "填表人",
    "填报人",
    "审核人",
    "负责人",
    "单位负责人",
    "分管领导",
    "联系电话",
];

/// SPEC §9.2: blank rows, 合计/小计 rows and note rows are not data; every other row with a value
/// in a required column other than 县（市、区） and 司法所 is.
fn is_data_row<F: Column>(cells: &[(u32, CellVal)], min_col: u32, columns: &[(F, u32)]) -> bool {
    // Runs on every row of every file: iterate the filled cells without collecting them.
    let filled = || cells.iter().filter(|(_, v)| !v.is_blank());
    let Some((_, first)) = filled().next() else {
        return false;
    };
    let is_total = filled().any(|(c, v)| {
        *c < min_col + 3
            && matches!(v, CellVal::Text(t) if {
                let t = compact(t);
                t.contains("合计") || t.contains("小计") || t.contains("总计")
            })
    });
    if is_total {
        return false;
    }
    if filled().nth(2).is_none()
        && filled().all(|(_, v)| matches!(v, CellVal::Text(_)))
        && let CellVal::Text(first) = first
    {
        let t = compact(first);
        if NOTE_PREFIXES.iter().any(|p| t.starts_with(p)) {
            return false;
        }
    }
    columns
        .iter()
        .any(|(f, c)| f.required() && !f.is_grouping() && filled().any(|(col, _)| col == c))
}

/// An input file found under INPUT_DIR.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub abs: PathBuf,
    /// Relative to INPUT_DIR, '/'-separated: the stable name used in every output.
    pub rel: String,
}

/// Reads one file in this process (no isolation): used by the worker itself and by tests.
pub fn ingest_path<F: Column>(abs: &Path, rel: &str) -> FileIngest<F> {
    match std::fs::metadata(abs) {
        Ok(m) if m.len() > limits::MAX_FILE_BYTES => {
            return FileIngest::failed(
                rel,
                String::new(),
                m.len(),
                FileCode::FileTooLarge,
                format!(
                    "文件大小 {} 字节，超过上限 {} 字节",
                    m.len(),
                    limits::MAX_FILE_BYTES
                ),
            );
        }
        _ => {}
    }
    match std::fs::read(abs) {
        Ok(bytes) => match std::panic::catch_unwind(|| ingest_bytes::<F>(rel, &bytes)) {
            Ok(fi) => fi,
            Err(_) => FileIngest::failed(
                rel,
                sha256_hex(&bytes),
                bytes.len() as u64,
                FileCode::UnreadableFile,
                "读取工作簿时解析程序出错（文件结构异常）".into(),
            ),
        },
        Err(e) => FileIngest::failed(
            rel,
            String::new(),
            0,
            FileCode::UnreadableFile,
            format!("无法读取文件：{e}"),
        ),
    }
}
