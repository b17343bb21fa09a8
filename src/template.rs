//! `payrun template`: the blank workbooks the county bureaus fill in (SPEC §7) — the
//! 人民调解个案补贴申报表 (SPEC §4.1) and the 社区矫正协勤人员经费申报表 (SPEC §5.1).
//!
//! Each workbook has a 申报表 sheet laid out the way payrun reads it back:
//! - row 1 the title, row 2 the "填报单位：　　司法局　　填报日期：　年　月　日" line (a county
//!   name typed into it is read like a county column), row 3 a short help line, row 4 the header
//!   with the canonical names of `FIELDS` / `STAFF_FIELDS` (required ones preceded by a red ★,
//!   which the header matcher strips), rows 5–1004 prepared for data;
//! - dropdown lists for the coded columns (the values the claim parser accepts), the built-in
//!   text format (index 49) on ID, account and case-number columns so Excel cannot turn them
//!   into numbers, date validation on date columns, number checks on amount columns, an input
//!   message on every column and a note on every header cell;
//! - borders that appear on a data row once something is typed in it (conditional format), so
//!   a blank template prints as the title and header only;
//!
//! and a 填表说明 sheet explaining every column and the submission deadlines. Lists longer than
//! Excel's 255-character inline limit (a policy with many counties) go to a hidden 下拉选项
//! sheet. Everything comes from the policy and the header tables, so next year's policy gives
//! next year's templates; the bytes depend only on the policy and the date given.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, ConditionalFormatFormula, DataValidation, DataValidationErrorStyle, DataValidationRule,
    Format, FormatAlign, FormatBorder, Formula, Note, Workbook, Worksheet, XlsxError,
};

use crate::codes::cell_ref;
use crate::ingest::header::{FIELDS, Field, STAFF_FIELDS, StaffField};
use crate::policy::{Form, Level, Policy};
use crate::report::sheet::excel_date;
use crate::report::style::{self, Styles};
use crate::report::text::{column_pixels, row_pixels, wrapped_lines};

/// File names of the two templates.
pub const CLAIM_TEMPLATE_FILE: &str = "人民调解个案补贴申报表.xlsx";
pub const STAFF_TEMPLATE_FILE: &str = "社区矫正协勤人员经费申报表.xlsx";
/// Sheet names.
pub const FORM_SHEET: &str = "申报表";
pub const HELP_SHEET: &str = "填表说明";
pub const LISTS_SHEET: &str = "下拉选项";
/// What marks a required column (the header matcher strips it: `header_key`).
pub const REQUIRED_MARK: &str = "★";

/// 0-based rows of the form sheet.
pub const TITLE_ROW: u32 = 0;
pub const UNIT_ROW: u32 = 1;
pub const HELP_ROW: u32 = 2;
pub const HEADER_ROW: u32 = 3;
pub const FIRST_DATA_ROW: u32 = 4;
/// Rows prepared with dropdowns and checks.
pub const DATA_ROWS: u32 = 1000;

/// Excel's limit on an inline dropdown list, commas included (UTF-16 units).
const INLINE_LIST_MAX: usize = 255;
/// Excel's limits on data validation texts (UTF-16 units).
const VALIDATION_TITLE_MAX: usize = 32;
const VALIDATION_MESSAGE_MAX: usize = 255;

const FONT: &str = "宋体";
const RED: u32 = 0xC00000;
const HELP_RED: u32 = 0x9C0006;

/// How a column takes its input.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Free text.
    Text,
    /// Numbers kept as text (built-in format 49): ID, account and case numbers. `len` is an
    /// exact length Excel enforces; `unique` refuses a value already in the column.
    Code {
        len: Option<u32>,
        unique: bool,
    },
    Date {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// A dropdown. `strict`: other values are refused (else only questioned).
    List {
        values: Vec<String>,
        strict: bool,
    },
    /// An amount in 元: a number ≥ 0 with at most two decimals.
    Money,
    /// Whole months, 0–12.
    Months,
}

/// One column of a template, as the form and the 填表说明 sheet show it.
#[derive(Debug, Clone)]
pub struct ColumnDoc {
    /// The canonical header (from `FIELDS` / `STAFF_FIELDS`).
    pub header: &'static str,
    pub required: bool,
    /// Width in half-width characters.
    pub units: u32,
    pub input: Input,
    /// What to fill in.
    pub what: String,
    /// Allowed values, format and an example.
    pub format: String,
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("日期 {y}-{m}-{d} 无效"))
}

