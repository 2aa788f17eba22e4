//! Undo belongs to the screen where it is pressed (walkthrough §12): on a real SQLite file,
//! reopened between steps so that every answer comes from replaying the decision log.

use billgap::domain::lines::{SourceKey, Term};
use billgap::store::{Decision, Origin, Store, UndoOutcome, UndoScope};
use std::path::{Path, PathBuf};

fn map_client(customer: &str, company: &str) -> Decision {
    Decision::MapClient {
        vendor: SourceKey::new("microsoft", customer),
        company: SourceKey::new("connectwise", company),
    }
}

fn map_product(product: &str, psa: &str) -> Decision {
    Decision::MapProduct {
        vendor: SourceKey::new("microsoft", product),
        term: Some(Term::Monthly),
        product: SourceKey::new("connectwise", psa),
    }
}

fn database() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("billgap.sqlite");
    (folder, path)
}

fn client(path: &Path, customer: &str) -> Option<String> {
    let store = Store::open(path).expect("open");
    let mappings = store.mapping_set().expect("mappings");
    mappings
        .clients
        .get(&SourceKey::new("microsoft", customer))
        .map(|company| company.key.clone())
}

fn product(path: &Path, vendor: &str) -> Option<String> {
    let store = Store::open(path).expect("open");
    let mappings = store.mapping_set().expect("mappings");
    mappings
        .product_for(&SourceKey::new("microsoft", vendor), Term::Monthly)
        .map(|product| product.key.clone())
}

/// Undo (or redo) in one scope on a freshly opened store; the number of decisions reversed,
/// 0 for nothing, -1 when blocked.
fn step(path: &Path, undo: bool, scope: UndoScope) -> i64 {
    let mut store = Store::open(path).expect("open");
    match store.step_history(undo, scope).expect("step") {
        UndoOutcome::Applied { count, .. } => count as i64,
        UndoOutcome::Nothing => 0,
        UndoOutcome::Blocked => -1,
    }
}

fn decide(path: &Path, decision: &Decision) {
    let mut store = Store::open(path).expect("open");
    assert!(
        store
            .decide(decision, Origin::Manual)
            .expect("decide")
            .is_some()
    );
}

#[test]
fn undo_on_one_screen_reverses_only_what_that_screen_decides() {
    let (_folder, path) = database();
    decide(&path, &map_client("t1", "C1"));
    decide(&path, &map_product("p1", "P1"));

    assert_eq!(step(&path, true, UndoScope::Clients), 1);
    assert_eq!(client(&path, "t1"), None, "the client mapping is undone");
    assert_eq!(
        product(&path, "p1").as_deref(),
        Some("P1"),
        "the later product mapping, not visible from Clients, stands"
    );
    assert_eq!(
        step(&path, true, UndoScope::Clients),
        0,
        "nothing else here"
    );
    assert_eq!(step(&path, true, UndoScope::Gaps), 0);

    // A product decision does not clear the Clients screen's redo.
    decide(&path, &map_product("p2", "P2"));
    assert_eq!(step(&path, false, UndoScope::Clients), 1);
    assert_eq!(client(&path, "t1").as_deref(), Some("C1"));

    // A client decision does clear it, as in every editor.
    assert_eq!(step(&path, true, UndoScope::Clients), 1);
    decide(&path, &map_client("t2", "C2"));
    assert_eq!(step(&path, false, UndoScope::Clients), 0);
    assert_eq!(client(&path, "t1"), None);

    // Everything takes the latest step of any kind.
    assert_eq!(step(&path, true, UndoScope::Everything), 1);
    assert_eq!(client(&path, "t2"), None);
    assert_eq!(step(&path, true, UndoScope::Everything), 1);
    assert_eq!(product(&path, "p2"), None);
    assert_eq!(product(&path, "p1").as_deref(), Some("P1"));
}

#[test]
fn a_step_that_spans_screens_waits_for_the_later_steps_it_would_overwrite() {
    let (_folder, path) = database();
    {
        // `match --accept-above` maps clients and products in one step.
        let mut store = Store::open(&path).expect("open");
        let logged = store
            .decide_batch(
                &[map_client("t1", "C1"), map_product("p1", "P1")],
                Origin::Automatic,
            )
            .expect("batch");
        assert!(logged.iter().all(Option::is_some));
    }
    // The operator then corrects the product by hand.
    decide(&path, &map_product("p1", "P9"));

    assert_eq!(
        step(&path, true, UndoScope::Clients),
        -1,
        "undoing the batch from Clients would overwrite the later product correction"
    );
    assert_eq!(client(&path, "t1").as_deref(), Some("C1"));
    assert_eq!(product(&path, "p1").as_deref(), Some("P9"));

    assert_eq!(step(&path, true, UndoScope::Products), 1);
    assert_eq!(product(&path, "p1").as_deref(), Some("P1"));
    assert_eq!(
        step(&path, true, UndoScope::Clients),
        2,
        "now the whole batch goes, in one step"
    );
    assert_eq!(client(&path, "t1"), None);
    assert_eq!(product(&path, "p1"), None);
    assert_eq!(step(&path, true, UndoScope::Everything), 0);
}

mod tui_fixture;

use billgap::tui::action::{Action, Screen};
use tui_fixture::{act, app, build};

#[test]
fn in_the_workbench_u_undoes_what_the_current_screen_decided() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    let client = app.clients.selected_entry().expect("a customer").clone();
    act(&mut app, Action::ConfirmSuggestion);
    act(&mut app, Action::ShowScreen(Screen::Products));
    let product = app.products.selected_entry().expect("a product").clone();
    act(&mut app, Action::ConfirmSuggestion);
    assert!(!app.products.entries.iter().any(|e| e.key == product.key));

    act(&mut app, Action::ShowScreen(Screen::Gaps));
    act(&mut app, Action::Undo);
    let status = app.status.clone().expect("status").0;
    assert_eq!(status, "Nothing to undo among the work on gaps.");

    act(&mut app, Action::ShowScreen(Screen::Clients));
    act(&mut app, Action::Undo);
    let status = app.status.clone().expect("status").0;
    assert!(status.contains(&client.name), "{status}");
    assert!(
        app.clients.entries.iter().any(|e| e.key == client.key),
        "the client is back in its queue"
    );
    assert!(
        !app.products.entries.iter().any(|e| e.key == product.key),
        "the later product mapping, made on another screen, stands"
    );
    // The next undo here reaches back past the product mapping, to the fixture's own
    // earlier client decisions.
    act(&mut app, Action::Undo);
    let status = app.status.clone().expect("status").0;
    assert!(!status.contains(&product.name), "{status}");
    assert!(!app.products.entries.iter().any(|e| e.key == product.key));
}
