//! Dates as county clerks write them: typed text in the usual Chinese forms, Excel serials (both
//! date systems, Lotus's 1900-02-29 refused) and yyyymmdd numbers. Years 1900..=2999.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::error::CellError;
use super::text::{is_space, normalize_text};

pub(super) const MIN_YEAR: i32 = 1900;
pub(super) const MAX_YEAR: i32 = 2999;
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

fn make_date(y: u32, m: u32, d: u32, shown: &str) -> Result<NaiveDate, CellError> {
    let date = i32::try_from(y)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, m, d))
        .ok_or_else(|| CellError::NoSuchDate(shown.to_string()))?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(CellError::YearOutOfRange(shown.to_string()));
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
pub fn parse_date_text(s: &str) -> Result<NaiveDate, CellError> {
    let t = normalize_text(s);
    if t.is_empty() {
        return Err(CellError::EmptyDate);
    }
    let mut sc = Scan::new(&t);
    let Some((y, m, d)) = scan_date(&mut sc) else {
        return Err(CellError::UnreadableDate(t));
    };
    make_date(y, m, d, &t)
}

/// A number found in a date column: an Excel serial (1900 system, fractional part = time,
/// ignored) or, for an 8-digit integer like 20250305, yyyymmdd. `epoch_1904` shifts serials.
pub fn parse_date_number(n: Decimal, epoch_1904: bool) -> Result<NaiveDate, CellError> {
    let shown = n.normalize().to_string();
    let bad = || CellError::UnreadableDateNumber {
        shown: shown.clone(),
    };
    if n.fract().is_zero() && (Decimal::from(10_000_000)..=Decimal::from(99_999_999)).contains(&n) {
        let v = n.to_u32().ok_or_else(bad)?;
        return make_date(v / 10_000, v / 100 % 100, v % 100, &shown);
    }
    if n <= Decimal::ZERO {
        return Err(CellError::DateNumberNotPositive { shown });
    }
    // Serial 0 with a time part is a bare time of day, not a date.
    let mut serial = n.trunc().to_i64().ok_or_else(bad)?;
    if serial < 1 {
        return Err(CellError::TimeWithoutDate { shown });
    }
    if epoch_1904 {
        serial = serial.saturating_add(EPOCH_1904_SHIFT);
    }
    if serial > MAX_SERIAL {
        return Err(CellError::SerialOutOfRange { shown });
    }
    // Excel inherits Lotus 1-2-3's fictitious 1900-02-29 (serial 60): serials below it count
    // from 1899-12-31, those above from 1899-12-30.
    let days_ce = match serial {
        60 => return Err(CellError::FictitiousLeapDay { shown }),
        s if s < 60 => EXCEL_DAY_ZERO_CE + s + 1,
        s => EXCEL_DAY_ZERO_CE + s,
    };
    i32::try_from(days_ce)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::testkit::{arb_date, dec, ymd};
    use proptest::prelude::*;

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
        let message = |s: &str| parse_date_text(s).map_err(|e| e.to_string());
        assert_eq!(message("abc"), Err("无法识别的日期：“abc”".to_string()));
        assert_eq!(
            message("2025-02-30"),
            Err("日期不存在：“2025-02-30”".to_string())
        );
        assert!(
            parse_date_text("1899-01-01").is_err_and(|e| e.to_string().contains("年份超出范围"))
        );
        assert_eq!(message(""), Err("日期为空".to_string()));
        let long = "很".repeat(100);
        assert!(parse_date_text(&long).is_err_and(|e| e.to_string().ends_with("…”")));
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
        assert!(
            parse_date_number(dec("60"), false)
                .is_err_and(|e| e.to_string().contains("1900-02-29"))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

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
    }
}
