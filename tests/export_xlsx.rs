//! The Excel report read back from its bytes: five sheets, typed cells (money as numbers with
//! the currency in the number format, dates as dates), a frozen header, an autofilter, fitted
//! column widths, and text only ever stored as strings, so `=1+2` cannot become a formula.

#[allow(dead_code)]
mod export_support;

use billgap::export::{ExportFormat, write_report};
use export_support::{FORMULA, HOSTILE, Xlsx, XlsxCell, rows};
use std::collections::BTreeMap;

fn xlsx(report: &billgap::domain::report::Report) -> Xlsx {
    let mut bytes = Vec::new();
    write_report(report, ExportFormat::Xlsx, &mut bytes).expect("xlsx");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip archive");
    Xlsx::read(&bytes)
}

fn text(value: &str) -> XlsxCell {
    XlsxCell::Text(value.to_string())
}

fn money(value: f64, currency: &str) -> XlsxCell {
    XlsxCell::Number {
        value,
        format: format!("#,##0.00 \"{currency}\""),
    }
}

/// The data rows of a list sheet, keyed by header text.
fn records(book: &Xlsx, sheet: &str) -> Vec<BTreeMap<String, XlsxCell>> {
    let rows = rows(&book.cells(sheet));
    let header: BTreeMap<String, String> = rows[&1]
        .iter()
        .map(|(column, cell)| match cell {
            XlsxCell::Text(name) => (column.clone(), name.clone()),
            other => panic!("header cell {other:?}"),
        })
        .collect();
    rows.iter()
        .filter(|(row, _)| **row > 1)
        .map(|(_, cells)| {
            cells
                .iter()
                .map(|(column, cell)| (header[column].clone(), cell.clone()))
                .collect()
        })
        .collect()
}

#[test]
fn the_workbook_has_the_five_sheets_a_billing_owner_expects() {
    let book = xlsx(&export_support::delta_report());
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Gaps", "Clients", "Fixed", "Coverage"]
    );
    for index in 1..=5 {
        assert!(
            book.members()
                .contains(&format!("xl/worksheets/sheet{index}.xml"))
        );
    }
}

#[test]
fn text_is_always_a_string_cell_and_no_cell_is_a_formula() {
    let book = xlsx(&export_support::delta_report());
    let strings = book.shared_strings();
    assert!(strings.iter().any(|s| s == FORMULA), "{strings:?}");
    assert!(strings.iter().any(|s| s == HOSTILE), "{strings:?}");
    for sheet in book.sheet_names() {
        let xml = book.sheet_xml(&sheet);
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{sheet}");
        assert!(!xml.contains("t=\"str\""), "{sheet}: formula results");
    }
    let gaps = records(&book, "Gaps");
    let formula_row = gaps
        .iter()
        .find(|row| row["Client"] == text(FORMULA))
        .expect("the formula client's gap");
    assert_eq!(formula_row["Section"], text("worse"));
}

#[test]
fn gap_rows_are_typed_money_numbers_dates_and_counts() {
    let book = xlsx(&export_support::delta_report());
    let gaps = records(&book, "Gaps");
    assert_eq!(gaps.len(), 4, "one row per current gap");
    let sections: Vec<&XlsxCell> = gaps.iter().map(|row| &row["Section"]).collect();
    assert_eq!(
        sections,
        [
            &text("new"),
            &text("worse"),
            &text("still open"),
            &text("still open")
        ]
    );

    let hostile = gaps
        .iter()
        .find(|row| row["Client"] == text(HOSTILE))
        .expect("hostile client row");
    assert_eq!(hostile["Value / month"], money(50.0, "USD"));
    assert_eq!(hostile["Currency"], text("USD"));
    assert_eq!(
        hostile["Vendor seats"],
        XlsxCell::Number {
            value: 12.0,
            format: "General".into()
        }
    );
    assert_eq!(
        hostile["First seen"],
        XlsxCell::Number {
            value: export_support::excel_serial(export_support::today()),
            format: "yyyy-mm-dd".into()
        }
    );
    assert_eq!(
        hostile["PSA unit price"],
        XlsxCell::Number {
            value: 25.0,
            format: "#,##0.00#### \"USD\"".into()
        }
    );

    let lakeshore = gaps
        .iter()
        .find(|row| row["Client"] == text("Lakeshore"))
        .expect("Lakeshore row");
    assert_eq!(lakeshore["Value / month"], money(7.5, "CAD"));
    assert_eq!(lakeshore["Status"], text("unchanged"));
    assert_eq!(
        lakeshore["First seen"],
        XlsxCell::Number {
            value: export_support::excel_serial(export_support::first_seen()),
            format: "yyyy-mm-dd".into()
        }
    );
    assert_eq!(
        lakeshore["Age (days)"],
        XlsxCell::Number {
            value: 55.0,
            format: "General".into()
        }
    );
    // 100.00 to the previous review, plus 7.50 × 7 / 30 since.
    assert_eq!(lakeshore["Cost to date"], money(101.75, "CAD"));
}

