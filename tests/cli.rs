//! The built binary as a user or a scheduler runs it: help everywhere, exit codes (0 clean,
//! 1 over threshold or incomplete coverage, 2 error), data on stdout, and imports that fail
//! without touching the database.

mod database_dump;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sample(name: &str) -> String {
    format!("{}/assets/sample/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn dump(database: &Path) -> Vec<String> {
    database_dump::every_row(database)
}

struct Workspace {
    _folder: tempfile::TempDir,
    database: PathBuf,
    folder: PathBuf,
}

fn workspace() -> Workspace {
    let folder = tempfile::tempdir().expect("temp dir");
    Workspace {
        database: folder.path().join("billgap.sqlite"),
        folder: folder.path().to_path_buf(),
        _folder: folder,
    }
}

#[test]
fn every_command_has_help() {
    let space = workspace();
    for command in [
        "import",
        "formats",
        "map",
        "unmap",
        "ignore",
        "unignore",
        "undo",
        "redo",
        "log",
        "clients",
        "products",
        "gaps",
        "report",
        "threshold",
        "demo",
    ] {
        let output = billgap(&space.database, &[command, "--help"]);
        assert!(output.status.success(), "{command} --help");
        assert!(text(&output.stdout).contains("Usage"), "{command} --help");
    }
}

#[test]
fn an_empty_database_is_never_clean() {
    let space = workspace();
    billgap::store::Store::open(&space.database).expect("an empty database");
    let output = billgap(&space.database, &["gaps"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("nothing was compared"));
}

#[test]
fn only_import_creates_a_database() {
    let space = workspace();
    for command in [
        vec!["gaps"],
        vec!["clients"],
        vec!["check", "--dry-run"],
        vec!["log"],
    ] {
        let output = billgap(&space.database, &command);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert!(
            text(&output.stderr).contains("no database at"),
            "{command:?}: {}",
            text(&output.stderr)
        );
        assert!(!space.database.exists(), "{command:?} created a database");
    }
    let imported = billgap(&space.database, &["import", &sample("pax8-2026-10.csv")]);
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        text(&imported.stderr)
    );
    assert!(space.database.exists());
}

#[test]
fn unreadable_and_empty_files_are_errors_with_exit_code_2() {
    let space = workspace();
    let output = billgap(&space.database, &["import", "/no/such/export.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("/no/such/export.csv"));

    let empty = space.folder.join("empty.csv");
    std::fs::write(&empty, "").expect("write");
    let output = billgap(&space.database, &["import", empty.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("empty"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_bad_row_fails_the_import_with_its_location_and_changes_nothing() {
    let space = workspace();
    let good = billgap(&space.database, &["import", &sample("pax8-2026-10.csv")]);
    assert!(good.status.success(), "{}", text(&good.stderr));
    let before = dump(&space.database);

    // Corrupt the quantity of the fifth data row (line 6), keeping the row's shape.
    let (broken, quantity) = corrupt_cell(
        &space,
        "connectwise-additions-2026-10.csv",
        "Quantity",
        5,
        "twelve",
        "broken.csv",
    );

    let output = billgap(
        &space.database,
        &["import", broken.to_str().expect("utf-8")],
    );
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output.stderr);
    assert!(
        message.contains(&format!("broken.csv:6:{}", quantity + 1)),
        "the error names file:line:column: {message}"
    );
    assert!(message.contains("twelve"), "{message}");
    assert_eq!(
        dump(&space.database),
        before,
        "the database is exactly as before"
    );

    let again = billgap(&space.database, &["import", &sample("pax8-2026-10.csv")]);
    assert!(again.status.success());
    assert!(text(&again.stderr).contains("already imported"));
    assert_eq!(
        dump(&space.database),
        before,
        "a duplicate import is a no-op"
    );
}

#[test]
fn skipping_bad_rows_imports_the_rest_and_writes_the_rejects_with_reasons() {
    let space = workspace();
    let (broken, quantity) = corrupt_cell(
        &space,
        "pax8-2026-10.csv",
        "quantity",
        3,
        "=1+2",
        "pax8-broken.csv",
    );
    let output = billgap(
        &space.database,
        &["import", "--skip-bad-rows", broken.to_str().expect("utf-8")],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("skipped 1 bad row"),
        "{}",
        text(&output.stderr)
    );
    let rejects = std::fs::read_to_string(space.folder.join("pax8-broken.csv.rejected.csv"))
        .expect("rejects file");
    assert!(
        rejects.contains(&format!("pax8-broken.csv:4:{}", quantity + 1)),
        "{rejects}"
    );
    assert!(
        rejects.contains(",'=1+2,"),
        "each rejected cell is neutralised: {rejects}"
    );
    let store = billgap::store::Store::open(&space.database).expect("store");
    let lines_imported: usize = store
        .sources()
        .expect("sources")
        .iter()
        .map(|source| store.import_lines_stored(source.id).expect("lines").len())
        .sum();
    assert_eq!(lines_imported, 19);
}

/// Writes a copy of a sample with one cell replaced (row `row` counts the header as 0), and
/// returns the copy's path and the 0-based index of the column.
fn corrupt_cell(
    space: &Workspace,
    sample_name: &str,
    column: &str,
    row: usize,
    value: &str,
    copy_name: &str,
) -> (PathBuf, usize) {
    let original = std::fs::read_to_string(sample(sample_name)).expect("read");
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    let index = parse_csv_line(&lines[0])
        .iter()
        .position(|header| header == column)
        .expect("column");
    let mut cells = parse_csv_line(&lines[row]);
    cells[index] = value.to_string();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&cells).expect("csv");
    let record = String::from_utf8(writer.into_inner().expect("flush")).expect("utf-8");
    lines[row] = record.trim_end().to_string();
    let copy = space.folder.join(copy_name);
    std::fs::write(&copy, lines.join("\n")).expect("write");
    (copy, index)
}

fn parse_csv_line(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .expect("one record")
        .expect("valid csv")
        .iter()
        .map(str::to_string)
        .collect()
}

#[test]
fn exit_codes_follow_coverage_and_thresholds() {
    let space = workspace();
    let import = billgap(
        &space.database,
        &[
            "import",
            &sample("partner-center-nce-2026-10.csv"),
            &sample("pax8-2026-10.csv"),
            &sample("connectwise-additions-2026-10.csv"),
        ],
    );
    assert!(import.status.success(), "{}", text(&import.stderr));
    let unmapped = billgap(&space.database, &["gaps"]);
    assert_eq!(unmapped.status.code(), Some(1), "incomplete coverage");
    assert!(text(&unmapped.stdout).contains("Coverage: 0.0%"));

    let mut reader = csv::Reader::from_path(sample("mappings.csv")).expect("mappings");
    for record in reader.records() {
        let record = record.expect("row");
        let vendor = format!("{}:{}", &record[1], &record[2]);
        let args: Vec<String> = match &record[0] {
            "client" => vec!["map".into(), "client".into(), vendor, record[4].to_string()],
            "product" => vec![
                "map".into(),
                "product".into(),
                vendor,
                record[4].to_string(),
                "--term".into(),
                record[3].to_string(),
            ],
            _ => vec![
                "ignore".into(),
                "customer".into(),
                vendor,
                "--reason".into(),
                record[5].to_string(),
            ],
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = billgap(&space.database, &args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    let over = billgap(&space.database, &["gaps", "--threshold", "50"]);
    assert_eq!(over.status.code(), Some(1), "{}", text(&over.stdout));
    assert!(text(&over.stdout).contains("(complete)"));
    assert!(text(&over.stdout).contains("Clients over threshold"));

    let clean = billgap(&space.database, &["gaps", "--threshold", "100000"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));

    let json = billgap(&space.database, &["gaps", "--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json on stdout");
    assert_eq!(parsed["gaps"].as_array().map(Vec::len), Some(14));

    let report = space.folder.join("report.csv");
    let output = billgap(
        &space.database,
        &[
            "report",
            "--format",
            "csv",
            "-o",
            report.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "report exits like gaps: clients over threshold"
    );
    // One row type per file: every row of the gap CSV is a gap, so SUM(value) adds gaps only.
    let mut gaps = csv::Reader::from_path(&report).expect("report written");
    let headers = gaps.headers().expect("headers").clone();
    assert!(headers.iter().any(|h| h == "section") && headers.iter().any(|h| h == "generated_on"));
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = gaps.records().map(|row| row.expect("row")).collect();
    assert_eq!(rows.len(), 14);
    assert!(rows.iter().all(|row| !row[column("kind")].is_empty()));
    assert!(rows.iter().all(|row| &row[column("section")] == "new"));
    for (table, header) in [
        (
            "clients",
            "generated_on,company_id,company,currency,absolute_value,net_value",
        ),
        (
            "coverage",
            "generated_on,vendor_period,currency,vendor_spend,mapped,ignored,coverage",
        ),
    ] {
        let file = space.folder.join(format!("{table}.csv"));
        let output = billgap(
            &space.database,
            &[
                "report",
                "--format",
                "csv",
                "--what",
                table,
                "-o",
                file.to_str().expect("utf-8"),
            ],
        );
        assert!(output.status.code() != Some(2), "{}", text(&output.stderr));
        let written = std::fs::read_to_string(&file).expect("table written");
        assert!(written.starts_with(header), "{written}");
    }

    // The undo names the decision it took back by its number in `billgap log`, not the newer
    // entry the undo itself writes (F16).
    let latest = billgap(
        &space.database,
        &["log", "--format", "json", "--limit", "1"],
    );
    let latest: serde_json::Value = serde_json::from_slice(&latest.stdout).expect("log json");
    let decided = latest[0]["id"].as_i64().expect("the latest decision's id");
    let undo = billgap(&space.database, &["undo"]);
    assert!(undo.status.success());
    let said = text(&undo.stderr);
    assert!(said.starts_with(&format!("Undid #{decided} (")), "{said}");
    let log = billgap(
        &space.database,
        &["log", "--format", "json", "--limit", "1"],
    );
    let log: serde_json::Value = serde_json::from_slice(&log.stdout).expect("log json");
    assert_eq!(log[0]["step"], "undo");
    assert_ne!(
        log[0]["id"].as_i64(),
        Some(decided),
        "the undo is an entry of its own"
    );
}

#[test]
fn the_demo_prints_coverage_and_gaps() {
    let space = workspace();
    let output = billgap(&space.database, &["demo", "--no-tui"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("Coverage:"), "{stdout}");
    assert!(
        !space.database.exists(),
        "the demo never touches the user's database"
    );
}
