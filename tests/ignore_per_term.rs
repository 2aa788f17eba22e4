//! The walkthrough's blocker, on the bundled samples: ignoring the Pax8 service credit row
//! ("Proofpoint Essentials Business (one-time) 0 seats −25.00 USD") ignored the product for
//! every term, overrode the confirmed monthly mapping and reported $268/month of billed seats
//! as orphans at 100 % coverage. An ignore acts on exactly the key and term chosen, never
//! overrides a confirmed mapping, and a credit never waits in the mapping queue.
//!
//! Both faces are driven: the built binary (`billgap ignore product KEY --term TERM`) and the
//! workbench, through Actions.

mod tui_fixture;

use billgap::domain::lines::{Side, SourceKey, Term};
use billgap::domain::reconcile::GapKind;
use billgap::import::ImportOptions;
use billgap::store::{Decision, ImportOutcome, Origin, Store};
use billgap::tui::action::{Action, Screen};
use billgap::tui::app::App;
use billgap::tui::outcome::Tone;
use billgap::workflow::{MappingState, QueueEntry, QueueFilter};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tui_fixture::{act, app};

const SAMPLES: [&str; 3] = [
    "assets/sample/partner-center-nce-2026-10.csv",
    "assets/sample/pax8-2026-10.csv",
    "assets/sample/connectwise-additions-2026-10.csv",
];

/// The gaps `assets/sample/README.md` documents at full coverage.
const DOCUMENTED_GAPS: usize = 14;

const PROOFPOINT: &str = "pax8:PRF-ESS-BUS-C100";
const BUSINESS_BASIC: &str = "microsoft:CFQ7TTC0LH18:0001";

/// A database file in `folder` holding the samples and every decision of
/// `assets/sample/mappings.csv` (ignores without their expiry): full coverage, the documented gaps, and the Proofpoint credit
/// row (one-time) unmapped, since no careful operator maps a refund.
fn sample_database(folder: &Path) -> PathBuf {
    let database = folder.join("sample.sqlite");
    let mut store = Store::open(&database).expect("store");
    for sample in SAMPLES {
        let outcome = store
            .import_file(Path::new(sample), &ImportOptions::default(), &mut |_| {})
            .unwrap_or_else(|error| panic!("{sample}: {error}"));
        assert!(matches!(outcome, ImportOutcome::Imported(_)), "{sample}");
    }
    let psa = store
        .sources()
        .expect("sources")
        .into_iter()
        .find(|source| source.side == Side::Psa)
        .map(|source| source.system)
        .expect("a PSA import");
    let mut reader = csv::Reader::from_path("assets/sample/mappings.csv").expect("mappings.csv");
    for record in reader.records() {
        let record = record.expect("mapping row");
        let vendor = SourceKey::new(&record[1], &record[2]);
        let decision = match &record[0] {
            "client" => Decision::MapClient {
                vendor,
                company: SourceKey::new(&psa, &record[4]),
            },
            "product" => Decision::MapProduct {
                vendor,
                term: Some(record[3].parse::<Term>().expect("term")),
                product: SourceKey::new(&psa, &record[4]),
            },
            // For good rather than until the former client's expiry: the binary reconciles
            // as of the real day, and the test must not depend on when it runs.
            "ignore" => Decision::IgnoreCustomer {
                vendor,
                reason: record[5].to_string(),
                until: None,
            },
            other => panic!("unknown mapping kind {other}"),
        };
        store.decide(&decision, Origin::Manual).expect("decide");
    }
    database
}

fn cli(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The gap report as JSON, without recording a run.
fn gaps(database: &Path) -> serde_json::Value {
    let output = cli(database, &["gaps", "--format", "json", "--no-record"]);
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("json report: {error}\n{}", stderr(&output)))
}

/// (company key, product key, kind) of every gap of a JSON report.
fn gap_rows(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|tracked| {
            let gap = &tracked["gap"];
            let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_string();
            (
                text(&gap["company"]["key"]),
                text(&gap["product"]["key"]),
                text(&gap["kind"]),
            )
        })
        .collect()
}

/// The report still shows exactly the documented gaps at full coverage: no billed seat was
/// turned into an orphan.
fn assert_documented(report: &serde_json::Value, after: &str) {
    let rows = gap_rows(report);
    assert_eq!(rows.len(), DOCUMENTED_GAPS, "after {after}: {rows:?}");
    assert!(
        !rows
            .iter()
            .any(|(_, product, kind)| product == "EMAIL-SEC" && kind == "orphan"),
        "after {after}: Proofpoint seats reported as orphans: {rows:?}"
    );
    assert_eq!(
        report["verdict"].as_str(),
        Some("over-threshold"),
        "after {after}: coverage stays complete"
    );
}

#[test]
fn the_credit_row_is_not_in_the_cli_queue() {
    let folder = tempfile::tempdir().expect("temp");
    let database = sample_database(folder.path());
    let unmapped = cli(&database, &["products", "--unmapped"]);
    let listed = String::from_utf8_lossy(&unmapped.stdout);
    assert!(!listed.contains("PRF-ESS-BUS-C100"), "{listed}");
    let match_queue = cli(&database, &["match"]);
    let counts = String::from_utf8_lossy(&match_queue.stdout);
    assert!(counts.contains("unmapped products: 0 "), "{counts}");
}