#[test]
fn the_gaps_sheet_has_a_frozen_header_an_autofilter_and_fitted_widths() {
    let book = xlsx(&export_support::delta_report());
    let xml = book.sheet_xml("Gaps");
    assert!(xml.contains("state=\"frozen\""), "frozen pane");
    assert!(xml.contains("ySplit=\"1\""), "below the header row");
    assert!(xml.contains("<autoFilter ref=\"A1:U5\"/>"), "{xml}");
    // Adjacent columns of equal width share one <col min max> element.
    let mut widths: Vec<f64> = Vec::new();
    for col in export_support::unzip::xml::elements(&xml, "col") {
        let attribute = |name: &str| {
            export_support::unzip::xml::attribute(col, name).unwrap_or_else(|| panic!("{name}"))
        };
        let span: usize = attribute("max").parse::<usize>().expect("max")
            - attribute("min").parse::<usize>().expect("min")
            + 1;
        let width: f64 = attribute("width").parse().expect("width");
        widths.extend(std::iter::repeat_n(width, span));
    }
    assert_eq!(widths.len(), 21, "every column sized");
    assert!(widths.iter().all(|width| (8.0..=61.0).contains(width)));
    for list in ["Clients", "Fixed", "Coverage"] {
        let xml = book.sheet_xml(list);
        assert!(xml.contains("state=\"frozen\""), "{list}");
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{list}");
    }
}

#[test]
fn the_summary_has_coverage_money_at_stake_and_the_section_counts() {
    let book = xlsx(&export_support::delta_report());
    let rows = rows(&book.cells("Summary"));
    let find = |label: &str| {
        rows.values()
            .find(|row| row.get("A") == Some(&text(label)))
            .unwrap_or_else(|| panic!("row {label}: {rows:?}"))
            .clone()
    };
    assert_eq!(
        find("Generated on")["B"],
        XlsxCell::Number {
            value: export_support::excel_serial(export_support::today()),
            format: "yyyy-mm-dd".into()
        }
    );
    // Money at stake per currency: revenue not billed (50 + 60 USD) and refund risk (38 USD),
    // per month and per year, never added across currencies.
    let usd = rows
        .values()
        .filter(|row| row.get("A") == Some(&text("USD")))
        .find(|row| row.get("G").is_some())
        .expect("USD money at stake row");
    assert_eq!(usd["B"], money(110.0, "USD"));
    assert_eq!(usd["C"], money(38.0, "USD"));
    assert_eq!(usd["D"], money(148.0, "USD"));
    assert_eq!(usd["G"], money(1776.0, "USD"));
    let coverage = rows
        .values()
        .find(|row| row.get("A") == Some(&text("USD")) && row.get("F").is_some())
        .expect("USD coverage row");
    match &coverage["F"] {
        XlsxCell::Number { value, format } => {
            assert_eq!(format, "0.0%");
            assert!(*value < 1.0, "one USD customer is unmapped: {value}");
        }
        other => panic!("coverage share {other:?}"),
    }

    let new = find("New since the previous saved review");
    assert_eq!(
        new["B"],
        XlsxCell::Number {
            value: 1.0,
            format: "General".into()
        }
    );
    let still_open = find("Still open");
    assert_eq!(
        still_open["B"],
        XlsxCell::Number {
            value: 2.0,
            format: "General".into()
        }
    );
    let fixed = find("Fixed since the previous saved review");
    assert_eq!(
        fixed["B"],
        XlsxCell::Number {
            value: 1.0,
            format: "General".into()
        }
    );
    let header = find("Since the previous saved review");
    let usd_column = header
        .iter()
        .find(|(_, cell)| **cell == text("USD / month"))
        .map(|(column, _)| column.clone())
        .expect("a USD column");
    assert_eq!(fixed[&usd_column], money(20.0, "USD"));
    assert_eq!(still_open[&usd_column], money(38.0, "USD"));
}

#[test]
fn clients_fixed_and_coverage_sheets_hold_their_rows() {
    let book = xlsx(&export_support::delta_report());
    let clients = records(&book, "Clients");
    assert_eq!(clients.len(), 4, "one row per client and currency");
    let lakeshore = clients
        .iter()
        .find(|row| row["Client"] == text("Lakeshore"))
        .expect("Lakeshore");
    assert_eq!(lakeshore["At stake / month"], money(7.5, "CAD"));
    assert_eq!(lakeshore["Threshold / month"], money(100.0, "CAD"));
    assert_eq!(lakeshore["Over threshold"], text("no"));

    let fixed = records(&book, "Fixed");
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["Client"], text("Fixed Co"));
    assert_eq!(fixed[0]["Value / month then"], money(20.0, "USD"));
    assert_eq!(fixed[0]["Cost to date"], money(100.0, "USD"));
    assert_eq!(
        fixed[0]["Last seen"],
        XlsxCell::Number {
            value: export_support::excel_serial(export_support::previous_review()),
            format: "yyyy-mm-dd".into()
        }
    );

    let coverage = records(&book, "Coverage");
    let unmapped: Vec<(XlsxCell, XlsxCell)> = coverage
        .iter()
        .map(|row| (row["Unmapped"].clone(), row["Vendor key"].clone()))
        .collect();
    assert_eq!(
        unmapped,
        [
            (text("customer"), text("tenant-unknown")),
            (text("product"), text("UNKNOWN-SKU"))
        ]
    );
}

#[test]
fn the_sample_data_through_a_real_store_fills_every_sheet() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::sample_report(folder.path());
    let book = xlsx(&report);
    let gaps = records(&book, "Gaps");
    assert_eq!(gaps.len(), report.gaps.len());
    assert!(
        gaps.iter().all(|row| matches!(
            row.get("Value / month"),
            Some(XlsxCell::Number { format, .. }) if format.starts_with("#,##0.00 \"")
        ) || row.get("Value / month").is_none()),
        "money cells carry their currency"
    );
    assert!(
        gaps.iter().any(|row| row["Section"] == text("still open")
            && row["Age (days)"]
                == XlsxCell::Number {
                    value: 7.0,
                    format: "General".into()
                }),
        "gaps of the saved review are a week older"
    );
    let fixed = records(&book, "Fixed");
    assert!(
        fixed.iter().any(|row| row["Client ID"] == text("Meridian")),
        "{fixed:?}"
    );
}
