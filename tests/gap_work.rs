//! Working a gap from the workbench: acknowledge it with a note, mark it fixed in the PSA,
//! snooze it until a day, or clear that. Each is a logged decision (undo covers it), it stays
//! with the gap across restarts, and every report shows it.

mod tui_fixture;

use billgap::domain::gap_work::GapWorkState;
use billgap::export::{ExportFormat, write_report};
use billgap::tui::action::{Action, Screen};
use billgap::tui::app::App;
use tui_fixture::{act, app, build, render, text};

fn first_gap(app: &mut App) {
    act(app, Action::ShowScreen(Screen::Gaps));
    act(app, Action::MoveTop);
    act(app, Action::MoveDown); // from the client's subtotal to its first gap
    assert!(app.gaps.selected_gap().is_some());
}

fn typed(app: &mut App, text: &str) {
    if let Some(prompt) = app.prompt.as_mut() {
        prompt.text.clear();
    }
    act(app, Action::InputText(text.to_string()));
    act(app, Action::InputSubmit);
}

#[test]
fn an_acknowledged_gap_carries_its_note_everywhere_and_undo_takes_it_back() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut app = app(&database);
    first_gap(&mut app);
    act(&mut app, Action::AcknowledgeGap);
    typed(&mut app, "asked the client to confirm the seats");
    let status = app.status.clone().expect("status").0;
    assert!(status.contains("acknowledged"), "{status}");
    let row = app.gaps.selected_gap().cloned().expect("gap");
    let work = row
        .gap
        .work
        .clone()
        .expect("work shown after the recalculation");
    assert_eq!(work.state, GapWorkState::Acknowledged);
    assert!(text(&render(&app, 140, 40)).contains("[acknowledged]"));

    // Every report shows it, and it stays across a restart.
    drop(app);
    let mut workspace =
        billgap::workflow::Workspace::open_as_of(&database, tui_fixture::today()).expect("open");
    let report = workspace.report(None, false).expect("report");
    for format in [ExportFormat::Csv, ExportFormat::Md, ExportFormat::Html] {
        let mut out = Vec::new();
        write_report(&report, format, &mut out).expect("write");
        let written = String::from_utf8(out).expect("utf-8");
        assert!(
            written.contains("asked the client to confirm the seats"),
            "{format:?}: {written}"
        );
    }
    let log = workspace.decision_log(1).expect("log");
    assert_eq!(log[0].action, "work-gap");
    drop(workspace);

    let mut app = tui_fixture::app(&database);
    first_gap(&mut app);
    assert!(
        app.gaps
            .selected_gap()
            .and_then(|row| row.gap.work.clone())
            .is_some()
    );
    act(&mut app, Action::Undo);
    assert!(
        app.gaps
            .selected_gap()
            .and_then(|row| row.gap.work.clone())
            .is_none(),
        "undo clears the work"
    );
}

#[test]
fn a_snooze_needs_a_day_from_today_on_and_clear_removes_work() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    first_gap(&mut app);
    act(&mut app, Action::SnoozeGap);
    typed(&mut app, "2026-13-01");
    assert!(app.status.clone().expect("status").0.contains("not a date"));
    typed(&mut app, "2020-01-01");
    typed(&mut app, "");
    let status = app.status.clone().expect("status");
    assert!(status.0.contains("in the past"), "{status:?}");
    assert!(
        app.gaps
            .selected_gap()
            .and_then(|row| row.gap.work.clone())
            .is_none()
    );
    act(&mut app, Action::SnoozeGap);
    typed(&mut app, "2026-11-20");
    typed(&mut app, "client on holiday");
    let work = app
        .gaps
        .selected_gap()
        .and_then(|row| row.gap.work.clone())
        .expect("snoozed");
    assert_eq!(work.label(), "snoozed to 2026-11-20");
    act(&mut app, Action::OpenDrilldown);
    assert!(text(&render(&app, 80, 24)).contains("client on holiday"));
    act(&mut app, Action::Back);
    act(&mut app, Action::ClearGapWork);
    assert!(
        app.gaps
            .selected_gap()
            .and_then(|row| row.gap.work.clone())
            .is_none()
    );
}

#[test]
fn a_snoozed_gap_is_not_alerted_until_its_snooze_ends() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        "[alerts]\nowner = \"billing@msp.example\"\nthreshold = 1\ncadence = \"daily\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = 2525\nsecurity = \"none\"\nfrom = \"billgap@msp.example\"\n",
    )
    .expect("config");
    let dry_run = |day: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
            .args(["check", "--dry-run", "--as-of", day])
            .env("BILLGAP_DB", &database)
            .env("BILLGAP_CONFIG", &config)
            .output()
            .expect("check");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(
        dry_run("2026-11-02").contains("3 clients"),
        "{}",
        dry_run("2026-11-02")
    );
    let mut workspace =
        billgap::workflow::Workspace::open_as_of(&database, tui_fixture::today()).expect("open");
    let report = workspace.report(None, false).expect("report");
    let gap = report.gaps.first().cloned().expect("a gap");
    let day = |text: &str| text.parse::<chrono::NaiveDate>().expect("date");
    workspace
        .work_gap(
            &gap,
            GapWorkState::Snoozed,
            "waiting for the client",
            Some(day("2026-11-05")),
        )
        .expect("snooze");
    drop(workspace);
    let during = dry_run("2026-11-03");
    assert!(
        during.contains("2 clients"),
        "the snoozed client is held back: {during}"
    );
    let after = dry_run("2026-11-06");
    assert!(after.contains("3 clients"), "the snooze has ended: {after}");
}
