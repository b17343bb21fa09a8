//! The two forms' columns — the claim form's (SPEC §4.1) and the staff form's (§5.1), the
//! columns they share named and aliased once — and how a header row is recognised: by
//! canonical name or alias after NFKC and whitespace removal, over one or two rows, in the
//! first 20 rows of a sheet.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::grid::Grid;
use crate::cell::compact;

/// A column of the mediation claim form. The order is the claim form's canonical order, which the
/// feedback workbook reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Field {
    Seq,
    County,
    Office,
    Committee,
    CaseNo,
    DisputeType,
    Level,
    AcceptDate,
    CloseDate,
    Result,
    Form,
    Dossier,
    Mediator,
    IdNumber,
    Bank,
    Account,
    Claimed,
    OfficeReview,
    CountyReview,
    Remark,
}

pub struct FieldSpec<F: 'static = Field> {
    pub field: F,
    pub canonical: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

/// A column both forms share, named and aliased once (SPEC §5.1: "as in §4.1").
struct Shared {
    canonical: &'static str,
    required: bool,
    aliases: &'static [&'static str],
}

const fn shared<F>(field: F, c: Shared) -> FieldSpec<F> {
    FieldSpec {
        field,
        canonical: c.canonical,
        required: c.required,
        aliases: c.aliases,
    }
}

const SEQ: Shared = Shared {
    canonical: "序号",
    required: false,
    aliases: &["编号"],
};
const COUNTY: Shared = Shared {
    canonical: "县（市、区）",
    required: true,
    aliases: &[
        "县市区",
        "县区",
        "所属县区",
        "县(市区)",
        "县（市区）",
        "县(区)",
        "县（区）",
    ],
};
const OFFICE: Shared = Shared {
    canonical: "司法所",
    required: true,
    aliases: &["所属司法所"],
};
/// The ID aliases of SPEC §5.1; the claim form adds the mediator's own (调解员身份证号码).
const ID_ALIASES: [&str; 2] = ["身份证号", "公民身份号码"];
const BANK: Shared = Shared {
    canonical: "开户银行",
    required: false,
    aliases: &["开户行"],
};
const ACCOUNT: Shared = Shared {
    canonical: "银行账号",
    required: false,
    aliases: &["账号", "银行卡号"],
};
const REMARK: Shared = Shared {
    canonical: "备注",
    required: false,
    aliases: &[],
};

/// One place for the header table of SPEC §4.1.
pub const FIELDS: [FieldSpec; 20] = [
    shared(Field::Seq, SEQ),
    shared(Field::County, COUNTY),
    shared(Field::Office, OFFICE),
    FieldSpec {
        field: Field::Committee,
        canonical: "人民调解委员会",
        required: true,
        aliases: &["调委会", "调解组织", "人民调解组织"],
    },
    FieldSpec {
        field: Field::CaseNo,
        canonical: "案件编号",
        required: true,
        aliases: &["卷宗编号", "案号", "档案号"],
    },
    FieldSpec {
        field: Field::DisputeType,
        canonical: "纠纷类型",
        required: false,
        aliases: &["纠纷类别"],
    },
    FieldSpec {
        field: Field::Level,
        canonical: "纠纷等级",
        required: true,
        aliases: &["难易程度", "案件等级"],
    },
    FieldSpec {
        field: Field::AcceptDate,
        canonical: "受理日期",
        required: false,
        aliases: &["受理时间"],
    },
    FieldSpec {
        field: Field::CloseDate,
        canonical: "结案日期",
        required: true,
        aliases: &["调结日期", "办结日期", "调解成功日期"],
    },
    FieldSpec {
        field: Field::Result,
        canonical: "调解结果",
        required: true,
        aliases: &["调解情况"],
    },
    FieldSpec {
        field: Field::Form,
        canonical: "协议形式",
        required: true,
        aliases: &["协议类型"],
    },
    FieldSpec {
        field: Field::Dossier,
        canonical: "卷宗规范",
        required: true,
        aliases: &["卷宗是否规范", "案卷规范"],
    },
    FieldSpec {
        field: Field::Mediator,
        canonical: "调解员",
        required: true,
        aliases: &["调解员姓名", "主办调解员"],
    },
    FieldSpec {
        field: Field::IdNumber,
        canonical: "身份证号码",
        required: true,
        aliases: &[
            ID_ALIASES[0],
            ID_ALIASES[1],
            "调解员身份证号码",
            "调解员身份证号",
        ],
    },
    shared(Field::Bank, BANK),
    shared(Field::Account, ACCOUNT),
    FieldSpec {
        field: Field::Claimed,
        canonical: "申报金额",
        required: false,
        aliases: &["申请补贴金额", "补贴金额"],
    },
    FieldSpec {
        field: Field::OfficeReview,
        canonical: "司法所初审",
        required: true,
        aliases: &["司法所初审意见"],
    },
    FieldSpec {
        field: Field::CountyReview,
        canonical: "县级审核",
        required: true,
        aliases: &["县司法局审核", "县级审核意见"],
    },
    shared(Field::Remark, REMARK),
];

