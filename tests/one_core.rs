//! One application core: the workbench (driven by Actions) and the CLI (the built binary) give
//! the same figures on one database, and the defects that came from the two drifting apart stay
//! fixed.

mod tui_fixture;

use billgap::domain::decision::Decision;
use billgap::domain::lines::{Side, SourceKey};
use billgap::domain::reconcile::Verdict;
use billgap::store::{Origin, Store};
use billgap::tui::action::{Action, Screen};
use billgap::tui::outcome::Tone;
use billgap::workflow::{MappingState, QueueFilter};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use tui_fixture::{act, app, build, render, text};

fn cli(database: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

/// A gap as both faces can name it: client, product, kind and monthly value.
fn identities_from_json(report: &serde_json::Value) -> BTreeSet<String> {
    report["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|tracked| {
            let gap = &tracked["gap"];
            format!(
                "{}:{} {}:{} {} {}",
                gap["company"]["system"].as_str().unwrap_or_default(),
                gap["company"]["key"].as_str().unwrap_or_default(),
                gap["product"]["system"].as_str().unwrap_or_default(),
                gap["product"]["key"].as_str().unwrap_or_default(),
                gap["kind"].as_str().unwrap_or_default(),
                gap["value"]["amount"].as_str().unwrap_or("unpriced"),
            )
        })
        .collect()
}

#[test]
fn the_workbench_and_the_cli_give_one_report_on_one_database() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    // A vendor system seen in an earlier period but missing from the compared one: both faces
    // must warn about it.
    let mut store = Store::open(&database).expect("store");
    let mut pax8 = tui_fixture::source(Side::Vendor);
    pax8.system = "pax8".into();
    pax8.format = "pax8-invoice".into();
    pax8.period = "2026-09".parse().ok();
    store
        .import_lines(
            &pax8,
            "pax8 september",
            vec![tui_fixture::line(
                2,
                ("p-1", "Old Pax8 Client", None),
                ("EDR", "Managed EDR"),
                5,
                4,
                Side::Vendor,
            )],
        )
        .expect("import");
    drop(store);

    let mut app = app(&database);
    let output = cli(&database, &["gaps", "--format", "json", "--no-record"]);
    assert_eq!(output.status.code(), Some(1), "incomplete coverage exits 1");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");

    // Verdict and warnings.
    let verdict: Verdict = match report["verdict"].as_str() {
        Some("incomplete-coverage") => Verdict::IncompleteCoverage,
        other => panic!("unexpected verdict {other:?}"),
    };
    assert_eq!(app.overview.verdict, Some(verdict));
    let cli_warnings: Vec<String> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|warning| warning.as_str().map(str::to_string))
        .collect();
    assert!(
        cli_warnings.iter().any(|warning| warning.contains("pax8")),
        "{cli_warnings:?}"
    );
    for warning in &cli_warnings {
        assert!(
            app.overview.warnings.contains(warning),
            "the workbench shows {warning:?}"
        );
    }
    act(&mut app, Action::ShowScreen(Screen::Overview));
    assert!(text(&render(&app, 140, 40)).contains("no pax8 export for 2026-10"));

    // Coverage.
    assert_eq!(
        serde_json::to_value(&app.overview.coverage).expect("coverage"),
        report["coverage"]
    );

    // Gap rows.
    let workbench: BTreeSet<String> = app
        .gaps
        .rows
        .iter()
        .map(|row| {
            let gap = &row.gap.gap;
            format!(
                "{} {} {} {}",
                gap.company,
                gap.product,
                gap.kind.as_str(),
                gap.value
                    .as_ref()
                    .map_or("unpriced".to_string(), |value| value.amount.to_string())
            )
        })
        .collect();
    assert!(!workbench.is_empty());
    assert_eq!(workbench, identities_from_json(&report));

    // Mapped and unmapped counts, as `billgap clients` lists them.
    let listed = cli(&database, &["clients", "--unmapped"]);
    let unmapped_lines = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|line| line.trim_end().ends_with("UNMAPPED"))
        .count();
    assert_eq!(unmapped_lines, app.clients.entries.len());
    assert_eq!(app.overview.unmapped_client_count, unmapped_lines);
    let all = cli(&database, &["clients", "--mapped"]);
    let mapped_lines = String::from_utf8_lossy(&all.stdout)
        .lines()
        .filter(|line| line.contains('→'))
        .count();
    act(&mut app, Action::ShowScreen(Screen::Clients));
    act(&mut app, Action::CycleQueueFilter);
    assert_eq!(app.clients.filter, QueueFilter::Mapped);
    let mapped_in_workbench = app
        .clients
        .entries
        .iter()
        .filter(|entry| matches!(entry.state, MappingState::Mapped { .. }))
        .count();
    assert_eq!(mapped_in_workbench, mapped_lines);
}

