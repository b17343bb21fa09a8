//! Resident ID numbers (GB 11643): length, characters, province, birth date and the check
//! character, with the forms clerks type (lower-case x, full-width digits, spaces) accepted.

use chrono::{Datelike, NaiveDate};

use super::date::MIN_YEAR;
use super::error::CellError;
use super::text::compact;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// Province-level codes of GB/T 2260; county codes under them change over time and stay valid on
/// IDs issued earlier, so only the province is checked.
const PROVINCE_CODES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// The check character (ISO 7064 MOD 11-2, GB 11643) of an ID whose first 17 characters are
/// `first17`; `None` unless they are exactly 17 ASCII digits. The one place the check digit is
/// computed: the parsers check with it and the sample generators make IDs with it.
pub fn id_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0usize;
    for c in first17.chars() {
        let weight = ID_WEIGHTS.get(count)?;
        sum += c.to_digit(10)? * weight;
        count += 1;
    }
    if count != ID_WEIGHTS.len() {
        return None;
    }
    usize::try_from(sum % 11)
        .ok()
        .and_then(|i| ID_CHECK_CHARS.get(i))
        .copied()
}

/// Check a resident ID number given as text (GB 11643). `Ok` holds the normalised ID.
pub fn check_id_text(s: &str, today: NaiveDate) -> Result<String, CellError> {
    let mut id = compact(s);
    if id.ends_with('x') {
        id.pop();
        id.push('X');
    }
    if id.is_empty() {
        return Err(CellError::EmptyId);
    }
    let len = id.chars().count();
    let chars: Vec<char> = id.chars().collect();
    let Some((body, check)) = chars.split_at_checked(17).filter(|_| len == 18) else {
        return Err(CellError::IdLength { len, id });
    };
    let digits: Vec<u32> = body.iter().filter_map(|c| c.to_digit(10)).collect();
    let check_ok = check.iter().all(|c| c.is_ascii_digit() || *c == 'X');
    if digits.len() != 17 || !check_ok {
        return Err(CellError::IdCharacters(id));
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
        return Err(CellError::IdRegion { province, id });
    }
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    let birth = i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d));
    if !birth.is_some_and(|b| b.year() >= MIN_YEAR && b <= today) {
        let birth = format!("{y:04}{m:02}{d:02}");
        return Err(CellError::IdBirthDate { birth, id });
    }
    // Every character is ASCII by now, so the first 17 bytes are the 17 digits.
    let Some(expected) = id.get(..17).and_then(id_check_char) else {
        return Err(CellError::IdCharacters(id));
    };
    if check.first() != Some(&expected) {
        return Err(CellError::IdCheckChar { expected, id });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::testkit::{arb_date, today, ymd};
    use proptest::prelude::*;

    fn with_check(body: &str) -> String {
        format!("{body}{}", id_check_char(body).unwrap_or('?'))
    }

    /// Check characters worked out by an independent implementation, one body for each of the
    /// eleven results, plus the two examples published with GB 11643.
    #[test]
    fn id_check_char_table() {
        let cases = [
            ("11010519491231002", 'X'),
            ("44052418800101001", '4'),
            ("53040219880604003", '1'),
            ("53040219880601000", '0'),
            ("53040219880609008", 'X'),
            ("53040219880606005", '9'),
            ("53040219880603002", '8'),
            ("53040219880619018", '7'),
            ("53040219880608007", '6'),
            ("53040219880605004", '5'),
            ("53040219880602001", '4'),
            ("53040219880618017", '3'),
            ("53040219880607006", '2'),
            ("00000000000000000", '1'),
            ("99999999999999999", '3'),
        ];
        for (body, want) in cases {
            assert_eq!(id_check_char(body), Some(want), "{body}");
        }
        for bad in [
            "",
            "1101051949123100",
            "110105194912310021",
            "1101051949123100X",
            "１１０１０５１９４９１２３１００２",
        ] {
            assert_eq!(id_check_char(bad), None, "{bad:?}");
        }
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
        // The forms clerks type the same ID in.
        for typed in [
            "11010519491231002x",
            " 11010519491231002X\u{3000}",
            "１１０１０５１９４９１２３１００２ｘ",
            "110105 19491231 002X",
            "\u{200B}11010519491231002X\r\n",
        ] {
            let got = check_id_text(typed, today);
            assert_eq!(got, Ok("11010519491231002X".into()), "{typed:?}");
        }
        // The GB 11643 example ID is well formed, but its 1880 birth year is before the 1900 floor.
        assert_eq!(
            check_id_text("440524188001010014", today),
            Err(CellError::IdBirthDate {
                birth: "18800101".into(),
                id: "440524188001010014".into()
            })
        );
    }

    #[test]
    fn id_rejected() {
        let today = self::today();
        let reason = |s: &str| {
            check_id_text(s, today)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

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
    }
}
