//! Synthetic county claim workbooks for `payrun samples` (SPEC §4.1, §4.2, §9).
//!
//! The generator builds an in-memory model of every county's claims for one payout period and
//! then renders it in one of four workbook shapes that imitate what county bureaus really send:
//!
//! * **A** – title row, 填报单位 line, one header row, county column, 合计 / 填表说明 / sign-off rows;
//! * **B** – like A without the county column (county only in the 填报单位 line), other column
//!   order, header aliases (调委会, 卷宗编号, 调结日期 …) and an extra 联系电话 column;
//! * **C** – a two-row header with the group header 审核意见 over the two review columns;
//! * **D** – one claim sheet per 司法所, a 填表说明 sheet and a hidden 下拉选项 helper sheet.
//!
//! About 85–90 % of the rows are valid and eligible; each other row breaks exactly one rule (or
//! carries exactly one warning), and across one period's files every fault kind of [`Fault`]
//! occurs at least once. In H2 the policy county with the smallest cap gets enough eligible
//! demand to exceed its annual cap on its own. Everything is derived from the seed: the same
//! (policy, half, options) always gives byte-identical files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError, cell_range,
};

use crate::policy::{Form, Level, Policy};

/// What `payrun samples` generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of counties; the first ones come from the policy, the rest are synthetic
    /// (测试县010, 测试县011 …) and unknown to the policy.
    pub counties: usize,
    /// Claim rows per county per period (the over-cap county gets more in H2).
    pub rows: usize,
    pub seed: u64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            counties: 9,
            rows: 150,
            seed: 2025,
        }
    }
}

/// One data row as written, with what a correct run should decide about it. Lets end-to-end
/// tests compare `decisions.csv` with the generator's intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRow {
    /// File name inside the output folder.
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row.
    pub row: u32,
    /// County name as written in the workbook (canonical or alias).
    pub county: String,
    /// Policy code, `None` for synthetic counties (whose sheets a run refuses whole with
    /// `unknown_county`, so their rows never reach decisions.csv).
    pub county_code: Option<String>,
    /// 案件编号 as written (empty when deliberately blank).
    pub case_id: String,
    /// The injected fault, if any (`Fault::slug`).
    pub fault: Option<&'static str>,
    /// The row code (SPEC §4.7) the fault should produce; `None` for clean rows and for faults
    /// that must pass without a code (full-width ID, lower-case x).
    pub expected_code: Option<&'static str>,
    /// Expected to be approved before caps are applied (warnings allowed). For `reclaim` rows
    /// this is false: they are `already_paid` once H1 has been run into the ledger.
    pub eligible: bool,
    /// Standard rate for (纠纷等级, 协议形式) when one exists.
    pub standard_amount: Option<Decimal>,
}

/// Writes the claim workbooks of one payout period (`half` = 1 or 2) of `policy.year` into
/// `dir` (created), one or more workbooks per county; returns the files written (sorted).
/// Deterministic: same (policy, half, options) → byte-identical files.
pub fn write_claim_samples(
    policy: &Policy,
    half: u8,
    dir: &Path,
    opts: &SampleOptions,
) -> Result<Vec<PathBuf>, String> {
    let (files, _) = render_period(policy, half, opts)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("无法创建示例输出目录 {}：{e}", dir.display()))?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(&name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &bytes)
            .map_err(|e| format!("无法写入示例文件 {}：{e}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| format!("无法写入示例文件 {}：{e}", path.display()))?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// Writes both periods of the policy year: `<out>/<year>-H1/` and `<out>/<year>-H2/`.
pub fn write_all_samples(
    policy: &Policy,
    out: &Path,
    opts: &SampleOptions,
) -> Result<Vec<PathBuf>, String> {
    let mut all = Vec::new();
    for half in 1..=2u8 {
        let dir = out.join(format!("{}-H{half}", policy.year));
        all.extend(write_claim_samples(policy, half, &dir, opts)?);
    }
    Ok(all)
}

/// The rows `write_claim_samples` writes for the same arguments, with their intended outcome,
/// in file / sheet / row order.
pub fn claim_sample_plan(
    policy: &Policy,
    half: u8,
    opts: &SampleOptions,
) -> Result<Vec<SampleRow>, String> {
    render_period(policy, half, opts).map(|(_, plan)| plan)
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

/// A deliberate problem in one row (or, for `PossibleDuplicate`, a pair of rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    MissingMediator,
    MissingCaseNo,
    MissingEndDate,
    NotSuccessful,
    DossierNonstandard,
    StationRejected,
    CountyRejected,
    EndPrevYear,
    EndAfterPeriod,
    EndFuture,
    BadDateText,
    BadIdCheck,
    IdAsNumber,
    NoRate,
    UnknownLevel,
    DuplicateCaseNo,
    AmountDiffers,
    MissingAccount,
    PossibleDuplicate,
    FullWidthId,
    LowercaseX,
    // H2 only, generated from the H1 model rather than injected.
    Reclaim,
    LateClaim,
}

/// Every fault that must occur at least once in each period's files.
const INJECTED: [Fault; 21] = [
    Fault::MissingMediator,
    Fault::MissingCaseNo,
    Fault::MissingEndDate,
    Fault::NotSuccessful,
    Fault::DossierNonstandard,
    Fault::StationRejected,
    Fault::CountyRejected,
    Fault::EndPrevYear,
    Fault::EndAfterPeriod,
    Fault::EndFuture,
    Fault::BadDateText,
    Fault::BadIdCheck,
    Fault::IdAsNumber,
    Fault::NoRate,
    Fault::UnknownLevel,
    Fault::DuplicateCaseNo,
    Fault::AmountDiffers,
    Fault::MissingAccount,
    Fault::PossibleDuplicate,
    Fault::FullWidthId,
    Fault::LowercaseX,
];

impl Fault {
    fn slug(self) -> &'static str {
        match self {
            Fault::MissingMediator => "missing_mediator",
            Fault::MissingCaseNo => "missing_case_no",
            Fault::MissingEndDate => "missing_end_date",
            Fault::NotSuccessful => "not_successful",
            Fault::DossierNonstandard => "dossier_nonstandard",
            Fault::StationRejected => "station_rejected",
            Fault::CountyRejected => "county_rejected",
            Fault::EndPrevYear => "end_prev_year",
            Fault::EndAfterPeriod => "end_after_period",
            Fault::EndFuture => "end_future_year",
            Fault::BadDateText => "bad_date_text",
            Fault::BadIdCheck => "bad_id_check",
            Fault::IdAsNumber => "id_as_number",
            Fault::NoRate => "no_rate",
            Fault::UnknownLevel => "unknown_level",
            Fault::DuplicateCaseNo => "duplicate_case_no",
            Fault::AmountDiffers => "amount_differs",
            Fault::MissingAccount => "missing_account",
            Fault::PossibleDuplicate => "possible_duplicate",
            Fault::FullWidthId => "full_width_id",
            Fault::LowercaseX => "lowercase_x",
            Fault::Reclaim => "reclaim",
            Fault::LateClaim => "late_claim",
        }
    }

    /// The first code a correct run gives the row (SPEC §4.7).
    fn expected_code(self) -> Option<&'static str> {
        Some(match self {
            Fault::MissingMediator | Fault::MissingCaseNo | Fault::MissingEndDate => {
                "missing_field"
            }
            Fault::NotSuccessful => "not_successful",
            Fault::DossierNonstandard => "dossier_nonstandard",
            Fault::StationRejected | Fault::CountyRejected => "review_not_passed",
            Fault::EndPrevYear | Fault::EndAfterPeriod | Fault::EndFuture => "date_out_of_period",
            Fault::BadDateText => "bad_date",
            Fault::BadIdCheck => "bad_id_number",
            Fault::IdAsNumber => "id_precision_lost",
            Fault::NoRate => "no_rate",
            Fault::UnknownLevel => "bad_value",
            Fault::DuplicateCaseNo => "duplicate_in_batch",
            Fault::AmountDiffers => "amount_adjusted",
            Fault::MissingAccount => "missing_bank_account",
            Fault::PossibleDuplicate => "possible_duplicate",
            Fault::FullWidthId | Fault::LowercaseX => return None,
            Fault::Reclaim => "already_paid",
            Fault::LateClaim => "late_claim",
        })
    }

    /// True when the row is still approved (a warning at most).
    fn still_eligible(self) -> bool {
        matches!(
            self,
            Fault::AmountDiffers
                | Fault::MissingAccount
                | Fault::PossibleDuplicate
                | Fault::FullWidthId
                | Fault::LowercaseX
                | Fault::LateClaim
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Static flavour: township names, people, banks
// ---------------------------------------------------------------------------------------------

/// Per-county flavour for the counties of the default policy, keyed by code.
struct Flavor {
    code: &'static str,
    abbr: &'static str,
    /// 司法所 base names (街道/乡镇); the `bool` marks urban 街道 (their committees are 社区).
    stations: &'static [(&'static str, bool)],
}

const FLAVORS: [Flavor; 9] = [
    Flavor {
        code: "530402",
        abbr: "HT",
        stations: &[
            ("玉带路", true),
            ("凤凰路", true),
            ("北城", true),
            ("春和", true),
            ("李棋", true),
            ("大营街", true),
            ("研和", true),
            ("高仓", true),
            ("小石桥", false),
            ("洛河", false),
        ],
    },
    Flavor {
        code: "530403",
        abbr: "JC",
        stations: &[
            ("大街", true),
            ("江城", false),
            ("前卫", false),
            ("九溪", false),
            ("路居", false),
            ("雄关", false),
            ("安化", false),
        ],
    },
    Flavor {
        code: "530481",
        abbr: "CJ",
        stations: &[
            ("凤麓", true),
            ("龙街", true),
            ("右所", false),
            ("海口", false),
            ("九村", false),
            ("阳宗", false),
        ],
    },
    Flavor {
        code: "530423",
        abbr: "TH",
        stations: &[
            ("秀山", true),
            ("九龙", true),
            ("杨广", false),
            ("河西", false),
            ("四街", false),
            ("纳古", false),
            ("里山", false),
            ("兴蒙", false),
            ("高大", false),
        ],
    },
    Flavor {
        code: "530424",
        abbr: "HN",
        stations: &[
            ("宁州", true),
            ("盘溪", false),
            ("青龙", false),
            ("华溪", false),
            ("通红甸", false),
        ],
    },
    Flavor {
        code: "530425",
        abbr: "YM",
        stations: &[
            ("龙泉", true),
            ("六街", false),
            ("浦贝", false),
            ("十街", false),
            ("铜厂", false),
            ("小街", false),
            ("绿汁", false),
        ],
    },
    Flavor {
        code: "530426",
        abbr: "ES",
        stations: &[
            ("双江", true),
            ("小街", false),
            ("甸中", false),
            ("大龙潭", false),
            ("富良棚", false),
            ("塔甸", false),
            ("化念", false),
            ("岔河", false),
        ],
    },
    Flavor {
        code: "530427",
        abbr: "XP",
        stations: &[
            ("桂山", true),
            ("古城", true),
            ("扬武", false),
            ("漠沙", false),
            ("戛洒", false),
            ("水塘", false),
            ("平甸", false),
            ("新化", false),
            ("建兴", false),
            ("老厂", false),
            ("者竜", false),
            ("平掌", false),
        ],
    },
    Flavor {
        code: "530428",
        abbr: "YJ",
        stations: &[
            ("澧江", true),
            ("红河", false),
            ("甘庄", false),
            ("因远", false),
            ("咪哩", false),
            ("羊街", false),
            ("那诺", false),
            ("洼垤", false),
            ("曼来", false),
            ("东峨", false),
        ],
    },
];

const GENERIC_STATIONS: [(&str, bool); 10] = [
    ("东城", true),
    ("西城", true),
    ("南山", false),
    ("北关", false),
    ("中和", false),
    ("新安", false),
    ("太平", false),
    ("青山", false),
    ("龙潭", false),
    ("白石", false),
];

const COMMUNITIES: [&str; 24] = [
    "太极", "玉湖", "珊瑚", "瓦窑", "东风", "南苑", "北苑", "文化", "振兴", "凤凰", "玉泉", "龙马",
    "白塔", "明珠", "聂耳", "金山", "桃源", "兴隆", "锦绣", "团结", "育英", "江滨", "朝阳", "和平",
];

const VILLAGES: [&str; 48] = [
    "大营",
    "白土",
    "中所",
    "新村",
    "龙树",
    "大坝",
    "小河",
    "石岩",
    "三家",
    "马鞍",
    "五里",
    "岔河",
    "大寨",
    "松林",
    "清水",
    "水井",
    "高桥",
    "黄草坝",
    "观音山",
    "龙潭",
    "下村",
    "上村",
    "普应",
    "七街",
    "海门",
    "沙坝",
    "小营",
    "竹园",
    "黑村",
    "铁厂",
    "者么",
    "干坝",
    "腊甸",
    "大塘",
    "小寨",
    "新寨",
    "老街",
    "营盘",
    "杨柳",
    "树皮",
    "瓦厂",
    "甸头",
    "塔冲",
    "阿扎",
    "蚂蟥",
    "芭蕉",
    "核桃",
    "梁子",
];

const SURNAMES: [(&str, u32); 40] = [
    ("李", 14),
    ("王", 10),
    ("张", 10),
    ("刘", 6),
    ("杨", 8),
    ("赵", 5),
    ("陈", 5),
    ("周", 3),
    ("吴", 3),
    ("孙", 2),
    ("马", 3),
    ("朱", 2),
    ("胡", 2),
    ("何", 3),
    ("高", 2),
    ("罗", 3),
    ("郑", 1),
    ("钱", 2),
    ("普", 4),
    ("白", 3),
    ("施", 2),
    ("鲁", 2),
    ("沈", 1),
    ("段", 2),
    ("杜", 2),
    ("许", 2),
    ("苏", 1),
    ("尹", 1),
    ("孔", 1),
    ("董", 2),
    ("龙", 1),
    ("邓", 1),
    ("方", 1),
    ("唐", 1),
    ("黄", 2),
    ("林", 1),
    ("刀", 1),
    ("柏", 1),
    ("浦", 1),
    ("毕", 1),
];

const MALE_GIVEN: [&str; 36] = [
    "建国", "国华", "志强", "文华", "德明", "永福", "家顺", "正平", "绍武", "学文", "云峰", "开明",
    "光荣", "俊", "勇", "斌", "刚", "军", "伟", "明", "红军", "树林", "兴华", "有才", "玉林",
    "金亮", "成龙", "保华", "跃进", "立新", "发荣", "春生", "忠", "顺", "瑞", "林",
];

const FEMALE_GIVEN: [&str; 34] = [
    "贵秀", "丽华", "玉兰", "桂英", "秀英", "丽", "芳", "敏", "静", "燕", "艳", "琼", "海燕",
    "春梅", "美仙", "丽芬", "玉珍", "凤仙", "琼芬", "红梅", "晓燕", "云仙", "翠华", "金凤", "秀芬",
    "雪梅", "丽萍", "娟", "慧", "婷", "巧仙", "润芝", "菊芬", "兰芬",
];

const DISPUTES: [(&str, u32); 8] = [
    ("婚姻家庭", 20),
    ("邻里纠纷", 25),
    ("合同纠纷", 10),
    ("损害赔偿", 12),
    ("劳动争议", 6),
    ("道路交通", 8),
    ("土地承包", 14),
    ("物业纠纷", 5),
];

const NOTES: [&str; 6] = [
    "经村民小组长协助调解",
    "已申请司法确认",
    "当场履行",
    "分期履行",
    "多次调解达成协议",
    "联合派出所调解",
];

/// Other birth-place region codes seen on IDs of Yuxi residents.
const OTHER_REGIONS: [&str; 5] = ["530421", "530102", "530111", "532501", "530381"];

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    A,
    B,
    C,
    D,
}

