//! Any generic profile (TOML) with any CSV: no panic, and every refusal located or named.
#![no_main]

use billgap::import::ImportOptions;
use billgap::import::probe::check_reading;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The profile and the CSV are separated by the first NUL byte.
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (profile, rest) = data.split_at(split);
    let csv = rest.get(1..).unwrap_or_default();
    let options = ImportOptions {
        format: Some("generic".to_string()),
        ..ImportOptions::default()
    };
    if let Err(broken) = check_reading(csv, "export.csv", Some(profile), &options) {
        panic!("{broken}");
    }
});
