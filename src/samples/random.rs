//! Seeded randomness for the generators: one independent stream per (generator, county, stream
//! number), so that the same seed always gives the same files and a change in one county's rows
//! never moves another county's.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The claim generator's streams (it came first and keeps its original streams).
pub(super) const CLAIM_SALT: u64 = 0;
/// "STAFF_B2": keeps the staff generator's streams apart from the claim generator's.
pub(super) const STAFF_SALT: u64 = 0x5354_4146_465F_4232;

/// SplitMix64 finaliser: mixes the seed with the county index, a stream number and the salt.
fn mix(seed: u64, salt: u64, county: usize, stream: u64) -> u64 {
    let mut z = seed
        ^ (county as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)
        ^ salt;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) fn rng_for(seed: u64, salt: u64, county: usize, stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(seed, salt, county, stream))
}

/// One item, uniformly; `None` (and no draw) for an empty slice.
pub(super) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        return None;
    }
    items.get(rng.random_range(0..items.len()))
}

pub(super) fn pick_or<T: Copy>(rng: &mut ChaCha8Rng, items: &[T], fallback: T) -> T {
    pick(rng, items).copied().unwrap_or(fallback)
}

/// One item with probability proportional to its weight.
pub(super) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return Some(*item);
        }
        x -= w;
    }
    items.last().map(|(item, _)| *item)
}

pub(super) fn random_day(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}