/// How a county spells coded values (all spellings are accepted by SPEC §4.1).
struct Vocab {
    success: &'static str,
    written: &'static str,
    oral: &'static str,
    complex: &'static str,
    dossier_ok: &'static str,
    dossier_bad: &'static str,
    station_ok: &'static str,
    station_bad: &'static str,
    county_ok: &'static str,
    county_bad: &'static str,
}

const VOCABS: [Vocab; 3] = [
    Vocab {
        success: "成功",
        written: "书面",
        oral: "口头",
        complex: "疑难复杂",
        dossier_ok: "是",
        dossier_bad: "否",
        station_ok: "通过",
        station_bad: "不通过",
        county_ok: "同意",
        county_bad: "不同意",
    },
    Vocab {
        success: "调解成功",
        written: "书面协议",
        oral: "口头协议",
        complex: "疑难复杂",
        dossier_ok: "规范",
        dossier_bad: "不规范",
        station_ok: "同意",
        station_bad: "不同意",
        county_ok: "同意",
        county_bad: "不同意",
    },
    Vocab {
        success: "成功",
        written: "书面",
        oral: "口头",
        complex: "疑难",
        dossier_ok: "√",
        dossier_bad: "×",
        station_ok: "通过",
        station_bad: "不通过",
        county_ok: "通过",
        county_bad: "不通过",
    },
];

struct Station {
    base: String,
    name: String,
}

struct Committee {
    name: String,
    station: usize,
}

struct Mediator {
    name: String,
    id: String,
    bank: String,
    account: String,
    phone: String,
    committee: usize,
}

struct CountyModel {
    index: usize,
    /// Name written in the files (canonical or alias).
    display: String,
    code: Option<String>,
    cap: Option<Decimal>,
    shape: Shape,
    text_dates: bool,
    date_format: &'static str,
    quarterly: bool,
    case_style: usize,
    abbr: String,
    vocab: &'static Vocab,
    stations: Vec<Station>,
    committees: Vec<Committee>,
    mediators: Vec<Mediator>,
    clerks: [String; 3],
}

#[derive(Debug, Clone)]
enum DateCell {
    Date(NaiveDate),
    Text(String),
    Blank,
}

#[derive(Debug, Clone)]
enum IdCell {
    Text(String),
    /// An 18-digit ID Excel turned into a number (precision already lost).
    Number(u64),
}

#[derive(Debug, Clone)]
enum AmountCell {
    Number(Decimal),
    Text(String),
    Blank,
}

#[derive(Debug, Clone)]
struct Row {
    mediator: usize,
    committee: usize,
    station: usize,
    case_no: String,
    needs_number: bool,
    dispute: &'static str,
    level_label: &'static str,
    level: Option<Level>,
    form: Form,
    accepted: NaiveDate,
    /// The real 结案日期, used for file placement and sorting.
    concluded: NaiveDate,
    accepted_cell: DateCell,
    concluded_cell: DateCell,
    result: &'static str,
    dossier: &'static str,
    station_review: &'static str,
    county_review: &'static str,
    mediator_name: String,
    id_cell: IdCell,
    bank: String,
    account: String,
    amount: AmountCell,
    note: String,
    fault: Option<Fault>,
    eligible: bool,
    standard: Option<Decimal>,
    order: u64,
    /// Set on a `DuplicateCaseNo` row: the order of the row whose number it repeats.
    dup_of: Option<u64>,
}

/// One claim workbook of a county.
#[derive(Debug, Clone, Copy)]
struct FileSpec {
    /// Quarter 1–4, or `None` for a half-year workbook.
    quarter: Option<u8>,
    filed: NaiveDate,
}

struct HalfPlan {
    rows: Vec<Row>,
    /// Valid H1 cases the county did not claim in H1 (they come back in H2 as late claims).
    withheld: Vec<Row>,
    files: Vec<FileSpec>,
    counters: BTreeMap<String, u32>,
}

struct Period {
    half: u8,
    year: i32,
    start: NaiveDate,
    end: NaiveDate,
}

fn period(policy: &Policy, half: u8) -> Result<Period, String> {
    let y = policy.year;
    let (a, b) = match half {
        1 => ((1, 1), (6, 30)),
        2 => ((7, 1), (12, 31)),
        _ => {
            return Err(format!(
                "发放期间须为上半年（1）或下半年（2），不能是 {half}"
            ));
        }
    };
    let start = NaiveDate::from_ymd_opt(y, a.0, a.1);
    let end = NaiveDate::from_ymd_opt(y, b.0, b.1);
    match (start, end) {
        (Some(start), Some(end)) => Ok(Period {
            half,
            year: y,
            start,
            end,
        }),
        _ => Err(format!("政策年度 {y} 无法生成日期")),
    }
}

fn ymd_or(y: i32, m: u32, d: u32, fallback: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(fallback)
}

