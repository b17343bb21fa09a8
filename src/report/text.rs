//! The one text-width model of every workbook: how wide a text is, how wide a column must be for
//! it, and how many lines (and so how tall a row) it takes when wrapped.
//!
//! Neither Excel nor LibreOffice re-measures the row heights of a file it opens, so a wrapped
//! cell shows whole only if its row was sized here; the estimate errs on the tall side. The
//! arithmetic is in integers, for 宋体 10 pt: a half-width (ASCII) character is about 6.7 px, a
//! full-width one (Chinese, full-width punctuation, and any other non-ASCII character, on the
//! safe side) twice that, a line 18 px.

/// Display width in half-width units: ASCII 1, anything else 2.
pub fn display_width(s: &str) -> u32 {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Column width in pixels for text of `units` half-width units, clamped to
/// `min_units..=max_units`, with a little padding.
pub fn column_pixels(units: u32, min_units: u32, max_units: u32) -> u32 {
    units.clamp(min_units, max_units.max(min_units)) * 7 + 6
}

/// The pixel width Excel gives a column set to `chars` character units (the default font's
/// 7 px digit plus 5 px padding).
pub fn chars_to_pixels(chars: f64) -> u32 {
    if chars <= 0.0 {
        return 0;
    }
    // Column widths are small positive numbers: the cast cannot overflow.
    let px = if chars < 1.0 {
        chars * 12.0 + 0.5
    } else {
        chars * 7.0 + 0.5 + 5.0
    };
    px as u32
}

/// How many lines `s` takes in a wrapped cell `pixels` wide: a greedy line fill in which a
/// full-width character may start a new line anywhere but a run of ASCII (an ID number, a case
/// number, a file name) only moves whole, as spreadsheet programs wrap. A line break in the
/// text starts a new line; the empty text is one line.
pub fn wrapped_lines(s: &str, pixels: u32) -> u32 {
    // Half-width units per line at 20/3 px each, one kept back for line-start punctuation rules.
    let per_line = (pixels.saturating_sub(6) * 3 / 20).saturating_sub(1).max(2);
    s.split('\n').map(|p| paragraph_lines(p, per_line)).sum()
}

fn paragraph_lines(p: &str, per_line: u32) -> u32 {
    // No character takes more units than its UTF-8 bytes (ASCII 1/1, others 2/≥2): a paragraph
    // whose bytes fit the line fits it, and most cells are that short.
    if u32::try_from(p.len()).is_ok_and(|n| n <= per_line) {
        return 1;
    }
    // The fill of `paragraph_lines_by_token` (tests), a token at a time without collecting them.
    let mut fill = Fill {
        per_line,
        lines: 1,
        used: 0,
    };
    let mut word = 0u32;
    for ch in p.chars() {
        if ch.is_ascii() && !ch.is_ascii_whitespace() {
            word += 1;
            continue;
        }
        if word > 0 {
            fill.place(word);
            word = 0;
        }
        fill.place(if ch.is_ascii() { 1 } else { 2 });
    }
    if word > 0 {
        fill.place(word);
    }
    fill.lines
}

/// A greedy line fill: tokens of `w` units are placed one after another.
struct Fill {
    per_line: u32,
    lines: u32,
    used: u32,
}

impl Fill {
    fn place(&mut self, mut w: u32) {
        if self.used + w <= self.per_line {
            self.used += w;
            return;
        }
        if self.used > 0 {
            self.lines += 1;
        }
        while w > self.per_line {
            w -= self.per_line;
            self.lines += 1;
        }
        self.used = w;
    }
}

/// Half-width units an amount takes shown as ¥#,##0.00: "¥", the digits with their
/// separators, ".00".
pub fn money_units(d: rust_decimal::Decimal) -> u32 {
    let digits = crate::money::fen(d).trunc().abs().to_string().len();
    let digits = u32::try_from(digits).unwrap_or(20);
    2 + digits + digits.saturating_sub(1) / 3 + 3
}

/// Excel's tallest row: 409 points.
pub const MAX_ROW_PIXELS: u32 = 545;

/// Excel's standard row height (15 points) on a sheet whose default was not changed.
pub const STANDARD_ROW_PIXELS: u32 = 20;

/// Row height in pixels for `lines` lines of 10 pt text, at most Excel's limit.
pub fn row_pixels(lines: u32) -> u32 {
    lines
        .clamp(1, MAX_ROW_PIXELS)
        .saturating_mul(18)
        .saturating_add(6)
        .min(MAX_ROW_PIXELS)
}

/// The most lines any of `cells` (text, column width in pixels) takes.
pub fn most_lines<'s>(cells: impl IntoIterator<Item = (&'s str, u32)>) -> u32 {
    cells
        .into_iter()
        .map(|(s, px)| wrapped_lines(s, px))
        .max()
        .unwrap_or(1)
}

