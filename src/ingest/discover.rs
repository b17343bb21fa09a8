//! Which files of an input folder are read, and the answer every other file gets (SPEC §10.1).
//! `run`, `staff` and `check` all find their files here.
//!
//! A file is told by its bytes, not its name: counties send WPS `.et` files, workbooks renamed
//! `.xls`, templates saved as `.xltx`. So:
//! - a file **named as a workbook** (`.xlsx .xlsm .xls .xlsb .ods .et .ett`) is always read, and
//!   a file that holds no readable workbook gets its file error (`unreadable_file` …): the county
//!   meant to send a workbook;
//! - **any other file** is read when its content is a workbook (a zip holding `xl/workbook.xml`,
//!   `xl/workbook.bin` or an OpenDocument spreadsheet; a compound file holding a `Workbook` or
//!   `Book` stream), and otherwise **skipped**: listed with its reason, never an error, since
//!   dossier scans and notes may travel with the forms. A `.docx` is a zip too and a `.doc` a
//!   compound file; neither holds a workbook. A zip that holds an `.xlsx` is an archive, not a
//!   workbook, and says so;
//! - Office and WPS lock files (`~$…`, `.~lock…`), dot files and folders, Windows hidden files,
//!   `Thumbs.db`, `desktop.ini` and `__MACOSX/` are passed over without a word: nobody sent them.
//!
//! Looking inside a zip or compound file is parsing, and the main process never parses a county's
//! file (a crafted one can abort it): with [`Isolation::Subprocess`] the look is taken by a worker
//! (`payrun __ingest-worker sniff FILE REL`) under the same memory limit as the reading. Only
//! files not named as workbooks that start with a zip or compound-file signature need it; every
//! other file is told from its first eight bytes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rayon::prelude::*;
use wait_timeout::ChildExt;

use super::InputFile;
use super::read::ZIP_MAGIC;
use super::worker::{Isolation, WORKER_ARG};

/// Names that say "workbook": such a file is read whatever it holds.
pub const WORKBOOK_EXTENSIONS: [&str; 7] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "et", "ett"];

/// The worker's schema argument for a look inside a file.
pub const SNIFF_SCHEMA: &str = "sniff";

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
/// Files Windows and macOS leave in folders on their own.
const SYSTEM_FILES: [&str; 3] = ["thumbs.db", "ehthumbs.db", "desktop.ini"];
const ARCHIVE_EXTENSIONS: [&str; 4] = ["zip", "rar", "7z", "tar"];
/// A look inside one file takes milliseconds; a worker that takes this long is stuck.
const SNIFF_SECONDS: u64 = 60;

/// What a skipped file is told, after its name.
pub const NOT_A_WORKBOOK: &str = "不是 Excel/WPS 工作簿，未读取；请用申报表模板填报后报送";
const AN_ARCHIVE: &str = "是压缩包，其中的文件未读取；如内有申报表，请解压后放入输入文件夹重新运行";
const A_LOCK_FILE: &str = "是 Office/WPS 打开文件时留下的临时文件或隐藏文件，不是申报表，未读取";

/// A file that is not read, and why (in Chinese, without the file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    /// As [`InputFile::rel`]: relative to the input folder, '/'-separated.
    pub rel: String,
    pub bytes: u64,
    pub message: String,
}

impl SkippedFile {
    /// The console line: "江川区_申报.csv：不是 Excel/WPS 工作簿，未读取；…".
    pub fn line(&self) -> String {
        format!("{}：{}", self.rel, self.message)
    }
}

/// Every file of an input folder, answered.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Files to read, sorted by relative path.
    pub files: Vec<InputFile>,
    /// Files not read, sorted by relative path.
    pub skipped: Vec<SkippedFile>,
}

/// What a look inside a file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    Workbook,
    /// A zip that holds workbook files rather than being one.
    Archive,
    Other,
}

/// What a file is before its content is looked at.
enum First {
    /// Passed over without a word.
    Ignored,
    /// Read: named as a workbook.
    Read(InputFile),
    /// Starts like a zip or compound file: read when it holds a workbook.
    Look(InputFile, u64),
    Skipped(SkippedFile),
}

fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Lock files, dot files and the files operating systems leave behind.
fn ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || SYSTEM_FILES.contains(&name.to_ascii_lowercase().as_str())
}

