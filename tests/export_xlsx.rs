//! The Excel report read back by an independent reader (calamine): five sheets, typed cells
//! (money as numbers with the currency in the number format, dates as dates), a frozen header,
//! an autofilter, fitted column widths, text only ever stored as strings (so `=1+2` cannot
//! become a formula), and Summary totals that equal the sum of the Gaps rows per currency.

#[allow(dead_code)]
mod export_support;

use billgap::export::{ExportFormat, write_report};
use calamine::{Data, DataType};
use export_support::workbook::{Book, excel_serial, xml};
use export_support::{FORMULA, HOSTILE};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn book(report: &billgap::domain::report::Report) -> Book {
    let mut bytes = Vec::new();
    write_report(report, ExportFormat::Xlsx, &mut bytes).expect("xlsx");
    Book::read(&bytes)
}

fn text(value: &str) -> Data {
    Data::String(value.to_string())
}

/// A number cell's value in cents, exactly: the spreadsheet stores a double, and billgap
/// rounds every total to cents before writing it.
fn cents(cell: &Data) -> Decimal {
    match cell {
        Data::Float(value) => Decimal::try_from(*value)
            .expect("a finite number")
            .round_dp(2),
        Data::Int(value) => Decimal::from(*value),
        other => panic!("a number cell, not {other:?}"),
    }
}

/// A date cell's Excel serial number; panics on anything but a date.
fn date(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(date) => date.as_f64(),
        other => panic!("a date cell, not {other:?}"),
    }
}

/// The row and column of a data row's cell under a header, on a list sheet.
fn column(book: &mut Book, sheet: &str, header: &str) -> u32 {
    let (row, column) = book.find(sheet, header);
    assert_eq!(row, 0, "{header} is a header of {sheet}");
    column
}

#[test]
fn the_workbook_has_the_five_sheets_a_billing_owner_expects() {
    let mut book = book(&export_support::delta_report());
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Gaps", "Clients", "Fixed", "Coverage"]
    );
    let header: Vec<Data> = book.range("Gaps").rows().next().expect("header").to_vec();
    let expected = [
        "Section",
        "Status",
        "Client",
        "Client ID",
        "Product",
        "Product ID",
        "Term",
        "Kind",
        "Currency",
        "Vendor seats",
        "PSA seats",
        "Delta seats",
        "PSA unit price",
        "Vendor unit cost",
        "Value / month",
        "Cost / month",
        "Price basis",
        "First seen",
        "Age (days)",
        "Cost to date",
        "Over threshold",
        "PSA agreement",
        "PSA addition",
        "Vendor subscription",
    ];
    assert_eq!(header, expected.map(text));
}

#[test]
fn text_is_always_a_string_cell_and_no_cell_is_a_formula() {
    let mut book = book(&export_support::delta_report());
    for sheet in book.sheet_names() {
        assert_eq!(book.formulas(&sheet), Vec::<String>::new(), "{sheet}");
    }
    let gaps = book.records("Gaps");
    let formula_row = gaps
        .iter()
        .find(|row| row["Client"] == text(FORMULA))
        .expect("the formula client's gap, its name a string cell");
    assert_eq!(formula_row["Section"], text("worse"));
    assert!(gaps.iter().any(|row| row["Client"] == text(HOSTILE)));
    let clients = book.records("Clients");
    assert!(clients.iter().any(|row| row["Client"] == text(FORMULA)));
}

#[test]
fn gap_rows_are_typed_money_numbers_dates_and_counts() {
    let mut book = book(&export_support::delta_report());
    let gaps = book.records("Gaps");
    assert_eq!(gaps.len(), 4, "one row per current gap");
    let sections: Vec<&Data> = gaps.iter().map(|row| &row["Section"]).collect();
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
    assert_eq!(hostile["Value / month"], Data::Float(50.0));
    assert_eq!(hostile["Currency"], text("USD"));
    assert_eq!(hostile["Vendor seats"], Data::Float(12.0));
    assert_eq!(hostile["PSA unit price"], Data::Float(25.0));
    assert_eq!(
        date(&hostile["First seen"]),
        excel_serial(export_support::today())
    );

    let lakeshore = gaps
        .iter()
        .find(|row| row["Client"] == text("Lakeshore"))
        .expect("Lakeshore row");
    assert_eq!(lakeshore["Value / month"], Data::Float(7.5));
    assert_eq!(lakeshore["Status"], text("unchanged"));
    assert_eq!(
        date(&lakeshore["First seen"]),
        excel_serial(export_support::first_seen())
    );
    assert_eq!(lakeshore["Age (days)"], Data::Float(55.0));
    // 100.00 to the previous review, plus 7.50 × 7 / 30 since.
    assert_eq!(cents(&lakeshore["Cost to date"]), Decimal::new(10175, 2));
}

