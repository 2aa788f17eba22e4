//! The weekly review on the bundled sample, as a billing owner works it: one name under two
//! vendors stays two rows, the filter finds a vendor, the CLI names a record by `vendor:name`,
//! the log reads in business words, and the demo says whether its work is kept.

mod tui_fixture;

use billgap::import::ImportOptions;
use billgap::tui::action::{Action, Screen};
use billgap::tui::app::App;
use billgap::tui::keymap::Keymap;
use billgap::tui::theme::Theme;
use billgap::workflow::Workspace;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tui_fixture::{act, render, text};

const SAMPLES: [&str; 3] = [
    "partner-center-nce-2026-10.csv",
    "pax8-2026-10.csv",
    "connectwise-additions-2026-10.csv",
];

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name)
}

fn sample_database(folder: &Path) -> PathBuf {
    let database = folder.join("review.sqlite");
    let mut workspace = Workspace::open_as_of(&database, tui_fixture::today()).expect("open");
    for name in SAMPLES {
        workspace
            .import(&sample(name), &ImportOptions::default(), &mut |_| {})
            .expect("import sample");
    }
    database
}

fn workbench(database: &Path) -> App {
    let workspace = Workspace::open_as_of(database, tui_fixture::today()).expect("open");
    let mut app = App::new(
        workspace,
        Keymap::defaults().expect("keymap"),
        Theme::monochrome(),
        "review",
    )
    .expect("app");
    app.settle();
    app
}

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn out(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn one_name_under_two_vendors_is_two_rows_told_apart_by_a_badge_and_the_vendor_filter() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = workbench(&sample_database(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    let pinecrest: Vec<String> = app
        .clients
        .entries
        .iter()
        .filter(|entry| entry.name.starts_with("Pinecrest"))
        .map(|entry| entry.key.system.clone())
        .collect();
    assert_eq!(pinecrest.len(), 2, "Microsoft's and Pax8's Pinecrest");
    act(&mut app, Action::FilterQueue);
    act(&mut app, Action::InputText("pinecrest".to_string()));
    act(&mut app, Action::InputSubmit);
    let screen = text(&render(&app, 80, 24));
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("Pinecrest")).collect();
    assert!(
        rows.iter().any(|row| row.contains(" MS ")) && rows.iter().any(|row| row.contains("Pax8")),
        "each Pinecrest row names its vendor:\n{screen}"
    );
    act(&mut app, Action::FilterQueue);
    if let Some(prompt) = app.prompt.as_mut() {
        prompt.text.clear();
    }
    act(&mut app, Action::InputText("pax8".to_string()));
    act(&mut app, Action::InputSubmit);
    assert!(!app.clients.entries.is_empty());
    assert!(
        app.clients
            .entries
            .iter()
            .all(|entry| entry.key.system == "pax8"),
        "the filter `pax8` lists Pax8's customers only"
    );
}

#[test]
fn at_80_columns_names_keep_their_end_and_coverage_names_each_currency() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = workbench(&sample_database(folder.path()));
    let overview = text(&render(&app, 80, 24));
    let tab_bar = overview.lines().next().expect("tab bar");
    assert!(
        tab_bar.contains("USD") && tab_bar.contains("CAD"),
        "coverage per currency, never one blended figure: {tab_bar}"
    );
    assert!(
        overview.contains("customer and its product are mapped"),
        "{overview}"
    );
    act(&mut app, Action::ShowScreen(Screen::Products));
    let products = text(&render(&app, 80, 24));
    assert!(
        products.contains("(monthly)") || products.contains("(annual)"),
        "the term stays visible at 80 columns:\n{products}"
    );
    // No key hint is silently dropped: what does not fit is offered under help.
    let hints: Vec<&str> = products.lines().rev().take(2).collect();
    assert!(hints.iter().any(|l| l.contains("search")), "{products}");
    assert!(
        hints.iter().any(|l| l.contains("accept safe band")),
        "{products}"
    );
}

#[test]
fn a_threshold_set_in_the_workbench_is_saved() {
    let folder = tempfile::tempdir().expect("temp");
    let database = sample_database(folder.path());
    let mut app = workbench(&database);
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    act(&mut app, Action::EditThreshold);
    app.prompt = None;
    act(&mut app, Action::EditThreshold);
    if let Some(prompt) = app.prompt.as_mut() {
        prompt.text.clear();
    }
    act(&mut app, Action::InputText("250".to_string()));
    act(&mut app, Action::InputSubmit);
    drop(app);
    let again = workbench(&database);
    assert_eq!(again.threshold.to_string(), "250", "kept across restarts");
}

