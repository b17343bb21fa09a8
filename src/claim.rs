//! The typed claim row: every field parsed strictly from its cell, or a located finding saying
//! why it could not be (SPEC §4.1, §9.4–§9.6). Parsing happens once, here, at the edge.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cell;
use crate::codes::{RowCode, cell_ref};
use crate::county::{CountyCode, CountyRegistry};
use crate::ingest::grid::CellVal;
use crate::ingest::header::Field;
use crate::ingest::{ClaimTable, RawRow};
use crate::policy::{Form, Level};

/// A finding on a row: the code, the field and cell it concerns, and a Chinese sentence that says
/// what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub code: RowCode,
    pub field: Option<Field>,
    /// "B12", when the finding belongs to one cell.
    pub cell: Option<String>,
    pub message: String,
}

impl Issue {
    /// A message sized to its text: `format!` reserves up to twice what it writes, and a
    /// province's run holds a finding on most of its rows.
    pub fn text(mut message: String) -> String {
        message.shrink_to_fit();
        message
    }
}

/// A claim's text field: stored inline up to 24 bytes (a name, an office, an ID or account
/// number, a bank), so most fields of a province's million rows need no heap allocation.
pub type Text = compact_str::CompactString;

/// Where a row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Shared by every row of the file (and sheet): a province's run holds a million origins.
    pub file: std::sync::Arc<str>,
    pub sheet: std::sync::Arc<str>,
    pub sheet_index: usize,
    /// 1-based Excel row.
    pub row: u32,
}

impl Origin {
    pub fn place(&self) -> String {
        format!("{}｜{}｜第 {} 行", self.file, self.sheet, self.row)
    }
}

/// A claim row with each field parsed (None = absent or unreadable; the issue says which).
#[derive(Debug, Clone)]
pub struct Claim {
    pub origin: Origin,
    /// The county the row belongs to; None when its county cell names no known county.
    pub county: Option<CountyCode>,
    /// The county whose feedback workbook gets this row (the sheet's county).
    pub sheet_county: Option<CountyCode>,
    pub office: Option<Text>,
    pub committee: Option<Text>,
    pub case_no: Option<Text>,
    pub case_key: Option<Text>,
    pub dispute_type: Option<Text>,
    pub level: Option<Level>,
    pub accept_date: Option<NaiveDate>,
    pub close_date: Option<NaiveDate>,
    pub successful: Option<bool>,
    pub form: Option<Form>,
    pub dossier_ok: Option<bool>,
    pub mediator: Option<Text>,
    pub id_number: Option<Text>,
    pub bank: Option<Text>,
    pub account: Option<Text>,
    pub claimed: Option<Decimal>,
    pub office_review: Option<bool>,
    pub county_review: Option<bool>,
    pub remark: Option<Text>,
    /// Findings of parsing. `decide_all` moves them into the claim's decision, where every report
    /// reads them; after deciding this list is empty.
    pub issues: Vec<Issue>,
    /// The row's cells as read, for the feedback workbook.
    pub raw: RawRow,
    /// Field → 0-based column of the sheet, for cell references (shared by the sheet's rows).
    pub columns: std::sync::Arc<[(Field, u32)]>,
}

impl Claim {
    /// The parsed text that stands for field `f`, for the text fields whose raw cell is dropped
    /// when it equals it (see `parse_owned`).
    fn parsed_text(&self, f: Field) -> Option<&Text> {
        match f {
            Field::Office => self.office.as_ref(),
            Field::Committee => self.committee.as_ref(),
            Field::CaseNo => self.case_no.as_ref(),
            Field::DisputeType => self.dispute_type.as_ref(),
            Field::Mediator => self.mediator.as_ref(),
            Field::IdNumber => self.id_number.as_ref(),
            Field::Bank => self.bank.as_ref(),
            Field::Account => self.account.as_ref(),
            Field::Remark => self.remark.as_ref(),
            _ => None,
        }
    }

    /// The cell that the parsed value of a coded, date or amount field stands for: its
    /// canonical label, the date cell, the number cell. A cell read exactly so is not kept
    /// (see `parse_owned`); any other spelling ("调解成功", "2025/3/5", "100元") is kept as read.
    fn parsed_cell(&self, f: Field) -> Option<CellVal> {
        if let Some(label) = self.parsed_label(f) {
            return Some(CellVal::Text(label.to_string()));
        }
        match f {
            Field::AcceptDate => self.accept_date.map(CellVal::Date),
            Field::CloseDate => self.close_date.map(CellVal::Date),
            Field::Claimed => self.claimed.map(|d| CellVal::Number(Some(d))),
            _ => None,
        }
    }

