//! Shared by the export tests: a report with something in each of the four delta sections, a
//! report from the bundled sample data through a real store, and a reader for the XLSX files
//! (calamine).

pub mod workbook;

use billgap::domain::ledger::{PriorGap, track};
use billgap::domain::lines::{SourceKey, Term};
use billgap::domain::money::Currency;
use billgap::domain::reconcile::{
    GapIdentity, GapKind, MappingSet, Position, Thresholds, reconcile,
};
use billgap::domain::report::Report;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::HashMap;

/// The name of a client that tries to inject markup into the HTML report.
pub const HOSTILE: &str = "<img src=x onerror=alert(1)>";
/// The name of a client that tries to inject a formula into the spreadsheet.
pub const FORMULA: &str = "=1+2";

/// The day the report is made.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

/// The day the gaps that were open at the previous saved review were first seen.
pub fn first_seen() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 1).expect("date")
}

/// The day of the previous saved review.
pub fn previous_review() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 18).expect("date")
}

fn position(
    system: &str,
    customer: &str,
    name: &str,
    currency: &str,
    seats: Decimal,
    price: Decimal,
) -> Position {
    let product = if system == "microsoft" {
        "BP"
    } else {
        "M365-BP"
    };
    Position {
        customer: SourceKey::new(system, customer),
        customer_name: name.to_string(),
        product: SourceKey::new(system, product),
        product_name: "Microsoft 365 Business Premium".to_string(),
        term: Term::Monthly,
        currency: Currency::parse(currency).expect("currency"),
        seats,
        spend: seats * price,
        unit_price: Some(price),
        unit_cost: Some(price - dec!(3)),
    }
}

/// One client per line: (PSA key, name, currency, vendor seats, PSA seats, PSA unit price).
pub type ClientLine<'a> = (&'a str, &'a str, &'a str, Decimal, Decimal, Decimal);

/// Vendor and PSA positions for some clients, all mapped, all on the same product.
pub fn positions(clients: &[ClientLine]) -> (Vec<Position>, Vec<Position>, MappingSet) {
    let mut mappings = MappingSet::default();
    mappings.products.insert(
        (SourceKey::new("microsoft", "BP"), None),
        SourceKey::new("connectwise", "M365-BP"),
    );
    let mut vendor = Vec::new();
    let mut psa = Vec::new();
    for (key, name, currency, vendor_seats, psa_seats, price) in clients {
        let tenant = format!("tenant-{key}");
        vendor.push(position(
            "microsoft",
            &tenant,
            name,
            currency,
            *vendor_seats,
            *price - dec!(3),
        ));
        psa.push(position(
            "connectwise",
            key,
            name,
            currency,
            *psa_seats,
            *price,
        ));
        mappings.clients.insert(
            SourceKey::new("microsoft", &tenant),
            SourceKey::new("connectwise", *key),
        );
    }
    (vendor, psa, mappings)
}

/// A gap as the previous saved review recorded it: first seen on `first_seen()`, last seen on
/// `previous_review()`, 100 of cost to date.
pub fn prior(key: &str, name: &str, kind: GapKind, currency: &str, magnitude: Decimal) -> PriorGap {
    PriorGap {
        identity: GapIdentity {
            company: SourceKey::new("connectwise", key),
            product: SourceKey::new("connectwise", "M365-BP"),
            term: Term::Monthly,
            kind,
            currency: Some(Currency::parse(currency).expect("currency")),
        },
        company_name: name.to_string(),
        product_name: "Microsoft 365 Business Premium".to_string(),
        magnitude,
        first_seen: first_seen(),
        last_seen: previous_review(),
        accumulated: dec!(100),
        in_latest_run: true,
    }
}

/// A report against a previous saved review, with every section filled:
/// - new: the hostile client (2 seats unbilled at 25 USD = 50 USD);
/// - worse: the formula client (60 USD unbilled, 30 USD at the previous review);
/// - still open: Lakeshore (7.50 CAD, unchanged) and Meridian (38 USD overbilled, 57 before);
/// - fixed: Fixed Co (20 USD unbilled at the previous review, gone now).
///
/// One vendor customer and its product are unmapped, so coverage is incomplete.
pub fn delta_report() -> Report {
    let (mut vendor, psa, mappings) = positions(&[
        ("EVIL", HOSTILE, "USD", dec!(12), dec!(10), dec!(25)),
        ("FORMULA", FORMULA, "USD", dec!(10), dec!(8), dec!(30)),
        ("LAKE", "Lakeshore", "CAD", dec!(4), dec!(3), dec!(7.5)),
        ("MER", "Meridian", "USD", dec!(9), dec!(11), dec!(19)),
    ]);
    let mut stray = vendor[0].clone();
    stray.customer = SourceKey::new("microsoft", "tenant-unknown");
    stray.product = SourceKey::new("microsoft", "UNKNOWN-SKU");
    vendor.push(stray);
    let result = reconcile(&vendor, &psa, &mappings, &Thresholds::default(), today());
    let previous: HashMap<GapIdentity, PriorGap> = [
        prior("FORMULA", FORMULA, GapKind::Unbilled, "USD", dec!(30)),
        prior("LAKE", "Lakeshore", GapKind::Unbilled, "CAD", dec!(7.5)),
        prior("MER", "Meridian", GapKind::Overbilled, "USD", dec!(57)),
        prior("FIXED", "Fixed Co", GapKind::Unbilled, "USD", dec!(20)),
    ]
    .into_iter()
    .map(|gap| (gap.identity.clone(), gap))
    .collect();
    let (gaps, resolved) = track(&result.gaps, &previous, today());
    let mut report = Report::new(
        today(),
        Some("2026-11".into()),
        Some("2026-11".into()),
        result,
        gaps,
        resolved,
    );
    report.has_previous_run = true;
    report
}

