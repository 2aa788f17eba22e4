//! Any bytes as an API JSON export: no panic, and every refusal located inside the file.
#![no_main]

use billgap::import::ImportOptions;
use billgap::import::probe::check_reading;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A document that does not start like JSON would be read as CSV; make most inputs JSON.
    let mut bytes = data.to_vec();
    if !matches!(bytes.first(), Some(b'{' | b'[')) {
        bytes.insert(0, b'[');
    }
    let options = ImportOptions {
        skip_bad_rows: data.len() % 2 == 0,
        ..ImportOptions::default()
    };
    if let Err(broken) = check_reading(&bytes, "export.json", None, &options) {
        panic!("{broken}");
    }
});
