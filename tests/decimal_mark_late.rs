//! The rows are read in the decimal mark their first rows name, while every number cell is
//! collected; a file whose later cells decide the other mark is read again in it. These pin
//! that the outcome is the one reading the whole file first would give.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, parse_file};
use std::fmt::Write as _;
use std::path::Path;

const HALO_HEADER: &str = "client_id,client_name,item_code,qty_order,unit_price,currency_code\n";

/// More rows than the first stretch that names the mark, none of them evidence either way.
const UNDECIDED_ROWS: usize = 2_500;

/// A Halo export: `UNDECIDED_ROWS` rows priced `5,625`, which reads two ways, then `last`.
fn write_file(path: &Path, last: &str) {
    let mut text = HALO_HEADER.to_string();
    for row in 0..UNDECIDED_ROWS {
        writeln!(text, "{row},Client {row},M365,3,\"5,625\",EUR").expect("row");
    }
    text.push_str(last);
    std::fs::write(path, text).expect("written");
}

fn parse(path: &Path) -> Result<Vec<Line>, ImportError> {
    let mut lines = Vec::new();
    parse_file(path, &ImportOptions::default(), &mut lines, &mut |_| {})?;
    Ok(lines)
}

fn price(line: &Line) -> String {
    line.unit_price
        .as_ref()
        .expect("a price")
        .amount
        .to_string()
}

#[test]
fn a_decimal_comma_named_only_by_the_last_row_reads_every_row_with_it_once() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("late-comma.csv");
    write_file(&path, "9999,Last,AV,4,\"12,50\",EUR\n");
    let lines = parse(&path).expect("read in the decided mark");
    // Read again from the start, not appended to the first reading.
    assert_eq!(lines.len(), UNDECIDED_ROWS + 1);
    assert_eq!(price(&lines[0]), "5.625");
    assert_eq!(price(&lines[UNDECIDED_ROWS]), "12.50");
}

#[test]
fn a_row_unreadable_in_the_first_mark_is_read_in_the_mark_the_file_decides() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("late-grouped.csv");
    // `1.234,50` is no number with a decimal point: the first reading stops at it.
    write_file(&path, "9999,Last,AV,4,\"1.234,50\",EUR\n");
    let lines = parse(&path).expect("read in the decided mark");
    assert_eq!(lines.len(), UNDECIDED_ROWS + 1);
    assert_eq!(price(&lines[0]), "5.625");
    assert_eq!(price(&lines[UNDECIDED_ROWS]), "1234.50");
}

#[test]
fn a_decimal_point_named_only_by_the_last_row_keeps_the_single_reading() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("late-point.csv");
    write_file(&path, "9999,Last,AV,4,14.28,EUR\n");
    let lines = parse(&path).expect("read");
    assert_eq!(lines.len(), UNDECIDED_ROWS + 1);
    assert_eq!(price(&lines[0]), "5625");
    assert_eq!(price(&lines[UNDECIDED_ROWS]), "14.28");
}

#[test]
fn evidence_both_ways_after_the_first_rows_is_refused_at_the_cells() {
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("mixed.csv");
    write_file(
        &path,
        "9998,Point,AV,4,14.28,EUR\n9999,Comma,AV,4,\"12,50\",EUR\n",
    );
    let error = parse(&path).expect_err("mixed marks are refused");
    let message = error.to_string();
    assert!(message.contains("mixes"), "{message}");
    assert!(
        message.contains(&format!(":{}:", UNDECIDED_ROWS + 3)),
        "{message}"
    );
}
