//! Any bytes as a raw API response and the file beside it (`--with`), split at the first NUL:
//! no panic, and every refusal located inside the file it names.
#![no_main]

use billgap::import::ImportOptions;
use billgap::import::probe::check_joined;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (main, beside) = data.split_at(split);
    let beside = beside.get(1..).unwrap_or_default();
    let options = ImportOptions {
        // Autotask units carry no currency.
        currency: Some("USD".parse().expect("a currency")),
        ..ImportOptions::default()
    };
    if let Err(broken) = check_joined(main, "export.json", beside, &options) {
        panic!("{broken}");
    }
});
