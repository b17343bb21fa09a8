//! A staff run's outputs (SPEC §5.2): where they go, which files a run replaces, and writing
//! them. The names are written here once, for the writers and for the preflight of SPEC §10.6.

use std::path::{Path, PathBuf};

use super::{StaffError, StaffOutput, machine, report};
use crate::form::FormError;

/// Where a staff run's outputs go: `<out>/staff-<year>/`.
pub fn output_dir(out: &Path, year: i32) -> PathBuf {
    out.join(format!("staff-{year}"))
}

/// The workbooks a staff run for `year` writes into its folder `dir`.
pub struct Workbooks {
    /// 经费下达表.
    pub notice: PathBuf,
    /// 协勤人员工资发放表.
    pub payroll: PathBuf,
    /// 绩效评价表.
    pub performance: PathBuf,
}

impl Workbooks {
    pub fn in_dir(dir: &Path, year: i32) -> Self {
        Workbooks {
            notice: dir.join(format!("经费下达表_{year}.xlsx")),
            payroll: dir.join(format!("协勤人员工资发放表_{year}.xlsx")),
            performance: dir.join(format!("绩效评价表_{year}.xlsx")),
        }
    }
}

/// Every file a staff run for `year` replaces in `dir`.
pub fn replaced_files(dir: &Path, year: i32) -> Vec<PathBuf> {
    let w = Workbooks::in_dir(dir, year);
    let mut v: Vec<PathBuf> = crate::form::machine::files_in(dir).into();
    v.extend([w.notice, w.payroll, w.performance]);
    v
}

/// Writes every output of a staff run into `dir`, in parallel; each file is atomic.
pub fn write_outputs(out: &StaffOutput, dir: &Path) -> Result<(), StaffError> {
    std::fs::create_dir_all(dir).map_err(|e| FormError::OutputFolder {
        path: dir.display().to_string(),
        source: e,
    })?;
    let w = Workbooks::in_dir(dir, out.year);
    let machine = || -> Result<(), StaffError> {
        machine::write(out, dir)?;
        Ok(())
    };
    let workbook = |r: Result<(), String>| r.map_err(StaffError::Report);
    let notice = || workbook(report::write_notice(out, &w.notice));
    let payroll = || workbook(report::write_payroll(out, &w.payroll));
    let perf = || workbook(report::write_performance(out, &w.performance));
    let ((a, b), (c, d)) = rayon::join(
        || rayon::join(notice, payroll),
        || rayon::join(perf, machine),
    );
    a.and(b).and(c).and(d)
}
