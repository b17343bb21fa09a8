//! The machine-readable outputs' core, for every form (SPEC §4.6): decisions.csv (UTF-8,
//! RFC 4180, CRLF; one line per data row read, in reading order) and the `files` part of
//! summary.json. Each form names its identity column and adds its own summary figures.

use std::path::Path;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::files::{SKIPPED_STATUS, SkippedFile};
use super::order::reading_order;
use super::{FileReport, FormError, FormRow, Verdict};
use crate::county::CountyCode;
use crate::money::plain;
use crate::policy::Policy;

/// The machine-readable outputs' file names, in every run's output folder.
pub const DECISIONS_CSV: &str = "decisions.csv";
pub const SUMMARY_JSON: &str = "summary.json";

/// Both machine-readable outputs of a run writing into `dir`.
pub fn files_in(dir: &Path) -> [std::path::PathBuf; 2] {
    [dir.join(DECISIONS_CSV), dir.join(SUMMARY_JSON)]
}

/// What a form writes into decisions.csv beside the shared columns.
pub struct CsvLine<'a> {
    /// The row's own county (empty when its county cell names no known county).
    pub county: Option<&'a CountyCode>,
    /// The identity column: the case number, the ID number.
    pub id: &'a str,
    pub standard: Decimal,
    pub approved: Decimal,
}