fn county_names(policy: &Policy) -> Vec<String> {
    policy.counties.iter().map(|c| c.name.clone()).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The (纠纷等级, 协议形式) pairs without a subsidy rate, as "疑难复杂纠纷口头协议、…".
fn unpaid_pairs(policy: &Policy) -> Vec<String> {
    let mut v = Vec::new();
    for l in Level::ALL {
        for f in Form::ALL {
            if policy.rate(l, f).is_none() {
                v.push(format!("{}纠纷{}协议", l.label(), f.label()));
            }
        }
    }
    v
}

fn county_doc(policy: &Policy, what: &str) -> (String, String, Input) {
    let names = county_names(policy);
    (
        format!("{what}，从下拉列表选择。已在第 2 行“填报单位”写明本县（市、区）的，可以不填"),
        format!("可选：{}", names.join("、")),
        Input::List {
            values: names,
            strict: true,
        },
    )
}

/// The columns of the 人民调解个案补贴申报表, in `FIELDS` order.
pub fn claim_columns(policy: &Policy) -> Result<Vec<ColumnDoc>, String> {
    let y = policy.year;
    let year_start = ymd(y, 1, 1)?;
    let year_end = ymd(y, 12, 31)?;
    let review = || Input::List {
        values: strings(&["通过", "不通过"]),
        strict: true,
    };
    let unpaid = unpaid_pairs(policy);
    let mut out = Vec::with_capacity(FIELDS.len());
    for spec in &FIELDS {
        let (units, what, format, input): (u32, String, String, Input) = match spec.field {
            Field::Seq => (
                5,
                "行号，可以不填".into(),
                "数字，如 1、2、3".into(),
                Input::Text,
            ),
            Field::County => {
                let (what, format, input) = county_doc(policy, "本案所属县（市、区）");
                (12, what, format, input)
            }
            Field::Office => (
                12,
                "办理本案的司法所".into(),
                "写全称，如“××司法所”".into(),
                Input::Text,
            ),
            Field::Committee => (
                18,
                "调解本案的人民调解委员会".into(),
                "写全称，如“××社区人民调解委员会”".into(),
                Input::Text,
            ),
            Field::CaseNo => (
                16,
                "人民调解卷宗上的案件编号。一案一补：同一案件只能申报一次，本县内不能与其他行、其他期重复".into(),
                "按卷宗原样填写，如“红调〔2025〕015号”；本列为文本格式".into(),
                Input::Code {
                    len: None,
                    unique: true,
                },
            ),
            Field::DisputeType => (
                10,
                "纠纷的类别".into(),
                "可从下拉列表选择，也可填写其他类别".into(),
                Input::List {
                    values: strings(&[
                        "婚姻家庭",
                        "邻里纠纷",
                        "合同纠纷",
                        "损害赔偿",
                        "劳动争议",
                        "道路交通",
                        "土地山林",
                        "其他",
                    ]),
                    strict: false,
                },
            ),
            Field::Level => (
                10,
                "纠纷的难易等级，按《实施办法》认定；补贴标准按等级和协议形式确定".into(),
                format!(
                    "可选：{}",
                    Level::ALL.map(|l| l.label()).join("、")
                ),
                Input::List {
                    values: Level::ALL.iter().map(|l| l.label().to_string()).collect(),
                    strict: true,
                },
            ),
            Field::AcceptDate => (
                11,
                "调委会受理本案的日期，可以不填".into(),
                format!("日期，如 {y}-03-05"),
                Input::Date {
                    from: ymd(1990, 1, 1)?,
                    to: year_end,
                },
            ),
            Field::CloseDate => (
                11,
                format!(
                    "调解成功、结案的日期。须在 {y} 年内，且不晚于报送日期；上一期结案未申报的，可在本年度内补报"
                ),
                format!("日期，如 {y}-03-05"),
                Input::Date {
                    from: year_start,
                    to: year_end,
                },
            ),
            Field::Result => (
                8,
                "调解结果。调解不成功的案件不予补贴".into(),
                "可选：成功、不成功".into(),
                Input::List {
                    values: strings(&["成功", "不成功"]),
                    strict: true,
                },
            ),
            Field::Form => (
                8,
                if unpaid.is_empty() {
                    "达成的调解协议形式".to_string()
                } else {
                    format!(
                        "达成的调解协议形式。{}没有补贴标准，不予补贴",
                        unpaid.join("、")
                    )
                },
                "可选：书面（书面调解协议）、口头（口头协议）".into(),
                Input::List {
                    values: Form::ALL.iter().map(|f| f.label().to_string()).collect(),
                    strict: true,
                },
            ),
            Field::Dossier => (
                8,
                "卷宗是否规范（一案一卷、材料齐全）。卷宗不规范的不予补贴".into(),
                "可选：是、否".into(),
                Input::List {
                    values: strings(&["是", "否"]),
                    strict: true,
                },
            ),
            Field::Mediator => (
                8,
                "主办调解员姓名（谁调解，补谁），补贴发给此人".into(),
                "姓名，如“张三”".into(),
                Input::Text,
            ),
            Field::IdNumber => (
                20,
                "上述调解员本人的居民身份证号码".into(),
                "18 位，末位 X 用大写；本列为文本格式，请勿改为数字".into(),
                Input::Code {
                    len: Some(18),
                    unique: false,
                },
            ),
            Field::Bank => (
                18,
                "调解员本人银行卡的开户银行；未填的，发放前须补充".into(),
                "写到支行，如“中国农业银行玉溪分行”".into(),
                Input::Text,
            ),
            Field::Account => (
                22,
                "调解员本人的银行卡号（账号）；未填的，发放前须补充".into(),
                "6–32 位数字；本列为文本格式，请勿改为数字".into(),
                Input::Code {
                    len: None,
                    unique: false,
                },
            ),
            Field::Claimed => (
                10,
                "申请的补贴金额，可以不填。补贴按标准核定，与标准不一致时按标准发放".into(),
                "金额（元），如 100.00；标准见本说明第四部分".into(),
                Input::Money,
            ),
            Field::OfficeReview => (
                11,
                "司法所初审意见。初审通过的才能报县级审核".into(),
                "可选：通过、不通过".into(),
                review(),
            ),
            Field::CountyReview => (
                10,
                "县（市、区）司法局审核意见。两级审核都通过的才予补贴".into(),
                "可选：通过、不通过".into(),
                review(),
            ),
            Field::Remark => (
                12,
                "需要说明的情况，可以不填".into(),
                "文字".into(),
                Input::Text,
            ),
        };
        out.push(ColumnDoc {
            header: spec.canonical,
            required: spec.required,
            units,
            input,
            what,
            format,
        });
    }
    Ok(out)
}

/// The columns of the 社区矫正协勤人员经费申报表, in `STAFF_FIELDS` order.
pub fn staff_columns(policy: &Policy) -> Result<Vec<ColumnDoc>, String> {
    let y = policy.year;
    let year_start = ymd(y, 1, 1)?;
    let year_end = ymd(y, 12, 31)?;
    let standard = crate::money::plain(policy.staff_monthly_standard);
    let mut out = Vec::with_capacity(STAFF_FIELDS.len());
    for spec in &STAFF_FIELDS {
        let (units, what, format, input): (u32, String, String, Input) = match spec.field {
            StaffField::Seq => (
                5,
                "行号，可以不填".into(),
                "数字，如 1、2、3".into(),
                Input::Text,
            ),
            StaffField::County => {
                let (what, format, input) = county_doc(policy, "协勤人员所在县（市、区）");
                (12, what, format, input)
            }
            StaffField::Office => (
                12,
                "协勤人员派驻的司法所".into(),
                "写全称，如“××司法所”".into(),
                Input::Text,
            ),
            StaffField::Name => (
                8,
                "专职社区矫正协勤人员姓名，每人一行".into(),
                "姓名，如“张三”".into(),
                Input::Text,
            ),
            StaffField::IdNumber => (
                20,
                "本人居民身份证号码。同一人只能在一个县（市、区）申报".into(),
                "18 位，末位 X 用大写；本列为文本格式，请勿改为数字".into(),
                Input::Code {
                    len: Some(18),
                    unique: true,
                },
            ),
            StaffField::Gender => (
                6,
                "性别，可以不填".into(),
                "可选：男、女".into(),
                Input::List {
                    values: strings(&["男", "女"]),
                    strict: true,
                },
            ),
            StaffField::Education => (
                10,
                "最高学历，可以不填".into(),
                "可从下拉列表选择，也可填写其他学历".into(),
                Input::List {
                    values: strings(&[
                        "研究生",
                        "大学本科",
                        "大学专科",
                        "中专",
                        "高中",
                        "初中及以下",
                    ]),
                    strict: false,
                },
            ),
            StaffField::Major => (
                10,
                "所学专业，可以不填".into(),
                "文字，如“法学”".into(),
                Input::Text,
            ),
            StaffField::StartDate => (
                11,
                "到岗（入职）日期".into(),
                format!("日期，如 {y}-01-01"),
                Input::Date {
                    from: ymd(1990, 1, 1)?,
                    to: year_end,
                },
            ),
            StaffField::EndDate => (
                11,
                "本年度内离职的，填离职日期；仍在岗的不填".to_string(),
                format!("日期，须在 {y} 年内，如 {y}-09-30"),
                Input::Date {
                    from: year_start,
                    to: year_end,
                },
            ),
            StaffField::Months => (
                8,
                format!("{y} 年度在岗（发放）月数，应与入职、离职日期一致"),
                "0–12 的整数".into(),
                Input::Months,
            ),
            StaffField::MonthlyStandard => (
                10,
                format!("市级补助标准：每人每月 {standard} 元"),
                format!("金额（元），如 {standard}"),
                Input::Money,
            ),
            StaffField::Municipal => (
                12,
                format!("本年度申请的市级补助金额，不超过 {standard} 元 × 在岗月数"),
                "金额（元），如 12000.00".into(),
                Input::Money,
            ),
            StaffField::CountyTopUp => (
                10,
                "县级财政配套的金额，没有的不填".into(),
                "金额（元），如 2400.00".into(),
                Input::Money,
            ),
            StaffField::Bank => (
                18,
                "本人工资卡的开户银行".into(),
                "写到支行，如“中国农业银行玉溪分行”".into(),
                Input::Text,
            ),
            StaffField::Account => (
                22,
                "本人工资卡卡号（账号）".into(),
                "6–32 位数字；本列为文本格式，请勿改为数字".into(),
                Input::Code {
                    len: None,
                    unique: false,
                },
            ),
            StaffField::Remark => (
                12,
                "需要说明的情况，可以不填".into(),
                "文字".into(),
                Input::Text,
            ),
        };
        out.push(ColumnDoc {
            header: spec.canonical,
            required: spec.required,
            units,
            input,
            what,
            format,
        });
    }
    Ok(out)
}

/// Which of the two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Claims,
    Staff,
}

