//! Synthetic county staff workbooks (社区矫正协勤人员经费申报表, SPEC §5.1) for `payrun samples`.
//!
//! One workbook per policy county, as county bureaus send them: a title row, the 填报单位 line,
//! the header (one row, or two rows under a 经费（元） group with header aliases), the 司法所
//! merged over its people, a 合计 row with SUM formulas (cached results), 填表说明 and sign-off
//! rows under the table; some files add a 联系电话 column, a 填表说明 sheet and a hidden 下拉选项
//! sheet; dates are date cells or typed text; amounts numbers or text.
//!
//! Most people are in post the whole year (12 months, 1,000 元 a month from the city, a county
//! top-up); the counties of the 2025 policy, by position in the policy, also show every rule:
//!
//! | # | county (2025) | what is in it |
//! |---|---|---|
//! | 0 | 红塔区 | a leaver (to 30 June) and her successor (from 1 July) in one post; a 性别 that contradicts the ID; a person also declared by county 1 |
//! | 1 | 江川区 | that same person (`duplicate_person` in both); a municipal amount over 1,000 × months |
//! | 2 | 澄江市 | two people over the quota (the two latest arrivals: `over_quota`) |
//! | 3 | 通海县 | a joiner on 1 March (10 months) in a vacant post; 12 months declared for someone who joined 1 May (`months_inconsistent`) |
//! | 4 | 华宁县 | one post vacant (unallocated funds); a row without 姓名 (`missing_field`) |
//! | 5 | 易门县 | 月补助标准 1,200 (`standard_mismatch`); a leaver and successor overlapping in April (`over_allocation`, held); 0 months (`zero_months`); 13 months (`months_out_of_range`) |
//! | 6 | 峨山彝族自治县 | a wrong ID check character (`bad_id_number`); one person listed twice (`duplicate_in_batch`) |
//! | 7 | 新平彝族傣族自治县 | a leaver on 15 September (post vacant after); an impossible 入职日期 (`bad_date`) |
//! | 8 | 元江哈尼族彝族傣族自治县 | an ID stored as a number (`id_precision_lost`); no bank account (`missing_bank_account`); no 县级配套 column |
//!
//! Everything is derived from the seed: the same (policy, seed) gives byte-identical files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet,
    XlsxError, cell_range,
};

use crate::policy::Policy;

/// One data row as written, with what a correct run should decide about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSampleRow {
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row.
    pub row: u32,
    pub county_code: String,
    /// The ID as written (empty for the one stored as a number).
    pub id: String,
    /// The code the row must carry (rejection, hold or warning), None for clean rows.
    pub expected_code: Option<&'static str>,
    /// `approved`, `rejected` or `held`.
    pub decision: &'static str,
}

/// Writes one staff workbook per policy county into `dir` (created); returns the files written,
/// sorted. Deterministic for (policy, seed).
pub fn write_staff_samples(policy: &Policy, dir: &Path, seed: u64) -> Result<Vec<PathBuf>, String> {
    let (files, _) = render(policy, seed)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("无法创建示例输出目录 {}：{e}", dir.display()))?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(&name);
        crate::report::write_atomic(&path, &bytes)
            .map_err(|e| format!("无法写入示例文件 {}：{e}", path.display()))?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// The rows `write_staff_samples` writes for the same arguments, with their intended outcome.
