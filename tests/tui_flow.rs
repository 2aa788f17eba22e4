//! The workbench driven by Actions on the real store: decisions move coverage and survive a
//! restart, colour meaning is carried by cell styles and words, and exports are written.

mod tui_fixture;

use billgap::tui::action::{Action, Screen};
use billgap::tui::app::App;
use billgap::tui::input::PromptKind;
use billgap::workflow::{MappingState, QueueFilter};
use ratatui::style::{Color, Modifier};
use rust_decimal::Decimal;
use std::path::PathBuf;
use tui_fixture::{act, app, build, render, text};

/// The row of the rendered screen that contains `needle`, with its y.
fn row_with(app: &App, needle: &str) -> (u16, String) {
    let terminal = render(app, 140, 40);
    let rendered = text(&terminal);
    let (y, row) = rendered
        .lines()
        .enumerate()
        .find(|(_, row)| row.contains(needle))
        .unwrap_or_else(|| panic!("no row contains {needle:?}:\n{rendered}"));
    (y as u16, row.to_string())
}

fn foreground_at(app: &App, needle: &str, column_text: &str) -> (Option<Color>, Modifier) {
    let (y, row) = row_with(app, needle);
    let x = row.find(column_text).expect("text in row");
    let x = row[..x].chars().count() as u16;
    let terminal = render(app, 140, 40);
    let cell = &terminal.backend().buffer()[(x, y)];
    (
        Some(cell.fg).filter(|color| *color != Color::Reset),
        cell.modifier,
    )
}

#[test]
fn over_threshold_rows_are_red_when_unbilled_and_amber_when_overbilled_with_words_too() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    // The selection (reverse video) rests on the first subtotal row, off the rows inspected.
    act(&mut app, Action::MoveTop);

    let (unbilled, _) = foreground_at(&app, "unbilled", "unbilled");
    assert_eq!(unbilled, Some(Color::Red));
    let (overbilled, _) = foreground_at(&app, "overbilled", "overbilled");
    assert_eq!(overbilled, Some(Color::Yellow));
    // The meaning is also in words and symbols, never colour alone.
    let (_, row) = row_with(&app, "unbilled");
    assert!(row.contains("!▲"), "{row}");
    let (_, row) = row_with(&app, "overbilled");
    assert!(row.contains("!▼"), "{row}");

    // Raise the threshold live: Contoso's 120 USD is no longer over, so its row loses red.
    act(&mut app, Action::EditThreshold);
    for _ in 0..3 {
        act(&mut app, Action::InputBackspace);
    }
    for character in "500".chars() {
        act(&mut app, Action::InputChar(character));
    }
    act(&mut app, Action::InputSubmit);
    assert_eq!(app.threshold, Decimal::from(500));
    let (plain, _) = foreground_at(&app, "unbilled", "unbilled");
    assert_eq!(plain, None, "under the threshold a row is not red");
    let (_, row) = row_with(&app, "unbilled");
    assert!(
        row.contains(" ▲"),
        "no over-threshold mark under the threshold: {row}"
    );
}