impl Template {
    pub fn file_name(self) -> &'static str {
        match self {
            Template::Claims => CLAIM_TEMPLATE_FILE,
            Template::Staff => STAFF_TEMPLATE_FILE,
        }
    }
    fn title(self, year: i32) -> String {
        match self {
            Template::Claims => format!("{year}年人民调解“一案一补”个案补贴申报表"),
            Template::Staff => format!("{year}年专职社区矫正协勤人员经费申报表"),
        }
    }
    fn one_row(self) -> &'static str {
        match self {
            Template::Claims => "每个案件填一行",
            Template::Staff => "每名协勤人员填一行",
        }
    }
}

/// Writes both blank templates into `dir` (created when missing) and returns their paths.
/// `date` is the document date stored in the files: pass the policy year's 1 January so the
/// committed copies never drift.
pub fn write_templates(
    policy: &Policy,
    dir: &Path,
    date: NaiveDate,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("无法创建文件夹 {}：{e}", dir.display()))?;
    let mut paths = Vec::with_capacity(2);
    for form in [Template::Claims, Template::Staff] {
        let path = dir.join(form.file_name());
        let mut wb = build_template(policy, form, date)?;
        style::save(&mut wb, &path)?;
        paths.push(path);
    }
    Ok(paths)
}

/// `payrun template`: writes the templates dated the policy year's 1 January.
pub fn template_command(policy: &Policy, out: &Path) -> Result<u8, String> {
    let date = ymd(policy.year, 1, 1)?;
    for p in write_templates(policy, out, date)? {
        println!("已生成空白申报表：{}", p.display());
    }
    let p = crate::bank::correction::write_template(policy, out, date)?;
    println!("已生成空白账户更正表：{}", p.display());
    Ok(0)
}

