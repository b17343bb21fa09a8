//! The ledger keeps its history (SPEC §10.4): before a run replaces the ledger, the current one
//! is copied into `台账备份/` beside it as `台账_<run date>_<n>.xlsx` (n = 1, 2, … for the same
//! day), so any run can be undone by copying a file back. The copy is written to a temporary file
//! and put in place without replacing anything: two runs can never share a number, and a copy
//! cut short never carries a backup's name.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::Refusal;

/// The backup folder's name, beside the ledger.
pub const FOLDER: &str = "台账备份";
/// More copies in one day than anyone makes by hand; the bound only keeps the search finite.
const MAX_PER_DAY: u32 = 100_000;

/// The folder the backups of `ledger` go into.
pub fn folder(ledger: &Path) -> PathBuf {
    ledger
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(FOLDER)
}

/// Copies `ledger` into the backup folder; `Ok(None)` when there is no ledger yet.
pub fn backup(ledger: &Path, run_date: NaiveDate) -> Result<Option<PathBuf>, Refusal> {
    if !ledger.exists() {
        return Ok(None);
    }
    let dir = folder(ledger);
    let fail = |e: std::io::Error| {
        Refusal(format!(
            "无法备份台账 {} 到 {}：{e}；台账未替换，未写入任何输出",
            ledger.display(),
            dir.display()
        ))
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".payrun-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(fail)?;
    let mut from = std::fs::File::open(ledger).map_err(fail)?;
    std::io::copy(&mut from, tmp.as_file_mut()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    let day = run_date.format("%Y-%m-%d");
    for n in 1..=MAX_PER_DAY {
        let path = dir.join(format!("台账_{day}_{n}.xlsx"));
        if path.exists() {
            continue;
        }
        match tmp.persist_noclobber(&path) {
            Ok(_) => return Ok(Some(path)),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(fail(e.error)),
        }
    }
    Err(Refusal(format!(
        "无法备份台账 {}：{} 中当天的备份已有 {MAX_PER_DAY} 份；台账未替换，未写入任何输出",
        ledger.display(),
        dir.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backup_is_a_byte_identical_copy_numbered_within_its_day() {
        let tmp = tempfile::tempdir().unwrap();
        let ledger = tmp.path().join("台账.xlsx");
        let day = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        assert_eq!(backup(&ledger, day), Ok(None));
        assert!(!folder(&ledger).exists(), "no ledger, no backup folder");

        std::fs::write(&ledger, b"first").unwrap();
        let a = backup(&ledger, day).unwrap().unwrap();
        std::fs::write(&ledger, b"second").unwrap();
        let b = backup(&ledger, day).unwrap().unwrap();
        let c = backup(&ledger, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
            .unwrap()
            .unwrap();
        let name = |p: &Path| p.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(name(&a), "台账_2025-06-30_1.xlsx");
        assert_eq!(name(&b), "台账_2025-06-30_2.xlsx");
        assert_eq!(name(&c), "台账_2025-07-01_1.xlsx");
        assert_eq!(a.parent().unwrap(), tmp.path().join("台账备份"));
        assert_eq!(std::fs::read(&a).unwrap(), b"first");
        assert_eq!(std::fs::read(&b).unwrap(), b"second");
        // Only the copies are left: no temporary file.
        assert_eq!(std::fs::read_dir(folder(&ledger)).unwrap().count(), 3);
        assert_eq!(folder(Path::new("台账.xlsx")), Path::new("./台账备份"));
    }
}