const SAMPLES: [&str; 3] = [
    "assets/sample/partner-center-nce-2026-10.csv",
    "assets/sample/pax8-2026-10.csv",
    "assets/sample/connectwise-additions-2026-10.csv",
];

/// The decisions a careful operator makes on the sample (`assets/sample/mappings.csv`).
fn ground_truth(psa: &str) -> Vec<billgap::store::Decision> {
    use billgap::store::Decision;
    let mut reader = csv::Reader::from_path("assets/sample/mappings.csv").expect("mappings.csv");
    reader
        .records()
        .map(|record| {
            let record = record.expect("mapping row");
            let vendor = SourceKey::new(&record[1], &record[2]);
            match &record[0] {
                "client" => Decision::MapClient {
                    vendor,
                    company: SourceKey::new(psa, &record[4]),
                },
                "product" => Decision::MapProduct {
                    vendor,
                    term: Some(record[3].parse::<Term>().expect("term")),
                    product: SourceKey::new(psa, &record[4]),
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

/// The bundled sample imported into a real database in `folder`, mapped as `mappings.csv`
/// says, with a review saved on `previous_review()`. Returns the database and the open store.
fn sample_with_saved_review(
    folder: &std::path::Path,
) -> (std::path::PathBuf, billgap::store::Store) {
    use billgap::domain::lines::Side;
    use billgap::store::{Origin, Store};
    let database = folder.join("sample.sqlite");
    let mut store = Store::open(&database).expect("store");
    for sample in SAMPLES {
        store
            .import_file(
                std::path::Path::new(sample),
                &billgap::import::ImportOptions::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|error| panic!("{sample}: {error}"));
    }
    let psa = store
        .sources()
        .expect("sources")
        .into_iter()
        .find(|source| source.side == Side::Psa)
        .map(|source| source.system)
        .expect("a PSA import");
    for decision in ground_truth(&psa) {
        store.decide(&decision, Origin::Manual).expect("decide");
    }
    let mut saved =
        billgap::workflow::Workspace::open_as_of(&database, previous_review()).expect("workspace");
    saved.report(None, true).expect("saved review");
    (database, store)
}

/// The bundled sample through a real database: imported, mapped as `mappings.csv` says, a
/// review saved on `previous_review()`, then Meridian's Microsoft tenant ignored, and the
/// report made a week later on `today()`. Meridian's overbilled gap is fixed since the saved
/// review; every other gap is still open, seven days older.
pub fn sample_report(folder: &std::path::Path) -> std::sync::Arc<Report> {
    use billgap::store::{Decision, Origin};
    let (database, mut store) = sample_with_saved_review(folder);
    store
        .decide(
            &Decision::IgnoreCustomer {
                vendor: SourceKey::new("microsoft", "908250ab-47bf-4366-9c70-5344358ea8cb"),
                reason: "moved to another reseller".into(),
                until: None,
            },
            Origin::Manual,
        )
        .expect("ignore");
    let mut later =
        billgap::workflow::Workspace::open_as_of(&database, today()).expect("workspace");
    // The report as `billgap report` and the workbench's export write it.
    later
        .report_against(None, billgap::workflow::Baseline::Latest)
        .expect("report")
}

/// Two saved reviews a week apart, the second after a corrected ConnectWise export of the same
/// month was imported over the first, in which:
/// - Smith & Associates is billed all 18 Business Premium seats: its gap is fixed;
/// - Contoso Dental is billed 13 of its 14 Business Premium seats: a new gap;
/// - Kowalski is billed one Managed EDR endpoint fewer: its gap is worse.
///
/// Returns the report of the second review.
pub fn second_review(folder: &std::path::Path) -> std::sync::Arc<Report> {
    let (database, mut store) = sample_with_saved_review(folder);
    let original = std::fs::read_to_string(SAMPLES[2]).expect("the ConnectWise sample");
    let corrected = edit_quantity(&original, "SmithAssoc", "M365-BP-M", |_| 18);
    let corrected = edit_quantity(&corrected, "ContosoDen", "M365-BP-M", |_| 13);
    let corrected = edit_quantity(&corrected, "Kowalski", "SEC-EDR", |seats| seats - 1);
    let path = folder.join("connectwise-additions-2026-10-corrected.csv");
    std::fs::write(&path, corrected).expect("the corrected export");
    store
        .import_file(
            &path,
            &billgap::import::ImportOptions::default(),
            &mut |_| {},
        )
        .expect("the corrected export imports");
    let mut later =
        billgap::workflow::Workspace::open_as_of(&database, today()).expect("workspace");
    later.report(None, true).expect("the second review")
}

/// The ConnectWise sample with the quantity of one company's addition of one product changed.
fn edit_quantity(
    export: &str,
    company: &str,
    product: &str,
    change: impl Fn(i64) -> i64,
) -> String {
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).expect("header");
    let mut edited = 0;
    for record in reader.records() {
        let record = record.expect("row");
        let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
        if fields[column("Company ID")] == company && fields[column("Product ID")] == product {
            let seats: i64 = fields[column("Quantity")].parse().expect("quantity");
            fields[column("Quantity")] = change(seats).to_string();
            edited += 1;
        }
        writer.write_record(&fields).expect("row");
    }
    assert_eq!(edited, 1, "{company} {product}");
    String::from_utf8(writer.into_inner().expect("csv")).expect("utf-8")
}