/// A form's column set: the claim form ([`Field`]) or the staff form ([`StaffField`]). Header
/// recognition, merged-cell filling and data-row detection are the same for both.
pub trait Column:
    Copy + Eq + Ord + std::fmt::Debug + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static
{
    /// The worker's name for this form.
    const SCHEMA: &'static str;
    fn specs() -> &'static [FieldSpec<Self>];
    /// 县（市、区） and 司法所: filled by merges or from the row above, and not enough on their
    /// own to make a row a data row (SPEC §9.2, §9.10).
    fn is_grouping(self) -> bool;
    fn is_county(self) -> bool;

    fn spec(self) -> Option<&'static FieldSpec<Self>> {
        Self::specs().iter().find(|s| s.field == self)
    }
    fn label(self) -> &'static str {
        self.spec().map(|s| s.canonical).unwrap_or("")
    }
    fn required(self) -> bool {
        self.spec().is_some_and(|s| s.required)
    }
    fn all() -> Vec<Self> {
        Self::specs().iter().map(|s| s.field).collect()
    }
}

impl Column for Field {
    const SCHEMA: &'static str = "claims";
    fn specs() -> &'static [FieldSpec<Self>] {
        &FIELDS
    }
    fn is_grouping(self) -> bool {
        matches!(self, Field::County | Field::Office)
    }
    fn is_county(self) -> bool {
        self == Field::County
    }
}

// Inherent shortcuts so claim code needs no trait import.
impl Field {
    pub fn label(self) -> &'static str {
        Column::label(self)
    }
    pub fn required(self) -> bool {
        Column::required(self)
    }
    pub fn all() -> impl Iterator<Item = Field> {
        FIELDS.iter().map(|s| s.field)
    }
}

/// A column of the staff form 社区矫正协勤人员经费申报表 (SPEC §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StaffField {
    Seq,
    County,
    Office,
    Name,
    IdNumber,
    Gender,
    Education,
    Major,
    StartDate,
    EndDate,
    Months,
    MonthlyStandard,
    Municipal,
    CountyTopUp,
    Bank,
    Account,
    Remark,
}

pub const STAFF_FIELDS: [FieldSpec<StaffField>; 17] = [
    shared(StaffField::Seq, SEQ),
    shared(StaffField::County, COUNTY),
    shared(StaffField::Office, OFFICE),
    FieldSpec {
        field: StaffField::Name,
        canonical: "姓名",
        required: true,
        aliases: &["协勤人员姓名"],
    },
    FieldSpec {
        field: StaffField::IdNumber,
        canonical: "身份证号码",
        required: true,
        aliases: &ID_ALIASES,
    },
    FieldSpec {
        field: StaffField::Gender,
        canonical: "性别",
        required: false,
        aliases: &[],
    },
    FieldSpec {
        field: StaffField::Education,
        canonical: "学历",
        required: false,
        aliases: &[],
    },
    FieldSpec {
        field: StaffField::Major,
        canonical: "专业",
        required: false,
        aliases: &[],
    },
    FieldSpec {
        field: StaffField::StartDate,
        canonical: "入职日期",
        required: true,
        aliases: &["到岗日期"],
    },
    FieldSpec {
        field: StaffField::EndDate,
        canonical: "离职日期",
        required: false,
        aliases: &[],
    },
    FieldSpec {
        field: StaffField::Months,
        canonical: "在岗月数",
        required: true,
        aliases: &["发放月数"],
    },
    FieldSpec {
        field: StaffField::MonthlyStandard,
        canonical: "月补助标准",
        required: true,
        aliases: &["月标准"],
    },
    FieldSpec {
        field: StaffField::Municipal,
        canonical: "市级补助金额",
        required: true,
        aliases: &["市级经费", "补助金额"],
    },
    FieldSpec {
        field: StaffField::CountyTopUp,
        canonical: "县级配套",
        required: false,
        aliases: &["县级配套金额"],
    },
    shared(StaffField::Bank, BANK),
    shared(StaffField::Account, ACCOUNT),
    shared(StaffField::Remark, REMARK),
];

impl Column for StaffField {
    const SCHEMA: &'static str = "staff";
    fn specs() -> &'static [FieldSpec<Self>] {
        &STAFF_FIELDS
    }
    fn is_grouping(self) -> bool {
        matches!(self, StaffField::County | StaffField::Office)
    }
    fn is_county(self) -> bool {
        self == StaffField::County
    }
}

