//! The policy: every figure that changes from one budget year to the next (counties, caps, staff
//! quotas, periods, subsidy rates). It lives in a TOML file, never in code; the 2025 玉溪 policy is
//! embedded as the default. A policy is validated whole before any input is read: a policy whose
//! county lines do not add up, or that names a county twice, is refused with the line at fault.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::county::{CountyCode, CountyRegistry};

/// The embedded default policy (SPEC §2, §3, §4.2).
pub const DEFAULT_POLICY_TOML: &str = include_str!("../templates/policy-2025.toml");
/// The name under which the embedded policy is reported.
pub const DEFAULT_POLICY_SOURCE: &str = "内置默认政策 templates/policy-2025.toml";

/// What to do with approved rows that do not fit a county's remaining annual cap (SPEC §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverCap {
    Hold,
    Prorate,
}

/// Dispute level (纠纷等级), canonical forms only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Level {
    Simple,
    Ordinary,
    Complex,
    Major,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Simple => "简易",
            Level::Ordinary => "一般",
            Level::Complex => "疑难复杂",
            Level::Major => "重大",
        }
    }
    /// Every spelling counties use (SPEC §4.1), already NFKC-compacted.
    pub fn parse(compacted: &str) -> Option<Level> {
        match compacted {
            "简易" | "简单" => Some(Level::Simple),
            "一般" => Some(Level::Ordinary),
            "疑难复杂" | "疑难" | "复杂" | "疑难、复杂" => Some(Level::Complex),
            "重大" => Some(Level::Major),
            _ => None,
        }
    }
    pub const ALL: [Level; 4] = [Level::Simple, Level::Ordinary, Level::Complex, Level::Major];
}

/// Agreement form (协议形式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Form {
    Written,
    Oral,
}

impl Form {
    pub fn label(self) -> &'static str {
        match self {
            Form::Written => "书面",
            Form::Oral => "口头",
        }
    }
    pub fn parse(compacted: &str) -> Option<Form> {
        match compacted {
            "书面" | "书面协议" | "书面调解协议" => Some(Form::Written),
            "口头" | "口头协议" | "口头调解协议" => Some(Form::Oral),
            _ => None,
        }
    }
    pub const ALL: [Form; 2] = [Form::Written, Form::Oral];
}

/// A payout period of the policy year (SPEC §4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodDef {
    pub id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub pay_by: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct CountyDef {
    pub code: CountyCode,
    pub name: String,
    pub aliases: Vec<String>,
    pub mediation_cap: Decimal,
    pub staff_allocation: Decimal,
    pub staff_quota: u32,
}

/// A validated policy. Construct with [`Policy::from_toml`] or [`Policy::load`].
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub year: i32,
    pub over_cap: OverCap,
    pub staff_monthly_standard: Decimal,
    pub periods: Vec<PeriodDef>,
    pub rates: BTreeMap<(Level, Form), Decimal>,
    pub counties: Vec<CountyDef>,
    pub registry: CountyRegistry,
    pub total_mediation_cap: Decimal,
    pub total_staff_allocation: Decimal,
    pub total_staff_quota: u32,
    /// The paying banks' batch templates (SPEC §12.1), in policy order.
    pub banks: Vec<crate::bank::profile::BankProfile>,
    /// How `payrun year` proposes next year's caps (SPEC §14.2).
    pub allocation_rule: AllocationRule,
    /// The two projects' facts and their performance indicators (SPEC §14.1).
    pub performance: crate::year::indicators::Performance,
    /// Where the policy came from, for the run sheet.
    pub source: String,
    /// SHA-256 of the policy file's bytes, hex.
    pub sha256: String,
}

/// A policy that cannot be used. The message is Chinese and names the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for PolicyError {}