pub fn staff_sample_plan(policy: &Policy, seed: u64) -> Result<Vec<StaffSampleRow>, String> {
    render(policy, seed).map(|(_, plan)| plan)
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// 司法所 of each 2025 county (街道 / 乡镇).
const OFFICES: [(&str, &[&str]); 9] = [
    (
        "530402",
        &["玉带路", "凤凰路", "北城", "春和", "李棋", "大营街", "研和"],
    ),
    ("530403", &["大街", "江城", "前卫", "九溪", "路居"]),
    ("530481", &["凤麓", "龙街", "右所", "海口"]),
    ("530423", &["秀山", "九龙", "杨广", "河西", "四街", "纳古"]),
    ("530424", &["宁州", "盘溪", "青龙", "华溪"]),
    ("530425", &["龙泉", "六街", "浦贝", "十街", "铜厂"]),
    ("530426", &["双江", "小街", "甸中", "大龙潭", "化念"]),
    ("530427", &["桂山", "古城", "扬武", "漠沙", "戛洒", "水塘"]),
    ("530428", &["澧江", "红河", "甘庄", "因远", "咪哩", "羊街"]),
];
const GENERIC_OFFICES: [&str; 5] = ["东城", "西城", "南山", "北关", "中和"];

const SURNAMES: [&str; 30] = [
    "李", "王", "张", "刘", "杨", "赵", "陈", "周", "吴", "马", "朱", "何", "罗", "普", "白", "施",
    "鲁", "段", "杜", "许", "董", "黄", "钱", "孔", "尹", "苏", "高", "胡", "刀", "毕",
];
const MALE_GIVEN: [&str; 24] = [
    "建华", "志强", "文斌", "德明", "永福", "家顺", "正平", "学文", "云峰", "俊", "勇", "斌", "刚",
    "伟", "明", "兴华", "玉林", "金亮", "立新", "春生", "瑞", "林", "浩", "鹏",
];
const FEMALE_GIVEN: [&str; 24] = [
    "丽华", "玉兰", "秀英", "丽", "芳", "敏", "静", "燕", "艳", "琼", "海燕", "春梅", "美仙",
    "丽芬", "红梅", "晓燕", "金凤", "雪梅", "丽萍", "娟", "慧", "婷", "润芝", "菊芬",
];
const EDUCATION: [(&str, &[&str]); 4] = [
    (
        "本科",
        &["法学", "社会工作", "行政管理", "汉语言文学", "心理学"],
    ),
    (
        "大专",
        &["法律事务", "社会工作", "计算机应用", "会计", "公安管理"],
    ),
    ("中专", &["计算机应用", "会计", "文秘"]),
    ("高中", &[""]),
];
const BANKS: [&str; 6] = [
    "中国农业银行玉溪分行",
    "中国工商银行玉溪分行",
    "中国建设银行玉溪分行",
    "云南红塔银行",
    "玉溪农村商业银行",
    "中国邮政储蓄银行玉溪市分行",
];
/// Birth-place region codes seen on IDs of Yuxi residents besides the county's own.
const OTHER_REGIONS: [&str; 4] = ["530421", "530102", "532501", "530381"];
/// County top-up per month (元) by position; 0 = the county pays none.
const TOP_UP: [i64; 9] = [800, 500, 600, 500, 400, 500, 300, 600, 0];

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One-row header, county column merged over the table, date cells.
    A,
    /// No county column, two-row header under 经费（元）, header aliases, text dates and amounts.
    B,
    /// Like A with a 联系电话 column, dates as text or cells, a 填表说明 and a hidden helper sheet.
    C,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    GenderMismatch,
    DuplicatePerson,
    OverStandard,
    OverQuota,
    Inconsistent,
    MissingName,
    StandardMismatch,
    OverAllocation,
    ZeroMonths,
    OutOfRange,
    BadId,
    DupInCounty,
    BadDate,
    IdAsNumber,
    NoAccount,
}

impl Fault {
    fn code(self) -> &'static str {
        match self {
            Fault::GenderMismatch => "gender_mismatch",
            Fault::DuplicatePerson => "duplicate_person",
            Fault::OverStandard => "over_monthly_standard",
            Fault::OverQuota => "over_quota",
            Fault::Inconsistent => "months_inconsistent",
            Fault::MissingName => "missing_field",
            Fault::StandardMismatch => "standard_mismatch",
            Fault::OverAllocation => "over_allocation",
            Fault::ZeroMonths => "zero_months",
            Fault::OutOfRange => "months_out_of_range",
            Fault::BadId => "bad_id_number",
            Fault::DupInCounty => "duplicate_in_batch",
            Fault::BadDate => "bad_date",
            Fault::IdAsNumber => "id_precision_lost",
            Fault::NoAccount => "missing_bank_account",
        }
    }
    fn decision(self) -> &'static str {
        match self {
            Fault::GenderMismatch
            | Fault::StandardMismatch
            | Fault::ZeroMonths
            | Fault::NoAccount => "approved",
            Fault::OverAllocation => "held",
            _ => "rejected",
        }
    }
}

#[derive(Debug, Clone)]
struct Person {
    office: usize,
    name: String,
    id: String,
    male: bool,
    education: &'static str,
    major: &'static str,
    start: NaiveDate,
    /// Written instead of the start date when set (an impossible date).
    start_text: Option<String>,
    end: Option<NaiveDate>,
    months: i64,
    standard: Decimal,
    municipal: Decimal,
    top_up: Decimal,
    bank: Option<&'static str>,
    account: Option<String>,
    phone: String,
    remark: String,
    id_as_number: bool,
    gender_written: Option<&'static str>,
    fault: Option<Fault>,
}

struct County {
    index: usize,
    seed: u64,
    code: String,
    display: String,
    offices: Vec<String>,
    shape: Shape,
    has_top_up: bool,
    people: Vec<Person>,
}

fn mix(seed: u64, county: usize, stream: u64) -> u64 {
    let mut z = seed
        ^ (county as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)
        ^ 0x5354_4146_465F_4232; // "STAFF_B2": keeps these streams apart from the claim samples
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn rng_for(seed: u64, county: usize, stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(seed, county, stream))
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T], fallback: T) -> T {
    if items.is_empty() {
        return fallback;
    }
    items
        .get(rng.random_range(0..items.len()))
        .copied()
        .unwrap_or(fallback)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn random_day(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.random_range(0..=span))
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID (GB 11643).
fn id_check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    C.get((sum % 11) as usize).copied().unwrap_or('0')
}