#[test]
fn the_cli_ignores_one_term_and_never_overrides_a_mapping() {
    let folder = tempfile::tempdir().expect("temp");
    let database = sample_database(folder.path());
    assert_documented(&gaps(&database), "the ground truth");

    // Ignoring the credit's term acts on that term only.
    let ignored = cli(
        &database,
        &[
            "ignore",
            "product",
            PROOFPOINT,
            "--term",
            "one-time",
            "--reason",
            "service credit",
        ],
    );
    assert!(ignored.status.success(), "{}", stderr(&ignored));
    assert!(
        stderr(&ignored).contains("Ignored Proofpoint Essentials Business (one-time)"),
        "{}",
        stderr(&ignored)
    );
    assert_documented(&gaps(&database), "ignoring the one-time term");
    let mapped = cli(&database, &["products", "--mapped"]);
    let mapped = String::from_utf8_lossy(&mapped.stdout);
    assert!(
        mapped
            .lines()
            .any(|line| line.contains("(monthly)") && line.contains("→ connectwise:EMAIL-SEC")),
        "{mapped}"
    );

    // An ignore that the confirmed monthly mapping would override is refused, and changes
    // nothing: for every term, and for the mapped term itself.
    for term in [None, Some("monthly")] {
        let mut args = vec![
            "ignore",
            "product",
            PROOFPOINT,
            "--reason",
            "service credit",
        ];
        args.extend(term.map(|term| ["--term", term]).into_iter().flatten());
        let refused = cli(&database, &args);
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(
            stderr(&refused)
                .contains("Proofpoint Essentials Business (monthly) is mapped to Email security")
                && stderr(&refused).contains("unmap it first"),
            "{}",
            stderr(&refused)
        );
        assert_documented(&gaps(&database), "a refused ignore");
    }

    let lifted = cli(
        &database,
        &["unignore", "product", PROOFPOINT, "--term", "one-time"],
    );
    assert!(lifted.status.success(), "{}", stderr(&lifted));
    assert!(
        stderr(&lifted).contains("No longer ignored: Proofpoint Essentials Business (one-time)"),
        "{}",
        stderr(&lifted)
    );

    // A term of its own: Business Basic annual unmapped and ignored, monthly still compared.
    let unmap = cli(
        &database,
        &["unmap", "product", BUSINESS_BASIC, "--term", "annual"],
    );
    assert!(unmap.status.success(), "{}", stderr(&unmap));
    let ignored = cli(
        &database,
        &[
            "ignore",
            "product",
            BUSINESS_BASIC,
            "--term",
            "annual",
            "--reason",
            "billed in a bundle",
        ],
    );
    assert!(ignored.status.success(), "{}", stderr(&ignored));
    assert_documented(&gaps(&database), "ignoring Business Basic annual");
    let listed = cli(&database, &["products"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    let basic: Vec<&str> = listed
        .lines()
        .filter(|line| line.contains("CFQ7TTC0LH18:0001"))
        .collect();
    assert!(
        basic
            .iter()
            .any(|line| line.contains("(monthly)") && line.contains("→ connectwise:M365-BB-M")),
        "{basic:?}"
    );
    assert!(
        basic
            .iter()
            .any(|line| line.contains("(annual)") && line.contains("ignored: billed in a bundle")),
        "{basic:?}"
    );

    // A customer is ignored whole: a term is refused rather than dropped.
    let customer = cli(
        &database,
        &[
            "ignore",
            "customer",
            "pax8:aae5edea-088e-494c-8a79-93b8bc8cacb5",
            "--term",
            "monthly",
            "--reason",
            "x",
        ],
    );
    assert_eq!(customer.status.code(), Some(2), "{}", stderr(&customer));
    assert!(
        stderr(&customer).contains("products only"),
        "{}",
        stderr(&customer)
    );
}

/// Moves the selection of the products screen to the first entry that `wanted` accepts.
fn select(app: &mut App, wanted: impl Fn(&QueueEntry) -> bool) -> QueueEntry {
    let target = app
        .products
        .entries
        .iter()
        .position(&wanted)
        .unwrap_or_else(|| panic!("no such entry in {:?}", app.products.entries));
    while app.products.selected < target {
        act(app, Action::MoveDown);
    }
    while app.products.selected > target {
        act(app, Action::MoveUp);
    }
    app.products.selected_entry().cloned().expect("selected")
}

/// Ignores the selected entry with a reason and no end date, as the `i` key does.
fn ignore_selected(app: &mut App, reason: &str) {
    act(app, Action::IgnoreEntry);
    act(app, Action::InputText(reason.into()));
    act(app, Action::InputSubmit);
    act(app, Action::InputSubmit);
}

fn is(key: &str, term: Term) -> impl Fn(&QueueEntry) -> bool {
    let key = key.split_once(':').map(|(_, key)| key.to_string());
    move |entry| Some(&entry.key.key) == key.as_ref() && entry.term == Some(term)
}

fn gap_count(app: &App) -> usize {
    app.gaps.rows.len()
}

fn proofpoint_orphans(app: &App) -> usize {
    app.gaps
        .rows
        .iter()
        .filter(|row| row.gap.gap.product.key == "EMAIL-SEC" && row.gap.gap.kind == GapKind::Orphan)
        .count()
}

#[test]
fn the_credit_row_never_waits_in_the_workbench_queue() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&sample_database(folder.path()));
    // At full coverage the products queue is empty: the credit row does not wait in it.
    act(&mut app, Action::ShowScreen(Screen::Products));
    assert_eq!(app.products.filter, QueueFilter::Unmapped);
    assert!(
        app.products.entries.is_empty(),
        "nothing left to map: {:?}",
        app.products.entries
    );
    assert_eq!(app.overview.unmapped_product_count, 0);
    // Its money shows on the monthly row it credits: 190.95 − 25.00.
    act(&mut app, Action::CycleQueueFilter);
    let monthly = select(&mut app, is(PROOFPOINT, Term::Monthly));
    let spend: Vec<String> = monthly.spend.iter().map(ToString::to_string).collect();
    assert_eq!(spend, ["165.95 USD"]);
    assert!(
        !app.products
            .entries
            .iter()
            .any(|entry| is(PROOFPOINT, Term::OneTime)(entry)),
        "{:?}",
        app.products.entries
    );
}

