//! 大写 amounts (the capital numerals of finance forms): parsed strictly, so that an ambiguous
//! colloquial form such as 壹佰伍 is refused rather than guessed, and written the way approval
//! forms print them ("人民币壹佰元伍角整").

use rust_decimal::{Decimal, RoundingStrategy};

use super::error::CellError;
use super::text::compact;

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

pub(super) fn is_daxie_char(c: char) -> bool {
    digit_value(c).is_some()
        || small_unit(c).is_some()
        || is_yuan(c)
        || matches!(c, '万' | '萬' | '亿' | '億' | '角' | '分' | '整' | '正')
}

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
pub fn parse_daxie(s: &str) -> Result<Decimal, CellError> {
    let t = compact(s);
    let err = || CellError::UnreadableDaxie(t.clone());
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

/// `n` as [high part, `unit`] low part, for groups of `size` (万: 10^4, 亿: 10^8). A 零 stands
/// for the zeros at the top of a non-zero low part: 壹万零伍, 壹亿零伍万.
fn format_group(
    n: u128,
    (size, unit): (u128, char),
    high: fn(u128, &mut String),
    low: fn(u128, &mut String),
    out: &mut String,
) {
    let (hi, lo) = (n / size, n % size);
    if hi > 0 {
        high(hi, out);
        out.push(unit);
        if lo > 0 && lo < size / 10 {
            out.push('零');
        }
    }
    if lo > 0 {
        low(lo, out);
    }
}

fn format_below_yi(n: u128, out: &mut String) {
    format_group(n, (10_000, '万'), format_section, format_section, out);
}

/// Non-zero integer. Recursion on 亿 is at most 4 deep for the largest `Decimal`.
fn format_int(n: u128, out: &mut String) {
    format_group(n, (100_000_000, '亿'), format_int, format_below_yi, out);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::parse_money_text;
    use crate::cell::testkit::{arb_text, dec};
    use proptest::prelude::*;

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
        assert!(parse_daxie("abc").is_err_and(|e| e.to_string() == "无法识别的大写金额：“abc”"));
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

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
    }
}
