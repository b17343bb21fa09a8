//! Cell-value parsers for claim workbooks: text normalisation, dates (text and Excel serials),
//! amounts (digits and 大写), resident ID numbers and long numbers that Excel stored as numbers.
//!
//! Everything here is total: any input, however odd, yields a value or a Chinese error message
//! for the user, never a panic. Floats never reach this module; numeric cells arrive as `Decimal`.

use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Longest excerpt of user input quoted back in an error message, so that a cell holding a whole
/// paragraph does not flood the report.
const QUOTE_MAX_CHARS: usize = 40;

fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(QUOTE_MAX_CHARS).collect();
    if s.chars().nth(QUOTE_MAX_CHARS).is_some() {
        out.push('…');
    }
    format!("“{out}”")
}

/// Zero-width characters are not `char::is_whitespace` and NFKC keeps them, yet they arrive in
/// text pasted from web pages and chat tools and are invisible to the person checking the file.
fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// True when `s` is certainly unchanged by NFKC. ASCII and the CJK Unified Ideographs (the bulk
/// of every cell) are answered without table look-ups; anything else asks the quick check.
/// ASCII and the common CJK block: characters NFKC leaves as they are.
fn nfkc_stable(c: char) -> bool {
    c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn plainly_nfkc(s: &str) -> bool {
    if s.chars().all(nfkc_stable) {
        return true;
    }
    is_nfkc_quick(s.chars()) == IsNormalized::Yes
}

/// NFKC, then trim every kind of whitespace at both ends (ASCII, U+3000 ideographic space,
/// U+00A0 NBSP, zero-width U+200B/U+FEFF), CR/LF/tab included.
pub fn normalize_text(s: &str) -> String {
    // Most cells are already NFKC (plain ASCII and common CJK): the quick check skips the
    // decompose/recompose pass, which dominated ingest time on large batches.
    if plainly_nfkc(s) {
        return s.trim_matches(is_space).to_string();
    }
    let n: String = s.nfkc().collect();
    n.trim_matches(is_space).to_string()
}

/// Whether `normalize_text(s)` is empty, without building it: asked for every cell read, and
/// nearly every cell holds an ASCII or CJK character, which NFKC keeps and trimming cannot remove.
pub fn is_blank_text(s: &str) -> bool {
    let visibly_filled = s.chars().any(|c| !is_space(c) && nfkc_stable(c));
    !visibly_filled && normalize_text(s).is_empty()
}

/// Whether `compact(s)` is `s` itself, told without building it: true for the usual coded
/// cell ("成功", "书面"), which then needs no copy.
pub fn is_compact(s: &str) -> bool {
    plainly_nfkc(s) && !s.chars().any(is_space)
}

/// Like `normalize_text` but also removes all interior whitespace, for header and keyword
/// matching ("身份证\n号码" → "身份证号码", "合  计" → "合计").
pub fn compact(s: &str) -> String {
    // Removing a space can bring a base letter next to a combining mark NFKC had split off
    // (U+0384 → space + U+0301), so normalise again to keep `compact` idempotent.
    if plainly_nfkc(s) {
        let t: String = s.chars().filter(|c| !is_space(*c)).collect();
        if plainly_nfkc(&t) {
            return t;
        }
    }
    s.nfkc().filter(|c| !is_space(*c)).nfkc().collect()
}

/// Characters that print as nothing: controls and Unicode format characters (zero-width
/// spaces and joiners, direction marks and overrides, soft hyphen, BOM, variation selectors,
/// tags). Inside a case number they would make a paid case look new.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Case number key: invisible characters removed, then `normalize_text` + ASCII upper-case.
/// Empty result → `None`.
pub fn case_key(s: &str) -> Option<String> {
    let visible: String = s.chars().filter(|c| !is_invisible(*c)).collect();
    let k = normalize_text(&visible).to_ascii_uppercase();
    if k.is_empty() { None } else { Some(k) }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2999;
/// Largest serial Excel accepts (9999-12-31).
const MAX_SERIAL: i64 = 2_958_465;
/// Days between the 1900 and 1904 date systems.
const EPOCH_1904_SHIFT: i64 = 1462;
/// `num_days_from_ce` of 1899-12-30, the day Excel's (post-1900-03-01) serials count from.
const EXCEL_DAY_ZERO_CE: i64 = 693_594;

/// Char cursor: `get`-based so no input can index out of bounds.
struct Scan {
    chars: Vec<char>,
    pos: usize,
}

impl Scan {
    fn new(s: &str) -> Self {
        Scan {
            chars: s.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, set: &[char]) -> Option<char> {
        let c = self.peek().filter(|c| set.contains(c))?;
        self.pos += 1;
        Some(c)
    }

    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Reads a run of ASCII digits: (value, digit count). The value saturates, so callers must
    /// check the count before trusting it.
    fn digits(&mut self) -> (u32, usize) {
        let mut value: u32 = 0;
        let mut count = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value.saturating_mul(10).saturating_add(d);
            count += 1;
            self.pos += 1;
        }
        (value, count)
    }

    /// Reads 1..=max digits; more or fewer is a format error.
    fn number(&mut self, max: usize) -> Option<u32> {
        let (v, n) = self.digits();
        (1..=max).contains(&n).then_some(v)
    }
}

fn make_date(y: u32, m: u32, d: u32, shown: &str) -> Result<NaiveDate, String> {
    let year = i32::try_from(y).map_err(|_| format!("日期不存在：{}", quote(shown)))?;
    let date = NaiveDate::from_ymd_opt(year, m, d)
        .ok_or_else(|| format!("日期不存在：{}", quote(shown)))?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(format!(
            "日期年份超出范围（{MIN_YEAR}—{MAX_YEAR}）：{}",
            quote(shown)
        ));
    }
    Ok(date)
}

/// The time is ignored, but it is still checked so that "2025-03-05 abc" is not accepted as a
/// date by silently dropping its tail.
fn scan_time(sc: &mut Scan) -> Option<()> {
    let h = sc.number(2)?;
    if !sc.eat(':') {
        return None;
    }
    let m = sc.number(2)?;
    let mut sec = 0;
    if sc.eat(':') {
        sec = sc.number(2)?;
        if sc.eat('.') && sc.digits().1 == 0 {
            return None;
        }
    }
    (h < 24 && m < 60 && sec < 60).then_some(())
}

/// Returns (year, month, day) as written, not yet checked against the calendar.
fn scan_date(sc: &mut Scan) -> Option<(u32, u32, u32)> {
    let (first, n) = sc.digits();
    let (y, m, d, chinese) = match n {
        8 => (first / 10_000, first / 100 % 100, first % 100, false),
        4 => {
            let spaced = sc.skip_space();
            if sc.eat('年') {
                sc.skip_space();
                let m = sc.number(2)?;
                sc.skip_space();
                if !sc.eat('月') {
                    return None;
                }
                sc.skip_space();
                let d = sc.number(2)?;
                sc.skip_space();
                sc.eat_any(&['日', '号']);
                (first, m, d, true)
            } else if spaced {
                return None;
            } else {
                let sep = sc.eat_any(&['-', '/', '.'])?;
                let m = sc.number(2)?;
                if !sc.eat(sep) {
                    return None;
                }
                let d = sc.number(2)?;
                (first, m, d, false)
            }
        }
        _ => return None,
    };
    let spaced = sc.skip_space();
    if !sc.at_end() {
        // ISO 'T' comes from DateTimeIso strings; a Chinese-style date takes only a spaced time.
        let t = !chinese && !spaced && sc.eat('T');
        if !(spaced || t) {
            return None;
        }
        scan_time(sc)?;
        sc.skip_space();
        if !sc.at_end() {
            return None;
        }
    }
    Some((y, m, d))
}

/// Dates typed as text: "2025-03-05", "2025/3/5", "2025.3.5", "2025年3月5日", "20250305",
/// full-width digits, an optional time after a space (ignored). Year 1900..=2999.
pub fn parse_date_text(s: &str) -> Result<NaiveDate, String> {
    let t = normalize_text(s);
    if t.is_empty() {
        return Err("日期为空".to_string());
    }
    let mut sc = Scan::new(&t);
    let (y, m, d) = scan_date(&mut sc).ok_or_else(|| format!("无法识别的日期：{}", quote(&t)))?;
    make_date(y, m, d, &t)
}

/// A number found in a date column: an Excel serial (1900 system, fractional part = time,
/// ignored) or, for an 8-digit integer like 20250305, yyyymmdd. `epoch_1904` shifts serials.
pub fn parse_date_number(n: Decimal, epoch_1904: bool) -> Result<NaiveDate, String> {
    let shown = n.normalize().to_string();
    let bad = || format!("无法识别的日期数值：{shown}");
    if n.fract().is_zero() && (Decimal::from(10_000_000)..=Decimal::from(99_999_999)).contains(&n) {
        let v = n.to_u32().ok_or_else(bad)?;
        return make_date(v / 10_000, v / 100 % 100, v % 100, &shown);
    }
    if n <= Decimal::ZERO {
        return Err(format!("日期数值必须为正数：{shown}"));
    }
    // Serial 0 with a time part is a bare time of day, not a date.
    let mut serial = n.trunc().to_i64().ok_or_else(bad)?;
    if serial < 1 {
        return Err(format!("日期数值只有时间、没有日期：{shown}"));
    }
    if epoch_1904 {
        serial = serial.saturating_add(EPOCH_1904_SHIFT);
    }
    if serial > MAX_SERIAL {
        return Err(format!("日期数值超出 Excel 日期范围：{shown}"));
    }
    // Excel inherits Lotus 1-2-3's fictitious 1900-02-29 (serial 60): serials below it count
    // from 1899-12-31, those above from 1899-12-30.
    let days_ce = match serial {
        60 => return Err(format!("日期数值 60 对应不存在的 1900-02-29：{shown}")),
        s if s < 60 => EXCEL_DAY_ZERO_CE + s + 1,
        s => EXCEL_DAY_ZERO_CE + s,
    };
    i32::try_from(days_ce)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(bad)
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/// Integer digits accepted in an amount typed as digits: far above any subsidy, far below the
/// 28 digits where `Decimal` would start rounding.
const MAX_AMOUNT_INT_DIGITS: usize = 16;

fn digit_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '壹' | '一' | '弌' => 1,
        '贰' | '貳' | '二' | '两' | '兩' => 2,
        '叁' | '參' | '叄' | '三' => 3,
        '肆' | '四' => 4,
        '伍' | '五' => 5,
        '陆' | '陸' | '六' => 6,
        '柒' | '七' => 7,
        '捌' | '八' => 8,
        '玖' | '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u32> {
    match c {
        '拾' | '十' => Some(10),
        '佰' | '百' => Some(100),
        '仟' | '千' => Some(1000),
        _ => None,
    }
}

fn is_zero_char(c: char) -> bool {
    matches!(c, '零' | '〇')
}

fn is_yuan(c: char) -> bool {
    matches!(c, '元' | '圆' | '圓')
}

fn is_daxie_char(c: char) -> bool {
    digit_value(c).is_some()
        || small_unit(c).is_some()
        || is_yuan(c)
        || matches!(c, '万' | '萬' | '亿' | '億' | '角' | '分' | '整' | '正')
}

/// Check a numeric amount: ≥ 0 and at most 2 meaningful decimals; returns it normalised.
pub fn check_money(d: Decimal) -> Result<Decimal, String> {
    let n = d.normalize();
    if n.is_sign_negative() && !n.is_zero() {
        return Err(format!("金额不能为负数：{n}"));
    }
    if n.round_dp(2) != n {
        return Err(format!("金额超过两位小数：{n}"));
    }
    // normalize() already maps -0 to 0; abs() keeps that true whatever the input's sign bit.
    Ok(n.abs())
}

/// Plain digits with optional thousands separators and decimals: "1,000.00", "100", ".5".
fn parse_plain_amount(s: &str) -> Option<Decimal> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let int_digits: String = if int.contains(',') {
        let mut groups = int.split(',');
        let head = groups.next().unwrap_or_default();
        let head_ok = (1..=3).contains(&head.len()) && all_digits(head);
        let mut rest_ok = true;
        let mut joined = head.to_string();
        for g in groups {
            rest_ok &= g.len() == 3 && all_digits(g);
            joined.push_str(g);
        }
        if !(head_ok && rest_ok) {
            return None;
        }
        joined
    } else if all_digits(int) {
        int.to_string()
    } else {
        return None;
    };
    let frac = match frac {
        Some(f) if f.is_empty() || !all_digits(f) => return None,
        Some(f) => f.trim_end_matches('0'),
        None => "",
    };
    if int_digits.is_empty() && frac.is_empty() && !s.contains('0') {
        return None;
    }
    let int_digits = int_digits.trim_start_matches('0');
    if int_digits.len() > MAX_AMOUNT_INT_DIGITS {
        return None;
    }
    // More than 2 meaningful decimals is reported by check_money; cap here only so that
    // "1.000…0001" with hundreds of digits cannot be rounded silently by Decimal's parser.
    if frac.len() > 2 {
        let scale = u32::try_from(frac.len()).ok().filter(|s| *s <= 28)?;
        let mantissa: i128 = format!("{int_digits}{frac}").parse().ok()?;
        return Decimal::try_from_i128_with_scale(mantissa, scale).ok();
    }
    let text = format!(
        "{}.{frac}",
        if int_digits.is_empty() {
            "0"
        } else {
            int_digits
        }
    );
    text.trim_end_matches('.').parse().ok()
}