    /// The canonical label of a coded field's parsed value (see `parsed_cell`).
    fn parsed_label(&self, f: Field) -> Option<&'static str> {
        let yes_no = |b: Option<bool>, yes, no| b.map(|b| if b { yes } else { no });
        match f {
            Field::Level => self.level.map(|l| l.label()),
            Field::Form => self.form.map(|x| x.label()),
            Field::Result => yes_no(self.successful, "成功", "不成功"),
            Field::Dossier => yes_no(self.dossier_ok, "是", "否"),
            Field::OfficeReview => yes_no(self.office_review, "通过", "不通过"),
            Field::CountyReview => yes_no(self.county_review, "通过", "不通过"),
            _ => None,
        }
    }

    /// True when `v` is exactly the cell the parsed value of `f` gives back (a number also at
    /// the same scale, so 100 and 100.00 stay distinct).
    fn gives_back(&self, f: Field, v: &CellVal) -> bool {
        if let (CellVal::Text(t), Some(p)) = (v, self.parsed_text(f)) {
            return t == p;
        }
        if let Some(label) = self.parsed_label(f) {
            return matches!(v, CellVal::Text(t) if t == label);
        }
        match (v, self.parsed_cell(f)) {
            (CellVal::Number(Some(a)), Some(CellVal::Number(Some(b)))) => {
                a == &b && a.scale() == b.scale()
            }
            (v, Some(p)) => *v == p,
            _ => false,
        }
    }

    /// The cell as read for field `f`. A cell equal to its parsed value is not kept twice (a
    /// province's run holds a million rows, each with a dozen cells); it is given back from the
    /// parsed value.
    pub fn raw_cell(&self, f: Field) -> Option<std::borrow::Cow<'_, CellVal>> {
        match self.raw.get(f) {
            Some(v) => Some(std::borrow::Cow::Borrowed(v)),
            None => self
                .parsed_text(f)
                .map(|t| CellVal::Text(t.to_string()))
                .or_else(|| self.parsed_cell(f))
                .map(std::borrow::Cow::Owned),
        }
    }

    /// [`Claim::raw_cell`] when that is text, borrowed: what the feedback workbook writes for
    /// most of a province's cells, without building a cell to copy the text out of.
    pub fn raw_text(&self, f: Field) -> Option<&str> {
        match self.raw.get(f) {
            Some(CellVal::Text(t)) => Some(t),
            Some(_) => None,
            None => self
                .parsed_text(f)
                .map(|t| t.as_str())
                .or_else(|| self.parsed_label(f)),
        }
    }

    pub fn cell_of(&self, f: Field) -> Option<String> {
        self.columns
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, c)| cell_ref(self.origin.row.saturating_sub(1), *c))
    }
}

/// How a sheet's county was settled (SPEC §9.4).
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCounty {
    /// The county for blank county cells and for the feedback of unresolved rows.
    Known(Option<CountyCode>),
    /// No county can be determined: the sheet is refused with `unknown_county`.
    Unknown(String),
}

/// Settles the county of a claim sheet from its 填报单位 line and county column.
pub fn sheet_county(table: &ClaimTable, reg: &CountyRegistry) -> SheetCounty {
    let from_line = table
        .filing_unit
        .as_ref()
        .and_then(|(t, _)| reg.resolve_in_text(t));
    let mut counts: Vec<(CountyCode, usize)> = Vec::new();
    let mut seen_values = Vec::new();
    if table.column(Field::County).is_some() {
        for r in &table.rows {
            if let Some(v) = r.get(Field::County)
                && let CellVal::Text(t) = v
            {
                match reg.resolve(t) {
                    Some(c) => match counts.iter_mut().find(|(k, _)| k == c) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((c.clone(), 1)),
                    },
                    None => {
                        if seen_values.len() < 5 && !seen_values.contains(t) {
                            seen_values.push(t.clone());
                        }
                    }
                }
            }
        }
    }
    if let Some(c) = from_line {
        return SheetCounty::Known(Some(c.clone()));
    }
    if counts.is_empty() {
        let mut why = Vec::new();
        match &table.filing_unit {
            Some((t, at)) => why.push(format!("填报单位“{t}”（{at}）不是已知的县（市、区）")),
            None => why.push("表头上方没有“填报单位”行".to_string()),
        }
        if table.column(Field::County).is_some() {
            if seen_values.is_empty() {
                why.push("县（市、区）列为空".to_string());
            } else {
                why.push(format!(
                    "县（市、区）列的值（{}）都不是已知的县（市、区）",
                    seen_values.join("、")
                ));
            }
        } else {
            why.push("也没有县（市、区）列".to_string());
        }
        return SheetCounty::Unknown(why.join("，"));
    }
    // The most frequent county; ties go to the smallest code, for determinism.
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    SheetCounty::Known(counts.first().map(|(c, _)| c.clone()))
}

