//! The cell-value parsers of `payrun::cell` on arbitrary text and decimals. Everything there
//! claims to be total (no panic for any input); a few round-trip properties are checked too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrun::cell::*;
use rust_decimal::Decimal;

fn decimal_from(b: &[u8]) -> Option<Decimal> {
    let mut m = [0u8; 12];
    for (d, s) in m.iter_mut().zip(b) {
        *d = *s;
    }
    let lo = u32::from_le_bytes([m[0], m[1], m[2], m[3]]);
    let mid = u32::from_le_bytes([m[4], m[5], m[6], m[7]]);
    let hi = u32::from_le_bytes([m[8], m[9], m[10], m[11]]);
    let flags = b.get(12).copied().unwrap_or(0);
    Some(Decimal::from_parts(
        lo,
        mid,
        hi,
        flags & 0x80 != 0,
        u32::from(flags & 0x7f) % 29,
    ))
}

fuzz_target!(|data: &[u8]| {
    payrun_fuzz::install_hook();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
    let s = String::from_utf8_lossy(data);

    let c = compact(&s);
    if compact(&c) != c {
        payrun_fuzz::bug(&format!("compact is not idempotent on {s:?}"));
    }
    let _ = normalize_text(&s);
    let _ = case_key(&s);
    if let Ok(d) = parse_date_text(&s) {
        let again = parse_date_text(&d.format("%Y-%m-%d").to_string());
        if again != Ok(d) {
            payrun_fuzz::bug(&format!(
                "date {d} from {s:?} does not parse back: {again:?}"
            ));
        }
    }
    if let Ok(m) = parse_money_text(&s)
        && m.is_sign_negative()
        && !m.is_zero()
    {
        payrun_fuzz::bug(&format!("negative amount accepted: {s:?} → {m}"));
    }
    let _ = parse_daxie(&s);
    if let Ok(id) = check_id_text(&s, today)
        && check_id_text(&id, today) != Ok(id.clone())
    {
        payrun_fuzz::bug(&format!("checked ID {id} does not check again"));
    }

    if let Some(d) = decimal_from(data) {
        let _ = parse_date_number(d, false);
        let _ = parse_date_number(d, true);
        let _ = number_lost_precision(d);
        let _ = integer_text(d);
        let text = format_daxie(d);
        if let Ok(m) = check_money(d)
            && m < Decimal::from(10_000_000_000_000_000i64)
        {
            match parse_money_text(&text) {
                Ok(back) if back == m => {}
                other => payrun_fuzz::bug(&format!(
                    "format_daxie({m}) = {text} reads back as {other:?}"
                )),
            }
            // The same amount typed as digits reads back too.
            let digits = m.to_string();
            if parse_money_text(&digits) != Ok(m) {
                payrun_fuzz::bug(&format!("{digits} does not read back"));
            }
        }
    }
});
