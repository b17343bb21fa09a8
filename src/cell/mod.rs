//! Cell-value parsers for claim and staff workbooks: every value a county types goes through
//! here before a rule sees it.
//!
//! Everything here is total: any input, however odd, yields a value or a [`CellError`] whose
//! Chinese message the clerk can act on, never a panic. Floats never reach this module; numeric
//! cells arrive as `Decimal`.
//!
//! | module | owns |
//! |---|---|
//! | `text` | NFKC, trimming every kind of space, header compaction, case-number keys |
//! | `date` | dates typed as text, Excel serials (1900 and 1904 systems), yyyymmdd numbers |
//! | `money` | numeric amounts checked, amounts typed as digits |
//! | `daxie` | 大写 amounts, read and written |
//! | `id` | resident ID numbers and their check character (the only copy of MOD 11-2) |
//! | `number` | long numbers Excel stored with 15 digits |
//! | `error` | [`CellError`] and its messages |
//!
//! The submodules are private; their public items are re-exported here, so callers keep writing
//! `crate::cell::parse_date_text`.

mod date;
mod daxie;
mod error;
mod id;
mod money;
mod number;
#[cfg(test)]
mod testkit;
mod text;

pub use date::{parse_date_number, parse_date_text};
pub use daxie::{format_daxie, parse_daxie};
pub use error::CellError;
pub use id::{check_id_text, id_check_char};
pub use money::{check_money, parse_money_text};
pub use number::{integer_text, number_lost_precision};
pub use text::{case_key, compact, is_blank_text, is_compact, normalize_text};

#[cfg(test)]
mod tests {
    use super::testkit::{arb_text, today};
    use super::text::is_space;
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

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
    }
}