/// SplitMix64 finaliser: mixes the seed with the county index and a stream number.
fn mix(seed: u64, county: usize, stream: u64) -> u64 {
    let mut z = seed
        ^ (county as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn rng_for(seed: u64, county: usize, stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(seed, county, stream))
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

fn person_name(rng: &mut ChaCha8Rng, male: bool) -> String {
    let s = weighted(rng, &SURNAMES);
    let g = if male {
        pick(rng, &MALE_GIVEN)
    } else {
        pick(rng, &FEMALE_GIVEN)
    };
    format!("{s}{g}")
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
    C[(sum % 11) as usize]
}

fn make_id(region: &str, birth: NaiveDate, seq: u32) -> String {
    let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let check = id_check_char(&first17);
    format!("{first17}{check}")
}

/// Luhn check digit for a bank card number.
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

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c),
            'X' => 'Ｘ',
            'x' => 'ｘ',
            _ => c,
        })
        .collect()
}

fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", D[(n - 10) as usize]),
        _ => {
            let tens = D[(n / 10) as usize];
            if n.is_multiple_of(10) {
                format!("{tens}十")
            } else {
                format!("{tens}十{}", D[(n % 10) as usize])
            }
        }
    }
}

/// A date as county clerks type it when the column is text.
fn date_text(d: NaiveDate, form: u32) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match form % 5 {
        0 => format!("{y}-{m:02}-{day:02}"),
        1 => format!("{y}/{m}/{day}"),
        2 => format!("{y}.{m}.{day}"),
        3 => format!("{y}年{m}月{day}日"),
        _ => format!("{y}{m:02}{day:02}"),
    }
}

fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The name a county uses in its own files: a 县/市/区 alias for some (江川县, 峨山县 …), to
/// exercise alias matching.
fn display_name(policy: &Policy, index: usize) -> String {
    let c = &policy.counties[index];
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

fn county_model(policy: &Policy, index: usize, opts: &SampleOptions) -> CountyModel {
    let mut rng = rng_for(opts.seed, index, 0);
    let n_policy = policy.counties.len();
    let (display, code, cap) = if index < n_policy {
        let c = &policy.counties[index];
        (
            display_name(policy, index),
            Some(c.code.as_str().to_string()),
            Some(c.mediation_cap),
        )
    } else {
        (format!("测试县{:03}", index - n_policy + 10), None, None)
    };
    let flavor = code
        .as_deref()
        .and_then(|c| FLAVORS.iter().find(|f| f.code == c));
    let abbr = match (flavor, &code) {
        (Some(f), _) => f.abbr.to_string(),
        (None, Some(c)) => c.clone(),
        (None, None) => format!("CS{:03}", index - n_policy + 10),
    };
    let station_pool: Vec<(&str, bool)> = match flavor {
        Some(f) => f.stations.to_vec(),
        None => GENERIC_STATIONS.to_vec(),
    };
    let shape = match index % 4 {
        0 => Shape::A,
        1 => Shape::B,
        2 => Shape::C,
        _ => Shape::D,
    };

    // 3–6 司法所: the urban seat first, then a random subset of the townships in list order.
    let want = rng.random_range(3..=6usize).min(station_pool.len());
    let mut chosen: Vec<usize> = vec![0];
    let mut rest: Vec<usize> = (1..station_pool.len()).collect();
    while chosen.len() < want && !rest.is_empty() {
        let k = rng.random_range(0..rest.len());
        chosen.push(rest.remove(k));
    }
    chosen.sort_unstable();

    let mut villages: Vec<&str> = VILLAGES.to_vec();
    let mut communities: Vec<&str> = COMMUNITIES.to_vec();
    let mut stations = Vec::new();
    let mut committees = Vec::new();
    for &si in &chosen {
        let (base, urban) = station_pool[si];
        let s_idx = stations.len();
        stations.push(Station {
            base: base.to_string(),
            name: format!("{base}司法所"),
        });
        let n_comm = rng.random_range(1..=3usize);
        for k in 0..n_comm {
            let name = if k == 0 && rng.random_bool(0.3) {
                if urban {
                    format!("{base}街道人民调解委员会")
                } else {
                    format!("{base}镇人民调解委员会")
                }
            } else if urban && !communities.is_empty() {
                let c = communities.remove(rng.random_range(0..communities.len()));
                format!("{c}社区人民调解委员会")
            } else if !villages.is_empty() {
                let v = villages.remove(rng.random_range(0..villages.len()));
                format!("{v}村人民调解委员会")
            } else {
                format!("{base}第{}人民调解委员会", k + 1)
            };
            committees.push(Committee {
                name,
                station: s_idx,
            });
        }
    }

    let bank_names: [(String, &str, u32); 5] = [
        (format!("中国农业银行{display}支行"), "622848", 30),
        ("中国农业银行玉溪分行".to_string(), "622848", 10),
        (
            if display.starts_with("红塔") {
                "玉溪农村商业银行".to_string()
            } else {
                format!("{display}农村信用合作联社")
            },
            "622369",
            35,
        ),
        (format!("中国邮政储蓄银行{display}支行"), "621799", 20),
        ("中国建设银行玉溪分行".to_string(), "621700", 5),
    ];
    let region = code.clone().unwrap_or_else(|| "530421".to_string());
    let mut mediators = Vec::new();
    for (ci, _) in committees.iter().enumerate() {
        for _ in 0..rng.random_range(2..=4usize) {
            let male = rng.random_bool(0.6);
            let name = person_name(&mut rng, male);
            let reg = if rng.random_bool(0.8) {
                region.clone()
            } else {
                pick(&mut rng, &OTHER_REGIONS).to_string()
            };
            let birth = birth_date(&mut rng);
            let seq = rng.random_range(0..500u32) * 2 + u32::from(male);
            let id = make_id(&reg, birth, seq);
            let bi = weighted(&mut rng, &[(0usize, 30), (1, 10), (2, 35), (3, 20), (4, 5)]);
            let (bank, bin, _) = &bank_names[bi];
            let body = format!("{bin}{}", digits(&mut rng, 12));
            let account = format!("{body}{}", luhn_digit(&body));
            let phone = format!(
                "1{}{}",
                pick(
                    &mut rng,
                    &["38", "39", "51", "52", "57", "58", "59", "87", "88", "36"]
                ),
                digits(&mut rng, 8)
            );
            mediators.push(Mediator {
                name,
                id,
                bank: bank.clone(),
                account,
                phone,
                committee: ci,
            });
        }
    }
    // Make sure the pool has an ID ending in X (for the lower-case x row) and one ending in a
    // digit (for the ID-stored-as-number row), as real pools do.
    if !mediators.iter().any(|m| m.id.ends_with('X'))
        && let Some(m) = mediators.first_mut()
    {
        let first17: String = m.id.chars().take(17).collect();
        let (head, seq) = first17.split_at(14);
        let seq: u32 = seq.parse().unwrap_or(0);
        for k in 0..500u32 {
            let cand = format!("{head}{:03}", (seq + 2 * k) % 1000);
            if id_check_char(&cand) == 'X' {
                m.id = format!("{cand}X");
                break;
            }
        }
    }
    if mediators.iter().all(|m| m.id.ends_with('X'))
        && let Some(m) = mediators.last_mut()
    {
        let first17: String = m.id.chars().take(17).collect();
        let (head, seq) = first17.split_at(14);
        let seq: u32 = seq.parse().unwrap_or(0);
        let cand = format!("{head}{:03}", (seq + 2) % 1000);
        m.id = format!("{cand}{}", id_check_char(&cand));
    }

    let clerks = [
        person_name(&mut rng, false),
        person_name(&mut rng, true),
        person_name(&mut rng, true),
    ];

    CountyModel {
        index,
        display,
        code,
        cap,
        shape,
        text_dates: index % 3 == 2,
        date_format: match index % 4 {
            0 => "yyyy-mm-dd",
            1 => "yyyy\"年\"m\"月\"d\"日\"",
            2 => "yyyy/m/d",
            _ => "yyyy.mm.dd",
        },
        quarterly: index.is_multiple_of(2),
        case_style: index % 3,
        abbr,
        vocab: &VOCABS[index % 3],
        stations,
        committees,
        mediators,
        clerks,
    }
}

fn birth_date(rng: &mut ChaCha8Rng) -> NaiveDate {
    let fallback = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for _ in 0..8 {
        let y = rng.random_range(1955..=1995);
        let m = rng.random_range(1..=12);
        let d = rng.random_range(1..=31);
        if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
            return date;
        }
    }
    fallback
}

