//! Suggestions through the application core: the mapping queue names each candidate by its
//! system-qualified key, so two PSA systems that use the same bare id are offered apart and a
//! rejection of one leaves the other.

use billgap::domain::decision::Decision;
use billgap::domain::lines::{ChargeKind, Line, Party, Period, Product, Side, SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::import::SourceInfo;
use billgap::store::Store;
use billgap::workflow::{Candidate, Workspace};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).expect("date")
}

/// One recurring October line of ten seats at 20 USD.
fn line(customer: (&str, &str), product: (&str, &str), side: Side) -> Line {
    let unit = Money::new(Decimal::from(20), Currency::parse("USD").expect("USD"));
    Line {
        source_line: 2,
        customer: Party {
            key: customer.0.to_string(),
            name: customer.1.to_string(),
            domain: None,
            external_id: None,
        },
        product: Product {
            key: product.0.to_string(),
            name: product.1.to_string(),
        },
        term: Term::Monthly,
        charge: ChargeKind::Recurring,
        seats: Decimal::from(10),
        unit_price: (side == Side::Psa).then(|| unit.clone()),
        unit_cost: (side == Side::Vendor).then(|| unit.clone()),
        amount: unit.checked_times(Decimal::from(10)),
        period_start: NaiveDate::from_ymd_opt(2026, 10, 1),
        period_end: NaiveDate::from_ymd_opt(2026, 10, 31),
        subscription: Some("sub-1".to_string()),
        line_id: None,
    }
}

fn source(format: &str, system: &str, side: Side) -> SourceInfo {
    SourceInfo {
        format: format.to_string(),
        system: system.to_string(),
        side,
        slice: "USD".to_string(),
        period: Some(Period {
            year: 2026,
            month: 10,
        }),
    }
}

/// A database with one Microsoft customer and product, and two PSA systems that each bill a
/// company `1001` of the same name for a product `M365-BP` of the same name.
fn two_psa_systems(folder: &Path) -> PathBuf {
    let database = folder.join("two-psa.sqlite");
    let mut store = Store::open(&database).expect("store");
    let premium = ("CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium");
    store
        .import_lines(
            &source("partner-center-nce", "microsoft", Side::Vendor),
            "vendor.csv",
            vec![line(
                ("tenant-contoso", "Contoso Ltd."),
                premium,
                Side::Vendor,
            )],
        )
        .expect("vendor import");
    let psa_line = line(
        ("1001", "Contoso Ltd"),
        ("M365-BP", "M365 Business Premium"),
        Side::Psa,
    );
    for (format, system) in [
        ("connectwise-additions", "connectwise"),
        ("autotask-service-units", "autotask"),
    ] {
        store
            .import_lines(
                &source(format, system, Side::Psa),
                &format!("{system}.csv"),
                vec![psa_line.clone()],
            )
            .expect("psa import");
    }
    database
}

fn keys(candidates: &[Candidate]) -> Vec<SourceKey> {
    candidates.iter().map(|c| c.key.clone()).collect()
}

#[test]
fn two_psa_systems_sharing_a_bare_key_are_both_offered_and_rejected_apart() {
    let folder = tempfile::tempdir().expect("temp");
    let database = two_psa_systems(folder.path());
    let mut workspace = Workspace::open_as_of(&database, today()).expect("workspace");
    let (autotask, connectwise) = (
        SourceKey::new("autotask", "1001"),
        SourceKey::new("connectwise", "1001"),
    );

    let queue = workspace.mapping_queue(5).expect("queue");
    assert_eq!(queue.clients.len(), 1);
    let offered = &queue.clients[0].candidates;
    assert_eq!(keys(offered), vec![autotask.clone(), connectwise.clone()]);
    assert!(
        offered
            .iter()
            .all(|c| c.key == c.suggestion.candidate_key && !c.safe),
        "{offered:?}"
    );
    let products = &queue.products[0].candidates;
    assert_eq!(
        keys(products),
        vec![
            SourceKey::new("autotask", "M365-BP"),
            SourceKey::new("connectwise", "M365-BP"),
        ]
    );

    let vendor = queue.clients[0].customer.key.clone();
    workspace
        .decide(&Decision::RejectClient {
            vendor,
            company: connectwise,
        })
        .expect("reject");
    let after = workspace.mapping_queue(5).expect("queue");
    let left = &after.clients[0].candidates;
    assert_eq!(keys(left), vec![autotask.clone()]);
    assert_eq!(left[0].suggestion.score, offered[0].suggestion.score);

    // The two equal PSA products are never accepted for the operator; the one company left
    // is, and the mapping names its own system.
    let outcome = workspace.accept_safe_band(0).expect("accept");
    assert_eq!(outcome.products_accepted, 0, "{outcome:?}");
    assert_eq!(outcome.clients_accepted, 1, "{outcome:?}");
    let mappings = Store::open(&database)
        .expect("store")
        .mapping_set()
        .expect("mappings");
    assert_eq!(
        mappings.clients.get(&after.clients[0].customer.key),
        Some(&autotask)
    );
}
