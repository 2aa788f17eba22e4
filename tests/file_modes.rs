//! Billing data stays private (F20): a database billgap creates is 0600 in a 0700 folder, a
//! report that replaces a file keeps that file's mode, and no command but `import` (and
//! `pull`, `watch`, which write what they pull) creates a database: a mistyped `--db` is an
//! error that names the path, and leaves neither a file nor a folder behind.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn sample(name: &str) -> String {
    format!("{}/assets/sample/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_command_but_import_creates_a_database_or_its_folder() {
    let folder = tempfile::tempdir().expect("temp dir");
    let missing_folder = folder.path().join("typo");
    let database = missing_folder.join("billgap.sqlite");
    let report = folder.path().join("report.md");
    let report = report.to_str().expect("path");
    let commands: [&[&str]; 22] = [
        &["gaps"],
        &["gaps", "--format", "json"],
        &["report", "--format", "markdown", "-o", report],
        &["clients"],
        &["clients", "--unmapped"],
        &["products"],
        &["log"],
        &["history"],
        &["match"],
        &["check", "--dry-run"],
        &["check"],
        &["recipients", "list"],
        &["threshold", "50"],
        &["undo"],
        &["redo"],
        &["map", "client", "a", "b"],
        &["map", "product", "a", "b"],
        &["unmap", "client", "a"],
        &["ignore", "customer", "a", "--reason", "internal"],
        &["unignore", "customer", "a"],
        &["reject", "client", "a", "b"],
        &["map", "--from", report],
    ];
    for command in commands {
        let output = billgap(&database, command);
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {said}");
        assert!(said.contains("no database at"), "{command:?}: {said}");
        assert!(
            !missing_folder.exists(),
            "{command:?} created {}",
            missing_folder.display()
        );
    }
    assert!(!Path::new(report).exists(), "no report of nothing");
}

#[test]
fn a_new_database_is_owner_only_in_an_owner_only_folder() {
    let folder = tempfile::tempdir().expect("temp dir");
    let nested = folder.path().join("data").join("billgap");
    let database = nested.join("billgap.sqlite");
    let output = billgap(&database, &["import", &sample("pax8-2026-10.csv")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(mode(&database), 0o600);
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(mode(&folder.path().join("data")), 0o700);
    // The write-ahead log holds the same data; SQLite gives it the database's mode.
    let connection = rusqlite::Connection::open(&database).expect("open");
    connection
        .query_row("SELECT count(*) FROM imports", [], |row| {
            row.get::<_, i64>(0)
        })
        .expect("read");
    let wal = nested.join("billgap.sqlite-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
    // An existing database keeps the mode its owner gave it.
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let again = billgap(
        &database,
        &["import", &sample("connectwise-additions-2026-10.csv")],
    );
    assert!(again.status.success());
    assert_eq!(mode(&database), 0o640);
}

#[test]
fn a_report_replacing_a_file_keeps_its_mode_and_a_new_one_is_owner_only() {
    let folder = tempfile::tempdir().expect("temp dir");
    let database = folder.path().join("billgap.sqlite");
    let imported = billgap(&database, &["import", &sample("pax8-2026-10.csv")]);
    assert!(imported.status.success());
    let shared = folder.path().join("shared.csv");
    std::fs::write(&shared, "old report\n").expect("write");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let fresh = folder.path().join("fresh.csv");
    for target in [&shared, &fresh] {
        let output = billgap(&database, &["report", "-o", target.to_str().expect("path")]);
        assert!(
            output.status.code().is_some_and(|code| code < 2),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let written = std::fs::read_to_string(target).expect("read");
        assert!(written.contains("currency"), "{written}");
    }
    assert_eq!(mode(&shared), 0o644, "the shared report stays shared");
    assert_eq!(mode(&fresh), 0o600);
}

#[test]
fn the_workbench_refuses_a_named_database_that_does_not_exist_and_names_new() {
    let folder = tempfile::tempdir().expect("temp dir");
    let missing_folder = folder.path().join("typo");
    let database = missing_folder.join("billgap.sqlite");
    let named = database.to_str().expect("path");
    // Named by --db, and by BILLGAP_DB: both are the user's word, so both must exist.
    let by_flag = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["--db", named])
        .env_remove("BILLGAP_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap");
    for output in [by_flag, billgap(&database, &[])] {
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{said}");
        assert!(said.contains(&format!("no database at {named}")), "{said}");
        assert!(said.contains("--new"), "the way to create it: {said}");
        assert!(!missing_folder.exists(), "nothing was created");
    }
    // `--new` belongs to the workbench: with a command it is refused, not ignored.
    let with_command = billgap(&database, &["--new", "gaps"]);
    assert_eq!(with_command.status.code(), Some(2));
    assert!(!missing_folder.exists());
}