fn luhn_digit(body: &str) -> char {
    let mut sum = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..10), 10).unwrap_or('0'))
        .collect()
}

fn display_name(policy: &Policy, index: usize) -> String {
    let Some(c) = policy.counties.get(index) else {
        return String::new();
    };
    let wants_alias = index % 3 == 1 || c.name.chars().count() > 5;
    if wants_alias
        && let Some(a) = c
            .aliases
            .iter()
            .find(|a| a.ends_with('县') || a.ends_with('市') || a.ends_with('区'))
    {
        return a.clone();
    }
    c.name.clone()
}

/// Makes people with unique IDs.
struct Maker<'a> {
    rng: ChaCha8Rng,
    code: &'a str,
    ids: &'a mut BTreeSet<String>,
    year: i32,
    standard: Decimal,
    top_up: Decimal,
    offices: usize,
}

impl Maker<'_> {
    fn person(&mut self) -> Person {
        let rng = &mut self.rng;
        let male = rng.random_bool(0.45);
        let birth = random_day(rng, ymd(1972, 1, 1), ymd(2001, 12, 31));
        let region = if rng.random_bool(0.8) {
            self.code.to_string()
        } else {
            pick(rng, &OTHER_REGIONS, "530421").to_string()
        };
        let id = loop {
            let mut seq: u32 = rng.random_range(0..500) * 2;
            if male {
                seq += 1;
            }
            let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
            let id = format!("{first17}{}", id_check_char(&first17));
            if self.ids.insert(id.clone()) {
                break id;
            }
        };
        let surname = pick(rng, &SURNAMES, "李");
        let given = if male {
            pick(rng, &MALE_GIVEN, "明")
        } else {
            pick(rng, &FEMALE_GIVEN, "丽")
        };
        let (education, majors) = pick(rng, &EDUCATION, ("大专", &["社会工作"][..]));
        let major = pick(rng, majors, "");
        let start = random_day(rng, ymd(2016, 3, 1), ymd(self.year - 1, 12, 20));
        let bank = pick(rng, &BANKS, "云南红塔银行");
        let body = format!("622848{}", digits(rng, 12));
        let account = format!("{body}{}", luhn_digit(&body));
        let phone = format!("1{}{}", pick(rng, &[3, 5, 8, 9], 3), digits(rng, 9));
        let office = rng.random_range(0..self.offices.max(1));
        Person {
            office,
            name: format!("{surname}{given}"),
            id,
            male,
            education,
            major,
            start,
            start_text: None,
            end: None,
            months: 12,
            standard: self.standard,
            municipal: self.standard * Decimal::from(12),
            top_up: self.top_up * Decimal::from(12),
            bank: Some(bank),
            account: Some(account),
            phone,
            remark: String::new(),
            id_as_number: false,
            gender_written: None,
            fault: None,
        }
    }

    /// Sets the months and amounts for `months` in post.
    fn paid_for(&self, p: &mut Person, months: i64) {
        p.months = months;
        p.municipal = self.standard * Decimal::from(months);
        p.top_up = self.top_up * Decimal::from(months);
    }
}

