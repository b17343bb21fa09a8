//! The typed staff row: every field of SPEC §5.1 parsed strictly from its cell, or a located
//! finding saying why it could not be (the same edge rules as the claim side, SPEC §9.4–§9.6).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::codes::StaffCode;
use crate::cell;
use crate::claim::{Origin, SheetCounty};
use crate::codes::cell_ref;
use crate::county::{CountyCode, CountyRegistry};
use crate::ingest::grid::CellVal;
use crate::ingest::header::{Column, StaffField};
use crate::ingest::{ClaimTable, RawRow};

/// A finding on a staff row: the code, the field and cell it concerns, and a Chinese sentence
/// that says what is wrong and how to fix it (the cell reference leads: "H7 在岗月数：…").
#[derive(Debug, Clone, PartialEq)]
pub struct StaffIssue {
    pub code: StaffCode,
    pub field: Option<StaffField>,
    /// "H7", when the finding belongs to one cell.
    pub cell: Option<String>,
    pub message: String,
}

/// A staff row with each field parsed (None = absent or unreadable; an issue says which).
#[derive(Debug, Clone)]
pub struct StaffRow {
    pub origin: Origin,
    /// The county the row belongs to; None when its county cell names no known county.
    pub county: Option<CountyCode>,
    /// The county of the sheet (its 填报单位 line or the majority of its county cells).
    pub sheet_county: Option<CountyCode>,
    pub office: Option<String>,
    pub name: Option<String>,
    /// The ID number when it is a valid resident ID (normalised: NFKC, upper-case X).
    pub id_number: Option<String>,
    /// The ID cell as read (compacted text; empty for numbers and blanks), for decisions.csv.
    pub id_text: String,
    pub gender: Option<String>,
    pub education: Option<String>,
    pub major: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// 在岗月数 when it is a whole number (its range is a rule, checked in `rules`).
    pub months: Option<i64>,
    pub monthly_standard: Option<Decimal>,
    pub municipal: Option<Decimal>,
    pub county_top_up: Option<Decimal>,
    pub bank: Option<String>,
    pub account: Option<String>,
    pub remark: Option<String>,
    pub issues: Vec<StaffIssue>,
    /// The row's cells as read, to show what was written where a field could not be parsed.
    pub raw: RawRow<StaffField>,
    /// Field → 0-based column of the sheet, for cell references.
    pub columns: Vec<(StaffField, u32)>,
}

impl StaffRow {
    /// The text a cell held, trimmed; None when blank or absent.
    pub fn written(&self, f: StaffField) -> Option<String> {
        self.raw
            .get(f)
            .map(|v| v.display().trim().to_string())
            .filter(|s| !s.is_empty())
    }

    pub fn cell_of(&self, f: StaffField) -> Option<String> {
        self.columns
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, c)| cell_ref(self.origin.row.saturating_sub(1), *c))
    }

    /// The county that answers for the row: its own, else its sheet's.
    pub fn owner(&self) -> Option<&CountyCode> {
        self.county.as_ref().or(self.sheet_county.as_ref())
    }

    /// A finding located at the cell of `f` (or the row when the column is absent).
    pub fn issue(&self, code: StaffCode, f: StaffField, message: String) -> StaffIssue {
        let cell = self.cell_of(f);
        let at = cell.clone().map(|c| format!("{c} ")).unwrap_or_default();
        StaffIssue {
            code,
            field: Some(f),
            cell,
            message: format!("{at}{}：{message}", f.label()),
        }
    }
}