struct Ctx<'a> {
    claim_cells: &'a [(Field, u32)],
    row: u32,
    epoch_1904: bool,
    today: NaiveDate,
    issues: Vec<Issue>,
}

impl Ctx<'_> {
    fn cell(&self, f: Field) -> Option<String> {
        self.claim_cells
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, c)| cell_ref(self.row.saturating_sub(1), *c))
    }

    fn push(&mut self, code: RowCode, f: Field, message: String) {
        let cell = self.cell(f);
        let at = cell.clone().map(|c| format!("{c} ")).unwrap_or_default();
        self.issues.push(Issue {
            code,
            field: Some(f),
            cell,
            message: Issue::text(format!("{at}{}：{message}", f.label())),
        });
    }

    /// Absent, an error value in an optional column, or unreadable: the common front of every
    /// field parser. Returns the value to parse further, or None (issue already recorded).
    fn present<'v>(&mut self, f: Field, v: Option<&'v CellVal>) -> Option<&'v CellVal> {
        match v {
            None => {
                if f.required() {
                    self.push(RowCode::MissingField, f, "必填项为空，请填写".into());
                }
                None
            }
            Some(v) if v.is_blank() => {
                if f.required() {
                    self.push(RowCode::MissingField, f, "必填项为空，请填写".into());
                }
                None
            }
            Some(CellVal::Error(e)) => {
                if f.required() {
                    self.push(
                        RowCode::BadValue,
                        f,
                        format!("单元格是 Excel 错误值 {e}，请改为实际内容"),
                    );
                }
                None
            }
            Some(CellVal::Formula(formula)) => {
                self.push(
                    RowCode::FormulaNotCalculated,
                    f,
                    format!(
                        "单元格是未计算的公式 ={}（保存文件的程序没有算出结果），请在 Excel/WPS 中打开后重新保存，或直接填写数值",
                        formula.trim_start_matches('=')
                    ),
                );
                None
            }
            Some(v) => Some(v),
        }
    }

    fn text(&mut self, f: Field, v: Option<&CellVal>) -> Option<String> {
        let v = self.present(f, v)?;
        let s = match v {
            CellVal::Text(t) => cell::normalize_text(t),
            CellVal::Number(Some(n)) => {
                cell::integer_text(*n).unwrap_or_else(|| n.normalize().to_string())
            }
            other => other.display(),
        };
        if s.is_empty() {
            if f.required() {
                self.push(RowCode::MissingField, f, "必填项为空，请填写".into());
            }
            return None;
        }
        Some(s)
    }

    fn coded<T>(
        &mut self,
        f: Field,
        v: Option<&CellVal>,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Option<T> {
        let v = self.present(f, v)?;
        let parsed = match v {
            CellVal::Text(t) if cell::is_compact(t) => parse(t),
            CellVal::Text(t) => parse(&cell::compact(t)),
            _ => None,
        };
        if parsed.is_none() {
            self.push(
                RowCode::BadValue,
                f,
                format!("“{}”不是有效取值，应填 {allowed}", v.display()),
            );
        }
        parsed
    }

    fn date(&mut self, f: Field, v: Option<&CellVal>) -> Option<NaiveDate> {
        let v = self.present(f, v)?;
        let r = match v {
            CellVal::Date(d) => Ok(*d),
            CellVal::Text(t) => cell::parse_date_text(t),
            CellVal::Number(Some(n)) => cell::parse_date_number(*n, self.epoch_1904),
            other => Err(cell::CellError::NotADate(other.display())),
        };
        match r {
            Ok(d) => Some(d),
            Err(e) => {
                self.push(
                    RowCode::BadDate,
                    f,
                    format!("{e}，请填写如 2025-03-05 的日期"),
                );
                None
            }
        }
    }

    fn id_number(&mut self, v: Option<&CellVal>) -> Option<String> {
        let f = Field::IdNumber;
        let v = self.present(f, v)?;
        match v {
            CellVal::Text(t) => match cell::check_id_text(t, self.today) {
                Ok(id) => Some(id),
                Err(e) => {
                    self.push(RowCode::BadIdNumber, f, format!("“{}”无效：{e}", t.trim()));
                    None
                }
            },
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                self.push(
                    RowCode::IdPrecisionLost,
                    f,
                    format!(
                        "身份证号码被 Excel 存成了数字（显示为 {}），后几位已丢失，无法还原；请把该列设为文本格式后重新录入完整号码",
                        n.normalize()
                    ),
                );
                None
            }
            other => {
                self.push(
                    RowCode::BadIdNumber,
                    f,
                    format!("“{}”不是 18 位身份证号码", other.display()),
                );
                None
            }
        }
    }

    fn account(&mut self, v: Option<&CellVal>) -> Option<String> {
        let f = Field::Account;
        let v = self.present(f, v)?;
        match v {
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                self.push(
                    RowCode::IdPrecisionLost,
                    f,
                    format!(
                        "银行账号被 Excel 存成了数字（显示为 {}），后几位已丢失，无法还原；请把该列设为文本格式后重新录入完整账号",
                        n.normalize()
                    ),
                );
                None
            }
            CellVal::Number(Some(n)) => cell::integer_text(*n),
            CellVal::Text(t) => {
                // Spaces and dashes are how people group digits; anything else is not an account
                // number a bank can pay to (a stray "=A1" from an uncalculated formula included).
                let s: String = cell::compact(t).chars().filter(|c| *c != '-').collect();
                if s.is_empty() {
                    return None;
                }
                if !(6..=32).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
                    self.push(
                        RowCode::BadValue,
                        f,
                        format!(
                            "“{}”不是有效的银行账号（应为 6–32 位数字），请核对后重填",
                            t.trim()
                        ),
                    );
                    return None;
                }
                Some(s)
            }
            other => {
                self.push(
                    RowCode::BadValue,
                    f,
                    format!("“{}”不是银行账号", other.display()),
                );
                None
            }
        }
    }

    fn money(&mut self, v: Option<&CellVal>) -> Option<Decimal> {
        let f = Field::Claimed;
        let v = self.present(f, v)?;
        let r = match v {
            CellVal::Number(Some(n)) => cell::check_money(*n),
            CellVal::Text(t) => cell::parse_money_text(t),
            other => Err(cell::CellError::NotAnAmount(other.display())),
        };
        match r {
            Ok(d) => Some(d),
            Err(e) => {
                self.push(RowCode::BadValue, f, format!("{e}，请填写如 100.00 的金额"));
                None
            }
        }
    }
}