fn xe(e: XlsxError) -> String {
    format!("生成空白申报表失败：{e}")
}

/// Builds one template (not saved).
pub fn build_template(
    policy: &Policy,
    form: Template,
    date: NaiveDate,
) -> Result<Workbook, String> {
    let columns = match form {
        Template::Claims => claim_columns(policy)?,
        Template::Staff => staff_columns(policy)?,
    };
    let title = form.title(policy.year);
    let mut wb = Workbook::new();
    wb.set_properties(&style::properties(&title, date));
    let st = Styles::new();
    let mut lists = Lists::default();
    let mut ws = Worksheet::new();
    ws.set_name(FORM_SHEET).map_err(xe)?;
    write_form(&mut ws, &st, form, &title, &columns, &mut lists).map_err(xe)?;
    let mut help = Worksheet::new();
    help.set_name(HELP_SHEET).map_err(xe)?;
    write_help(&mut help, &st, policy, form, &title, &columns).map_err(xe)?;
    ws.set_active(true);
    wb.push_worksheet(ws);
    wb.push_worksheet(help);
    if let Some(mut l) = lists.sheet.take() {
        l.set_hidden(true);
        wb.push_worksheet(l);
    }
    Ok(wb)
}

/// Lists too long for an inline dropdown, one per column of the hidden 下拉选项 sheet.
#[derive(Default)]
struct Lists {
    sheet: Option<Worksheet>,
    next_col: u16,
}

impl Lists {
    /// A dropdown over `values`: inline when it fits, else a range of the hidden sheet.
    fn validation(&mut self, values: &[String]) -> Result<DataValidation, XlsxError> {
        let inline: usize = values
            .iter()
            .map(|v| v.encode_utf16().count() + 1)
            .sum::<usize>()
            .saturating_sub(1);
        if inline <= INLINE_LIST_MAX {
            return DataValidation::new().allow_list_strings(values);
        }
        let sheet = match &mut self.sheet {
            Some(s) => s,
            None => {
                let mut s = Worksheet::new();
                s.set_name(LISTS_SHEET)?;
                self.sheet.insert(s)
            }
        };
        let col = self.next_col;
        self.next_col += 1;
        for (r, v) in (0u32..).zip(values) {
            sheet.write_string(r, col, style::cell_text(v))?;
        }
        let last = u32::try_from(values.len()).unwrap_or(1).max(1) - 1;
        let first_ref = absolute(cell_ref(0, u32::from(col)));
        let last_ref = absolute(cell_ref(last, u32::from(col)));
        Ok(
            DataValidation::new().allow_list_formula(Formula::new(format!(
                "='{LISTS_SHEET}'!{first_ref}:{last_ref}"
            ))),
        )
    }
}

/// "1800000.00" → "1,800,000.00".
fn grouped(d: rust_decimal::Decimal) -> String {
    let plain = crate::money::plain(d);
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let (sign, digits) = match int.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", int),
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

/// "A1" → "$A$1".
fn absolute(r: String) -> String {
    let split = r.find(|c: char| c.is_ascii_digit()).unwrap_or(r.len());
    let (letters, digits) = r.split_at(split);
    format!("${letters}${digits}")
}

/// The letters of a 0-based column ("A", "T").
fn col_letters(col: u16) -> String {
    cell_ref(0, u32::from(col))
        .trim_end_matches('1')
        .to_string()
}

/// Cut to Excel's limit on validation texts (the messages are written to fit; this only
/// guards a policy with unusually long names).
fn fit(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        used += ch.len_utf16();
        if used > max {
            break;
        }
        out.push(ch);
    }
    out
}

fn header_text(c: &ColumnDoc) -> String {
    if c.required {
        format!("{REQUIRED_MARK}{}", c.header)
    } else {
        c.header.to_string()
    }
}

