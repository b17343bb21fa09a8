//! The wrong program (SPEC §10.2): a workbook whose only forms are the other program's — a
//! 社区矫正协勤人员经费申报表 given to `payrun run`, a 人民调解个案补贴申报表 to `payrun staff` — is
//! the file code `wrong_form`, its message naming the command that reads it, instead of a
//! `no_claim_sheet` that leaves the clerk guessing.
//!
//! Only a file already answered `no_claim_sheet` is read a second time, with the other form's
//! columns ([`super::Form::OtherField`], in a worker like the first reading): a right folder
//! costs nothing.

use crate::codes::FileCode;
use crate::ingest::header::{Column, Field, StaffField};
use crate::ingest::worker::{Isolation, ingest_file};
use crate::ingest::{FileIngest, InputFile, SheetProblem};

/// The form a column set reads, and the command for it.
fn form_and_command(schema: &str) -> Option<(&'static str, &'static str)> {
    if schema == StaffField::SCHEMA {
        Some(("社区矫正协勤人员经费申报表", "payrun staff"))
    } else if schema == Field::SCHEMA {
        Some(("人民调解个案补贴申报表", "payrun run"))
    } else {
        None
    }
}

/// The sheets of `other` that hold its form's header (decided or not).
fn form_sheets<G: Column>(other: &FileIngest<G>) -> Vec<&str> {
    if other.error.is_some() {
        return Vec::new();
    }
    other
        .sheets
        .iter()
        .filter(|s| {
            s.table.is_some()
                || s.problem
                    .as_ref()
                    .is_some_and(|p| p.code == FileCode::MissingColumn)
        })
        .map(|s| s.name.as_str())
        .collect()
}

/// Turns `fi` (read as form `F`) into `wrong_form` when it holds no `F` form but a `G` form.
pub fn answer_other_form<F: Column, G: Column>(
    fi: &mut FileIngest<F>,
    file: &InputFile,
    iso: &Isolation,
) {
    if fi
        .error
        .as_ref()
        .is_none_or(|e| e.code != FileCode::NoClaimSheet)
    {
        return;
    }
    let (Some((wanted, _)), Some((found, command))) =
        (form_and_command(F::SCHEMA), form_and_command(G::SCHEMA))
    else {
        return;
    };
    let other = ingest_file::<G>(file, iso);
    let sheets = form_sheets(&other);
    if sheets.is_empty() {
        return;
    }
    fi.error = Some(SheetProblem {
        code: FileCode::WrongForm,
        message: format!(
            "这是{found}，请用 {command} 处理（工作表“{}”）；本次审核的是{wanted}，未读取其中的数据",
            sheets.join("”“")
        ),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn sample(rel: &str) -> InputFile {
        let abs = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        InputFile {
            rel: abs
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            abs,
        }
    }

    fn first(dir: &str) -> InputFile {
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut v: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        v.sort();
        let p = v[0].strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
        sample(p.to_str().unwrap())
    }

    #[test]
    fn each_program_names_the_other_for_its_form() {
        let iso = Isolation::InProcess;
        let staff = first("samples/staff-2025");
        let mut fi = crate::ingest::ingest_path::<Field>(&staff.abs, &staff.rel);
        answer_other_form::<Field, StaffField>(&mut fi, &staff, &iso);
        let e = fi.error.unwrap();
        assert_eq!(e.code, FileCode::WrongForm);
        assert!(
            e.message
                .starts_with("这是社区矫正协勤人员经费申报表，请用 payrun staff 处理"),
            "{}",
            e.message
        );

        let claims = first("samples/2025-H1");
        let mut fi = crate::ingest::ingest_path::<StaffField>(&claims.abs, &claims.rel);
        answer_other_form::<StaffField, Field>(&mut fi, &claims, &iso);
        let e = fi.error.unwrap();
        assert_eq!(e.code, FileCode::WrongForm);
        assert!(
            e.message
                .starts_with("这是人民调解个案补贴申报表，请用 payrun run 处理"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_workbook_of_neither_form_stays_no_claim_sheet() {
        let iso = Isolation::InProcess;
        let f = sample("tests/fixtures/hostile/sheets/no_header.xlsx");
        let mut fi = crate::ingest::ingest_path::<Field>(&f.abs, &f.rel);
        answer_other_form::<Field, StaffField>(&mut fi, &f, &iso);
        assert_eq!(fi.error.unwrap().code, FileCode::NoClaimSheet);
        // A claim form read as claims is left alone (nothing read twice).
        let f = first("samples/2025-H1");
        let mut fi = crate::ingest::ingest_path::<Field>(&f.abs, &f.rel);
        answer_other_form::<Field, StaffField>(&mut fi, &f, &iso);
        assert!(fi.error.is_none());
    }
}
