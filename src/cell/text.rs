//! Text normalisation: what every cell's text goes through before it is compared or parsed —
//! NFKC, trimming every kind of space (zero-width ones included), header/keyword compaction, and
//! the case-number key that ignores invisible characters.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Zero-width characters are not `char::is_whitespace` and NFKC keeps them, yet they arrive in
/// text pasted from web pages and chat tools and are invisible to the person checking the file.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// ASCII and the common CJK block: characters NFKC leaves as they are.
fn nfkc_stable(c: char) -> bool {
    c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// True when `s` is certainly unchanged by NFKC. ASCII and the CJK Unified Ideographs (the bulk
/// of every cell) are answered without table look-ups; anything else asks the quick check.
fn plainly_nfkc(s: &str) -> bool {
    if s.chars().all(nfkc_stable) {
        return true;
    }
    is_nfkc_quick(s.chars()) == IsNormalized::Yes
}

/// NFKC, then trim every kind of whitespace at both ends (ASCII, U+3000 ideographic space,
/// U+00A0 NBSP, zero-width U+200B/U+FEFF), CR/LF/tab included.
pub fn normalize_text(s: &str) -> String {
    // Most cells are already NFKC (plain ASCII and common CJK): the quick check skips the
    // decompose/recompose pass, which dominated ingest time on large batches.
    if plainly_nfkc(s) {
        return s.trim_matches(is_space).to_string();
    }
    let n: String = s.nfkc().collect();
    n.trim_matches(is_space).to_string()
}

/// Whether `normalize_text(s)` is empty, without building it: asked for every cell read, and
/// nearly every cell holds an ASCII or CJK character, which NFKC keeps and trimming cannot remove.
pub fn is_blank_text(s: &str) -> bool {
    let visibly_filled = s.chars().any(|c| !is_space(c) && nfkc_stable(c));
    !visibly_filled && normalize_text(s).is_empty()
}

/// Whether `compact(s)` is `s` itself, told without building it: true for the usual coded
/// cell ("成功", "书面"), which then needs no copy.
pub fn is_compact(s: &str) -> bool {
    plainly_nfkc(s) && !s.chars().any(is_space)
}

/// Like `normalize_text` but also removes all interior whitespace, for header and keyword
/// matching ("身份证\n号码" → "身份证号码", "合  计" → "合计").
pub fn compact(s: &str) -> String {
    // Removing a space can bring a base letter next to a combining mark NFKC had split off
    // (U+0384 → space + U+0301), so normalise again to keep `compact` idempotent.
    if plainly_nfkc(s) {
        let t: String = s.chars().filter(|c| !is_space(*c)).collect();
        if plainly_nfkc(&t) {
            return t;
        }
    }
    s.nfkc().filter(|c| !is_space(*c)).nfkc().collect()
}

/// Characters that print as nothing: controls and Unicode format characters (zero-width
/// spaces and joiners, direction marks and overrides, soft hyphen, BOM, variation selectors,
/// tags). Inside a case number they would make a paid case look new.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Case number key: invisible characters removed, then `normalize_text` + ASCII upper-case.
/// Empty result → `None`.
pub fn case_key(s: &str) -> Option<String> {
    let visible: String = s.chars().filter(|c| !is_invisible(*c)).collect();
    let k = normalize_text(&visible).to_ascii_uppercase();
    if k.is_empty() { None } else { Some(k) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::testkit::arb_text;
    use proptest::prelude::*;

    #[test]
    fn normalize_text_trims_every_space() {
        let cases = [
            ("  abc  ", "abc"),
            ("\u{3000}张三\u{3000}", "张三"),
            ("\u{00A0}李四\u{00A0}", "李四"),
            ("\u{200B}\u{FEFF}王五\u{200B}", "王五"),
            ("\r\n\t合计\r\n", "合计"),
            ("ＡＢＣ１２３", "ABC123"),
            ("（2025）", "(2025)"),
            ("合  计", "合  计"),
            ("", ""),
            ("\u{3000} \t", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn compact_text_is_told_without_a_copy() {
        for s in ["成功", "书面", "通过", "abc123"] {
            assert!(is_compact(s), "{s}");
            assert_eq!(compact(s), s);
        }
        for s in ["成 功", "成功\n", "\u{3000}是", "ＡＢＣ", "U\u{0384}"] {
            assert!(!is_compact(s), "{s:?}");
        }
    }

    #[test]
    fn compact_removes_interior_space() {
        let cases = [
            ("身份证\n号码", "身份证号码"),
            ("合  计", "合计"),
            ("合\u{3000}计", "合计"),
            (" 县（市、区）\r\n", "县(市、区)"),
            ("银行\u{200B}账号", "银行账号"),
            ("\u{00A0}", ""),
            // Found by proptest: NFKC splits U+0384 into space + U+0301; dropping the space must
            // not leave a string that normalises differently the next time.
            ("U\u{0384}", "\u{00DA}"),
        ];
        for (input, want) in cases {
            assert_eq!(compact(input), want, "input {input:?}");
        }
    }

    #[test]
    fn case_key_table() {
        assert_eq!(case_key(" ab-12 "), Some("AB-12".to_string()));
        assert_eq!(case_key("ＡＢ１２"), Some("AB12".to_string()));
        assert_eq!(
            case_key("（2025）江调字第1号"),
            Some("(2025)江调字第1号".to_string())
        );
        assert_eq!(case_key(""), None);
        assert_eq!(case_key("\u{3000}\u{200B}"), None);
    }

    #[test]
    fn case_keys_ignore_invisible_characters() {
        // A paid case must not come back as "new" with a character nobody can see.
        for s in [
            "HX-\u{200B}001",
            "HX-001\u{202E}",
            "\u{200E}HX-001",
            "HX\u{00AD}-001",
            "HX-0\u{1}01",
            "HX-001\u{FEFF}",
            "HX-\u{2060}001\u{E0041}",
        ] {
            assert_eq!(case_key(s), Some("HX-001".to_string()), "{s:?}");
        }
        assert_eq!(case_key("\u{200E}\u{FEFF}\u{1}"), None);
        assert_eq!(case_key("HX 001"), Some("HX 001".to_string()));
    }

    #[test]
    fn blank_text_agrees_with_normalize_text() {
        for s in [
            "",
            " ",
            "\u{3000}",
            "\u{00A0}\t\r\n",
            "\u{200B}",
            "\u{FEFF}",
            "\u{2003}",
            "x",
            " 红 ",
            "\u{FF21}",
            "\u{0301}",
            "\u{3000}\u{2003}a",
        ] {
            assert_eq!(is_blank_text(s), normalize_text(s).is_empty(), "{s:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn normalize_is_idempotent(s in arb_text()) {
            let n = normalize_text(&s);
            prop_assert_eq!(normalize_text(&n), n.clone());
            prop_assert_eq!(compact(&compact(&s)), compact(&s));
        }
    }
}
