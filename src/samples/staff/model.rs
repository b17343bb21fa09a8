//! The people of the staff samples: each county's 协勤人员 with their IDs, posts, months and
//! amounts, and the rows that show every rule of SPEC §5 (see the table in the module above).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use crate::policy::Policy;
use crate::samples::people::{bank_account, digits, display_name, make_id};
use crate::samples::random::{STAFF_SALT, pick_or, random_day, rng_for};
use crate::samples::written::ymd_or;

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
pub(super) enum Shape {
    /// One-row header, county column merged over the table, date cells.
    A,
    /// No county column, two-row header under 经费（元）, header aliases, text dates and amounts.
    B,
    /// Like A with a 联系电话 column, dates as text or cells, a 填表说明 and a hidden helper sheet.
    C,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
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
    pub(super) fn code(self) -> &'static str {
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
    pub(super) fn decision(self) -> &'static str {
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
pub(super) struct Person {
    pub(super) office: usize,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) male: bool,
    pub(super) education: &'static str,
    pub(super) major: &'static str,
    pub(super) start: NaiveDate,
    /// Written instead of the start date when set (an impossible date).
    pub(super) start_text: Option<String>,
    pub(super) end: Option<NaiveDate>,
    pub(super) months: i64,
    pub(super) standard: Decimal,
    pub(super) municipal: Decimal,
    pub(super) top_up: Decimal,
    pub(super) bank: Option<&'static str>,
    pub(super) account: Option<String>,
    pub(super) phone: String,
    pub(super) remark: String,
    pub(super) id_as_number: bool,
    pub(super) gender_written: Option<&'static str>,
    pub(super) fault: Option<Fault>,
}

pub(super) struct County {
    pub(super) index: usize,
    pub(super) seed: u64,
    pub(super) code: String,
    pub(super) display: String,
    pub(super) offices: Vec<String>,
    pub(super) shape: Shape,
    pub(super) has_top_up: bool,
    pub(super) people: Vec<Person>,
}

/// Dates the generator picks always exist; `NaiveDate::MIN` would show a slip at once.
pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    ymd_or(y, m, d, NaiveDate::MIN)
}

/// Makes people with unique IDs.
pub(super) struct Maker<'a> {
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
            pick_or(rng, &OTHER_REGIONS, "530421").to_string()
        };
        let id = loop {
            let seq: u32 = rng.random_range(0..500) * 2 + u32::from(male);
            let id = make_id(&region, birth, seq);
            if self.ids.insert(id.clone()) {
                break id;
            }
        };
        let surname = pick_or(rng, &SURNAMES, "李");
        let given = if male {
            pick_or(rng, &MALE_GIVEN, "明")
        } else {
            pick_or(rng, &FEMALE_GIVEN, "丽")
        };
        let (education, majors) = pick_or(rng, &EDUCATION, ("大专", &["社会工作"][..]));
        let major = pick_or(rng, majors, "");
        let start = random_day(rng, ymd(2016, 3, 1), ymd(self.year - 1, 12, 20));
        let bank = pick_or(rng, &BANKS, "云南红塔银行");
        let account = bank_account(rng, "622848");
        let phone = format!("1{}{}", pick_or(rng, &[3, 5, 8, 9], 3), digits(rng, 9));
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

pub(super) fn county_model(
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
        rng: rng_for(seed, STAFF_SALT, index, 1),
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
