//! The three workbooks of a staff run, in the look of the program-A reports (title, unit line,
//! frozen header, filters, ¥#,##0.00, IDs as text, 大写 totals, sign-off lines, A4 landscape
//! one page wide with header rows repeated and 第 X 页，共 Y 页), written with the writing kit of
//! `crate::report` (formats, sheet writer, text-width model). One module per workbook:
//!
//! * [`notice`] — **经费下达表_<year>.xlsx**: 经费下达表 (per county: 定额, 预算额度, 申报人数,
//!   核准在岗人数, 下达人数, 下达金额, 未分配资金; total and its 大写), 审核明细 (every row with
//!   its decision and located reasons: the basis of the notice), 文件问题, 运行信息.
//! * [`payroll`] — **协勤人员工资发放表_<year>.xlsx**: 汇总, then one sheet per county with people
//!   in post, grouped by 司法所 with 小计 rows, the county 合计, its 大写 and sign-off lines.
//! * [`evaluation`] — **绩效评价表_<year>.xlsx**: 绩效评价 (per county figures, score, 等次, how
//!   the score is computed, two native column charts) and 问题清单 (one line per finding and
//!   file problem).
//!
//! Rendering only: every figure comes from [`StaffOutput`]. The sums made here are
//! cross-checks against the run's own totals; a difference is an error (a bug), never a
//! printed form. This module holds what the three share.

mod evaluation;
mod notice;
mod payroll;

use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::StaffOutput;
use super::parse::StaffRow;
use super::yuan_text;
use crate::ingest::header::StaffField;
use crate::report::sheet::{Columns, Sheet, push};
use crate::report::style::{self, MAX_ROWS, Styles};
use crate::report::text::display_width;

pub use evaluation::{build_performance, write_performance};
pub use notice::{build_notice, write_notice};
pub use payroll::{CountyPayroll, OfficeGroup, build_payroll, payroll_groups, write_payroll};

/// Who issues the notice, payroll and evaluation.
const ISSUER: &str = "玉溪市司法局";
pub use crate::report::style::{NO_ACCOUNT, NO_BANK};
/// Detail tables stop before Excel's last row; the rest is in decisions.csv.
const MAX_TABLE_ROWS: u32 = MAX_ROWS - 64;

pub const SHEET_NOTICE: &str = "经费下达表";
pub const SHEET_DETAIL: &str = "审核明细";
pub const SHEET_FILES: &str = "文件问题";
pub const SHEET_RUN: &str = "运行信息";
pub const SHEET_PAY_SUMMARY: &str = "汇总";
pub const SHEET_PERFORMANCE: &str = "绩效评价";
pub const SHEET_PROBLEMS: &str = "问题清单";

/// Heights (points) of the title and info rows of every sheet.
const TITLE_HEIGHTS: (f64, f64) = (30.0, 18.0);
/// Height (pixels) of a sign-off line.
const SIGN_PX: u32 = 28;

type Res<T = ()> = Result<T, XlsxError>;

fn xe(path: &Path) -> impl Fn(XlsxError) -> String + '_ {
    move |e| format!("生成 {} 失败：{e}", path.display())
}

fn n64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Writes one sheet of a workbook.
type SheetFn = fn(&mut Worksheet, &Styles, &StaffOutput) -> Res;

/// A workbook titled `title` of the sheets `sheets` (name, writer), in order.
fn workbook(out: &StaffOutput, title: &str, sheets: &[(&str, SheetFn)]) -> Res<Workbook> {
    let st = Styles::new();
    let mut wb = style::report_workbook(title, out.run_date);
    let mut taken = Vec::new();
    for (name, write) in sheets {
        let mut ws = Worksheet::new();
        write(&mut ws, &st, out)?;
        push(&mut wb, ws, name, &mut taken)?;
    }
    Ok(wb)
}