fn parse_success(s: &str) -> Option<bool> {
    match s {
        "成功" | "调解成功" | "达成协议" | "已达成协议" => Some(true),
        "不成功" | "失败" | "未达成" | "调解不成功" | "调解失败" | "未达成协议" => {
            Some(false)
        }
        _ => None,
    }
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s {
        "是" | "规范" | "合格" | "√" | "✓" | "✔" | "Y" | "y" => Some(true),
        "否" | "不规范" | "不合格" | "×" | "✗" | "✘" | "N" | "n" => Some(false),
        _ => None,
    }
}

fn parse_review(s: &str) -> Option<bool> {
    match s {
        "通过" | "同意" | "合格" | "审核通过" | "初审通过" | "同意补贴" => {
            Some(true)
        }
        "不通过" | "不同意" | "不合格" | "未通过" | "审核不通过" | "不予通过" => {
            Some(false)
        }
        _ => None,
    }
}

/// Builds the typed claim of one data row. `sheet_county` is the county of the sheet (from the
/// 填报单位 line or the county column's majority).
/// Longest 案件编号 accepted. Real dossier numbers ("（2025）红塔玉带调字第0001号") are a few
/// dozen characters; a longer one is not a number but pasted text, and it could not be kept
/// whole in the ledger (Excel's 32,767-character cell limit) to stop it being paid twice.
pub const MAX_CASE_NO_CHARS: usize = 100;

