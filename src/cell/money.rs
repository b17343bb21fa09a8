//! Amounts: numeric cells checked (≥ 0, at most two meaningful decimals) and amounts typed as
//! text — digits with thousands separators, currency marks and 元, or 大写 (handed to `daxie`).

use rust_decimal::Decimal;

use super::daxie::{is_daxie_char, parse_daxie};
use super::error::CellError;
use super::text::{is_space, normalize_text};

/// Integer digits accepted in an amount typed as digits: far above any subsidy, far below the
/// 28 digits where `Decimal` would start rounding.
const MAX_AMOUNT_INT_DIGITS: usize = 16;

/// Check a numeric amount: ≥ 0 and at most 2 meaningful decimals; returns it normalised.
pub fn check_money(d: Decimal) -> Result<Decimal, CellError> {
    let n = d.normalize();
    if n.is_sign_negative() && !n.is_zero() {
        return Err(CellError::NegativeAmount(n));
    }
    if n.round_dp(2) != n {
        return Err(CellError::TooManyDecimals(n));
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
pub fn parse_money_text(s: &str) -> Result<Decimal, CellError> {
    let t = normalize_text(s);
    if t.is_empty() {
        return Err(CellError::EmptyAmount);
    }
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
    let Some(value) = parse_plain_amount(body) else {
        return Err(CellError::UnreadableAmount(t.clone()));
    };
    if negative && !value.is_zero() {
        return Err(CellError::NegativeAmountText(t));
    }
    check_money(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::testkit::dec;
    use proptest::prelude::*;

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
        assert!(parse_money_text("-100").is_err_and(|e| e.to_string().contains("负数")));
        assert!(parse_money_text("1.005").is_err_and(|e| e.to_string().contains("两位小数")));
        assert!(parse_money_text("abc").is_err_and(|e| e.to_string() == "无法识别的金额：“abc”"));
        assert_eq!(parse_money_text(""), Err(CellError::EmptyAmount));
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
        assert!(check_money(dec("-1")).is_err_and(|e| e.to_string().contains("负数")));
        assert!(check_money(dec("-0.01")).is_err());
        assert!(check_money(dec("1.005")).is_err_and(|e| e.to_string().contains("两位小数")));
        assert!(check_money(dec("0.001")).is_err());
        assert_eq!(check_money(Decimal::MAX), Ok(Decimal::MAX));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

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
    }
}