/// The value most of `v` have (the smallest on a tie, so the choice is deterministic); None when
/// `v` is empty. Used to pick a sheet's default row height: every row sized apart from the
/// default stays in memory until a constant-memory sheet is saved.
pub fn most_common<T: Ord + Copy>(v: &[T]) -> Option<T> {
    let mut counts: std::collections::BTreeMap<T, usize> = std::collections::BTreeMap::new();
    for x in v {
        *counts.entry(*x).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(x, _)| x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition `paragraph_lines` shortcuts: the paragraph cut into tokens (a run of
    /// ASCII non-space characters, or one other character), then placed.
    fn paragraph_lines_by_token(p: &str, per_line: u32) -> u32 {
        let mut tokens: Vec<u32> = Vec::new();
        let mut word = 0u32;
        for ch in p.chars() {
            if ch.is_ascii() && !ch.is_ascii_whitespace() {
                word += 1;
                continue;
            }
            if word > 0 {
                tokens.push(word);
                word = 0;
            }
            tokens.push(if ch.is_ascii() { 1 } else { 2 });
        }
        if word > 0 {
            tokens.push(word);
        }
        let mut fill = Fill {
            per_line,
            lines: 1,
            used: 0,
        };
        for w in tokens {
            fill.place(w);
        }
        fill.lines
    }

    proptest::proptest! {
        #[test]
        fn the_fill_is_the_definition(p in "[a-z0-9 （）玉溪é\\-]{0,60}", per_line in 2u32..40) {
            proptest::prop_assert_eq!(paragraph_lines(&p, per_line), paragraph_lines_by_token(&p, per_line));
        }
    }

    #[test]
    fn widths_count_wide_characters() {
        assert_eq!(display_width("ab司法所"), 8);
        assert_eq!(display_width("é"), 2);
        assert_eq!(column_pixels(3, 4, 8), 34);
        assert_eq!(column_pixels(30, 4, 8), 62);
        // Excel: 8.43 characters are 64 px, 10 are 75 px.
        assert_eq!(chars_to_pixels(8.43), 64);
        assert_eq!(chars_to_pixels(10.0), 75);
        assert_eq!(chars_to_pixels(0.0), 0);
    }

    #[test]
    fn lines_follow_the_fill() {
        assert_eq!(wrapped_lines("", 100), 1);
        assert_eq!(wrapped_lines("a\nb", 100), 2);
        // 100 px hold 13 units: a 18-digit number cannot share a line with Chinese text.
        assert_eq!(wrapped_lines("号码：530423198809170460", 100), 3);
        assert_eq!(wrapped_lines("一二三四五六七八九十", 100), 2);
        // A run of ASCII longer than a line is broken where it must be.
        assert_eq!(wrapped_lines(&"9".repeat(40), 100), 4);
        assert_eq!(most_lines([("一", 100), ("一二三四五六七八九十", 100)]), 2);
        assert_eq!(most_lines([]), 1);
    }

    #[test]
    fn money_is_measured_with_its_separators() {
        use rust_decimal::Decimal;
        // ¥400.00, ¥130,600.00, ¥1,234,567.89
        assert_eq!(money_units(Decimal::new(40000, 2)), 8);
        assert_eq!(money_units(Decimal::new(13_060_000, 2)), 12);
        assert_eq!(money_units(Decimal::new(123_456_789, 2)), 14);
    }

    #[test]
    fn row_heights_stay_within_excel() {
        assert_eq!(row_pixels(0), 24);
        assert_eq!(row_pixels(1), 24);
        assert_eq!(row_pixels(2), 42);
        assert_eq!(row_pixels(1_000_000), MAX_ROW_PIXELS);
    }
}
