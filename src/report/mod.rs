//! Rendering: every output is written from the decisions; nothing here computes a figure that
//! decide/allocate did not already settle. Each file is written to a temporary file in the
//! target folder and renamed into place, so an interrupted run never leaves half a file.
//!
//! The writing kit every workbook of the project uses (program A's here, program B's in
//! `crate::staff::report`, the ledger, the blank forms): [`style`] (formats, limits, page
//! setup, saving), [`sheet`] (the cell writers and column formats) and [`text`] (the one
//! text-width model behind column widths and row heights). Then one module per workbook.

pub mod approval;
pub mod feedback;
pub mod payroll;
pub mod sheet;
pub mod style;
pub mod text;

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temp file in the same folder, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like `write_atomic`, but `fill` streams the content into the temp file, so a large output
/// (a province's decisions.csv, a 40 MB approval workbook) is never held whole in memory.
pub fn write_atomic_with<E>(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<std::io::Error>,
{
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".payrun-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 17, tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    // Temp files are created 0600; an output is an ordinary document the office shares.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| in_use(path, e.error))?;
    Ok(())
}

/// On Windows a workbook open in Excel or WPS cannot be replaced: the rename fails with a sharing
/// violation or access denied (SPEC §10.6). The error says which file and what to do; the
/// system's own words follow in brackets.
fn in_use(path: &Path, e: std::io::Error) -> std::io::Error {
    // ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
    let busy = (cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33)))
        || e.kind() == std::io::ErrorKind::PermissionDenied;
    if !busy {
        return e;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    std::io::Error::new(
        e.kind(),
        format!("文件被占用或只读，无法替换；请先关闭 Excel/WPS 中打开的 {name} 后重新运行（{e}）"),
    )
}