fn random_day(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

/// Which policy county gets more claims than its cap in H2: the smallest cap, first in order.
fn over_cap_county(policy: &Policy, n_policy: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for i in 0..n_policy {
        match best {
            Some(b) if policy.counties[b].mediation_cap <= policy.counties[i].mediation_cap => {}
            _ => best = Some(i),
        }
    }
    best
}

/// Rows of a county in the given half (1.6 × for the over-cap county in H2).
fn row_count(opts: &SampleOptions, half: u8, over_cap: bool) -> usize {
    if half == 2 && over_cap {
        (opts.rows * 8).div_ceil(5)
    } else {
        opts.rows
    }
}

fn two_percent(n: usize) -> usize {
    ((n + 25) / 50).max(1)
}

/// The faults that must appear in this county so that every kind appears once per period.
fn mandatory_faults(half: u8, index: usize, n_policy: usize) -> Vec<Fault> {
    if index >= n_policy {
        return Vec::new();
    }
    INJECTED
        .iter()
        .enumerate()
        .filter(|(k, _)| (k + 3 * usize::from(half - 1)) % n_policy == index)
        .map(|(_, f)| *f)
        .collect()
}

struct Gen<'a> {
    policy: &'a Policy,
    county: &'a CountyModel,
    period: &'a Period,
    rng: ChaCha8Rng,
    /// (mediator, 纠纷类型, 结案日期) already used, so that only deliberate rows look alike.
    keys: BTreeSet<(usize, &'static str, NaiveDate)>,
    next_order: u64,
    last_day: NaiveDate,
}

impl Gen<'_> {
    fn order(&mut self) -> u64 {
        self.next_order += 2;
        self.next_order
    }

    fn pick_level_form(&mut self, heavy: bool) -> (Level, Form) {
        let level = if heavy {
            weighted(
                &mut self.rng,
                &[
                    (Level::Simple, 5),
                    (Level::Ordinary, 25),
                    (Level::Complex, 40),
                    (Level::Major, 30),
                ],
            )
        } else {
            weighted(
                &mut self.rng,
                &[
                    (Level::Simple, 30),
                    (Level::Ordinary, 55),
                    (Level::Complex, 12),
                    (Level::Major, 3),
                ],
            )
        };
        let form = match level {
            Level::Simple | Level::Ordinary if self.rng.random_bool(0.15) => Form::Oral,
            _ => Form::Written,
        };
        if self.policy.rate(level, form).is_some() {
            return (level, form);
        }
        if self.policy.rate(level, Form::Written).is_some() {
            return (level, Form::Written);
        }
        match self.policy.rates.keys().next() {
            Some(&(l, f)) => (l, f),
            None => (level, form),
        }
    }

    fn level_label(&self, level: Level) -> &'static str {
        match level {
            Level::Complex => self.county.vocab.complex,
            other => other.label(),
        }
    }

    fn date_cell(&mut self, d: NaiveDate) -> DateCell {
        if self.county.text_dates {
            DateCell::Text(date_text(d, self.rng.random_range(0..5)))
        } else {
            DateCell::Date(d)
        }
    }

    fn amount_cell(&mut self, amount: Option<Decimal>) -> AmountCell {
        match amount {
            None => AmountCell::Blank,
            Some(a) if self.county.text_dates && self.rng.random_bool(0.3) => {
                if self.rng.random_bool(0.5) {
                    AmountCell::Text(format!("{}元", a.normalize()))
                } else {
                    AmountCell::Text(crate::money::plain(a))
                }
            }
            Some(a) => AmountCell::Number(a),
        }
    }

    fn mediator_choice(&mut self) -> usize {
        // Skewed: some mediators handle many more cases than others.
        let n = self.county.mediators.len();
        let a = self.rng.random_range(0..n);
        let b = self.rng.random_range(0..n);
        a.min(b)
    }

    /// A valid, eligible row with a fresh (mediator, type, date) key.
    fn clean_row(&mut self, mediator: Option<usize>, heavy: bool) -> Row {
        let m = mediator.unwrap_or_else(|| self.mediator_choice());
        let med = &self.county.mediators[m];
        let committee = med.committee;
        let station = self.county.committees[committee].station;
        let mut dispute = weighted(&mut self.rng, &DISPUTES);
        let mut concluded = random_day(&mut self.rng, self.period.start, self.last_day);
        for _ in 0..60 {
            if !self.keys.contains(&(m, dispute, concluded)) {
                break;
            }
            dispute = weighted(&mut self.rng, &DISPUTES);
            concluded = random_day(&mut self.rng, self.period.start, self.last_day);
        }
        self.keys.insert((m, dispute, concluded));
        let (level, form) = self.pick_level_form(heavy);
        let lead = match level {
            Level::Simple => self.rng.random_range(0..=7),
            Level::Ordinary => self.rng.random_range(2..=20),
            _ => self.rng.random_range(10..=45),
        };
        let accepted = concluded - Duration::days(lead);
        let standard = self.policy.rate(level, form);
        let note = if self.rng.random_bool(0.06) {
            pick(&mut self.rng, &NOTES).to_string()
        } else {
            String::new()
        };
        let accepted_cell = self.date_cell(accepted);
        let concluded_cell = self.date_cell(concluded);
        let amount = self.amount_cell(standard);
        let vocab = self.county.vocab;
        let order = self.order();
        Row {
            mediator: m,
            committee,
            station,
            case_no: String::new(),
            needs_number: true,
            dispute,
            level_label: self.level_label(level),
            level: Some(level),
            form,
            accepted,
            concluded,
            accepted_cell,
            concluded_cell,
            result: vocab.success,
            dossier: vocab.dossier_ok,
            station_review: vocab.station_ok,
            county_review: vocab.county_ok,
            mediator_name: med.name.clone(),
            id_cell: IdCell::Text(med.id.clone()),
            bank: med.bank.clone(),
            account: med.account.clone(),
            amount,
            note,
            fault: None,
            eligible: standard.is_some(),
            standard,
            order,
            dup_of: None,
        }
    }

    /// Rows carrying `fault` (two rows for `PossibleDuplicate`). `DuplicateCaseNo` copies an
    /// existing clean row of `rows`. Returns an empty vector when the policy makes the fault
    /// impossible (no rate-less combination for `NoRate`).
    fn fault_rows(&mut self, fault: Fault, rows: &[Row]) -> Vec<Row> {
        let vocab = self.county.vocab;
        let year = self.period.year;
        let mut r = match fault {
            Fault::LowercaseX | Fault::IdAsNumber => {
                let want_x = fault == Fault::LowercaseX;
                let candidates: Vec<usize> = self
                    .county
                    .mediators
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.id.ends_with('X') == want_x)
                    .map(|(i, _)| i)
                    .collect();
                if candidates.is_empty() {
                    return Vec::new();
                }
                let m = *pick(&mut self.rng, &candidates);
                self.clean_row(Some(m), false)
            }
            Fault::DuplicateCaseNo => {
                let sources: Vec<&Row> = rows
                    .iter()
                    .filter(|r| r.fault.is_none() && r.needs_number)
                    .collect();
                let mut copy = if sources.is_empty() {
                    return Vec::new();
                } else {
                    (*pick(&mut self.rng, &sources)).clone()
                };
                copy.dup_of = Some(copy.order);
                copy.order += 1;
                copy.needs_number = false;
                copy
            }
            _ => self.clean_row(None, false),
        };
        r.fault = Some(fault);
        match fault {
            Fault::MissingMediator => r.mediator_name.clear(),
            Fault::MissingCaseNo => {} // blanked after numbering
            Fault::MissingEndDate => r.concluded_cell = DateCell::Blank,
            Fault::NotSuccessful => {
                r.result = "不成功";
                r.note = "双方未达成协议".to_string();
            }
            Fault::DossierNonstandard => {
                r.dossier = vocab.dossier_bad;
                r.note = "卷宗材料不齐全".to_string();
            }
            Fault::StationRejected => {
                r.station_review = vocab.station_bad;
                r.county_review = vocab.county_bad;
                r.note = "缺调解协议书".to_string();
            }
            Fault::CountyRejected => {
                r.county_review = vocab.county_bad;
                r.note = "调解员非本委员会成员".to_string();
            }
            Fault::EndPrevYear => {
                let fallback = self.period.start - Duration::days(20);
                let d = ymd_or(year - 1, 12, self.rng.random_range(5..=28), fallback);
                r.accepted = d - Duration::days(self.rng.random_range(3..=20));
                r.accepted_cell = self.date_cell(r.accepted);
                r.concluded_cell = self.date_cell(d);
                r.concluded = self.period.start;
            }
            Fault::EndAfterPeriod => {
                let d = if self.period.half == 1 {
                    let a = self.period.end + Duration::days(15);
                    let b = ymd_or(year, 11, 30, a);
                    random_day(&mut self.rng, a, b)
                } else {
                    ymd_or(year + 1, 1, self.rng.random_range(3..=20), self.period.end)
                };
                r.concluded_cell = self.date_cell(d);
                r.concluded = self.last_day;
            }
            Fault::EndFuture => {
                // The year typed wrong: next year, same month and day.
                let d = r
                    .concluded
                    .with_year(year + 1)
                    .unwrap_or_else(|| ymd_or(year + 1, 3, 1, self.period.end));
                r.concluded_cell = self.date_cell(d);
            }
            Fault::BadDateText => {
                let d = r.concluded;
                let text = if self.rng.random_bool(0.5) {
                    format!("{}年13月{}日", d.year(), d.day())
                } else {
                    format!(
                        "{}月{}日",
                        chinese_number(d.month()),
                        chinese_number(d.day())
                    )
                };
                r.concluded_cell = DateCell::Text(text);
            }
            Fault::BadIdCheck => {
                let id = &self.county.mediators[r.mediator].id;
                let first17: String = id.chars().take(17).collect();
                let good = id_check_char(&first17);
                let bad = ['3', '7', '1', '5']
                    .into_iter()
                    .find(|c| *c != good)
                    .unwrap_or('0');
                r.id_cell = IdCell::Text(format!("{first17}{bad}"));
            }
            Fault::IdAsNumber => {
                let id = &self.county.mediators[r.mediator].id;
                r.id_cell = IdCell::Number(id.parse().unwrap_or(0));
            }
            Fault::NoRate => {
                let combo = [Level::Complex, Level::Major, Level::Ordinary, Level::Simple]
                    .into_iter()
                    .flat_map(|l| [(l, Form::Oral), (l, Form::Written)])
                    .find(|(l, f)| self.policy.rate(*l, *f).is_none());
                let Some((level, form)) = combo else {
                    return Vec::new();
                };
                r.level = Some(level);
                r.level_label = self.level_label(level);
                r.form = form;
                let guess = self.policy.rate(level, Form::Written);
                r.amount = self.amount_cell(guess);
            }
            Fault::UnknownLevel => {
                r.level = None;
                r.level_label = "特别复杂";
            }
            Fault::DuplicateCaseNo => r.note = String::new(),
            Fault::AmountDiffers => {
                let std = r.standard.unwrap_or(Decimal::ONE_HUNDRED);
                let claimed = if self.rng.random_bool(0.5) {
                    std * Decimal::TWO
                } else {
                    std + Decimal::from(50)
                };
                r.amount = self.amount_cell(Some(claimed));
            }
            Fault::MissingAccount => r.account.clear(),
            Fault::FullWidthId => {
                r.id_cell = IdCell::Text(full_width(&self.county.mediators[r.mediator].id))
            }
            Fault::LowercaseX => {
                r.id_cell = IdCell::Text(self.county.mediators[r.mediator].id.to_lowercase())
            }
            Fault::PossibleDuplicate | Fault::Reclaim | Fault::LateClaim => {}
        }
        self.finish(&mut r);
        if fault == Fault::PossibleDuplicate {
            // Same mediator, committee, type and date; another case number.
            let mut twin = r.clone();
            twin.order = self.order();
            let lead = self.rng.random_range(1..=10);
            twin.accepted = twin.concluded - Duration::days(lead);
            twin.accepted_cell = self.date_cell(twin.accepted);
            return vec![r, twin];
        }
        vec![r]
    }

    /// Recomputes the standard rate and eligibility after a fault was applied.
    fn finish(&self, r: &mut Row) {
        r.standard = r.level.and_then(|l| self.policy.rate(l, r.form));
        r.eligible = r.fault.is_none_or(Fault::still_eligible) && r.standard.is_some();
    }
}