/// The form a header cell is compared in: NFKC, no whitespace at all, no required-markers.
fn header_key(s: &str) -> String {
    let c = compact(s);
    c.trim_matches(|ch: char| matches!(ch, '*' | '★' | '☆' | '※' | ':' | '：'))
        .to_string()
}

/// The field a header cell names, if any. A trailing parenthesised unit such as "（元）" or
/// "(yyyy-mm-dd)" is tolerated; "县（市、区）" itself is tried whole first.
pub fn match_header<F: Column>(text: &str) -> Option<F> {
    let key = header_key(text);
    if key.is_empty() {
        return None;
    }
    if let Some(f) = lookup(&key) {
        return Some(f);
    }
    if let Some(open) = key.rfind('(')
        && key.ends_with(')')
        && open > 0
    {
        return lookup(&key[..open]);
    }
    None
}

fn lookup<F: Column>(key: &str) -> Option<F> {
    spec_keys::<F>()
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, i)| F::specs().get(*i))
        .map(|s| s.field)
}

/// The header key of every canonical name and alias of a form, with the index of its spec:
/// computed once, not for every cell of every row searched (a sheet whose first rows hold
/// thousands of cells made the search take minutes).
fn spec_keys<F: Column>() -> &'static [(String, usize)] {
    static CLAIMS: OnceLock<Vec<(String, usize)>> = OnceLock::new();
    static STAFF: OnceLock<Vec<(String, usize)>> = OnceLock::new();
    let cell = if F::SCHEMA == StaffField::SCHEMA {
        &STAFF
    } else {
        &CLAIMS
    };
    cell.get_or_init(|| {
        F::specs()
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                std::iter::once(s.canonical)
                    .chain(s.aliases.iter().copied())
                    .map(move |a| (header_key(a), i))
            })
            .collect()
    })
}

/// Where the header was found and which column holds which field.
#[derive(Debug, Clone)]
pub struct HeaderMatch<F = Field> {
    /// 0-based row of the (first) header row.
    pub row: u32,
    /// 1 or 2.
    pub height: u32,
    pub columns: Vec<(F, u32)>,
    /// Header texts seen, in column order, for `missing_column` messages.
    pub found: Vec<String>,
}

/// How many rows from the top are searched for the header (SPEC §4.1).
pub const HEADER_SEARCH_ROWS: u32 = 20;

fn required_count<F: Column>() -> usize {
    F::specs().iter().filter(|s| s.required).count()
}

/// The first row among the first 20 that matches at least half of the required headers, read
/// as one row or together with the row below it (two-row headers).
pub fn find_header<F: Column>(grid: &Grid) -> Option<HeaderMatch<F>> {
    let need = required_count::<F>().div_ceil(2);
    for r in grid.row_numbers_below(HEADER_SEARCH_ROWS) {
        let single = match_row::<F>(grid, r, None);
        let pair = match_row::<F>(grid, r, Some(r + 1));
        // A pair wins only when it beats both rows read alone: a title or 填报单位 line above a
        // one-row header must not be taken for the top half of a two-row header, and where
        // vertical merges already carry the top half into the lower row, the lower row is it.
        let (s, p) = (count_required(&single.0), count_required(&pair.0));
        let (best, height) = if p > s {
            if count_required(&match_row::<F>(grid, r + 1, None).0) >= p {
                continue;
            }
            (pair, 2)
        } else {
            (single, 1)
        };
        if count_required(&best.0) >= need {
            return Some(HeaderMatch {
                row: r,
                height,
                columns: best.0,
                found: best.1,
            });
        }
    }
    None
}

fn count_required<F: Column>(cols: &[(F, u32)]) -> usize {
    cols.iter().filter(|(f, _)| f.required()).count()
}

type RowMatch<F> = (Vec<(F, u32)>, Vec<String>);

fn match_row<F: Column>(grid: &Grid, r: u32, below: Option<u32>) -> RowMatch<F> {
    let mut cols: Vec<(F, u32)> = Vec::new();
    let mut found = Vec::new();
    let mut columns: Vec<u32> = grid.columns_in_row(r).collect();
    if let Some(b) = below {
        columns.extend(grid.columns_in_row(b));
        columns.sort_unstable();
        columns.dedup();
    }
    for c in columns {
        let top = grid.text_at(r, c);
        let bottom = below.and_then(|b| grid.text_at(b, c));
        let mut candidates: Vec<String> = Vec::with_capacity(3);
        if let Some(b) = &bottom {
            candidates.push(b.clone());
        }
        if let Some(t) = &top {
            candidates.push(t.clone());
        }
        if let (Some(t), Some(b)) = (&top, &bottom)
            && t != b
        {
            candidates.push(format!("{t}{b}"));
        }
        let shown = match (&top, &bottom) {
            (Some(t), Some(b)) if t != b => format!("{t}/{b}"),
            (Some(t), _) => t.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => continue,
        };
        found.push(compact(&shown));
        if let Some(f) = candidates.iter().find_map(|c| match_header::<F>(c))
            && !cols.iter().any(|(g, _)| *g == f)
        {
            cols.push((f, c));
        }
    }
    (cols, found)
}

