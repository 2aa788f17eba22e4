//! What a failure prints (F16): a panic report without colour codes when `NO_COLOR` is set,
//! and with them otherwise; an error's reason said once, through the built binary.

use std::sync::{Arc, Mutex};

/// Set in the child run of [`panic_report_in_a_child`]: the hooks can be built once per
/// process, so each variant runs in its own.
const CHILD: &str = "BILLGAP_PANIC_REPORT_CHILD";

/// Not a check of its own: in the child process, prints the panic report the hooks write
/// for one panic, between markers. Without the variable it does nothing.
#[test]
fn panic_report_in_a_child() {
    let Some(variant) = std::env::var_os(CHILD) else {
        return;
    };
    let (panic_hook, _) = billgap::cli::failure::hooks(variant == "plain").into_hooks();
    let captured = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&captured);
    std::panic::set_hook(Box::new(move |info| {
        *sink.lock().expect("lock") = panic_hook.panic_report(info).to_string();
    }));
    let result = std::panic::catch_unwind(|| panic!("a bug"));
    let _ = std::panic::take_hook();
    assert!(result.is_err());
    println!("<<<{}>>>", captured.lock().expect("lock"));
}

/// The panic report of one variant, from a child run of this test binary.
fn panic_report(variant: &str) -> String {
    let output = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "panic_report_in_a_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, variant)
        .output()
        .expect("run the child");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let start = text.find("<<<").expect("a report") + 3;
    let end = text.rfind(">>>").expect("its end");
    text[start..end].to_string()
}

#[test]
fn no_color_holds_for_panic_reports() {
    let plain = panic_report("plain");
    assert!(plain.contains("a bug"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let coloured = panic_report("coloured");
    assert!(
        coloured.contains('\u{1b}'),
        "the default report is coloured: {coloured:?}"
    );
}

#[test]
fn a_directory_given_as_a_file_is_said_once() {
    let folder = tempfile::tempdir().expect("temp dir");
    // A folder is a folder of exports to `import`, but where one file is needed (`--with`) a
    // directory is refused, once.
    let answer = folder.path().join("additions.json");
    std::fs::write(&answer, "[{\"id\": 1, \"agreementId\": 7}]").expect("answer");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args([
            "import",
            answer.to_str().expect("path"),
            "--with",
            folder.path().to_str().expect("path"),
        ])
        .env("BILLGAP_DB", folder.path().join("billgap.sqlite"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap");
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert_eq!(said.matches("a directory").count(), 1, "{said}");
    let missing = folder.path().join("missing.csv");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["import", missing.to_str().expect("path")])
        .env("BILLGAP_DB", folder.path().join("billgap.sqlite"))
        .output()
        .expect("run billgap");
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(said.matches("No such file").count(), 1, "{said}");
}

#[test]
fn a_locked_database_is_said_once() {
    let folder = tempfile::tempdir().expect("temp dir");
    let database = folder.path().join("billgap.sqlite");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
            .args(args)
            .env("BILLGAP_DB", &database)
            .env("NO_COLOR", "1")
            .output()
            .expect("run billgap")
    };
    let sample = format!(
        "{}/assets/sample/pax8-2026-10.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    assert!(run(&["import", &sample]).status.success());
    // Another writer holds the database for longer than a decision waits (5 s).
    let holder = rusqlite::Connection::open(&database).expect("open");
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO settings (key, value) VALUES ('held', '1');")
        .expect("hold the write lock");
    let output = run(&["threshold", "50"]);
    holder.execute_batch("ROLLBACK").expect("release");
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert_eq!(said.matches("database is locked").count(), 1, "{said}");
}