pub fn parse_row(
    raw: &RawRow,
    table: &ClaimTable,
    origin: Origin,
    reg: &CountyRegistry,
    sheet_county: Option<&CountyCode>,
    today: NaiveDate,
) -> Claim {
    let columns: std::sync::Arc<[(Field, u32)]> = table.columns.clone().into();
    parse_owned(
        raw.clone(),
        &columns,
        table.epoch_1904,
        origin,
        reg,
        sheet_county,
        today,
    )
}

/// [`parse_row`] taking the row by value and the sheet's column map shared: what a batch of
/// hundreds of thousands of rows uses, so nothing is copied per row.
pub fn parse_owned(
    raw: RawRow,
    columns: &std::sync::Arc<[(Field, u32)]>,
    epoch_1904: bool,
    origin: Origin,
    reg: &CountyRegistry,
    sheet_county: Option<&CountyCode>,
    today: NaiveDate,
) -> Claim {
    let mut cx = Ctx {
        claim_cells: columns,
        row: raw.row,
        epoch_1904,
        today,
        issues: Vec::new(),
    };
    let g = |f: Field| raw.get(f);

    // County: the row's own value when it has one, else the sheet's (SPEC §9.4).
    let county = match g(Field::County) {
        Some(v) if !v.is_blank() && !matches!(v, CellVal::Error(_)) => match v {
            CellVal::Text(t) => match reg.resolve(t) {
                Some(c) => Some(c.clone()),
                None => {
                    cx.push(
                        RowCode::BadValue,
                        Field::County,
                        format!("“{}”不是本市的县（市、区），请填写如“红塔区”", t.trim()),
                    );
                    None
                }
            },
            CellVal::Formula(_) => {
                cx.present(Field::County, Some(v));
                None
            }
            other => {
                cx.push(
                    RowCode::BadValue,
                    Field::County,
                    format!("“{}”不是县（市、区）名称", other.display()),
                );
                None
            }
        },
        Some(CellVal::Error(e)) if sheet_county.is_none() => {
            cx.push(
                RowCode::BadValue,
                Field::County,
                format!("单元格是 Excel 错误值 {e}"),
            );
            None
        }
        _ => match sheet_county {
            Some(c) => Some(c.clone()),
            None => {
                cx.push(
                    RowCode::MissingField,
                    Field::County,
                    "必填项为空，请填写".into(),
                );
                None
            }
        },
    };

    let office = cx.text(Field::Office, g(Field::Office));
    let committee = cx.text(Field::Committee, g(Field::Committee));
    let case_no = cx.text(Field::CaseNo, g(Field::CaseNo));
    if let Some(n) = &case_no
        && n.chars().count() > MAX_CASE_NO_CHARS
    {
        cx.push(
            RowCode::BadValue,
            Field::CaseNo,
            format!(
                "案件编号长达 {} 个字符，不是有效的卷宗编号（最多 {MAX_CASE_NO_CHARS} 个字符）",
                n.chars().count()
            ),
        );
    }
    let case_key = case_no.as_deref().and_then(cell::case_key);
    let dispute_type = cx.text(Field::DisputeType, g(Field::DisputeType));
    let level = cx.coded(
        Field::Level,
        g(Field::Level),
        Level::parse,
        "简易、一般、疑难复杂 或 重大",
    );
    let accept_date = cx.date(Field::AcceptDate, g(Field::AcceptDate));
    let close_date = cx.date(Field::CloseDate, g(Field::CloseDate));
    let successful = cx.coded(
        Field::Result,
        g(Field::Result),
        parse_success,
        "成功 或 不成功",
    );
    let form = cx.coded(Field::Form, g(Field::Form), Form::parse, "书面 或 口头");
    let dossier_ok = cx.coded(Field::Dossier, g(Field::Dossier), parse_yes_no, "是 或 否");
    let mediator = cx.text(Field::Mediator, g(Field::Mediator));
    let id_number = cx.id_number(g(Field::IdNumber));
    let bank = cx.text(Field::Bank, g(Field::Bank));
    let account = cx.account(g(Field::Account));
    let claimed = cx.money(g(Field::Claimed));
    let office_review = cx.coded(
        Field::OfficeReview,
        g(Field::OfficeReview),
        parse_review,
        "通过 或 不通过",
    );
    let county_review = cx.coded(
        Field::CountyReview,
        g(Field::CountyReview),
        parse_review,
        "通过 或 不通过",
    );
    let remark = cx.text(Field::Remark, g(Field::Remark));

    let mut claim = Claim {
        origin,
        county,
        sheet_county: sheet_county.cloned(),
        office: office.map(Text::from),
        committee: committee.map(Text::from),
        case_no: case_no.map(Text::from),
        case_key: case_key.map(Text::from),
        dispute_type: dispute_type.map(Text::from),
        level,
        accept_date,
        close_date,
        successful,
        form,
        dossier_ok,
        mediator: mediator.map(Text::from),
        id_number: id_number.map(Text::from),
        bank: bank.map(Text::from),
        account: account.map(Text::from),
        claimed,
        office_review,
        county_review,
        remark: remark.map(Text::from),
        issues: cx.issues,
        raw: RawRow {
            row: raw.row,
            cells: Vec::new(),
        },
        columns: columns.clone(),
    };
    // Keep only the raw cells the parsed fields cannot give back exactly (`Claim::raw_cell`).
    let mut cells = raw.cells;
    cells.retain(|(f, v)| !claim.gives_back(*f, v));
    cells.shrink_to_fit();
    claim.raw.cells = cells;
    claim
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn table(cells: Vec<(Field, CellVal)>) -> (ClaimTable, RawRow) {
        let columns: Vec<(Field, u32)> = Field::all()
            .enumerate()
            .map(|(i, f)| (f, i as u32))
            .collect();
        let raw = RawRow { row: 5, cells };
        let t = ClaimTable {
            header_row: 4,
            header_height: 1,
            columns,
            filing_unit: None,
            rows: vec![raw.clone()],
            epoch_1904: false,
        };
        (t, raw)
    }

    fn origin() -> Origin {
        Origin {
            file: "a.xlsx".into(),
            sheet: "Sheet1".into(),
            sheet_index: 0,
            row: 5,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    #[test]
    fn raw_cells_given_back_are_the_cells_read() {
        let p = Policy::default_policy().unwrap();
        let cells = vec![
            (Field::County, CellVal::Text("红塔区".into())),
            (Field::Office, CellVal::Text("玉带路司法所".into())),
            (
                Field::Committee,
                CellVal::Text(" 北苑社区人民调解委员会\n".into()),
            ),
            (Field::CaseNo, CellVal::Text("（2025）红调字第1号".into())),
            (Field::Mediator, CellVal::Text("李明".into())),
            (Field::IdNumber, CellVal::Text("53040219700101001x".into())),
            (
                Field::Account,
                CellVal::Number(Some(Decimal::new(6228480012345678, 0))),
            ),
            (Field::Remark, CellVal::Text("   ".into())),
            (Field::Bank, CellVal::Error("#N/A".into())),
        ];
        let (t, raw) = table(cells.clone());
        let c = parse_row(&raw, &t, origin(), &p.registry, None, today());
        assert!(c.raw.cells.len() < cells.len(), "nothing was shared");
        for f in Field::all() {
            let read = cells.iter().find(|(g, _)| *g == f).map(|(_, v)| v);
            assert_eq!(c.raw_cell(f).as_deref(), read, "{f:?}");
        }
    }

    #[test]
    fn coded_date_and_amount_cells_are_given_back_exactly() {
        let p = Policy::default_policy().unwrap();
        let d = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        // Canonical spellings are rebuilt from the parsed values; every other spelling, a date
        // typed as text and an amount at another scale must come back exactly as read.
        for (canonical, cells) in [
            (
                true,
                vec![
                    (Field::Level, CellVal::Text("一般".into())),
                    (Field::Form, CellVal::Text("书面".into())),
                    (Field::Result, CellVal::Text("成功".into())),
                    (Field::Dossier, CellVal::Text("否".into())),
                    (Field::OfficeReview, CellVal::Text("通过".into())),
                    (Field::CountyReview, CellVal::Text("不通过".into())),
                    (Field::CloseDate, CellVal::Date(d)),
                    (Field::Claimed, CellVal::Number(Some(Decimal::new(100, 0)))),
                ],
            ),
            (
                false,
                vec![
                    (Field::Level, CellVal::Text("疑难".into())),
                    (Field::Form, CellVal::Text("书面协议".into())),
                    (Field::Result, CellVal::Text("调解成功".into())),
                    (Field::Dossier, CellVal::Text("√".into())),
                    (Field::OfficeReview, CellVal::Text("同意".into())),
                    (Field::CountyReview, CellVal::Text("合格".into())),
                    (Field::CloseDate, CellVal::Text("2025/3/5".into())),
                    (
                        Field::Claimed,
                        CellVal::Number(Some(Decimal::new(10000, 2))),
                    ),
                ],
            ),
        ] {
            let mut all = vec![(Field::County, CellVal::Text("红塔区".into()))];
            all.extend(cells.clone());
            let (t, raw) = table(all.clone());
            let c = parse_row(&raw, &t, origin(), &p.registry, None, today());
            for f in Field::all() {
                let read = all.iter().find(|(g, _)| *g == f).map(|(_, v)| v);
                let back = c.raw_cell(f);
                assert_eq!(back.as_deref(), read, "{f:?}");
                if let Some(CellVal::Number(Some(a))) = read
                    && let Some(CellVal::Number(Some(b))) = back.as_deref()
                {
                    assert_eq!(a.scale(), b.scale(), "{f:?}");
                }
            }
            let kept = cells
                .iter()
                .filter(|(f, _)| c.raw.get(*f).is_some())
                .count();
            if canonical {
                assert_eq!(kept, 0, "canonical cells are not kept twice");
            } else {
                assert_eq!(kept, cells.len(), "other spellings are kept as read");
            }
        }
    }

    #[test]
    fn missing_required_fields_are_each_named_with_their_cell() {
        let p = Policy::default_policy().unwrap();
        let (t, raw) = table(vec![(Field::County, CellVal::Text("红塔".into()))]);
        let c = parse_row(&raw, &t, origin(), &p.registry, None, today());
        assert_eq!(c.county.as_ref().map(|c| c.as_str()), Some("530402"));
        let missing: Vec<_> = c
            .issues
            .iter()
            .filter(|i| i.code == RowCode::MissingField)
            .collect();
        assert_eq!(missing.len(), 12, "{:?}", c.issues);
        assert!(missing.iter().any(|i| i.cell.as_deref() == Some("C5")));
    }

    #[test]
    fn error_values_reject_in_required_and_vanish_in_optional_columns() {
        let p = Policy::default_policy().unwrap();
        let (t, raw) = table(vec![
            (Field::Committee, CellVal::Error("#REF!".into())),
            (Field::Remark, CellVal::Error("#N/A".into())),
            (Field::Claimed, CellVal::Formula("50*2".into())),
        ]);
        let c = parse_row(&raw, &t, origin(), &p.registry, None, today());
        let codes: Vec<_> = c.issues.iter().map(|i| (i.code, i.field)).collect();
        assert!(codes.contains(&(RowCode::BadValue, Some(Field::Committee))));
        assert!(!codes.iter().any(|(_, f)| *f == Some(Field::Remark)));
        assert!(codes.contains(&(RowCode::FormulaNotCalculated, Some(Field::Claimed))));
    }

    #[test]
    fn unknown_county_value_is_bad_value_with_no_county() {
        let p = Policy::default_policy().unwrap();
        let (t, raw) = table(vec![(Field::County, CellVal::Text("某某县".into()))]);
        let hongta = CountyCode::new("530402").unwrap();
        let c = parse_row(&raw, &t, origin(), &p.registry, Some(&hongta), today());
        assert_eq!(c.county, None);
        assert_eq!(c.sheet_county, Some(hongta));
        assert!(
            c.issues
                .iter()
                .any(|i| i.code == RowCode::BadValue && i.field == Some(Field::County))
        );
    }

    #[test]
    fn coded_values_accept_every_spec_synonym() {
        for s in ["成功", "调解成功", "达成协议"] {
            assert_eq!(parse_success(s), Some(true));
        }
        for s in ["不成功", "失败", "未达成"] {
            assert_eq!(parse_success(s), Some(false));
        }
        for s in ["是", "规范", "合格", "√"] {
            assert_eq!(parse_yes_no(s), Some(true));
        }
        for s in ["否", "不规范", "不合格", "×"] {
            assert_eq!(parse_yes_no(s), Some(false));
        }
        for s in ["通过", "同意", "合格"] {
            assert_eq!(parse_review(s), Some(true));
        }
        for s in ["不通过", "不同意", "不合格"] {
            assert_eq!(parse_review(s), Some(false));
        }
        assert_eq!(Level::parse("疑难"), Some(Level::Complex));
        assert_eq!(Form::parse("口头协议"), Some(Form::Oral));
        assert_eq!(parse_review("待定"), None);
    }
}
