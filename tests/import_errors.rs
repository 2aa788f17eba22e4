//! What the user is told when a file cannot be imported, and where.

use billgap::domain::lines::Line;
use billgap::import::{ImportError, ImportOptions, Progress, parse_file, sniff};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(path: &Path, options: &ImportOptions) -> Result<Vec<Line>, ImportError> {
    let mut lines = Vec::new();
    parse_file(path, options, &mut lines, &mut |_| {}).map(|_| lines)
}

fn write(directory: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = directory.path().join(name);
    std::fs::write(&path, text).expect("written");
    path
}

#[test]
fn a_bad_cell_is_reported_at_its_physical_line_and_column() {
    // Row 1 spans lines 2-3 (a quoted line break in the name), so the bad row is line 4.
    let error = import(&fixture("nce-bad.csv"), &ImportOptions::default()).expect_err("bad row");
    assert_eq!(
        error.to_string(),
        r#"nce-bad.csv:4:34 (BillableQuantity): expected a decimal number, found "abc""#
    );
}

#[test]
fn skip_bad_rows_imports_the_rest_and_returns_the_rejects() {
    let options = ImportOptions {
        skip_bad_rows: true,
        ..ImportOptions::default()
    };
    let mut lines: Vec<Line> = Vec::new();
    let summary = parse_file(&fixture("nce-bad.csv"), &options, &mut lines, &mut |_| {})
        .expect("imports the good row");
    assert_eq!((summary.rows_read, summary.lines), (3, 1));
    assert_eq!(lines[0].customer.name, "Contoso Dental");
    let reasons: Vec<String> = summary
        .rejected
        .iter()
        .map(|reject| format!("{}: {}", reject.location, reject.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            r#"nce-bad.csv:4:34 (BillableQuantity): expected a decimal number, found "abc""#,
            r#"nce-bad.csv:5:28 (ChargeStartDate): expected a date (YYYY-MM-DD or M/D/YYYY), found "13/45/2026""#,
        ]
    );
    // The raw cells keep ids exactly as written, such as the 18-digit OrderId.
    assert_eq!(summary.rejected[0].raw[8], "569142413664018751");
}

#[test]
fn empty_header_only_and_unknown_files_are_distinct_errors() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let options = ImportOptions::default();
    let empty = write(&directory, "empty.csv", " \n\n");
    assert!(matches!(
        import(&empty, &options),
        Err(ImportError::Empty { .. })
    ));
    let bom_only = write(&directory, "bom.csv", "\u{FEFF}");
    assert!(matches!(
        import(&bom_only, &options),
        Err(ImportError::Empty { .. })
    ));
    let header_only = write(
        &directory,
        "header.csv",
        "client_id,item_code,qty_order,currency_code\r\n",
    );
    let error = import(&header_only, &options).expect_err("header only");
    assert!(matches!(error, ImportError::HeaderOnly { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "header.csv: the file has a header but no data rows; nothing was imported"
    );
    let unknown = write(&directory, "unknown.csv", "Name,Colour\nA,red\n");
    let error = import(&unknown, &options).expect_err("unknown");
    assert!(
        error
            .to_string()
            .starts_with("unknown.csv:1: the columns match no known format (found: Name, Colour)")
    );
    assert!(matches!(
        sniff(&unknown, &options),
        Err(ImportError::UnknownFormat { .. })
    ));
}

#[test]
fn a_file_without_currency_needs_the_option() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let bare = write(
        &directory,
        "bare.csv",
        "client_id,item_code,qty_order\n7,M365,3\n",
    );
    let error = import(&bare, &ImportOptions::default()).expect_err("no currency");
    assert_eq!(
        error.to_string(),
        "bare.csv: the file has no currency column; pass --currency (for example --currency USD)"
    );
}

#[test]
fn a_forced_format_must_exist_and_match() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let options = ImportOptions {
        format: Some("sherweb".to_string()),
        ..ImportOptions::default()
    };
    let error = import(&fixture("halo.csv"), &options).expect_err("unknown name");
    assert!(
        error
            .to_string()
            .contains("'sherweb' is not a known format"),
        "{error}"
    );
    let options = ImportOptions {
        format: Some("pax8".to_string()),
        ..ImportOptions::default()
    };
    // Forced, the format's error names the columns the file lacks.
    let error = import(&fixture("halo.csv"), &options).expect_err("not pax8");
    assert!(matches!(error, ImportError::Profile { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("looks like pax8 but has no companyId, sku, quantity, type columns"),
        "{error}"
    );
    let broken = write(&directory, "broken.json", "{\"items\": [ {\"a\": 1 ]}");
    let error = import(&broken, &ImportOptions::default()).expect_err("malformed JSON");
    assert!(error.to_string().starts_with("broken.json:1:"), "{error}");
}

#[test]
fn progress_is_reported_every_65536_rows_and_at_the_end() {
    let directory = tempfile::tempdir().expect("a temp dir");
    let mut text = String::from("client_id,item_code,qty_order,currency_code\n");
    for row in 0..70_000 {
        text.push_str(&format!("{row},M365,1,USD\n"));
    }
    let path = write(&directory, "big.csv", &text);
    let mut reports: Vec<Progress> = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    parse_file(&path, &ImportOptions::default(), &mut lines, &mut |p| {
        reports.push(p)
    })
    .expect("imports");
    let rows: Vec<u64> = reports.iter().map(|p| p.rows).collect();
    assert_eq!(rows, [65_536, 70_000]);
    let last = reports.last().expect("a final report");
    assert_eq!(last.bytes_read, last.total_bytes);
    assert_eq!(lines.len(), 70_000);
    assert_eq!(lines[69_999].source_line, 70_001);
}
