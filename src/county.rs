//! Counties and the many names they go by (SPEC §2). Matching ignores a trailing 司法局,
//! surrounding spaces and full-width/half-width forms, and a leading 云南省/玉溪市 that some
//! offices write in their 填报单位 line.

use std::collections::HashMap;
use std::fmt;

use serde::{Serialize, Serializer};

/// A six-digit administrative division code such as 530402.
///
/// Kept inline (six ASCII digits), not as a `String`: every claim and decision carries one or two,
/// and a province's million rows would otherwise hold two million tiny heap strings. Ordering and
/// hashing are those of the digit string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountyCode([u8; 6]);

impl CountyCode {
    pub fn new(s: &str) -> Option<CountyCode> {
        let s = s.trim();
        let digits: [u8; 6] = s.as_bytes().try_into().ok()?;
        digits
            .iter()
            .all(|b| b.is_ascii_digit())
            .then_some(CountyCode(digits))
    }
    pub fn as_str(&self) -> &str {
        // Six ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for CountyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountyCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Alias → code, keyed by the matching form of each name.
#[derive(Debug, Clone, Default)]
pub struct CountyRegistry {
    by_label: HashMap<String, CountyCode>,
}

fn matching_form(s: &str) -> String {
    let mut t = crate::cell::compact(s);
    for prefix in ["云南省", "玉溪市"] {
        if let Some(rest) = t.strip_prefix(prefix)
            && !rest.is_empty()
        {
            t = rest.to_string();
        }
    }
    if let Some(rest) = t.strip_suffix("司法局")
        && !rest.is_empty()
    {
        t = rest.to_string();
    }
    t
}

impl CountyRegistry {
    /// Registers a label; returns the code it already belonged to when it is taken.
    pub fn insert(&mut self, label: &str, code: &CountyCode) -> Option<CountyCode> {
        let key = matching_form(label);
        match self.by_label.get(&key) {
            Some(prev) => Some(prev.clone()),
            None => {
                self.by_label.insert(key, code.clone());
                None
            }
        }
    }

    /// Exact resolution of a county cell value.
    pub fn resolve(&self, raw: &str) -> Option<&CountyCode> {
        let key = matching_form(raw);
        if key.is_empty() {
            return None;
        }
        self.by_label.get(&key)
    }

    /// Resolution of a 填报单位 text such as "玉溪市红塔区司法局玉带路司法所": exact first, then the
    /// longest known name contained in it — but only when every name found points at one county.
    pub fn resolve_in_text(&self, raw: &str) -> Option<&CountyCode> {
        if let Some(c) = self.resolve(raw) {
            return Some(c);
        }
        let text = crate::cell::compact(raw);
        let mut best: Option<(&String, &CountyCode)> = None;
        for (label, code) in &self.by_label {
            if label.chars().count() >= 2 && text.contains(label.as_str()) {
                match best {
                    Some((_, c)) if c != code => return None,
                    Some((l, _)) if l.len() >= label.len() => {}
                    _ => best = Some((label, code)),
                }
            }
        }
        best.map(|(_, c)| c)
    }
}
