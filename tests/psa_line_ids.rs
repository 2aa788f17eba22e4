//! Each PSA format keeps the id of the record a billing owner corrects (the ConnectWise
//! addition, the Autotask contract service, the Halo or Syncro line), and the store gives it
//! back beside the line, so a report can name the record to fix.

use billgap::domain::lines::Line;
use billgap::domain::money::Currency;
use billgap::import::{ImportOptions, parse_file};
use billgap::store::Store;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn read(path: &Path, options: &ImportOptions) -> Vec<Line> {
    let mut lines = Vec::new();
    parse_file(path, options, &mut lines, &mut |_| {})
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    lines
}

fn ids(lines: &[Line]) -> Vec<Option<&str>> {
    lines.iter().map(|line| line.line_id.as_deref()).collect()
}

fn written(text: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temp");
    let path = folder.path().join(name);
    std::fs::write(&path, text).expect("write");
    (folder, path)
}

#[test]
fn connectwise_additions_keep_their_own_id_in_csv_and_json() {
    let sample = read(
        &fixture("assets/sample/connectwise-additions-2026-10.csv"),
        &ImportOptions::default(),
    );
    assert_eq!(ids(&sample[..2]), [Some("40101"), Some("40102")]);
    // The API answer: the addition's `id`, not its agreement's, company's or product's.
    let json = read(
        &fixture("tests/fixtures/import/connectwise.json"),
        &ImportOptions::default(),
    );
    assert_eq!(ids(&json), [Some("11")]);
    assert_eq!(json[0].subscription.as_deref(), Some("3138"));
}

#[test]
fn autotask_units_name_their_contract_service() {
    let lines = read(
        &fixture("tests/fixtures/import/autotask.csv"),
        &ImportOptions::default(),
    );
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.line_id.is_some(), "{line:?}");
        assert_ne!(
            line.line_id, line.subscription,
            "the service, not the contract"
        );
    }
}

#[test]
fn a_halo_line_has_its_own_id_and_never_its_invoice_s() {
    let lines = read(
        &fixture("tests/fixtures/import/halo.json"),
        &ImportOptions::default(),
    );
    assert_eq!(ids(&lines), [Some("1")]);
    // A line without an id of its own does not take the invoice's 501.
    let (_folder, path) = written(
        r#"{"invoices": [{"id": 501, "client_id": 12, "client_name": "Contoso",
            "currency_code": "EUR", "lines": [{"item_code": "M365-BP", "qty_order": 14,
            "unit_price": 30, "isinactive": false}]}]}"#,
        "halo.json",
    );
    let lines = read(&path, &ImportOptions::default());
    assert_eq!(ids(&lines), [None]);
}

#[test]
fn a_syncro_schedule_line_keeps_its_id() {
    let (_folder, path) = written(
        r#"{"schedules": [{"id": 7, "customer_id": 101, "name": "Monthly IT",
            "frequency": "Monthly", "paused": false, "lines": [{"id": 71, "schedule_id": 7,
            "product_id": 55, "name": "M365 Business Premium", "quantity": "14.0",
            "price_retail": 22.0, "price_cost": 19.8, "one_time_charge": false}]}]}"#,
        "syncro.json",
    );
    let options = ImportOptions {
        currency: Some(Currency::parse("USD").expect("code")),
        ..ImportOptions::default()
    };
    assert_eq!(ids(&read(&path, &options)), [Some("71")]);
}

#[test]
fn the_store_gives_each_line_its_id_back() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("billgap.sqlite");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["--db"])
        .arg(&database)
        .arg("import")
        .arg(fixture("assets/sample/connectwise-additions-2026-10.csv"))
        .status()
        .expect("runs");
    assert!(status.success());
    let store = Store::open(&database).expect("opens");
    let stored = store.import_lines_stored(1).expect("lines");
    let first: Vec<(i64, Option<&str>)> = stored
        .iter()
        .take(3)
        .map(|audit| (audit.line.source_line, audit.line.line_id.as_deref()))
        .collect();
    assert_eq!(
        first,
        [(2, Some("40101")), (3, Some("40102")), (4, Some("40103"))]
    );
}
