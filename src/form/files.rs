//! One input file through a form, for every form: its sheets settled to a county (or refused
//! with `unknown_county`), its data rows parsed into typed rows, and its per-file report (status,
//! sheets, problems: summary.json, 文件问题, the console). Runs right after the file is read, in
//! parallel, so the raw ingest is dropped as soon as it has become typed rows.

use rayon::prelude::*;

use super::{Form, SheetCounty, SheetRows, sheet_county};
use crate::codes::FileCode;
use crate::county::CountyCode;
use crate::ingest::worker::{Isolation, ingest_file};
use crate::ingest::{FileIngest, Format, InputFile};

pub use crate::ingest::discover::SkippedFile;

/// How the outputs head the files of an input folder that hold no workbook (SPEC §10.1): the
/// 文件问题 sheets and the console list them, though they are no problem of the run.
pub const SKIPPED_LABEL: &str = "未读取的文件";
/// Their `status` in summary.json (a file read is `ok` or `error`).
pub const SKIPPED_STATUS: &str = "skipped";

#[derive(Debug, Clone)]
pub struct SheetReport {
    pub name: String,
    pub index: usize,
    pub hidden: bool,
    /// True when the sheet was recognised as a form sheet (whatever became of it).
    pub is_claim: bool,
    pub problem: Option<(FileCode, String)>,
    /// Data rows decided.
    pub data_rows: usize,
    /// Data rows found when the sheet's table was found (decided or not: an `unknown_county`
    /// sheet's rows are found but not decided); None when no table was found.
    pub rows_found: Option<usize>,
    pub county: Option<CountyCode>,
}

#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: Option<Format>,
    pub error: Option<(FileCode, String)>,
    pub sheets: Vec<SheetReport>,
    pub data_rows: usize,
}

impl FileReport {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
    /// Every problem of the file and its sheets, as (code, message, sheet).
    pub fn problems(&self) -> Vec<(FileCode, String, Option<&str>)> {
        let mut v: Vec<(FileCode, String, Option<&str>)> = self
            .error
            .iter()
            .map(|(c, m)| (*c, m.clone(), None))
            .collect();
        for s in &self.sheets {
            if let Some((c, m)) = &s.problem
                && self.error.as_ref().is_none_or(|(_, em)| em != m)
            {
                v.push((*c, m.clone(), Some(s.name.as_str())));
            }
        }
        v
    }
}

/// Exit status of SPEC §8: 2 when any input file or form sheet could not be read, else 0.
pub fn exit_code(files: &[FileReport]) -> u8 {
    if files.iter().any(|f| !f.problems().is_empty()) {
        2
    } else {
        0
    }
}

/// Who reads a sheet problem: the bureau (the runs' outputs) or the county clerk (check). The
/// same problem is worded for what each can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Bureau,
    Clerk,
}

impl Audience {
    fn unknown_county(self, sheet: &str, why: &str, rows: usize) -> String {
        match self {
            Audience::Bureau => format!(
                "工作表“{sheet}”无法确定所属县（市、区）：{why}；本表 {rows} 行未审核，请来函确认"
            ),
            Audience::Clerk => format!(
                "无法确定本表属于哪个县（市、区）：{why}。请在“县（市、区）”列填写本县名称（如“红塔区”），或在表头上方的“填报单位”处写明“××司法局”"
            ),
        }
    }
}

/// One file's report and typed rows.
pub fn read_file<F: Form>(
    form: &F,
    mut fi: FileIngest<F::Field>,
    audience: Audience,
) -> (FileReport, Vec<F::Row>) {
    let mut rows = Vec::new();
    let mut sheets = Vec::with_capacity(fi.sheets.len());
    let mut data_rows = 0;
    let file: std::sync::Arc<str> = fi.path.as_str().into();
    for s in &mut fi.sheets {
        let mut rep = SheetReport {
            name: s.name.clone(),
            index: s.index,
            hidden: s.hidden,
            is_claim: s.table.is_some() || s.problem.is_some(),
            problem: s.problem.as_ref().map(|p| (p.code, p.message.clone())),
            data_rows: 0,
            rows_found: None,
            county: None,
        };
        if let Some(t) = &mut s.table {
            rep.rows_found = Some(t.rows.len());
            // A sheet with no data rows loses nothing: it needs no county (a county that copies
            // the form per 司法所 often leaves the original empty).
            let settled = if t.rows.is_empty() {
                SheetCounty::Known(None)
            } else {
                sheet_county(t, form.registry())
            };
            match settled {
                SheetCounty::Unknown(why) => {
                    let m = audience.unknown_county(&s.name, &why, t.rows.len());
                    rep.problem = Some((FileCode::UnknownCounty, m));
                }
                SheetCounty::Known(county) => {
                    rep.data_rows = t.rows.len();
                    data_rows += t.rows.len();
                    let sheet = SheetRows {
                        file: file.clone(),
                        sheet: s.name.as_str().into(),
                        sheet_index: s.index,
                        columns: t.columns.clone().into(),
                        epoch_1904: t.epoch_1904,
                        county: county.as_ref(),
                        registry: form.registry(),
                        today: form.run_date(),
                    };
                    rows.extend(t.rows.drain(..).map(|raw| form.parse_row(raw, &sheet)));
                    rep.county = county;
                }
            }
        }
        sheets.push(rep);
    }
    let mut error = fi.error.as_ref().map(|e| (e.code, e.message.clone()));
    let form_sheets: Vec<&SheetReport> = sheets.iter().filter(|s| s.is_claim).collect();
    if error.is_none()
        && !form_sheets.is_empty()
        && form_sheets.iter().all(|s| s.problem.is_some())
        && let Some((c, m)) = form_sheets.first().and_then(|s| s.problem.clone())
    {
        // SPEC §9.3: no sheet could be decided → the file is in error, with the first cause.
        error = Some((c, m));
    }
    if let Some((FileCode::NoClaimSheet, m)) = &mut error
        && !fi.sheets.is_empty()
    {
        let names: Vec<&str> = fi.sheets.iter().map(|s| s.name.as_str()).collect();
        if let Some(own) = form.no_sheet_message(&names) {
            *m = own;
        }
    }
    let report = FileReport {
        path: fi.path,
        sha256: fi.sha256,
        bytes: fi.bytes,
        format: fi.format,
        error,
        sheets,
        data_rows,
    };
    (report, rows)
}