#[test]
fn a_money_cell_is_a_number_with_its_currency_in_the_format() {
    let mut book = book(&export_support::delta_report());
    let value = column(&mut book, "Gaps", "Value / month");
    let unit = column(&mut book, "Gaps", "PSA unit price");
    let currency = column(&mut book, "Gaps", "Currency");
    let range = book.range("Gaps");
    let mut checked = 0;
    for (row, cells) in range.rows().enumerate().skip(1) {
        let Data::String(code) = &cells[currency as usize] else {
            continue;
        };
        assert!(matches!(cells[value as usize], Data::Float(_)), "{cells:?}");
        let row = row as u32;
        assert_eq!(
            book.number_format("Gaps", row, value),
            format!("#,##0.00 \"{code}\"")
        );
        assert_eq!(
            book.number_format("Gaps", row, unit),
            format!("#,##0.00#### \"{code}\"")
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
    let first_seen = column(&mut book, "Gaps", "First seen");
    assert_eq!(book.number_format("Gaps", 1, first_seen), "yyyy-mm-dd");
}

#[test]
fn the_gaps_sheet_has_a_frozen_header_an_autofilter_and_fitted_widths() {
    let book = book(&export_support::delta_report());
    let sheet = book.sheet_xml("Gaps");
    assert!(sheet.contains("state=\"frozen\""), "frozen pane");
    assert!(sheet.contains("ySplit=\"1\""), "below the header row");
    assert!(sheet.contains("<autoFilter ref=\"A1:X5\"/>"), "{sheet}");
    // Adjacent columns of equal width share one <col min max> element.
    let mut widths: Vec<f64> = Vec::new();
    for col in xml::elements(sheet, "col") {
        let attribute = |name: &str| xml::attribute(col, name).unwrap_or_else(|| panic!("{name}"));
        let span: usize = attribute("max").parse::<usize>().expect("max")
            - attribute("min").parse::<usize>().expect("min")
            + 1;
        let width: f64 = attribute("width").parse().expect("width");
        widths.extend(std::iter::repeat_n(width, span));
    }
    assert_eq!(widths.len(), 24, "every column sized");
    assert!(widths.iter().all(|width| (8.0..=61.0).contains(width)));
    for list in ["Clients", "Fixed", "Coverage"] {
        let sheet = book.sheet_xml(list);
        assert!(sheet.contains("state=\"frozen\""), "{list}");
        assert!(sheet.contains("<autoFilter ref=\"A1:"), "{list}");
    }
}

/// The Summary's row whose first cell is `label`, as (column → cell); the `nth` such row.
fn summary_row(book: &mut Book, label: &str, nth: usize) -> Vec<Data> {
    book.range("Summary")
        .rows()
        .filter(|row| row.first() == Some(&text(label)))
        .nth(nth)
        .unwrap_or_else(|| panic!("Summary row {label} #{nth}"))
        .to_vec()
}

#[test]
fn the_summary_has_coverage_money_at_stake_and_the_section_counts() {
    let mut book = book(&export_support::delta_report());
    let generated = summary_row(&mut book, "Generated on", 0);
    assert_eq!(date(&generated[1]), excel_serial(export_support::today()));
    // The first USD row is coverage (a share), the second money at stake.
    let coverage = summary_row(&mut book, "USD", 0);
    let share = coverage[5].as_f64().expect("a share");
    assert!(share < 1.0, "one USD customer is unmapped: {share}");
    let stake = summary_row(&mut book, "USD", 1);
    // Revenue not billed (50 + 60 USD) and refund risk (38 USD), per month and per year.
    assert_eq!(
        stake[1..7].iter().map(cents).collect::<Vec<_>>(),
        [110, 38, 148, 1320, 456, 1776].map(Decimal::from)
    );

    let sections = book.find("Summary", "Since the previous saved review");
    let header = &book
        .range("Summary")
        .rows()
        .nth(sections.0 as usize)
        .expect("header")
        .to_vec();
    let usd = header
        .iter()
        .position(|cell| *cell == text("USD / month"))
        .expect("a USD column");
    for (label, count, money) in [
        ("New since the previous saved review", 1.0, 50),
        ("Worse since the previous saved review", 1.0, 60),
        ("Still open", 2.0, 38),
        ("Fixed since the previous saved review", 1.0, 20),
    ] {
        let row = summary_row(&mut book, label, 0);
        assert_eq!(row[1], Data::Float(count), "{label}");
        assert_eq!(cents(&row[usd]), Decimal::from(money), "{label}");
    }
}

#[test]
fn clients_fixed_and_coverage_sheets_hold_their_rows() {
    let mut book = book(&export_support::delta_report());
    let clients = book.records("Clients");
    assert_eq!(clients.len(), 4, "one row per client and currency");
    let lakeshore = clients
        .iter()
        .find(|row| row["Client"] == text("Lakeshore"))
        .expect("Lakeshore");
    assert_eq!(lakeshore["At stake / month"], Data::Float(7.5));
    assert_eq!(lakeshore["Threshold / month"], Data::Float(100.0));
    assert_eq!(lakeshore["Over threshold"], text("no"));

    let fixed = book.records("Fixed");
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["Client"], text("Fixed Co"));
    assert_eq!(fixed[0]["Value / month then"], Data::Float(20.0));
    assert_eq!(fixed[0]["Cost to date"], Data::Float(100.0));
    assert_eq!(
        date(&fixed[0]["Last seen"]),
        excel_serial(export_support::previous_review())
    );

    let coverage = book.records("Coverage");
    let unmapped: Vec<(Data, Data)> = coverage
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

/// Per currency: (revenue not billed, refund risk) summed over the Gaps rows, exactly.
fn stakes_of_rows(gaps: &[BTreeMap<String, Data>]) -> BTreeMap<String, (Decimal, Decimal)> {
    let mut sums: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for row in gaps {
        let (Some(Data::String(currency)), Some(value)) =
            (row.get("Currency"), row.get("Value / month"))
        else {
            continue;
        };
        let Data::String(kind) = &row["Kind"] else {
            panic!("kind {row:?}")
        };
        let entry = sums.entry(currency.clone()).or_default();
        // Revenue not billed: seats or price the client is not charged for; the rest (overbilled
        // and orphan lines) is refund risk.
        if matches!(kind.as_str(), "unbilled" | "missing" | "price") {
            entry.0 += cents(value).abs();
        } else {
            entry.1 += cents(value).abs();
        }
    }
    sums
}

/// The Summary's money at stake per currency: (revenue not billed, refund risk, total).
fn stakes_of_summary(book: &mut Book) -> BTreeMap<String, (Decimal, Decimal, Decimal)> {
    let (top, _) = book.find("Summary", "Money at stake");
    book.range("Summary")
        .rows()
        .skip(top as usize + 1)
        .take_while(|row| matches!(row.first(), Some(Data::String(code)) if code.len() == 3))
        .map(|row| {
            let Data::String(code) = &row[0] else {
                unreachable!()
            };
            (
                code.clone(),
                (cents(&row[1]), cents(&row[2]), cents(&row[3])),
            )
        })
        .collect()
}

#[test]
fn the_summary_totals_equal_the_sum_of_the_gap_rows_per_currency() {
    for report in [
        export_support::delta_report(),
        (*export_support::sample_report(tempfile::tempdir().expect("temp").path())).clone(),
    ] {
        let mut book = book(&report);
        let rows = stakes_of_rows(&book.records("Gaps"));
        let summary = stakes_of_summary(&mut book);
        assert!(!summary.is_empty());
        assert_eq!(
            summary.keys().collect::<Vec<_>>(),
            rows.keys().collect::<Vec<_>>(),
            "the same currencies"
        );
        for (currency, (revenue, refund, total)) in &summary {
            let (rows_revenue, rows_refund) = rows[currency];
            assert_eq!(
                (*revenue, *refund),
                (rows_revenue, rows_refund),
                "{currency}"
            );
            assert_eq!(*total, rows_revenue + rows_refund, "{currency}");
        }
    }
}

#[test]
fn the_sample_data_through_a_real_store_fills_every_sheet() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::sample_report(folder.path());
    let mut book = book(&report);
    let gaps = book.records("Gaps");
    assert_eq!(gaps.len(), report.gaps.len());
    assert!(
        gaps.iter()
            .all(|row| matches!(row.get("Value / month"), None | Some(Data::Float(_)))),
        "money cells are numbers"
    );
    assert!(
        gaps.iter().any(
            |row| row["Section"] == text("still open") && row["Age (days)"] == Data::Float(7.0)
        ),
        "gaps of the saved review are a week older"
    );
    // The agreement and subscription behind each gap come from the imports.
    assert!(
        gaps.iter().any(|row| matches!(
            (row.get("PSA agreement"), row.get("Vendor subscription")),
            (Some(Data::String(agreement)), Some(Data::String(subscription)))
                if !agreement.is_empty() && !subscription.is_empty()
        )),
        "{gaps:?}"
    );
    let fixed = book.records("Fixed");
    assert!(
        fixed.iter().any(|row| row["Client ID"] == text("Meridian")),
        "{fixed:?}"
    );
}
