//! 账户更正表 (SPEC §12.4): the blank form a county fills in for mediators whose payment failed
//! (or who had no account), and its reading by `payrun repay`.
//! Columns: 县（市、区）, 姓名, 身份证号码, 开户银行, 银行账号, 备注.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Workbook, XlsxError};

use super::grid::{self, Cell, Grid, place};
use crate::cell::compact;
use crate::county::CountyCode;
use crate::policy::Policy;
use crate::report::sheet::{Columns, Sheet};
use crate::report::style::{self, Styles};
use crate::report::text::column_pixels;

pub const TEMPLATE_FILE: &str = "账户更正表.xlsx";
const HEADERS: [&str; 6] = [
    "县（市、区）",
    "★姓名",
    "★身份证号码",
    "★开户银行",
    "★银行账号",
    "备注",
];
const BLANK_ROWS: u32 = 50;

const COUNTY: &[&str] = &["县(市、区)", "县市区", "县区", "所属县区", "县(市区)"];
const NAME: &[&str] = &["姓名", "★姓名", "调解员", "调解员姓名", "户名"];
const ID: &[&str] = &["身份证号码", "★身份证号码", "身份证号", "公民身份号码"];
const BANK: &[&str] = &["开户银行", "★开户银行", "开户行"];
const ACCOUNT: &[&str] = &["银行账号", "★银行账号", "账号", "银行卡号"];
const REMARK: &[&str] = &["备注"];
/// A claim form has these; an 账户更正表 never does.
const CASE_NO: &[&str] = &["案件编号", "卷宗编号", "案号", "档案号", "★案件编号"];

fn xe(e: XlsxError) -> String {
    format!("生成空白账户更正表失败：{e}")
}

/// The blank form (not saved).
pub fn build_template(policy: &Policy, date: NaiveDate) -> Result<Workbook, String> {
    let st = Styles::new();
    let mut wb = style::report_workbook("人民调解补贴账户更正表", date);
    {
        let ws = wb.add_worksheet();
        ws.set_name("账户更正表").map_err(xe)?;
        let cols = Columns::pixels(vec![
            column_pixels(16, 16, 16),
            column_pixels(10, 10, 10),
            column_pixels(21, 21, 21),
            column_pixels(26, 26, 26),
            column_pixels(26, 26, 26),
            column_pixels(24, 24, 24),
        ])
        .plain(0, &st.text)
        .plain(1, &st.text)
        .plain(2, &st.id_text)
        .plain(3, &st.text)
        .plain(4, &st.id_text)
        .plain(5, &st.text_wrap);
        cols.apply(ws).map_err(xe)?;
        let mut sh = Sheet::new(ws, &cols);
        sh.title_rows(
            &st,
            &format!("{}年人民调解“一案一补”补贴账户更正表", policy.year),
            "填报单位：　　　　　　司法局　　　　填报日期：　　年　　月　　日",
            false,
            (30.0, 20.0),
        )
        .map_err(xe)?;
        sh.header(2, &HEADERS, &st.header).map_err(xe)?;
        let counties: Vec<String> = policy.counties.iter().map(|c| c.name.clone()).collect();
        let list = DataValidation::new()
            .allow_list_strings(&counties.iter().map(String::as_str).collect::<Vec<_>>());
        if let Ok(v) = list {
            let v = v
                .set_error_title("县（市、区）")
                .and_then(|v| v.set_error_message("请从下拉列表中选择县（市、区）"));
            if let Ok(v) = v {
                sh.ws
                    .add_data_validation(3, 0, 2 + BLANK_ROWS, 0, &v)
                    .map_err(xe)?;
            }
        }
        sh.finish(2, None, (0, 2)).map_err(xe)?;
        ws_active(&mut wb);
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填表说明").map_err(xe)?;
        let cols = Columns::pixels(vec![column_pixels(90, 90, 90)]);
        cols.apply(ws).map_err(xe)?;
        let mut sh = Sheet::new(ws, &cols);
        let notes = [
            "填表说明",
            "一、本表用于补发：银行代发失败（账户销户、冻结、户名不符等）或发放表中“待补账号”的调解员，由县（市、区）司法局填写新的开户银行和银行账号后报市司法局。",
            "二、每人一行。姓名、身份证号码须与申报表一致；身份证号码、银行账号按文本填写（本表已设为文本格式，请勿改成数字）。",
            "三、银行账号须为调解员本人账户，6 至 32 位数字。",
            "四、同一人填了两个不同账号的，该人不予补发，请核实后只保留一行。",
            "五、已经入账或已经补发的，不会再次补发。",
        ];
        for (r, n) in (0u32..).zip(notes) {
            let f = if r == 0 { &st.title } else { &st.note };
            sh.note(r, n, f, 1).map_err(xe)?;
        }
        style::page_setup(sh.ws, Some((0, 0)), cols.total_px()).map_err(xe)?;
    }
    Ok(wb)
}

