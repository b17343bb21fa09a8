//! Reading a form's rows at the edge, once for every form: the typed row's envelope ([`Row`]:
//! where it came from, its county, findings and cells as read), the county of a sheet, and the
//! row-parsing context every field parser starts from — absent, an Excel
//! error, an uncalculated formula, text, coded values, dates, amounts, ID and account numbers,
//! each either a value or a located finding with its own code (SPEC §4.1, §9.4–§9.6).

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Finding, FormCode, FormRow, cell_of};
use crate::cell;
use crate::codes::RowCode;
use crate::county::{CountyCode, CountyRegistry};
use crate::ingest::grid::CellVal;
use crate::ingest::header::Column;
use crate::ingest::{ClaimTable, RawRow};

/// A row's text field: stored inline up to 24 bytes (a name, an office, an ID or account
/// number, a bank), so most fields of a province's million rows need no heap allocation.
pub type Text = compact_str::CompactString;

/// Where a row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Shared by every row of the file (and sheet): a province's run holds a million origins.
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub sheet_index: usize,
    /// 1-based Excel row.
    pub row: u32,
}

impl Origin {
    pub fn place(&self) -> String {
        format!("{}｜{}｜第 {} 行", self.file, self.sheet, self.row)
    }
}

/// A typed row of a form: where it came from, the county that owns it, the form's own parsed
/// fields `T`, the findings of parsing, and the cells as read. The form's fields are reached
/// through the row (`claim.case_no`, `row.months`): what every form's row has is declared
/// once, here.
#[derive(Debug, Clone)]
pub struct Row<T, F, C> {
    pub origin: Origin,
    /// The county the row belongs to; None when its county cell names no known county.
    pub county: Option<CountyCode>,
    /// The county of the sheet (its 填报单位 line or the majority of its county cells): the
    /// county whose feedback gets the row when its own cell names none.
    pub sheet_county: Option<CountyCode>,
    pub fields: T,
    /// Findings of parsing. [`super::decide`] moves them into the row's decision, where every
    /// report reads them; after deciding this list is empty.
    pub issues: Vec<Finding<C, F>>,
    /// The row's cells as read, for what was written where a field could not be parsed.
    pub raw: RawRow<F>,
    /// Field → 0-based column of the sheet, for cell references (shared by the sheet's rows).
    pub columns: Arc<[(F, u32)]>,
}

impl<T, F, C> std::ops::Deref for Row<T, F, C> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.fields
    }
}

impl<T, F, C> std::ops::DerefMut for Row<T, F, C> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.fields
    }
}

impl<T, F: Column, C> Row<T, F, C> {
    /// The county that answers for the row: its own, else its sheet's.
    pub fn owner(&self) -> Option<&CountyCode> {
        self.county.as_ref().or(self.sheet_county.as_ref())
    }

    /// The cell of field `f` in this row ("H7"), when the sheet has the column.
    pub fn cell_of(&self, f: F) -> Option<String> {
        cell_of(&self.columns, self.origin.row, f)
    }

    /// A finding at the cell of `field` in this row (the row itself when there is none).
    pub fn finding(
        &self,
        code: impl Into<C>,
        field: Option<F>,
        message: impl AsRef<str>,
    ) -> Finding<C, F> {
        let (columns, row) = (&self.columns, self.origin.row);
        Finding::at(code.into(), field, columns, row, message.as_ref())
    }
}

impl<T: Send + Sync, F: Column, C: Send + Sync> FormRow for Row<T, F, C> {
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn owner(&self) -> Option<&CountyCode> {
        Row::owner(self)
    }
}

/// What every row of one sheet shares while it is parsed.
pub struct SheetRows<'a, F> {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub sheet_index: usize,
    /// Field → 0-based column, shared by the sheet's rows.
    pub columns: Arc<[(F, u32)]>,
    pub epoch_1904: bool,
    /// The county of the sheet (SPEC §9.4): for blank county cells.
    pub county: Option<&'a CountyCode>,
    pub registry: &'a CountyRegistry,
    /// The run date: an ID number's birth date may not lie after it.
    pub today: NaiveDate,
}

impl<F: Column> SheetRows<'_, F> {
    pub fn origin(&self, row: u32) -> Origin {
        Origin {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            sheet_index: self.sheet_index,
            row,
        }
    }

    /// The typed row of Excel row `row`: the form's `fields`, the county the parser settled
    /// and its findings, and the cells as read.
    pub fn row<T, C>(
        &self,
        fields: T,
        county: Option<CountyCode>,
        parser: RowParser<'_, F, C>,
        raw: RawRow<F>,
    ) -> Row<T, F, C> {
        Row {
            origin: self.origin(raw.row),
            county,
            sheet_county: self.county.cloned(),
            fields,
            issues: parser.findings,
            raw,
            columns: self.columns.clone(),
        }
    }

    /// A parser for Excel row `row` of this sheet.
    pub fn parser<C>(&self, row: u32) -> RowParser<'_, F, C> {
        RowParser {
            columns: &self.columns,
            row,
            epoch_1904: self.epoch_1904,
            today: self.today,
            findings: Vec::new(),
        }
    }
}