/// Amounts typed as text: digits ("１００", "¥1,000.00", "100元") or 大写 ("壹佰元整").
/// Negative amounts, more than 2 meaningful decimals and anything else are errors.
pub fn parse_money_text(s: &str) -> Result<Decimal, String> {
    let t = normalize_text(s);
    if t.is_empty() {
        return Err("金额为空".to_string());
    }
    let unknown = || format!("无法识别的金额：{}", quote(&t));
    if t.chars().any(is_daxie_char) && !t.chars().any(|c| c.is_ascii_digit()) {
        return parse_daxie(&t).and_then(check_money);
    }
    let mut body = t.as_str();
    let mut negative = false;
    // The sign may stand before or after the currency mark ("-¥100", "¥-100").
    for _ in 0..2 {
        if let Some(rest) = body.strip_prefix(['-', '−']) {
            negative = true;
            body = rest.trim_start_matches(is_space);
        }
        for prefix in ["人民币", "¥", "RMB", "rmb"] {
            if let Some(rest) = body.strip_prefix(prefix) {
                body = rest.trim_start_matches(is_space);
            }
        }
    }
    for suffix in ["元整", "元正", "元", "圆"] {
        if let Some(rest) = body.strip_suffix(suffix) {
            body = rest.trim_end_matches(is_space);
            break;
        }
    }
    let value = parse_plain_amount(body).ok_or_else(unknown)?;
    if negative && !value.is_zero() {
        return Err(format!("金额不能为负数：{}", quote(&t)));
    }
    check_money(value)
}

