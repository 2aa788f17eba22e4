//! The vendors and PSAs the seed names (Sherweb, Ingram Micro, TD SYNNEX StreamOne, Syncro,
//! Kaseya BMS): each is recognised from its fields, read into seats and money, and listed by
//! `billgap formats` as built from the spec only.

use billgap::domain::lines::{ChargeKind, Line, Side};
use billgap::import::{ImportOptions, ImportSummary, known_formats, parse_file};
use rust_decimal_macros::dec;
use std::path::PathBuf;

fn read(name: &str, text: &str, options: &ImportOptions) -> (ImportSummary, Vec<Line>) {
    let directory = tempfile::tempdir().expect("dir");
    let path: PathBuf = directory.path().join(name);
    std::fs::write(&path, text).expect("write");
    let mut lines = Vec::new();
    let summary = parse_file(&path, options, &mut lines, &mut |_| {}).expect("imports");
    (summary, lines)
}

#[test]
fn sherweb_payable_charges_json_with_the_customer_in_tags() {
    let document = r#"{"periodFrom": "2026-10-01", "periodTo": "2026-10-31", "charges": [
  {"productId": "3f1c…", "productName": "Microsoft 365 Business Standard", "sku": "CFQ7TTC0LDPB:0001",
   "chargeId": "a1", "chargeName": "M365 BS", "chargeType": "Recurring", "billingCycleType": "Monthly",
   "periodFrom": "2026-10-01", "periodTo": "2026-10-31", "quantity": 12, "listPrice": 12.50,
   "netPrice": 11.25, "netPriceProrated": 11.25, "subTotal": 135.00, "currency": "CAD",
   "isBilled": true, "isProratable": true, "deductions": [], "fees": [],
   "tags": [{"name": "CustomerId", "value": "c-7"}, {"name": "CustomerName", "value": "Contoso"}]},
  {"productId": "9e…", "productName": "Setup", "sku": "SETUP", "chargeId": "a2", "chargeName": "Setup",
   "chargeType": "Setup", "billingCycleType": "OneTime", "periodFrom": "2026-10-01",
   "periodTo": "2026-10-01", "quantity": 1, "listPrice": 50, "netPrice": 50, "netPriceProrated": 50,
   "subTotal": 50, "currency": "CAD",
   "tags": [{"name": "CustomerId", "value": "c-7"}, {"name": "CustomerName", "value": "Contoso"}]}
]}"#;
    let (summary, lines) = read("sherweb.json", document, &ImportOptions::default());
    assert_eq!(summary.source.format, "sherweb-charges-json");
    assert_eq!(summary.source.side, Side::Vendor);
    assert_eq!(summary.source.slice, "CAD");
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (
            lines[0].customer.key.as_str(),
            lines[0].customer.name.as_str()
        ),
        ("c-7", "Contoso")
    );
    assert_eq!(
        (lines[0].charge, lines[0].seats),
        (ChargeKind::Recurring, dec!(12))
    );
    assert_eq!(
        lines[0].amount.as_ref().map(|m| m.amount),
        Some(dec!(135.00))
    );
    assert_eq!(
        lines[0].unit_cost.as_ref().map(|m| m.amount),
        Some(dec!(11.25))
    );
    assert_eq!(
        (lines[1].charge, lines[1].seats),
        (ChargeKind::OneTime, dec!(0))
    );
    let csv = "Customer Id,Customer Name,Product Id,Product Name,SKU,Charge Type,Billing Cycle Type,\
               Quantity,List Price,Net Price,Sub Total,Currency,Period From,Period To\n\
               c-7,Contoso,3f1c,M365 BS,CFQ7TTC0LDPB:0001,Recurring,Monthly,12,12.50,11.25,135.00,CAD,2026-10-01,2026-10-31\n";
    let (summary, lines) = read("sherweb.csv", csv, &ImportOptions::default());
    assert_eq!(summary.source.format, "sherweb-charges");
    assert_eq!(
        (lines[0].customer.key.as_str(), lines[0].seats),
        ("c-7", dec!(12))
    );
}

#[test]
fn ingram_micro_short_view() {
    let csv = "Reseller ID,Reseller Company Name,Customer Account ID,End Customer Name,Subscription ID,\
               Subscription Name,Subscription Expiration Date,Plan ID,Plan Name,Quantity,Unit Price,Net Price,Currency\n\
               R1,Our MSP,1000105107,Contoso Ltd,S-55,M365 BP,2027-01-31,P-9,M365 Business Premium,14,22.00,308.00,USD\n";
    let (summary, lines) = read("ingram.csv", csv, &ImportOptions::default());
    assert_eq!(summary.source.format, "ingram-micro-rde");
    assert_eq!(summary.source.slice, "R1/USD");
    assert_eq!(lines[0].customer.key, "1000105107");
    assert_eq!(lines[0].product.key, "P-9");
    assert_eq!(lines[0].seats, dec!(14));
    assert_eq!(
        lines[0].amount.as_ref().map(|m| m.amount),
        Some(dec!(308.00))
    );
}