fn format_case_no(county: &CountyModel, station: &Station, year: i32, n: u32) -> (String, String) {
    match county.case_style {
        0 => {
            let c = county.display.chars().next().unwrap_or('调');
            (
                station.base.clone(),
                format!("{c}调〔{year}〕{}第{n:04}号", station.base),
            )
        }
        1 => (String::new(), format!("{}-{year}-{n:04}", county.abbr)),
        _ => (
            station.base.clone(),
            format!("（{year}）{}调字第{n:03}号", station.base),
        ),
    }
}

fn filing_date(rng: &mut ChaCha8Rng, year: i32, quarter: u8, fallback: NaiveDate) -> NaiveDate {
    let month = u32::from(quarter) * 3;
    ymd_or(year, month, rng.random_range(24..=28), fallback)
}

fn gen_half(
    policy: &Policy,
    county: &CountyModel,
    opts: &SampleOptions,
    period: &Period,
    prev: Option<&HalfPlan>,
    over_cap: bool,
) -> HalfPlan {
    let n_policy = policy.counties.len().min(opts.counties);
    let mut rng = rng_for(opts.seed, county.index, u64::from(period.half));
    let q1 = period.half * 2 - 1;
    let files: Vec<FileSpec> = if county.quarterly {
        vec![
            FileSpec {
                quarter: Some(q1),
                filed: filing_date(&mut rng, period.year, q1, period.end),
            },
            FileSpec {
                quarter: Some(q1 + 1),
                filed: filing_date(&mut rng, period.year, q1 + 1, period.end),
            },
        ]
    } else {
        vec![FileSpec {
            quarter: None,
            filed: filing_date(&mut rng, period.year, q1 + 1, period.end),
        }]
    };
    let last_day = files
        .last()
        .map(|f| f.filed - Duration::days(1))
        .unwrap_or(period.end);

    let mut keys = BTreeSet::new();
    if let Some(p) = prev {
        for r in p.rows.iter().chain(&p.withheld) {
            keys.insert((r.mediator, r.dispute, r.concluded));
        }
    }
    let mut g = Gen {
        policy,
        county,
        period,
        rng,
        keys,
        next_order: u64::from(period.half) << 32,
        last_day,
    };

    let n = row_count(opts, period.half, over_cap);
    let heavy = over_cap && period.half == 2;
    let mandatory = mandatory_faults(period.half, county.index, n_policy);
    let fault_target = mandatory.len().max((n * 13 + 50) / 100);
    let carried = match prev {
        Some(p) => two_percent(n).min(p.rows.len()) + p.withheld.len(),
        None => 0,
    };
    let clean = n.saturating_sub(fault_target + carried);

    let mut rows: Vec<Row> = (0..clean).map(|_| g.clean_row(None, heavy)).collect();
    let mut faults = mandatory;
    while faults.len() < fault_target {
        let f = *pick(&mut g.rng, &INJECTED);
        faults.push(f);
    }
    for f in faults {
        if f == Fault::DuplicateCaseNo && rows.iter().all(|r| r.fault.is_some()) {
            let r = g.clean_row(None, heavy);
            rows.push(r);
        }
        let new = g.fault_rows(f, &rows);
        rows.extend(new);
    }

    // H2: re-claims of cases paid in H1 and late claims of H1 cases never claimed.
    if let Some(p) = prev {
        let paid: Vec<&Row> = p
            .rows
            .iter()
            .filter(|r| r.fault.is_none() && r.eligible)
            .collect();
        let mut picked = BTreeSet::new();
        for _ in 0..two_percent(n).min(paid.len()) {
            let mut k = g.rng.random_range(0..paid.len());
            while picked.contains(&k) {
                k = (k + 1) % paid.len();
            }
            picked.insert(k);
        }
        for k in picked {
            let mut r = paid[k].clone();
            r.fault = Some(Fault::Reclaim);
            r.eligible = false;
            r.order = g.order();
            rows.push(r);
        }
        for w in &p.withheld {
            let mut r = w.clone();
            r.fault = Some(Fault::LateClaim);
            r.eligible = r.standard.is_some();
            r.order = g.order();
            rows.push(r);
        }
    }

    // The over-cap county: enough eligible demand in H2 alone to exceed its cap.
    if heavy && let Some(cap) = county.cap {
        let target = cap * Decimal::new(115, 2);
        let mut demand: Decimal = rows
            .iter()
            .filter(|r| r.eligible)
            .filter_map(|r| r.standard)
            .sum();
        let mut guard = 0;
        while demand <= target && guard < 20_000 {
            let r = g.clean_row(None, true);
            if r.eligible {
                demand += r.standard.unwrap_or_default();
            }
            rows.push(r);
            guard += 1;
        }
    }

    // H1: valid cases concluded this half but not claimed; they return in H2 as late claims.
    let mut withheld = Vec::new();
    if period.half == 1 {
        let later = row_count(
            opts,
            2,
            over_cap_county(policy, n_policy) == Some(county.index),
        );
        for _ in 0..two_percent(later) {
            withheld.push(g.clean_row(None, false));
        }
    }

    // Case numbers in order of 受理日期, per 司法所 or per county depending on the style.
    let mut counters = prev.map(|p| p.counters.clone()).unwrap_or_default();
    let mut need: Vec<(NaiveDate, u64, bool, usize)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.needs_number)
        .map(|(i, r)| (r.accepted, r.order, false, i))
        .chain(
            withheld
                .iter()
                .enumerate()
                .map(|(i, r)| (r.accepted, r.order, true, i)),
        )
        .collect();
    need.sort();
    for (_, _, is_withheld, i) in need {
        let r = if is_withheld {
            &mut withheld[i]
        } else {
            &mut rows[i]
        };
        let station = &county.stations[r.station];
        let (key, _) = format_case_no(county, station, period.year, 0);
        let c = counters.entry(key).or_insert(0);
        *c += 1;
        r.case_no = format_case_no(county, station, period.year, *c).1;
        r.needs_number = false;
    }
    let by_order: BTreeMap<u64, String> =
        rows.iter().map(|r| (r.order, r.case_no.clone())).collect();
    for r in &mut rows {
        if let Some(src) = r.dup_of
            && let Some(no) = by_order.get(&src)
        {
            r.case_no = no.clone();
        }
        if r.fault == Some(Fault::MissingCaseNo) {
            r.case_no.clear();
        }
    }

    HalfPlan {
        rows,
        withheld,
        files,
        counters,
    }
}

struct PeriodModel {
    period: Period,
    counties: Vec<(CountyModel, HalfPlan)>,
}

fn build_model(policy: &Policy, half: u8, opts: &SampleOptions) -> Result<PeriodModel, String> {
    let period_now = period(policy, half)?;
    let n_policy = policy.counties.len().min(opts.counties);
    let over = over_cap_county(policy, n_policy);
    let mut counties = Vec::with_capacity(opts.counties);
    for index in 0..opts.counties {
        let county = county_model(policy, index, opts);
        let is_over = over == Some(index);
        let plan = if half == 2 {
            let p1 = period(policy, 1)?;
            let h1 = gen_half(policy, &county, opts, &p1, None, is_over);
            gen_half(policy, &county, opts, &period_now, Some(&h1), is_over)
        } else {
            gen_half(policy, &county, opts, &period_now, None, is_over)
        };
        counties.push((county, plan));
    }
    Ok(PeriodModel {
        period: period_now,
        counties,
    })
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Seq,
    County,
    Station,
    Committee,
    CaseNo,
    Dispute,
    Level,
    Accepted,
    Concluded,
    Result,
    Form,
    Dossier,
    Mediator,
    Id,
    Bank,
    Account,
    Amount,
    StationReview,
    CountyReview,
    Note,
    Phone,
}

fn columns(shape: Shape) -> Vec<(Col, &'static str)> {
    use Col::*;
    match shape {
        Shape::A => vec![
            (Seq, "序号"),
            (County, "县（市、区）"),
            (Station, "司法所"),
            (Committee, "人民调解委员会"),
            (CaseNo, "案件编号"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Accepted, "受理日期"),
            (Concluded, "结案日期"),
            (Result, "调解结果"),
            (Form, "协议形式"),
            (Dossier, "卷宗规范"),
            (Mediator, "调解员"),
            (Id, "身份证\n号码"),
            (Bank, "开户银行"),
            (Account, "银行账号"),
            (Amount, "申报金额"),
            (StationReview, "司法所初审"),
            (CountyReview, "县级审核"),
            (Note, "备注"),
        ],
        Shape::B => vec![
            (Seq, "序号"),
            (Station, "司法所"),
            (Committee, "调委会"),
            (CaseNo, "卷宗编号"),
            (Mediator, "调解员"),
            (Id, "身份证号"),
            (Phone, "联系电话"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Form, "协议形式"),
            (Result, "调解结果"),
            (Accepted, "受理日期"),
            (Concluded, "调结日期"),
            (Dossier, "卷宗规范"),
            (Amount, "申报金额"),
            (Bank, "开户行"),
            (Account, "账号"),
            (StationReview, "司法所初审"),
            (CountyReview, "县级审核"),
            (Note, "备注"),
        ],
        Shape::C => vec![
            (Seq, "序号"),
            (County, "县（市、区）"),
            (Station, "司法所"),
            (Committee, "人民调解委员会"),
            (Mediator, "调解员"),
            (Id, "身份证\n号码"),
            (CaseNo, "案件编号"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Form, "协议形式"),
            (Accepted, "受理日期"),
            (Concluded, "结案日期"),
            (Result, "调解结果"),
            (Dossier, "卷宗规范"),
            (Amount, "申报金额"),
            (Bank, "开户银行"),
            (Account, "银行账号"),
            (StationReview, "司法所初审"),
            (CountyReview, "县级审核"),
            (Note, "备注"),
        ],
        Shape::D => vec![
            (Seq, "序号"),
            (County, "县（市、区）"),
            (Station, "司法所"),
            (Committee, "人民调解委员会"),
            (CaseNo, "案件编号"),
            (Dispute, "纠纷类型"),
            (Level, "纠纷等级"),
            (Form, "协议形式"),
            (Accepted, "受理日期"),
            (Concluded, "结案日期"),
            (Result, "调解结果"),
            (Dossier, "卷宗规范"),
            (Mediator, "调解员"),
            (Id, "身份证号码"),
            (Bank, "开户银行"),
            (Account, "银行账号"),
            (Amount, "申报金额"),
            (StationReview, "司法所初审意见"),
            (CountyReview, "县级审核意见"),
            (Note, "备注"),
        ],
    }
}

