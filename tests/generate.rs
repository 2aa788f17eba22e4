//! `billgap generate`: the same seed gives the same bytes, and the files hold exactly the gaps
//! the truth file lists once the truth's mappings are applied.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn out(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_the_gaps_match_the_truth() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("db.sqlite");
    let (first, second) = (folder.path().join("a"), folder.path().join("b"));
    for dir in [&first, &second] {
        let generated = billgap(
            &database,
            &[
                "generate",
                "--clients",
                "300",
                "--lines",
                "3000",
                "--seed",
                "7",
                "--out",
                dir.to_str().expect("utf-8"),
            ],
        );
        assert!(generated.status.success(), "{}", out(&generated));
    }
    for name in [
        "partner-center-nce.csv",
        "connectwise-additions.csv",
        "mappings.csv",
        "expected-gaps.csv",
    ] {
        assert_eq!(
            std::fs::read(first.join(name)).expect("first"),
            std::fs::read(second.join(name)).expect("second"),
            "{name} differs between two runs with one seed"
        );
    }
    let file = |name: &str| first.join(name).display().to_string();
    let import = billgap(
        &database,
        &[
            "import",
            &file("partner-center-nce.csv"),
            &file("connectwise-additions.csv"),
        ],
    );
    assert!(import.status.success(), "{}", out(&import));
    let mapped = billgap(&database, &["map", "--from", &file("mappings.csv")]);
    assert!(mapped.status.success(), "{}", out(&mapped));
    let gaps = billgap(
        &database,
        &["gaps", "--format", "json", "--threshold", "1000000"],
    );
    let report: serde_json::Value = serde_json::from_slice(&gaps.stdout).expect("json report");
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for gap in report["gaps"].as_array().expect("gaps") {
        *found
            .entry(gap["gap"]["kind"].as_str().expect("kind").to_string())
            .or_default() += 1;
    }
    let mut truth: BTreeMap<String, usize> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(first.join("expected-gaps.csv")).expect("truth");
    for row in reader.records() {
        *truth.entry(row.expect("row")[2].to_string()).or_default() += 1;
    }
    assert_eq!(found, truth, "billgap finds exactly the planted gaps");
    // The counts an independent script computed for 300 clients and seed 7.
    let expected: BTreeMap<String, usize> = [
        ("unbilled", 22),
        ("overbilled", 23),
        ("missing", 10),
        ("orphan", 8),
        ("price", 14),
    ]
    .into_iter()
    .map(|(kind, n)| (kind.to_string(), n))
    .collect();
    assert_eq!(truth, expected);
}
