//! Program A's typed row, the claim: every field of the 人民调解个案补贴申报表 parsed strictly
//! from its cell with the shared row parser ([`crate::form::RowParser`]), or a located finding
//! saying why it could not be (SPEC §4.1, §9.4–§9.6). Parsing happens once, here, at the edge.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cell;
use crate::codes::RowCode;
use crate::form::{Finding, Row, SheetRows, Text};
use crate::ingest::RawRow;
use crate::ingest::grid::CellVal;
use crate::ingest::header::Field;
use crate::policy::{Form as Agreement, Level};

/// A finding on a claim row.
pub type Issue = Finding<RowCode, Field>;

/// The claim form's own fields, each parsed (None = absent or unreadable; a finding says
/// which), reached through the [`Claim`] row.
#[derive(Debug, Clone)]
pub struct ClaimFields {
    pub office: Option<Text>,
    pub committee: Option<Text>,
    pub case_no: Option<Text>,
    pub case_key: Option<Text>,
    pub dispute_type: Option<Text>,
    pub level: Option<Level>,
    pub accept_date: Option<NaiveDate>,
    pub close_date: Option<NaiveDate>,
    pub successful: Option<bool>,
    pub form: Option<Agreement>,
    pub dossier_ok: Option<bool>,
    pub mediator: Option<Text>,
    pub id_number: Option<Text>,
    pub bank: Option<Text>,
    pub account: Option<Text>,
    pub claimed: Option<Decimal>,
    pub office_review: Option<bool>,
    pub county_review: Option<bool>,
    pub remark: Option<Text>,
}

/// A claim row: [`ClaimFields`] in the envelope every form's row has.
pub type Claim = Row<ClaimFields, Field, RowCode>;

impl Claim {
    /// The parsed text that stands for field `f`, for the text fields whose raw cell is dropped
    /// when it equals it (see [`parse`]).
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
    /// (see [`parse`]); any other spelling ("调解成功", "2025/3/5", "100元") is kept as read.
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

/// Longest 案件编号 accepted. Real dossier numbers ("（2025）红塔玉带调字第0001号") are a few
/// dozen characters; a longer one is not a number but pasted text, and it could not be kept
/// whole in the ledger (Excel's 32,767-character cell limit) to stop it being paid twice.
pub const MAX_CASE_NO_CHARS: usize = 100;

/// Builds the typed claim of one data row, taking the row by value and sharing the sheet's
/// column map: a batch of hundreds of thousands of rows copies nothing per row.
pub fn parse(raw: RawRow, sheet: &SheetRows<'_, Field>) -> Claim {
    let mut cx = sheet.parser::<RowCode>(raw.row);
    let g = |f: Field| raw.get(f);

    let county = cx.county(
        Field::County,
        g(Field::County),
        sheet.registry,
        sheet.county,
    );
    let office = cx.text(Field::Office, g(Field::Office));
    let committee = cx.text(Field::Committee, g(Field::Committee));
    let case_no = cx.text(Field::CaseNo, g(Field::CaseNo));
    if let Some(n) = &case_no
        && n.chars().count() > MAX_CASE_NO_CHARS
    {
        let m = format!(
            "案件编号长达 {} 个字符，不是有效的卷宗编号（最多 {MAX_CASE_NO_CHARS} 个字符）",
            n.chars().count()
        );
        cx.push(RowCode::BadValue, Field::CaseNo, &m);
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
    let form = cx.coded(
        Field::Form,
        g(Field::Form),
        Agreement::parse,
        "书面 或 口头",
    );
    let dossier_ok = cx.coded(Field::Dossier, g(Field::Dossier), parse_yes_no, "是 或 否");
    let mediator = cx.text(Field::Mediator, g(Field::Mediator));
    let id_number = cx.id_number(Field::IdNumber, g(Field::IdNumber));
    let bank = cx.text(Field::Bank, g(Field::Bank));
    let account = cx.account(Field::Account, g(Field::Account));
    let claimed = cx.money(Field::Claimed, g(Field::Claimed), "100.00");
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

    let fields = ClaimFields {
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
    };
    let kept = RawRow {
        row: raw.row,
        cells: Vec::new(),
    };
    let mut claim = sheet.row(fields, county, cx, kept);
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
    use crate::county::CountyCode;
    use crate::policy::Policy;

    fn parse_cells(p: &Policy, cells: Vec<(Field, CellVal)>, county: Option<&CountyCode>) -> Claim {
        let sheet = crate::form::parse::test_sheet("a.xlsx", county, &p.registry, today());
        parse(RawRow { row: 5, cells }, &sheet)
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
        let c = parse_cells(&p, cells.clone(), None);
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
            let c = parse_cells(&p, all.clone(), None);
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
        let c = parse_cells(
            &p,
            vec![(Field::County, CellVal::Text("红塔".into()))],
            None,
        );
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
        let c = parse_cells(
            &p,
            vec![
                (Field::Committee, CellVal::Error("#REF!".into())),
                (Field::Remark, CellVal::Error("#N/A".into())),
                (Field::Claimed, CellVal::Formula("50*2".into())),
            ],
            None,
        );
        let codes: Vec<_> = c.issues.iter().map(|i| (i.code, i.field)).collect();
        assert!(codes.contains(&(RowCode::BadValue, Some(Field::Committee))));
        assert!(!codes.iter().any(|(_, f)| *f == Some(Field::Remark)));
        assert!(codes.contains(&(RowCode::FormulaNotCalculated, Some(Field::Claimed))));
    }

    #[test]
    fn unknown_county_value_is_bad_value_with_no_county() {
        let p = Policy::default_policy().unwrap();
        let hongta = CountyCode::new("530402").unwrap();
        let cells = vec![(Field::County, CellVal::Text("某某县".into()))];
        let c = parse_cells(&p, cells, Some(&hongta));
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
        assert_eq!(Agreement::parse("口头协议"), Some(Agreement::Oral));
        assert_eq!(parse_review("待定"), None);
    }
}