/// Display width of a text in Excel character units (CJK counts double).
fn text_width(s: &str) -> f64 {
    s.lines()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 1.8 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

struct Formats {
    title: Format,
    info: Format,
    info_right: Format,
    header: Format,
    center: Format,
    left: Format,
    text: Format,
    date: Format,
    amount: Format,
    amount_text: Format,
    id_number: Format,
    total_label: Format,
    total_amount: Format,
    notes: Format,
    signoff: Format,
}

const FONT: &str = "宋体";

fn formats(county: &CountyModel) -> Formats {
    let base = Format::new().set_font_name(FONT).set_font_size(10);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let mut header = cell
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    if matches!(county.shape, Shape::B | Shape::D) {
        header = header.set_background_color(0xD9D9D9);
    }
    Formats {
        title: Format::new()
            .set_font_name("黑体")
            .set_font_size(16)
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        info: base.clone().set_align(FormatAlign::VerticalCenter),
        info_right: base
            .clone()
            .set_align(FormatAlign::Right)
            .set_align(FormatAlign::VerticalCenter),
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
            .set_num_format(county.date_format),
        amount: cell.clone().set_num_format("#,##0.00"),
        amount_text: cell.clone().set_align(FormatAlign::Right),
        id_number: cell
            .clone()
            .set_align(FormatAlign::Center)
            .set_num_format("0"),
        total_label: cell.clone().set_bold().set_align(FormatAlign::Center),
        total_amount: cell.clone().set_bold().set_num_format("#,##0.00"),
        notes: base
            .clone()
            .set_text_wrap()
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::Top),
        signoff: base.set_align(FormatAlign::Left),
    }
}

struct SheetCtx<'a> {
    county: &'a CountyModel,
    period: &'a Period,
    file: FileSpec,
    file_name: &'a str,
    /// Set for shape D: the 司法所 this sheet belongs to.
    station: Option<usize>,
}

fn period_label(period: &Period, file: FileSpec) -> String {
    match file.quarter {
        Some(q) => format!("{}年第{q}季度", period.year),
        None if period.half == 1 => format!("{}年上半年", period.year),
        None => format!("{}年下半年", period.year),
    }
}

fn date_value(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let y = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8)
}

fn write_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &DateCell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        DateCell::Date(d) => {
            ws.write_date_with_format(row, col, &date_value(*d)?, &f.date)?;
        }
        DateCell::Text(t) => {
            ws.write_string_with_format(row, col, t, &f.center)?;
        }
        DateCell::Blank => {
            ws.write_blank(row, col, &f.center)?;
        }
    }
    Ok(())
}

fn write_str_or_blank(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    fmt: &Format,
) -> Result<(), XlsxError> {
    if s.is_empty() {
        ws.write_blank(row, col, fmt)?;
    } else {
        ws.write_string_with_format(row, col, s, fmt)?;
    }
    Ok(())
}

/// Writes one claim sheet: title, 填报单位 line, header, data, 合计, notes and sign-off.
fn write_claim_sheet(
    ws: &mut Worksheet,
    ctx: &SheetCtx,
    rows: &[&Row],
    f: &Formats,
    plan: &mut Vec<SampleRow>,
) -> Result<(), XlsxError> {
    let county = ctx.county;
    let shape = county.shape;
    let cols = columns(shape);
    let last_col = (cols.len() - 1) as u16;
    let col_of = |c: Col| cols.iter().position(|(k, _)| *k == c).map(|p| p as u16);
    let label = period_label(ctx.period, ctx.file);
    let sheet_name = ws.name();

    // Title and 填报单位 line.
    let station_name = ctx.station.map(|s| county.stations[s].name.as_str());
    let title = format!(
        "{}{}{label}人民调解“一案一补”个案补贴申报表",
        county.display,
        station_name.unwrap_or("")
    );
    ws.merge_range(0, 0, 0, last_col, &title, &f.title)?;
    ws.set_row_height(0, 30)?;
    let unit = format!("{}司法局{}", county.display, station_name.unwrap_or(""));
    let filed = cn_date(ctx.file.filed);
    if shape == Shape::C {
        let split = last_col / 2;
        ws.merge_range(
            1,
            0,
            1,
            split,
            &format!("填报单位：{unit}（盖章）"),
            &f.info,
        )?;
        ws.merge_range(
            1,
            split + 1,
            1,
            last_col,
            &format!("填报日期：{filed}        单位：元"),
            &f.info_right,
        )?;
    } else {
        ws.merge_range(
            1,
            0,
            1,
            last_col,
            &format!("填报单位：{unit}        填报日期：{filed}"),
            &f.info,
        )?;
    }
    ws.set_row_height(1, 20)?;

    // Header (two rows for shape C).
    let header_rows: u32 = if shape == Shape::C { 2 } else { 1 };
    let h = 2u32;
    for (i, (c, name)) in cols.iter().enumerate() {
        let i = i as u16;
        if shape == Shape::C {
            if matches!(c, Col::StationReview | Col::CountyReview) {
                ws.write_string_with_format(h + 1, i, *name, &f.header)?;
            } else {
                ws.merge_range(h, i, h + 1, i, name, &f.header)?;
            }
        } else {
            ws.write_string_with_format(h, i, *name, &f.header)?;
        }
    }
    if shape == Shape::C
        && let (Some(a), Some(b)) = (col_of(Col::StationReview), col_of(Col::CountyReview))
    {
        ws.merge_range(h, a.min(b), h, a.max(b), "审核意见", &f.header)?;
    }
    if shape == Shape::C {
        ws.set_row_height(h, 20)?;
        ws.set_row_height(h + 1, 20)?;
    } else {
        ws.set_row_height(h, 30)?;
    }
    let first = h + header_rows;

    // Data rows.
    let mut numeric_sum = Decimal::ZERO;
    for (k, r) in rows.iter().enumerate() {
        let row = first + k as u32;
        for (i, (c, _)) in cols.iter().enumerate() {
            let col = i as u16;
            match c {
                Col::Seq => {
                    ws.write_number_with_format(row, col, (k + 1) as f64, &f.center)?;
                }
                Col::County => {
                    if shape == Shape::A {
                        ws.write_string_with_format(row, col, &county.display, &f.center)?;
                    } // C and D: merged below
                }
                Col::Station => {} // merged below
                Col::Committee => {
                    ws.write_string_with_format(
                        row,
                        col,
                        &county.committees[r.committee].name,
                        &f.left,
                    )?;
                }
                Col::CaseNo => write_str_or_blank(ws, row, col, &r.case_no, &f.center)?,
                Col::Dispute => {
                    ws.write_string_with_format(row, col, r.dispute, &f.center)?;
                }
                Col::Level => {
                    ws.write_string_with_format(row, col, r.level_label, &f.center)?;
                }
                Col::Accepted => write_date(ws, row, col, &r.accepted_cell, f)?,
                Col::Concluded => write_date(ws, row, col, &r.concluded_cell, f)?,
                Col::Result => {
                    ws.write_string_with_format(row, col, r.result, &f.center)?;
                }
                Col::Form => {
                    let label = match r.form {
                        Form::Written => county.vocab.written,
                        Form::Oral => county.vocab.oral,
                    };
                    ws.write_string_with_format(row, col, label, &f.center)?;
                }
                Col::Dossier => {
                    ws.write_string_with_format(row, col, r.dossier, &f.center)?;
                }
                Col::Mediator => write_str_or_blank(ws, row, col, &r.mediator_name, &f.center)?,
                Col::Id => match &r.id_cell {
                    IdCell::Text(s) => {
                        ws.write_string_with_format(row, col, s, &f.text)?;
                    }
                    IdCell::Number(n) => {
                        // What Excel does to an ID typed into a General cell.
                        ws.write_number_with_format(row, col, *n as f64, &f.id_number)?;
                    }
                },
                Col::Bank => write_str_or_blank(ws, row, col, &r.bank, &f.left)?,
                Col::Account => write_str_or_blank(ws, row, col, &r.account, &f.text)?,
                Col::Amount => match &r.amount {
                    AmountCell::Number(d) => {
                        numeric_sum += *d;
                        ws.write_with_format(row, col, *d, &f.amount)?;
                    }
                    AmountCell::Text(t) => {
                        ws.write_string_with_format(row, col, t, &f.amount_text)?;
                    }
                    AmountCell::Blank => {
                        ws.write_blank(row, col, &f.amount)?;
                    }
                },
                Col::StationReview => {
                    ws.write_string_with_format(row, col, r.station_review, &f.center)?;
                }
                Col::CountyReview => {
                    ws.write_string_with_format(row, col, r.county_review, &f.center)?;
                }
                Col::Note => write_str_or_blank(ws, row, col, &r.note, &f.left)?,
                Col::Phone => {
                    let phone = &county.mediators[r.mediator].phone;
                    ws.write_string_with_format(row, col, phone, &f.text)?;
                }
            }
        }
        plan.push(SampleRow {
            file: ctx.file_name.to_string(),
            sheet: sheet_name.clone(),
            row: row + 1,
            county: county.display.clone(),
            county_code: county.code.clone(),
            case_id: r.case_no.clone(),
            fault: r.fault.map(Fault::slug),
            expected_code: r.fault.and_then(Fault::expected_code),
            eligible: r.eligible,
            standard_amount: r.standard,
        });
    }
    let n = rows.len() as u32;
    let last = first + n.max(1) - 1;

    // Merged 司法所 groups (and the county column in shapes C and D).
    if let Some(sc) = col_of(Col::Station) {
        let mut k = 0usize;
        while k < rows.len() {
            let s = rows[k].station;
            let mut e = k;
            while e + 1 < rows.len() && rows[e + 1].station == s {
                e += 1;
            }
            let (r0, r1) = (first + k as u32, first + e as u32);
            let name = &county.stations[s].name;
            if r1 > r0 {
                ws.merge_range(r0, sc, r1, sc, name, &f.center)?;
            } else {
                ws.write_string_with_format(r0, sc, name, &f.center)?;
            }
            k = e + 1;
        }
    }
    if matches!(shape, Shape::C | Shape::D)
        && let Some(cc) = col_of(Col::County)
        && n > 0
    {
        if n > 1 {
            ws.merge_range(first, cc, last, cc, &county.display, &f.center)?;
        } else {
            ws.write_string_with_format(first, cc, &county.display, &f.center)?;
        }
    }

    // 合计 row.
    let mut t = first + n;
    if shape == Shape::B {
        t += 1; // a blank line before the total, as some counties leave
    }
    ws.merge_range(t, 0, t, 1, "合计", &f.total_label)?;
    for c in 2..=last_col {
        ws.write_blank(t, c, &f.total_label)?;
    }
    ws.write_string_with_format(t, 2, format!("共{n}件"), &f.total_label)?;
    if let Some(ac) = col_of(Col::Amount) {
        if n > 0 {
            let range = cell_range(first, ac, last, ac);
            let formula =
                Formula::new(format!("=SUM({range})")).set_result(crate::money::plain(numeric_sum));
            ws.write_formula_with_format(t, ac, formula, &f.total_amount)?;
        } else {
            ws.write_with_format(t, ac, Decimal::ZERO, &f.total_amount)?;
        }
    }
    ws.set_row_height(t, 20)?;

    // 填表说明 and sign-off lines.
    let notes = "填表说明：1. 本表由人民调解委员会填写，经司法所初审、县（市、区）司法局审核后报市司法局；\
                 2. 案件编号须与卷宗编号一致，一案一补，不得重复申报；3. 身份证号码、银行账号请设置为文本格式，\
                 补贴发放至调解员本人账户（谁调解，补谁）；4. 纠纷等级分为简易、一般、疑难复杂、重大，\
                 补贴标准按《玉溪市人民调解“一案一补”实施办法》执行。";
    let nr = t + 1;
    ws.merge_range(nr, 0, nr, last_col, notes, &f.notes)?;
    ws.set_row_height(nr, 42)?;
    let sr = nr + 1;
    let [maker, checker, head] = &county.clerks;
    if shape == Shape::B {
        let split = last_col / 2;
        ws.merge_range(
            sr,
            0,
            sr,
            split,
            &format!("制表人：{maker}          审核人：{checker}"),
            &f.signoff,
        )?;
        ws.merge_range(
            sr,
            split + 1,
            sr,
            last_col,
            &format!("负责人：{head}"),
            &f.signoff,
        )?;
    } else {
        ws.merge_range(
            sr,
            0,
            sr,
            last_col,
            &format!("制表人：{maker}            审核人：{checker}            负责人：{head}"),
            &f.signoff,
        )?;
    }
    ws.set_row_height(sr, 24)?;

    // Column widths from the content, like a clerk dragging the borders.
    for (i, (c, name)) in cols.iter().enumerate() {
        let mut w = text_width(name) + 1.0;
        let content = |r: &Row| -> f64 {
            match c {
                Col::Seq => 4.0,
                Col::County => text_width(&county.display),
                Col::Station => text_width(&county.stations[r.station].name),
                Col::Committee => text_width(&county.committees[r.committee].name),
                Col::CaseNo => text_width(&r.case_no),
                Col::Dispute | Col::Level | Col::Result | Col::Form | Col::Dossier => 8.5,
                Col::StationReview | Col::CountyReview => 6.5,
                Col::Accepted | Col::Concluded => 11.5,
                Col::Mediator => text_width(&r.mediator_name),
                Col::Id => 19.0,
                Col::Bank => text_width(&r.bank),
                Col::Account => 20.0,
                Col::Amount => 9.5,
                Col::Note => text_width(&r.note).min(24.0),
                Col::Phone => 12.5,
            }
        };
        for r in rows {
            w = w.max(content(r) + 1.0);
        }
        ws.set_column_width(i as u16, w.clamp(5.0, 40.0))?;
    }

    // Print setup: A4 landscape, one page wide, header rows repeated, page numbers.
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(h, first - 1)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    if matches!(shape, Shape::A | Shape::D) {
        ws.set_freeze_panes(first, 0)?;
    }
    Ok(())
}