#[test]
fn no_color_keeps_meaning_in_modifiers_and_words() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let workspace =
        billgap::workflow::Workspace::open_as_of(&database, tui_fixture::today()).expect("open");
    let keymap = billgap::tui::keymap::Keymap::defaults().expect("keymap");
    let theme = billgap::tui::theme::Theme::monochrome();
    let mut app = App::new(workspace, keymap, theme, "fixture").expect("app");
    app.settle();
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    act(&mut app, Action::MoveTop);
    let (color, modifier) = foreground_at(&app, "unbilled", "unbilled");
    assert_eq!(color, None);
    assert!(modifier.contains(Modifier::BOLD));
    let (color, modifier) = foreground_at(&app, "overbilled", "overbilled");
    assert_eq!(color, None);
    assert!(modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn confirming_a_suggestion_raises_coverage_and_undo_survives_a_restart() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut app = app(&database);
    let before = app.overview.coverage.lowest_share();
    act(&mut app, Action::ShowScreen(Screen::Clients));
    let entry = app
        .clients
        .selected_entry()
        .expect("an unmapped customer")
        .clone();
    assert_eq!(entry.name, "Tailspin Toys");
    assert_eq!(
        app.clients.candidates[0].suggestion.candidate_name,
        "Tailspin Toys Ltd"
    );
    act(&mut app, Action::ConfirmSuggestion);
    assert!(
        app.overview.coverage.lowest_share() > before,
        "coverage climbs as the queue is worked"
    );
    assert!(
        !app.clients.entries.iter().any(|e| e.key == entry.key),
        "it left the unmapped queue"
    );
    let status = app.status.clone().expect("status").0;
    assert!(
        status.contains("Mapped Tailspin Toys → Tailspin Toys Ltd"),
        "{status}"
    );

    // A new session on the same database sees the mapping, and can undo it.
    drop(app);
    let mut app = tui_fixture::app(&database);
    assert!(app.overview.coverage.lowest_share() > before);
    act(&mut app, Action::ShowScreen(Screen::Clients));
    act(&mut app, Action::Undo);
    assert_eq!(app.overview.coverage.lowest_share(), before);
    assert!(app.clients.entries.iter().any(|e| e.key == entry.key));
    // `u` says what the CLI's `billgap undo` says: the undone decision by its log number.
    let log = billgap::store::Store::open(&database)
        .expect("store")
        .decision_log(2)
        .expect("log");
    let said = app.status.clone().expect("status").0;
    assert!(
        said.starts_with(&format!("Undid #{} (", log[1].id)),
        "{said}"
    );
    assert!(said.contains("Tailspin Toys → Tailspin Toys Ltd"), "{said}");
    act(&mut app, Action::Redo);
    assert!(app.overview.coverage.lowest_share() > before);
}

#[test]
fn reject_ignore_skip_and_unmap_go_through_the_decision_log() {
    let folder = tempfile::tempdir().expect("temp");
    let database = build(folder.path());
    let mut app = app(&database);
    act(&mut app, Action::ShowScreen(Screen::Clients));
    // Reject: the candidate is never offered again for this customer.
    act(&mut app, Action::RejectSuggestion);
    assert!(
        app.clients
            .candidates
            .iter()
            .all(|c| c.suggestion.candidate_name != "Tailspin Toys Ltd")
    );
    // Skip moves on without writing.
    act(&mut app, Action::SkipEntry);
    let selected = app.clients.selected_entry().expect("second entry").clone();
    assert!(selected.name.starts_with("Woodgrove"));
    // Ignore with a reason and an expiry.
    act(&mut app, Action::IgnoreEntry);
    for character in "internal tenant".chars() {
        act(&mut app, Action::InputChar(character));
    }
    act(&mut app, Action::InputSubmit);
    for character in "2027-01-31".chars() {
        act(&mut app, Action::InputChar(character));
    }
    act(&mut app, Action::InputSubmit);
    assert!(app.clients.entries.iter().all(|e| e.key != selected.key));
    // The mapped list shows it as ignored, and it can be lifted again.
    act(&mut app, Action::CycleQueueFilter);
    assert_eq!(app.clients.filter, QueueFilter::Mapped);
    let position = app
        .clients
        .entries
        .iter()
        .position(|e| e.key == selected.key)
        .expect("listed");
    match &app.clients.entries[position].state {
        MappingState::Ignored { reason, expires } => {
            assert_eq!(reason, "internal tenant");
            assert_eq!(
                expires.map(|d| d.to_string()).as_deref(),
                Some("2027-01-31")
            );
        }
        other => panic!("expected ignored, got {other:?}"),
    }
    act(&mut app, Action::MoveTop);
    for _ in 0..position {
        act(&mut app, Action::MoveDown);
    }
    act(&mut app, Action::UnmapEntry);
    assert!(app.clients.entries.iter().all(|e| e.key != selected.key));
}