#[test]
fn an_all_ignored_run_is_never_called_clean_in_the_workbench() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut store = Store::open(&database).expect("store");
    let state = store.current_state().expect("state");
    let customers: BTreeSet<SourceKey> = state
        .vendor
        .iter()
        .map(|position| position.customer.clone())
        .collect();
    for customer in customers {
        store
            .decide(
                &Decision::IgnoreCustomer {
                    vendor: customer,
                    reason: "test".into(),
                    until: None,
                },
                Origin::Manual,
            )
            .expect("ignore");
    }
    drop(store);
    let mut app = app(&database);
    assert_eq!(app.overview.verdict, Some(Verdict::NothingCompared));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    let screen = text(&render(&app, 140, 40));
    assert!(!screen.contains("No gaps, at full coverage"), "{screen}");
    assert!(screen.contains("Nothing was compared"), "{screen}");
}

#[test]
fn unmapping_an_every_term_product_mapping_in_the_workbench_removes_it() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut app = app(&database);
    act(&mut app, Action::ShowScreen(Screen::Products));
    act(&mut app, Action::CycleQueueFilter);
    let entry = app
        .products
        .selected_entry()
        .cloned()
        .expect("a mapped product");
    assert!(matches!(
        entry.state,
        MappingState::Mapped {
            every_term: true,
            ..
        }
    ));
    act(&mut app, Action::UnmapEntry);
    let (status, tone) = app.status.clone().expect("status");
    assert_eq!(tone, Tone::Good, "{status}");
    assert!(status.contains("every term"), "{status}");
    let still_mapped = app
        .workspace
        .queue(billgap::workflow::MappingKind::Product, QueueFilter::Mapped)
        .expect("queue")
        .iter()
        .any(|mapped| mapped.key == entry.key && mapped.term == entry.term);
    assert!(!still_mapped, "the mapping is gone");
}

#[test]
fn a_decision_that_changes_nothing_says_so() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut workspace =
        billgap::workflow::Workspace::open_as_of(&database, tui_fixture::today()).expect("open");
    let unmap = Decision::UnmapClient {
        vendor: SourceKey::new("microsoft", "tenant-tailspin"),
    };
    let outcome = workspace.decide(&unmap).expect("decide");
    assert!(!outcome.changed);
    assert!(
        outcome.sentence.starts_with("Nothing changed"),
        "{}",
        outcome.sentence
    );
    assert!(
        outcome.sentence.contains("Tailspin Toys"),
        "names, not keys"
    );
}

#[test]
fn an_expired_ignore_rule_stays_expired_after_a_decision() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut store = Store::open(&database).expect("store");
    let expired = SourceKey::new("microsoft", "tenant-tailspin");
    store
        .decide(
            &Decision::IgnoreCustomer {
                vendor: expired.clone(),
                reason: "trial".into(),
                until: tui_fixture::today().pred_opt(),
            },
            Origin::Manual,
        )
        .expect("ignore");
    drop(store);
    let mut app = app(&database);
    act(&mut app, Action::ShowScreen(Screen::Clients));
    let listed = |app: &billgap::tui::app::App| {
        app.clients
            .entries
            .iter()
            .any(|entry| entry.key == expired && entry.state == MappingState::Unmapped)
    };
    assert!(
        listed(&app),
        "an expired rule puts the customer back in the queue"
    );
    // Any decision about another entry must not bring the expired rule back.
    let other = app
        .clients
        .entries
        .iter()
        .position(|entry| entry.key != expired)
        .expect("another entry");
    let step = isize::try_from(other).expect("index")
        - isize::try_from(app.clients.selected).expect("index");
    for _ in 0..step.unsigned_abs() {
        act(
            &mut app,
            if step > 0 {
                Action::MoveDown
            } else {
                Action::MoveUp
            },
        );
    }
    act(&mut app, Action::IgnoreEntry);
    act(&mut app, Action::InputText("internal".into()));
    act(&mut app, Action::InputSubmit);
    act(&mut app, Action::InputSubmit);
    assert!(
        listed(&app),
        "still unmapped after a decision: {:?}",
        app.status
    );
}

