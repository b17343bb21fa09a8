//! Long numbers Excel stored as numbers: an ID or account number typed into a General cell keeps
//! only 15 significant digits, and an integral number must come back as plain digits.

use rust_decimal::Decimal;

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
    use crate::cell::testkit::dec;

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
}