#[test]
fn bulk_accept_says_how_many_before_accepting() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    let unmapped = app.clients.entries.len();
    act(&mut app, Action::BulkAccept);
    let status = app.status.clone().expect("status").0;
    assert!(
        status
            .starts_with("1 suggestions are in the safe band (Tailspin Toys → Tailspin Toys Ltd)"),
        "the offer names what a second press accepts: {status}"
    );
    assert_eq!(
        app.clients.entries.len(),
        unmapped,
        "nothing is accepted on the first press"
    );
    act(&mut app, Action::BulkAccept);
    assert_eq!(app.clients.entries.len(), unmapped - 1);
}

#[test]
fn gap_filters_and_drilldown() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    let all = app.gaps.table.len();
    act(&mut app, Action::CycleKindFilter);
    assert!(app.gaps.table.len() < all);
    assert!(text(&render(&app, 80, 24)).contains("unbilled"));
    act(&mut app, Action::CycleKindFilter);
    act(&mut app, Action::CycleKindFilter);
    act(&mut app, Action::CycleKindFilter);
    act(&mut app, Action::CycleKindFilter);
    act(&mut app, Action::CycleKindFilter);
    assert_eq!(
        app.gaps.kind_filter, None,
        "the cycle ends back at all kinds"
    );
    // At 115, Fabrikam's 110 USD is under the threshold and drops out of "over only".
    act(&mut app, Action::EditThreshold);
    for _ in 0..3 {
        act(&mut app, Action::InputBackspace);
    }
    act(&mut app, Action::InputText("115".to_string()));
    act(&mut app, Action::InputSubmit);
    assert_eq!(app.threshold, Decimal::from(115));
    act(&mut app, Action::ToggleOverThreshold);
    assert!(text(&render(&app, 140, 40)).contains("Contoso"));
    assert!(app.gaps.table.len() < all);
    assert!(
        app.gaps
            .rows
            .iter()
            .any(|row| row.gap.gap.company_name == "Fabrikam")
    );
    assert!(!text(&render(&app, 140, 40)).contains("Fabrikam"));
    act(&mut app, Action::ToggleOverThreshold);
    act(&mut app, Action::ToggleClientFilter);
    let (_, client) = app.gaps.client_filter.clone().expect("client filter");
    assert_eq!(client, "Northwind Traders");
    assert_eq!(app.gaps.table.len(), 2, "one subtotal and one gap");
    act(&mut app, Action::MoveDown);
    act(&mut app, Action::OpenDrilldown);
    let (gap, lines) = app.gaps.drilldown.clone().expect("drill-down");
    assert_eq!(gap.gap.gap.company_name, "Northwind Traders");
    assert_eq!(
        (lines.vendor_total, lines.psa_total),
        (1, 0),
        "a missing gap has no PSA line"
    );
    act(&mut app, Action::Back);
    assert!(app.gaps.drilldown.is_none());
}

#[test]
fn export_writes_the_report_where_it_says() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Export));
    act(&mut app, Action::EditPath);
    let target = folder.path().join("weekly.csv");
    for _ in 0..40 {
        act(&mut app, Action::InputBackspace);
    }
    act(&mut app, Action::InputText(target.display().to_string()));
    act(&mut app, Action::InputSubmit);
    act(&mut app, Action::WriteExport);
    let written = std::fs::read_to_string(&target).expect("report written");
    assert!(written.contains("Contoso"), "{written}");
    let status = app.status.clone().expect("status").0;
    assert!(status.contains("weekly.csv"), "{status}");
    // As `billgap report` does, the export names the lines' agreement and subscription.
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let contoso = reader
        .records()
        .map(|row| row.expect("row"))
        .find(|row| &row[column("company_id")] == "CW-CONTOSO")
        .expect("Contoso's gap");
    assert_eq!(&contoso[column("psa_agreement_id")], "sub-2");
    assert_eq!(&contoso[column("vendor_subscription_id")], "sub-2");
}

