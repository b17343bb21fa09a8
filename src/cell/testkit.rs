//! Helpers shared by the cell parsers' tests.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(super) fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or(Decimal::MAX)
}

pub(super) fn today() -> NaiveDate {
    ymd(2025, 6, 30)
}

pub(super) fn arb_text() -> impl Strategy<Value = String> {
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
            prop::sample::select(
                "0123456789-/.年月日号T: \u{3000}xX"
                    .chars()
                    .collect::<Vec<_>>()
            ),
            0..30
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

pub(super) fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (ymd(1900, 1, 1).num_days_from_ce()..=ymd(2999, 12, 31).num_days_from_ce())
        .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MIN))
}
