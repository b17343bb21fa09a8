//! Outputs in use (SPEC §10.6): before the first output is replaced, every file the run will
//! replace or remove and every folder it will write into is tried, and a run that could not
//! finish stops with nothing changed.
//!
//! - A file that exists is opened for writing *without truncating it*, and its read-only flag is
//!   read. On Windows a workbook open in Excel or WPS is held without write sharing, so the open
//!   fails with a sharing violation (the same thing that would make the rename over it fail);
//!   a read-only file cannot be replaced by rename there either. On Linux nothing holds a file
//!   open against others, and root ignores permission bits, so the read-only flag is read
//!   explicitly: a read-only file is what stands in for a file open in Excel in the tests.
//! - A folder that exists must take a new file (a temporary file is created and removed); on
//!   Unix a folder without write permission bits is refused as well, again because root would be
//!   let through. Windows' read-only flag on folders means nothing for writing and is not read.
//!   A folder that does not exist yet is judged by its nearest existing parent.
//!
//! The check narrows the window but cannot close it: a file opened between the check and the
//! rename makes that rename fail. Each output is replaced on its own (temp file + rename), and
//! the ledger only after every report is in place, so such a failure leaves the ledger's record
//! as it was and names the file; running the period again after closing it puts everything right.

use std::path::{Path, PathBuf};

use super::Refusal;

/// Windows' ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION: another program holds the file.
const SHARING_VIOLATIONS: [i32; 2] = [32, 33];

fn in_use_message(path: &Path, why: &str) -> String {
    format!(
        "无法替换 {}（{why}）：请先关闭 Excel/WPS 中打开的 {} 后重新运行；如文件设为只读，请取消只读属性",
        path.display(),
        path.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.display().to_string())
    )
}

/// Why `path` (an existing file) cannot be replaced, if it cannot.
fn file_problem(path: &Path) -> Option<String> {
    let md = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(in_use_message(path, &format!("无法读取文件信息：{e}"))),
    };
    if md.is_dir() {
        return Some(format!(
            "无法写入 {}：同名的文件夹占用了这个位置，请移走后重新运行",
            path.display()
        ));
    }
    if md.permissions().readonly() {
        return Some(in_use_message(path, "文件是只读的"));
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .truncate(false)
        .open(path)
    {
        Ok(_) => None,
        Err(e)
            if e.raw_os_error()
                .is_some_and(|c| SHARING_VIOLATIONS.contains(&c)) =>
        {
            Some(in_use_message(path, "文件正被其他程序打开"))
        }
        Err(e) => Some(in_use_message(path, &format!("无法打开：{e}"))),
    }
}

#[cfg(unix)]
fn folder_read_only(md: &std::fs::Metadata) -> bool {
    md.permissions().readonly()
}

#[cfg(not(unix))]
fn folder_read_only(_md: &std::fs::Metadata) -> bool {
    false
}

/// Why nothing can be written into `dir` (or, when it does not exist, into the folder it would
/// be created in), if so.
fn folder_problem(dir: &Path) -> Option<String> {
    let mut d: PathBuf = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    };
    loop {
        match std::fs::metadata(&d) {
            Ok(md) if md.is_dir() => break,
            Ok(_) => {
                return Some(format!(
                    "无法创建文件夹 {}：{} 是文件，不是文件夹",
                    dir.display(),
                    d.display()
                ));
            }
            Err(_) => match d.parent() {
                Some(p) if !p.as_os_str().is_empty() => d = p.to_path_buf(),
                _ => {
                    d = PathBuf::from(".");
                    break;
                }
            },
        }
    }
    let refuse = |why: String| {
        Some(format!(
            "无法写入文件夹 {}（{why}）：请取消该文件夹的只读属性或检查权限，或用 --out 换一个输出文件夹后重新运行",
            d.display()
        ))
    };
    if std::fs::metadata(&d).is_ok_and(|m| folder_read_only(&m)) {
        return refuse("文件夹是只读的".to_string());
    }
    match tempfile::Builder::new()
        .prefix(".payrun-")
        .suffix(".tmp")
        .tempfile_in(&d)
    {
        Ok(_) => None,
        Err(e) => refuse(format!("无法在其中创建文件：{e}")),
    }
}

/// Checks that every file in `files` that exists can be replaced (or removed) and that every
/// folder in `folders` takes new files. All problems are reported together, one per line.
pub fn preflight(files: &[PathBuf], folders: &[PathBuf]) -> Result<(), Refusal> {
    let mut problems: Vec<String> = Vec::new();
    for d in folders {
        if let Some(p) = folder_problem(d)
            && !problems.contains(&p)
        {
            problems.push(p);
        }
    }
    for f in files {
        if let Some(p) = file_problem(f) {
            problems.push(p);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal(format!(
            "{}\n未写入任何文件，以前的输出和台账保持不变。",
            problems.join("\n")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn set_mode(p: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn writable_targets_pass_and_missing_ones_are_judged_by_their_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("a.xlsx"), b"x").unwrap();
        let files = [d.join("a.xlsx"), d.join("new/b.xlsx")];
        let folders = [d.to_path_buf(), d.join("new/deeper")];
        assert_eq!(preflight(&files, &folders), Ok(()));
        // The check leaves nothing behind and changes nothing.
        let names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["a.xlsx"]);
        assert_eq!(std::fs::read(d.join("a.xlsx")).unwrap(), b"x");
    }

    #[test]
    fn a_read_only_file_or_folder_is_refused_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let f = d.join("审批汇总表_2025-H1.xlsx");
        std::fs::write(&f, b"x").unwrap();
        let mut p = std::fs::metadata(&f).unwrap().permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&f, p).unwrap();
        let e = preflight(std::slice::from_ref(&f), &[]).unwrap_err().0;
        assert!(
            e.contains("请先关闭 Excel/WPS 中打开的 审批汇总表_2025-H1.xlsx 后重新运行"),
            "{e}"
        );
        assert!(e.contains("只读"), "{e}");
        assert!(e.contains("未写入任何文件"), "{e}");
        #[cfg(unix)]
        {
            let ro = d.join("ro");
            std::fs::create_dir(&ro).unwrap();
            set_mode(&ro, 0o555);
            let e = preflight(&[], &[ro.join("feedback")]).unwrap_err().0;
            assert!(e.contains("无法写入文件夹") && e.contains("ro"), "{e}");
            set_mode(&ro, 0o755);
        }
        let mut p = std::fs::metadata(&f).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        std::fs::set_permissions(&f, p).unwrap();
    }

    #[test]
    fn a_folder_in_the_place_of_an_output_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("summary.json");
        std::fs::create_dir(&f).unwrap();
        assert!(preflight(&[f], &[]).unwrap_err().0.contains("同名的文件夹"));
    }
}
