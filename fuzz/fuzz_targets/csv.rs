//! Any bytes as a CSV export: no panic, and every refusal located inside the file.
#![no_main]

use billgap::import::ImportOptions;
use billgap::import::probe::check_reading;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the reading options, so flags are fuzzed along with the bytes.
    let (flags, bytes) = data.split_first().map_or((0, data), |(f, rest)| (*f, rest));
    let options = ImportOptions {
        decimal_comma: flags & 1 != 0,
        decimal_point: flags & 2 != 0,
        day_first: flags & 4 != 0,
        skip_bad_rows: flags & 8 != 0,
        ..ImportOptions::default()
    };
    if let Err(broken) = check_reading(bytes, "export.csv", None, &options) {
        panic!("{broken}");
    }
});