#[test]
fn streamone_billing_report() {
    let csv = "Customer Name,Product Name,SKU,Seat Count,Seller Cost,Customer Cost,Currency\n\
               Contoso Ltd,Microsoft 365 E3,M365E3,25,33.60,36.00,USD\n";
    let (summary, lines) = read("streamone.csv", csv, &ImportOptions::default());
    assert_eq!(summary.source.format, "streamone-billing");
    assert_eq!(
        (lines[0].customer.key.as_str(), lines[0].seats),
        ("Contoso Ltd", dec!(25))
    );
    assert_eq!(
        lines[0].unit_cost.as_ref().map(|m| m.amount),
        Some(dec!(33.60))
    );
}

#[test]
fn syncro_schedules_json_needs_a_currency_and_skips_paused_and_one_time_lines() {
    let document = r#"{"schedules": [
  {"id": 1, "customer_id": 101, "name": "Monthly IT", "frequency": "Monthly", "paused": false,
   "lines": [
     {"id": 1, "schedule_id": 1, "product_id": 55, "name": "M365 Business Premium", "quantity": "14.0",
      "price_retail": 22.0, "price_cost": 19.8, "one_time_charge": false},
     {"id": 2, "schedule_id": 1, "product_id": null, "name": "Onboarding", "quantity": "1.0",
      "price_retail": 200, "price_cost": 0, "one_time_charge": true}]},
  {"id": 2, "customer_id": 102, "name": "Paused", "frequency": "Monthly", "paused": true,
   "lines": [{"id": 3, "schedule_id": 2, "product_id": 55, "name": "M365", "quantity": "3.0",
      "price_retail": 22.0, "price_cost": 19.8, "one_time_charge": false}]}
]}"#;
    let directory = tempfile::tempdir().expect("dir");
    let path = directory.path().join("syncro.json");
    std::fs::write(&path, document).expect("write");
    let mut lines = Vec::new();
    let refused = parse_file(&path, &ImportOptions::default(), &mut lines, &mut |_| {});
    assert!(
        refused
            .expect_err("no currency")
            .to_string()
            .contains("--currency")
    );
    let options = ImportOptions {
        currency: Some(billgap::domain::money::Currency::parse("USD").expect("code")),
        ..ImportOptions::default()
    };
    let (summary, lines) = read("syncro.json", document, &options);
    assert_eq!(summary.source.format, "syncro-schedules-json");
    assert_eq!(summary.source.side, Side::Psa);
    assert_eq!((summary.lines, summary.excluded), (1, 2));
    assert_eq!(
        (
            lines[0].customer.key.as_str(),
            lines[0].product.key.as_str()
        ),
        ("101", "55")
    );
    assert_eq!(lines[0].seats, dec!(14.0));
    assert_eq!(
        lines[0].amount.as_ref().map(|m| m.amount),
        Some(dec!(308.00))
    );
}

#[test]
fn kaseya_bms_recurring_services() {
    let csv = "AccountName,ContractNumber,ContractName,ServiceId,ServiceName,Units,UnitCost,UnitPrice,EffectiveDate,Currency\n\
               Contoso Ltd,C-100,Managed Services,M365BP,M365 Business Premium,14,19.80,22.00,2026-10-01,USD\n";
    let (summary, lines) = read("bms.csv", csv, &ImportOptions::default());
    assert_eq!(summary.source.format, "kaseya-bms-services");
    assert_eq!(summary.source.side, Side::Psa);
    assert_eq!(
        (lines[0].product.key.as_str(), lines[0].seats),
        ("M365BP", dec!(14))
    );
    assert_eq!(
        lines[0].amount.as_ref().map(|m| m.amount),
        Some(dec!(308.00))
    );
}

#[test]
fn formats_say_which_are_verified_and_which_are_spec_only() {
    let formats = known_formats();
    let find = |name: &str| {
        formats
            .iter()
            .find(|format| format.name == name)
            .unwrap_or_else(|| panic!("{name} listed"))
    };
    assert!(find("partner-center-nce").verified);
    for name in [
        "sherweb-charges",
        "sherweb-charges-json",
        "ingram-micro-rde",
        "streamone-billing",
        "syncro-schedules-json",
        "kaseya-bms-services",
    ] {
        assert!(!find(name).verified, "{name}");
        assert!(!find(name).evidence.is_empty(), "{name}");
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .arg("formats")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("UNVERIFIED: built from the spec only"),
        "{text}"
    );
    assert!(text.contains("verified against a real layout"), "{text}");
}