#[test]
fn an_import_runs_in_the_background_and_errors_are_shown() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Import));
    assert!(
        app.prompt.is_none(),
        "the Import screen opens with its keys live, not typing into the path"
    );
    act(&mut app, Action::EditPath);
    let missing = folder.path().join("missing.csv");
    act(&mut app, Action::InputText(missing.display().to_string()));
    act(&mut app, Action::InputSubmit);
    assert!(app.import.detected.is_none());
    let status = app.status.clone().expect("status").0;
    assert!(status.contains("missing.csv"), "{status}");
    assert!(
        app.prompt.is_some(),
        "the path stays editable after a failed detection"
    );
}

#[test]
fn a_decision_answers_at_once_and_the_gaps_follow_from_the_worker() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    let gaps_before = app.gaps.rows.len();
    act(&mut app, Action::ShowScreen(Screen::Clients));
    // Two decisions in a row without waiting: coverage moves at once, and only the result of
    // the second reconciliation may land (the first is outdated and dropped).
    let coverage_before = app.overview.coverage.lowest_share();
    app.update(Action::ConfirmSuggestion);
    assert!(
        app.overview.coverage.lowest_share() > coverage_before,
        "coverage does not wait for the worker"
    );
    assert!(app.reconciling);
    assert!(text(&render(&app, 80, 24)).contains("5 Gaps"));
    app.update(Action::ShowScreen(Screen::Gaps));
    assert!(text(&render(&app, 140, 40)).contains("recalculating…"));
    app.update(Action::ShowScreen(Screen::Clients));
    app.update(Action::Undo);
    app.settle();
    assert!(!app.reconciling);
    assert_eq!(app.overview.coverage.lowest_share(), coverage_before);
    assert_eq!(
        app.gaps.rows.len(),
        gaps_before,
        "the gaps are those of the latest state"
    );
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    assert!(!text(&render(&app, 140, 40)).contains("recalculating…"));
}

#[test]
fn an_import_shows_what_the_file_is_then_runs_on_a_worker() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    let sources_before = app.overview.sources.len();
    act(&mut app, Action::ShowScreen(Screen::Import));
    act(&mut app, Action::EditPath);
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/sample/pax8-2026-10.csv"
    );
    act(&mut app, Action::InputText(sample.to_string()));
    act(&mut app, Action::InputSubmit);
    let detected = app
        .import
        .detected
        .clone()
        .expect("detected before anything is written");
    assert_eq!(detected.system, "pax8");
    assert_eq!(
        app.overview.sources.len(),
        sources_before,
        "sniffing writes nothing"
    );
    assert!(text(&render(&app, 80, 24)).contains("pax8"));
    app.update(Action::StartImport);
    assert!(
        app.import.running.is_some(),
        "the import runs in the background"
    );
    app.settle();
    let outcome = app.import.finished.clone().expect("finished");
    let summary = outcome.expect("imported");
    assert!(summary.starts_with("Imported "), "{summary}");
    assert_eq!(app.overview.sources.len(), sources_before + 1);
}

#[test]
fn the_import_screen_sets_the_options_the_cli_takes_as_flags() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Import));
    // A screen key is a screen key: nothing is typed into the path.
    act(&mut app, Action::ToggleDayFirst);
    act(&mut app, Action::ToggleDecimalComma);
    assert!(app.import.options.day_first && app.import.options.decimal_comma);
    assert!(app.import.path.is_empty());
    act(&mut app, Action::SetImportCurrency);
    act(&mut app, Action::InputText("cad".to_string()));
    act(&mut app, Action::InputSubmit);
    assert_eq!(
        app.import
            .options
            .currency
            .as_ref()
            .map(ToString::to_string),
        Some("CAD".to_string())
    );
    act(&mut app, Action::SetImportPeriod);
    act(&mut app, Action::InputText("2026-13".to_string()));
    act(&mut app, Action::InputSubmit);
    assert!(app.prompt.is_some(), "a bad period keeps the field open");
    assert!(app.status.clone().expect("status").0.contains("YYYY-MM"));
    app.prompt = None;
    act(&mut app, Action::SetImportPeriod);
    act(&mut app, Action::InputText("2026-10".to_string()));
    act(&mut app, Action::InputSubmit);
    assert_eq!(
        app.import.options.period.map(|period| period.to_string()),
        Some("2026-10".to_string())
    );
    let screen = text(&render(&app, 80, 24));
    assert!(
        screen.contains("CAD") && screen.contains("2026-10"),
        "{screen}"
    );
    act(&mut app, Action::ShowScreen(Screen::Clients));
    assert_eq!(app.screen, Screen::Clients);
}