fn ws_active(wb: &mut Workbook) {
    if let Ok(ws) = wb.worksheet_from_index(0) {
        ws.set_active(true);
    }
}

/// Writes the blank form into `out`.
pub fn write_template(policy: &Policy, out: &Path, date: NaiveDate) -> Result<PathBuf, String> {
    let path = out.join(TEMPLATE_FILE);
    let mut wb = build_template(policy, date)?;
    style::save(&mut wb, &path)?;
    Ok(path)
}

/// One row of an 账户更正表.
#[derive(Debug, Clone)]
pub struct Correction {
    pub place: String,
    pub county: Option<CountyCode>,
    pub name: String,
    pub id_number: String,
    pub bank: String,
    pub account: String,
}

/// The correction rows of `grids` (a file read by [`grid::read`]); None when no sheet is an
/// 账户更正表 (a claim form has 案件编号). Unreadable cells are reported with their place.
pub fn read(
    policy: &Policy,
    name: &str,
    grids: &[Grid],
    problems: &mut Vec<String>,
) -> Option<Vec<Correction>> {
    let mut out = Vec::new();
    let mut found = false;
    for g in grids {
        let Some((head, cols)) = grid::find_header(
            &g.rows,
            &[NAME, ID, ACCOUNT, BANK, COUNTY, REMARK, CASE_NO],
            3,
        ) else {
            continue;
        };
        if cols[6].is_some() {
            continue;
        }
        found = true;
        let get = |row: &[Cell], i: usize| {
            cols[i]
                .and_then(|c| row.get(c).cloned())
                .unwrap_or(Cell::Empty)
        };
        for (r, row) in g.rows.iter().enumerate().skip(head + 1) {
            if row.iter().all(Cell::is_empty) {
                continue;
            }
            let first = compact(&row.first().map(Cell::shown).unwrap_or_default());
            if [
                "填表说明",
                "注",
                "说明",
                "制表人",
                "填表人",
                "审核人",
                "负责人",
                "合计",
            ]
            .iter()
            .any(|w| first.starts_with(w))
            {
                continue;
            }
            let at = place(name, &g.sheet, r);
            let id = match grid::digits_text(&get(row, 1)) {
                Ok(s) => s.to_ascii_uppercase(),
                Err(e) => {
                    problems.push(format!("{at}：身份证号码{e}"));
                    continue;
                }
            };
            let account = match grid::digits_text(&get(row, 2)) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!("{at}：银行账号{e}"));
                    continue;
                }
            };
            let county_text = get(row, 4).shown();
            let county = if county_text.is_empty() {
                None
            } else {
                match policy.registry.resolve(&county_text) {
                    Some(c) => Some(c.clone()),
                    None => {
                        problems.push(format!("{at}：县（市、区）“{county_text}”无法识别"));
                        continue;
                    }
                }
            };
            if id.is_empty() {
                problems.push(format!("{at}：身份证号码为空"));
                continue;
            }
            out.push(Correction {
                place: at,
                county,
                name: get(row, 0).shown(),
                id_number: id,
                bank: get(row, 3).shown(),
                account,
            });
        }
    }
    found.then_some(out)
}