/// The county named by a "填报单位：XX司法局  填报日期：…" line above the header: the text and the
/// 0-based (row, col) of the cell it was read from.
pub fn find_filing_unit(grid: &Grid, header_row: u32) -> Option<(String, u32, u32)> {
    for r in grid.row_numbers_below(header_row) {
        let cols: Vec<u32> = grid.columns_in_row(r).collect();
        for (i, &c) in cols.iter().enumerate() {
            let Some(text) = grid.text_at(r, c) else {
                continue;
            };
            let t = compact(&text);
            let Some(pos) = t.find("填报单位") else {
                continue;
            };
            let after = &t[pos + "填报单位".len()..];
            let after = after.trim_start_matches([':', '：']);
            let value: String = match after.find("填报日期").or_else(|| after.find("填报时间"))
            {
                Some(end) => after[..end].to_string(),
                None => after.to_string(),
            };
            if !value.is_empty() {
                return Some((value, r, c));
            }
            // "填报单位：" alone: the unit is in the next filled cell of the row.
            if let Some(&next) = cols.get(i + 1)
                && let Some(v) = grid.text_at(r, next)
            {
                let v = compact(&v);
                let v = match v.find("填报日期") {
                    Some(end) => v[..end].to_string(),
                    None => v,
                };
                if !v.is_empty() {
                    return Some((v, r, next));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_by_name_alias_and_messy_forms() {
        assert_eq!(match_header::<Field>("县（市、区）"), Some(Field::County));
        assert_eq!(match_header::<Field>("县(市、区)"), Some(Field::County));
        assert_eq!(match_header::<Field>("所属县区"), Some(Field::County));
        assert_eq!(match_header::<Field>("身份证\n号码"), Some(Field::IdNumber));
        assert_eq!(match_header::<Field>(" 身份证号 "), Some(Field::IdNumber));
        assert_eq!(
            match_header::<Field>("申报金额（元）"),
            Some(Field::Claimed)
        );
        assert_eq!(match_header::<Field>("*调解员"), Some(Field::Mediator));
        assert_eq!(match_header::<Field>("调委会"), Some(Field::Committee));
        assert_eq!(match_header::<Field>("卷宗编号"), Some(Field::CaseNo));
        assert_eq!(
            match_header::<Field>("调解成功日期"),
            Some(Field::CloseDate)
        );
        assert_eq!(
            match_header::<Field>("县司法局审核"),
            Some(Field::CountyReview)
        );
        assert_eq!(match_header::<Field>("ｓ"), None);
        assert_eq!(match_header::<Field>("联系电话"), None);
        assert_eq!(match_header::<Field>("审核意见"), None);
    }

    #[test]
    fn every_field_is_in_table_order() {
        for (i, s) in FIELDS.iter().enumerate() {
            assert_eq!(s.field as usize, i);
            assert_eq!(match_header::<Field>(s.canonical), Some(s.field));
            for a in s.aliases {
                assert_eq!(match_header::<Field>(a), Some(s.field), "{a}");
            }
        }
        assert_eq!(required_count::<Field>(), 13);
        assert_eq!(
            match_header::<StaffField>("协勤人员姓名"),
            Some(StaffField::Name)
        );
        assert_eq!(
            match_header::<StaffField>("市级补助金额（元）"),
            Some(StaffField::Municipal)
        );
        assert_eq!(required_count::<StaffField>(), 8);
    }

    #[test]
    fn the_shared_columns_are_named_alike_in_both_forms() {
        let pairs = [
            (Field::Seq, StaffField::Seq),
            (Field::County, StaffField::County),
            (Field::Office, StaffField::Office),
            (Field::IdNumber, StaffField::IdNumber),
            (Field::Bank, StaffField::Bank),
            (Field::Account, StaffField::Account),
            (Field::Remark, StaffField::Remark),
        ];
        for (c, s) in pairs {
            let (cs, ss) = (Column::spec(c).unwrap(), s.spec().unwrap());
            assert_eq!((cs.canonical, cs.required), (ss.canonical, ss.required));
            assert!(ss.aliases.iter().all(|a| cs.aliases.contains(a)), "{c:?}");
            for a in ss.aliases {
                assert_eq!(match_header::<StaffField>(a), Some(s), "{a}");
            }
        }
    }
}
