//! F8: listing commands whose reader has gone (`billgap clients | head -1`) end quietly with
//! exit 0 instead of panicking on the broken pipe.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs billgap with a stdout pipe whose reading end is closed at once, and returns the exit
/// code and stderr.
fn with_closed_stdout(database: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn listings_end_quietly_when_the_reader_is_gone() {
    let directory = tempfile::tempdir().expect("dir");
    let database = directory.path().join("pipe.sqlite");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample");
    let files: Vec<String> = [
        "partner-center-nce-2026-10.csv",
        "pax8-2026-10.csv",
        "connectwise-additions-2026-10.csv",
    ]
    .iter()
    .map(|name| sample.join(name).display().to_string())
    .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let imported = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(&args)
        .env("BILLGAP_DB", &database)
        .output()
        .expect("import");
    assert!(imported.status.success());
    for command in [
        &["formats"][..],
        &["clients"],
        &["clients", "--unmapped"],
        &["products"],
        &["match"],
        &["log"],
    ] {
        let (code, stderr) = with_closed_stdout(&database, command);
        assert_eq!(code, Some(0), "{command:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{command:?}: {stderr}");
    }
}
