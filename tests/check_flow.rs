//! `billgap check` as cron runs it, replayed over several days with `--as-of`: the ledger's
//! ages, costs to date and statuses, exit codes, and a dry run that records nothing.

mod tui_fixture;

use std::path::Path;
use std::process::{Command, Output};

fn billgap(database: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("BILLGAP_CONFIG", config)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn runs(database: &Path) -> i64 {
    let connection = rusqlite::Connection::open(database).expect("open");
    connection
        .query_row("SELECT count(*) FROM runs", [], |row| row.get(0))
        .expect("count")
}

#[test]
fn a_dry_run_records_nothing_and_a_check_records_one_run() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let config = folder.path().join("config.toml");
    std::fs::write(&config, "[alerts]\ncadence = \"daily\"\n").expect("config");
    let dry = billgap(
        &database,
        &config,
        &["check", "--dry-run", "--as-of", "2026-11-02"],
    );
    assert_eq!(dry.status.code(), Some(1), "{}", text(&dry.stderr));
    assert_eq!(runs(&database), 0, "a dry run records no ledger run");
    let real = billgap(&database, &config, &["check", "--as-of", "2026-11-02"]);
    assert_eq!(
        real.status.code(),
        Some(1),
        "incomplete coverage needs action"
    );
    assert!(
        text(&real.stdout).contains("Coverage:"),
        "{}",
        text(&real.stdout)
    );
    assert_eq!(runs(&database), 1);
}

#[test]
fn replayed_days_age_the_gaps_and_add_up_their_cost() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let config = folder.path().join("config.toml");
    std::fs::write(&config, "[alerts]\ncadence = \"daily\"\n").expect("config");
    for day in ["2026-11-02", "2026-11-05", "2026-11-12"] {
        let run = billgap(&database, &config, &["check", "--as-of", day]);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    }
    assert_eq!(runs(&database), 3);
    let connection = rusqlite::Connection::open(&database).expect("open");
    let (first_seen, status, accumulated, value): (String, String, String, String) = connection
        .query_row(
            "SELECT g.first_seen, g.status, g.accumulated, g.value FROM run_gaps g
             WHERE g.company_key = 'CW-CONTOSO' AND g.run_id = (SELECT max(id) FROM runs)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .expect("Contoso's gap in the last run");
    assert_eq!(first_seen, "2026-11-02", "first seen on the first run");
    assert_eq!(status, "unchanged");
    let value: rust_decimal::Decimal = value.parse().expect("value");
    let accumulated: rust_decimal::Decimal = accumulated.parse().expect("accumulated");
    assert!(value > rust_decimal::Decimal::ZERO);
    assert!(
        accumulated > rust_decimal::Decimal::ZERO && accumulated < value,
        "ten days of a monthly value: {accumulated} of {value}"
    );
    let history = billgap(&database, &config, &["history", "CW-CONTOSO"]);
    let shown = text(&history.stdout);
    assert!(shown.contains("2026-11-02"), "{shown}");
}

#[test]
fn a_secret_in_the_config_file_is_refused_without_repeating_it() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        "[smtp]\nhost = \"smtp.example.com\"\npassword = \"correct-horse-battery\"\n",
    )
    .expect("config");
    let run = billgap(&database, &config, &["check", "--as-of", "2026-11-02"]);
    assert_eq!(run.status.code(), Some(2));
    let all = format!("{}{}", text(&run.stdout), text(&run.stderr));
    assert!(all.contains("BILLGAP_SMTP_PASSWORD"), "{all}");
    assert!(!all.contains("correct-horse-battery"), "{all}");
    assert_eq!(
        runs(&database),
        0,
        "nothing is recorded when the config is refused"
    );
}

#[test]
fn schedule_prints_a_daily_crontab_line_and_a_schtasks_command() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let config = folder.path().join("config.toml");
    let printed = billgap(
        &database,
        &config,
        &["schedule", "--print", "--at", "06:30"],
    );
    let shown = text(&printed.stdout);
    assert!(shown.contains("30 6 * * *"), "{shown}");
    assert!(shown.contains(" check"), "{shown}");
    assert!(shown.contains("schtasks /Create"), "{shown}");
    assert!(shown.contains("/ST 06:30"), "{shown}");
}

#[test]
fn viewing_never_records_a_run_and_saving_a_review_in_the_workbench_does() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let config = folder.path().join("config.toml");
    let viewed = billgap(&database, &config, &["gaps"]);
    assert_eq!(viewed.status.code(), Some(1));
    let written = folder.path().join("report.csv");
    let path = written.display().to_string();
    billgap(
        &database,
        &config,
        &["report", "--format", "csv", "-o", &path],
    );
    assert_eq!(runs(&database), 0, "gaps and report only look");
    let mut app = tui_fixture::app(&database);
    tui_fixture::act(
        &mut app,
        billgap::tui::action::Action::ShowScreen(billgap::tui::action::Screen::Gaps),
    );
    tui_fixture::act(&mut app, billgap::tui::action::Action::SaveReview);
    assert_eq!(runs(&database), 1, "{:?}", app.status);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|(text, _)| text.starts_with("Review saved"))
    );
}

