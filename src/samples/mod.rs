//! `payrun samples`: realistic synthetic county workbooks for both programs, deterministic for a
//! seed, with rows that break every rule so that a run on them shows every code.
//!
//! | module | owns |
//! |---|---|
//! | `claim` | program A: the 人民调解 claim workbooks of both half-years (four shapes) |
//! | `staff` | program B: the 协勤人员 staff workbooks (three shapes) |
//! | `sheet` | the look both share: formats, title and header rows, merged 司法所, 合计 |
//! | `people` | IDs (check character from `crate::cell`), bank accounts, county names |
//! | `written` | values as clerks type them: date forms, full-width digits, numerals |
//! | `random` | the seeded streams every choice is drawn from |
//! | `error` | [`SamplesError`] |
//!
//! Writing is all-or-nothing per file (`crate::report::write_atomic`).

use std::path::{Path, PathBuf};

pub mod claim;
mod error;
mod people;
mod random;
mod sheet;
pub mod staff;
mod written;

pub use claim::{
    SampleOptions, SampleRow, claim_sample_plan, write_all_samples, write_claim_samples,
};
pub use error::SamplesError;
pub use staff::{StaffSampleRow, staff_sample_plan, write_staff_samples};

/// A file name and its bytes.
type NamedFile = (String, Vec<u8>);

/// Writes `files` into `dir` (created); returns their paths, sorted.
fn write_files(dir: &Path, files: Vec<NamedFile>) -> Result<Vec<PathBuf>, SamplesError> {
    std::fs::create_dir_all(dir).map_err(|source| SamplesError::CreateDir {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(&name);
        if let Err(source) = crate::report::write_atomic(&path, &bytes) {
            return Err(SamplesError::Write { path, source });
        }
        written.push(path);
    }
    written.sort();
    Ok(written)
}
