//! The mapping review: every mapping in force says how it was made (by hand, or automatically
//! and on what evidence) and on which day, so the billing owner can check the automatic ones.

use std::path::Path;
use std::process::{Command, Output};

fn billgap(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap")
}

fn line_of(output: &Output, needle: &str) -> String {
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.lines()
        .find(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
        .to_string()
}

#[test]
fn each_mapping_says_how_and_when_it_was_made() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("demo.sqlite");
    let kept = database.to_string_lossy().into_owned();
    let demo = billgap(
        &folder.path().join("unused"),
        &["demo", "--no-tui", "--keep", &kept],
    );
    assert!(demo.status.code().is_some_and(|code| code < 2));
    let today = chrono::Utc::now().date_naive().to_string();

    let clients = billgap(&database, &["clients", "--mapped"]);
    // Pax8 carries the PSA id in externalId: the demo mapped it on that evidence.
    let patel = line_of(&clients, "Patel Hospitality");
    assert!(
        patel.contains(&format!(
            "→ connectwise:PatelHosp (Patel Hospitality Group) · automatic (PSA id), {today}"
        )),
        "{patel}"
    );
    let safe_band = line_of(&clients, "KS Manufacturing");
    assert!(
        safe_band.contains("automatic (safe-band score)"),
        "{safe_band}"
    );

    // Confirmed by hand, it says so.
    let confirm = billgap(
        &database,
        &["map", "client", "pax8:Patel Hospitality", "PatelHosp"],
    );
    assert!(confirm.status.success(), "{confirm:?}");
    let clients = billgap(&database, &["clients", "--mapped"]);
    let patel = line_of(&clients, "Patel Hospitality");
    assert!(patel.contains(&format!("· by hand, {today}")), "{patel}");

    let products = billgap(&database, &["products", "--mapped"]);
    let premium = line_of(&products, "Microsoft 365 Business Premium (monthly)");
    assert!(premium.contains("→ connectwise:M365-BP-M"), "{premium}");
    assert!(
        premium.contains(&format!("automatic (safe-band score), {today}")),
        "{premium}"
    );
}