#[test]
fn a_report_measures_fixed_gaps_against_the_chosen_saved_review() {
    let folder = tempfile::tempdir().expect("temp");
    let database = tui_fixture::build(folder.path());
    let config = folder.path().join("config.toml");
    std::fs::write(&config, "[alerts]\ncadence = \"daily\"\n").expect("config");
    billgap(&database, &config, &["check", "--as-of", "2026-11-02"]);
    // Fabrikam's tenant leaves the comparison: its overbilled gap is gone from the next review.
    let ignored = billgap(
        &database,
        &config,
        &[
            "ignore",
            "customer",
            "microsoft:tenant-fabrikam",
            "--reason",
            "test",
        ],
    );
    assert_eq!(ignored.status.code(), Some(0), "{}", text(&ignored.stderr));
    billgap(&database, &config, &["check", "--as-of", "2026-11-05"]);
    let fixed_fabrikam = |args: &[&str]| {
        let path = folder.path().join("report.json");
        let path_text = path.display().to_string();
        let mut all = vec!["report", "--format", "json", "-o", path_text.as_str()];
        all.extend_from_slice(args);
        let written = billgap(&database, &config, &all);
        assert_ne!(written.status.code(), Some(2), "{}", text(&written.stderr));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("json");
        report["resolved"]
            .as_array()
            .expect("resolved")
            .iter()
            .any(|gap| gap["identity"]["company"]["key"] == "CW-FABRIKAM")
    };
    assert!(!fixed_fabrikam(&[]), "already gone at the latest review");
    assert!(
        fixed_fabrikam(&["--since-run", "1"]),
        "fixed since the first review"
    );
    assert!(
        fixed_fabrikam(&["--since", "2026-11-03"]),
        "the latest review on or before Nov 3 is the first"
    );
    // A report made as of a day: ages and costs to date run to it.
    let path = folder.path().join("as-of.json");
    let path_text = path.display().to_string();
    let replayed = billgap(
        &database,
        &config,
        &[
            "report",
            "--format",
            "json",
            "-o",
            &path_text,
            "--as-of",
            "2026-11-12",
        ],
    );
    assert_ne!(
        replayed.status.code(),
        Some(2),
        "{}",
        text(&replayed.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("json");
    assert_eq!(report["generated_on"], "2026-11-12");
    let contoso = report["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .find(|gap| gap["gap"]["company"]["key"] == "CW-CONTOSO")
        .expect("Contoso's gap");
    assert_eq!(contoso["age_days"], 10, "first seen on Nov 2");
    let missing = billgap(
        &database,
        &config,
        &["report", "-o", "x.csv", "--since-run", "9"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no saved review #9"));
}

#[test]
fn the_exit_code_follows_the_alert_thresholds_and_measure() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("db.sqlite");
    let config = folder.path().join("config.toml");
    let sample = |name: &str| format!("{}/assets/sample/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(&config, "[alerts]\ncadence = \"daily\"\n").expect("config");
    let import = billgap(
        &database,
        &config,
        &[
            "import",
            &sample("partner-center-nce-2026-10.csv"),
            &sample("pax8-2026-10.csv"),
            &sample("connectwise-additions-2026-10.csv"),
        ],
    );
    assert!(import.status.success(), "{}", text(&import.stderr));
    let mapped = billgap(
        &database,
        &config,
        &["map", "--from", &sample("mappings.csv")],
    );
    assert!(mapped.status.success(), "{}", text(&mapped.stderr));
    // At full coverage, the stored default (100) puts clients over: action needed.
    let default = billgap(
        &database,
        &config,
        &["check", "--dry-run", "--as-of", "2026-11-02"],
    );
    assert_eq!(default.status.code(), Some(1), "{}", text(&default.stdout));
    // Per-currency alert thresholds that no client reaches: the check is clean, as its
    // (empty) messages say, even though the report's default threshold would not be.
    std::fs::write(
        &config,
        "[alerts]\ncadence = \"daily\"\n\n[alerts.thresholds]\nUSD = 100000\nCAD = 100000\n",
    )
    .expect("config");
    let high = billgap(
        &database,
        &config,
        &["check", "--dry-run", "--as-of", "2026-11-02"],
    );
    assert_eq!(high.status.code(), Some(0), "{}", text(&high.stdout));
}