fn dropdown_lists(county: &CountyModel) -> Vec<(&'static str, Vec<&'static str>)> {
    let v = county.vocab;
    vec![
        ("纠纷类型", DISPUTES.iter().map(|(d, _)| *d).collect()),
        ("纠纷等级", vec!["简易", "一般", v.complex, "重大"]),
        ("协议形式", vec![v.written, v.oral]),
        ("调解结果", vec![v.success, "不成功"]),
        ("卷宗规范", vec![v.dossier_ok, v.dossier_bad]),
        ("初审意见", vec![v.station_ok, v.station_bad]),
        ("审核意见", vec![v.county_ok, v.county_bad]),
    ]
}

/// Shape D extras: dropdowns on the coded columns pointing at the hidden 下拉选项 sheet.
fn add_dropdowns(ws: &mut Worksheet, county: &CountyModel, first: u32) -> Result<(), XlsxError> {
    let cols = columns(county.shape);
    let lists = dropdown_lists(county);
    let targets = [
        (Col::Dispute, 0usize),
        (Col::Level, 1),
        (Col::Form, 2),
        (Col::Result, 3),
        (Col::Dossier, 4),
        (Col::StationReview, 5),
        (Col::CountyReview, 6),
    ];
    for (c, li) in targets {
        let Some(pos) = cols.iter().position(|(k, _)| *k == c) else {
            continue;
        };
        let n = lists[li].1.len() as u32;
        let letter = rust_xlsxwriter::column_number_to_name(li as u16);
        let dv = DataValidation::new()
            .allow_list_formula(Formula::new(format!(
                "=下拉选项!${letter}$2:${letter}${}",
                n + 1
            )))
            .ignore_blank(true);
        ws.add_data_validation(first, pos as u16, first + 499, pos as u16, &dv)?;
    }
    Ok(())
}

fn instructions_sheet(wb: &mut Workbook, county: &CountyModel) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("填表说明")?;
    let title = Format::new().set_font_name("黑体").set_font_size(14);
    let body = Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    ws.set_column_width(0, 100)?;
    ws.write_string_with_format(0, 0, "填表说明", &title)?;
    let lines = [
        "一、本表按司法所分别填写，每个司法所一个工作表，由人民调解委员会填写，司法所初审后报县（市、区）司法局审核。",
        "二、“一案一补”对象为调解成功、卷宗规范的人民调解案件，补贴发放给主办调解员本人（谁调解，补谁）。",
        "三、案件编号与卷宗编号一致，同一案件不得重复申报；已获补贴的案件不得再次申报。",
        "四、纠纷等级、协议形式、调解结果、卷宗规范、审核意见请从下拉列表中选择。",
        "五、身份证号码须为 18 位，银行账号须为调解员本人账户，均按文本格式填写。",
        "六、结案日期为调解协议签订或调解终结之日，须在本申报期间内。",
    ];
    for (i, l) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32 + 2, 0, *l, &body)?;
        ws.set_row_height(i as u32 + 2, 30)?;
    }
    ws.write_string_with_format(
        lines.len() as u32 + 3,
        0,
        format!("{}司法局", county.display),
        &body,
    )?;
    Ok(())
}

fn helper_sheet(wb: &mut Workbook, county: &CountyModel) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("下拉选项")?;
    for (i, (name, items)) in dropdown_lists(county).iter().enumerate() {
        let c = i as u16;
        ws.write_string(0, c, *name)?;
        for (k, item) in items.iter().enumerate() {
            ws.write_string(k as u32 + 1, c, *item)?;
        }
        ws.set_column_width(c, 12)?;
    }
    ws.set_hidden(true);
    Ok(())
}

fn file_name(county: &CountyModel, period: &Period, file: FileSpec) -> String {
    format!(
        "{}_人民调解个案补贴申报表_{}.xlsx",
        county.display,
        period_label(period, file)
    )
}

fn render_workbook(
    county: &CountyModel,
    period: &Period,
    file: FileSpec,
    name: &str,
    rows: &[&Row],
    plan: &mut Vec<SampleRow>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = date_value(file.filed)?.and_hms(9, 30, 0)?;
    let props = DocProperties::new()
        .set_title(format!(
            "{}{}人民调解个案补贴申报表",
            county.display,
            period_label(period, file)
        ))
        .set_author(format!("{}司法局", county.display))
        .set_company(format!("{}司法局", county.display))
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    let f = formats(county);
    let ctx = |station| SheetCtx {
        county,
        period,
        file,
        file_name: name,
        station,
    };
    match county.shape {
        Shape::D => {
            let mut any = false;
            for s in 0..county.stations.len() {
                let these: Vec<&Row> = rows.iter().copied().filter(|r| r.station == s).collect();
                if these.is_empty() && (any || s + 1 < county.stations.len()) {
                    continue;
                }
                any = true;
                let ws = wb.add_worksheet();
                ws.set_name(&county.stations[s].name)?;
                write_claim_sheet(ws, &ctx(Some(s)), &these, &f, plan)?;
                add_dropdowns(ws, county, 3)?;
            }
            instructions_sheet(&mut wb, county)?;
            helper_sheet(&mut wb, county)?;
        }
        Shape::A | Shape::B | Shape::C => {
            let ws = wb.add_worksheet();
            let sheet = match county.shape {
                Shape::A => "申报表".to_string(),
                Shape::B => "Sheet1".to_string(),
                _ => period_label(period, file),
            };
            ws.set_name(sheet)?;
            write_claim_sheet(ws, &ctx(None), rows, &f, plan)?;
            if county.shape == Shape::B {
                // The empty default sheets Excel leaves behind.
                wb.add_worksheet().set_name("Sheet2")?;
                wb.add_worksheet().set_name("Sheet3")?;
            }
        }
    }
    wb.save_to_buffer()
}

type Rendered = (Vec<(String, Vec<u8>)>, Vec<SampleRow>);