fn ignored_folder(name: &str) -> bool {
    name.starts_with('.') || name == "__MACOSX"
}

#[cfg(windows)]
fn hidden(md: &std::fs::Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    // FILE_ATTRIBUTE_HIDDEN: what Explorer hides (WPS and Office lock files carry it too).
    md.file_attributes() & 0x2 != 0
}

#[cfg(not(windows))]
fn hidden(_md: &std::fs::Metadata) -> bool {
    false
}

fn skipped(rel: &str, bytes: u64, message: &str) -> SkippedFile {
    SkippedFile {
        rel: rel.to_string(),
        bytes,
        message: message.to_string(),
    }
}

/// The first answer for one file, from its name and first bytes.
fn first_look(abs: PathBuf, rel: String, name: &str, bytes: u64) -> First {
    if ignored_name(name) {
        return First::Ignored;
    }
    let ext = extension(name);
    if WORKBOOK_EXTENSIONS.contains(&ext.as_str()) {
        return First::Read(InputFile { abs, rel });
    }
    let mut head = Vec::with_capacity(8);
    let read = std::fs::File::open(&abs).and_then(|f| f.take(8).read_to_end(&mut head));
    if let Err(e) = read {
        return First::Skipped(skipped(&rel, bytes, &format!("无法打开（{e}），未读取")));
    }
    if head.starts_with(ZIP_MAGIC) || head == OLE_MAGIC {
        return First::Look(InputFile { abs, rel }, bytes);
    }
    let message = if ARCHIVE_EXTENSIONS.contains(&ext.as_str()) || head.starts_with(EMPTY_ZIP_MAGIC)
    {
        AN_ARCHIVE
    } else {
        NOT_A_WORKBOOK
    };
    First::Skipped(skipped(&rel, bytes, message))
}

/// Every file under `dir`, recursively, with its first answer. Anything under `exclude` (the
/// output folder, when it lies inside the input folder) is left out, and so are dot folders.
/// Symbolic links to folders are not followed (no loops).
fn walk(dir: &Path, exclude: Option<&Path>) -> std::io::Result<Vec<First>> {
    let mut out = Vec::new();
    let exclude = exclude.and_then(|e| std::fs::canonicalize(e).ok());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let (Some(ex), Ok(canon)) = (&exclude, std::fs::canonicalize(&d))
            && canon.starts_with(ex)
        {
            continue;
        }
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if d == dir => return Err(e),
            Err(e) => {
                log::warn!("无法读取文件夹 {}：{e}", d.display());
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            let name = entry.file_name().to_string_lossy().to_string();
            let own = entry.metadata().ok();
            if own.as_ref().is_some_and(hidden) {
                continue;
            }
            if ft.is_dir() {
                if !ignored_folder(&name) {
                    stack.push(path);
                }
                continue;
            }
            let Ok(md) = std::fs::metadata(&path) else {
                continue;
            };
            if !md.is_file() {
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect::<Vec<_>>()
                .join("/");
            out.push(first_look(path, rel, &name, md.len()));
        }
    }
    Ok(out)
}

/// Every file under `dir` answered: the files to read and the files skipped, each sorted by
/// relative path. Files not named as workbooks are looked inside as `iso` says.
pub fn discover(dir: &Path, exclude: Option<&Path>, iso: &Isolation) -> std::io::Result<Discovery> {
    let mut found = Discovery::default();
    let mut look = Vec::new();
    for f in walk(dir, exclude)? {
        match f {
            First::Ignored => {}
            First::Read(f) => found.files.push(f),
            First::Look(f, bytes) => look.push((f, bytes)),
            First::Skipped(s) => found.skipped.push(s),
        }
    }
    let looked: Vec<(InputFile, u64, Sniff)> = look
        .into_par_iter()
        .map(|(f, bytes)| {
            let s = sniff(&f, iso);
            (f, bytes, s)
        })
        .collect();
    for (f, bytes, s) in looked {
        match s {
            Sniff::Workbook => found.files.push(f),
            Sniff::Archive => found.skipped.push(skipped(&f.rel, bytes, AN_ARCHIVE)),
            Sniff::Other => found.skipped.push(skipped(&f.rel, bytes, NOT_A_WORKBOOK)),
        }
    }
    found.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    found.skipped.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(found)
}

