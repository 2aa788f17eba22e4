//! `billgap account CLIENT`: a client's whole account on the bundled sample, checked against
//! what the gaps report says of the same client, so the account can never show a finding the
//! reconcile did not make (nor hide one it did).

use serde_json::Value;
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

fn json(output: &Output) -> Value {
    assert!(
        output.status.code().is_some_and(|code| code < 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

fn row<'a>(account: &'a Value, product: &str, term: &str) -> &'a Value {
    account["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|line| line["product"] == product && line["term"] == term)
        .unwrap_or_else(|| panic!("no row {product} ({term}) in {account:#}"))
}

#[test]
fn the_account_shows_every_product_both_sides_and_exactly_the_reported_gaps() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("demo.sqlite");
    let kept = database.to_string_lossy().into_owned();
    let demo = billgap(
        &folder.path().join("unused"),
        &["demo", "--no-tui", "--keep", &kept],
    );
    assert!(demo.status.code().is_some_and(|code| code < 2));

    let client = "Smith & Associates LLC";
    let account = json(&billgap(
        &database,
        &["account", client, "--format", "json"],
    ));
    assert_eq!(account["company_name"], client);
    // Two tenants of one client, both named.
    assert_eq!(
        account["vendor_customers"],
        serde_json::json!(["Smith and Assoc.", "Smith and Associates"])
    );

    let unbilled = row(
        &account,
        "Microsoft 365 Business Premium - monthly term",
        "monthly",
    );
    assert_eq!(unbilled["vendor_seats"], "18");
    assert_eq!(unbilled["psa_seats"], "16");
    assert_eq!(
        unbilled["standing"]["kinds"],
        serde_json::json!(["unbilled"])
    );
    let agrees = row(&account, "Exchange Online Plan 1 mailbox", "annual");
    assert_eq!(agrees["standing"]["standing"], "agrees");
    assert_eq!(agrees["vendor_seats"], agrees["psa_seats"]);
    let service = row(&account, "Managed IT support per user", "unspecified");
    assert_eq!(service["standing"]["standing"], "psa_only");
    assert_eq!(service["vendor_seats"], Value::Null);
    let unmapped = row(&account, "Proofpoint Essentials Business", "monthly");
    assert_eq!(unmapped["standing"]["standing"], "unmapped");
    assert_eq!(unmapped["psa_seats"], Value::Null);

    // Every gap the report gives this client is a row of the account with that kind, and
    // the account has no gap row the report lacks.
    let report = json(&billgap(&database, &["gaps", "--format", "json"]));
    let mut reported: Vec<(String, String, String)> = report["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|tracked| &tracked["gap"])
        .filter(|gap| gap["company_name"] == client)
        .map(|gap| {
            (
                gap["product_name"].as_str().expect("name").to_string(),
                gap["term"].as_str().expect("term").to_string(),
                gap["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect();
    let mut shown: Vec<(String, String, String)> = account["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|line| line["standing"]["standing"] == "gaps")
        .flat_map(|line| {
            line["standing"]["kinds"]
                .as_array()
                .expect("kinds")
                .iter()
                .map(|kind| {
                    (
                        line["product"].as_str().expect("product").to_string(),
                        line["term"].as_str().expect("term").to_string(),
                        kind.as_str().expect("kind").to_string(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    reported.sort();
    shown.sort();
    assert!(!reported.is_empty());
    assert_eq!(shown, reported);

    // The table names the same rows for a person.
    let table = billgap(&database, &["account", client]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("Vendor customers: Smith and Assoc., Smith and Associates"));
    assert!(table.contains("agrees") && table.contains("not compared: product not mapped"));

    let unknown = billgap(&database, &["account", "No Such Client"]);
    assert_eq!(unknown.status.code(), Some(2));
}
