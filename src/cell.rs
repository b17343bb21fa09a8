//! Placeholder until the parser module lands.
use unicode_normalization::UnicodeNormalization;
pub fn normalize_text(s: &str) -> String {
    let t: String = s.nfkc().collect();
    t.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}').to_string()
}
pub fn compact(s: &str) -> String {
    let t: String = s.nfkc().collect();
    t.chars().filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{feff}').collect()
}
