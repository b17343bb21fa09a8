//! decisions.csv and summary.json (SPEC §4.6): the machine-readable outputs.

use serde_json::{Value, json};

use crate::money::plain;
use crate::run::{CountySummary, RunOutput};

/// decisions.csv: one line per data row read, in reading order (file, sheet, row).
pub fn decisions_csv(out: &RunOutput) -> Result<Vec<u8>, csv::Error> {
    let mut buf = Vec::with_capacity(out.claims.len() * 96);
    write_decisions_csv(out, &mut buf)?;
    Ok(buf)
}

/// decisions.csv streamed into `to` (a province's file is hundreds of MB).
pub fn write_decisions_csv(out: &RunOutput, to: &mut dyn std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(to);
    w.write_record([
        "file",
        "sheet",
        "row",
        "county_code",
        "case_id",
        "decision",
        "reasons",
        "standard_amount",
        "approved_amount",
    ])?;
    for i in out.reading_order() {
        let (c, d) = (&out.claims[i], &out.decisions[i]);
        w.write_record([
            &*c.origin.file,
            &*c.origin.sheet,
            &c.origin.row.to_string(),
            c.county.as_ref().map(|k| k.as_str()).unwrap_or(""),
            c.case_key.as_deref().unwrap_or(""),
            d.outcome.as_str(),
            &d.reasons(),
            &plain(d.standard),
            &plain(d.approved),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn county_json(s: &CountySummary) -> Value {
    json!({
        "code": s.code.as_ref().map(|c| c.as_str()),
        "name": s.name,
        "claimed_rows": s.claimed_rows,
        "approved_rows": s.approved_rows,
        "rejected_rows": s.rejected_rows,
        "held_rows": s.held_rows,
        "claimed_amount": plain(s.claimed_amount),
        "approved_amount": plain(s.approved_amount),
        "rejected_amount": plain(s.rejected_amount),
        "held_amount": plain(s.held_amount),
        "prorate_reduction": plain(s.prorate_reduction),
        "cap": plain(s.cap),
        "paid_before": plain(s.paid_before),
        "remaining_after": plain(s.remaining_after),
    })
}

/// A skipped file (SPEC §10.1) in summary.json's `files`: the keys of a file read, with
/// `status` `skipped` and why in `message`.
pub fn skipped_json(s: &crate::ingest::SkippedFile) -> Value {
    json!({
        "path": s.rel,
        "sha256": Value::Null,
        "bytes": s.bytes,
        "format": Value::Null,
        "status": "skipped",
        "error": Value::Null,
        "message": s.message,
        "data_rows": 0,
        "sheets": Vec::<Value>::new(),
    })
}

/// The files read and the files skipped, as one list in path order.
pub fn with_skipped(mut files: Vec<Value>, skipped: &[crate::ingest::SkippedFile]) -> Vec<Value> {
    if skipped.is_empty() {
        return files;
    }
    files.extend(skipped.iter().map(skipped_json));
    files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    files
}

/// summary.json. Amounts are decimal strings; key order is fixed (serde_json preserves insertion
/// order with `preserve_order` off by sorting keys, which is deterministic too).
pub fn summary_json(out: &RunOutput) -> Result<Vec<u8>, serde_json::Error> {
    let files: Vec<Value> = out
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "sha256": f.sha256,
                "bytes": f.bytes,
                "format": f.format.map(|x| format!("{x:?}").to_lowercase()),
                "status": if f.ok() { "ok" } else { "error" },
                "error": f.error.as_ref().map(|(c, m)| json!({"code": c.as_str(), "message": m})),
                "data_rows": f.data_rows,
                "sheets": f.sheets.iter().map(|s| json!({
                    "name": s.name,
                    "hidden": s.hidden,
                    "claim_sheet": s.is_claim,
                    "county_code": s.county.as_ref().map(|c| c.as_str()),
                    "data_rows": s.data_rows,
                    "problem": s.problem.as_ref().map(|(c, m)| json!({"code": c.as_str(), "message": m})),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let v = json!({
        "period": out.period.label,
        "period_start": out.period.def.start.to_string(),
        "period_end": out.period.def.end.to_string(),
        "run_date": out.period.run_date.to_string(),
        "program_version": out.program_version,
        "policy": {
            "name": out.policy.name,
            "year": out.policy.year,
            "source": out.policy.source,
            "sha256": out.policy.sha256,
            "over_cap": format!("{:?}", out.policy.over_cap).to_lowercase(),
        },
        "files": with_skipped(files, &out.skipped),
        "counties": out.counties.iter().map(county_json).collect::<Vec<_>>(),
        "unassigned": county_json(&out.unassigned),
        "totals": county_json(&out.totals),
        "files_with_errors": out.files.iter().filter(|f| !f.ok()).count(),
        "without_ledger": out.without_ledger,
        "notices": out.notices,
    });
    let mut bytes = serde_json::to_vec_pretty(&v)?;
    bytes.push(b'\n');
    Ok(bytes)
}