/// The data validation of a column: its rule, input message and error message.
fn validation(c: &ColumnDoc, col: u16, lists: &mut Lists) -> Result<DataValidation, XlsxError> {
    let letters = col_letters(col);
    let first = FIRST_DATA_ROW + 1;
    let last = FIRST_DATA_ROW + DATA_ROWS;
    let (v, error) = match &c.input {
        Input::Text => (DataValidation::new().allow_any_value(), None),
        Input::Code { len, unique } => {
            let mut conds = Vec::new();
            if let Some(n) = len {
                conds.push(format!("LEN({letters}{first})={n}"));
            }
            if *unique {
                conds.push(format!(
                    "COUNTIF(${letters}${first}:${letters}${last},{letters}{first})=1"
                ));
            }
            if conds.is_empty() {
                (DataValidation::new().allow_any_value(), None)
            } else {
                let mut why = Vec::new();
                if let Some(n) = len {
                    why.push(format!("应为 {n} 位"));
                }
                if *unique {
                    why.push("不能与本列其他行重复（一案只能申报一次）".to_string());
                }
                (
                    DataValidation::new()
                        .allow_custom(Formula::new(format!("=AND({})", conds.join(",")))),
                    Some(format!("{}{}。", c.header, why.join("，"))),
                )
            }
        }
        Input::Date { from, to } => (
            DataValidation::new().allow_date(DataValidationRule::Between(
                excel_date(*from)?,
                excel_date(*to)?,
            )),
            Some(format!(
                "请输入 {} 至 {} 之间的日期，格式如 {}。",
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d"),
                to.format("%Y-03-05")
            )),
        ),
        Input::List { values, strict } => {
            let v = lists.validation(values)?;
            if *strict {
                (
                    v,
                    Some(format!("请从下拉列表中选择：{}。", values.join("、"))),
                )
            } else {
                (
                    v.set_error_style(DataValidationErrorStyle::Information),
                    Some(format!(
                        "列表中没有这一项：{}。可以保留，也可以从下拉列表中选择。",
                        c.header
                    )),
                )
            }
        }
        Input::Money => (
            DataValidation::new().allow_custom(Formula::new(format!(
                "=AND(ISNUMBER({letters}{first}),{letters}{first}>=0,ROUND({letters}{first},2)={letters}{first})"
            ))),
            Some("请填写金额数字（元），不小于 0，最多两位小数，如 100.00；不要加“元”字。".to_string()),
        ),
        Input::Months => (
            DataValidation::new().allow_whole_number(DataValidationRule::Between(0, 12)),
            Some("在岗月数应为 0 到 12 的整数。".to_string()),
        ),
    };
    let required = if c.required { "必填" } else { "选填" };
    let mut v = v
        .set_input_title(fit(
            &format!("{}（{required}）", c.header),
            VALIDATION_TITLE_MAX,
        ))?
        .set_input_message(fit(
            &format!("{}。\n{}", c.what, c.format),
            VALIDATION_MESSAGE_MAX,
        ))?;
    if let Some(e) = error {
        v = v
            .set_error_title(fit(&format!("{}填写有误", c.header), VALIDATION_TITLE_MAX))?
            .set_error_message(fit(&e, VALIDATION_MESSAGE_MAX))?;
    }
    Ok(v)
}

/// The format of a whole data column (what a typed value gets).
fn column_format(input: &Input) -> Format {
    let base = Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_align(FormatAlign::VerticalCenter);
    match input {
        Input::Text => base.set_text_wrap(),
        Input::Code { .. } => base.set_num_format_index(49),
        Input::Date { .. } => base
            .set_num_format("yyyy-mm-dd")
            .set_align(FormatAlign::Center),
        Input::List { .. } => base.set_align(FormatAlign::Center).set_text_wrap(),
        Input::Money => base.set_num_format(style::MONEY_FORMAT),
        Input::Months => base.set_num_format("0").set_align(FormatAlign::Center),
    }
}

fn write_form(
    ws: &mut Worksheet,
    st: &Styles,
    form: Template,
    title: &str,
    columns: &[ColumnDoc],
    lists: &mut Lists,
) -> Result<(), XlsxError> {
    let n = u16::try_from(columns.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let last_col = n.saturating_sub(1);
    let widths: Vec<u32> = columns
        .iter()
        .map(|c| column_pixels(c.units, c.units, c.units))
        .collect();
    let total: u32 = widths.iter().sum();
    for ((col, w), c) in (0u16..).zip(&widths).zip(columns) {
        ws.set_column_width_pixels(col, *w)?;
        ws.set_column_format(col, &column_format(&c.input))?;
    }

    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, title, &st.title)?;
    ws.set_row_height_pixels(TITLE_ROW, 40)?;

    // The 填报单位 line, as the printed form has it; a county name typed in front of 司法局 is
    // read like the county column.
    let split = (n / 2).max(1).min(last_col);
    ws.merge_range(
        UNIT_ROW,
        0,
        UNIT_ROW,
        split.saturating_sub(1),
        "填报单位：　　　　　　　　司法局　　　　填报日期：　　　　年　　月　　日",
        &st.subtitle,
    )?;
    ws.merge_range(
        UNIT_ROW,
        split,
        UNIT_ROW,
        last_col,
        "金额单位：元",
        &st.subtitle_right,
    )?;
    ws.set_row_height_pixels(UNIT_ROW, 24)?;

    let help_fmt = st
        .plain
        .clone()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_font_color(Color::RGB(HELP_RED));
    let help = format!(
        "说明：{}；带 {REQUIRED_MARK} 的列必须填写。点选单元格可看到该列的填写提示，有下拉箭头的列请从列表中选择。\
         身份证号码、银行账号{}已设为文本格式，请直接输入完整号码，不要改成数字格式。日期按 2025-03-05 的格式输入。\
         详细要求和报送时间见“{HELP_SHEET}”工作表。",
        form.one_row(),
        if form == Template::Claims {
            "、案件编号"
        } else {
            ""
        },
    );
    ws.merge_range(HELP_ROW, 0, HELP_ROW, last_col, &help, &help_fmt)?;
    ws.set_row_height_pixels(HELP_ROW, row_pixels(wrapped_lines(&help, total)))?;

    let red = Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_bold()
        .set_font_color(Color::RGB(RED));
    let black = Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_bold();
    let mut header_lines = 1;
    for ((col, c), w) in (0u16..).zip(columns).zip(&widths) {
        if c.required {
            ws.write_rich_string_with_format(
                HEADER_ROW,
                col,
                &[(&red, REQUIRED_MARK), (&black, c.header)],
                &st.header,
            )?;
        } else {
            ws.write_string_with_format(HEADER_ROW, col, c.header, &st.header)?;
        }
        header_lines = header_lines.max(wrapped_lines(&header_text(c), *w));
        let text = format!(
            "{}（{}）\n{}。\n{}",
            c.header,
            if c.required { "必填" } else { "选填" },
            c.what,
            c.format
        );
        let note_width = 300;
        let note = Note::new(text.as_str())
            .add_author_prefix(false)
            .set_font_name(FONT)
            .set_font_size(9)
            .set_width(note_width)
            .set_height(row_pixels(wrapped_lines(&text, note_width)).saturating_add(8));
        ws.insert_note(HEADER_ROW, col, &note)?;
    }
    ws.set_row_height_pixels(HEADER_ROW, row_pixels(header_lines))?;

    let last_data = FIRST_DATA_ROW + DATA_ROWS - 1;
    for (col, c) in (0u16..).zip(columns) {
        let v = validation(c, col, lists)?;
        ws.add_data_validation(FIRST_DATA_ROW, col, last_data, col, &v)?;
    }
    // Borders on the rows that hold something.
    let last_letters = col_letters(last_col);
    let border = Format::new().set_border(FormatBorder::Thin);
    let cf = ConditionalFormatFormula::new()
        .set_rule(Formula::new(format!(
            "=COUNTA($A{row}:${last_letters}{row})>0",
            row = FIRST_DATA_ROW + 1
        )))
        .set_format(&border);
    ws.add_conditional_format(FIRST_DATA_ROW, 0, last_data, last_col, &cf)?;

    ws.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    ws.set_selection(FIRST_DATA_ROW, 0, FIRST_DATA_ROW, 0)?;
    style::print_setup(ws, TITLE_ROW, HEADER_ROW)?;
    Ok(())
}