#[test]
fn gaps_sort_by_age_client_kind_and_vendor_and_a_search_narrows_them() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    let clients = |app: &App| -> Vec<String> {
        app.gaps
            .table
            .iter()
            .filter_map(|row| match row {
                billgap::tui::gap_screen::TableRow::Subtotal { client, .. } => Some(client.clone()),
                _ => None,
            })
            .collect()
    };
    // By value: Northwind (135) before Contoso (120) before Fabrikam (110).
    assert_eq!(clients(&app), ["Northwind Traders", "Contoso", "Fabrikam"]);
    act(&mut app, Action::CycleSort); // oldest first: all are 0 days, so value decides
    act(&mut app, Action::CycleSort); // by client
    assert_eq!(clients(&app), ["Contoso", "Fabrikam", "Northwind Traders"]);
    assert!(app.status.clone().expect("status").0.contains("by client"));
    act(&mut app, Action::CycleSort); // by kind: unbilled, overbilled, missing
    assert_eq!(clients(&app), ["Contoso", "Fabrikam", "Northwind Traders"]);
    assert!(text(&render(&app, 80, 24)).contains("by kind"));
    act(&mut app, Action::FilterQueue);
    act(&mut app, Action::InputText("fabri".to_string()));
    act(&mut app, Action::InputSubmit);
    assert_eq!(clients(&app), ["Fabrikam"]);
    act(&mut app, Action::FilterQueue);
    if let Some(prompt) = app.prompt.as_mut() {
        prompt.text.clear();
    }
    act(&mut app, Action::InputText("E3".to_string()));
    act(&mut app, Action::InputSubmit);
    assert_eq!(
        clients(&app),
        ["Northwind Traders"],
        "a product name matches too"
    );
}

#[test]
fn export_asks_before_replacing_a_file_it_did_not_write_this_time() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    assert!(app.export.path.contains("2026-11-02"), "named by the day");
    let target = folder.path().join("existing.csv");
    std::fs::write(&target, "last week's report").expect("write");
    act(&mut app, Action::ShowScreen(Screen::Export));
    act(&mut app, Action::EditPath);
    if let Some(prompt) = app.prompt.as_mut() {
        prompt.text = target.display().to_string();
    }
    act(&mut app, Action::InputSubmit);
    act(&mut app, Action::WriteExport);
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "last week's report",
        "the first press only asks"
    );
    assert!(app.status.clone().expect("status").0.contains("exists"));
    act(&mut app, Action::WriteExport);
    assert!(
        std::fs::read_to_string(&target)
            .expect("read")
            .starts_with("generated_on"),
        "the second press replaces it"
    );
}

/// The raw ConnectWise answers tests/import_beside.rs reads, saved as a user would save them:
/// `alone/` holds the /additions answer only, `paired/` holds it beside its agreements. The
/// paths are relative (tests run in the package root) so the screens they show are stable.
const BESIDE: &str = "tests/fixtures/workbench-beside";

/// Types `path` into the Import screen's path field and waits for its detection.
fn choose_path(app: &mut App, path: &str) {
    act(app, Action::ShowScreen(Screen::Import));
    act(app, Action::EditPath);
    let typed = app
        .prompt
        .as_ref()
        .map_or(0, |prompt| prompt.text.chars().count());
    for _ in 0..typed {
        act(app, Action::InputBackspace);
    }
    act(app, Action::InputText(path.to_string()));
    act(app, Action::InputSubmit);
}

