//! Every screen rendered at 80×24 and 140×40 from a fixture database, driven by Actions.

mod tui_fixture;

use billgap::tui::action::{Action, Screen};
use billgap::tui::app::App;
use tui_fixture::{act, app, build, render, text};

fn snapshot_both(name: &str, app: &App) {
    for (width, height) in [(80, 24), (140, 40)] {
        let terminal = render(app, width, height);
        // A decision's day is the day the test ran: pinned as a placeholder.
        let today = chrono::Utc::now().date_naive().to_string();
        let screen = text(&terminal).replace(&today, "YYYY-MM-DD");
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
    }
}

#[test]
fn overview() {
    let folder = tempfile::tempdir().expect("temp");
    let app = app(&build(folder.path()));
    snapshot_both("overview", &app);
}

#[test]
fn clients() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    snapshot_both("clients", &app);
}

#[test]
fn products() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Products));
    snapshot_both("products", &app);
}

#[test]
fn gaps() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    snapshot_both("gaps", &app);
}

#[test]
fn gaps_drilldown() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    // The first row is Tailspin's subtotal; the Contoso gap is further down.
    while app
        .gaps
        .selected_gap()
        .is_none_or(|row| row.gap.gap.company_name != "Contoso")
    {
        let before = app.gaps.selected;
        act(&mut app, Action::MoveDown);
        assert_ne!(before, app.gaps.selected, "Contoso's gap is in the table");
    }
    act(&mut app, Action::OpenDrilldown);
    snapshot_both("gaps_drilldown", &app);
}

#[test]
fn gaps_client_account() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    // On the first row, a client's subtotal: the account is that client's.
    act(&mut app, Action::OpenAccount);
    snapshot_both("gaps_account", &app);
    act(&mut app, Action::Back);
    assert!(app.gaps.account.is_none(), "Esc closes the account");
}

#[test]
fn import() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Import));
    for character in "/no/such/folder/vendor.csv".chars() {
        act(&mut app, Action::InputChar(character));
    }
    snapshot_both("import", &app);
}

#[test]
fn export() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Export));
    snapshot_both("export", &app);
}

#[test]
fn help_overlay() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    act(&mut app, Action::ToggleHelp);
    snapshot_both("help", &app);
}

#[test]
fn clients_mapped_name_their_psa_company() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    act(&mut app, Action::CycleQueueFilter);
    snapshot_both("clients_mapped", &app);
}

#[test]
fn gaps_help_explains_each_kind() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Gaps));
    act(&mut app, Action::ToggleHelp);
    snapshot_both("gaps_help", &app);
}

#[test]
fn client_search() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Clients));
    act(&mut app, Action::SearchTargets);
    for character in "wood".chars() {
        act(&mut app, Action::InputChar(character));
    }
    snapshot_both("clients_search", &app);
}

#[test]
fn too_small() {
    let folder = tempfile::tempdir().expect("temp");
    let app = app(&build(folder.path()));
    let terminal = render(&app, 79, 24);
    insta::assert_snapshot!("too_small_79x24", text(&terminal));
    let terminal = render(&app, 120, 23);
    assert!(text(&terminal).contains("Terminal too small"));
}

#[test]
fn import_asks_for_the_file_beside_a_raw_answer() {
    let folder = tempfile::tempdir().expect("temp");
    let mut app = app(&build(folder.path()));
    act(&mut app, Action::ShowScreen(Screen::Import));
    act(&mut app, Action::EditPath);
    // Relative to the package root, where tests run, so the screen is the same everywhere.
    act(
        &mut app,
        Action::InputText("tests/fixtures/workbench-beside/alone/additions.json".to_string()),
    );
    act(&mut app, Action::InputSubmit);
    snapshot_both("import_with_prompt", &app);
}