/// How a table row of the 填表说明 sheet is aligned.
#[derive(Clone, Copy)]
enum RowKind {
    Head,
    /// Column list: texts left, letters and 必填 centred.
    Text,
    /// Small figure tables: everything centred.
    Figures,
}

/// Rows of the 填表说明 sheet are written top-down through this cursor.
struct Help<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    /// Widths of the five columns in pixels.
    widths: [u32; 5],
    para: Format,
    section: Format,
    cell: Format,
    cell_center: Format,
    header: Format,
}

impl Help<'_> {
    fn total_width(&self) -> u32 {
        self.widths.iter().sum()
    }

    fn section(&mut self, text: &str) -> Result<(), XlsxError> {
        self.row += 1;
        self.ws
            .merge_range(self.row, 0, self.row, 4, text, &self.section)?;
        self.ws.set_row_height_pixels(self.row, 26)?;
        self.row += 1;
        Ok(())
    }

    fn para(&mut self, text: &str) -> Result<(), XlsxError> {
        self.ws
            .merge_range(self.row, 0, self.row, 4, text, &self.para)?;
        let lines = wrapped_lines(text, self.total_width());
        self.ws.set_row_height_pixels(self.row, row_pixels(lines))?;
        self.row += 1;
        Ok(())
    }

    /// A table row: `cells` fill the five columns (a shorter slice merges its last cell to
    /// the end).
    fn table_row(&mut self, cells: &[&str], kind: RowKind) -> Result<(), XlsxError> {
        let mut lines = 1;
        let count = cells.len().min(5);
        for (i, text) in cells.iter().take(count).enumerate() {
            let col = u16::try_from(i).unwrap_or(0);
            let f = match kind {
                RowKind::Head => &self.header,
                RowKind::Figures => &self.cell_center,
                RowKind::Text if i == 0 || i == 2 => &self.cell_center,
                RowKind::Text => &self.cell,
            };
            let width = if i + 1 == count {
                self.widths.iter().skip(i).sum()
            } else {
                self.widths.get(i).copied().unwrap_or(100)
            };
            if i + 1 == count && count < 5 {
                self.ws.merge_range(self.row, col, self.row, 4, text, f)?;
            } else {
                self.ws.write_string_with_format(self.row, col, *text, f)?;
            }
            lines = lines.max(wrapped_lines(text, width));
        }
        self.ws.set_row_height_pixels(self.row, row_pixels(lines))?;
        self.row += 1;
        Ok(())
    }
}

