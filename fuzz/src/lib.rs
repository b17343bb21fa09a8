//! Shared harness code for the fuzz targets.
//!
//! What counts as a finding. payrun parses each input in a worker process whose
//! `ingest::ingest_path` wraps the parser in `catch_unwind`, and the worker itself runs under an
//! address-space and a time limit. So:
//! - a panic raised inside a dependency (calamine, zip, quick-xml …) while `ingest_path` is on the
//!   stack is **contained**: the file becomes `unreadable_file`. Not a finding.
//! - an allocation failure ("memory allocation of N bytes failed", an abort) is contained by the
//!   worker's memory limit: the file becomes `file_too_large`. libFuzzer still stops on it (it
//!   is an abort); run with `-fork=N -ignore_crashes=1` and triage the artifacts with
//!   `triage.sh`, which tells these apart by the marker below.
//! - a panic raised in payrun's own code is a **finding**, wherever it happens: inside the worker
//!   it silently turns a readable file into `unreadable_file`; anywhere else (claims, decisions,
//!   reports, ledger run in the parent process) it kills the whole batch.
//! - a panic in a dependency while `ingest_path` is NOT on the stack (e.g. rust_xlsxwriter while
//!   writing a report) is a finding too: nothing contains it.
//! - a report or the ledger that cannot be written for some input is a finding: SPEC §8 wants a
//!   file-level error, not a run that exits 1.
//!
//! Findings print [`BUG_MARKER`] on stderr and abort, so libFuzzer saves the input.

use std::backtrace::Backtrace;
use std::path::PathBuf;
use std::sync::{Once, OnceLock};

pub const BUG_MARKER: &str = "PAYRUN-FUZZ-BUG";
pub const CONTAINED_MARKER: &str = "PAYRUN-FUZZ-CONTAINED";

/// The payrun crate's source folder (the fuzz crate sits in `<payrun>/fuzz`).
const PAYRUN_SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../src/");
const HARNESS_SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/");

/// Who owns a source path: "payrun", a dependency's name ("calamine"), "std", "harness" or "?".
/// Symbol names cannot be used: with line tables only, backtraces show bare function names.
fn owner_of(path: &str) -> String {
    if path.starts_with("/rustc/")
        || path.contains("/library/std/")
        || path.contains("/library/core/")
    {
        return "std".into();
    }
    for marker in ["/.cargo/registry/src/", "/.cargo/git/checkouts/"] {
        if let Some(i) = path.find(marker) {
            // …/index.crates.io-xxxx/calamine-0.38.0/src/… → calamine
            let rest = &path[i + marker.len()..];
            let krate = rest.split('/').nth(1).unwrap_or("?");
            let name = krate.rsplit_once('-').map(|(n, _)| n).unwrap_or(krate);
            return name.to_string();
        }
    }
    let normal = path.replace("/fuzz/../", "/");
    let payrun_src = PAYRUN_SRC.replace("/fuzz/../", "/");
    if normal.starts_with(&payrun_src) || path.starts_with("src/") {
        return "payrun".into();
    }
    if path.starts_with(HARNESS_SRC) || path.starts_with("fuzz_targets/") {
        return "harness".into();
    }
    "?".into()
}

/// (owner of the code that panicked, whether `payrun::ingest::ingest_path` is on the stack).
/// The panic location is the panicking code for `#[track_caller]` panics (unwrap, indexing,
/// assert_eq! …); when it is inside std, the first frame outside std and the harness is used.
fn classify(location: &str, bt: &str) -> (String, bool) {
    let in_ingest = bt.contains("ingest_path");
    let owner = owner_of(location);
    if owner != "std" {
        return (owner, in_ingest);
    }
    for line in bt.lines() {
        let Some(path) = line.trim().strip_prefix("at ") else {
            continue;
        };
        let o = owner_of(path);
        if o != "std" && o != "harness" {
            return (o, in_ingest);
        }
    }
    ("?".into(), in_ingest)
}

/// Installs the classifying panic hook (once per process).
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let bt = Backtrace::force_capture().to_string();
            let loc = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let (krate, in_ingest) = classify(&loc, &bt);
            if in_ingest && krate != "payrun" && krate != "?" && krate != "harness" {
                // Contained by ingest_path's catch_unwind: the file is unreadable_file.
                eprintln!("{CONTAINED_MARKER}: panic in {krate} at {loc} (contained)");
                if std::env::var_os("PAYRUN_FUZZ_SHOW_STACK").is_some() {
                    eprintln!("{bt}");
                }
                return;
            }
            let what = if in_ingest {
                "panic in payrun's ingest code (caught by catch_unwind, but a readable file is lost)"
            } else {
                "panic outside the worker (kills the whole run)"
            };
            eprintln!("{BUG_MARKER}: {what}; panicking code: {krate} ({loc})");
            default(info);
            eprintln!("{bt}");
            std::process::abort();
        }));
    });
}

/// Reports a finding that is not a panic and aborts.
pub fn bug(msg: &str) -> ! {
    eprintln!("{BUG_MARKER}: {msg}");
    std::process::abort();
}

/// A per-process scratch folder (`$TMPDIR/payrun-fuzz-<pid>`).
pub fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("payrun-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    })
}

fn policy() -> &'static payrun::policy::Policy {
    static P: OnceLock<payrun::policy::Policy> = OnceLock::new();
    P.get_or_init(|| match payrun::policy::Policy::load(None) {
        Ok(p) => p,
        Err(e) => bug(&format!("embedded policy: {e}")),
    })
}