// ---- raw serde shapes ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    name: String,
    year: Spanned<i32>,
    #[serde(default = "default_over_cap")]
    over_cap: OverCap,
    #[serde(deserialize_with = "de_money")]
    staff_monthly_standard: Decimal,
    totals: Spanned<RawTotals>,
    #[serde(default)]
    periods: Vec<Spanned<RawPeriod>>,
    rates: Vec<Spanned<RawRate>>,
    counties: Vec<Spanned<RawCounty>>,
    #[serde(default)]
    banks: Vec<Spanned<crate::bank::profile::RawBank>>,
    #[serde(default)]
    allocation_rule: Option<Spanned<RawAllocationRule>>,
    #[serde(default)]
    projects: RawProjects,
    #[serde(default)]
    performance: RawPerformance,
}

/// `[allocation_rule]` (SPEC §14.2): next year's caps shared by demand, each bounded to
/// ±`bound` of its current cap and rounded down to `round_to` 元.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRule {
    pub bound: Decimal,
    pub round_to: Decimal,
}

impl Default for AllocationRule {
    fn default() -> Self {
        AllocationRule {
            bound: Decimal::new(20, 2),
            round_to: Decimal::from(100),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllocationRule {
    #[serde(default = "default_method")]
    method: String,
    #[serde(deserialize_with = "de_money", default = "default_bound")]
    bound: Decimal,
    #[serde(deserialize_with = "de_money", default = "default_round_to")]
    round_to: Decimal,
}

fn default_method() -> String {
    "demand".into()
}
fn default_bound() -> Decimal {
    Decimal::new(20, 2)
}
fn default_round_to() -> Decimal {
    Decimal::from(100)
}

pub(crate) use crate::year::indicators::{RawPerformance, RawProjects};

fn default_over_cap() -> OverCap {
    OverCap::Hold
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTotals {
    #[serde(deserialize_with = "de_money")]
    mediation_cap: Decimal,
    #[serde(deserialize_with = "de_money")]
    staff_allocation: Decimal,
    staff_quota: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    id: String,
    #[serde(default)]
    name: String,
    // Spanned so that a bad date is reported at its own line, not at `[[periods]]`.
    start: Spanned<String>,
    end: Spanned<String>,
    pay_by: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    level: String,
    form: String,
    #[serde(deserialize_with = "de_money")]
    amount: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounty {
    code: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(deserialize_with = "de_money")]
    mediation_cap: Decimal,
    #[serde(deserialize_with = "de_money")]
    staff_allocation: Decimal,
    staff_quota: u32,
}

/// Money in the policy is a string ("180000.00") or an integer; a TOML float would pass through
/// binary floating point, so it is refused.
pub(crate) fn de_money<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum M {
        S(String),
        I(i64),
    }
    use serde::de::Error;
    let m = M::deserialize(d).map_err(|_| {
        D::Error::custom("金额须写成带引号的字符串（如 \"180000.00\"）或整数，不能写成小数")
    })?;
    let v = match m {
        M::S(s) => s
            .trim()
            .parse::<Decimal>()
            .map_err(|_| D::Error::custom(format!("金额“{s}”不是有效数字")))?,
        M::I(i) => Decimal::from(i),
    };
    if v.is_sign_negative() || v.round_dp(2) != v {
        return Err(D::Error::custom(format!(
            "金额“{v}”须为非负数且最多两位小数"
        )));
    }
    Ok(crate::money::fen(v))
}

/// What each key of the policy file means, for messages (the keys themselves stay as written:
/// they are the file's syntax, and the officer must type them exactly).
const KEY_LABELS: &[(&str, &str)] = &[
    ("name", "名称"),
    ("year", "政策年度"),
    ("over_cap", "超出年度限额时的处理"),
    ("staff_monthly_standard", "协勤人员月补助标准"),
    ("totals", "全市合计"),
    ("periods", "发放期间"),
    ("rates", "补贴标准"),
    ("counties", "县（市、区）"),
    ("mediation_cap", "人民调解补贴年度限额"),
    ("staff_allocation", "协勤经费"),
    ("staff_quota", "协勤人员定额"),
    ("id", "期间代号"),
    ("start", "起始日期"),
    ("end", "截止日期"),
    ("pay_by", "发放期限"),
    ("level", "纠纷等级"),
    ("form", "协议形式"),
    ("amount", "金额"),
    ("code", "县（市、区）代码"),
    ("aliases", "别名"),
    ("allocation_rule", "下年度限额分配办法"),
    ("method", "分配办法"),
    ("bound", "增减幅度上限"),
    ("round_to", "取整单位"),
    ("projects", "项目基本情况"),
    ("performance", "绩效指标"),
    ("mediation", "人民调解“一案一补”项目"),
    ("staff", "协勤人员经费项目"),
    ("department", "主管部门"),
    ("implementer", "实施单位"),
    ("goal", "年度总体目标"),
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("level3", "三级指标"),
    ("compare", "比较方式"),
    ("target", "年度指标值"),
    ("unit", "计量单位"),
    ("points", "分值"),
    ("measure", "取数方式"),
];

fn key_with_label(key: &str) -> String {
    match KEY_LABELS
        .iter()
        .chain(crate::bank::profile::KEY_LABELS)
        .find(|(k, _)| *k == key)
    {
        Some((_, label)) => format!("{key}（{label}）"),
        None => key.to_string(),
    }
}

/// The names between backticks in a serde/toml message, in order.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// What serde says a value should have been, in Chinese.
fn expected_zh(expected: &str) -> String {
    let e = expected.trim();
    if e.contains("i32") || e.contains("i64") || e.contains("u32") || e.contains("integer") {
        "整数（不加引号，如 25）".into()
    } else if e.contains("string") {
        "带引号的文字（如 \"180000.00\"）".into()
    } else if e.contains("sequence") || e.contains("array") {
        "数组（方括号，如 [\"红塔\"]）".into()
    } else if e.contains("bool") {
        "true 或 false".into()
    } else if e.contains("struct") || e.contains("map") || e.contains("table") {
        "一个表（[表名] 下的若干项）".into()
    } else {
        let names = backticked(e);
        if names.is_empty() {
            "其他写法".into()
        } else {
            names.join("、")
        }
    }
}

/// What serde says a value was, in Chinese.
fn unexpected_zh(unexpected: &str) -> String {
    let u = unexpected.trim();
    let quoted = u
        .split('"')
        .nth(1)
        .or_else(|| backticked(u).first().copied());
    let kind = if u.starts_with("string") {
        "文字"
    } else if u.starts_with("integer") {
        "整数"
    } else if u.starts_with("floating") {
        "小数"
    } else if u.starts_with("boolean") {
        "布尔值"
    } else if u.starts_with("sequence") {
        "数组"
    } else if u.starts_with("map") {
        "表"
    } else {
        "值"
    };
    match quoted {
        Some(v) => format!("{kind}“{v}”"),
        None => kind.to_string(),
    }
}

/// The Chinese for a TOML syntax error, by the parser's description.
const SYNTAX_ZH: &[(&str, &str)] = &[
    (
        "missing comma between array elements",
        "数组的元素之间缺少逗号",
    ),
    ("extra comma in array", "数组中多了一个逗号"),
    ("unclosed array table", "[[表名]] 缺少右方括号"),
    ("unclosed array", "数组缺少右方括号 ]"),
    ("unclosed table", "[表名] 缺少右方括号"),
    ("unclosed inline table", "行内表缺少右花括号 }"),
    ("extra comma in inline table", "行内表中多了一个逗号"),
    ("missing key for inline table element", "行内表中缺少项名"),
    ("invalid inline table element", "行内表的写法有误"),
    ("missing inline table opening", "缺少左花括号 {"),
    ("missing array opening", "缺少左方括号 ["),
    ("missing table open", "缺少左方括号 ["),
    ("missing value for key", "等号后缺少值"),
    ("missing value", "缺少值"),
    ("key with no value", "项名后缺少“= 值”"),
    ("extra `=`", "多了一个等号"),
    ("unexpected `=` in array", "数组中不能有等号"),
    (
        "unexpected content between comment and newline",
        "注释后有多余内容",
    ),
    (
        "unexpected content",
        "这一行有多余的内容（每行只能写一项“名 = 值”）",
    ),
    ("unexpected key or value", "这里不应出现项名或值"),
    (
        "invalid key",
        "项名写法有误（只能用字母、数字、下划线和连字符，或加引号）",
    ),
    ("invalid table", "表名写法有误"),
    ("duplicate key", "同一项写了两次"),
    ("invalid basic string", "文字的引号或转义有误"),
    ("invalid literal string", "文字的引号有误"),
    ("invalid string", "文字的引号有误"),
    ("invalid escape", "文字中的反斜杠转义有误"),
    ("invalid unquoted string", "文字须加引号"),
    ("invalid number", "数字写法有误"),
    ("invalid integer", "整数写法有误"),
    ("invalid float", "数字写法有误"),
    (
        "invalid datetime",
        "日期写法有误（日期请写成带引号的 \"2025-06-30\"）",
    ),
    (
        "invalid date",
        "日期写法有误（日期请写成带引号的 \"2025-06-30\"）",
    ),
    ("invalid time", "时间写法有误"),
    ("invalid boolean", "布尔值须为 true 或 false"),
];

/// A toml/serde message in Chinese. Messages payrun wrote itself (already Chinese) pass through;
/// anything of a library's that is not recognised becomes a general Chinese hint, never English.
fn toml_message_zh(msg: &str) -> String {
    let m = msg.trim();
    // payrun's own messages (from `de_money`) are Chinese from their first character.
    if m.chars().next().is_some_and(|c| !c.is_ascii()) {
        return m.to_string();
    }
    let names = backticked(m);
    if let Some(rest) = m.strip_prefix("unknown field") {
        let field = names.first().copied().unwrap_or("");
        let allowed: Vec<String> = backticked(rest)
            .iter()
            .skip(1)
            .map(|k| key_with_label(k))
            .collect();
        return if allowed.is_empty() {
            format!("未知的项 {field}：这里不能有任何项")
        } else {
            format!(
                "未知的项 {field}（可能拼错了）；这里可用的项：{}",
                allowed.join("、")
            )
        };
    }
    if m.starts_with("unknown variant") {
        let value = names.first().copied().unwrap_or("");
        let allowed: Vec<&str> = names.iter().skip(1).copied().collect();
        let mut s = format!("值“{value}”无效，应为 {}", allowed.join(" 或 "));
        if allowed.contains(&"hold") {
            s.push_str("（hold = 超出部分待定不发放；prorate = 按比例折算）");
        }
        return s;
    }
    if m.starts_with("missing field") {
        let field = names.first().copied().unwrap_or("");
        return format!("缺少必填项 {}", key_with_label(field));
    }
    if m.starts_with("duplicate field") || m.starts_with("duplicate key") {
        let field = names.first().copied();
        return match field {
            Some(f) => format!("{} 写了两次", key_with_label(f)),
            None => "同一项写了两次".to_string(),
        };
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = m.strip_prefix(prefix) {
            let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
            return format!(
                "{}不符合要求，这里应为{}",
                unexpected_zh(got),
                expected_zh(want)
            );
        }
    }
    if let Some((_, zh)) = SYNTAX_ZH.iter().find(|(en, _)| m.starts_with(en)) {
        return format!("TOML 格式错误：{zh}");
    }
    "TOML 格式错误：请检查这一行的引号、逗号、方括号和等号".to_string()
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn parse_day(text: &str, s: &Spanned<String>, what: &str) -> Result<NaiveDate, PolicyError> {
    let line = line_of(text, s.span().start);
    let v = s.get_ref();
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        PolicyError(format!(
            "政策文件第 {line} 行：{what}“{v}”不是有效日期，应写成 YYYY-MM-DD（如 2025-06-30）"
        ))
    })
}

impl Policy {
    /// The embedded 2025 policy.
    pub fn default_policy() -> Result<Policy, PolicyError> {
        Policy::from_toml(DEFAULT_POLICY_TOML, DEFAULT_POLICY_SOURCE)
    }

    /// Load a policy file, or the embedded default when `path` is None.
    pub fn load(path: Option<&Path>) -> Result<Policy, PolicyError> {
        match path {
            None => Policy::default_policy(),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    PolicyError(format!(
                        "无法读取政策文件 {}：{}",
                        p.display(),
                        crate::zh::io_reason(&e)
                    ))
                })?;
                Policy::from_toml(&text, &p.display().to_string())
            }
        }
    }

    pub fn from_toml(text: &str, source: &str) -> Result<Policy, PolicyError> {
        // Every message names the file, so an officer with several policy files knows which.
        Policy::parse(text, source).map_err(|PolicyError(m)| match m.strip_prefix("政策文件第")
        {
            Some(rest) => PolicyError(format!("政策文件 {source} 第{rest}")),
            None => PolicyError(m),
        })
    }

    fn parse(text: &str, source: &str) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            let place = if line == 0 {
                String::new()
            } else {
                format!("第 {line} 行")
            };
            PolicyError(format!(
                "政策文件 {source} {place}有误：{}",
                toml_message_zh(e.message())
            ))
        })?;
        let sha256 = hex(&Sha256::digest(text.as_bytes()));

        let year_line = line_of(text, raw.year.span().start);
        let year = *raw.year.get_ref();
        if !(2000..=2999).contains(&year) {
            return Err(PolicyError(format!(
                "政策文件第 {year_line} 行：政策年度 year = {year} 不合理，应为四位年份（如 2025）"
            )));
        }
        if raw.staff_monthly_standard.is_zero() {
            return Err(PolicyError("协勤人员月补助标准不能为 0".into()));
        }

        let mut periods = Vec::new();
        for p in &raw.periods {
            let line = line_of(text, p.span().start);
            let r = p.get_ref();
            let start = parse_day(text, &r.start, "期间起始日期 start")?;
            let end = parse_day(text, &r.end, "期间截止日期 end")?;
            let pay_by = parse_day(text, &r.pay_by, "发放期限 pay_by")?;
            if start > end || start.format("%Y").to_string() != year.to_string() {
                return Err(PolicyError(format!(
                    "政策文件第 {line} 行：期间 {} 的起止日期须在政策年度 {} 内且起始不晚于截止",
                    r.id, year
                )));
            }
            if periods.iter().any(|q: &PeriodDef| q.id == r.id) {
                return Err(PolicyError(format!(
                    "政策文件第 {line} 行：期间 {} 重复",
                    r.id
                )));
            }
            periods.push(PeriodDef {
                id: r.id.clone(),
                name: r.name.clone(),
                start,
                end,
                pay_by,
            });
        }
        if periods.is_empty() {
            // The two half-years of SPEC §4.5.
            let y = year;
            let d = |m, day| NaiveDate::from_ymd_opt(y, m, day);
            if let (Some(a), Some(b), Some(c), Some(e)) = (d(1, 1), d(6, 30), d(7, 1), d(12, 31)) {
                periods.push(PeriodDef {
                    id: "H1".into(),
                    name: "上半年".into(),
                    start: a,
                    end: b,
                    pay_by: b,
                });
                periods.push(PeriodDef {
                    id: "H2".into(),
                    name: "下半年".into(),
                    start: c,
                    end: e,
                    pay_by: e,
                });
            }
        }

        let mut rates = BTreeMap::new();
        for r in &raw.rates {
            let line = line_of(text, r.span().start);
            let v = r.get_ref();
            let level = Level::parse(&crate::cell::compact(&v.level)).ok_or_else(|| {
                PolicyError(format!(
                    "政策文件第 {line} 行：纠纷等级“{}”应为 简易/一般/疑难复杂/重大",
                    v.level
                ))
            })?;
            let form = Form::parse(&crate::cell::compact(&v.form)).ok_or_else(|| {
                PolicyError(format!(
                    "政策文件第 {line} 行：协议形式“{}”应为 书面/口头",
                    v.form
                ))
            })?;
            if rates.insert((level, form), v.amount).is_some() {
                return Err(PolicyError(format!(
                    "政策文件第 {line} 行：补贴标准（{}，{}）重复",
                    level.label(),
                    form.label()
                )));
            }
        }

        let mut counties: Vec<CountyDef> = Vec::new();
        let mut registry = CountyRegistry::default();
        let (mut sum_cap, mut sum_alloc, mut sum_quota) = (Decimal::ZERO, Decimal::ZERO, 0u32);
        for c in &raw.counties {
            let line = line_of(text, c.span().start);
            let v = c.get_ref();
            let code = CountyCode::new(&v.code).ok_or_else(|| {
                PolicyError(format!(
                    "政策文件第 {line} 行：县（市、区）代码“{}”应为 6 位数字",
                    v.code
                ))
            })?;
            if counties.iter().any(|k| k.code == code) {
                return Err(PolicyError(format!(
                    "政策文件第 {line} 行：县（市、区）代码 {code} 重复出现"
                )));
            }
            for label in std::iter::once(&v.name).chain(v.aliases.iter()) {
                if let Some(prev) = registry.insert(label, &code) {
                    return Err(PolicyError(format!(
                        "政策文件第 {line} 行：县（市、区）名称“{label}”已用于 {prev}，同一县不能出现两次"
                    )));
                }
            }
            let expected_alloc =
                Decimal::from(v.staff_quota) * raw.staff_monthly_standard * Decimal::from(12);
            if v.staff_allocation != expected_alloc {
                return Err(PolicyError(format!(
                    "政策文件第 {line} 行：{} 协勤经费 {} 元与定额 {} 人 × 12 月 × {} 元 = {} 元不符",
                    v.name,
                    v.staff_allocation,
                    v.staff_quota,
                    raw.staff_monthly_standard,
                    expected_alloc
                )));
            }
            sum_cap += v.mediation_cap;
            sum_alloc += v.staff_allocation;
            sum_quota += v.staff_quota;
            counties.push(CountyDef {
                code,
                name: v.name.trim().to_string(),
                aliases: v.aliases.clone(),
                mediation_cap: v.mediation_cap,
                staff_allocation: v.staff_allocation,
                staff_quota: v.staff_quota,
            });
        }
        if counties.is_empty() {
            return Err(PolicyError("政策文件没有任何县（市、区）".into()));
        }
        let totals_line = line_of(text, raw.totals.span().start);
        let t = raw.totals.get_ref();
        if sum_cap != t.mediation_cap {
            return Err(PolicyError(format!(
                "政策文件第 {totals_line} 行：各县人民调解补贴限额合计 {sum_cap} 元，与总额 {} 元不符",
                t.mediation_cap
            )));
        }
        if sum_alloc != t.staff_allocation {
            return Err(PolicyError(format!(
                "政策文件第 {totals_line} 行：各县协勤经费合计 {sum_alloc} 元，与总额 {} 元不符",
                t.staff_allocation
            )));
        }
        if sum_quota != t.staff_quota {
            return Err(PolicyError(format!(
                "政策文件第 {totals_line} 行：各县协勤人员定额合计 {sum_quota} 人，与总数 {} 人不符",
                t.staff_quota
            )));
        }

        let banks = crate::bank::profile::validate(&raw.banks, &|o| line_of(text, o))
            .map_err(PolicyError)?;

        let allocation_rule = match &raw.allocation_rule {
            None => AllocationRule::default(),
            Some(r) => {
                let line = line_of(text, r.span().start);
                let v = r.get_ref();
                if v.method != "demand" {
                    return Err(PolicyError(format!(
                        "政策文件第 {line} 行：分配办法 method = \"{}\" 无效，目前只能为 demand（按各县核准与超限额待定之和分配）",
                        v.method
                    )));
                }
                if v.bound > Decimal::ONE || v.round_to.is_zero() {
                    return Err(PolicyError(format!(
                        "政策文件第 {line} 行：分配办法的 bound 应为 0 至 1 之间的比例（如 \"0.20\"），round_to 应为大于 0 的金额（如 \"100\"）"
                    )));
                }
                AllocationRule {
                    bound: v.bound,
                    round_to: v.round_to,
                }
            }
        };
        let performance =
            crate::year::indicators::validate(&raw.projects, &raw.performance, &|o| {
                line_of(text, o)
            })
            .map_err(PolicyError)?;

        Ok(Policy {
            allocation_rule,
            performance,
            name: raw.name,
            year,
            over_cap: raw.over_cap,
            staff_monthly_standard: raw.staff_monthly_standard,
            periods,
            rates,
            counties,
            registry,
            total_mediation_cap: t.mediation_cap,
            total_staff_allocation: t.staff_allocation,
            total_staff_quota: t.staff_quota,
            banks,
            source: source.to_string(),
            sha256,
        })
    }

    pub fn county(&self, code: &CountyCode) -> Option<&CountyDef> {
        self.counties.iter().find(|c| &c.code == code)
    }

    pub fn rate(&self, level: Level, form: Form) -> Option<Decimal> {
        self.rates.get(&(level, form)).copied()
    }

    pub fn period(&self, id: &str) -> Option<&PeriodDef> {
        self.periods.iter().find(|p| p.id == id)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_loads_and_adds_up() {
        let p = Policy::default_policy().unwrap();
        assert_eq!(p.year, 2025);
        assert_eq!(p.counties.len(), 9);
        assert_eq!(p.total_mediation_cap, Decimal::from(770_000));
        assert_eq!(p.total_staff_allocation, Decimal::from(1_800_000));
        assert_eq!(p.total_staff_quota, 150);
        assert_eq!(
            p.rate(Level::Ordinary, Form::Written),
            Some(Decimal::from(100))
        );
        assert_eq!(p.rate(Level::Complex, Form::Oral), None);
        assert_eq!(p.rate(Level::Major, Form::Oral), None);
        assert_eq!(p.over_cap, OverCap::Hold);
        assert_eq!(p.periods.len(), 2);
        assert_eq!(p.sha256.len(), 64);
    }

    #[test]
    fn every_alias_of_spec_section_2_resolves() {
        let p = Policy::default_policy().unwrap();
        let cases = [
            ("红塔", "530402"),
            ("红塔区司法局", "530402"),
            ("江川县", "530403"),
            ("江川", "530403"),
            (" 江川区 ", "530403"),
            ("澄江县", "530481"),
            ("澄江市", "530481"),
            ("通海", "530423"),
            ("华宁", "530424"),
            ("易门县", "530425"),
            ("峨山县", "530426"),
            ("峨山彝族自治县司法局", "530426"),
            ("新平县", "530427"),
            ("新平", "530427"),
            ("元江县", "530428"),
            ("元江哈尼族彝族傣族自治县", "530428"),
        ];
        for (name, code) in cases {
            assert_eq!(
                p.registry.resolve(name).map(|c| c.to_string()),
                Some(code.to_string()),
                "{name}"
            );
        }
        assert_eq!(p.registry.resolve("某某县"), None);
    }

    fn with_replaced(from: &str, to: &str) -> String {
        assert!(DEFAULT_POLICY_TOML.contains(from));
        DEFAULT_POLICY_TOML.replacen(from, to, 1)
    }

    #[test]
    fn county_lines_that_do_not_add_up_are_refused_naming_the_line() {
        let t = with_replaced(
            "mediation_cap = \"180000.00\"",
            "mediation_cap = \"180000.01\"",
        );
        let e = Policy::from_toml(&t, "x.toml").unwrap_err();
        assert!(e.0.contains("与总额 770000.00 元不符"), "{e}");
        assert!(e.0.contains("第 13 行"), "{e}");
    }

    #[test]
    fn a_county_named_twice_is_refused_naming_the_line() {
        let t = with_replaced("name = \"通海县\"", "name = \"红塔区\"");
        let e = Policy::from_toml(&t, "x.toml").unwrap_err();
        assert!(e.0.contains("红塔区"), "{e}");
        assert!(e.0.contains("行"), "{e}");
        let t = with_replaced("code = \"530403\"", "code = \"530402\"");
        let e = Policy::from_toml(&t, "x.toml").unwrap_err();
        assert!(e.0.contains("530402 重复"), "{e}");
    }

    #[test]
    fn float_money_is_refused() {
        let t = with_replaced("amount = \"50.00\"", "amount = 50.5");
        let e = Policy::from_toml(&t, "x.toml").unwrap_err();
        assert!(e.0.contains("字符串"), "{e}");
    }

    #[test]
    fn staff_allocation_must_match_quota() {
        let t = with_replaced("staff_quota = 25", "staff_quota = 24");
        let e = Policy::from_toml(&t, "x.toml").unwrap_err();
        assert!(e.0.contains("定额"), "{e}");
    }

    /// A policy error as the officer reads it: Chinese, with no English word of a library left.
    fn refused(toml: &str) -> String {
        let e = Policy::from_toml(toml, "x.toml").unwrap_err().0;
        for english in [
            "unknown",
            "expected",
            "invalid",
            "missing",
            "error",
            "variant",
            "field",
            "found",
            "duplicate",
            "type",
            "TOML parse",
        ] {
            assert!(
                !e.contains(english),
                "English “{english}” reaches the officer: {e}"
            );
        }
        e
    }

    #[test]
    fn each_kind_of_mistake_is_told_in_chinese_at_its_line() {
        let cases: &[(&str, &str, &str, &[&str])] = &[
            // (replace, with, line, words the message must hold)
            (
                "over_cap = \"hold\"",
                "over_cap = \"hlod\"",
                "第 9 行",
                &["hlod", "hold 或 prorate"],
            ),
            (
                "mediation_cap = \"770000.00\"",
                "mediaton_cap = \"770000.00\"",
                "第 14 行",
                &[
                    "未知的项 mediaton_cap",
                    "mediation_cap（人民调解补贴年度限额）",
                ],
            ),
            (
                "end = \"2025-06-30\"",
                "end = \"2025-06-31\"",
                "第 22 行",
                &["2025-06-31", "YYYY-MM-DD"],
            ),
            ("year = 2025", "year = \"二〇二五\"", "第 7 行", &["整数"]),
            (
                "staff_quota = 150",
                "staff_quota = -150",
                "第 16 行",
                &["整数"],
            ),
            (
                "aliases = [\"红塔\"]",
                "aliases = [\"红塔\" \"红塔区司法局\"]",
                "行",
                &["逗号"],
            ),
            ("[totals]", "[totals", "第 13 行", &["方括号"]),
            (
                "year = 2025",
                "year = 2025\nyear = 2026",
                "第 8 行",
                &["写了两次"],
            ),
            (
                "over_cap = \"hold\"",
                "over_cap = hold",
                "第 9 行",
                &["引号"],
            ),
        ];
        for (from, to, line, words) in cases {
            let e = refused(&with_replaced(from, to));
            assert!(e.contains(line), "{to}: {e}");
            for w in *words {
                assert!(e.contains(w), "{to}: “{w}” missing in {e}");
            }
        }
    }

    #[test]
    fn a_missing_field_is_named_at_its_table() {
        let t = with_replaced(
            "level = \"简易\"\nform = \"书面\"\namount = \"50.00\"",
            "level = \"简易\"\nform = \"书面\"",
        );
        let e = refused(&t);
        assert!(e.contains("缺少必填项 amount（金额）"), "{e}");
        assert!(e.contains("第 33 行"), "{e}");
    }

    #[test]
    fn a_missing_policy_file_is_told_in_chinese() {
        let e = Policy::load(Some(Path::new("/nonexistent/政策.toml")))
            .unwrap_err()
            .0;
        assert!(e.contains("文件或文件夹不存在"), "{e}");
        assert!(!e.contains("os error"), "{e}");
    }
}
