//! Values as county clerks type them into a text cell: dates in the usual forms, full-width
//! digits, Chinese numerals — the variety the parsers in `crate::cell` must accept (or refuse).

use chrono::{Datelike, NaiveDate};

/// A way of typing a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateStyle {
    /// 2025-03-05
    Dash,
    /// 2025/3/5
    Slash,
    /// 2025.3.5
    Dot,
    /// 2025年3月5日
    Chinese,
    /// 20250305
    Compact,
}

pub(super) fn date_text(d: NaiveDate, style: DateStyle) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match style {
        DateStyle::Dash => format!("{y}-{m:02}-{day:02}"),
        DateStyle::Slash => format!("{y}/{m}/{day}"),
        DateStyle::Dot => format!("{y}.{m}.{day}"),
        DateStyle::Chinese => cn_date(d),
        DateStyle::Compact => format!("{y}{m:02}{day:02}"),
    }
}

/// 2025年3月5日, as in 填报日期 lines.
pub(super) fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A date that exists, or `fallback`.
pub(super) fn ymd_or(y: i32, m: u32, d: u32, fallback: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(fallback)
}

/// Digits and x/X in their full-width forms, as an IME in full-width mode types them.
pub(super) fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c),
            'X' => 'Ｘ',
            'x' => 'ｘ',
            _ => c,
        })
        .collect()
}

/// 0..=99 in Chinese numerals (三月五日), which the date parser must refuse.
pub(super) fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |k: u32| D.get(k as usize).copied().unwrap_or("");
    match n {
        0..=9 => digit(n).to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", digit(n - 10)),
        _ => {
            let tens = digit(n / 10 % 10);
            if n.is_multiple_of(10) {
                format!("{tens}十")
            } else {
                format!("{tens}十{}", digit(n % 10))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_date_style() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        let want = [
            (DateStyle::Dash, "2025-03-05"),
            (DateStyle::Slash, "2025/3/5"),
            (DateStyle::Dot, "2025.3.5"),
            (DateStyle::Chinese, "2025年3月5日"),
            (DateStyle::Compact, "20250305"),
        ];
        for (style, text) in want {
            assert_eq!(date_text(d, style), text);
        }
    }

    #[test]
    fn typed_forms() {
        assert_eq!(full_width("53042119x0X"), "５３０４２１１９ｘ０Ｘ");
        let numbers: Vec<String> = [0, 7, 10, 12, 20, 31].map(chinese_number).into();
        assert_eq!(numbers, ["〇", "七", "十", "十二", "二十", "三十一"]);
    }
}