/// Reads every file as form `F`, in parallel (at most `threads` at once when given), each in
/// its isolated worker; `progress` is told each file's name when it is read. The result is in
/// the order of `files`.
pub fn read_files<F: Form>(
    form: &F,
    files: &[InputFile],
    isolation: &Isolation,
    threads: Option<usize>,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<(FileReport, Vec<F::Row>)> {
    let work = || -> Vec<(FileReport, Vec<F::Row>)> {
        files
            .par_iter()
            .map(|f| {
                let mut fi = ingest_file::<F::Field>(f, isolation);
                super::wrong_form::answer_other_form::<F::Field, F::OtherField>(
                    &mut fi, f, isolation,
                );
                progress(&f.rel);
                read_file(form, fi, Audience::Bureau)
            })
            .collect()
    };
    match threads {
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        },
        None => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::grid::CellVal;
    use crate::ingest::header::{Column, StaffField};
    use crate::ingest::{ClaimTable, RawRow, SheetIngest, SheetProblem};
    use crate::policy::Policy;
    use crate::staff::StaffForm;

    fn sheet(name: &str, index: usize, rows: Vec<RawRow<StaffField>>) -> SheetIngest<StaffField> {
        SheetIngest {
            name: name.into(),
            index,
            hidden: false,
            table: Some(ClaimTable {
                header_row: 3,
                header_height: 1,
                columns: StaffField::all()
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| (f, i as u32))
                    .collect(),
                filing_unit: None,
                rows,
                epoch_1904: false,
            }),
            problem: None,
        }
    }

    fn file(sheets: Vec<SheetIngest<StaffField>>) -> FileIngest<StaffField> {
        FileIngest {
            path: "a.xlsx".into(),
            sha256: String::new(),
            bytes: 0,
            format: None,
            error: None,
            sheets,
        }
    }

    fn row(county: &str) -> RawRow<StaffField> {
        RawRow {
            row: 4,
            cells: vec![(StaffField::County, CellVal::Text(county.into()))],
        }
    }

    #[test]
    fn sheets_are_settled_to_a_county_or_refused_in_the_readers_words() {
        let p = Policy::default_policy().unwrap();
        let staff = StaffForm {
            policy: &p,
            run_date: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        };
        // An empty sheet needs no county; a sheet naming none is refused; the file is decided
        // while one sheet can be.
        let fi = || {
            file(vec![
                sheet("空表", 0, vec![]),
                sheet("某某", 1, vec![row("某某县")]),
                sheet("红塔", 2, vec![row("红塔区"), row("红塔")]),
            ])
        };
        let (rep, rows) = read_file(&staff, fi(), Audience::Bureau);
        assert!(rep.ok());
        assert_eq!(rows.len(), 2);
        let [empty, unknown, hongta] = &rep.sheets[..] else {
            panic!("{rep:?}")
        };
        assert_eq!((empty.problem.clone(), empty.rows_found), (None, Some(0)));
        assert_eq!(unknown.data_rows, 0);
        assert_eq!(unknown.rows_found, Some(1));
        assert_eq!(
            unknown
                .problem
                .clone()
                .map(|(c, m)| (c, m.contains("本表 1 行未审核"))),
            Some((FileCode::UnknownCounty, true))
        );
        assert_eq!(hongta.county.as_ref().map(|c| c.as_str()), Some("530402"));
        assert_eq!(rep.problems().len(), 1);
        let (clerk, _) = read_file(&staff, fi(), Audience::Clerk);
        let m = &clerk.sheets[1].problem.as_ref().unwrap().1;
        assert!(m.starts_with("无法确定本表属于哪个县（市、区）：") && m.contains("填报单位"));

        // No sheet decided: the file is in error with the first cause.
        let (rep, rows) = read_file(
            &staff,
            file(vec![sheet("某某", 0, vec![row("x")])]),
            Audience::Bureau,
        );
        assert!(rows.is_empty());
        assert_eq!(rep.error.map(|(c, _)| c), Some(FileCode::UnknownCounty));
        assert_eq!(exit_code(&[]), 0);
    }

    #[test]
    fn a_workbook_without_the_form_says_which_form_was_looked_for() {
        let p = Policy::default_policy().unwrap();
        let staff = StaffForm {
            policy: &p,
            run_date: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        };
        let mut fi = file(vec![SheetIngest {
            name: "通讯录".into(),
            index: 0,
            hidden: false,
            table: None,
            problem: None,
        }]);
        fi.error = Some(SheetProblem {
            code: FileCode::NoClaimSheet,
            message: "申报表".into(),
        });
        let (rep, _) = read_file(&staff, fi, Audience::Bureau);
        let (code, m) = rep.error.clone().unwrap();
        assert_eq!(code, FileCode::NoClaimSheet);
        assert!(
            m.starts_with("所有工作表（通讯录）") && m.contains("协勤人员经费申报表"),
            "{m}"
        );
        assert_eq!(exit_code(&[rep]), 2);
    }
}
