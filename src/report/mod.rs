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
pub mod machine;
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
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
