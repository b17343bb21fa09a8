//! Program B's typed row: every field of the 社区矫正协勤人员经费申报表 (SPEC §5.1) parsed
//! strictly from its cell with the shared row parser ([`crate::form::RowParser`]), or a
//! located finding saying why it could not be (the same edge rules as the claim form, SPEC
//! §9.4–§9.6). Only 在岗月数 is read here alone.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::codes::StaffCode;
use crate::cell;
use crate::form::{Finding, Row, RowParser, SheetRows};
use crate::ingest::RawRow;
use crate::ingest::grid::CellVal;
use crate::ingest::header::StaffField;

/// A finding on a staff row.
pub type StaffIssue = Finding<StaffCode, StaffField>;

/// The staff form's own fields, each parsed (None = absent or unreadable; a finding says
/// which), reached through the [`StaffRow`].
#[derive(Debug, Clone)]
pub struct StaffFields {
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
}

/// A staff row: [`StaffFields`] in the envelope every form's row has.
pub type StaffRow = Row<StaffFields, StaffField, StaffCode>;

impl StaffRow {
    /// The text a cell held, trimmed; None when blank or absent.
    pub fn written(&self, f: StaffField) -> Option<String> {
        self.raw
            .get(f)
            .map(|v| v.display().trim().to_string())
            .filter(|s| !s.is_empty())
    }
}

/// 在岗月数: a whole number, as a number or as text ("12", "１２", "12个月"). Its range is a
/// rule of its own (`months_out_of_range`), checked with the other rules.
fn months(cx: &mut RowParser<'_, StaffField, StaffCode>, v: Option<&CellVal>) -> Option<i64> {
    let f = StaffField::Months;
    let v = cx.present(f, v)?;
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
        let m = format!("“{}”不是整月数，请填写 0 至 12 的整数", v.display().trim());
        cx.push(StaffCode::BAD_VALUE, f, &m);
    }
    whole
}

/// The ID cell as read, for decisions.csv: compacted text with an upper-case check `X`; empty
/// for numbers and blanks.
fn id_as_read(v: Option<&CellVal>) -> String {
    match v {
        Some(CellVal::Text(t)) => {
            let mut s = cell::compact(t);
            if s.ends_with('x') {
                s.pop();
                s.push('X');
            }
            s
        }
        _ => String::new(),
    }
}

/// Builds the typed staff row of one data row.
pub fn parse(raw: RawRow<StaffField>, sheet: &SheetRows<'_, StaffField>) -> StaffRow {
    let mut cx = sheet.parser::<StaffCode>(raw.row);
    let g = |f: StaffField| raw.get(f);
    let money = |cx: &mut RowParser<'_, StaffField, StaffCode>, f: StaffField| {
        cx.money(f, g(f), "12000.00").map(crate::money::fen)
    };

    let county = cx.county(
        StaffField::County,
        g(StaffField::County),
        sheet.registry,
        sheet.county,
    );
    let office = cx.text(StaffField::Office, g(StaffField::Office));
    let name = cx.text(StaffField::Name, g(StaffField::Name));
    let id_text = id_as_read(g(StaffField::IdNumber));
    let id_number = cx.id_number(StaffField::IdNumber, g(StaffField::IdNumber));
    let gender = cx.text(StaffField::Gender, g(StaffField::Gender));
    let education = cx.text(StaffField::Education, g(StaffField::Education));
    let major = cx.text(StaffField::Major, g(StaffField::Major));
    let start = cx.date(StaffField::StartDate, g(StaffField::StartDate));
    let end = cx.date(StaffField::EndDate, g(StaffField::EndDate));
    let months = months(&mut cx, g(StaffField::Months));
    let monthly_standard = money(&mut cx, StaffField::MonthlyStandard);
    let municipal = money(&mut cx, StaffField::Municipal);
    let county_top_up = money(&mut cx, StaffField::CountyTopUp);
    let bank = cx.text(StaffField::Bank, g(StaffField::Bank));
    let account = cx.account(StaffField::Account, g(StaffField::Account));
    let remark = cx.text(StaffField::Remark, g(StaffField::Remark));

    let fields = StaffFields {
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
    };
    sheet.row(fields, county, cx, raw)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::county::CountyCode;
    use crate::policy::Policy;

    /// Parses one row of a sheet with every staff column in canonical order (A = 序号 …).
    fn parse_cells(
        p: &Policy,
        row: u32,
        cells: Vec<(StaffField, CellVal)>,
        county: Option<&CountyCode>,
    ) -> StaffRow {
        let sheet = crate::form::parse::test_sheet("红塔区.xlsx", county, &p.registry, today());
        parse(RawRow { row, cells }, &sheet)
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
        let r = parse_cells(&p, 5, vec![(StaffField::Remark, t("x"))], None);
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
        let r = parse_cells(
            &p,
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
            None,
        );
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
        let hongta = CountyCode::new("530402").unwrap();
        let r = parse_cells(
            &p,
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
            Some(&hongta),
        );
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
}
