//! The store through its public API on a real SQLite file: imports are atomic and idempotent,
//! slices replace each other, and the operator's decisions survive restarts and undo/redo.

use billgap::domain::lines::{ChargeKind, Line, Party, Product, Side, SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::import::SourceInfo;
use billgap::store::{Decision, ImportOutcome, Origin, Store, UndoOutcome};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::parse("USD").expect("valid"))
}

fn line(number: u64, customer: &str, product: &str, seats: Decimal, cost: Decimal) -> Line {
    Line {
        source_line: number,
        customer: Party {
            key: customer.to_string(),
            name: format!("{customer} Ltd"),
            domain: None,
            external_id: None,
        },
        product: Product {
            key: product.to_string(),
            name: format!("{product} name"),
        },
        term: Term::Monthly,
        charge: ChargeKind::Recurring,
        seats,
        unit_price: None,
        unit_cost: Some(usd(cost)),
        amount: Some(usd(seats * cost)),
        period_start: None,
        period_end: None,
        subscription: None,
        line_id: None,
    }
}

fn source(side: Side, system: &str, slice: &str) -> SourceInfo {
    SourceInfo {
        format: format!("{system}-test"),
        system: system.to_string(),
        side,
        slice: slice.to_string(),
        period: "2026-10".parse().ok(),
    }
}

fn table_counts(path: &std::path::Path) -> Vec<(String, i64)> {
    let connection = rusqlite::Connection::open(path).expect("open");
    [
        "imports",
        "parties",
        "products",
        "lines",
        "line_chunks",
        "party_positions",
        "client_mappings",
        "decisions",
    ]
    .iter()
    .map(|table| {
        let count = connection
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("count");
        (table.to_string(), count)
    })
    .collect()
}

#[test]
fn identical_imports_are_a_no_op_and_slices_replace_each_other() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("billgap.sqlite");
    let mut store = Store::open(&path).expect("open");
    let vendor = source(Side::Vendor, "microsoft", "partner/USD");
    let first = vec![line(2, "t1", "BP", dec!(10), dec!(22))];
    let outcome = store
        .import_lines(&vendor, "first", first.clone())
        .expect("import");
    assert!(matches!(outcome, ImportOutcome::Imported(_)));
    let again = store
        .import_lines(&vendor, "again", first)
        .expect("re-import");
    assert!(matches!(again, ImportOutcome::AlreadyImported(ref row) if row.file_name == "first"));

    let corrected = vec![line(2, "t1", "BP", dec!(12), dec!(22))];
    let ImportOutcome::Imported(report) = store
        .import_lines(&vendor, "corrected", corrected)
        .expect("import")
    else {
        panic!("a different file is imported");
    };
    assert_eq!(report.replaced.len(), 1, "same slice and period replaces");

    let back = store
        .import_lines(
            &vendor,
            "first again",
            vec![line(2, "t1", "BP", dec!(10), dec!(22))],
        )
        .expect("re-import the first bytes");
    assert!(
        matches!(back, ImportOutcome::Reinstated { ref replaced, .. } if replaced.len() == 1),
        "going back to an earlier export makes it current again: {back:?}"
    );
    let seats: Vec<Decimal> = store
        .current_state()
        .expect("state")
        .vendor
        .iter()
        .map(|position| position.seats)
        .collect();
    assert_eq!(seats, [dec!(10)]);
    store
        .import_lines(
            &vendor,
            "corrected again",
            vec![line(2, "t1", "BP", dec!(12), dec!(22))],
        )
        .expect("forward again");

    let other_slice = source(Side::Vendor, "microsoft", "partner/CAD");
    store
        .import_lines(
            &other_slice,
            "cad",
            vec![line(2, "t2", "BP", dec!(3), dec!(30))],
        )
        .expect("import");
    let state = store.current_state().expect("state");
    let seats: Vec<(String, Decimal)> = state
        .vendor
        .iter()
        .map(|position| (position.customer.key.clone(), position.seats))
        .collect();
    assert_eq!(
        seats,
        [("t1".to_string(), dec!(12)), ("t2".to_string(), dec!(3))]
    );
}

#[test]
fn a_failed_import_leaves_the_database_exactly_as_it_was() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("billgap.sqlite");
    let mut store = Store::open(&path).expect("open");
    let vendor = source(Side::Vendor, "microsoft", "partner/USD");
    store
        .import_lines(
            &vendor,
            "good",
            vec![line(2, "t1", "BP", dec!(10), dec!(22))],
        )
        .expect("import");
    store
        .decide(
            &Decision::IgnoreCustomer {
                vendor: SourceKey::new("microsoft", "t1"),
                reason: "internal".into(),
                until: None,
            },
            Origin::Manual,
        )
        .expect("decide");
    let before = table_counts(&path);
    let empty = store.import_lines(&source(Side::Psa, "connectwise", "cw"), "empty", Vec::new());
    assert!(
        empty.is_err(),
        "an empty import is an error, never a silent success"
    );
    assert_eq!(table_counts(&path), before);
}