fn write_help(
    ws: &mut Worksheet,
    st: &Styles,
    policy: &Policy,
    form: Template,
    title: &str,
    columns: &[ColumnDoc],
) -> Result<(), XlsxError> {
    let units = [6u32, 16, 8, 56, 40];
    let widths = units.map(|u| column_pixels(u, u, u));
    for (col, w) in (0u16..).zip(&widths) {
        ws.set_column_width_pixels(col, *w)?;
    }
    let para = st.plain.clone().set_text_wrap().set_align(FormatAlign::Top);
    let section = st
        .plain
        .clone()
        .set_bold()
        .set_font_size(12)
        .set_align(FormatAlign::VerticalCenter);
    let mut h = Help {
        ws,
        row: 0,
        widths,
        para,
        section,
        cell: st.text_wrap.clone(),
        cell_center: st.text_wrap.clone().set_align(FormatAlign::Center),
        header: st.header.clone(),
    };
    h.ws.merge_range(0, 0, 0, 4, &format!("{title}　填表说明"), &st.title)?;
    h.ws.set_row_height_pixels(0, 40)?;
    h.row = 1;

    let y = policy.year;
    let cn = |d: NaiveDate| format!("{}月{}日", d.month(), d.day());
    h.section("一、报送时间")?;
    match form {
        Template::Claims => {
            h.para(&format!(
                "1. 按季度申报：各人民调解委员会于每季度第三个月月底前，将本季度调解成功的案件报司法所，即 {y} 年 3月31日、6月30日、9月30日、12月31日前；司法所初审、县（市、区）司法局审核后，汇总报市司法局。"
            ))?;
            let periods: Vec<String> = policy
                .periods
                .iter()
                .map(|p| {
                    let name = if p.name.trim().is_empty() {
                        p.id.as_str()
                    } else {
                        p.name.as_str()
                    };
                    format!(
                        "{name}（{}至{}结案的案件）于 {} 前发放",
                        cn(p.start),
                        cn(p.end),
                        cn(p.pay_by)
                    )
                })
                .collect();
            h.para(&format!(
                "2. 市司法局每年发放两次：{}。补贴直接发给调解员本人（谁调解，补谁）。",
                periods.join("；")
            ))?;
            h.para(&format!(
                "3. 上一期已结案但未申报的案件，可在 {y} 年度内的下一期补报；已发放过补贴的案件不得再次申报。各县（市、区）的补贴总额不超过市级下达的年度限额。"
            ))?;
        }
        Template::Staff => {
            h.para(&format!(
                "1. 每年年初，各县（市、区）司法局报送本年度（{y} 年）在岗的专职社区矫正协勤人员名单和经费申报，每名协勤人员一行。"
            ))?;
            h.para("2. 市财政于每年 4 月将全年市级经费下达各县（市、区）；年中人员变动的，在“离职日期”“在岗月数”中如实反映。")?;
            h.para("3. 年末报送经费使用情况，市司法局开展绩效评价，评价结果作为下一年度经费分配的依据。")?;
        }
    }

    h.section("二、填写要求")?;
    let mut rules: Vec<String> = vec![
        format!(
            "{}。第 4 行的表头请不要修改、删除；数据从第 5 行开始填写，中间不要留空行。",
            form.one_row()
        ),
        format!(
            "表头带 {REQUIRED_MARK} 的列必须填写，其余列选填。点选单元格时会显示该列的填写提示；表头单元格右上角的红色小三角也有说明。"
        ),
        "有下拉箭头的列请从下拉列表中选择，不要自行输入其他写法；输入不合要求的内容时 Excel 会提示。".to_string(),
        format!(
            "身份证号码、银行账号{}已设为文本格式：请直接输入完整号码，不要把单元格改成“数值”或“常规”格式，否则 Excel 会把 15 位以后的数字变成 0，无法还原。从其他表格复制号码时，粘贴后请逐一核对。",
            if form == Template::Claims { "、案件编号" } else { "" }
        ),
        format!("日期请按 {y}-03-05 的格式输入（也可输入 {y}/3/5），Excel 会识别为日期。"),
        format!(
            "本表第 5 行至第 {} 行已预设下拉列表和格式；行数不够时，请从上方复制整行后插入。",
            FIRST_DATA_ROW + DATA_ROWS
        ),
    ];
    if form == Template::Claims {
        rules.push("一个县（市、区）有多个司法所的，可以每个司法所复制一张“申报表”工作表，也可以全部填在一张表上。".to_string());
    }
    rules.push(
        "表格下方可以加“合计”行和“填表人：”“审核人：”“负责人：”签字行，不影响审核。".to_string(),
    );
    rules.push(
        "报送前可以用市司法局提供的 payrun 程序自查：payrun check 文件名.xlsx，程序会列出每个有问题的单元格（不修改文件）。".to_string(),
    );
    for (i, r) in rules.iter().enumerate() {
        h.para(&format!("{}. {r}", i + 1))?;
    }

    h.section("三、各列填写说明")?;
    h.table_row(
        &["列", "列名", "是否必填", "填写内容", "可选值、格式与示例"],
        RowKind::Head,
    )?;
    for (col, c) in (0u16..).zip(columns) {
        let letters = col_letters(col);
        let required = if c.required {
            if c.header == Field::County.label() {
                "必填¹"
            } else {
                "必填"
            }
        } else {
            "选填"
        };
        h.table_row(
            &[&letters, c.header, required, &c.what, &c.format],
            RowKind::Text,
        )?;
    }
    h.para("¹ 县（市、区）：每行都填写；或者在第 2 行“填报单位”处写明本县（市、区）司法局（如“填报单位：红塔区司法局”），此时该列可以不填。")?;

    match form {
        Template::Claims => {
            h.section("四、补贴标准（元/件）")?;
            h.table_row(&["序号", "纠纷等级", "补贴标准"], RowKind::Head)?;
            for (i, l) in (1..).zip(Level::ALL) {
                let rate = |f: Form| match policy.rate(l, f) {
                    Some(d) => format!("{}协议 {} 元/件", f.label(), crate::money::plain(d)),
                    None => format!("{}协议 不予补贴", f.label()),
                };
                let text = Form::ALL.map(rate).join("；");
                h.table_row(&[&i.to_string(), l.label(), &text], RowKind::Figures)?;
            }
            h.para("补贴按上表标准核定，与“申报金额”不一致时按标准发放。标准以市司法局《实施办法》为准。")?;
        }
        Template::Staff => {
            let standard = crate::money::plain(policy.staff_monthly_standard);
            h.section("四、市级补助标准与各县（市、区）定额")?;
            h.para(&format!(
                "市级补助标准为每人每月 {standard} 元，每人全年市级补助不超过 {standard} 元 × 在岗月数。各县（市、区）在岗人数不超过定额，市级经费不超过下达数。"
            ))?;
            h.table_row(
                &["序号", "县（市、区）", "定额（人）", "市级经费（元）"],
                RowKind::Head,
            )?;
            for (i, c) in (1..).zip(&policy.counties) {
                h.table_row(
                    &[
                        &i.to_string(),
                        &c.name,
                        &c.staff_quota.to_string(),
                        &grouped(c.staff_allocation),
                    ],
                    RowKind::Figures,
                )?;
            }
            h.table_row(
                &[
                    "",
                    "合计",
                    &policy.total_staff_quota.to_string(),
                    &grouped(policy.total_staff_allocation),
                ],
                RowKind::Figures,
            )?;
        }
    }

    style::print_setup(h.ws, 0, 0)?;
    h.ws.set_portrait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::header::match_header;

    #[test]
    fn marked_headers_still_match() {
        let p = Policy::default_policy().unwrap();
        for c in claim_columns(&p).unwrap() {
            let f = match_header::<Field>(&header_text(&c));
            assert_eq!(f.map(|f| f.label()), Some(c.header), "{}", c.header);
        }
        for c in staff_columns(&p).unwrap() {
            let f = match_header::<StaffField>(&header_text(&c));
            assert_eq!(f.map(crate::ingest::header::Column::label), Some(c.header));
        }
    }

    fn bytes(policy: &Policy, form: Template) -> Vec<u8> {
        let date = NaiveDate::from_ymd_opt(policy.year, 1, 1).unwrap();
        build_template(policy, form, date)
            .unwrap()
            .save_to_buffer()
            .unwrap()
    }

    fn part(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn each_template_is_read_back_as_its_own_form_only() {
        use crate::codes::FileCode;
        use crate::ingest::ingest_bytes;
        let p = Policy::default_policy().unwrap();
        let claims = bytes(&p, Template::Claims);
        let staff = bytes(&p, Template::Staff);

        let c = ingest_bytes::<Field>("c.xlsx", &claims);
        assert!(c.error.is_none());
        let form = c.sheets.iter().find(|s| s.name == FORM_SHEET).unwrap();
        let t = form.table.as_ref().unwrap();
        assert_eq!((t.header_row, t.header_height), (HEADER_ROW + 1, 1));
        assert_eq!(t.columns.len(), FIELDS.len());
        assert!(t.rows.is_empty());
        assert_eq!(
            t.filing_unit.as_ref().map(|(u, _)| u.as_str()),
            Some("司法局")
        );
        let help = c.sheets.iter().find(|s| s.name == HELP_SHEET).unwrap();
        assert!(help.table.is_none() && help.problem.is_none());

        let s = ingest_bytes::<StaffField>("s.xlsx", &staff);
        assert!(s.error.is_none());
        let t = s.sheets.first().and_then(|x| x.table.as_ref()).unwrap();
        assert_eq!(t.columns.len(), STAFF_FIELDS.len());
        // Neither form is taken for the other.
        assert_eq!(
            ingest_bytes::<Field>("s.xlsx", &staff)
                .error
                .map(|e| e.code),
            Some(FileCode::NoClaimSheet)
        );
        assert_eq!(
            ingest_bytes::<StaffField>("c.xlsx", &claims)
                .error
                .map(|e| e.code),
            Some(FileCode::NoClaimSheet)
        );
    }

    #[test]
    fn long_county_lists_go_to_a_hidden_sheet() {
        let n = 40;
        let mut toml = format!(
            "name = \"测试\"\nyear = 2026\nstaff_monthly_standard = \"1000.00\"\n\n[totals]\nmediation_cap = \"{}\"\nstaff_allocation = \"{}\"\nstaff_quota = {n}\n\n[[rates]]\nlevel = \"一般\"\nform = \"书面\"\namount = \"100.00\"\n",
            n * 10_000,
            n * 12_000
        );
        for i in 0..n {
            toml.push_str(&format!(
                "\n[[counties]]\ncode = \"5301{i:02}\"\nname = \"测试哈尼族彝族傣族自治县{i}\"\nmediation_cap = \"10000.00\"\nstaff_allocation = \"12000.00\"\nstaff_quota = 1\n"
            ));
        }
        let p = Policy::from_toml(&toml, "test.toml").unwrap();
        let b = bytes(&p, Template::Claims);
        let wb = part(&b, "xl/workbook.xml");
        assert!(
            wb.contains(&format!(
                "name=\"{LISTS_SHEET}\" sheetId=\"3\" state=\"hidden\""
            )),
            "{wb}"
        );
        let sheet = part(&b, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(&format!("<formula1>'{LISTS_SHEET}'!$A$1:$A${n}</formula1>")));
        // Short lists stay inline.
        assert!(sheet.contains("<formula1>\"简易,一般,疑难复杂,重大\"</formula1>"));
        // The list sheet is no form, and the unpaid pairs reach the 协议形式 help.
        let c = crate::ingest::ingest_bytes::<Field>("c.xlsx", &b);
        let lists = c.sheets.iter().find(|s| s.name == LISTS_SHEET).unwrap();
        assert!(lists.hidden && lists.table.is_none() && lists.problem.is_none());
        let docs = claim_columns(&p).unwrap();
        let form = docs.iter().find(|d| d.header == "协议形式").unwrap();
        assert!(form.what.contains("简易纠纷口头协议"), "{}", form.what);
    }

    #[test]
    fn every_validation_text_fits_excel_limits() {
        let p = Policy::default_policy().unwrap();
        for c in claim_columns(&p)
            .unwrap()
            .iter()
            .chain(&staff_columns(&p).unwrap())
        {
            let msg = format!("{}。\n{}", c.what, c.format);
            assert!(
                msg.encode_utf16().count() <= VALIDATION_MESSAGE_MAX,
                "{msg}"
            );
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(absolute("A1".into()), "$A$1");
        assert_eq!(absolute("AB12".into()), "$AB$12");
        assert_eq!(col_letters(0), "A");
        assert_eq!(col_letters(19), "T");
        assert_eq!(col_letters(26), "AA");
        assert_eq!(fit("一二三", 2), "一二");
        assert_eq!(
            grouped(rust_decimal::Decimal::from(1_800_000)),
            "1,800,000.00"
        );
        assert_eq!(grouped(rust_decimal::Decimal::from(300)), "300.00");
        assert_eq!(grouped(rust_decimal::Decimal::from(1000)), "1,000.00");
    }
}