/// Settles the county of a staff sheet from its 填报单位 line and county column (SPEC §9.4):
/// the line wins when it resolves; else the most frequent resolving county cell (ties to the
/// smallest code); else the sheet is `unknown_county`. The same rule as
/// [`crate::claim::sheet_county`], over the staff columns.
pub fn sheet_county(table: &ClaimTable<StaffField>, reg: &CountyRegistry) -> SheetCounty {
    if let Some(c) = table
        .filing_unit
        .as_ref()
        .and_then(|(t, _)| reg.resolve_in_text(t))
    {
        return SheetCounty::Known(Some(c.clone()));
    }
    let mut counts: Vec<(CountyCode, usize)> = Vec::new();
    let mut seen_values: Vec<String> = Vec::new();
    for r in &table.rows {
        if let Some(CellVal::Text(t)) = r.get(StaffField::County) {
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
    if counts.is_empty() {
        let mut why = Vec::new();
        match &table.filing_unit {
            Some((t, at)) => why.push(format!("填报单位“{t}”（{at}）不是已知的县（市、区）")),
            None => why.push("表头上方没有“填报单位”行".to_string()),
        }
        if table.column(StaffField::County).is_some() {
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
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    SheetCounty::Known(counts.first().map(|(c, _)| c.clone()))
}

struct Ctx<'a> {
    columns: &'a [(StaffField, u32)],
    row: u32,
    epoch_1904: bool,
    today: NaiveDate,
    issues: Vec<StaffIssue>,
}

const FILL_IN: &str = "必填项为空，请填写";

impl Ctx<'_> {
    fn push(&mut self, code: StaffCode, f: StaffField, message: String) {
        let cell = self
            .columns
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, c)| cell_ref(self.row.saturating_sub(1), *c));
        let at = cell.clone().map(|c| format!("{c} ")).unwrap_or_default();
        self.issues.push(StaffIssue {
            code,
            field: Some(f),
            cell,
            message: format!("{at}{}：{message}", f.label()),
        });
    }

    /// Absent, an error value in an optional column, or an uncalculated formula: the common
    /// front of every field parser. Returns the value to parse further, or None.
    fn present<'v>(&mut self, f: StaffField, v: Option<&'v CellVal>) -> Option<&'v CellVal> {
        match v {
            None => {
                if f.required() {
                    self.push(StaffCode::MISSING_FIELD, f, FILL_IN.into());
                }
                None
            }
            Some(v) if v.is_blank() => {
                if f.required() {
                    self.push(StaffCode::MISSING_FIELD, f, FILL_IN.into());
                }
                None
            }
            Some(CellVal::Error(e)) => {
                if f.required() {
                    self.push(
                        StaffCode::BAD_VALUE,
                        f,
                        format!("单元格是 Excel 错误值 {e}，请改为实际内容"),
                    );
                }
                None
            }
            Some(CellVal::Formula(formula)) => {
                self.push(
                    StaffCode::FORMULA_NOT_CALCULATED,
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

    fn text(&mut self, f: StaffField, v: Option<&CellVal>) -> Option<String> {
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
                self.push(StaffCode::MISSING_FIELD, f, FILL_IN.into());
            }
            return None;
        }
        Some(s)
    }

    fn date(&mut self, f: StaffField, v: Option<&CellVal>) -> Option<NaiveDate> {
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
                    StaffCode::BAD_DATE,
                    f,
                    format!("{e}，请填写如 2025-03-05 的日期"),
                );
                None
            }
        }
    }

    fn money(&mut self, f: StaffField, v: Option<&CellVal>) -> Option<Decimal> {
        let v = self.present(f, v)?;
        let r = match v {
            CellVal::Number(Some(n)) => cell::check_money(*n),
            CellVal::Text(t) => cell::parse_money_text(t),
            other => Err(cell::CellError::NotAnAmount(other.display())),
        };
        match r {
            Ok(d) => Some(crate::money::fen(d)),
            Err(e) => {
                self.push(
                    StaffCode::BAD_VALUE,
                    f,
                    format!("{e}，请填写如 12000.00 的金额"),
                );
                None
            }
        }
    }

    /// 在岗月数: a whole number, as a number or as text ("12", "１２", "12个月"). Its range is a
    /// rule of its own (`months_out_of_range`), checked with the other rules.
    fn months(&mut self, v: Option<&CellVal>) -> Option<i64> {
        let f = StaffField::Months;
        let v = self.present(f, v)?;
        let n = match v {
            CellVal::Number(Some(n)) => Some(*n),
            CellVal::Text(t) => {
                let c = cell::compact(t);
                let c = c
                    .strip_suffix("个月")
                    .or_else(|| c.strip_suffix('月'))
                    .unwrap_or(&c);
                c.parse::<Decimal>().ok()
            }
            _ => None,
        };
        let whole = n.filter(|n| n.fract().is_zero()).and_then(|n| {
            use rust_decimal::prelude::ToPrimitive;
            n.trunc().to_i64()
        });
        if whole.is_none() {
            self.push(
                StaffCode::BAD_VALUE,
                f,
                format!("“{}”不是整月数，请填写 0 至 12 的整数", v.display().trim()),
            );
        }
        whole
    }

    fn id_number(&mut self, v: Option<&CellVal>) -> (Option<String>, String) {
        let f = StaffField::IdNumber;
        let shown = match v {
            Some(CellVal::Text(t)) => {
                let mut s = cell::compact(t);
                if s.ends_with('x') {
                    s.pop();
                    s.push('X');
                }
                s
            }
            _ => String::new(),
        };
        let Some(v) = self.present(f, v) else {
            return (None, shown);
        };
        let id = match v {
            CellVal::Text(t) => match cell::check_id_text(t, self.today) {
                Ok(id) => Some(id),
                Err(e) => {
                    self.push(
                        StaffCode::BAD_ID_NUMBER,
                        f,
                        format!("“{}”无效：{e}", t.trim()),
                    );
                    None
                }
            },
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                self.push(
                    StaffCode::ID_PRECISION_LOST,
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
                    StaffCode::BAD_ID_NUMBER,
                    f,
                    format!("“{}”不是 18 位身份证号码", other.display()),
                );
                None
            }
        };
        (id, shown)
    }

    fn account(&mut self, v: Option<&CellVal>) -> Option<String> {
        let f = StaffField::Account;
        let v = self.present(f, v)?;
        match v {
            CellVal::Number(Some(n)) if cell::number_lost_precision(*n) => {
                self.push(
                    StaffCode::ID_PRECISION_LOST,
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
                let s: String = cell::compact(t).chars().filter(|c| *c != '-').collect();
                if s.is_empty() {
                    return None;
                }
                if !(6..=32).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
                    self.push(
                        StaffCode::BAD_VALUE,
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
                    StaffCode::BAD_VALUE,
                    f,
                    format!("“{}”不是银行账号", other.display()),
                );
                None
            }
        }
    }
}