#[test]
fn the_workbench_ignores_the_entry_it_shows_and_never_overrides_a_mapping() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&sample_database(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    assert_eq!(gap_count(&app), DOCUMENTED_GAPS);

    // `i` on the mapped monthly Proofpoint entry is refused with the reason.
    act(&mut app, Action::ShowScreen(Screen::Products));
    act(&mut app, Action::CycleQueueFilter);
    assert_eq!(app.products.filter, QueueFilter::Mapped);
    select(&mut app, is(PROOFPOINT, Term::Monthly));
    ignore_selected(&mut app, "service credit");
    let (status, tone) = app.status.clone().expect("status");
    assert_eq!(tone, Tone::Error, "{status}");
    assert!(status.contains("unmap it first"), "{status}");
    let entry = select(&mut app, is(PROOFPOINT, Term::Monthly));
    assert!(
        matches!(entry.state, MappingState::Mapped { .. }),
        "{entry:?}"
    );
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    assert_eq!(gap_count(&app), DOCUMENTED_GAPS);
    assert_eq!(proofpoint_orphans(&app), 0);

    // Business Basic (annual): unmap it, then ignore that entry. Its monthly term stays mapped
    // and compared, so no billed Business Basic seat becomes an orphan.
    act(&mut app, Action::ShowScreen(Screen::Products));
    select(&mut app, is(BUSINESS_BASIC, Term::Annual));
    act(&mut app, Action::UnmapEntry);
    act(&mut app, Action::CycleQueueFilter);
    act(&mut app, Action::CycleQueueFilter);
    assert_eq!(app.products.filter, QueueFilter::Unmapped);
    select(&mut app, is(BUSINESS_BASIC, Term::Annual));
    ignore_selected(&mut app, "billed in a bundle");
    let (status, tone) = app.status.clone().expect("status");
    assert_eq!(tone, Tone::Good, "{status}");
    assert!(status.contains("(annual)"), "{status}");
    let mapped = app
        .workspace
        .queue(billgap::workflow::MappingKind::Product, QueueFilter::Mapped)
        .expect("queue");
    let state = |term| {
        mapped
            .iter()
            .find(|entry| is(BUSINESS_BASIC, term)(entry))
            .map(|entry| entry.state.clone())
    };
    assert!(
        matches!(state(Term::Monthly), Some(MappingState::Mapped { .. })),
        "{:?}",
        state(Term::Monthly)
    );
    assert!(
        matches!(state(Term::Annual), Some(MappingState::Ignored { .. })),
        "{:?}",
        state(Term::Annual)
    );
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    let orphans: Vec<String> = app
        .gaps
        .rows
        .iter()
        .filter(|row| row.gap.gap.kind == GapKind::Orphan)
        .map(|row| format!("{} {}", row.gap.gap.company, row.gap.gap.product))
        .collect();
    assert_eq!(gap_count(&app), DOCUMENTED_GAPS, "{orphans:?}");
    assert!(
        app.overview.coverage.is_complete(),
        "coverage is complete again: {}",
        app.overview.coverage.headline()
    );

    // `u` on the ignored entry lifts exactly that rule.
    act(&mut app, Action::ShowScreen(Screen::Products));
    act(&mut app, Action::CycleQueueFilter);
    select(&mut app, is(BUSINESS_BASIC, Term::Annual));
    act(&mut app, Action::UnmapEntry);
    let (status, tone) = app.status.clone().expect("status");
    assert_eq!(tone, Tone::Good, "{status}");
    assert!(
        status.contains("No longer ignored") && status.contains("(annual)"),
        "{status}"
    );
}
