//! Like `workbook`, and also writes every output and the ledger (see src/lib.rs for
//! what counts as a finding). The first byte picks the file extension, so discovery and the
//! format sniffing both see every kind of name.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};

const NAMES: [&str; 5] = ["f.xlsx", "f.xlsm", "f.xls", "f.xlsb", "f.ods"];

fuzz_target!(|data: &[u8]| {
    payrun_fuzz::install_hook();
    let name = NAMES[usize::from(data.first().copied().unwrap_or(0) % 5)];
    payrun_fuzz::run_pipeline(data, name, true);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    // Three times in four, mutate inside a zip part; otherwise (and for non-zip inputs) bytes.
    if !seed.is_multiple_of(4)
        && let Some(n) = payrun_fuzz::mutate_zip(data, size, max_size, seed / 4)
    {
        return n;
    }
    libfuzzer_sys::fuzzer_mutate(data, size, max_size)
});
