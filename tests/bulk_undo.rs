//! A bulk accept is one step of the operator's history: one undo reverses every mapping it
//! made and one redo re-applies them, on a real SQLite file and across restarts, while single
//! decisions and logs written before batches existed keep undoing one entry at a time.

use billgap::domain::lines::{ChargeKind, Line, Party, Product, Side, SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::import::SourceInfo;
use billgap::store::{Decision, Origin, Store, UndoOutcome};
use billgap::workflow::{HistoryStep, Workspace};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

fn vendor(key: &str) -> SourceKey {
    SourceKey::new("microsoft", key)
}

fn company(key: &str) -> SourceKey {
    SourceKey::new("connectwise", key)
}

fn map(customer: &str, psa: &str) -> Decision {
    Decision::MapClient {
        vendor: vendor(customer),
        company: company(psa),
    }
}

/// The three mappings of a typical safe band.
fn safe_band() -> Vec<Decision> {
    vec![map("t1", "C1"), map("t2", "C2"), map("t3", "C3")]
}

fn database() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("billgap.sqlite");
    (folder, path)
}

fn mapped(store: &Store, customer: &str) -> Option<SourceKey> {
    store
        .mapping_set()
        .expect("mappings")
        .clients
        .get(&vendor(customer))
        .cloned()
}

/// How many decisions an undo or redo reversed; 0 when there was nothing to do.
fn reversed(outcome: &UndoOutcome) -> usize {
    match outcome {
        UndoOutcome::Applied { count, .. } => *count,
        UndoOutcome::Nothing | UndoOutcome::Blocked => 0,
    }
}

#[test]
fn a_batch_is_undone_and_redone_as_one_step_across_restarts() {
    let (_folder, path) = database();
    {
        let mut store = Store::open(&path).expect("open");
        store
            .decide(&map("t1", "OLD"), Origin::Manual)
            .expect("an earlier manual mapping");
        let logged = store
            .decide_batch(&safe_band(), Origin::Manual)
            .expect("a manual batch, as `map --from` makes, may replace a mapping");
        assert!(logged.iter().all(Option::is_some), "{logged:?}");
        let log = store.decision_log(10).expect("log");
        assert_eq!(log.len(), 4);
        let first = logged[0];
        assert!(
            log[..3].iter().all(|entry| entry.batch == first),
            "every entry of the batch carries the id of its first: {log:?}"
        );
        assert_eq!(log[3].batch, None, "a single decision is a step of its own");
    }
    let mut store = Store::open(&path).expect("reopen");
    let UndoOutcome::Applied {
        record,
        count,
        decisions,
        ..
    } = store.undo().expect("undo")
    else {
        panic!("the batch is undone");
    };
    assert_eq!(count, 3);
    assert_eq!(decisions, safe_band(), "named in the order they were made");
    assert_eq!(record.step, "undo");
    assert_eq!(record.origin, "manual");
    assert_eq!(
        mapped(&store, "t1"),
        Some(company("OLD")),
        "restored, not removed"
    );
    assert_eq!(mapped(&store, "t2"), None);
    assert_eq!(mapped(&store, "t3"), None);
    drop(store);

    let mut store = Store::open(&path).expect("reopen");
    assert_eq!(
        reversed(&store.redo().expect("redo")),
        3,
        "one redo, whole batch"
    );
    assert_eq!(mapped(&store, "t1"), Some(company("C1")));
    assert_eq!(mapped(&store, "t2"), Some(company("C2")));
    assert_eq!(mapped(&store, "t3"), Some(company("C3")));
    assert_eq!(store.redo().expect("redo"), UndoOutcome::Nothing);
    drop(store);

    let mut store = Store::open(&path).expect("reopen");
    assert_eq!(reversed(&store.undo().expect("undo")), 3, "undone again");
    assert_eq!(
        reversed(&store.undo().expect("undo")),
        1,
        "then the manual mapping"
    );
    assert_eq!(mapped(&store, "t1"), None);
    assert_eq!(store.undo().expect("undo"), UndoOutcome::Nothing);
    let log = store.decision_log(20).expect("log");
    assert_eq!(log.len(), 1 + 3 + 3 + 3 + 3 + 1);
    let batch = log
        .iter()
        .filter(|entry| entry.batch.is_some())
        .map(|entry| (entry.step.as_str(), entry.batch))
        .collect::<Vec<_>>();
    assert_eq!(batch.len(), 12, "undo and redo entries carry the batch too");
    assert!(batch.iter().all(|(_, id)| *id == batch[0].1));
}

