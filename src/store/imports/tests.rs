//! Tests of an import's copy and the connection it borrows.

use super::*;
use crate::store::connection_settings::ConnectionSettings;

fn sample(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name)
}

/// Whether the connection checks references, and its page cache.
fn settings(store: &Store) -> (bool, i64) {
    let read = |pragma: &str| -> i64 {
        store
            .connection
            .query_row(&format!("PRAGMA {pragma}"), [], |row| row.get(0))
            .expect("pragma")
    };
    (read("foreign_keys") == 1, read("cache_size"))
}

/// Every reference in the database that names no record.
fn broken_references(store: &Store) -> Vec<String> {
    let mut check = store
        .connection
        .prepare("PRAGMA foreign_key_check")
        .expect("check");
    check
        .query_map([], |row| {
            Ok(format!(
                "{} row {:?} -> {}",
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?
            ))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("violations")
}

/// The copy runs with references unchecked (every id it writes, it has just made or read),
/// so the connection must be given back as it was opened, after a copy that failed as after
/// one that committed, and what the copies wrote must still hold every reference.
#[test]
fn an_import_leaves_the_connection_as_opened_and_every_reference_whole() {
    let folder = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&folder.path().join("billgap.sqlite")).expect("open");
    let opened = settings(&store);
    let expected = ConnectionSettings::OPENED;
    assert_eq!(opened, (expected.check_references, expected.cache_kib));
    assert_eq!(opened, (true, -65536), "references checked, a 64 MiB cache");
    let failed = store.import_file_then(
        &sample("partner-center-nce-2026-10.csv"),
        &ImportOptions::default(),
        &mut |_| {},
        &mut |_| Err(StoreError::NotFound("refused before the commit".into())),
    );
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(settings(&store), opened, "after a failed copy");
    for file in [
        "partner-center-nce-2026-10.csv",
        "pax8-2026-10.csv",
        "connectwise-additions-2026-10.csv",
    ] {
        store
            .import_file(&sample(file), &ImportOptions::default(), &mut |_| {})
            .expect("import");
        assert_eq!(settings(&store), opened, "after importing {file}");
    }
    assert_eq!(broken_references(&store), Vec::<String>::new());
    // The check can fail: a position naming no party is found.
    store
        .connection
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             UPDATE party_positions SET party_id = -1
             WHERE (import_id, party_id) = (SELECT import_id, party_id FROM party_positions);",
        )
        .expect("break a reference");
    assert!(!broken_references(&store).is_empty());
}