fn render_period(policy: &Policy, half: u8, opts: &SampleOptions) -> Result<Rendered, String> {
    let model = build_model(policy, half, opts)?;
    let mut files = Vec::new();
    let mut plan = Vec::new();
    for (county, hp) in &model.counties {
        // Rows go to the workbook whose 填报日期 follows their 结案日期.
        let mut per_file: Vec<Vec<&Row>> = vec![Vec::new(); hp.files.len()];
        for r in &hp.rows {
            let k = hp
                .files
                .iter()
                .position(|f| r.concluded < f.filed)
                .unwrap_or(hp.files.len() - 1);
            per_file[k].push(r);
        }
        let only_one = per_file.iter().filter(|v| !v.is_empty()).count() <= 1;
        for (k, mut rows) in per_file.into_iter().enumerate() {
            if rows.is_empty() && !(only_one && k == 0) {
                continue;
            }
            rows.sort_by_key(|r| (r.station, r.concluded, r.order));
            let spec = hp.files[k];
            let name = file_name(county, &model.period, spec);
            let bytes = render_workbook(county, &model.period, spec, &name, &rows, &mut plan)
                .map_err(|e| format!("生成示例工作簿 {name} 失败：{e}"))?;
            files.push((name, bytes));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut order: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (n, _)) in files.iter().enumerate() {
        order.insert(n.as_str(), i);
    }
    plan.sort_by(|a, b| {
        let fa = order.get(a.file.as_str());
        let fb = order.get(b.file.as_str());
        fa.cmp(&fb)
    });
    Ok((files, plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> SampleOptions {
        SampleOptions {
            counties: 11,
            rows: 60,
            seed: 7,
        }
    }

    #[test]
    fn samples_are_byte_identical_for_the_same_seed() {
        let policy = Policy::default_policy().unwrap();
        for half in [1u8, 2] {
            let a = tempfile::tempdir().unwrap();
            let b = tempfile::tempdir().unwrap();
            let fa = write_claim_samples(&policy, half, a.path(), &opts()).unwrap();
            let fb = write_claim_samples(&policy, half, b.path(), &opts()).unwrap();
            assert_eq!(fa.len(), fb.len());
            assert!(!fa.is_empty());
            for (x, y) in fa.iter().zip(&fb) {
                assert_eq!(x.file_name(), y.file_name());
                assert_eq!(
                    std::fs::read(x).unwrap(),
                    std::fs::read(y).unwrap(),
                    "{x:?}"
                );
            }
            let other = SampleOptions { seed: 8, ..opts() };
            let c = tempfile::tempdir().unwrap();
            let fc = write_claim_samples(&policy, half, c.path(), &other).unwrap();
            let differs = fa
                .iter()
                .zip(&fc)
                .any(|(x, y)| std::fs::read(x).unwrap() != std::fs::read(y).unwrap());
            assert!(differs, "another seed gives other files");
        }
    }

    #[test]
    fn samples_give_every_policy_county_a_file_and_synthetic_ones_too() {
        let policy = Policy::default_policy().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = write_claim_samples(&policy, 1, dir.path(), &opts()).unwrap();
        let names: Vec<String> = files
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        for c in &policy.counties {
            let found = names.iter().any(|n| {
                let county = n.split('_').next().unwrap_or("");
                policy.registry.resolve(county) == Some(&c.code)
            });
            assert!(found, "{} has no file in {names:?}", c.name);
        }
        assert!(
            names.iter().any(|n| n.starts_with("测试县010_")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.starts_with("测试县011_")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.starts_with("江川县_")),
            "alias used: {names:?}"
        );
        assert!(names.iter().any(|n| n.contains("第1季度")), "{names:?}");
        assert!(names.iter().any(|n| n.contains("上半年")), "{names:?}");
    }

    #[test]
    fn samples_h2_over_cap_county_demand_exceeds_its_cap() {
        let policy = Policy::default_policy().unwrap();
        for rows in [10usize, 60, 150] {
            let o = SampleOptions { rows, ..opts() };
            let model = build_model(&policy, 2, &o).unwrap();
            let over = over_cap_county(&policy, policy.counties.len()).unwrap();
            assert_eq!(policy.counties[over].name, "峨山彝族自治县");
            let (county, plan) = &model.counties[over];
            let demand: Decimal = plan
                .rows
                .iter()
                .filter(|r| r.eligible)
                .filter_map(|r| r.standard)
                .sum();
            let cap = county.cap.unwrap();
            assert!(demand > cap, "rows={rows}: demand {demand} ≤ cap {cap}");
            // Nobody else gets near their cap within the year at the default size.
            if rows == 150 {
                let h1 = build_model(&policy, 1, &o).unwrap();
                for ((c, p1), (_, p2)) in h1.counties.iter().zip(&model.counties) {
                    if c.index == over || c.cap.is_none() {
                        continue;
                    }
                    let year: Decimal = p1
                        .rows
                        .iter()
                        .chain(&p2.rows)
                        .filter(|r| r.eligible)
                        .filter_map(|r| r.standard)
                        .sum();
                    assert!(year < c.cap.unwrap(), "{}: {year}", c.display);
                }
            }
        }
    }

    #[test]
    fn samples_contain_every_fault_kind_in_each_period() {
        let policy = Policy::default_policy().unwrap();
        for half in [1u8, 2] {
            let plan = claim_sample_plan(&policy, half, &opts()).unwrap();
            for f in INJECTED {
                let n = plan.iter().filter(|r| r.fault == Some(f.slug())).count();
                assert!(n >= 1, "H{half}: no {f:?}");
            }
            if half == 2 {
                assert!(plan.iter().any(|r| r.fault == Some("reclaim")));
                assert!(plan.iter().any(|r| r.fault == Some("late_claim")));
            }
            let policy_rows: Vec<&SampleRow> =
                plan.iter().filter(|r| r.county_code.is_some()).collect();
            let eligible = policy_rows.iter().filter(|r| r.eligible).count();
            let share = eligible as f64 / policy_rows.len() as f64;
            assert!(
                (0.80..=0.93).contains(&share),
                "H{half}: eligible share {share}"
            );
        }
    }

    #[test]
    fn samples_case_numbers_are_unique_per_county_except_deliberate_repeats() {
        let policy = Policy::default_policy().unwrap();
        let h1 = claim_sample_plan(&policy, 1, &opts()).unwrap();
        let h2 = claim_sample_plan(&policy, 2, &opts()).unwrap();
        let mut seen: BTreeMap<(String, String), Option<&str>> = BTreeMap::new();
        for r in h1.iter().chain(&h2) {
            if r.case_id.is_empty() {
                continue;
            }
            let key = (r.county.clone(), r.case_id.clone());
            if let Some(prev) = seen.get(&key) {
                let ok = matches!(r.fault, Some("duplicate_case_no" | "reclaim"));
                assert!(ok, "{key:?} repeated by {:?} after {prev:?}", r.fault);
            } else {
                seen.insert(key, r.fault);
            }
        }
        // Late claims were never written in H1.
        for r in h2.iter().filter(|r| r.fault == Some("late_claim")) {
            assert!(
                !h1.iter()
                    .any(|x| x.county == r.county && x.case_id == r.case_id)
            );
        }
        // Re-claims were.
        for r in h2.iter().filter(|r| r.fault == Some("reclaim")) {
            assert!(
                h1.iter()
                    .any(|x| x.county == r.county && x.case_id == r.case_id)
            );
        }
    }

    #[test]
    fn samples_ids_are_valid_resident_ids() {
        let policy = Policy::default_policy().unwrap();
        let model = build_model(&policy, 1, &opts()).unwrap();
        for (c, _) in &model.counties {
            for m in &c.mediators {
                assert_eq!(m.id.len(), 18, "{}", m.id);
                let (body, check) = m.id.split_at(17);
                assert_eq!(check.chars().next(), Some(id_check_char(body)));
                let birth = NaiveDate::parse_from_str(&m.id[6..14], "%Y%m%d").unwrap();
                assert!((1955..=1995).contains(&birth.year()));
                assert_eq!(m.account.len(), 19);
            }
            assert!(c.mediators.iter().any(|m| m.id.ends_with('X')));
        }
        assert_eq!(id_check_char("11010519491231002"), 'X');
        assert_eq!(id_check_char("44052418800101001"), '4');
    }

    #[test]
    fn samples_plan_rows_point_at_the_written_cells() {
        use calamine::{Data, Reader, open_workbook_auto};
        let policy = Policy::default_policy().unwrap();
        for half in [1u8, 2] {
            let dir = tempfile::tempdir().unwrap();
            let files = write_claim_samples(&policy, half, dir.path(), &opts()).unwrap();
            let plan = claim_sample_plan(&policy, half, &opts()).unwrap();
            let (mut dates, mut numeric_ids, mut hidden_helpers) = (0, 0, 0);
            for path in &files {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let mut wb = open_workbook_auto(path).unwrap();
                if wb.sheet_names().iter().any(|s| s == "下拉选项") {
                    hidden_helpers += 1;
                }
                let rows: Vec<&SampleRow> = plan.iter().filter(|r| r.file == name).collect();
                assert!(!rows.is_empty() || files.len() == 1, "{name} has no rows");
                for r in rows {
                    let range = wb.worksheet_range(&r.sheet).unwrap();
                    let row = r.row - 1;
                    let cells: Vec<&Data> = (0..20u32)
                        .filter_map(|c| range.get_value((row, c)))
                        .collect();
                    assert!(
                        matches!(cells.first(), Some(Data::Float(_) | Data::Int(_))),
                        "{name} {} row {}: 序号 missing",
                        r.sheet,
                        r.row
                    );
                    if !r.case_id.is_empty() {
                        assert!(
                            cells.iter().any(|d| **d == Data::String(r.case_id.clone())),
                            "{name} {} row {}: {} not found",
                            r.sheet,
                            r.row,
                            r.case_id
                        );
                    }
                    dates += cells
                        .iter()
                        .filter(|d| matches!(d, Data::DateTime(_)))
                        .count();
                    if r.fault == Some("id_as_number") {
                        assert!(
                            cells
                                .iter()
                                .any(|d| matches!(d, Data::Float(f) if *f > 1e17))
                        );
                        numeric_ids += 1;
                    }
                }
            }
            assert!(dates > 0 && numeric_ids > 0 && hidden_helpers > 0);
        }
    }

    #[test]
    fn samples_odd_options_still_work() {
        let policy = Policy::default_policy().unwrap();
        for (counties, rows) in [(0usize, 5usize), (1, 0), (1, 1), (2, 3), (12, 2)] {
            for half in [1u8, 2] {
                let o = SampleOptions {
                    counties,
                    rows,
                    seed: 1,
                };
                let dir = tempfile::tempdir().unwrap();
                let files = write_claim_samples(&policy, half, dir.path(), &o).unwrap();
                assert!(files.len() >= counties, "{counties}/{rows}/H{half}");
                let plan = claim_sample_plan(&policy, half, &o).unwrap();
                if counties > 0 {
                    for f in INJECTED {
                        assert!(plan.iter().any(|r| r.fault == Some(f.slug())), "{f:?}");
                    }
                }
            }
        }
        assert!(write_claim_samples(&policy, 3, Path::new("/nonexistent"), &opts()).is_err());
    }
}
