//! Cells whose multi-byte characters fall where a parser looks for ASCII structure: each one is
//! a located error (file:line:column, exit code 2 through the CLI), never a panic.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, parse_file};
use std::path::{Path, PathBuf};
use std::process::Command;

const HALO_HEADER: &str = "client_id,item_code,qty_order,currency_code,period_start_date";

fn write(directory: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = directory.path().join(name);
    std::fs::write(&path, text).expect("written");
    path
}

fn import(path: &Path) -> Result<Vec<Line>, ImportError> {
    let mut lines = Vec::new();
    parse_file(path, &ImportOptions::default(), &mut lines, &mut |_| {}).map(|_| lines)
}

#[test]
fn a_date_cut_inside_a_character_is_a_located_error() {
    let directory = tempfile::tempdir().expect("a temp dir");
    // Bytes 4 and 7 are dashes, and byte 10 falls inside the `é`.
    let path = write(
        &directory,
        "dates.csv",
        &format!("{HALO_HEADER}\n7,M365,3,USD,2026-01-01\n7,M365,3,USD,2026-01-0é\n"),
    );
    let error = import(&path).expect_err("not a date");
    assert!(matches!(error, ImportError::Row { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        r#"dates.csv:3:5 (period_start_date): expected a date (YYYY-MM-DD or M/D/YYYY), found "2026-01-0é""#
    );
}

#[test]
fn a_number_with_a_symbol_inside_its_first_three_bytes_is_a_located_error() {
    let directory = tempfile::tempdir().expect("a temp dir");
    // Byte 3 falls inside the `€`, where a leading currency code would end.
    let path = write(
        &directory,
        "numbers.csv",
        &format!("{HALO_HEADER}\n7,M365,ab€5,USD,2026-01-01\n"),
    );
    let error = import(&path).expect_err("not a number");
    assert_eq!(
        error.to_string(),
        r#"numbers.csv:2:3 (qty_order): expected a decimal number, found "ab€5""#
    );
}

#[test]
fn the_cli_reports_the_cell_and_exits_with_code_2() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let path = write(
        &directory,
        "dates.csv",
        &format!("{HALO_HEADER}\n7,M365,3,USD,2026-01-0é\n"),
    );
    let output = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["import", path.to_str().expect("utf-8")])
        .env("BILLGAP_DB", directory.path().join("billgap.sqlite"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("dates.csv:2:5 (period_start_date)"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