/// Builds the typed staff row of one data row. `sheet_county` is the county of the sheet.
pub fn parse_row(
    raw: &RawRow<StaffField>,
    table: &ClaimTable<StaffField>,
    origin: Origin,
    reg: &CountyRegistry,
    sheet_county: Option<&CountyCode>,
    today: NaiveDate,
) -> StaffRow {
    let mut cx = Ctx {
        columns: &table.columns,
        row: raw.row,
        epoch_1904: table.epoch_1904,
        today,
        issues: Vec::new(),
    };
    let g = |f: StaffField| raw.get(f);

    // County: the row's own value when it has one, else the sheet's (SPEC §9.4).
    let county = match g(StaffField::County) {
        Some(v) if !v.is_blank() && !matches!(v, CellVal::Error(_)) => match v {
            CellVal::Text(t) => match reg.resolve(t) {
                Some(c) => Some(c.clone()),
                None => {
                    cx.push(
                        StaffCode::BAD_VALUE,
                        StaffField::County,
                        format!("“{}”不是本市的县（市、区），请填写如“红塔区”", t.trim()),
                    );
                    None
                }
            },
            CellVal::Formula(_) => {
                cx.present(StaffField::County, Some(v));
                None
            }
            other => {
                cx.push(
                    StaffCode::BAD_VALUE,
                    StaffField::County,
                    format!("“{}”不是县（市、区）名称", other.display()),
                );
                None
            }
        },
        Some(CellVal::Error(e)) if sheet_county.is_none() => {
            cx.push(
                StaffCode::BAD_VALUE,
                StaffField::County,
                format!("单元格是 Excel 错误值 {e}"),
            );
            None
        }
        _ => match sheet_county {
            Some(c) => Some(c.clone()),
            None => {
                cx.push(StaffCode::MISSING_FIELD, StaffField::County, FILL_IN.into());
                None
            }
        },
    };

    let office = cx.text(StaffField::Office, g(StaffField::Office));
    let name = cx.text(StaffField::Name, g(StaffField::Name));
    let (id_number, id_text) = cx.id_number(g(StaffField::IdNumber));
    let gender = cx.text(StaffField::Gender, g(StaffField::Gender));
    let education = cx.text(StaffField::Education, g(StaffField::Education));
    let major = cx.text(StaffField::Major, g(StaffField::Major));
    let start = cx.date(StaffField::StartDate, g(StaffField::StartDate));
    let end = cx.date(StaffField::EndDate, g(StaffField::EndDate));
    let months = cx.months(g(StaffField::Months));
    let monthly_standard = cx.money(StaffField::MonthlyStandard, g(StaffField::MonthlyStandard));
    let municipal = cx.money(StaffField::Municipal, g(StaffField::Municipal));
    let county_top_up = cx.money(StaffField::CountyTopUp, g(StaffField::CountyTopUp));
    let bank = cx.text(StaffField::Bank, g(StaffField::Bank));
    let account = cx.account(g(StaffField::Account));
    let remark = cx.text(StaffField::Remark, g(StaffField::Remark));

    StaffRow {
        origin,
        county,
        sheet_county: sheet_county.cloned(),
        office,
        name,
        id_number,
        id_text,
        gender,
        education,
        major,
        start,
        end,
        months,
        monthly_standard,
        municipal,
        county_top_up,
        bank,
        account,
        remark,
        issues: cx.issues,
        raw: raw.clone(),
        columns: table.columns.clone(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::policy::Policy;

    /// A table with every staff column in canonical order (A = 序号 …), one row at `row`.
    pub(crate) fn table_with(
        row: u32,
        cells: Vec<(StaffField, CellVal)>,
    ) -> (ClaimTable<StaffField>, RawRow<StaffField>) {
        let columns: Vec<(StaffField, u32)> = StaffField::all()
            .into_iter()
            .enumerate()
            .map(|(i, f)| (f, i as u32))
            .collect();
        let raw = RawRow { row, cells };
        let t = ClaimTable {
            header_row: 3,
            header_height: 1,
            columns,
            filing_unit: None,
            rows: vec![raw.clone()],
            epoch_1904: false,
        };
        (t, raw)
    }

    pub(crate) fn origin(row: u32) -> Origin {
        Origin {
            file: "红塔区.xlsx".into(),
            sheet: "Sheet1".into(),
            sheet_index: 0,
            row,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
    }

    fn t(s: &str) -> CellVal {
        CellVal::Text(s.into())
    }

    #[test]
    fn every_missing_required_field_is_named_with_its_cell() {
        let p = Policy::default_policy().unwrap();
        let (tb, raw) = table_with(5, vec![(StaffField::Remark, t("x"))]);
        let r = parse_row(&raw, &tb, origin(5), &p.registry, None, today());
        let missing: Vec<&str> = r
            .issues
            .iter()
            .filter(|i| i.code == StaffCode::MISSING_FIELD)
            .filter_map(|i| i.cell.as_deref())
            .collect();
        // 县 B, 司法所 C, 姓名 D, 身份证 E, 入职 I, 月数 K, 标准 L, 市级 M.
        assert_eq!(missing, ["B5", "C5", "D5", "E5", "I5", "K5", "L5", "M5"]);
        assert!(r.issues[0].message.starts_with("B5 县（市、区）："));
    }

    #[test]
    fn cells_are_read_in_every_form_counties_use() {
        let p = Policy::default_policy().unwrap();
        let id = "53040219850312000X";
        let (tb, raw) = table_with(
            7,
            vec![
                (StaffField::County, t("红塔")),
                (StaffField::Office, t(" 玉带路司法所 ")),
                (StaffField::Name, t("李丽")),
                (StaffField::IdNumber, t(&id.to_lowercase())),
                (StaffField::StartDate, t("2019年3月1日")),
                (
                    StaffField::EndDate,
                    CellVal::Number(Some(Decimal::from(45838))),
                ),
                (StaffField::Months, t("６个月")),
                (StaffField::MonthlyStandard, t("1,000.00元")),
                (StaffField::Municipal, t("陆仟元整")),
                (StaffField::CountyTopUp, CellVal::Error("#N/A".into())),
                (StaffField::Account, t("6228 4801 2345 6789 012")),
            ],
        );
        let r = parse_row(&raw, &tb, origin(7), &p.registry, None, today());
        assert!(r.issues.is_empty(), "{:?}", r.issues);
        assert_eq!(r.county.as_ref().map(|c| c.as_str()), Some("530402"));
        assert_eq!(r.office.as_deref(), Some("玉带路司法所"));
        assert_eq!(r.id_number.as_deref(), Some(id));
        assert_eq!(r.start, NaiveDate::from_ymd_opt(2019, 3, 1));
        assert_eq!(r.end, NaiveDate::from_ymd_opt(2025, 6, 30));
        assert_eq!(r.months, Some(6));
        assert_eq!(r.monthly_standard, Some(Decimal::new(100000, 2)));
        assert_eq!(r.municipal, Some(Decimal::new(600000, 2)));
        assert_eq!(r.county_top_up, None);
        assert_eq!(r.account.as_deref(), Some("6228480123456789012"));
    }

    #[test]
    fn unreadable_cells_get_their_own_codes() {
        let p = Policy::default_policy().unwrap();
        let (tb, raw) = table_with(
            9,
            vec![
                (StaffField::County, t("某某县")),
                (StaffField::Office, t("所")),
                (StaffField::Name, t("王")),
                (
                    StaffField::IdNumber,
                    CellVal::Number(Some(Decimal::from(530402198503120000u64))),
                ),
                (StaffField::StartDate, t("2025-13-01")),
                (StaffField::Months, t("6.5")),
                (StaffField::MonthlyStandard, CellVal::Formula("1000".into())),
                (StaffField::Municipal, t("-100")),
                (StaffField::Account, t("abc")),
            ],
        );
        let hongta = CountyCode::new("530402").unwrap();
        let r = parse_row(&raw, &tb, origin(9), &p.registry, Some(&hongta), today());
        let got: Vec<(&str, Option<&str>)> = r
            .issues
            .iter()
            .map(|i| (i.code.as_str(), i.cell.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("bad_value", Some("B9")),
                ("id_precision_lost", Some("E9")),
                ("bad_date", Some("I9")),
                ("bad_value", Some("K9")),
                ("formula_not_calculated", Some("L9")),
                ("bad_value", Some("M9")),
                ("bad_value", Some("P9")),
            ]
        );
        assert_eq!(r.county, None);
        assert_eq!(r.sheet_county, Some(hongta));
    }

    #[test]
    fn the_sheet_county_comes_from_the_filing_line_or_the_column() {
        let p = Policy::default_policy().unwrap();
        let (mut tb, _) = table_with(5, vec![(StaffField::County, t("江川县"))]);
        assert_eq!(
            sheet_county(&tb, &p.registry),
            SheetCounty::Known(CountyCode::new("530403"))
        );
        tb.filing_unit = Some(("玉溪市通海县司法局".into(), "A2".into()));
        assert_eq!(
            sheet_county(&tb, &p.registry),
            SheetCounty::Known(CountyCode::new("530423"))
        );
        let (mut tb, _) = table_with(5, vec![(StaffField::County, t("某某县"))]);
        tb.filing_unit = Some(("某单位".into(), "A2".into()));
        match sheet_county(&tb, &p.registry) {
            SheetCounty::Unknown(why) => assert!(why.contains("某某县"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