/// One section below 万: digits with 仟/佰/拾 in strictly falling order, 零 marking gaps.
/// `number_start` allows the colloquial bare 拾 ("拾元" = 10) at the very start of the number.
fn parse_section(s: &str, number_start: bool) -> Option<u64> {
    let mut chars = s.chars().peekable();
    if !number_start {
        let mut stripped = false;
        while chars.next_if(|c| is_zero_char(*c)).is_some() {
            stripped = true;
        }
        // "壹万零" names no digit after its 零.
        if stripped && chars.peek().is_none() {
            return None;
        }
    }
    let mut value: u64 = 0;
    let mut last_unit: u32 = 10_000;
    let mut pending: Option<u32> = None;
    let mut zero_before = false;
    let mut first = number_start;
    for c in chars {
        if is_zero_char(c) {
            // "壹零" is not a number; 零 only separates groups.
            if pending.is_some() || first {
                return None;
            }
            zero_before = true;
        } else if let Some(d) = digit_value(c) {
            if pending.is_some() {
                return None;
            }
            pending = Some(d);
        } else if let Some(u) = small_unit(c) {
            let d = match pending.take() {
                Some(d) => d,
                None if u == 10 && first => 1,
                None => return None,
            };
            if u >= last_unit {
                return None;
            }
            value += u64::from(d * u);
            last_unit = u;
            zero_before = false;
        } else {
            return None;
        }
        first = false;
    }
    if let Some(d) = pending {
        // "壹佰伍" colloquially means 150; a finance form would write 壹佰伍拾 or 壹佰零伍,
        // so refuse the ambiguous form instead of guessing.
        if last_unit > 10 && last_unit < 10_000 && !zero_before {
            return None;
        }
        value += u64::from(d);
    } else if zero_before {
        return None;
    }
    Some(value)
}

/// A number below 1 亿: [section 万] section.
fn parse_below_yi(s: &str, number_start: bool) -> Option<u64> {
    match s.split_once(['万', '萬']) {
        Some((hi, lo)) => {
            let hi = parse_section(hi, number_start).filter(|v| *v > 0)?;
            Some(hi * 10_000 + parse_section(lo, false)?)
        }
        None => parse_section(s, number_start),
    }
}

/// Integer part. Groups split by 亿 fold left, which also reads the 万亿 and 亿亿 forms that
/// `format_daxie` writes for very large amounts.
fn parse_daxie_int(s: &str) -> Option<u128> {
    if s.chars().all(is_zero_char) {
        return (s.chars().count() == 1).then_some(0);
    }
    let mut total: u128 = 0;
    for (i, part) in s.split(['亿', '億']).enumerate() {
        let v = parse_below_yi(part, i == 0)?;
        if i == 0 && v == 0 {
            return None;
        }
        total = total.checked_mul(100_000_000)?.checked_add(u128::from(v))?;
    }
    Some(total)
}

/// 角/分 after 元: "伍角", "零伍分", "伍角陆分", "零角伍分".
fn parse_jiao_fen(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let (mut jiao, mut fen): (Option<u32>, Option<u32>) = (None, None);
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if is_zero_char(c) && next.is_some_and(|n| n != '角' && n != '分') {
            i += 1;
            continue;
        }
        let d = digit_value(c)?;
        match next {
            Some('角') if jiao.is_none() && fen.is_none() => jiao = Some(d),
            Some('分') if fen.is_none() => fen = Some(d),
            _ => return None,
        }
        i += 2;
    }
    if jiao.is_none() && fen.is_none() {
        return None;
    }
    Some(jiao.unwrap_or(0) * 10 + fen.unwrap_or(0))
}

/// Parse a 大写 amount alone: 零, 万, 亿, 元/圆, 角, 分, 整/正, optional 人民币 prefix and 负 sign.
pub fn parse_daxie(s: &str) -> Result<Decimal, String> {
    let t = compact(s);
    let err = || format!("无法识别的大写金额：{}", quote(&t));
    let mut body = t.strip_prefix("人民币").unwrap_or(&t);
    let negative = match body.strip_prefix('负') {
        Some(rest) => {
            body = rest;
            true
        }
        None => false,
    };
    body = body.strip_suffix(['整', '正']).unwrap_or(body);
    let (int_text, fraction_text) = match body.split_once(is_yuan) {
        Some((i, f)) => {
            if i.is_empty() {
                return Err(err());
            }
            (i, f)
        }
        None if body.contains(['角', '分']) => ("", body),
        None => (body, ""),
    };
    if int_text.is_empty() && fraction_text.is_empty() {
        return Err(err());
    }
    let yuan = if int_text.is_empty() {
        0
    } else {
        parse_daxie_int(int_text).ok_or_else(err)?
    };
    let fen = if fraction_text.is_empty() {
        0
    } else {
        parse_jiao_fen(fraction_text).ok_or_else(err)?
    };
    let total_fen = yuan
        .checked_mul(100)
        .and_then(|v| v.checked_add(u128::from(fen)))
        .ok_or_else(err)?;
    let signed = i128::try_from(total_fen).map_err(|_| err())?;
    let value = Decimal::try_from_i128_with_scale(if negative { -signed } else { signed }, 2)
        .map_err(|_| err())?;
    Ok(value.normalize())
}

const DAXIE_DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

fn daxie_digit(d: u128) -> char {
    usize::try_from(d)
        .ok()
        .and_then(|i| DAXIE_DIGITS.get(i))
        .copied()
        .unwrap_or('零')
}