fn county_model(
    policy: &Policy,
    index: usize,
    seed: u64,
    ids: &mut BTreeSet<String>,
    shared: &mut Option<Person>,
) -> Option<County> {
    let def = policy.counties.get(index)?;
    let code = def.code.to_string();
    let offices: Vec<String> = OFFICES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, o)| o.to_vec())
        .unwrap_or_else(|| GENERIC_OFFICES.to_vec())
        .iter()
        .map(|o| format!("{o}司法所"))
        .collect();
    let shape = match index % 3 {
        0 => Shape::A,
        1 => Shape::B,
        _ => Shape::C,
    };
    let has_top_up = TOP_UP.get(index).copied().unwrap_or(500) > 0;
    let year = policy.year;
    let mut mk = Maker {
        rng: rng_for(seed, index, 1),
        code: &code,
        ids,
        year,
        standard: policy.staff_monthly_standard,
        top_up: Decimal::from(TOP_UP.get(index).copied().unwrap_or(500)),
        offices: offices.len(),
    };
    let quota = usize::try_from(def.staff_quota).unwrap_or(0);
    let base = match index {
        2 => quota + 2,
        4 => quota.saturating_sub(1),
        _ => quota,
    };
    let mut people: Vec<Person> = (0..base).map(|_| mk.person()).collect();
    let mut extra: Vec<Person> = Vec::new();
    let y = year;
    match index {
        0 => {
            if let Some(p) = people.get_mut(0) {
                p.end = Some(ymd(y, 6, 30));
                p.remark = format!("{y}年6月30日离职");
                mk.paid_for(p, 6);
            }
            let mut s = mk.person();
            s.start = ymd(y, 7, 1);
            s.remark = "接替7月前离职人员".into();
            if let Some(p) = people.first() {
                s.office = p.office;
            }
            mk.paid_for(&mut s, 6);
            extra.push(s);
            if let Some(p) = people.get_mut(3) {
                p.gender_written = Some(if p.male { "女" } else { "男" });
                p.fault = Some(Fault::GenderMismatch);
            }
            let mut d = mk.person();
            d.fault = Some(Fault::DuplicatePerson);
            d.remark = "原在外县从事协勤工作".into();
            *shared = Some(d.clone());
            extra.push(d);
        }
        1 => {
            if let Some(mut d) = shared.clone() {
                d.office = mk.rng.random_range(0..offices.len().max(1));
                d.top_up = mk.top_up * Decimal::from(12);
                d.remark = String::new();
                d.fault = Some(Fault::DuplicatePerson);
                extra.push(d);
            }
            let mut o = mk.person();
            o.municipal = Decimal::from(12_600);
            o.fault = Some(Fault::OverStandard);
            extra.push(o);
        }
        2 => {
            // The last two arrive latest: they are the ones over the quota.
            let n = people.len();
            for (k, p) in people.iter_mut().enumerate() {
                if k + 2 >= n {
                    p.start = ymd(y - 1, 11 + u32::try_from(k + 2 - n).unwrap_or(0), 3);
                    p.fault = Some(Fault::OverQuota);
                } else {
                    p.start = p.start.min(ymd(y - 1, 9, 30));
                }
            }
        }
        3 => {
            if let Some(p) = people.get_mut(1) {
                p.start = ymd(y, 3, 1);
                p.remark = format!("{y}年3月到岗");
                mk.paid_for(p, 10);
            }
            let mut w = mk.person();
            w.start = ymd(y, 5, 1);
            w.fault = Some(Fault::Inconsistent);
            extra.push(w);
        }
        4 => {
            let mut w = mk.person();
            w.name = String::new();
            w.fault = Some(Fault::MissingName);
            extra.push(w);
        }
        5 => {
            if let Some(p) = people.get_mut(2) {
                p.standard = Decimal::from(1200);
                p.fault = Some(Fault::StandardMismatch);
            }
            if let Some(p) = people.get_mut(4) {
                p.end = Some(ymd(y, 4, 20));
                p.remark = format!("{y}年4月20日离职");
                mk.paid_for(p, 4);
            }
            let mut s = mk.person();
            s.start = ymd(y, 4, 21);
            s.remark = "接替4月离职人员".into();
            mk.paid_for(&mut s, 9);
            s.fault = Some(Fault::OverAllocation);
            extra.push(s);
            let mut z = mk.person();
            mk.paid_for(&mut z, 0);
            z.remark = "全年病假".into();
            z.fault = Some(Fault::ZeroMonths);
            extra.push(z);
            let mut o = mk.person();
            o.months = 13;
            o.fault = Some(Fault::OutOfRange);
            extra.push(o);
        }
        6 => {
            let mut b = mk.person();
            let wrong = match b.id.pop() {
                Some('0') => '1',
                _ => '0',
            };
            b.id.push(wrong);
            b.fault = Some(Fault::BadId);
            extra.push(b);
            // A person listed again under the next 司法所, which is read after the first row.
            if let Some(p) = people.iter().find(|p| p.office + 1 < offices.len()) {
                let mut d = p.clone();
                d.office = p.office + 1;
                d.fault = Some(Fault::DupInCounty);
                d.remark = "调动".into();
                extra.push(d);
            }
        }
        7 => {
            if let Some(p) = people.get_mut(2) {
                p.end = Some(ymd(y, 9, 15));
                p.remark = format!("{y}年9月15日离职，岗位空缺");
                mk.paid_for(p, 9);
            }
            let mut b = mk.person();
            b.start_text = Some(format!("{}-02-30", y - 2));
            b.fault = Some(Fault::BadDate);
            extra.push(b);
        }
        8 => {
            let mut n = mk.person();
            n.id_as_number = true;
            n.fault = Some(Fault::IdAsNumber);
            extra.push(n);
            if let Some(p) = people.get_mut(6) {
                p.bank = None;
                p.account = None;
                p.fault = Some(Fault::NoAccount);
            }
        }
        _ => {}
    }
    people.extend(extra);
    // Shuffle the order of arrival within each office, then list office by office.
    let mut keyed: Vec<(usize, u32, Person)> = people
        .into_iter()
        .map(|p| (p.office, mk.rng.random::<u32>(), p))
        .collect();
    keyed.sort_by_key(|(o, k, _)| (*o, *k));
    Some(County {
        index,
        seed,
        code,
        display: display_name(policy, index),
        offices,
        shape,
        has_top_up,
        people: keyed.into_iter().map(|(_, _, p)| p).collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Seq,
    County,
    Office,
    Name,
    Gender,
    Id,
    Education,
    Major,
    Start,
    End,
    Months,
    Standard,
    Municipal,
    TopUp,
    Bank,
    Account,
    Phone,
    Remark,
}

fn columns(c: &County) -> Vec<(Col, &'static str)> {
    let mut v = match c.shape {
        Shape::A => vec![
            (Col::Seq, "序号"),
            (Col::County, "县（市、区）"),
            (Col::Office, "司法所"),
            (Col::Name, "姓名"),
            (Col::Gender, "性别"),
            (Col::Id, "身份证号码"),
            (Col::Education, "学历"),
            (Col::Major, "专业"),
            (Col::Start, "入职日期"),
            (Col::End, "离职日期"),
            (Col::Months, "在岗月数"),
            (Col::Standard, "月补助标准（元）"),
            (Col::Municipal, "市级补助金额（元）"),
            (Col::TopUp, "县级配套（元）"),
            (Col::Bank, "开户银行"),
            (Col::Account, "银行账号"),
            (Col::Remark, "备注"),
        ],
        Shape::B => vec![
            (Col::Seq, "编号"),
            (Col::Office, "所属司法所"),
            (Col::Name, "协勤人员姓名"),
            (Col::Id, "公民身份号码"),
            (Col::Gender, "性别"),
            (Col::Education, "学历"),
            (Col::Major, "专业"),
            (Col::Start, "到岗日期"),
            (Col::End, "离职日期"),
            (Col::Months, "发放月数"),
            (Col::Standard, "月标准"),
            (Col::Municipal, "市级经费"),
            (Col::TopUp, "县级配套金额"),
            (Col::Bank, "开户行"),
            (Col::Account, "账号"),
            (Col::Remark, "备注"),
        ],
        Shape::C => vec![
            (Col::Seq, "序号"),
            (Col::County, "县（市、区）"),
            (Col::Office, "司法所"),
            (Col::Name, "姓名"),
            (Col::Gender, "性别"),
            (Col::Id, "身份证号码"),
            (Col::Phone, "联系电话"),
            (Col::Education, "学历"),
            (Col::Major, "专业"),
            (Col::Start, "入职日期"),
            (Col::End, "离职日期"),
            (Col::Months, "在岗月数"),
            (Col::Standard, "月补助标准"),
            (Col::Municipal, "市级补助金额"),
            (Col::TopUp, "县级配套"),
            (Col::Bank, "开户银行"),
            (Col::Account, "银行账号"),
            (Col::Remark, "备注"),
        ],
    };
    if !c.has_top_up {
        v.retain(|(k, _)| *k != Col::TopUp);
    }
    v
}

/// Width of a column (Excel character units) for the sample look.
fn col_width(c: Col) -> u32 {
    match c {
        Col::Seq => 5,
        Col::County => 8,
        Col::Office => 14,
        Col::Name => 9,
        Col::Gender => 5,
        Col::Id => 21,
        Col::Education | Col::Months => 7,
        Col::Major => 11,
        Col::Start | Col::End => 12,
        Col::Standard | Col::Municipal | Col::TopUp => 12,
        Col::Bank => 22,
        Col::Account => 23,
        Col::Phone => 13,
        Col::Remark => 22,
    }
}

struct Fmts {
    title: Format,
    info: Format,
    header: Format,
    center: Format,
    left: Format,
    text: Format,
    date: Format,
    amount: Format,
    right: Format,
    number_id: Format,
    total: Format,
    total_amount: Format,
    notes: Format,
    sign: Format,
}

fn fmts(shape: Shape) -> Fmts {
    let base = Format::new().set_font_name("宋体").set_font_size(10);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let mut header = cell
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    if shape == Shape::B {
        header = header.set_background_color(0xD9D9D9);
    }
    Fmts {
        title: Format::new()
            .set_font_name("黑体")
            .set_font_size(16)
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        info: base.clone().set_align(FormatAlign::VerticalCenter),
        header,
        center: cell.clone().set_align(FormatAlign::Center),
        left: cell.clone().set_align(FormatAlign::Left),
        text: cell
            .clone()
            .set_align(FormatAlign::Center)
            .set_num_format("@"),
        date: cell
            .clone()
            .set_align(FormatAlign::Center)
            .set_num_format(if shape == Shape::C {
                "yyyy/m/d"
            } else {
                "yyyy年m月d日"
            }),
        amount: cell.clone().set_num_format("#,##0.00"),
        right: cell.clone().set_align(FormatAlign::Right),
        number_id: cell
            .clone()
            .set_align(FormatAlign::Center)
            .set_num_format("0"),
        total: cell.clone().set_bold().set_align(FormatAlign::Center),
        total_amount: cell.clone().set_bold().set_num_format("#,##0.00"),
        notes: base
            .clone()
            .set_text_wrap()
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::Top),
        sign: base.set_align(FormatAlign::Left),
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let y = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8)
}