#[test]
fn a_manual_decision_after_a_batch_is_undone_first() {
    let (_folder, path) = database();
    let mut store = Store::open(&path).expect("open");
    store
        .decide_batch(&safe_band(), Origin::Automatic)
        .expect("batch");
    store
        .decide(
            &Decision::UnmapClient {
                vendor: vendor("t2"),
            },
            Origin::Manual,
        )
        .expect("unmap");
    drop(store);
    let mut store = Store::open(&path).expect("reopen");
    let UndoOutcome::Applied {
        count, decisions, ..
    } = store.undo().expect("undo")
    else {
        panic!("the manual decision is undone");
    };
    assert_eq!(count, 1);
    assert_eq!(
        decisions,
        [Decision::UnmapClient {
            vendor: vendor("t2")
        }]
    );
    assert_eq!(mapped(&store, "t2"), Some(company("C2")));
    assert_eq!(
        mapped(&store, "t1"),
        Some(company("C1")),
        "the batch stands"
    );
    assert_eq!(reversed(&store.undo().expect("undo")), 3);
    assert_eq!(mapped(&store, "t1"), None);
    assert_eq!(store.undo().expect("undo"), UndoOutcome::Nothing);
    assert_eq!(reversed(&store.redo().expect("redo")), 3);
    assert_eq!(reversed(&store.redo().expect("redo")), 1);
    assert_eq!(mapped(&store, "t2"), None);
    assert_eq!(mapped(&store, "t3"), Some(company("C3")));
}

#[test]
fn a_decision_that_changes_nothing_is_skipped_inside_a_batch() {
    let (_folder, path) = database();
    let mut store = Store::open(&path).expect("open");
    // Already in force from an earlier accept (the state includes the origin, so only an
    // automatic mapping to the same company is the same state).
    store
        .decide(&map("t2", "C2"), Origin::Automatic)
        .expect("already mapped");
    let logged = store
        .decide_batch(&safe_band(), Origin::Automatic)
        .expect("batch");
    assert!(
        logged[0].is_some() && logged[1].is_none() && logged[2].is_some(),
        "{logged:?}"
    );
    assert_eq!(store.decision_log(10).expect("log").len(), 3);
    let nothing = store
        .decide_batch(&safe_band(), Origin::Automatic)
        .expect("batch");
    assert_eq!(
        nothing,
        [None, None, None],
        "an all no-op batch writes nothing"
    );
    assert_eq!(store.decision_log(10).expect("log").len(), 3);
    drop(store);

    let mut store = Store::open(&path).expect("reopen");
    assert_eq!(reversed(&store.undo().expect("undo")), 2);
    assert_eq!(
        mapped(&store, "t2"),
        Some(company("C2")),
        "the skipped decision's record is left as the earlier step made it"
    );
    assert_eq!(mapped(&store, "t1"), None);
    assert_eq!(reversed(&store.undo().expect("undo")), 1);
    assert_eq!(mapped(&store, "t2"), None);
}

#[test]
fn two_batches_in_a_row_are_two_steps_and_replay_in_order() {
    let (_folder, path) = database();
    let mut store = Store::open(&path).expect("open");
    store
        .decide_batch(&safe_band(), Origin::Automatic)
        .expect("first batch");
    store
        .decide_batch(&[map("t4", "C4"), map("t4", "C5")], Origin::Automatic)
        .expect("second batch, changing one record twice");
    assert_eq!(mapped(&store, "t4"), Some(company("C5")));
    drop(store);
    let mut store = Store::open(&path).expect("reopen");
    assert_eq!(reversed(&store.undo().expect("undo")), 2);
    assert_eq!(mapped(&store, "t4"), None, "reversed in reverse order");
    assert_eq!(mapped(&store, "t1"), Some(company("C1")));
    assert_eq!(reversed(&store.redo().expect("redo")), 2);
    assert_eq!(
        mapped(&store, "t4"),
        Some(company("C5")),
        "re-applied in order"
    );
}

