//! The fuzz targets' property (see `fuzz/`), as a short property test in `cargo test`: any
//! bytes, as CSV, as JSON or with a generic profile, are read without a panic, and every
//! refusal names a line inside the file and prints no raw control character.

use billgap::import::ImportOptions;
use billgap::import::probe::{check_joined, check_reading};
use proptest::prelude::*;

/// Seeds from real layouts, so that mutations reach the row rules and not only the header.
fn seeds() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "nce.csv",
        "pax8.csv",
        "halo.csv",
        "connectwise.csv",
        "autotask.csv",
        "nce.json",
        "halo.json",
    ]
    .iter()
    .map(|name| std::fs::read(root.join("tests/fixtures/import").join(name)).expect("seed"))
    .collect()
}

/// A raw API response and the file beside it (`--with`).
fn joined_seeds() -> Vec<(Vec<u8>, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let read = |name: &str| std::fs::read(root.join(name)).expect("seed");
    vec![
        (
            read("connectwise-additions-raw.json"),
            read("connectwise-agreements.json"),
        ),
        (
            read("autotask-units-raw.json"),
            read("autotask-contracts.json"),
        ),
    ]
}

/// A seed with bytes overwritten, inserted and cut at random places.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (0..seeds().len(), edits()).prop_map(|(index, edits)| edit(seeds().swap_remove(index), &edits))
}

/// Random edits: where, which byte, and whether to overwrite, insert or cut there.
fn edits() -> impl Strategy<Value = Vec<(u16, u8, u8)>> {
    prop::collection::vec((any::<u16>(), any::<u8>(), 0_u8..3), 1..12)
}

/// Both files of a joined seed, each edited at random places.
fn mutated_pair() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    (0..joined_seeds().len(), edits(), edits()).prop_map(|(index, main, beside)| {
        let (main_seed, beside_seed) = joined_seeds().swap_remove(index);
        (edit(main_seed, &main), edit(beside_seed, &beside))
    })
}

fn edit(mut bytes: Vec<u8>, edits: &[(u16, u8, u8)]) -> Vec<u8> {
    for &(place, byte, kind) in edits {
        if bytes.is_empty() {
            bytes.push(byte);
            continue;
        }
        let at = usize::from(place) % bytes.len();
        match kind {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => bytes.truncate(at),
        }
    }
    bytes
}

fn options(flags: u8) -> ImportOptions {
    ImportOptions {
        decimal_comma: flags & 1 != 0,
        decimal_point: flags & 2 != 0,
        day_first: flags & 4 != 0,
        skip_bad_rows: flags & 8 != 0,
        ..ImportOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_exports_never_panic_and_refusals_are_located(bytes in mutated(), flags in any::<u8>()) {
        let result = check_reading(&bytes, "export.csv", None, &options(flags));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), flags in any::<u8>()) {
        let result = check_reading(&bytes, "export.csv", None, &options(flags));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn joined_answers_never_panic_and_refusals_are_located_in_their_file((main, beside) in mutated_pair()) {
        let options = ImportOptions { currency: Some("USD".parse().expect("currency")), ..ImportOptions::default() };
        let result = check_joined(&main, "export.json", &beside, &options);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn generic_profiles_never_panic(
        profile in "[a-z_ =\"\\[\\]\n]{0,120}",
        csv in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let options = ImportOptions { format: Some("generic".to_string()), ..ImportOptions::default() };
        let result = check_reading(&csv, "export.csv", Some(profile.as_bytes()), &options);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

#[test]
fn the_joined_seeds_themselves_are_read() {
    let options = ImportOptions {
        currency: Some("USD".parse().expect("currency")),
        ..ImportOptions::default()
    };
    for (main, beside) in joined_seeds() {
        let summary = check_joined(&main, "export.json", &beside, &options).expect("property");
        assert!(summary.is_some_and(|summary| summary.lines > 0));
    }
}

#[test]
fn the_seeds_themselves_are_read() {
    for seed in seeds() {
        let name = if seed.starts_with(b"{") || seed.starts_with(b"[") {
            "seed.json"
        } else {
            "seed.csv"
        };
        let summary =
            check_reading(&seed, name, None, &ImportOptions::default()).expect("property");
        assert!(summary.is_some_and(|summary| summary.lines > 0));
    }
}

/// Found by the `profile` fuzz target: a TOML error quoted the profile's bad line with its raw
/// control character (U+001F), a missing column named by the profile was echoed with its ESC,
/// and an invalid profile currency with its tab, into the message.
#[test]
fn profile_errors_print_no_control_characters() {
    for name in [
        "profile-toml-control-char.bin",
        "profile-missing-column-escape.bin",
        "profile-currency-tab.bin",
    ] {
        profile_case(name);
    }
}

fn profile_case(name: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read(root.join("tests/fixtures/fuzz").join(name)).expect("crash input");
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (profile, rest) = data.split_at(split);
    let options = ImportOptions {
        format: Some("generic".to_string()),
        ..ImportOptions::default()
    };
    let result = check_reading(
        rest.get(1..).unwrap_or_default(),
        "export.csv",
        Some(profile),
        &options,
    );
    assert!(result.is_ok(), "{:?}", result.err());
}
