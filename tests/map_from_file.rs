//! `billgap map --from mappings.csv`: a spreadsheet of decisions applied as one undoable step,
//! checked whole before anything is recorded, and never overwriting a confirmed mapping.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn sample(name: &str) -> String {
    format!("{}/assets/sample/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn imported(folder: &Path) -> PathBuf {
    let database = folder.join("db.sqlite");
    let import = billgap(
        &database,
        &[
            "import",
            &sample("partner-center-nce-2026-10.csv"),
            &sample("pax8-2026-10.csv"),
            &sample("connectwise-additions-2026-10.csv"),
        ],
    );
    assert!(import.status.success(), "{}", out(&import));
    database
}

#[test]
fn the_sample_mappings_file_maps_everything_and_one_undo_takes_it_back() {
    let folder = tempfile::tempdir().expect("temp");
    let database = imported(folder.path());
    let applied = billgap(&database, &["map", "--from", &sample("mappings.csv")]);
    assert!(applied.status.success(), "{}", out(&applied));
    assert!(
        out(&applied).contains("Applied 74 decision(s)"),
        "{}",
        out(&applied)
    );
    let gaps = billgap(&database, &["gaps"]);
    assert!(
        out(&gaps).contains("Coverage: 100.0%"),
        "the file is the careful operator's whole work: {}",
        out(&gaps)
    );
    // Applying it again changes nothing.
    let again = billgap(&database, &["map", "--from", &sample("mappings.csv")]);
    assert!(
        out(&again).contains("Applied 0 decision(s)"),
        "{}",
        out(&again)
    );
    assert!(
        out(&again).contains("74 row(s) were already so"),
        "{}",
        out(&again)
    );
    let undo = billgap(&database, &["undo"]);
    assert!(undo.status.success(), "{}", out(&undo));
    let after = billgap(&database, &["gaps"]);
    assert!(out(&after).contains("Coverage: 0.0%"), "{}", out(&after));
}

#[test]
fn a_bad_row_fails_the_whole_file_with_its_line_and_a_conflict_never_overwrites() {
    let folder = tempfile::tempdir().expect("temp");
    let database = imported(folder.path());
    let bad = folder.path().join("bad.csv");
    std::fs::write(
        &bad,
        "kind,vendor_system,vendor_key,term,psa_id,reason,expires\n\
         client,pax8,aae5edea-088e-494c-8a79-93b8bc8cacb5,,Pinecrest,,\n\
         client,pax8,no-such-customer,,Pinecrest,,\n",
    )
    .expect("write");
    let refused = billgap(&database, &["map", "--from", bad.to_str().expect("utf-8")]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(out(&refused).contains("bad.csv:3:"), "{}", out(&refused));
    let log = billgap(&database, &["log"]);
    assert!(
        out(&log).contains("No decisions yet"),
        "nothing recorded: {}",
        out(&log)
    );

    let confirmed = billgap(
        &database,
        &[
            "map",
            "client",
            "pax8:aae5edea-088e-494c-8a79-93b8bc8cacb5",
            "ContosoDen",
        ],
    );
    assert!(confirmed.status.success(), "{}", out(&confirmed));
    let other = folder.path().join("other.csv");
    std::fs::write(
        &other,
        "kind,vendor_system,vendor_key,term,psa_id,reason,expires\n\
         client,pax8,aae5edea-088e-494c-8a79-93b8bc8cacb5,,Pinecrest,,\n",
    )
    .expect("write");
    let conflict = billgap(
        &database,
        &["map", "--from", other.to_str().expect("utf-8")],
    );
    assert_eq!(conflict.status.code(), Some(1), "{}", out(&conflict));
    assert!(
        out(&conflict).contains("other.csv:2:"),
        "{}",
        out(&conflict)
    );
    let log = billgap(&database, &["log", "--limit", "1"]);
    assert!(
        out(&log).contains("Contoso"),
        "the confirmed mapping stands: {}",
        out(&log)
    );
}