/// The whole `payrun run` pipeline on one input file, in this process: ingest (as the worker
/// does it), claims, decisions, allocation and, with `write_outputs`, every output and the
/// ledger (slower: a few hundred ms per readable input).
pub fn run_pipeline(bytes: &[u8], name: &str, write_outputs: bool) {
    use payrun::mediation::PriorPayments;
    use payrun::ingest::worker::Isolation;
    use payrun::mediation::{RunConfig, evaluate, period_dir};

    let root = scratch();
    let input = root.join("in");
    let out = root.join("out");
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
    if std::fs::create_dir_all(&input).is_err() || std::fs::write(input.join(name), bytes).is_err()
    {
        bug("cannot write the scratch input");
    }
    let cfg = RunConfig {
        input,
        out: out.clone(),
        period: "2025-H1".into(),
        run_date: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default(),
        threads: Some(1),
        isolation: Isolation::InProcess,
    };
    let result = match evaluate(&cfg, policy().clone(), &PriorPayments::default(), &|_| {}) {
        Ok(r) => r,
        Err(e) => bug(&format!("evaluate failed: {e}")),
    };
    if result.files.len() != 1 {
        bug("the input file was not read");
    }
    // The staff schema goes through the same reader with other headers.
    let _ = payrun::ingest::ingest_path::<payrun::ingest::header::StaffField>(
        &cfg.input.join(name),
        name,
    );
    if !write_outputs {
        return;
    }
    let dir = period_dir(&out, &result.period);
    if let Err(e) = payrun::mediation::write_outputs(&result, &dir) {
        bug(&format!("outputs could not be written: {e}"));
    }
    let mut ledger = payrun::ledger::Ledger::default();
    ledger.replace_period(&result, false);
    let ledger_path = out.join("台账.xlsx");
    if let Err(e) = ledger.save(&ledger_path, result.period.run_date) {
        bug(&format!("ledger could not be written: {e}"));
    }
    // The next period must accept what this one wrote (a value that does not read back the
    // same would look like a hand edit and block every later run).
    match payrun::ledger::Ledger::load(&ledger_path) {
        Ok(Some(back)) if back == ledger => {}
        Ok(Some(_)) => bug("the ledger reads back different"),
        Ok(None) => bug("the ledger just written is missing"),
        Err(e) => bug(&format!("the ledger just written is refused: {e}")),
    }
}

/// Structure-aware mutation for zip-based inputs (xlsx, xlsm, xlsb, ods): mutate one part
/// with libFuzzer's own mutator and zip it again (stored, with correct CRCs), so mutations
/// reach the XML instead of dying on a checksum. Returns the new size, or None to let the
/// caller fall back to a plain byte mutation.
pub fn mutate_zip(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> Option<usize> {
    use std::io::{Cursor, Read, Write};
    let input = data.get(..size)?;
    if !input.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut zin = zip::ZipArchive::new(Cursor::new(input)).ok()?;
    let mut parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(zin.len());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).ok()?;
        if f.size() > 4 * 1024 * 1024 {
            return None;
        }
        let name = f.name().ok()?.to_string();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).ok()?;
        parts.push((name, buf));
    }
    if parts.is_empty() {
        return None;
    }
    // Worksheets and shared strings are where the cells are: pick them twice as often.
    let mut weighted: Vec<usize> = Vec::new();
    for (i, (name, _)) in parts.iter().enumerate() {
        weighted.push(i);
        if name.contains("sheet") || name.contains("sharedStrings") || name == "content.xml" {
            weighted.push(i);
        }
    }
    let pick = *weighted.get(seed as usize % weighted.len())?;
    let (_, part) = parts.get_mut(pick)?;
    let len = part.len();
    part.resize(len * 2 + 256, 0);
    let cap = part.len();
    let new_len = libfuzzer_sys::fuzzer_mutate(part, len, cap);
    part.truncate(new_len);
    let mut zout = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in &parts {
        zout.start_file(name.as_str(), opts).ok()?;
        zout.write_all(bytes).ok()?;
    }
    let out = zout.finish().ok()?.into_inner();
    if out.len() > max_size {
        return None;
    }
    data.get_mut(..out.len())?.copy_from_slice(&out);
    Some(out.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_told_apart_by_the_code_that_panicked() {
        let ingest_bt = "  14: ingest_bytes<payrun::ingest::header::Field>\n  19: ingest_path<payrun::ingest::header::Field>\n";
        let calamine = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/calamine-0.38.0/src/utils.rs:29";
        assert_eq!(classify(calamine, ingest_bt), ("calamine".into(), true));
        let ours = format!("{PAYRUN_SRC}ingest/read.rs:120");
        assert_eq!(classify(&ours, ingest_bt), ("payrun".into(), true));
        assert_eq!(
            classify("src/claim.rs:7", "  3: decide_all\n"),
            ("payrun".into(), false)
        );
        let std_bt = format!(
            "   0: x\n             at /rustc/abc/library/std/src/panicking.rs:1:1\n   1: y\n             at {HARNESS_SRC}src/lib.rs:3:3\n   2: z\n             at {PAYRUN_SRC}cell.rs:9:9\n"
        );
        assert_eq!(
            classify("/rustc/abc/library/alloc/src/string.rs:5", &std_bt),
            ("payrun".into(), false)
        );
    }
}
