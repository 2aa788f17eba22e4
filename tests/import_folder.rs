//! A folder of exports imported at once, from the workbench and the CLI: each file detected
//! first (nothing written), the unrecognised ones left out by name, then each recognised file
//! imported in its own transaction, in name order.

mod tui_fixture;

use billgap::tui::action::{Action, Screen};
use std::path::Path;
use tui_fixture::{act, app, build};

fn sample(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name)
}

/// A month's folder: two real exports, a note that is not one, a hidden file, a subfolder
/// (last month's) and a rejected-rows file from an earlier import.
fn month_folder(root: &Path) -> std::path::PathBuf {
    let month = root.join("2026-10");
    std::fs::create_dir_all(month.join("2026-09")).expect("folders");
    std::fs::copy(sample("pax8-2026-10.csv"), month.join("b-pax8.csv")).expect("copy");
    std::fs::copy(
        sample("partner-center-nce-2026-10.csv"),
        month.join("a-partner-center.csv"),
    )
    .expect("copy");
    std::fs::write(
        month.join("notes.txt"),
        "call Contoso about the EDR seats\n",
    )
    .expect("note");
    std::fs::write(month.join(".DS_Store"), "junk").expect("hidden");
    std::fs::write(month.join("old.csv.rejected.csv"), "line,reason\n").expect("rejects");
    std::fs::copy(sample("pax8-2026-10.csv"), month.join("2026-09/pax8.csv")).expect("copy");
    month
}

#[test]
fn the_workbench_detects_every_file_of_a_folder_then_imports_the_recognised_ones() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("fixture-db");
    std::fs::create_dir_all(&database).expect("db folder");
    let mut app = app(&build(&database));
    let month = month_folder(folder.path());
    let imports_before = app.overview.sources.len();

    act(&mut app, Action::ShowScreen(Screen::Import));
    act(&mut app, Action::EditPath);
    act(&mut app, Action::InputText(month.display().to_string()));
    act(&mut app, Action::InputSubmit);
    let names: Vec<String> = app
        .import
        .folder
        .iter()
        .map(|file| {
            file.path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["a-partner-center.csv", "b-pax8.csv", "notes.txt"],
        "hidden files, subfolders and rejected rows are not offered"
    );
    assert!(app.import.folder[0].detected.is_ok());
    assert!(app.import.folder[1].detected.is_ok());
    assert!(
        app.import.folder[2].detected.is_err(),
        "the note is left out"
    );
    assert_eq!(
        app.overview.sources.len(),
        imports_before,
        "nothing is written before Enter"
    );

    act(&mut app, Action::StartImport);
    let status = app.status.clone().expect("status").0;
    assert_eq!(status, "Imported 2 of 2 file(s) of the folder.");
    assert!(app.import.folder.is_empty());
    assert!(
        app.overview.sources.len() >= imports_before + 2,
        "both are sources now"
    );
}

#[test]
fn the_cli_imports_a_folder_as_its_files() {
    let folder = tempfile::tempdir().expect("temp");
    let month = month_folder(folder.path());
    // The database in the same folder as the exports is left out like the note.
    let database = month.join("billgap.sqlite");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .arg("import")
        .arg(&month)
        .env("BILLGAP_DB", &database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("a-partner-center.csv") && stderr.contains("b-pax8.csv"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("2026-09"),
        "the subfolder is not read: {stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("left out") && line.contains("notes.txt")),
        "the note is named and left out: {stderr}"
    );

    // Again: the database now sits in the folder and is left out too; the exports are
    // already imported.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .arg("import")
        .arg(&month)
        .env("BILLGAP_DB", &database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains("left out") && stderr.contains("billgap.sqlite"),
        "{stderr}"
    );
    assert!(stderr.contains("already imported"), "{stderr}");
}

#[test]
fn the_cli_reads_a_raw_answer_of_a_folder_beside_its_agreements() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("billgap.sqlite");
    // The ConnectWise /additions answer and its /finance/agreements answer, as
    // tests/import_beside.rs reads them, saved into one folder.
    let paired =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workbench-beside/paired");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .arg("import")
        .arg(&paired)
        .env("BILLGAP_DB", &database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.lines().any(|line| line.starts_with("read ")
            && line.contains("agreements.json beside ")
            && line.ends_with("additions.json")),
        "the agreements are read beside the additions, not left out: {stderr}"
    );
    assert!(
        stderr.contains("Imported 1 lines from 3 rows")
            && stderr.contains("connectwise-additions-json"),
        "as `import additions.json --with agreements.json`: {stderr}"
    );
}

#[test]
fn an_autotask_units_answer_is_paired_with_its_contracts_and_only_files_the_join_takes() {
    let folder = tempfile::tempdir().expect("temp");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    for name in ["autotask-units-raw.json", "autotask-contracts.json"] {
        std::fs::copy(fixtures.join(name), folder.path().join(name)).expect("copy");
    }
    // A JSON file the join has no use for stays left out.
    std::fs::write(
        folder.path().join("notes.json"),
        r#"[{"note": "call Contoso"}]"#,
    )
    .expect("write");
    // Autotask answers carry no currency: it is given, as `--currency USD` would give it.
    let options = billgap::import::ImportOptions {
        currency: Some("USD".parse().expect("currency")),
        ..Default::default()
    };
    let files = billgap::workflow::detect_folder(folder.path(), &options).expect("detected");
    let named = |name: &str| {
        files
            .iter()
            .find(|file| file.path.ends_with(name))
            .expect("listed")
    };
    let units = named("autotask-units-raw.json");
    assert!(units.imported(), "{:?}", units.detected);
    assert_eq!(units.with, [folder.path().join("autotask-contracts.json")]);
    assert_eq!(
        named("autotask-contracts.json").beside_of.as_deref(),
        Some(units.path.as_path())
    );
    let notes = named("notes.json");
    assert!(!notes.imported() && notes.beside_of.is_none());
}