#[test]
fn a_threshold_too_large_to_raise_is_refused_not_a_panic() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::EditThreshold);
    for _ in 0..20 {
        act(&mut app, Action::InputBackspace);
    }
    act(
        &mut app,
        Action::InputText("79228162514264337593543950335".into()),
    );
    act(&mut app, Action::InputSubmit);
    act(&mut app, Action::RaiseThreshold);
    let (status, tone) = app.status.clone().expect("status");
    assert_eq!(tone, Tone::Error, "{status}");
}

#[test]
fn the_workbench_export_is_written_whole_or_not_at_all() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Export));
    let missing = folder.path().join("no-such-folder").join("report.csv");
    app.export.path = missing.display().to_string();
    act(&mut app, Action::WriteExport);
    assert_eq!(
        app.status.as_ref().map(|(_, tone)| *tone),
        Some(Tone::Error)
    );
    assert!(!missing.exists());
    let written = folder.path().join("report.json");
    std::fs::write(&written, "old").expect("old file");
    app.export.format = billgap::export::ExportFormat::Json;
    app.export.path = written.display().to_string();
    act(&mut app, Action::WriteExport);
    assert_eq!(
        std::fs::read_to_string(&written).expect("old"),
        "old",
        "an existing file is replaced only on the second press"
    );
    act(&mut app, Action::WriteExport);
    let content = std::fs::read_to_string(&written).expect("report");
    let parsed: serde_json::Value = serde_json::from_str(&content).expect("a whole JSON report");
    assert!(parsed["gaps"].is_array());
    let leftovers = std::fs::read_dir(folder.path())
        .expect("folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0, "no temporary file is left behind");
}

#[test]
fn every_key_named_on_screen_follows_a_rebinding() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    let user = "[global]\nhelp = [\"f2\"]\nback = [\"backspace\"]\n";
    app.keymap = billgap::tui::keymap::Keymap::from_sources(
        billgap::tui::keymap::DEFAULT_KEYMAP,
        Some(("keymap.toml", user)),
    )
    .expect("valid override");
    act(&mut app, Action::ToggleHelp);
    let help = text(&render(&app, 100, 30));
    assert!(help.contains("Keys (F2 or Bksp to close)"), "{help}");
    act(&mut app, Action::ToggleHelp);
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    act(&mut app, Action::MoveDown);
    act(&mut app, Action::OpenDrilldown);
    let drilldown = text(&render(&app, 100, 30));
    assert!(
        drilldown.contains("Drill-down (Bksp to go back)"),
        "{drilldown}"
    );
}

#[test]
fn slow_steps_run_as_tasks_and_land_when_done() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    std::fs::write(folder.path().join("pax8-november.csv"), "x").expect("file");
    let mut app = app(&database);
    // Path completion reads the disk on a task.
    act(&mut app, Action::ShowScreen(Screen::Import));
    act(&mut app, Action::EditPath);
    for _ in 0..200 {
        app.update(Action::InputBackspace);
    }
    let typed = format!("{}/pax", folder.path().display());
    act(&mut app, Action::InputText(typed));
    act(&mut app, Action::InputComplete);
    let completed = app.prompt.as_ref().map(|prompt| prompt.text.clone());
    assert_eq!(
        completed,
        Some(format!("{}/pax8-november.csv", folder.path().display()))
    );
    act(&mut app, Action::InputCancel);
    // An export asked for while the gaps are recalculated waits for them, then writes.
    act(&mut app, Action::ShowScreen(Screen::Export));
    let target = folder.path().join("waited.csv");
    app.export.path = target.display().to_string();
    app.update(Action::RaiseThreshold);
    app.update(Action::WriteExport);
    app.settle();
    assert!(target.exists(), "{:?}", app.status);
    let (status, tone) = app.status.clone().expect("status");
    assert_eq!(tone, Tone::Good, "{status}");
}