fn date_text(d: NaiveDate, form: usize) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match form % 4 {
        0 => format!("{y}-{m:02}-{day:02}"),
        1 => format!("{y}.{m}.{day}"),
        2 => format!("{y}年{m}月{day}日"),
        _ => format!("{y}/{m}/{day}"),
    }
}

fn money_text(d: Decimal) -> String {
    format!("{}元", crate::staff::yuan_text(d))
}

/// A file name and its bytes.
type NamedFile = (String, Vec<u8>);

fn render(policy: &Policy, seed: u64) -> Result<(Vec<NamedFile>, Vec<StaffSampleRow>), String> {
    let mut ids = BTreeSet::new();
    let mut shared = None;
    let mut files = Vec::new();
    let mut plan = Vec::new();
    for index in 0..policy.counties.len() {
        let Some(county) = county_model(policy, index, seed, &mut ids, &mut shared) else {
            continue;
        };
        let name = format!(
            "{}_专职社区矫正协勤人员经费申报表_{}.xlsx",
            county.display, policy.year
        );
        let bytes = workbook(policy, &county, &name, &mut plan)
            .map_err(|e| format!("生成示例 {name} 失败：{e}"))?;
        files.push((name, bytes));
    }
    Ok((files, plan))
}

fn workbook(
    policy: &Policy,
    c: &County,
    file: &str,
    plan: &mut Vec<StaffSampleRow>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let filed = ymd(
        policy.year,
        1,
        10 + u32::try_from(c.index % 15).unwrap_or(0),
    );
    let dt = excel_date(filed)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("专职社区矫正协勤人员经费申报表")
            .set_author(format!("{}司法局", c.display))
            .set_creation_datetime(&dt),
    );
    let f = fmts(c.shape);
    let sheet = format!("{}年协勤人员", policy.year);
    let ws = wb.add_worksheet();
    ws.set_name(&sheet)?;
    staff_sheet(ws, policy, c, &f, filed, file, &sheet, plan)?;
    if c.shape == Shape::C {
        let notes = wb.add_worksheet();
        notes.set_name("填表说明")?;
        notes.set_column_width(0, 90)?;
        for (r, line) in INSTRUCTIONS.iter().enumerate() {
            notes.write_string(u32::try_from(r).unwrap_or(0), 0, *line)?;
        }
        let lists = wb.add_worksheet();
        lists.set_name("下拉选项")?;
        for (r, v) in ["男", "女", "本科", "大专", "中专", "高中"]
            .iter()
            .enumerate()
        {
            lists.write_string(u32::try_from(r).unwrap_or(0), 0, *v)?;
        }
        lists.set_hidden(true);
        if let Ok(first) = wb.worksheet_from_index(0) {
            first.set_active(true);
        }
    }
    wb.save_to_buffer()
}

