//! Silent money errors from the reliability review (F1-F4, SkuIds, F17): each case imports a
//! real file through the binary into a real SQLite database and checks the stored seats and
//! money, not only the exit code.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/partner-center-nce-2026-10.csv")
}

/// The sample's rows, header first, as cells.
fn sample_rows() -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(sample())
        .expect("sample");
    reader
        .records()
        .map(|record| record.expect("row").iter().map(str::to_string).collect())
        .collect()
}

fn write_rows(path: &Path, rows: &[Vec<String>], delimiter: u8) {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .expect("create");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    writer.flush().expect("flush");
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).expect("column")
}

fn import(database: &Path, args: &[&str]) -> Output {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    billgap(database, &all)
}

/// Seats per vendor customer key, summed over the current imports' positions.
fn current_seats(database: &Path) -> BTreeMap<String, Decimal> {
    let periods: Vec<String> = rusqlite::Connection::open(database)
        .expect("open")
        .prepare(
            "SELECT DISTINCT period FROM imports WHERE superseded_by IS NULL AND side = 'vendor'",
        )
        .expect("query")
        .query_map([], |row| row.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("periods");
    let store = billgap::store::Store::open(database).expect("store");
    let mut seats: BTreeMap<String, Decimal> = BTreeMap::new();
    for period in periods {
        for position in store
            .positions(billgap::domain::lines::Side::Vendor, Some(&period))
            .expect("positions")
        {
            *seats.entry(position.customer.key).or_default() += position.seats;
        }
    }
    seats
}

/// Every stored line of the current imports: (line, product key, seats, unit cost, amount,
/// currency), in file order.
type StoredLine = (i64, String, String, Option<String>, Option<String>, String);

fn current_lines(database: &Path) -> Vec<StoredLine> {
    let store = billgap::store::Store::open(database).expect("store");
    let mut sources = store.sources().expect("sources");
    sources.reverse();
    let text = |value: Option<Decimal>| value.map(|value| value.to_string());
    let mut lines = Vec::new();
    for source in sources
        .iter()
        .filter(|source| source.superseded_by.is_none())
    {
        for audit in store.import_lines_stored(source.id).expect("lines") {
            lines.push((
                audit.line.source_line,
                audit.product.key,
                audit.line.seats.to_string(),
                text(audit.line.unit_cost),
                text(audit.line.amount),
                audit
                    .currency
                    .map_or_else(String::new, |currency| currency.code().to_string()),
            ));
        }
    }
    lines
}

fn dump(database: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).expect("open");
    let mut rows = Vec::new();
    for table in [
        "imports",
        "lines",
        "line_chunks",
        "party_positions",
        "parties",
        "products",
    ] {
        // A table clustered on its key (party_positions) has no rowid: read in key order.
        let mut statement = connection
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .or_else(|_| connection.prepare(&format!("SELECT * FROM {table}")))
            .expect("select");
        let count = statement.column_count();
        let found = statement
            .query_map([], |row| {
                let mut text = String::new();
                for index in 0..count {
                    let value: rusqlite::types::Value = row.get(index)?;
                    text.push_str(&format!("{value:?}|"));
                }
                Ok(text)
            })
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("values");
        rows.extend(found);
    }
    rows
}

