//! Money is `rust_decimal::Decimal` at fen precision, from the cell to the report.

use rust_decimal::{Decimal, RoundingStrategy};

/// The value at exactly two decimals (四舍五入 to the fen), never `-0.00`.
pub fn fen(d: Decimal) -> Decimal {
    let mut x = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if x.is_zero() {
        x = Decimal::ZERO;
    }
    x.rescale(2);
    x
}

/// "1234.50" — the machine form used in decisions.csv and summary.json.
pub fn plain(d: Decimal) -> String {
    fen(d).to_string()
}

/// Whole fen as an integer, for exact largest-remainder arithmetic.
pub fn to_fen_i128(d: Decimal) -> i128 {
    let x = fen(d);
    x.mantissa()
}

pub fn from_fen_i128(f: i128) -> Decimal {
    // Amounts here are far below 2^96 fen; saturate rather than panic on absurd input.
    let clamped = f.clamp(-(i64::MAX as i128), i64::MAX as i128) as i64;
    Decimal::new(clamped, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_rounds_half_away_and_keeps_two_places() {
        assert_eq!(plain(Decimal::new(12345, 3)), "12.35");
        assert_eq!(plain(Decimal::new(-4, 3)), "0.00");
        assert_eq!(plain(Decimal::from(770000)), "770000.00");
        assert_eq!(to_fen_i128(Decimal::new(1005, 1)), 10050);
        assert_eq!(from_fen_i128(10050).to_string(), "100.50");
    }
}