/// A sheet of `file` with every column of form `F` in canonical order (A = the first), for
/// tests that parse one row.
#[cfg(test)]
pub(crate) fn test_sheet<'a, F: Column>(
    file: &str,
    county: Option<&'a CountyCode>,
    registry: &'a CountyRegistry,
    today: NaiveDate,
) -> SheetRows<'a, F> {
    SheetRows {
        file: file.into(),
        sheet: "Sheet1".into(),
        sheet_index: 0,
        columns: test_columns(),
        epoch_1904: false,
        county,
        registry,
        today,
    }
}

/// Every column of form `F` in canonical order (A = the first).
#[cfg(test)]
pub(crate) fn test_columns<F: Column>() -> Arc<[(F, u32)]> {
    F::all()
        .into_iter()
        .enumerate()
        .map(|(i, f)| (f, i as u32))
        .collect()
}

/// How a sheet's county was settled (SPEC §9.4).
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCounty {
    /// The county for blank county cells and for the feedback of unresolved rows.
    Known(Option<CountyCode>),
    /// No county can be determined: the sheet is refused with `unknown_county`, this saying why.
    Unknown(String),
}

/// Settles the county of a sheet from its 填报单位 line and county column: the line wins when
/// it resolves; else the most frequent resolving county cell (ties to the smallest code, for
/// determinism); else the sheet is `unknown_county`.
pub fn sheet_county<F: Column>(table: &ClaimTable<F>, reg: &CountyRegistry) -> SheetCounty {
    if let Some(c) = table
        .filing_unit
        .as_ref()
        .and_then(|(t, _)| reg.resolve_in_text(t))
    {
        return SheetCounty::Known(Some(c.clone()));
    }
    let county = F::all().into_iter().find(|f| f.is_county());
    let mut counts: Vec<(CountyCode, usize)> = Vec::new();
    let mut seen_values: Vec<&String> = Vec::new();
    for r in county
        .iter()
        .flat_map(|&f| table.rows.iter().map(move |r| r.get(f)))
    {
        if let Some(CellVal::Text(t)) = r {
            match reg.resolve(t) {
                Some(c) => match counts.iter_mut().find(|(k, _)| k == c) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((c.clone(), 1)),
                },
                None => {
                    if seen_values.len() < 5 && !seen_values.contains(&t) {
                        seen_values.push(t);
                    }
                }
            }
        }
    }
    if counts.is_empty() {
        let mut why = Vec::new();
        match &table.filing_unit {
            Some((t, at)) => why.push(format!("填报单位“{t}”（{at}）不是已知的县（市、区）")),
            None => why.push("表头上方没有“填报单位”行".to_string()),
        }
        if county.and_then(|f| table.column(f)).is_some() {
            if seen_values.is_empty() {
                why.push("县（市、区）列为空".to_string());
            } else {
                let seen: Vec<&str> = seen_values.iter().map(|s| s.as_str()).collect();
                why.push(format!(
                    "县（市、区）列的值（{}）都不是已知的县（市、区）",
                    seen.join("、")
                ));
            }
        } else {
            why.push("也没有县（市、区）列".to_string());
        }
        return SheetCounty::Unknown(why.join("，"));
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    SheetCounty::Known(counts.first().map(|(c, _)| c.clone()))
}

const FILL_IN: &str = "必填项为空，请填写";

/// Parses the fields of one row, recording a finding for every field that cannot be read. The
/// codes are the shared ones of SPEC §4.7 (`missing_field`, `bad_value`, `bad_date`,
/// `bad_id_number`, `id_precision_lost`, `formula_not_calculated`), in the form's code type.
pub struct RowParser<'a, F, C> {
    columns: &'a [(F, u32)],
    row: u32,
    epoch_1904: bool,
    today: NaiveDate,
    pub findings: Vec<Finding<C, F>>,
}

