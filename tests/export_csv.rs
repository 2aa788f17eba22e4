//! The CSV report holds one row type: gaps, each with its delta section, so that a spreadsheet
//! filter on `section` gives the same four sections as every other format, and SUM(value)
//! over a section equals that section's money.

#[allow(dead_code)]
mod export_support;

use billgap::export::{CsvTable, ExportFormat, write_csv_table, write_report};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn rows(table: CsvTable) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let report = export_support::delta_report();
    let mut bytes = Vec::new();
    if table == CsvTable::Gaps {
        write_report(&report, ExportFormat::Csv, &mut bytes).expect("csv");
    } else {
        write_csv_table(&report, table, &mut bytes).expect("csv");
    }
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().expect("headers").clone();
    let rows = reader.records().map(|row| row.expect("row")).collect();
    (headers, rows)
}

#[test]
fn every_gap_row_carries_its_section_and_the_sums_match_the_sections() {
    let (headers, rows) = rows(CsvTable::Gaps);
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let mut money: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for row in &rows {
        let section = row[column("section")].to_string();
        *count.entry(section.clone()).or_default() += 1;
        if let Ok(value) = row[column("value")].parse::<Decimal>() {
            *money
                .entry((section, row[column("currency")].to_string()))
                .or_default() += value.abs();
        }
        assert_eq!(&row[column("generated_on")], "2026-11-25", "{row:?}");
    }
    let expected: BTreeMap<String, usize> =
        [("new", 1), ("worse", 1), ("still open", 2), ("fixed", 1)]
            .into_iter()
            .map(|(section, n)| (section.to_string(), n))
            .collect();
    assert_eq!(count, expected);
    // The same money per section and currency as the Markdown report's headline table.
    let usd = |section: &str| {
        money
            .get(&(section.to_string(), "USD".to_string()))
            .copied()
    };
    assert_eq!(usd("new"), Some(Decimal::new(5000, 2)));
    assert_eq!(usd("fixed"), Some(Decimal::new(2000, 2)));
    assert_eq!(usd("still open"), Some(Decimal::new(3800, 2)));
    let fixed = rows
        .iter()
        .find(|row| &row[column("section")] == "fixed")
        .expect("a fixed row");
    assert_eq!(&fixed[column("status")], "resolved");
    assert_eq!(&fixed[column("company")], "Fixed Co");
}

#[test]
fn clients_and_coverage_are_files_of_their_own() {
    let (headers, clients) = rows(CsvTable::Clients);
    assert!(headers.iter().any(|h| h == "net_value"));
    assert!(headers.iter().all(|h| h != "kind"), "no gap columns");
    assert!(!clients.is_empty());
    let (headers, coverage) = rows(CsvTable::Coverage);
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "generated_on",
            "vendor_period",
            "currency",
            "vendor_spend",
            "mapped",
            "ignored",
            "coverage"
        ]
    );
    assert!(!coverage.is_empty());
}
