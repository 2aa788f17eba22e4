//! F15: a long import must not make a decision taken meanwhile fail. The file is read and
//! aggregated before the import takes the write lock, so another connection to the same
//! database file can decide while the import is still reading.

use billgap::domain::decision::Decision;
use billgap::domain::lines::SourceKey;
use billgap::import::ImportOptions;
use billgap::store::{ImportOutcome, Origin, Store};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[test]
fn a_decision_taken_while_an_import_reads_its_file_is_recorded_at_once() {
    let folder = tempfile::tempdir().expect("folder");
    let database = folder.path().join("billgap.sqlite");
    Store::open(&database).expect("create");
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample/partner-center-nce-2026-10.csv");
    let (reading, import_is_reading) = mpsc::channel();
    let (go_on, decision_is_done) = mpsc::channel::<()>();
    let worker_database = database.clone();
    let worker = std::thread::spawn(move || {
        let mut store = Store::open(&worker_database).expect("worker store");
        let mut paused = false;
        store.import_file(&file, &ImportOptions::default(), &mut |_| {
            // The parser reports progress while it reads; the import holds here, mid-read,
            // until the decision below is done (or has failed).
            if !paused {
                paused = true;
                reading.send(()).expect("main thread listens");
                let _ = decision_is_done.recv_timeout(Duration::from_secs(30));
            }
        })
    });
    import_is_reading
        .recv_timeout(Duration::from_secs(30))
        .expect("the import reports progress while it reads");
    let mut store = Store::open(&database).expect("decision store");
    let started = Instant::now();
    let decided = store.decide(
        &Decision::MapClient {
            vendor: SourceKey::new("microsoft", "tenant-1"),
            company: SourceKey::new("connectwise", "ACME"),
        },
        Origin::Manual,
    );
    let waited = started.elapsed();
    go_on.send(()).expect("worker waits");
    let imported = worker.join().expect("worker thread");
    assert!(decided.is_ok(), "the decision failed: {decided:?}");
    assert!(
        waited < Duration::from_secs(2),
        "the decision waited {waited:?} for the import"
    );
    assert!(
        matches!(imported, Ok(ImportOutcome::Imported(_))),
        "{imported:?}"
    );
    // Both writes are there: the mapping and the import.
    let store = Store::open(&database).expect("reopen");
    assert_eq!(store.sources().expect("sources").len(), 1);
    assert_eq!(store.mapping_set().expect("mappings").clients.len(), 1);
}