/// One file named on the command line (`payrun check FILE`), answered like a file found in a
/// folder, except that a lock or hidden file named on purpose is told why it is not read.
pub fn one_file(abs: &Path, shown: &str, iso: &Isolation) -> Result<InputFile, SkippedFile> {
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let bytes = std::fs::metadata(abs).map(|m| m.len()).unwrap_or(0);
    match first_look(abs.to_path_buf(), shown.to_string(), &name, bytes) {
        First::Ignored => Err(skipped(shown, bytes, A_LOCK_FILE)),
        First::Read(f) => Ok(f),
        First::Skipped(s) => Err(s),
        First::Look(f, bytes) => match sniff(&f, iso) {
            Sniff::Workbook => Ok(f),
            Sniff::Archive => Err(skipped(&f.rel, bytes, AN_ARCHIVE)),
            Sniff::Other => Err(skipped(&f.rel, bytes, NOT_A_WORKBOOK)),
        },
    }
}

fn sniff(file: &InputFile, iso: &Isolation) -> Sniff {
    match iso {
        Isolation::InProcess => sniff_path(&file.abs),
        Isolation::Subprocess(exe) => sniff_in_worker(exe, file),
    }
}

/// Looks inside a file that starts like a zip or a compound file. Runs in the worker.
pub fn sniff_path(abs: &Path) -> Sniff {
    let Ok(mut f) = std::fs::File::open(abs) else {
        return Sniff::Other;
    };
    let mut head = Vec::with_capacity(8);
    if (&mut f).take(8).read_to_end(&mut head).is_err() {
        return Sniff::Other;
    }
    if head.starts_with(ZIP_MAGIC) {
        return sniff_zip(f);
    }
    if head == OLE_MAGIC {
        let size = f.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
        if size > super::limits::MAX_FILE_BYTES {
            return Sniff::Other;
        }
        let Ok(bytes) = std::fs::read(abs) else {
            return Sniff::Other;
        };
        return match super::ole::holds_workbook(&bytes) {
            Ok(true) => Sniff::Workbook,
            _ => Sniff::Other,
        };
    }
    Sniff::Other
}

/// A zip is a workbook when it holds a workbook part, or is an OpenDocument spreadsheet (its
/// `mimetype` says so; a text document or a presentation has content.xml too). Only the
/// central directory and the few bytes of `mimetype` are read.
fn sniff_zip(f: std::fs::File) -> Sniff {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(f)) else {
        return Sniff::Other;
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    if names
        .iter()
        .any(|n| n == "xl/workbook.xml" || n == "xl/workbook.bin")
    {
        return Sniff::Workbook;
    }
    let mimetype = zip.by_name("mimetype").ok().map(|m| {
        let mut v = Vec::new();
        let _ = m.take(ODS_MIMETYPE.len() as u64 + 16).read_to_end(&mut v);
        v
    });
    match mimetype {
        Some(m) if m.starts_with(ODS_MIMETYPE) => return Sniff::Workbook,
        None if names.iter().any(|n| n == "content.xml") => return Sniff::Workbook,
        _ => {}
    }
    let holds_workbooks = names.iter().any(|n| {
        let ext = extension(n);
        WORKBOOK_EXTENSIONS.contains(&ext.as_str())
    });
    if holds_workbooks {
        Sniff::Archive
    } else {
        Sniff::Other
    }
}

/// The worker's side of a look: one byte on stdout.
pub fn sniff_main(abs: &Path) -> i32 {
    use std::io::Write;
    let answer = match sniff_path(abs) {
        Sniff::Workbook => b"w",
        Sniff::Archive => b"a",
        Sniff::Other => b"o",
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(answer).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 3,
    }
}