#[test]
fn the_cli_names_a_record_by_vendor_and_name_and_the_log_reads_in_business_words() {
    let folder = tempfile::tempdir().expect("temp");
    let database = sample_database(folder.path());
    let ambiguous = billgap(
        &database,
        &[
            "map",
            "client",
            "Pinecrest Senior Living Community",
            "Pinecrest",
        ],
    );
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(
        out(&ambiguous).contains("system:name"),
        "{}",
        out(&ambiguous)
    );
    let mapped = billgap(
        &database,
        &[
            "map",
            "client",
            "pax8:Pinecrest Senior Living Community",
            "Pinecrest",
        ],
    );
    assert!(mapped.status.success(), "{}", out(&mapped));
    let log = billgap(&database, &["log"]);
    let table = out(&log);
    assert!(
        table.contains("Pinecrest Senior Living Community → Pinecrest Senior Living"),
        "{table}"
    );
    assert!(
        !table.contains("aae5edea"),
        "no raw keys in the table: {table}"
    );
    let json = billgap(&database, &["log", "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json log");
    assert_eq!(entries[0]["action"], "map-client");
    assert!(
        entries[0]["record"]
            .as_str()
            .expect("record")
            .contains("aae5edea")
    );
}

#[test]
fn the_demo_says_its_database_is_temporary_or_keeps_it() {
    let folder = tempfile::tempdir().expect("temp");
    let unused = folder.path().join("unused.sqlite");
    let temporary = billgap(&unused, &["demo", "--no-tui"]);
    assert!(temporary.status.success(), "{}", out(&temporary));
    assert!(
        out(&temporary).contains("temporary demo database"),
        "{}",
        out(&temporary)
    );
    assert!(!unused.exists(), "the demo never touches --db");

    let kept = folder.path().join("kept.sqlite");
    let keep = kept.display().to_string();
    let first = billgap(&unused, &["demo", "--no-tui", "--keep", &keep]);
    assert!(first.status.success(), "{}", out(&first));
    assert!(kept.exists());
    assert!(out(&first).contains("kept at"), "{}", out(&first));
    let clients = billgap(&kept, &["clients"]);
    assert!(clients.status.success(), "{}", out(&clients));
    let again = billgap(&unused, &["demo", "--no-tui", "--keep", &keep]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "never mixes samples into a database"
    );
    assert!(out(&again).contains("already exists"), "{}", out(&again));
}

#[test]
fn the_workbench_maps_to_a_catalogue_product_no_agreement_bills_yet() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = workbench(&sample_database(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Products));
    act(&mut app, Action::FilterQueue);
    act(&mut app, Action::InputText("teams essentials".to_string()));
    act(&mut app, Action::InputSubmit);
    let entry = app
        .products
        .selected_entry()
        .cloned()
        .expect("Teams Essentials");
    act(&mut app, Action::SearchTargets);
    act(&mut app, Action::InputText("TEAMS-ESS".to_string()));
    assert!(
        app.products.search_results.is_empty(),
        "no agreement bills it"
    );
    let popup = text(&render(&app, 80, 24));
    assert!(popup.contains("catalogue product"), "{popup}");
    act(&mut app, Action::InputSubmit);
    let status = app.status.clone().expect("status").0;
    assert!(status.contains("catalogue product"), "{status}");
    let mapped = app
        .workspace
        .queue(
            billgap::workflow::MappingKind::Product,
            billgap::workflow::QueueFilter::Mapped,
        )
        .expect("queue");
    assert!(
        mapped.iter().any(|e| e.key == entry.key
            && matches!(&e.state, billgap::workflow::MappingState::Mapped { target_key, .. } if target_key.key == "TEAMS-ESS")),
        "{mapped:?}"
    );
}

#[test]
fn the_overview_shows_each_pull_and_warns_of_an_incomplete_one() {
    let folder = tempfile::tempdir().expect("temp");
    let database = sample_database(folder.path());
    let mut store = billgap::store::Store::open(&database).expect("store");
    store
        .record_pull(&billgap::store::PullRecord {
            source: "pax8".to_string(),
            system: "pax8".to_string(),
            started_at: "2026-11-02T06:00:00Z".to_string(),
            complete: false,
            requests: 3,
            request_budget: 200,
            waited_ms: 0,
            records: 40,
            import_id: None,
            created_import: false,
            error: Some("HTTP 500 on page 3".to_string()),
            raw: None,
        })
        .expect("record pull");
    drop(store);
    let app = workbench(&database);
    let wide = text(&render(&app, 140, 40));
    assert!(wide.contains("pax8 (API)"), "{wide}");
    assert!(wide.contains("pull ✗"), "{wide}");
    let narrow = text(&render(&app, 80, 24));
    assert!(narrow.contains("pax8 pull incomplete"), "{narrow}");
}
