//! A PSA import killed part-way, while its positions spill to sorted runs or while it copies
//! them into the database, leaves the database exactly as it was: never half an import.
//!
//! The import reads and aggregates outside the database, then copies in one transaction, and
//! SQLite's journal undoes a transaction a killed process never committed. This runs the real
//! binary on a real file large enough to spill several runs, kills it (SIGKILL, no clean-up) at
//! points spread over its whole run, and compares every table after each kill.

mod database_dump;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn billgap(database: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_billgap"));
    command
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Whether `billgap import FILE` into `database` ran to its end and succeeded.
fn imports(database: &Path, file: &Path) -> bool {
    billgap(database)
        .arg("import")
        .arg(file)
        .status()
        .expect("run")
        .success()
}

/// Every row of every table, after SQLite's own check of the file.
fn dump(database: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).expect("open");
    let check: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    database_dump::every_row(database)
}

#[test]
fn a_spilling_psa_import_killed_anywhere_leaves_the_database_as_it_was_or_whole() {
    let directory = tempfile::tempdir().expect("dir");
    let files = directory.path().join("files");
    // About 66,000 ConnectWise lines for 10,000 companies: more positions than the 20,000 an
    // import holds in memory, so it spills three runs before it copies.
    let generated = billgap(&directory.path().join("unused.sqlite"))
        .args([
            "generate",
            "--clients",
            "10000",
            "--lines",
            "60000",
            "--seed",
            "7",
        ])
        .arg("--out")
        .arg(&files)
        .status()
        .expect("generate");
    assert!(generated.success());
    let psa = files.join("connectwise-additions.csv");
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/partner-center-nce-2026-10.csv");

    // The whole import, uninterrupted, in a database of its own: how long it takes, and what
    // the database holds after it.
    let whole = directory.path().join("whole.sqlite");
    assert!(imports(&whole, &sample));
    let started = Instant::now();
    assert!(imports(&whole, &psa));
    let duration = started.elapsed();
    let after = dump(&whole);

    let database = directory.path().join("killed.sqlite");
    assert!(imports(&database, &sample));
    let before = dump(&database);
    assert_ne!(before, after, "the PSA import changes the database");
    let mut interrupted = 0;
    for tenth in [1_u32, 3, 5, 7, 9] {
        let mut child = billgap(&database)
            .arg("import")
            .arg(&psa)
            .spawn()
            .expect("start the import");
        std::thread::sleep(duration * tenth / 10);
        child.kill().ok();
        child.wait().expect("reaped");
        let now = dump(&database);
        if now == before {
            interrupted += 1;
            continue;
        }
        // The kill came after the commit. The whole import is in, and nothing else (its times
        // differ from the other database's, so the rows are counted).
        assert_eq!(
            now.len(),
            after.len(),
            "killed at {tenth}/10 of the import: neither as it was nor whole"
        );
        break;
    }
    assert!(
        interrupted >= 2,
        "the kills came too late to interrupt anything"
    );
    // After the kills, the same file imports whole.
    assert!(imports(&database, &psa));
    assert_eq!(dump(&database).len(), after.len());
}