/// A look in a worker. A worker that dies or hangs found no workbook it could show: the file is
/// skipped (and listed), as a file whose content cannot be told.
fn sniff_in_worker(exe: &Path, file: &InputFile) -> Sniff {
    let child = Command::new(exe)
        .arg(WORKER_ARG)
        .arg(SNIFF_SCHEMA)
        .arg(&file.abs)
        .arg(&file.rel)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return Sniff::Other;
    };
    let status = match child.wait_timeout(Duration::from_secs(SNIFF_SECONDS)) {
        Ok(Some(st)) => st,
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            return Sniff::Other;
        }
    };
    let mut out = Vec::new();
    if let Some(s) = child.stdout.take() {
        let _ = s.take(16).read_to_end(&mut out);
    }
    match (status.success(), out.as_slice()) {
        (true, b"w") => Sniff::Workbook,
        (true, b"a") => Sniff::Archive,
        _ => Sniff::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(path: &Path, parts: &[(&str, &[u8])]) {
        let f = std::fs::File::create(path).unwrap();
        let mut z = zip::ZipWriter::new(f);
        for (name, bytes) in parts {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel)
    }

    /// One folder with every kind of file a county folder has held, found as `run`, `staff`
    /// and `check` find them.
    #[test]
    fn every_file_is_read_skipped_or_ignored_by_its_content() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let xlsx = std::fs::read(fixture("external/openpyxl/openpyxl_messy.xlsx")).unwrap();
        let xls = std::fs::read(fixture("external/lo_xls/libreoffice_two_row_header.xls")).unwrap();
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        std::fs::create_dir_all(d.join("__MACOSX")).unwrap();
        std::fs::create_dir_all(d.join("out")).unwrap();
        let files: [(&str, &[u8]); 10] = [
            ("江川县_申报表.et", &xlsx),
            ("sub/红塔区.xls", &xlsx),
            ("易门县.bak", &xlsx),
            ("华宁县_老格式.dat", &xls),
            ("江川区_申报.csv", b"a,b\n1,2\n"),
            ("scan.pdf", b"%PDF-1.4\n"),
            ("坏文件.xlsx", b"not a workbook"),
            ("~$江川县_申报表.et", b"lock"),
            (".~lock.红塔区.xls#", b"lock"),
            (".hidden.xlsx", &xlsx),
        ];
        for (name, bytes) in files {
            std::fs::write(d.join(name), bytes).unwrap();
        }
        std::fs::write(d.join(".git/x.xlsx"), &xlsx).unwrap();
        std::fs::write(d.join("__MACOSX/._a.xlsx"), b"x").unwrap();
        std::fs::write(d.join("out/审批汇总表.xlsx"), &xlsx).unwrap();
        std::fs::write(d.join("Thumbs.db"), b"x").unwrap();
        zip_with(
            &d.join("说明.docx"),
            &[
                ("[Content_Types].xml", b"<x/>"),
                ("word/document.xml", b"<w/>"),
            ],
        );
        zip_with(&d.join("打包.zip"), &[("红塔区.xlsx", &xlsx)]);
        zip_with(
            &d.join("说明.odt"),
            &[
                ("mimetype", b"application/vnd.oasis.opendocument.text"),
                ("content.xml", b"<x/>"),
            ],
        );
        zip_with(
            &d.join("表.zipped"),
            &[
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
                ("content.xml", b"<x/>"),
            ],
        );

        let found = discover(d, Some(&d.join("out")), &Isolation::InProcess).unwrap();
        let read: Vec<&str> = found.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            read,
            [
                "华宁县_老格式.dat",
                "坏文件.xlsx",
                "易门县.bak",
                "江川县_申报表.et",
                "sub/红塔区.xls",
                "表.zipped"
            ]
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        let skipped: Vec<(&str, &str)> = found
            .skipped
            .iter()
            .map(|s| (s.rel.as_str(), s.message.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("scan.pdf", NOT_A_WORKBOOK),
                ("打包.zip", AN_ARCHIVE),
                ("江川区_申报.csv", NOT_A_WORKBOOK),
                ("说明.docx", NOT_A_WORKBOOK),
                ("说明.odt", NOT_A_WORKBOOK),
            ]
        );
        assert_eq!(
            found.skipped[2].line(),
            "江川区_申报.csv：不是 Excel/WPS 工作簿，未读取；请用申报表模板填报后报送"
        );
        // A file named on purpose is answered the same way; a lock file is told why.
        let iso = Isolation::InProcess;
        assert!(one_file(&d.join("易门县.bak"), "易门县.bak", &iso).is_ok());
        let e = one_file(&d.join("说明.docx"), "说明.docx", &iso).unwrap_err();
        assert_eq!(e.message, NOT_A_WORKBOOK);
        let e = one_file(&d.join("~$江川县_申报表.et"), "~$江川县_申报表.et", &iso).unwrap_err();
        assert_eq!(e.message, A_LOCK_FILE);
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        assert!(discover(Path::new("/nonexistent/in"), None, &Isolation::InProcess).is_err());
    }
}