const INSTRUCTIONS: [&str; 5] = [
    "填表说明",
    "1. 每名协勤人员填一行，同一人只能在一个县（市、区）申报。",
    "2. 在岗月数按本年度实际在岗月份填写（不满一月按一月计），最多 12 个月。",
    "3. 市级补助金额 = 每人每月 1000 元 × 在岗月数；县级配套按本县标准填写。",
    "4. 身份证号码、银行账号请设为文本格式，以免后几位变成 0。",
];

#[allow(clippy::too_many_arguments)]
fn staff_sheet(
    ws: &mut Worksheet,
    policy: &Policy,
    c: &County,
    f: &Fmts,
    filed: NaiveDate,
    file: &str,
    sheet: &str,
    plan: &mut Vec<StaffSampleRow>,
) -> Result<(), XlsxError> {
    let cols = columns(c);
    let last_col = u16::try_from(cols.len().saturating_sub(1)).unwrap_or(0);
    let col_of = |k: Col| {
        cols.iter()
            .position(|(x, _)| *x == k)
            .and_then(|p| u16::try_from(p).ok())
    };
    for (i, (k, _)) in cols.iter().enumerate() {
        ws.set_column_width(u16::try_from(i).unwrap_or(0), col_width(*k))?;
    }
    let y = policy.year;
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!("{}{y}年专职社区矫正协勤人员经费申报表", c.display),
        &f.title,
    )?;
    ws.set_row_height(0, 32)?;
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        &format!(
            "填报单位：{}司法局（盖章）　　　　填报日期：{}年{}月{}日　　　　单位：元",
            c.display,
            filed.year(),
            filed.month(),
            filed.day()
        ),
        &f.info,
    )?;
    ws.set_row_height(1, 20)?;

    let h = 2u32;
    let two_rows = c.shape == Shape::B;
    let money_cols = [Col::Standard, Col::Municipal, Col::TopUp];
    for (i, (k, name)) in cols.iter().enumerate() {
        let i = u16::try_from(i).unwrap_or(0);
        if two_rows {
            if money_cols.contains(k) {
                ws.write_string_with_format(h + 1, i, *name, &f.header)?;
            } else {
                ws.merge_range(h, i, h + 1, i, name, &f.header)?;
            }
        } else {
            ws.write_string_with_format(h, i, *name, &f.header)?;
        }
    }
    if two_rows && let (Some(a), Some(b)) = (col_of(Col::Standard), col_of(Col::Municipal)) {
        let b = col_of(Col::TopUp).unwrap_or(b);
        ws.merge_range(h, a, h, b, "经费（元）", &f.header)?;
    }
    let first = if two_rows { h + 2 } else { h + 1 };
    ws.set_row_height(h, if two_rows { 20 } else { 30 })?;
    let mut rng = rng_for(c.seed, c.index, 7);

    let mut sums = (0i64, Decimal::ZERO, Decimal::ZERO);
    for (k, p) in c.people.iter().enumerate() {
        let row = first + u32::try_from(k).unwrap_or(0);
        for (i, (kind, _)) in cols.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(0);
            match kind {
                Col::Seq => {
                    ws.write_with_format(row, col, u32::try_from(k + 1).unwrap_or(0), &f.center)?;
                }
                Col::County => {
                    if c.shape == Shape::C {
                        ws.write_string_with_format(row, col, &c.display, &f.center)?;
                    }
                }
                Col::Office => {} // merged below
                Col::Name => {
                    if p.name.is_empty() {
                        ws.write_blank(row, col, &f.center)?;
                    } else {
                        ws.write_string_with_format(row, col, &p.name, &f.center)?;
                    }
                }
                Col::Gender => {
                    let g = p.gender_written.unwrap_or(if p.male { "男" } else { "女" });
                    ws.write_string_with_format(row, col, g, &f.center)?;
                }
                Col::Id => {
                    if p.id_as_number {
                        let n: Decimal = p.id.parse().unwrap_or_default();
                        ws.write_with_format(row, col, n, &f.number_id)?;
                    } else {
                        ws.write_string_with_format(row, col, &p.id, &f.text)?;
                    }
                }
                Col::Education => {
                    ws.write_string_with_format(row, col, p.education, &f.center)?;
                }
                Col::Major => {
                    if p.major.is_empty() {
                        ws.write_blank(row, col, &f.center)?;
                    } else {
                        ws.write_string_with_format(row, col, p.major, &f.center)?;
                    }
                }
                Col::Start => match &p.start_text {
                    Some(t) => {
                        ws.write_string_with_format(row, col, t, &f.center)?;
                    }
                    None => date_cell(ws, row, col, p.start, c.shape, &mut rng, f)?,
                },
                Col::End => match p.end {
                    Some(d) => date_cell(ws, row, col, d, c.shape, &mut rng, f)?,
                    None => {
                        ws.write_blank(row, col, &f.center)?;
                    }
                },
                Col::Months => {
                    if c.shape == Shape::B && rng.random_bool(0.3) {
                        ws.write_string_with_format(
                            row,
                            col,
                            format!("{}个月", p.months),
                            &f.center,
                        )?;
                    } else {
                        ws.write_with_format(row, col, Decimal::from(p.months), &f.center)?;
                    }
                    sums.0 += p.months;
                }
                Col::Standard => {
                    if c.shape == Shape::B {
                        ws.write_string_with_format(row, col, money_text(p.standard), &f.right)?;
                    } else {
                        ws.write_with_format(row, col, p.standard, &f.amount)?;
                    }
                }
                Col::Municipal => {
                    ws.write_with_format(row, col, p.municipal, &f.amount)?;
                    sums.1 += p.municipal;
                }
                Col::TopUp => {
                    if p.top_up.is_zero() {
                        ws.write_blank(row, col, &f.amount)?;
                    } else {
                        ws.write_with_format(row, col, p.top_up, &f.amount)?;
                    }
                    sums.2 += p.top_up;
                }
                Col::Bank => match p.bank {
                    Some(b) => {
                        ws.write_string_with_format(row, col, b, &f.left)?;
                    }
                    None => {
                        ws.write_blank(row, col, &f.left)?;
                    }
                },
                Col::Account => match &p.account {
                    Some(a) => {
                        let shown = if c.shape == Shape::C {
                            grouped(a)
                        } else {
                            a.clone()
                        };
                        ws.write_string_with_format(row, col, &shown, &f.text)?;
                    }
                    None => {
                        ws.write_blank(row, col, &f.text)?;
                    }
                },
                Col::Phone => {
                    ws.write_string_with_format(row, col, &p.phone, &f.text)?;
                }
                Col::Remark => {
                    if p.remark.is_empty() {
                        ws.write_blank(row, col, &f.left)?;
                    } else {
                        ws.write_string_with_format(row, col, &p.remark, &f.left)?;
                    }
                }
            }
        }
        plan.push(StaffSampleRow {
            file: file.to_string(),
            sheet: sheet.to_string(),
            row: row + 1,
            county_code: c.code.clone(),
            id: if p.id_as_number {
                String::new()
            } else {
                p.id.clone()
            },
            expected_code: p.fault.map(Fault::code),
            decision: p.fault.map_or("approved", Fault::decision),
        });
    }
    let n = u32::try_from(c.people.len()).unwrap_or(0);
    let last = first + n.max(1) - 1;

    // 司法所 merged over its people; the county merged over the whole table (shape A).
    if let Some(oc) = col_of(Col::Office) {
        let mut k = 0usize;
        while k < c.people.len() {
            let o = c.people.get(k).map_or(0, |p| p.office);
            let mut e = k;
            while c.people.get(e + 1).is_some_and(|p| p.office == o) {
                e += 1;
            }
            let (r0, r1) = (
                first + u32::try_from(k).unwrap_or(0),
                first + u32::try_from(e).unwrap_or(0),
            );
            let name = c.offices.get(o).map_or("", |s| s.as_str());
            if r1 > r0 {
                ws.merge_range(r0, oc, r1, oc, name, &f.center)?;
            } else {
                ws.write_string_with_format(r0, oc, name, &f.center)?;
            }
            k = e + 1;
        }
    }
    if c.shape == Shape::A
        && let Some(cc) = col_of(Col::County)
        && n > 1
    {
        ws.merge_range(first, cc, last, cc, &c.display, &f.center)?;
    }

    // 合计 row with cached SUM results.
    let t = first + n;
    ws.merge_range(t, 0, t, 1, "合计", &f.total)?;
    for col in 2..=last_col {
        ws.write_blank(t, col, &f.total)?;
    }
    if let Some(nc) = col_of(Col::Name) {
        ws.write_string_with_format(t, nc, format!("{n}人"), &f.total)?;
    }
    let sum = |ws: &mut Worksheet, k: Col, v: String| -> Result<(), XlsxError> {
        if let Some(col) = col_of(k) {
            let range = cell_range(first, col, last, col);
            let formula = Formula::new(format!("=SUM({range})")).set_result(v);
            ws.write_formula_with_format(t, col, formula, &f.total_amount)?;
        }
        Ok(())
    };
    if c.shape != Shape::B {
        sum(ws, Col::Months, sums.0.to_string())?;
    }
    sum(ws, Col::Municipal, crate::money::plain(sums.1))?;
    if c.has_top_up {
        sum(ws, Col::TopUp, crate::money::plain(sums.2))?;
    }
    ws.set_row_height(t, 20)?;

    let notes = t + 2;
    ws.merge_range(
        notes,
        0,
        notes,
        last_col,
        "填表说明：1. 在岗月数按本年度实际在岗月份填写，不满一月按一月计；2. 市级补助金额按每人每月 1000 元 × 在岗月数计算；3. 身份证号码、银行账号请以文本格式填写。",
        &f.notes,
    )?;
    ws.set_row_height(notes, 30)?;
    ws.merge_range(
        notes + 2,
        0,
        notes + 2,
        last_col,
        "填表人：　　　　　　　审核人：　　　　　　　单位负责人：　　　　　　　联系电话：",
        &f.sign,
    )?;
    ws.set_freeze_panes(first, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn grouped(a: &str) -> String {
    let chars: Vec<char> = a.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn date_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: NaiveDate,
    shape: Shape,
    rng: &mut ChaCha8Rng,
    f: &Fmts,
) -> Result<(), XlsxError> {
    let as_text = match shape {
        Shape::A => false,
        Shape::B => true,
        Shape::C => rng.random_bool(0.5),
    };
    if as_text {
        let form = rng.random_range(0..4usize);
        ws.write_string_with_format(row, col, date_text(d, form), &f.center)?;
    } else {
        ws.write_datetime_with_format(row, col, &excel_date(d)?, &f.date)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_deterministic_and_cover_every_rule() {
        let p = Policy::default_policy().unwrap();
        let (a, plan) = render(&p, 2025).unwrap();
        let (b, _) = render(&p, 2025).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 9);
        let (c, _) = render(&p, 7).unwrap();
        assert_ne!(a, c);
        let codes: BTreeSet<&str> = plan.iter().filter_map(|r| r.expected_code).collect();
        for code in [
            "gender_mismatch",
            "duplicate_person",
            "over_monthly_standard",
            "over_quota",
            "months_inconsistent",
            "missing_field",
            "standard_mismatch",
            "over_allocation",
            "zero_months",
            "months_out_of_range",
            "bad_id_number",
            "duplicate_in_batch",
            "bad_date",
            "id_precision_lost",
            "missing_bank_account",
        ] {
            assert!(codes.contains(code), "{code}");
        }
        assert_eq!(
            plan.iter()
                .filter(|r| r.expected_code == Some("duplicate_person"))
                .count(),
            2
        );
    }
}