#[test]
fn a_raw_answer_alone_asks_for_its_agreements_and_imports_joined_with_them() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    let sources_before = app.overview.sources.len();
    choose_path(&mut app, &format!("{BESIDE}/alone/additions.json"));
    assert!(app.import.detected.is_none(), "it names no company alone");
    let status = app.status.clone().expect("status").0;
    assert!(status.contains("--with"), "{status}");
    // The screen asks for the file to join, from the file's own folder.
    let prompt = app
        .prompt
        .clone()
        .expect("a field asks for the beside file");
    assert_eq!(prompt.kind, PromptKind::ImportWith);
    assert_eq!(prompt.text, format!("{BESIDE}/alone/"));
    for _ in prompt.text.chars() {
        act(&mut app, Action::InputBackspace);
    }
    let agreements = format!("{BESIDE}/paired/agreements.json");
    act(&mut app, Action::InputText(agreements.clone()));
    act(&mut app, Action::InputSubmit);
    assert_eq!(app.import.options.with, [PathBuf::from(&agreements)]);
    let detected = app.import.detected.clone().expect("detected when joined");
    assert_eq!(detected.format, "connectwise-additions-json");
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains("w with       agreements.json"), "{screen}");
    // The import is the CLI's `billgap import additions.json --with agreements.json`: of the
    // three additions, the cancelled agreement's and the DoNotBill one are not billed.
    act(&mut app, Action::StartImport);
    let summary = app
        .import
        .finished
        .clone()
        .expect("finished")
        .expect("imported");
    assert!(
        summary.starts_with("Imported 1 lines from 3 rows of ")
            && summary.contains("connectwise-additions-json"),
        "{summary}"
    );
    assert_eq!(app.overview.sources.len(), sources_before + 1);
    // Another file starts without the beside file, which belonged to this one.
    choose_path(&mut app, "assets/sample/pax8-2026-10.csv");
    assert!(app.import.options.with.is_empty());
    let detected = app
        .import
        .detected
        .clone()
        .expect("a CSV needs no beside file");
    assert_eq!(detected.system, "pax8");
    // `w` with an empty field joins no file.
    app.update(Action::InputCancel);
    act(&mut app, Action::AddImportWith);
    act(&mut app, Action::InputText(agreements));
    act(&mut app, Action::InputSubmit);
    assert!(!app.import.options.with.is_empty());
    act(&mut app, Action::AddImportWith);
    for _ in 0..200 {
        act(&mut app, Action::InputBackspace);
    }
    act(&mut app, Action::InputSubmit);
    assert!(app.import.options.with.is_empty());
}

#[test]
fn a_raw_answer_beside_its_agreements_is_paired_by_itself_as_a_file_and_as_a_folder() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    let sources_before = app.overview.sources.len();
    // The file: its agreements are found beside it, and the screen says so.
    choose_path(&mut app, &format!("{BESIDE}/paired/additions.json"));
    let detected = app.import.detected.clone().expect("detected, joined");
    assert_eq!(detected.format, "connectwise-additions-json");
    assert_eq!(
        app.import.options.with,
        [PathBuf::from(format!("{BESIDE}/paired/agreements.json"))]
    );
    let status = app.status.clone().expect("status").0;
    assert!(status.contains("joined with agreements.json"), "{status}");
    // The folder: the agreements are read beside the additions, not left out.
    choose_path(&mut app, &format!("{BESIDE}/paired"));
    let screen = text(&render(&app, 140, 40));
    assert!(screen.contains("1 of 2 file(s) recognised"), "{screen}");
    assert!(screen.contains("with agreements.json"), "{screen}");
    assert!(
        screen.contains("agreements.json  read beside additions.json"),
        "{screen}"
    );
    act(&mut app, Action::StartImport);
    let summary = app
        .import
        .finished
        .clone()
        .expect("finished")
        .expect("imported");
    assert_eq!(summary, "Imported 1 of 1 file(s) of the folder.");
    assert_eq!(app.overview.sources.len(), sources_before + 1);
}
