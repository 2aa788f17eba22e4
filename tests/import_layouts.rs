//! Real layouts (issue #14): PowerShell exports, Excel re-saves, HaloPSA's own item ids and
//! empty dates, CR-only files, and the date hint. Each checks what was read, not only that it was.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, ImportSummary, parse_file};
use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/partner-center-nce-2026-10.csv")
}

fn read(path: &Path, options: &ImportOptions) -> Result<(ImportSummary, Vec<Line>), ImportError> {
    let mut lines = Vec::new();
    parse_file(path, options, &mut lines, &mut |_| {}).map(|summary| (summary, lines))
}

fn write(directory: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = directory.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// What must survive a layout: customer, product, seats and money of every line.
fn essentials(lines: &[Line]) -> Vec<String> {
    let mut rows: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{}|{}|{}|{:?}|{:?}|{:?}|{:?}",
                l.customer.key,
                l.product.key,
                l.seats,
                l.charge,
                l.unit_cost.as_ref().map(|m| m.to_string()),
                l.amount.as_ref().map(|m| m.to_string()),
                l.period_start
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn powershell_module_export_with_a_type_line_and_alphabetical_columns() {
    let directory = tempfile::tempdir().expect("dir");
    let (_, expected) = read(&sample(), &ImportOptions::default()).expect("sample");
    // The Partner Center PowerShell module's objects, through Export-Csv on PowerShell 5.1:
    // a #TYPE line, every property in alphabetical order, every cell quoted, and
    // TotalForCustomer where the portal writes Total.
    let mut reader = csv::Reader::from_path(sample()).expect("sample");
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(|h| {
            if h == "Total" {
                "TotalForCustomer".to_string()
            } else {
                h.to_string()
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..headers.len()).collect();
    order.sort_by_key(|index| headers[*index].to_ascii_lowercase());
    let quote = |cell: &str| format!("\"{}\"", cell.replace('"', "\"\""));
    let mut text = String::from(
        "#TYPE Microsoft.Store.PartnerCenter.PowerShell.Models.Invoices.PSInvoiceLineItem\r\n",
    );
    let header: Vec<String> = order.iter().map(|i| quote(&headers[*i])).collect();
    text.push_str(&header.join(","));
    text.push_str("\r\n");
    for record in reader.records() {
        let record = record.expect("row");
        let cells: Vec<String> = order.iter().map(|i| quote(&record[*i])).collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    let path = write(&directory, "powershell.csv", text.as_bytes());
    let (summary, lines) = read(&path, &ImportOptions::default()).expect("reads");
    assert_eq!(summary.source.format, "partner-center-nce");
    assert_eq!(summary.rows_read, 76);
    assert_eq!(essentials(&lines), essentials(&expected));
    // Rows are numbered by their physical line, the #TYPE line included.
    assert_eq!(lines[0].source_line, 3);
}

#[test]
fn a_cr_only_file_reports_the_physical_line() {
    let directory = tempfile::tempdir().expect("dir");
    let text = "client_id,client_name,item_code,qty_order,unit_price,currency_code\r\
                7,A,M365,3,1.50,USD\r8,B,AV,2,2.50,USD\r9,C,AV,x,2.50,USD\r";
    let path = write(&directory, "cr.csv", text.as_bytes());
    let error = read(&path, &ImportOptions::default()).expect_err("bad row");
    assert!(
        error.to_string().starts_with("cr.csv:4:4 (qty_order)"),
        "{error}"
    );
}

#[test]
fn halo_lines_keyed_by_itemid_and_1900_meaning_no_date() {
    let directory = tempfile::tempdir().expect("dir");
    let text = "client_id,client_name,item_code,_itemid,qty_order,unit_price,currency_code,period_start_date\n\
                7,Contoso,M365,12,3,1.50,USD,2026-10-01\n\
                7,Contoso,,31,2,2.50,USD,1900-01-01T00:00:00\n";
    let path = write(&directory, "halo.csv", text.as_bytes());
    let (_, lines) = read(&path, &ImportOptions::default()).expect("reads");
    let keys: Vec<&str> = lines.iter().map(|l| l.product.key.as_str()).collect();
    assert_eq!(keys, ["M365", "31"]);
    assert_eq!(lines[1].period_start, None);
    assert_eq!(
        lines[0].period_start,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
    );
}

#[test]
fn a_day_first_date_error_suggests_the_flag() {
    let directory = tempfile::tempdir().expect("dir");
    let text = "client_id,client_name,item_code,qty_order,unit_price,currency_code,period_start_date\n\
                7,Contoso,M365,3,1.50,USD,31/10/2026\n";
    let path = write(&directory, "dates.csv", text.as_bytes());
    let error = read(&path, &ImportOptions::default()).expect_err("month 31");
    assert!(error.to_string().contains("pass --day-first"), "{error}");
    let options = ImportOptions {
        day_first: true,
        ..ImportOptions::default()
    };
    let (_, lines) = read(&path, &options).expect("reads");
    assert_eq!(
        lines[0].period_start,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31)
    );
}

#[test]
fn utf16_without_a_byte_order_mark_is_read_not_refused_with_nuls() {
    let directory = tempfile::tempdir().expect("dir");
    let text = "client_id,client_name,item_code,qty_order,unit_price,currency_code\r\n\
                7,Zoë Müller,M365,3,1.50,EUR\r\n";
    let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let path = write(&directory, "unicode.txt", &little);
    let (_, lines) = read(&path, &ImportOptions::default()).expect("reads");
    assert_eq!(lines[0].customer.name, "Zoë Müller");
    assert_eq!(lines[0].seats, rust_decimal::Decimal::from(3));
}

#[test]
fn an_unknown_header_of_many_columns_is_not_echoed_whole() {
    let directory = tempfile::tempdir().expect("dir");
    let header: Vec<String> = (0..20_000).map(|i| format!("column{i}")).collect();
    let text = format!("{}\n{}\n", header.join(","), vec!["1"; 20_000].join(","));
    let path = write(&directory, "wide.csv", text.as_bytes());
    let error = read(&path, &ImportOptions::default()).expect_err("unknown format");
    let message = error.to_string();
    assert!(message.contains("column0, column1"), "{message}");
    assert!(message.len() < 2_000, "{} bytes", message.len());
}