/// A table sheet begun: the columns set, the title and info rows, and the header `heads` on
/// row 2 (none when empty).
fn table<'a, 'f>(
    ws: &'a mut Worksheet,
    st: &Styles,
    cols: &'a Columns<'f>,
    title: &str,
    info: &str,
    unit: bool,
    heads: &[&str],
) -> Res<Sheet<'a, 'f>> {
    cols.apply(ws)?;
    let mut sh = Sheet::new(ws, cols);
    sh.title_rows(st, title, info, unit, TITLE_HEIGHTS)?;
    if !heads.is_empty() {
        header(&mut sh, st, 2, heads)?;
    }
    Ok(sh)
}

/// The value read, else what the cell held (so a rejected row still shows what was written).
fn shown(value: &Option<String>, row: &StaffRow, f: StaffField) -> String {
    value.clone().or_else(|| row.written(f)).unwrap_or_default()
}

/// The header row `r`, at least two lines high and as high as its longest head needs.
fn header(sh: &mut Sheet, st: &Styles, r: u32, heads: &[&str]) -> Res {
    sh.header_fitted(r, heads, &st.header, 2)
}

/// The sign-off line dated `date` on row `r`.
fn sign_row(sh: &mut Sheet, st: &Styles, r: u32, date: chrono::NaiveDate) -> Res {
    sh.line(
        r,
        &crate::report::style::sign_off(date),
        &st.sign_line,
        SIGN_PX,
    )
}

fn prefix(out: &StaffOutput) -> String {
    format!("玉溪市{}年专职社区矫正协勤人员经费", out.year)
}

fn standard_words(out: &StaffOutput) -> String {
    format!(
        "补助标准：每人每月 {} 元（每人每年 {} 元）",
        yuan_text(out.policy.staff_monthly_standard),
        yuan_text(out.post_year())
    )
}

/// The widest county name, in half-width units (12 when there is none).
fn county_name_width(out: &StaffOutput) -> u32 {
    out.counties
        .iter()
        .map(|c| display_width(&c.name))
        .max()
        .unwrap_or(12)
}

/// The row's county name, or the unassigned label.
fn county_label(out: &StaffOutput, r: &StaffRow) -> String {
    let n = out.county_name(r.county.as_ref());
    if n.is_empty() {
        out.unassigned.name.clone()
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::notice::check_notice;
    use super::*;
    use crate::ingest::worker::Isolation;
    use crate::policy::Policy;
    use crate::staff::{StaffConfig, evaluate};

    fn samples_output() -> StaffOutput {
        let cfg = StaffConfig {
            input: Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/staff-2025"),
            out: std::env::temp_dir().join("payrun-staff-report-tests"),
            year: 2025,
            run_date: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            threads: Some(2),
            isolation: Isolation::InProcess,
        };
        evaluate(&cfg, Policy::default_policy().unwrap(), &|_| {}).unwrap()
    }

    #[test]
    fn payroll_groups_follow_the_counties_and_offices() {
        let out = samples_output();
        let groups = payroll_groups(&out).unwrap();
        assert_eq!(groups.len(), 9);
        let hongta = &groups[0];
        assert_eq!(hongta.name, "红塔区");
        assert_eq!(hongta.people, 26);
        assert_eq!(hongta.municipal, Decimal::from(300_000));
        // Offices appear in the order the county listed them, each once.
        let mut names: Vec<&str> = hongta.offices.iter().map(|o| o.office.as_str()).collect();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn a_payroll_or_notice_that_does_not_add_up_is_refused() {
        let mut out = samples_output();
        out.totals.approved_amount += Decimal::new(1, 2);
        let err = payroll_groups(&out).unwrap_err();
        assert!(err.contains("不一致"), "{err}");

        let mut out = samples_output();
        if let Some(c) = out.counties.first_mut() {
            c.approved_amount -= Decimal::ONE;
        }
        assert!(payroll_groups(&out).is_err());

        let mut out = samples_output();
        if let Some(c) = out.counties.first_mut() {
            c.allocated_amount += Decimal::from(12_000);
        }
        let err = check_notice(&out).unwrap_err();
        assert!(err.contains("超出预算额度"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.xlsx");
        assert!(write_notice(&out, &path).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn workbooks_are_byte_identical_across_writes() {
        let out = samples_output();
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        write_performance(&out, &a).unwrap();
        write_performance(&out, &b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }
}