/// A database written by a billgap that knew only migration 0001, with one decision logged.
fn database_before_batches(path: &Path) {
    use sha2::Digest;
    let init = include_str!("../migrations/0001_init.sql");
    let digest: String = sha2::Sha256::digest(init.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let connection = rusqlite::Connection::open(path).expect("open");
    connection.execute_batch(init).expect("schema version 1");
    connection
        .execute_batch(
            "CREATE TABLE schema_migrations (
                 name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .expect("migrations table");
    connection
        .execute(
            "INSERT INTO schema_migrations VALUES ('0001_init', ?1, '2026-10-01T00:00:00.000Z')",
            [digest],
        )
        .expect("0001 applied");
    connection
        .execute_batch(
            r#"INSERT INTO client_mappings VALUES
                   ('microsoft', 't1', 'connectwise', 'C1', 'manual', '2026-10-01T00:00:00.000Z');
               INSERT INTO decisions (decided_at, action, step, target, origin, record, before, after)
               VALUES ('2026-10-01T00:00:00.000Z', 'map-client', 'do', NULL, 'manual',
                       '{"record":"client-mapping","vendor_system":"microsoft","vendor_key":"t1"}',
                       NULL,
                       '{"psa_system":"connectwise","psa_key":"C1","origin":"manual"}');"#,
        )
        .expect("one decision");
}

#[test]
fn a_log_from_before_batches_still_undoes_one_entry_at_a_time() {
    let (_folder, path) = database();
    database_before_batches(&path);
    let mut store = Store::open(&path).expect("open migrates to 0002");
    assert_eq!(store.decision_log(1).expect("log")[0].batch, None);
    store
        .decide_batch(&[map("t2", "C2"), map("t3", "C3")], Origin::Automatic)
        .expect("batch");
    assert_eq!(reversed(&store.undo().expect("undo")), 2);
    assert_eq!(reversed(&store.undo().expect("undo")), 1);
    assert_eq!(mapped(&store, "t1"), None);
    assert_eq!(store.undo().expect("undo"), UndoOutcome::Nothing);
}

fn line(number: u64, key: &str, name: &str, side: Side) -> Line {
    let unit = Money::new(Decimal::from(10), Currency::parse("USD").expect("USD"));
    Line {
        source_line: number,
        customer: Party {
            key: key.to_string(),
            name: name.to_string(),
            domain: None,
            external_id: None,
        },
        product: Product {
            key: "BP".to_string(),
            name: "Business Premium".to_string(),
        },
        term: Term::Monthly,
        charge: ChargeKind::Recurring,
        seats: Decimal::from(5),
        unit_price: (side == Side::Psa).then(|| unit.clone()),
        unit_cost: (side == Side::Vendor).then(|| unit.clone()),
        amount: unit.checked_times(Decimal::from(5)),
        period_start: None,
        period_end: None,
        subscription: None,
        line_id: None,
    }
}

/// Four vendor customers and four PSA companies with the same names, none mapped yet.
fn named_database(path: &Path) {
    let mut store = Store::open(path).expect("open");
    let names = ["Contoso", "Fabrikam", "Northwind", "Tailspin"];
    for (side, system, suffix) in [
        (Side::Vendor, "microsoft", ""),
        (Side::Psa, "connectwise", " Ltd"),
    ] {
        let lines = names
            .iter()
            .zip(1_u64..)
            .map(|(name, number)| {
                let key = match side {
                    Side::Vendor => format!("t{number}"),
                    Side::Psa => format!("C{number}"),
                };
                line(number, &key, &format!("{name}{suffix}"), side)
            })
            .collect();
        let source = SourceInfo {
            format: format!("{system}-test"),
            system: system.to_string(),
            side,
            slice: system.to_string(),
            period: "2026-10".parse().ok(),
        };
        store.import_lines(&source, system, lines).expect("import");
    }
}

#[test]
fn undoing_a_bulk_accept_names_it_in_one_sentence() {
    let (_folder, path) = database();
    named_database(&path);
    let mut workspace = Workspace::open(&path).expect("workspace");
    let mut band = safe_band();
    band.push(map("t4", "C4"));
    assert_eq!(workspace.accept_decisions(&band).expect("accept"), 4);
    let undone = workspace
        .step_history(HistoryStep::Undo)
        .expect("undo")
        .expect("something to undo");
    assert_eq!(
        undone,
        "Undid 4 automatic mappings (one bulk accept): Contoso → Contoso Ltd, \
         Fabrikam → Fabrikam Ltd, Northwind → Northwind Ltd and 1 more"
    );
    drop(workspace);
    let mut workspace = Workspace::open(&path).expect("reopen");
    let redone = workspace
        .step_history(HistoryStep::Redo)
        .expect("redo")
        .expect("something to redo");
    assert!(redone.starts_with("Redid 4 automatic mappings"), "{redone}");
    let single = workspace
        .decide(&Decision::UnmapClient {
            vendor: vendor("t4"),
        })
        .expect("unmap");
    assert!(single.changed);
    let undone = workspace
        .step_history(HistoryStep::Undo)
        .expect("undo")
        .expect("something to undo");
    // The number is the undone decision's, as `billgap log` lists it, not the newer entry the
    // undo wrote (F16).
    let log = workspace.decision_log(2).expect("log");
    assert_eq!((log[0].step.as_str(), log[1].step.as_str()), ("undo", "do"));
    assert_eq!(undone, format!("Undid #{} (Unmapped Tailspin)", log[1].id));
    let redone = workspace
        .step_history(HistoryStep::Redo)
        .expect("redo")
        .expect("something to redo");
    assert_eq!(redone, format!("Redid #{} (Unmapped Tailspin)", log[1].id));
}

#[test]
fn an_automatic_batch_never_replaces_a_mapping_decided_after_its_queue_was_read() {
    let (_folder, path) = database();
    // Two connections on one file: `match --accept-above` read its queue (t1, t2, t3 all
    // unmapped), and the operator mapped t1 by hand before the batch was written (F5).
    let mut matcher = Store::open(&path).expect("the matcher's connection");
    let mut operator = Store::open(&path).expect("the operator's connection");
    let proposed = safe_band();
    operator
        .decide(&map("t1", "PINECREST"), Origin::Manual)
        .expect("a manual mapping made meanwhile");
    let logged = matcher
        .decide_batch(&proposed, Origin::Automatic)
        .expect("batch");
    assert!(
        logged[0].is_none() && logged[1].is_some() && logged[2].is_some(),
        "the decided key is skipped, the others applied: {logged:?}"
    );
    assert_eq!(mapped(&matcher, "t1"), Some(company("PINECREST")));
    assert_eq!(mapped(&operator, "t2"), Some(company("C2")));
    // A single automatic decision obeys the same rule, and a manual one still may replace.
    assert_eq!(
        matcher
            .decide(&map("t1", "C1"), Origin::Automatic)
            .expect("decide"),
        None
    );
    assert_eq!(mapped(&matcher, "t1"), Some(company("PINECREST")));
    assert!(
        operator
            .decide(&map("t1", "C1"), Origin::Manual)
            .expect("decide")
            .is_some()
    );
    assert_eq!(mapped(&matcher, "t1"), Some(company("C1")));
    // One undo takes back the manual change, the next the batch (two entries), and the
    // operator's first mapping is what remains.
    assert_eq!(reversed(&matcher.undo().expect("undo")), 1);
    assert_eq!(reversed(&matcher.undo().expect("undo")), 2);
    assert_eq!(mapped(&matcher, "t1"), Some(company("PINECREST")));
    assert_eq!(mapped(&matcher, "t2"), None);
}