/// 1..=9999, with 壹拾 (not 拾) for the tens and one 零 per run of inner zeros.
fn format_section(n: u128, out: &mut String) {
    let mut started = false;
    let mut gap = false;
    for (unit, name) in [
        (1000, Some('仟')),
        (100, Some('佰')),
        (10, Some('拾')),
        (1, None),
    ] {
        let d = n / unit % 10;
        if d == 0 {
            gap |= started;
            continue;
        }
        if gap {
            out.push('零');
            gap = false;
        }
        out.push(daxie_digit(d));
        out.extend(name);
        started = true;
    }
}

fn format_below_yi(n: u128, out: &mut String) {
    let (hi, lo) = (n / 10_000, n % 10_000);
    if hi > 0 {
        format_section(hi, out);
        out.push('万');
        if lo > 0 && lo < 1000 {
            out.push('零');
        }
    }
    if lo > 0 {
        format_section(lo, out);
    }
}

/// Non-zero integer. Recursion on 亿 is at most 4 deep for the largest `Decimal`.
fn format_int(n: u128, out: &mut String) {
    let (hi, lo) = (n / 100_000_000, n % 100_000_000);
    if hi > 0 {
        format_int(hi, out);
        out.push('亿');
        if lo > 0 && lo < 10_000_000 {
            out.push('零');
        }
    }
    if lo > 0 {
        format_below_yi(lo, out);
    }
}

/// Chinese finance-form capital amount with the 人民币 prefix ("人民币壹佰元伍角整"), rounded to the
/// fen half away from zero; negative amounts get "人民币负".
pub fn format_daxie(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let scale_up = 10u128.pow(2u32.saturating_sub(r.scale().min(2)));
    let fen_total = r.mantissa().unsigned_abs().saturating_mul(scale_up);
    let (yuan, jiao, fen) = (fen_total / 100, fen_total / 10 % 10, fen_total % 10);
    let mut out = String::from("人民币");
    if r.is_sign_negative() && fen_total > 0 {
        out.push('负');
    }
    if yuan > 0 {
        format_int(yuan, &mut out);
        out.push('元');
    } else if jiao == 0 && fen == 0 {
        out.push_str("零元");
    }
    if jiao > 0 {
        out.push(daxie_digit(jiao));
        out.push('角');
    } else if fen > 0 && yuan > 0 {
        out.push('零');
    }
    if fen > 0 {
        out.push(daxie_digit(fen));
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Identity numbers and long numbers
// ---------------------------------------------------------------------------------------------

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// Province-level codes of GB/T 2260; county codes under them change over time and stay valid on
/// IDs issued earlier, so only the province is checked.
const PROVINCE_CODES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

fn id_check_char(digits: &[u32]) -> char {
    let sum: u32 = digits.iter().zip(ID_WEIGHTS).map(|(d, w)| d * w).sum();
    usize::try_from(sum % 11)
        .ok()
        .and_then(|i| ID_CHECK_CHARS.get(i))
        .copied()
        .unwrap_or('?')
}

/// Check a resident ID number given as text (GB 11643). `Ok` holds the normalised ID.
pub fn check_id_text(s: &str, today: NaiveDate) -> Result<String, String> {
    let mut id = compact(s);
    if id.ends_with('x') {
        id.pop();
        id.push('X');
    }
    if id.is_empty() {
        return Err("身份证号码为空".to_string());
    }
    let len = id.chars().count();
    if len != 18 {
        let hint = if len == 15 {
            "，可能是旧版15位号码"
        } else {
            ""
        };
        return Err(format!(
            "身份证号码长度不是18位（实为{len}位{hint}）：{}",
            quote(&id)
        ));
    }
    let chars: Vec<char> = id.chars().collect();
    let Some((body, check)) = chars.split_at_checked(17) else {
        return Err(format!("身份证号码长度不是18位：{}", quote(&id)));
    };
    let digits: Vec<u32> = body.iter().filter_map(|c| c.to_digit(10)).collect();
    let check_ok = check.iter().all(|c| c.is_ascii_digit() || *c == 'X');
    if digits.len() != 17 || !check_ok {
        return Err(format!("身份证号码含非法字符：{}", quote(&id)));
    }
    let num = |range: std::ops::Range<usize>| {
        digits
            .get(range)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |acc, d| acc * 10 + d)
    };
    let province = num(0..2);
    if !PROVINCE_CODES.contains(&province) {
        return Err(format!("身份证号码地区码无效（{province:02}）：{id}"));
    }
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    let birth = i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d));
    if !birth.is_some_and(|b| b.year() >= MIN_YEAR && b <= today) {
        return Err(format!(
            "身份证号码出生日期无效（{y:04}{m:02}{d:02}）：{id}"
        ));
    }
    let expected = id_check_char(&digits);
    if check.first() != Some(&expected) {
        return Err(format!("身份证号码校验码错误，应为{expected}：{id}"));
    }
    Ok(id)
}

/// True when a number has 16 or more integer digits: Excel keeps 15 significant digits, so the
/// tail of such an ID or account number is already gone.
pub fn number_lost_precision(n: Decimal) -> bool {
    n.trunc().abs() >= Decimal::from(1_000_000_000_000_000u64)
}

