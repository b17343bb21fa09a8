//! People's numbers as they appear on the forms: resident IDs whose check character comes from
//! `crate::cell` (the parsers' own), bank card numbers with a Luhn digit, and the name a county
//! uses for itself in its files.

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::cell::id_check_char;
use crate::policy::Policy;

/// `first17` and its check character. The generators only pass 17 digits; anything else gets
/// '0', which the parsers then refuse like any wrong check character.
pub(super) fn with_check_char(first17: &str) -> String {
    format!("{first17}{}", id_check_char(first17).unwrap_or('0'))
}

/// A resident ID: region code, birth date, a three-digit sequence (odd for men), check character.
pub(super) fn make_id(region: &str, birth: NaiveDate, seq: u32) -> String {
    with_check_char(&format!(
        "{region}{}{:03}",
        birth.format("%Y%m%d"),
        seq % 1000
    ))
}

/// Luhn check digit for a bank card number.
fn luhn_digit(body: &str) -> char {
    let mut sum = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
}

pub(super) fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..10), 10).unwrap_or('0'))
        .collect()
}

/// A 19-digit card number of the bank with this six-digit `bin`.
pub(super) fn bank_account(rng: &mut ChaCha8Rng, bin: &str) -> String {
    let body = format!("{bin}{}", digits(rng, 12));
    let check = luhn_digit(&body);
    format!("{body}{check}")
}

/// The name a county uses in its own files: a 县/市/区 alias for some (江川县, 峨山县 …), to
/// exercise alias matching.
pub(super) fn display_name(policy: &Policy, index: usize) -> String {
    let Some(c) = policy.counties.get(index) else {
        return String::new();
    };
    let wants_alias = index % 3 == 1 || c.name.chars().count() > 5;
    if wants_alias
        && let Some(a) = c
            .aliases
            .iter()
            .find(|a| a.ends_with('县') || a.ends_with('市') || a.ends_with('区'))
    {
        return a.clone();
    }
    c.name.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_digits_of_known_card_numbers() {
        // The textbook Luhn example, and a 622848 body worked out independently.
        assert_eq!(luhn_digit("7992739871"), '3');
        assert_eq!(luhn_digit("622848012345678901"), '5');
    }

    #[test]
    fn ids_carry_the_parsers_check_character() {
        let birth = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
        assert_eq!(make_id("110105", birth, 2), "11010519491231002X");
        assert_eq!(make_id("110105", birth, 1002), "11010519491231002X");
        assert_eq!(with_check_char("1101051949123100"), "11010519491231000");
    }
}
