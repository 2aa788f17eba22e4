//! The bundled sample data end to end: import the three real-format exports, apply the mappings
//! a careful operator would confirm (`assets/sample/mappings.csv`), and find exactly the gaps
//! `assets/sample/README.md` documents, no more and no fewer.

use billgap::domain::lines::{Side, SourceKey, Term};
use billgap::domain::reconcile::{GapKind, reconcile};
use billgap::import::ImportOptions;
use billgap::store::{Decision, ImportOutcome, Origin, Store};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::Path;

const SAMPLES: [&str; 3] = [
    "assets/sample/partner-center-nce-2026-10.csv",
    "assets/sample/pax8-2026-10.csv",
    "assets/sample/connectwise-additions-2026-10.csv",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).expect("valid date")
}

/// An in-memory store holding the three sample exports.
fn sample_store() -> Store {
    let mut store = Store::open_in_memory().expect("store");
    import_samples(&mut store);
    store
}

/// Reconciles the store's current state on the test's fixed day.
fn reconcile_on(store: &Store) -> billgap::domain::reconcile::Reconciliation {
    let state = store.current_state().expect("state");
    reconcile(
        &state.vendor,
        &state.psa,
        &state.mappings,
        &state.thresholds,
        today(),
    )
}

fn import_samples(store: &mut Store) {
    for sample in SAMPLES {
        let outcome = store
            .import_file(Path::new(sample), &ImportOptions::default(), &mut |_| {})
            .unwrap_or_else(|error| panic!("{sample}: {error}"));
        assert!(matches!(outcome, ImportOutcome::Imported(_)), "{sample}");
    }
}

/// A workspace on a database file holding the three sample exports, and the file's folder.
fn sample_workspace() -> (tempfile::TempDir, billgap::workflow::Workspace, Store) {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("sample.sqlite");
    let mut store = Store::open(&database).expect("store");
    import_samples(&mut store);
    let workspace =
        billgap::workflow::Workspace::open_as_of(&database, today()).expect("workspace");
    (folder, workspace, store)
}

fn psa_system(store: &Store) -> String {
    store
        .sources()
        .expect("sources")
        .into_iter()
        .find(|source| source.side == Side::Psa)
        .map(|source| source.system)
        .expect("a PSA import")
}

/// The decisions a careful operator makes on the sample (`assets/sample/mappings.csv`).
fn ground_truth(store: &Store) -> Vec<Decision> {
    let psa = psa_system(store);
    let mut reader = csv::Reader::from_path("assets/sample/mappings.csv").expect("mappings.csv");
    reader
        .records()
        .map(|record| {
            let record = record.expect("mapping row");
            let vendor = SourceKey::new(&record[1], &record[2]);
            match &record[0] {
                "client" => Decision::MapClient {
                    vendor,
                    company: SourceKey::new(&psa, &record[4]),
                },
                "product" => Decision::MapProduct {
                    vendor,
                    term: Some(record[3].parse::<Term>().expect("term")),
                    product: SourceKey::new(&psa, &record[4]),
                },
                "ignore" => Decision::IgnoreCustomer {
                    vendor,
                    reason: record[5].to_string(),
                    until: record[6].parse().ok(),
                },
                other => panic!("unknown mapping kind {other}"),
            }
        })
        .collect()
}

/// Applies the ground-truth mappings through the same decisions an operator makes.
fn apply_ground_truth(store: &mut Store) {
    for decision in ground_truth(store) {
        store.decide(&decision, Origin::Manual).expect("decide");
    }
}