#[test]
fn f1_a_reexport_with_another_first_row_replaces_the_earlier_import() {
    let directory = tempfile::tempdir().expect("dir");
    let database = directory.path().join("f1.sqlite");
    let original = sample().display().to_string();
    assert!(import(&database, &[&original]).status.success());
    let before = current_seats(&database);
    let lines_before = current_lines(&database);
    // The same rows with the CAD ones first.
    let mut rows = sample_rows();
    let currency = column(&rows, "Currency");
    let header = rows.remove(0);
    rows.sort_by_key(|row| row[currency] != "CAD");
    assert_eq!(rows[0][currency], "CAD");
    rows.insert(0, header);
    let resorted = directory.path().join("cad-first.csv");
    write_rows(&resorted, &rows, b',');
    let output = import(&database, &[resorted.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("CAD+USD"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("it replaces #1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(current_seats(&database), before);
    let mut resorted_lines = current_lines(&database);
    let mut original_lines = lines_before;
    for lines in [&mut resorted_lines, &mut original_lines] {
        for line in lines.iter_mut() {
            line.0 = 0;
        }
        lines.sort();
    }
    assert_eq!(resorted_lines, original_lines);
}

#[test]
fn f1_a_single_currency_file_after_a_mixed_one_is_refused_not_counted_twice() {
    let directory = tempfile::tempdir().expect("dir");
    let database = directory.path().join("f1b.sqlite");
    let original = sample().display().to_string();
    assert!(import(&database, &[&original]).status.success());
    let before = current_seats(&database);
    let stored = dump(&database);
    let rows = sample_rows();
    let currency = column(&rows, "Currency");
    let cad_only: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .filter(|(index, row)| *index == 0 || row[currency] == "CAD")
        .map(|(_, row)| row.clone())
        .collect();
    let cad = directory.path().join("cad-only.csv");
    write_rows(&cad, &cad_only, b',');
    let output = import(&database, &[cad.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("overlaps import #1"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("--replace"), "{}", stderr(&output));
    assert_eq!(dump(&database), stored);
    assert_eq!(current_seats(&database), before);
    // Asked for, the CAD file replaces the mixed one: only its own 13 CAD seats remain.
    let output = import(&database, &["--replace", cad.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let after = current_seats(&database);
    assert_eq!(after.values().copied().sum::<Decimal>(), Decimal::from(13));
}

#[test]
fn f2_semicolons_do_not_turn_dot_decimals_into_thousands() {
    let directory = tempfile::tempdir().expect("dir");
    let comma_db = directory.path().join("comma.sqlite");
    let semicolon_db = directory.path().join("semicolon.sqlite");
    let rows = sample_rows();
    let semicolons = directory.path().join("semicolon.csv");
    write_rows(&semicolons, &rows, b';');
    let original = sample().display().to_string();
    assert!(import(&comma_db, &[&original]).status.success());
    let output = import(&semicolon_db, &[semicolons.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines = current_lines(&semicolon_db);
    assert_eq!(lines, current_lines(&comma_db));
    // 12.495 per seat, rounded down to cents as Microsoft does: never 12495.
    assert!(
        lines
            .iter()
            .any(|line| line.3.as_deref() == Some("12.49") && line.5 == "USD")
    );
    assert!(lines.iter().all(|line| {
        line.3
            .as_deref()
            .is_none_or(|cost| Decimal::from_str(cost).expect("cost") < Decimal::from(1000))
    }));
    // `--decimal-comma` on that dot file is contradicted by its cells and refused.
    let forced = directory.path().join("forced.sqlite");
    let output = import(
        &forced,
        &["--decimal-comma", semicolons.to_str().expect("path")],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("can only be read with a decimal point"),
        "{}",
        stderr(&output)
    );
}

const HALO_HEADER: &str = "client_id,client_name,item_code,qty_order,unit_price,currency_code\n";

fn halo_prices(database: &Path) -> Vec<(String, Option<String>)> {
    let store = billgap::store::Store::open(database).expect("store");
    let mut lines = Vec::new();
    for source in store.sources().expect("sources") {
        for audit in store.import_lines_stored(source.id).expect("lines") {
            lines.push((
                audit.line.seats.to_string(),
                audit.line.unit_price.map(|price| price.to_string()),
            ));
        }
    }
    lines
}

#[test]
fn german_comma_separated_export_with_quoted_decimal_commas() {
    let directory = tempfile::tempdir().expect("dir");
    // Other cells of the file settle it: "12,50" can only be a decimal comma.
    let settled = directory.path().join("de.csv");
    std::fs::write(
        &settled,
        format!("{HALO_HEADER}7,Müller GmbH,M365,3,\"5,625\",EUR\n8,Zoë AG,AV,4,\"12,50\",EUR\n"),
    )
    .expect("write");
    let database = directory.path().join("de.sqlite");
    let output = import(&database, &[settled.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        halo_prices(&database),
        [
            ("3".to_string(), Some("5.625".to_string())),
            ("4".to_string(), Some("12.50".to_string()))
        ]
    );
    // Alone, "5,625" reads two ways: refused with its place and the flags that settle it.
    let alone = directory.path().join("ambiguous.csv");
    std::fs::write(
        &alone,
        format!("{HALO_HEADER}7,Müller GmbH,M365,3,\"5,625\",EUR\n"),
    )
    .expect("write");
    let refused = directory.path().join("refused.sqlite");
    let output = import(&refused, &[alone.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("ambiguous.csv:2:5 (unit_price)"),
        "{message}"
    );
    assert!(message.contains("5625 with a decimal point and 5.625 with a decimal comma"));
    assert!(
        message.contains("--decimal-point or --decimal-comma"),
        "{message}"
    );
    let output = import(
        &refused,
        &["--decimal-comma", alone.to_str().expect("path")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        halo_prices(&refused),
        [("3".to_string(), Some("5.625".to_string()))]
    );
}

#[test]
fn f3_a_truncated_last_row_is_a_located_error() {
    let directory = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(sample()).expect("sample");
    let mut lines: Vec<&str> = text.lines().take(5).collect();
    // The first data row (14 seats) comes last, cut inside BillableQuantity: "14" becomes "1",
    // and the rest of the row is gone.
    let last = lines[1];
    lines.push(last);
    let cut = last
        .match_indices(",14,")
        .last()
        .map(|(index, _)| index + 2)
        .expect("a 14");
    let truncated = format!("{}\n{}", lines[..5].join("\n"), &last[..cut]);
    let path = directory.path().join("truncated.csv");
    std::fs::write(&path, truncated).expect("write");
    let database = directory.path().join("f3.sqlite");
    let output = import(&database, &[path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("truncated.csv:6:35 (BillingFrequency)"),
        "{message}"
    );
    assert!(message.contains("34 of the header's 46 cells"), "{message}");
    assert!(current_lines(&database).is_empty());
    // A row longer than the header is refused at its first extra cell.
    let long = format!("{}\n{},extra\n", lines[..5].join("\n"), lines[5]);
    std::fs::write(&path, long).expect("write");
    let output = import(&database, &[path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("truncated.csv:6:47"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn f4_an_unbalanced_quote_in_the_last_column_is_a_located_error() {
    let directory = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(sample()).expect("sample");
    let mut lines: Vec<String> = text.lines().take(6).map(str::to_string).collect();
    lines[2].push('"');
    let path = directory.path().join("quote.csv");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    let database = directory.path().join("f4.sqlite");
    let output = import(&database, &[path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("quote.csv:3:46 (PromotionId)"),
        "{message}"
    );
    assert!(
        message.contains("3 more line(s) that look like rows"),
        "{message}"
    );
    assert!(current_lines(&database).is_empty());
}

#[test]
fn skuids_that_lost_their_leading_zeros_keep_their_product_keys() {
    let directory = tempfile::tempdir().expect("dir");
    let original_db = directory.path().join("original.sqlite");
    let resaved_db = directory.path().join("resaved.sqlite");
    let original = sample().display().to_string();
    assert!(import(&original_db, &[&original]).status.success());
    let mut rows = sample_rows();
    let sku = column(&rows, "SkuId");
    for row in rows.iter_mut().skip(1) {
        row[sku] = row[sku].trim_start_matches('0').to_string();
    }
    let resaved = directory.path().join("excel.csv");
    write_rows(&resaved, &rows, b',');
    let output = import(&resaved_db, &[resaved.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("76 rows whose SkuId lost its leading zeros"),
        "{}",
        stderr(&output)
    );
    assert_eq!(current_lines(&resaved_db), current_lines(&original_db));
}

#[test]
fn f17_implausible_values_are_counted_in_the_summary() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("odd.csv");
    std::fs::write(
        &path,
        format!(
            "{HALO_HEADER}7,A,M365,-14,1.50,USD\n8,B,AV,1.5,2.50,USD\n9,C,AV,-2,2.50,USD\n\
             10,D,AV,3,2.50,ZZZ\n11,E,AV,,2.50,USD\n"
        ),
    )
    .expect("write");
    let database = directory.path().join("f17.sqlite");
    let output = import(&database, &[path.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    for expected in [
        "2 rows with negative seats on recurring charges (first at odd.csv:2)",
        "1 rows with fractional seats (first at odd.csv:3)",
        "1 rows in ZZZ, which is not an ISO 4217 currency code (first at odd.csv:5)",
        "1 rows without a quantity, read as 0 seats (first at odd.csv:6:4 (qty_order))",
    ] {
        assert!(message.contains(expected), "{expected}: {message}");
    }
    assert_eq!(current_lines(&database).len(), 5);
}

#[test]
fn f17_a_duplicated_header_and_an_unknown_bill_customer_are_refused() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("dup.csv");
    std::fs::write(
        &path,
        "client_id,client_name,item_code,qty_order,unit_price,currency_code,qty_order\n\
         7,A,M365,3,1.50,USD,999\n",
    )
    .expect("write");
    let database = directory.path().join("dup.sqlite");
    let output = import(&database, &[path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("dup.csv:1:7 (qty_order): the header has \"qty_order\" twice"),
        "{}",
        stderr(&output)
    );
    let connectwise = directory.path().join("cw.csv");
    std::fs::write(
        &connectwise,
        "Company ID,Company Name,Product ID,Description,Quantity,Less Included,Unit Price,Bill Customer,Currency\n\
         ACME,Acme,M365,M365 BP,10,0,22.00,Billabel,USD\n",
    )
    .expect("write");
    let output = import(&database, &[connectwise.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("cw.csv:2:8 (Bill Customer): expected Billable, DoNotBill or NoCharge"),
        "{}",
        stderr(&output)
    );
    assert!(current_lines(&database).is_empty());
}

#[test]
fn f17_f19_a_negative_exchange_rate_is_refused_and_a_year_long_monthly_charge_is_counted() {
    let directory = tempfile::tempdir().expect("dir");
    let rows = sample_rows();
    let rate = column(&rows, "PCToBCExchangeRate");
    // The first data row with its exchange rate negated.
    let mut cells = rows[1].clone();
    cells[rate] = "-1".to_string();
    let path = directory.path().join("rate.csv");
    write_rows(&path, &[rows[0].clone(), cells], b',');
    let database = directory.path().join("rate.sqlite");
    let output = import(&database, &[path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("rate.csv:2:37 (PCToBCExchangeRate): expected a positive exchange rate"),
        "{}",
        stderr(&output)
    );
    // Day-first dates read month first: 1/10/2026 to 31/10/2026 is refused (no month 31), but
    // 1/10/2026 to 12/10/2026 reads as January to December and is counted.
    let (start, end) = (
        column(&rows, "ChargeStartDate"),
        column(&rows, "ChargeEndDate"),
    );
    let mut cells = rows[1].clone();
    cells[start] = "1/10/2026".to_string();
    cells[end] = "12/10/2026".to_string();
    let path = directory.path().join("dates.csv");
    write_rows(&path, &[rows[0].clone(), cells], b',');
    let output = import(&database, &[path.to_str().expect("path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 rows on a monthly term whose charge spans more than a month"),
        "{}",
        stderr(&output)
    );
}