#[test]
fn decisions_survive_a_restart_and_undo_redo_replays_them() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("billgap.sqlite");
    let vendor_key = SourceKey::new("microsoft", "t1");
    let acme = SourceKey::new("connectwise", "ACME");
    let bolt = SourceKey::new("connectwise", "BOLT");
    {
        let mut store = Store::open(&path).expect("open");
        for company in [&acme, &bolt] {
            store
                .decide(
                    &Decision::MapClient {
                        vendor: vendor_key.clone(),
                        company: company.clone(),
                    },
                    Origin::Manual,
                )
                .expect("decide");
        }
        let repeat = store
            .decide(
                &Decision::MapClient {
                    vendor: vendor_key.clone(),
                    company: bolt.clone(),
                },
                Origin::Manual,
            )
            .expect("decide");
        assert_eq!(
            repeat, None,
            "a decision that changes nothing is not logged"
        );
    }
    let mut store = Store::open(&path).expect("reopen");
    let mapped = |store: &Store| {
        store
            .mapping_set()
            .expect("mappings")
            .clients
            .get(&vendor_key)
            .cloned()
    };
    assert_eq!(mapped(&store), Some(bolt.clone()));
    assert!(matches!(
        store.undo().expect("undo"),
        UndoOutcome::Applied { .. }
    ));
    assert_eq!(
        mapped(&store),
        Some(acme.clone()),
        "undo restores the previous mapping"
    );
    assert!(matches!(
        store.undo().expect("undo"),
        UndoOutcome::Applied { .. }
    ));
    assert_eq!(mapped(&store), None);
    assert_eq!(store.undo().expect("undo"), UndoOutcome::Nothing);
    drop(store);
    let mut store = Store::open(&path).expect("reopen");
    assert!(matches!(
        store.redo().expect("redo"),
        UndoOutcome::Applied { .. }
    ));
    assert_eq!(
        mapped(&store),
        Some(acme.clone()),
        "redo survives a restart"
    );
    store
        .decide(
            &Decision::RejectClient {
                vendor: vendor_key.clone(),
                company: bolt.clone(),
            },
            Origin::Manual,
        )
        .expect("reject");
    assert_eq!(
        store.redo().expect("redo"),
        UndoOutcome::Nothing,
        "a new decision clears redo"
    );
    assert_eq!(
        store.rejections("client").expect("rejections"),
        [(vendor_key.clone(), bolt.clone())]
    );
    let log = store.decision_log(10).expect("log");
    assert_eq!(log.len(), 6);
    let connection = rusqlite::Connection::open(&path).expect("open");
    assert!(
        connection.execute("DELETE FROM decisions", []).is_err(),
        "the decision log is append-only"
    );
}

#[test]
fn confirmed_mappings_carry_over_to_the_next_import_by_stable_key() {
    let mut store = Store::open_in_memory().expect("store");
    let october = source(Side::Vendor, "microsoft", "partner/USD");
    store
        .import_lines(
            &october,
            "october",
            vec![line(2, "t1", "BP", dec!(10), dec!(22))],
        )
        .expect("import");
    store
        .decide(
            &Decision::MapClient {
                vendor: SourceKey::new("microsoft", "t1"),
                company: SourceKey::new("connectwise", "ACME"),
            },
            Origin::Manual,
        )
        .expect("map");
    let mut november = source(Side::Vendor, "microsoft", "partner/USD");
    november.period = "2026-11".parse().ok();
    let mut renamed = line(2, "t1", "BP", dec!(12), dec!(22));
    renamed.customer.name = "Acme Holdings (renamed in Partner Center)".into();
    store
        .import_lines(&november, "november", vec![renamed])
        .expect("import");
    let state = store.current_state().expect("state");
    assert_eq!(state.vendor_period.as_deref(), Some("2026-11"));
    assert!(
        store
            .vendor_systems_missing_from("2026-11")
            .expect("systems")
            .is_empty(),
        "microsoft has its November export"
    );
    let mut pax8 = source(Side::Vendor, "pax8", "USD");
    pax8.period = "2026-10".parse().ok();
    store
        .import_lines(
            &pax8,
            "pax8 october",
            vec![line(2, "p1", "EDR", dec!(5), dec!(4))],
        )
        .expect("import");
    assert_eq!(
        store
            .vendor_systems_missing_from("2026-11")
            .expect("systems"),
        ["pax8"],
        "Pax8 sent October but not November yet"
    );
    let details = store.party_details(Side::Vendor).expect("details");
    let customers = billgap::domain::holdings::party_rows(
        Side::Vendor,
        &state.vendor,
        &details,
        &state.mappings,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
    );
    assert_eq!(customers.len(), 1);
    assert_eq!(
        customers[0].party.name,
        "Acme Holdings (renamed in Partner Center)"
    );
    assert_eq!(
        customers[0].mapped_to,
        Some(SourceKey::new("connectwise", "ACME")),
        "the mapping follows the tenant id, not the name"
    );
}

fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name)
}

/// Imports `path`, returning the outcome and how many progress reports its rows gave.
fn import_counting(store: &mut Store, path: &std::path::Path) -> (ImportOutcome, usize) {
    let mut reports = 0;
    let outcome = store
        .import_file(path, &Default::default(), &mut |_| reports += 1)
        .expect("import");
    (outcome, reports)
}

#[test]
fn an_unchanged_file_imported_again_is_answered_from_its_hash_without_reading_its_rows() {
    let folder = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&folder.path().join("billgap.sqlite")).expect("open");
    let file = sample("pax8-2026-10.csv");
    let (first, reports) = import_counting(&mut store, &file);
    assert!(matches!(first, ImportOutcome::Imported(_)));
    assert!(reports > 0, "a read reports its rows");

    let (again, reports) = import_counting(&mut store, &file);
    assert!(
        matches!(again, ImportOutcome::AlreadyImported(_)),
        "{again:?}"
    );
    assert_eq!(
        reports, 0,
        "no row was read: the file of a known size was hashed first"
    );

    // The same size with other bytes is a new export, read and imported.
    let text = std::fs::read_to_string(&file).expect("sample");
    let changed = text.replacen("Contoso Dental Group", "Contoso Dental Groop", 1);
    assert_eq!(changed.len(), text.len());
    let edited = folder.path().join("pax8-edited.csv");
    std::fs::write(&edited, changed).expect("written");
    let (edited_outcome, reports) = import_counting(&mut store, &edited);
    assert!(
        matches!(edited_outcome, ImportOutcome::Imported(_)),
        "{edited_outcome:?}"
    );
    assert!(reports > 0);
}

#[test]
fn a_file_imported_before_sizes_were_kept_is_still_known_by_its_hash() {
    let folder = tempfile::tempdir().expect("temp dir");
    let database = folder.path().join("billgap.sqlite");
    let mut store = Store::open(&database).expect("open");
    let file = sample("connectwise-additions-2026-10.csv");
    assert!(matches!(
        import_counting(&mut store, &file).0,
        ImportOutcome::Imported(_)
    ));
    drop(store);
    // As an import made before schema 17 left it: no size.
    rusqlite::Connection::open(&database)
        .expect("raw")
        .execute("UPDATE imports SET byte_count = NULL", [])
        .expect("sizes forgotten");
    let mut store = Store::open(&database).expect("reopen");
    let (again, _) = import_counting(&mut store, &file);
    assert!(
        matches!(again, ImportOutcome::AlreadyImported(_)),
        "{again:?}"
    );
}

fn index_statements(path: &std::path::Path) -> Vec<(String, Option<String>)> {
    let connection = rusqlite::Connection::open(path).expect("open");
    let mut statement = connection
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name")
        .expect("indexes");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("index rows")
}

/// A first import of thousands of companies builds the lookup indexes afresh rather than
/// inserting into them name by name: they must come back exactly as the migrations made them,
/// and serve the lookups that follow.
#[test]
fn a_large_first_import_leaves_every_index_as_the_migrations_made_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("billgap.sqlite");
    let fresh = folder.path().join("fresh.sqlite");
    drop(Store::open(&fresh).expect("fresh store"));
    let mut store = Store::open(&path).expect("open");
    let lines: Vec<Line> = (0..3000)
        .map(|number| line(number + 2, &format!("c{number}"), "BP", dec!(1), dec!(5)))
        .collect();
    store
        .import_lines(
            &source(Side::Vendor, "microsoft", "partner/USD"),
            "many",
            lines,
        )
        .expect("import");
    assert_eq!(index_statements(&path), index_statements(&fresh));
    let found = store
        .find_parties(Side::Vendor, "  C2999 LTD ")
        .expect("find by name");
    assert_eq!(
        found,
        [(
            SourceKey::new("microsoft", "c2999"),
            "c2999 Ltd".to_string()
        )]
    );
    let found = store
        .find_parties(Side::Vendor, "c17")
        .expect("find by key");
    assert_eq!(found.len(), 1);
}