#[test]
fn the_sample_data_shows_exactly_the_documented_gaps_at_full_coverage() {
    let mut store = sample_store();
    apply_ground_truth(&mut store);
    let result = reconcile_on(&store);
    assert!(
        result.coverage.is_complete(),
        "{}",
        result.coverage.headline()
    );

    let mut found: Vec<(String, String, &str, &str, String, String, String)> = result
        .gaps
        .iter()
        .map(|gap| {
            (
                gap.company.key.clone(),
                gap.product.key.clone(),
                gap.term.as_str(),
                gap.kind.as_str(),
                gap.vendor_seats.normalize().to_string(),
                gap.psa_seats.normalize().to_string(),
                gap.value
                    .as_ref()
                    .map(|value| format!("{:.2} {}", value.amount.abs(), value.currency))
                    .unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    let mut expected: Vec<(String, String, &str, &str, String, String, String)> = [
        (
            "SmithAssoc",
            "M365-BP-M",
            "monthly",
            "unbilled",
            "18",
            "16",
            "60.00 USD",
        ),
        (
            "Kowalski",
            "SEC-EDR",
            "monthly",
            "unbilled",
            "35",
            "30",
            "35.00 USD",
        ),
        (
            "Lakeshore",
            "EXO-P1",
            "annual",
            "unbilled",
            "4",
            "3",
            "7.50 CAD",
        ),
        (
            "HollisKane",
            "EXO-P1",
            "annual",
            "unbilled",
            "8",
            "6",
            "11.00 USD",
        ),
        (
            "Meridian",
            "M365-BS-M",
            "monthly",
            "overbilled",
            "9",
            "11",
            "38.00 USD",
        ),
        (
            "Aldridge",
            "SEC-S1",
            "monthly",
            "overbilled",
            "40",
            "44",
            "26.00 USD",
        ),
        (
            "Brightline",
            "M365-BP-A",
            "annual",
            "overbilled",
            "20",
            "23",
            "81.00 USD",
        ),
        (
            "Brightline",
            "M365-BP-M",
            "monthly",
            "missing",
            "3",
            "0",
            "90.00 USD",
        ),
        (
            "Dunmore",
            "PBI-PRO",
            "annual",
            "missing",
            "3",
            "0",
            "52.50 USD",
        ),
        (
            "Sorensen",
            "TEAMS-ESS",
            "monthly",
            "missing",
            "5",
            "0",
            "24.00 USD",
        ),
        (
            "Westbrook",
            "EXO-P1",
            "annual",
            "orphan",
            "0",
            "5",
            "27.50 USD",
        ),
        (
            "Greenfield",
            "SEC-EDR",
            "monthly",
            "orphan",
            "0",
            "12",
            "84.00 USD",
        ),
        (
            "HanoverPed",
            "M365-BP-M",
            "monthly",
            "price",
            "16",
            "16",
            "70.40 USD",
        ),
        (
            "SummitPT",
            "SEC-EDR",
            "monthly",
            "price",
            "15",
            "15",
            "11.25 USD",
        ),
    ]
    .into_iter()
    .map(|(company, product, term, kind, vendor, psa, value)| {
        (
            company.to_string(),
            product.to_string(),
            term,
            kind,
            vendor.to_string(),
            psa.to_string(),
            value.to_string(),
        )
    })
    .collect();
    expected.sort();
    assert_eq!(found, expected);

    let lakeshore = result
        .clients
        .iter()
        .find(|client| client.company.key == "Lakeshore")
        .expect("Lakeshore has a gap");
    assert_eq!(lakeshore.absolute_value.iter().count(), 1);
    assert!(
        result.gaps.iter().all(|gap| gap.company.key != "Larkspur"),
        "the clean client"
    );
    let missing_teams = result
        .gaps
        .iter()
        .find(|gap| gap.kind == GapKind::Missing && gap.product.key == "TEAMS-ESS")
        .expect("missing Teams");
    assert_eq!(
        missing_teams.price_basis,
        billgap::domain::reconcile::PriceBasis::VendorCost
    );
}

#[test]
fn vendor_spend_per_customer_matches_the_documented_totals() {
    let store = sample_store();
    let state = store.current_state().expect("state");
    let total = |system: &str, currency: &str| -> Decimal {
        state
            .vendor
            .iter()
            .filter(|position| {
                position.customer.system == system && position.currency.code() == currency
            })
            .map(|position| position.spend)
            .sum()
    };
    assert_eq!(total("microsoft", "USD").to_string(), "10752.76");
    assert_eq!(total("microsoft", "CAD").to_string(), "310.57");
    assert_eq!(total("pax8", "USD").to_string(), "2385.02");
}

#[test]
fn without_mappings_nothing_is_called_clean() {
    let store = sample_store();
    let result = reconcile_on(&store);
    assert_eq!(result.coverage.lowest_share(), Some(Decimal::ZERO));
    assert_eq!(
        result.verdict,
        billgap::domain::reconcile::Verdict::IncompleteCoverage
    );
}

#[test]
fn automatic_mappings_on_the_sample_agree_with_the_ground_truth() {
    let (_folder, mut workspace, store) = sample_workspace();
    workspace.map_certain().expect("certain mappings");
    let accepted = workspace
        .accept_safe_band(billgap::domain::matching::HIGH_THRESHOLD)
        .expect("accept");
    assert!(accepted.clients_accepted > 0, "{accepted:?}");
    let mut truth_clients = std::collections::HashMap::new();
    let mut truth_products = std::collections::HashMap::new();
    for decision in ground_truth(&store) {
        match decision {
            Decision::MapClient { vendor, company } => {
                truth_clients.insert(vendor, company);
            }
            Decision::MapProduct {
                vendor,
                term,
                product,
            } => {
                truth_products.insert((vendor, term), product);
            }
            _ => {}
        }
    }
    let mappings = store.mapping_set().expect("mappings");
    let mut wrong = Vec::new();
    for (vendor, company) in &mappings.clients {
        if truth_clients.get(vendor) != Some(company) {
            wrong.push(format!("{vendor} -> {company}"));
        }
    }
    for (key, product) in &mappings.products {
        if truth_products.get(key) != Some(product) {
            wrong.push(format!("{key:?} -> {product}"));
        }
    }
    assert!(wrong.is_empty(), "wrong automatic mappings: {wrong:#?}");
}

#[test]
fn a_rejection_through_the_store_removes_the_candidate_from_the_queue_for_good() {
    let (_folder, mut workspace, _store) = sample_workspace();
    let queue = workspace.mapping_queue(3).expect("queue").clients;
    let entry = queue
        .iter()
        .find(|entry| !entry.candidates.is_empty())
        .expect("an entry with a candidate");
    let vendor = entry.customer.key.clone();
    let rejected = entry.candidates[0].key.clone();
    let outcome = workspace
        .decide(&Decision::RejectClient {
            vendor: vendor.clone(),
            company: rejected.clone(),
        })
        .expect("reject");
    assert!(outcome.changed, "{}", outcome.sentence);
    let again = workspace.mapping_queue(10).expect("queue").clients;
    let entry = again
        .iter()
        .find(|entry| entry.customer.key == vendor)
        .expect("still unmapped");
    assert!(
        entry
            .candidates
            .iter()
            .all(|candidate| candidate.key != rejected),
        "{rejected} was rejected for {vendor}"
    );
}