/// An integral number as plain digits (no exponent, no ".0"); `None` when not integral.
pub fn integer_text(n: Decimal) -> Option<String> {
    n.fract()
        .is_zero()
        .then(|| n.trunc().normalize().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or(Decimal::MAX)
    }

    /// Independent check-character computation, so the tests do not trust the code under test.
    fn with_check(body: &str) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip(weights)
            .map(|(d, w)| d * w)
            .sum();
        let check = "10X98765432"
            .chars()
            .nth((sum % 11) as usize)
            .unwrap_or('?');
        format!("{body}{check}")
    }

    fn today() -> NaiveDate {
        ymd(2025, 6, 30)
    }

    // --- text -------------------------------------------------------------------------------

    #[test]
    fn normalize_text_trims_every_space() {
        let cases = [
            ("  abc  ", "abc"),
            ("\u{3000}张三\u{3000}", "张三"),
            ("\u{00A0}李四\u{00A0}", "李四"),
            ("\u{200B}\u{FEFF}王五\u{200B}", "王五"),
            ("\r\n\t合计\r\n", "合计"),
            ("ＡＢＣ１２３", "ABC123"),
            ("（2025）", "(2025)"),
            ("合  计", "合  计"),
            ("", ""),
            ("\u{3000} \t", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn compact_text_is_told_without_a_copy() {
        for s in ["成功", "书面", "通过", "abc123"] {
            assert!(is_compact(s), "{s}");
            assert_eq!(compact(s), s);
        }
        for s in ["成 功", "成功\n", "\u{3000}是", "ＡＢＣ", "U\u{0384}"] {
            assert!(!is_compact(s), "{s:?}");
        }
    }

    #[test]
    fn compact_removes_interior_space() {
        let cases = [
            ("身份证\n号码", "身份证号码"),
            ("合  计", "合计"),
            ("合\u{3000}计", "合计"),
            (" 县（市、区）\r\n", "县(市、区)"),
            ("银行\u{200B}账号", "银行账号"),
            ("\u{00A0}", ""),
            // Found by proptest: NFKC splits U+0384 into space + U+0301; dropping the space must
            // not leave a string that normalises differently the next time.
            ("U\u{0384}", "\u{00DA}"),
        ];
        for (input, want) in cases {
            assert_eq!(compact(input), want, "input {input:?}");
        }
    }

    #[test]
    fn case_key_table() {
        assert_eq!(case_key(" ab-12 "), Some("AB-12".to_string()));
        assert_eq!(case_key("ＡＢ１２"), Some("AB12".to_string()));
        assert_eq!(
            case_key("（2025）江调字第1号"),
            Some("(2025)江调字第1号".to_string())
        );
        assert_eq!(case_key(""), None);
        assert_eq!(case_key("\u{3000}\u{200B}"), None);
    }

    #[test]
    fn case_keys_ignore_invisible_characters() {
        // A paid case must not come back as "new" with a character nobody can see.
        for s in [
            "HX-\u{200B}001",
            "HX-001\u{202E}",
            "\u{200E}HX-001",
            "HX\u{00AD}-001",
            "HX-0\u{1}01",
            "HX-001\u{FEFF}",
            "HX-\u{2060}001\u{E0041}",
        ] {
            assert_eq!(case_key(s), Some("HX-001".to_string()), "{s:?}");
        }
        assert_eq!(case_key("\u{200E}\u{FEFF}\u{1}"), None);
        assert_eq!(case_key("HX 001"), Some("HX 001".to_string()));
    }

    #[test]
    fn blank_text_agrees_with_normalize_text() {
        for s in [
            "",
            " ",
            "\u{3000}",
            "\u{00A0}\t\r\n",
            "\u{200B}",
            "\u{FEFF}",
            "\u{2003}",
            "x",
            " 红 ",
            "\u{FF21}",
            "\u{0301}",
            "\u{3000}\u{2003}a",
        ] {
            assert_eq!(is_blank_text(s), normalize_text(s).is_empty(), "{s:?}");
        }
    }

    // --- dates ------------------------------------------------------------------------------

    #[test]
    fn date_text_accepted() {
        let want = ymd(2025, 3, 5);
        let cases = [
            "2025-03-05",
            "2025-3-5",
            "2025/3/5",
            "2025/03/05",
            "2025.3.5",
            "2025.03.05",
            "2025年3月5日",
            "2025年03月05日",
            "2025年3月5日  ",
            "2025 年 3 月 5 日",
            "2025年3月5号",
            "2025年3月5",
            "20250305",
            "２０２５－０３－０５",
            "２０２５年３月５日",
            "２０２５．３．５",
            "2025-03-05 00:00:00",
            "2025-03-05 00:00:00.000",
            "2025/3/5 0:00",
            "2025-03-05T00:00:00",
            "2025年3月5日 10:30",
            "20250305 12:00",
            "\u{3000}2025-03-05\u{00A0}",
        ];
        for c in cases {
            assert_eq!(parse_date_text(c), Ok(want), "input {c:?}");
        }
        assert_eq!(parse_date_text("1900-01-01"), Ok(ymd(1900, 1, 1)));
        assert_eq!(parse_date_text("2999-12-31"), Ok(ymd(2999, 12, 31)));
        assert_eq!(parse_date_text("2024-02-29"), Ok(ymd(2024, 2, 29)));
    }

    #[test]
    fn date_text_rejected() {
        let cases = [
            "",
            "   ",
            "2025-02-30",
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-01-00",
            "1899-12-31",
            "3000-01-01",
            "2025-3/5",
            "25/3/5",
            "05/03/2025",
            "2025 -03-05",
            "2025-03-05 abc",
            "2025-03-05 25:00",
            "2025-03-05 10:60",
            "2025-03-05T",
            "2025-03-05 10",
            "2025年3月5日T10:00",
            "2025年13月1日",
            "2025年3月",
            "二〇二五年三月五日",
            "abc",
            "2025",
            "202503",
            "2025030",
            "202503055",
            "2025-003-05",
            "2025.03.05.",
            "45721",
            "-2025-03-05",
            "2025-03-05-",
        ];
        for c in cases {
            assert!(
                parse_date_text(c).is_err(),
                "input {c:?} gave {:?}",
                parse_date_text(c)
            );
        }
    }

    #[test]
    fn date_text_errors_are_chinese() {
        assert_eq!(
            parse_date_text("abc"),
            Err("无法识别的日期：“abc”".to_string())
        );
        assert_eq!(
            parse_date_text("2025-02-30"),
            Err("日期不存在：“2025-02-30”".to_string())
        );
        assert!(parse_date_text("1899-01-01").is_err_and(|e| e.contains("年份超出范围")));
        assert_eq!(parse_date_text(""), Err("日期为空".to_string()));
        let long = "很".repeat(100);
        assert!(parse_date_text(&long).is_err_and(|e| e.ends_with("…”")));
    }

    #[test]
    fn date_number_table() {
        let ok = [
            ("45721", false, ymd(2025, 3, 5)),
            ("45721.75", false, ymd(2025, 3, 5)),
            ("45658", false, ymd(2025, 1, 1)),
            ("1", false, ymd(1900, 1, 1)),
            ("59", false, ymd(1900, 2, 28)),
            ("61", false, ymd(1900, 3, 1)),
            ("2958465", false, ymd(9999, 12, 31)),
            ("20250305", false, ymd(2025, 3, 5)),
            ("20250305.0", false, ymd(2025, 3, 5)),
            ("1", true, ymd(1904, 1, 2)),
            ("44259", true, ymd(2025, 3, 5)),
            ("20250305", true, ymd(2025, 3, 5)),
        ];
        for (n, e1904, want) in ok {
            assert_eq!(
                parse_date_number(dec(n), e1904),
                Ok(want),
                "input {n} 1904={e1904}"
            );
        }
        let bad = [
            ("60", false),
            ("0", false),
            ("0", true),
            ("-1", false),
            ("-45721", false),
            ("0.5", false),
            ("2958466", false),
            ("2957004", true),
            ("20250230", false),
            ("18991231", false),
            ("30000101", false),
            ("99999999", false),
            ("12345678.5", false),
            ("79228162514264337593543950335", false),
        ];
        for (n, e1904) in bad {
            assert!(
                parse_date_number(dec(n), e1904).is_err(),
                "input {n} 1904={e1904}"
            );
        }
        assert!(parse_date_number(dec("60"), false).is_err_and(|e| e.contains("1900-02-29")));
    }

    // --- money ------------------------------------------------------------------------------

    #[test]
    fn money_text_accepted() {
        let cases = [
            ("100", "100"),
            ("100.00", "100"),
            ("１００", "100"),
            ("100元", "100"),
            ("100 元", "100"),
            ("¥100", "100"),
            ("￥1,000.00", "1000"),
            ("1,000.00元", "1000"),
            ("１，０００．００", "1000"),
            ("100.5", "100.5"),
            ("100.50", "100.5"),
            (" 100 ", "100"),
            ("\u{3000}100\u{00A0}", "100"),
            ("1.500", "1.5"),
            ("0", "0"),
            ("0.00", "0"),
            ("-0", "0"),
            (".5", "0.5"),
            ("0.05", "0.05"),
            ("1,234,567.89", "1234567.89"),
            ("人民币100元", "100"),
            ("RMB 50", "50"),
            ("100元整", "100"),
            ("007", "7"),
            ("壹佰元整", "100"),
            ("人民币壹仟贰佰叁拾肆元伍角陆分", "1234.56"),
            ("伍拾元", "50"),
            ("贰佰元正", "200"),
            ("壹万元整", "10000"),
            ("拾元", "10"),
            ("人民币 壹佰元 整", "100"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_money_text(input), Ok(dec(want)), "input {input:?}");
        }
        assert_eq!(
            parse_money_text("100.00").map(|d| d.to_string()),
            Ok("100".to_string())
        );
    }

    #[test]
    fn money_text_rejected() {
        let cases = [
            "",
            "  ",
            "-100",
            "－100",
            "-¥100",
            "¥-100",
            "负壹佰元",
            "人民币负壹佰元整",
            "1.005",
            "0.001",
            "abc",
            "100abc",
            "1万",
            "1.5万元",
            "1,00",
            "1,0000",
            ",100",
            "100,",
            "1.2.3",
            "100.",
            ".",
            "¥",
            "元",
            "+100",
            "1e3",
            "(100)",
            "100 200",
            "12345678901234567",
            "壹佰伍",
            "一般",
            "1.00000000000000000000000000000000000001",
        ];
        for c in cases {
            assert!(
                parse_money_text(c).is_err(),
                "input {c:?} gave {:?}",
                parse_money_text(c)
            );
        }
        assert!(parse_money_text("-100").is_err_and(|e| e.contains("负数")));
        assert!(parse_money_text("1.005").is_err_and(|e| e.contains("两位小数")));
        assert!(parse_money_text("abc").is_err_and(|e| e == "无法识别的金额：“abc”"));
        assert_eq!(parse_money_text(""), Err("金额为空".to_string()));
    }

    #[test]
    fn check_money_table() {
        assert_eq!(check_money(dec("100")), Ok(dec("100")));
        assert_eq!(
            check_money(dec("100.50")).map(|d| d.to_string()),
            Ok("100.5".to_string())
        );
        assert_eq!(check_money(dec("1.500")), Ok(dec("1.5")));
        assert_eq!(
            check_money(dec("-0.00")).map(|d| d.to_string()),
            Ok("0".to_string())
        );
        assert_eq!(check_money(Decimal::ZERO), Ok(Decimal::ZERO));
        assert!(check_money(dec("-1")).is_err_and(|e| e.contains("负数")));
        assert!(check_money(dec("-0.01")).is_err());
        assert!(check_money(dec("1.005")).is_err_and(|e| e.contains("两位小数")));
        assert!(check_money(dec("0.001")).is_err());
        assert_eq!(check_money(Decimal::MAX), Ok(Decimal::MAX));
    }

    // --- 大写 -------------------------------------------------------------------------------

    #[test]
    fn daxie_parse_table() {
        let cases = [
            ("壹佰元整", "100"),
            ("人民币壹仟贰佰叁拾肆元伍角陆分", "1234.56"),
            ("伍拾元", "50"),
            ("贰佰元正", "200"),
            ("壹万元整", "10000"),
            ("拾元", "10"),
            ("拾", "10"),
            ("壹拾元整", "10"),
            ("拾伍元", "15"),
            ("拾万元整", "100000"),
            ("人民币零元整", "0"),
            ("零元", "0"),
            ("零", "0"),
            ("伍角整", "0.5"),
            ("伍分", "0.05"),
            ("壹角伍分", "0.15"),
            ("壹佰元零伍分", "100.05"),
            ("壹佰元零角伍分", "100.05"),
            ("壹佰元伍角", "100.5"),
            ("壹仟零肆元伍角陆分", "1004.56"),
            ("壹仟零伍拾元", "1050"),
            ("壹仟伍拾元", "1050"),
            ("柒拾柒万元整", "770000"),
            ("壹万伍仟叁佰元整", "15300"),
            ("壹佰万零壹元整", "1000001"),
            ("壹万零壹拾元整", "10010"),
            ("壹亿元整", "100000000"),
            ("壹亿零伍万元", "100050000"),
            (
                "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分",
                "123456789.12",
            ),
            (
                "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元",
                "999999999999",
            ),
            ("壹万亿元整", "1000000000000"),
            ("壹亿亿元整", "10000000000000000"),
            ("人民币负壹佰元整", "-100"),
            ("一百元", "100"),
            ("两万元", "20000"),
            ("壹佰圆整", "100"),
            ("壹萬元", "10000"),
            ("人民币 壹 佰 元", "100"),
            ("伍", "5"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_daxie(input), Ok(dec(want)), "input {input:?}");
        }
    }

    #[test]
    fn daxie_parse_rejected() {
        let cases = [
            "",
            "人民币",
            "整",
            "元",
            "元整",
            "角",
            "零伍元",
            "壹零元",
            "壹佰零元",
            "壹拾零",
            "壹佰伍",
            "壹仟伍",
            "佰元",
            "万元",
            "亿元",
            "壹亿万元",
            "壹万零元",
            "壹拾拾元",
            "拾佰元",
            "壹佰壹仟元",
            "壹贰元",
            "壹佰元伍",
            "壹佰元伍角零",
            "壹佰元伍分伍角",
            "壹佰元伍角伍角",
            "壹佰元元",
            "伍拾元ABC",
            "100元",
            "壹佰美元",
            "壹万壹拾万元",
            "壹佰元整整",
            "负",
        ];
        for c in cases {
            assert!(
                parse_daxie(c).is_err(),
                "input {c:?} gave {:?}",
                parse_daxie(c)
            );
        }
        assert!(parse_daxie("abc").is_err_and(|e| e == "无法识别的大写金额：“abc”"));
    }

    #[test]
    fn daxie_format_table() {
        let cases = [
            ("0", "人民币零元整"),
            ("770000", "人民币柒拾柒万元整"),
            ("15300", "人民币壹万伍仟叁佰元整"),
            ("100.5", "人民币壹佰元伍角整"),
            ("100.05", "人民币壹佰元零伍分"),
            ("1004.56", "人民币壹仟零肆元伍角陆分"),
            ("10", "人民币壹拾元整"),
            ("100000", "人民币壹拾万元整"),
            ("1000001", "人民币壹佰万零壹元整"),
            ("0.5", "人民币伍角整"),
            ("0.05", "人民币伍分"),
            ("10010", "人民币壹万零壹拾元整"),
            (
                "123456789.12",
                "人民币壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分",
            ),
            ("1", "人民币壹元整"),
            ("0.15", "人民币壹角伍分"),
            ("101", "人民币壹佰零壹元整"),
            ("110", "人民币壹佰壹拾元整"),
            ("1010", "人民币壹仟零壹拾元整"),
            ("1001", "人民币壹仟零壹元整"),
            ("100000000", "人民币壹亿元整"),
            ("100050000", "人民币壹亿零伍万元整"),
            ("105000000", "人民币壹亿零伍佰万元整"),
            ("110000000", "人民币壹亿壹仟万元整"),
            ("1000000000000", "人民币壹万亿元整"),
            (
                "9999999999999.99",
                "人民币玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
            ),
            ("-100", "人民币负壹佰元整"),
            ("-0.05", "人民币负伍分"),
            ("100.00", "人民币壹佰元整"),
            ("0.005", "人民币壹分"),
            ("0.015", "人民币贰分"),
            ("0.004", "人民币零元整"),
            ("-0.001", "人民币零元整"),
            ("-0.00", "人民币零元整"),
            ("2.675", "人民币贰元陆角捌分"),
            ("10000000000000000", "人民币壹亿亿元整"),
        ];
        for (input, want) in cases {
            assert_eq!(format_daxie(dec(input)), want, "input {input}");
        }
        // Must not panic at the extremes of Decimal.
        assert!(format_daxie(Decimal::MAX).starts_with("人民币"));
        assert!(format_daxie(Decimal::MIN).starts_with("人民币负"));
    }

    #[test]
    fn daxie_round_trip_table() {
        let values = [
            "0",
            "0.01",
            "0.1",
            "0.99",
            "1",
            "9",
            "10",
            "11",
            "19",
            "20",
            "99",
            "100",
            "101",
            "110",
            "111",
            "1000",
            "1001",
            "1010",
            "1100",
            "9999",
            "10000",
            "10001",
            "10010",
            "10100",
            "11000",
            "100000",
            "1000001",
            "10000000",
            "10000001",
            "99999999",
            "100000000",
            "100000001",
            "100010000",
            "1000000000",
            "10000000000",
            "100000000000",
            "1000000000000",
            "9999999999999.99",
            "-1",
            "-12.34",
            "123456789.12",
            "770000",
            "15300",
            "1004.56",
            "100.05",
        ];
        for v in values {
            let d = dec(v);
            assert_eq!(
                parse_daxie(&format_daxie(d)),
                Ok(d.normalize()),
                "value {v}"
            );
        }
    }

    // --- IDs --------------------------------------------------------------------------------

    #[test]
    fn id_helper_matches_published_examples() {
        assert_eq!(with_check("11010519491231002"), "11010519491231002X");
        assert_eq!(with_check("44052418800101001"), "440524188001010014");
    }

    #[test]
    fn id_accepted() {
        let today = self::today();
        let bodies = [
            "11010519491231002",
            "53042119850615001",
            "53040219900101123",
            "81000019991231000",
            "82000020000229567",
            "71000019000101000",
            "65010120250630001",
            "12010119771111778",
        ];
        for b in bodies {
            let id = with_check(b);
            assert_eq!(check_id_text(&id, today), Ok(id.clone()), "id {id}");
        }
        assert_eq!(
            check_id_text("11010519491231002x", today),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_id_text(" 11010519491231002X\u{3000}", today),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_id_text("１１０１０５１９４９１２３１００２ｘ", today),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_id_text("110105 19491231 002X", today),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            check_id_text("\u{200B}11010519491231002X\r\n", today),
            Ok("11010519491231002X".into())
        );
        // The GB 11643 example ID is well formed, but its 1880 birth year is before the 1900 floor.
        assert!(
            check_id_text("440524188001010014", today).is_err_and(|e| e.contains("出生日期无效"))
        );
    }

    #[test]
    fn id_rejected() {
        let today = self::today();
        let reason = |s: &str| check_id_text(s, today).err().unwrap_or_default();
        assert!(reason("").contains("为空"));
        assert!(reason("11010519491231002").contains("长度不是18位"));
        assert!(reason("1101051949123100201").contains("长度不是18位"));
        assert!(reason("110105491231002").contains("旧版15位"));
        assert!(reason("张三").contains("长度不是18位"));
        assert!(reason("11010519491231002Y").contains("含非法字符"));
        assert!(reason("1101051949123100X2").contains("含非法字符"));
        assert!(reason("1101051949123100张X").contains("含非法字符"));
        assert!(reason("11010519491231002Ｘ").is_empty());
        assert!(reason("x1010519491231002X").contains("含非法字符"));
        assert!(reason("11010519491231002X\u{0301}").contains("长度不是18位"));
        assert!(reason("1101051949123100\u{0301}X").contains("含非法字符"));
        assert!(reason(&with_check("99010519491231002")).contains("地区码无效"));
        assert!(reason(&with_check("00010519491231002")).contains("地区码无效"));
        assert!(reason(&with_check("16010519491231002")).contains("地区码无效"));
        assert!(reason(&with_check("83010519491231002")).contains("地区码无效"));
        assert!(reason(&with_check("11010520250230002")).contains("出生日期无效"));
        assert!(reason(&with_check("11010518991231002")).contains("出生日期无效"));
        assert!(reason(&with_check("11010520250701002")).contains("出生日期无效"));
        assert!(reason(&with_check("11010519491331002")).contains("出生日期无效"));
        assert!(reason(&with_check("11010519490100002")).contains("出生日期无效"));
        assert_eq!(
            reason("110105194912310021"),
            "身份证号码校验码错误，应为X：110105194912310021"
        );
        assert!(reason("530421198506150011").contains("校验码错误"));
        assert!(reason("11010519491231002X").is_empty());
    }

    // --- long numbers -----------------------------------------------------------------------

    #[test]
    fn long_numbers() {
        assert!(!number_lost_precision(dec("999999999999999")));
        assert!(number_lost_precision(dec("1000000000000000")));
        assert!(number_lost_precision(dec("110105194912310000")));
        assert!(number_lost_precision(dec("6222021234567890000")));
        assert!(number_lost_precision(dec("-1000000000000000")));
        assert!(!number_lost_precision(dec("999999999999999.9")));
        assert!(!number_lost_precision(Decimal::ZERO));

        assert_eq!(
            integer_text(dec("123456789012345")),
            Some("123456789012345".into())
        );
        assert_eq!(integer_text(dec("12345.0")), Some("12345".into()));
        assert_eq!(integer_text(dec("1E+14")), Some("100000000000000".into()));
        assert_eq!(integer_text(dec("0")), Some("0".into()));
        assert_eq!(integer_text(dec("-0.0")), Some("0".into()));
        assert_eq!(integer_text(dec("-42")), Some("-42".into()));
        assert_eq!(integer_text(dec("12.5")), None);
        assert_eq!(integer_text(dec("0.000001")), None);
    }

    // --- properties -------------------------------------------------------------------------

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "\\PC*",
            prop::collection::vec(
                prop::sample::select(
                    "零〇壹贰叁肆伍陆柒捌玖一二两拾十佰仟万萬亿億元圆角分整正人民币负 0123456789.,¥-x"
                        .chars()
                        .collect::<Vec<_>>()
                ),
                0..40
            )
            .prop_map(|v| v.into_iter().collect()),
            prop::collection::vec(
                prop::sample::select("0123456789-/.年月日号T: \u{3000}xX".chars().collect::<Vec<_>>()),
                0..30
            )
            .prop_map(|v| v.into_iter().collect()),
        ]
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        (ymd(1900, 1, 1).num_days_from_ce()..=ymd(2999, 12, 31).num_days_from_ce())
            .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MIN))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn no_panic_on_any_text(s in arb_text()) {
            let _ = parse_date_text(&s);
            let _ = parse_money_text(&s);
            let _ = parse_daxie(&s);
            let _ = check_id_text(&s, today());
            let _ = case_key(&s);
            let c = compact(&s);
            prop_assert!(!c.chars().any(is_space));
            if is_compact(&s) {
                prop_assert_eq!(&c, &s);
            }
            let n = normalize_text(&s);
            prop_assert!(!n.starts_with(is_space) && !n.ends_with(is_space));
            prop_assert_eq!(is_blank_text(&s), n.is_empty());
        }

        #[test]
        fn no_panic_on_any_decimal(m in any::<i128>(), scale in 0u32..=28, e1904 in any::<bool>()) {
            let m = m % 79_228_162_514_264_337_593_543_950_335_i128;
            let d = Decimal::try_from_i128_with_scale(m, scale).unwrap_or_default();
            let _ = parse_date_number(d, e1904);
            let _ = check_money(d);
            let _ = number_lost_precision(d);
            let _ = integer_text(d);
            prop_assert!(format_daxie(d).starts_with("人民币"));
        }

        #[test]
        fn daxie_round_trip_to_a_trillion_fen(fen in 0i64..=1_000_000_000_000) {
            let d = Decimal::new(fen, 2);
            let text = format_daxie(d);
            prop_assert_eq!(parse_daxie(&text), Ok(d.normalize()), "{}", text);
            prop_assert_eq!(parse_money_text(&text), Ok(d.normalize()), "{}", text);
        }

        #[test]
        fn daxie_round_trip_full_range(fen in -999_999_999_999_999i64..=999_999_999_999_999) {
            let d = Decimal::new(fen, 2);
            let text = format_daxie(d);
            prop_assert!(!text.contains("零零"), "{}", text);
            prop_assert!(!text.contains("零元") || fen == 0, "{}", text);
            prop_assert!(!text.contains("零万") && !text.contains("零亿"), "{}", text);
            prop_assert!(text.ends_with('整') || text.ends_with('分'), "{}", text);
            prop_assert_eq!(parse_daxie(&text), Ok(d.normalize()), "{}", text);
        }

        #[test]
        fn daxie_parse_is_consistent_with_format(s in arb_text()) {
            if let Ok(v) = parse_daxie(&s) {
                prop_assert_eq!(parse_daxie(&format_daxie(v)), Ok(v), "{}", s);
            }
        }

        #[test]
        fn money_digits_round_trip(fen in 0u64..=99_999_999_999, style in 0usize..6) {
            let d = Decimal::new(i64::try_from(fen).unwrap_or(0), 2);
            let plain = format!("{:.2}", d);
            let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
            let grouped = int
                .as_bytes()
                .rchunks(3)
                .rev()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(",");
            let wide: String = plain.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect();
            let text = match style {
                0 => plain.clone(),
                1 => format!("{grouped}.{frac}元"),
                2 => format!("￥{grouped}.{frac}"),
                3 => format!(" {} ", d.normalize()),
                4 => wide,
                _ => format!("人民币{plain}元"),
            };
            prop_assert_eq!(parse_money_text(&text), Ok(d.normalize()), "{}", text);
        }

        #[test]
        fn date_text_round_trip(date in arb_date(), style in 0usize..7) {
            let (y, m, d) = (date.year(), date.month(), date.day());
            let text = match style {
                0 => format!("{y:04}-{m:02}-{d:02}"),
                1 => format!("{y}/{m}/{d}"),
                2 => format!("{y}.{m}.{d}"),
                3 => format!("{y}年{m}月{d}日"),
                4 => format!("{y:04}{m:02}{d:02}"),
                5 => format!("{y:04}-{m:02}-{d:02} 13:45:59"),
                _ => format!("{y}/{m}/{d} 0:00"),
            };
            prop_assert_eq!(parse_date_text(&text), Ok(date), "{}", text);
        }

        #[test]
        fn date_serial_round_trip(date in arb_date(), frac in 0u32..100, e1904 in any::<bool>()) {
            prop_assume!(date >= ymd(1900, 3, 1));
            let mut serial = i64::from(date.num_days_from_ce()) - EXCEL_DAY_ZERO_CE;
            if e1904 {
                serial -= EPOCH_1904_SHIFT;
            }
            prop_assume!(serial >= 1);
            let n = Decimal::from(serial) + Decimal::new(i64::from(frac), 2);
            prop_assert_eq!(parse_date_number(n, e1904), Ok(date));
        }

        #[test]
        fn yyyymmdd_number_round_trip(date in arb_date()) {
            let n = date.year() * 10_000 + i32::try_from(date.month() * 100 + date.day()).unwrap_or(0);
            prop_assert_eq!(parse_date_number(Decimal::from(n), false), Ok(date));
        }

        #[test]
        fn generated_ids_pass_and_any_digit_change_fails(
            province in prop::sample::select(PROVINCE_CODES.to_vec()),
            county in 0u32..10_000,
            birth in arb_date(),
            seq in 0u32..1000,
            pos in 0usize..17,
            bump in 1u32..10,
        ) {
            let today = ymd(2999, 12, 31);
            let body = format!("{province:02}{county:04}{}{seq:03}", birth.format("%Y%m%d"));
            let id = with_check(&body);
            prop_assert_eq!(check_id_text(&id, today), Ok(id.clone()));
            prop_assert_eq!(check_id_text(&id.to_lowercase(), today), Ok(id.clone()));
            let mutated: String = id
                .chars()
                .enumerate()
                .map(|(i, c)| match c.to_digit(10) {
                    Some(d) if i == pos => char::from_digit((d + bump) % 10, 10).unwrap_or(c),
                    _ => c,
                })
                .collect();
            prop_assert!(check_id_text(&mutated, today).is_err(), "{}", mutated);
        }

        #[test]
        fn normalize_is_idempotent(s in arb_text()) {
            let n = normalize_text(&s);
            prop_assert_eq!(normalize_text(&n), n.clone());
            prop_assert_eq!(compact(&compact(&s)), compact(&s));
        }
    }
}
