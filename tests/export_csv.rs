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

#[test]
fn each_gap_names_the_agreement_and_the_subscriptions_behind_it() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::sample_report(folder.path());
    let mut bytes = Vec::new();
    write_report(&report, ExportFormat::Csv, &mut bytes).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|row| row.expect("row")).collect();
    let find = |section: &str, company: &str, product: &str| {
        rows.iter()
            .find(|row| {
                &row[column("section")] == section
                    && &row[column("company_id")] == company
                    && &row[column("product_id")] == product
            })
            .unwrap_or_else(|| panic!("{section} {company} {product}"))
    };
    let references = |row: &csv::StringRecord| {
        (
            row[column("psa_agreement_id")].to_string(),
            row[column("psa_addition_id")].to_string(),
            row[column("vendor_subscription_id")].to_string(),
        )
    };
    // Smith & Associates: agreement 3164 bills 16 seats on addition 40104; Microsoft
    // subscription eba02325 has 18, on two lines (the renewal and a seat added), named once.
    assert_eq!(
        references(find("still open", "SmithAssoc", "M365-BP-M")),
        (
            "3164".to_string(),
            "40104".to_string(),
            "eba02325-c2d7-4d99-afd2-3e1e40ee1a95".to_string()
        )
    );
    // A product no agreement bills: only the vendor subscription is there to name.
    assert_eq!(
        references(find("still open", "Brightline", "M365-BP-M")),
        (
            String::new(),
            String::new(),
            "1a4d2af7-e9f9-4347-a187-816f0f262856".to_string()
        )
    );
    // Meridian's tenant is ignored since the saved review: its agreement bills seats that no
    // subscription stands behind.
    assert_eq!(
        references(find("new", "Meridian", "M365-BS-M")),
        ("3203".to_string(), "40111".to_string(), String::new())
    );
}