impl<F: Column, C: FormCode> RowParser<'_, F, C> {
    /// Records a finding at the cell of `f`.
    pub fn push(&mut self, code: impl Into<C>, f: F, message: &str) {
        let finding = Finding::at(code.into(), Some(f), self.columns, self.row, message);
        self.findings.push(finding);
    }

    /// Absent, an error value in an optional column, or an uncalculated formula: the common
    /// front of every field parser. Returns the value to parse further, or None (a finding is
    /// recorded when one is due).
    pub fn present<'v>(&mut self, f: F, v: Option<&'v CellVal>) -> Option<&'v CellVal> {
        match v {
            None => {
                if f.required() {
                    self.push(RowCode::MissingField, f, FILL_IN);
                }
                None
            }
            Some(v) if v.is_blank() => {
                if f.required() {
                    self.push(RowCode::MissingField, f, FILL_IN);
                }
                None
            }
            Some(CellVal::Error(e)) => {
                if f.required() {
                    let m = format!("单元格是 Excel 错误值 {e}，请改为实际内容");
                    self.push(RowCode::BadValue, f, &m);
                }
                None
            }
            Some(CellVal::Formula(formula)) => {
                let m = format!(
                    "单元格是未计算的公式 ={}（保存文件的程序没有算出结果），请在 Excel/WPS 中打开后重新保存，或直接填写数值",
                    formula.trim_start_matches('=')
                );
                self.push(RowCode::FormulaNotCalculated, f, &m);
                None
            }
            Some(v) => Some(v),
        }
    }

    /// The row's county: its own cell when it names one, else the sheet's (SPEC §9.4). A cell
    /// naming no county of the policy is `bad_value` and gives no county.
    pub fn county(
        &mut self,
        f: F,
        v: Option<&CellVal>,
        reg: &CountyRegistry,
        sheet_county: Option<&CountyCode>,
    ) -> Option<CountyCode> {
        match v {
            Some(v) if !v.is_blank() && !matches!(v, CellVal::Error(_)) => match v {
                CellVal::Text(t) => match reg.resolve(t) {
                    Some(c) => Some(c.clone()),
                    None => {
                        let m = format!("“{}”不是本市的县（市、区），请填写如“红塔区”", t.trim());
                        self.push(RowCode::BadValue, f, &m);
                        None
                    }
                },
                CellVal::Formula(_) => {
                    self.present(f, Some(v));
                    None
                }
                other => {
                    let m = format!("“{}”不是县（市、区）名称", other.display());
                    self.push(RowCode::BadValue, f, &m);
                    None
                }
            },
            Some(CellVal::Error(e)) if sheet_county.is_none() => {
                self.push(RowCode::BadValue, f, &format!("单元格是 Excel 错误值 {e}"));
                None
            }
            _ => match sheet_county {
                Some(c) => Some(c.clone()),
                None => {
                    self.push(RowCode::MissingField, f, FILL_IN);
                    None
                }
            },
        }
    }

    /// Free text, normalised (NFKC, trimmed); a number is written out in full.
    pub fn text(&mut self, f: F, v: Option<&CellVal>) -> Option<String> {
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
                self.push(RowCode::MissingField, f, FILL_IN);
            }
            return None;
        }
        Some(s)
    }

    /// One of a coded column's values (`allowed` names them for the message).
    pub fn coded<T>(
        &mut self,
        f: F,
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
            let m = format!("“{}”不是有效取值，应填 {allowed}", v.display());
            self.push(RowCode::BadValue, f, &m);
        }
        parsed
    }

    /// A date as a date cell, a serial or text in any of the forms of SPEC §4.1.
    pub fn date(&mut self, f: F, v: Option<&CellVal>) -> Option<NaiveDate> {
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
                    &format!("{e}，请填写如 2025-03-05 的日期"),
                );
                None
            }
        }
    }

    /// An amount as a number or as text (`100元`, `1,000.00`, 大写). `example` is the amount
    /// the message shows as a model ("100.00").
    pub fn money(&mut self, f: F, v: Option<&CellVal>, example: &str) -> Option<Decimal> {
        let v = self.present(f, v)?;
        let r = match v {
            CellVal::Number(Some(n)) => cell::check_money(*n),
            CellVal::Text(t) => cell::parse_money_text(t),
            other => Err(cell::CellError::NotAnAmount(other.display())),
        };
        match r {
            Ok(d) => Some(d),
            Err(e) => {
                self.push(
                    RowCode::BadValue,
                    f,
                    &format!("{e}，请填写如 {example} 的金额"),
                );
                None
            }
        }
    }

    /// A valid 18-character resident ID (NFKC, upper-case X). An ID Excel stored as a number
    /// has lost its last digits: `id_precision_lost`, never a guess.
    pub fn id_number(&mut self, f: F, v: Option<&CellVal>) -> Option<String> {
        let v = self.present(f, v)?;
        match v {
            CellVal::Text(t) => match cell::check_id_text(t, self.today) {
                Ok(id) => Some(id),
                Err(e) => {
                    self.push(RowCode::BadIdNumber, f, &format!("“{}”无效：{e}", t.trim()));
                    None
                }
            },
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                let m = format!(
                    "身份证号码被 Excel 存成了数字（显示为 {}），后几位已丢失，无法还原；请把该列设为文本格式后重新录入完整号码",
                    n.normalize()
                );
                self.push(RowCode::IdPrecisionLost, f, &m);
                None
            }
            other => {
                let m = format!("“{}”不是 18 位身份证号码", other.display());
                self.push(RowCode::BadIdNumber, f, &m);
                None
            }
        }
    }

    /// A bank account: 6–32 digits, spaces and dashes ignored. A long number stored as a
    /// number has lost digits: `id_precision_lost` (a truncated account pays the wrong person).
    pub fn account(&mut self, f: F, v: Option<&CellVal>) -> Option<String> {
        let v = self.present(f, v)?;
        match v {
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                let m = format!(
                    "银行账号被 Excel 存成了数字（显示为 {}），后几位已丢失，无法还原；请把该列设为文本格式后重新录入完整账号",
                    n.normalize()
                );
                self.push(RowCode::IdPrecisionLost, f, &m);
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
                    let m = format!(
                        "“{}”不是有效的银行账号（应为 6–32 位数字），请核对后重填",
                        t.trim()
                    );
                    self.push(RowCode::BadValue, f, &m);
                    return None;
                }
                Some(s)
            }
            other => {
                let m = format!("“{}”不是银行账号", other.display());
                self.push(RowCode::BadValue, f, &m);
                None
            }
        }
    }

    /// The cell of `f` in this row, for findings made after parsing.
    pub fn cell(&self, f: F) -> Option<String> {
        cell_of(self.columns, self.row, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::RawRow;
    use crate::ingest::header::{Field, StaffField};
    use crate::policy::Policy;

    fn table<F: Column>(rows: Vec<RawRow<F>>, county_col: Option<F>) -> ClaimTable<F> {
        ClaimTable {
            header_row: 3,
            header_height: 1,
            columns: county_col.into_iter().map(|f| (f, 1)).collect(),
            filing_unit: None,
            rows,
            epoch_1904: false,
        }
    }

    fn county_row<F: Column>(f: F, v: &str) -> RawRow<F> {
        RawRow {
            row: 4,
            cells: vec![(f, CellVal::Text(v.into()))],
        }
    }

    #[test]
    fn the_sheet_county_comes_from_the_filing_line_or_the_commonest_cell() {
        let p = Policy::default_policy().unwrap();
        let mut t = table(
            vec![
                county_row(StaffField::County, "江川县"),
                county_row(StaffField::County, "红塔"),
                county_row(StaffField::County, "江川"),
            ],
            Some(StaffField::County),
        );
        assert_eq!(
            sheet_county(&t, &p.registry),
            SheetCounty::Known(CountyCode::new("530403"))
        );
        t.filing_unit = Some(("玉溪市通海县司法局".into(), "A2".into()));
        assert_eq!(
            sheet_county(&t, &p.registry),
            SheetCounty::Known(CountyCode::new("530423"))
        );
        // A tie goes to the smaller code.
        let t = table(
            vec![
                county_row(Field::County, "江川县"),
                county_row(Field::County, "红塔区"),
            ],
            Some(Field::County),
        );
        assert_eq!(
            sheet_county(&t, &p.registry),
            SheetCounty::Known(CountyCode::new("530402"))
        );
    }

    #[test]
    fn an_unknown_county_says_why() {
        let p = Policy::default_policy().unwrap();
        let mut t = table(
            vec![county_row(Field::County, "某某县")],
            Some(Field::County),
        );
        t.filing_unit = Some(("某单位".into(), "A2".into()));
        assert_eq!(
            sheet_county(&t, &p.registry),
            SheetCounty::Unknown(
                "填报单位“某单位”（A2）不是已知的县（市、区），县（市、区）列的值（某某县）都不是已知的县（市、区）"
                    .into()
            )
        );
        let t = table::<Field>(
            vec![RawRow {
                row: 4,
                cells: vec![],
            }],
            None,
        );
        assert_eq!(
            sheet_county(&t, &p.registry),
            SheetCounty::Unknown("表头上方没有“填报单位”行，也没有县（市、区）列".into())
        );
        let t = table::<Field>(
            vec![RawRow {
                row: 4,
                cells: vec![],
            }],
            Some(Field::County),
        );
        assert_eq!(
            sheet_county(&t, &p.registry),
            SheetCounty::Unknown("表头上方没有“填报单位”行，县（市、区）列为空".into())
        );
    }
}