/// decisions.csv streamed into `to` (a province's file is hundreds of MB): `file, sheet, row,
/// county_code, <id_header>, decision, reasons, standard_amount, approved_amount`.
pub fn write_decisions_csv<'a, R: FormRow, D: Verdict>(
    rows: &'a [R],
    decisions: &'a [D],
    id_header: &str,
    line: impl Fn(&'a R, &'a D) -> CsvLine<'a>,
    to: &mut dyn std::io::Write,
) -> Result<(), csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(to);
    w.write_record([
        "file",
        "sheet",
        "row",
        "county_code",
        id_header,
        "decision",
        "reasons",
        "standard_amount",
        "approved_amount",
    ])?;
    for i in reading_order(rows) {
        let (Some(r), Some(d)) = (rows.get(i), decisions.get(i)) else {
            continue;
        };
        let o = r.origin();
        let l = line(r, d);
        w.write_record([
            &*o.file,
            &*o.sheet,
            &o.row.to_string(),
            l.county.map(|k| k.as_str()).unwrap_or(""),
            l.id,
            d.outcome().as_str(),
            &d.reasons(),
            &plain(l.standard),
            &plain(l.approved),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The `files` of summary.json: per file its status, error and sheets. `sheet_key` names the
/// flag of a form sheet ("claim_sheet", "staff_sheet"); `extra` adds a form's own keys to each
/// file (keys are written sorted, so where they are added does not matter).
pub fn files_json(
    files: &[FileReport],
    sheet_key: &str,
    extra: impl Fn(&FileReport) -> Vec<(&'static str, Value)>,
) -> Vec<Value> {
    files
        .iter()
        .map(|f| {
            let mut v = json!({
                "path": f.path,
                "sha256": f.sha256,
                "bytes": f.bytes,
                "format": f.format.map(|x| format!("{x:?}").to_lowercase()),
                "status": if f.ok() { "ok" } else { "error" },
                "error": f.error.as_ref().map(|(c, m)| json!({"code": c.as_str(), "message": m})),
                "data_rows": f.data_rows,
                "sheets": f.sheets.iter().map(|s| {
                    let mut sheet = json!({
                        "name": s.name,
                        "hidden": s.hidden,
                        "county_code": s.county.as_ref().map(|c| c.as_str()),
                        "data_rows": s.data_rows,
                        "problem": s.problem.as_ref().map(|(c, m)| json!({"code": c.as_str(), "message": m})),
                    });
                    if let Some(m) = sheet.as_object_mut() {
                        m.insert(sheet_key.to_string(), Value::Bool(s.is_claim));
                    }
                    sheet
                }).collect::<Vec<_>>(),
            });
            if let Some(m) = v.as_object_mut() {
                for (k, x) in extra(f) {
                    m.insert(k.to_string(), x);
                }
            }
            v
        })
        .collect()
}

/// A file not read (SPEC §10.1) in summary.json's `files`: the keys of a file read, with
/// `status` `skipped` and why in `message`.
fn skipped_json(s: &SkippedFile) -> Value {
    json!({
        "path": s.rel,
        "sha256": Value::Null,
        "bytes": s.bytes,
        "format": Value::Null,
        "status": SKIPPED_STATUS,
        "error": Value::Null,
        "message": s.message,
        "data_rows": 0,
        "sheets": Vec::<Value>::new(),
    })
}

/// The files read and the files not read, as one list in path order.
fn with_skipped(mut files: Vec<Value>, skipped: &[SkippedFile]) -> Vec<Value> {
    if skipped.is_empty() {
        return files;
    }
    files.extend(skipped.iter().map(skipped_json));
    files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    files
}

/// What every summary.json holds beside a form's own figures.
pub struct Summary<'a> {
    pub program_version: &'a str,
    pub policy: &'a Policy,
    /// The form's own keys of the `policy` object.
    pub policy_extra: Value,
    /// [`files_json`] of `reports`.
    pub files: Vec<Value>,
    pub reports: &'a [FileReport],
    /// The files of the input folder not read: listed among `files` in path order.
    pub skipped: &'a [SkippedFile],
    pub notices: &'a [String],
}

/// summary.json bytes: the shared keys (program version, policy, files read and not read,
/// files in error, notices) and the form's `own` keys; pretty, keys sorted, with a final newline.
pub fn summary_bytes(base: Summary<'_>, own: Value) -> Result<Vec<u8>, serde_json::Error> {
    let p = base.policy;
    let mut policy = json!({
        "name": p.name,
        "year": p.year,
        "source": p.source,
        "sha256": p.sha256,
    });
    merge(&mut policy, base.policy_extra);
    let mut v = json!({
        "program_version": base.program_version,
        "policy": policy,
        "files": with_skipped(base.files, base.skipped),
        "files_with_errors": base.reports.iter().filter(|f| !f.ok()).count(),
        "notices": base.notices,
    });
    merge(&mut v, own);
    let mut bytes = serde_json::to_vec_pretty(&v)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Adds the keys of object `extra` to object `into`.
pub fn merge(into: &mut Value, extra: Value) {
    if let (Some(m), Value::Object(e)) = (into.as_object_mut(), extra) {
        m.extend(e);
    }
}

/// Writes decisions.csv (streamed by `csv`) and summary.json (built by `json`) into `dir`, each
/// atomically, logging the time each took.
pub fn write_both(
    dir: &Path,
    csv: impl FnOnce(&mut dyn std::io::Write) -> Result<(), csv::Error>,
    json: impl FnOnce() -> Result<Vec<u8>, serde_json::Error>,
) -> Result<(), FormError> {
    let t = std::time::Instant::now();
    let [p, summary] = files_in(dir);
    crate::report::write_atomic_with(&p, |w| csv(w)).map_err(|e| FormError::Write {
        path: p.display().to_string(),
        message: e.to_string(),
    })?;
    log::info!(
        "write decisions.csv: {:.3}s{}",
        t.elapsed().as_secs_f64(),
        super::console::memory_note()
    );
    let t = std::time::Instant::now();
    let bytes = json().map_err(|e| FormError::Render {
        name: "summary.json",
        message: e.to_string(),
    })?;
    let p = summary;
    crate::report::write_atomic(&p, &bytes).map_err(|e| FormError::Write {
        path: p.display().to_string(),
        message: e.to_string(),
    })?;
    log::info!(
        "write summary.json: {:.3}s{}",
        t.elapsed().as_secs_f64(),
        super::console::memory_note()
    );
    Ok(())
}
