//! Each known format, read from small fixtures written from the documented column lists, and
//! the seat rules that decide what a row counts for.

use billgap::domain::lines::{ChargeKind, Line, Period, Side, Term};
use billgap::domain::money::Currency;
use billgap::import::{ImportOptions, ImportSummary, parse_file, sniff};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import_with(name: &str, options: &ImportOptions) -> (ImportSummary, Vec<Line>) {
    let mut lines = Vec::new();
    let summary = parse_file(&fixture(name), options, &mut lines, &mut |_| {})
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    (summary, lines)
}

fn import(name: &str) -> (ImportSummary, Vec<Line>) {
    import_with(name, &ImportOptions::default())
}

fn period(text: &str) -> Option<Period> {
    Some(text.parse().expect("a period"))
}

fn cents(line: &Line) -> (Option<Decimal>, Option<Decimal>, Option<Decimal>) {
    (
        line.unit_price.as_ref().map(|m| m.amount),
        line.unit_cost.as_ref().map(|m| m.amount),
        line.amount.as_ref().map(|m| m.amount),
    )
}

#[test]
fn nce_rows_sign_seats_by_charge_type_and_keep_text_ids() {
    let (summary, lines) = import("nce.csv");
    assert_eq!(summary.source.format, "partner-center-nce");
    assert_eq!(summary.source.system, "microsoft");
    assert_eq!(summary.source.side, Side::Vendor);
    assert_eq!(
        summary.source.slice,
        "3b6e1a2c-0d4f-4c5e-9a7b-1c2d3e4f5a6b/USD"
    );
    assert_eq!(summary.source.period, period("2026-10"));
    assert_eq!((summary.rows_read, summary.lines), (6, 6));
    let kinds: Vec<(ChargeKind, Decimal)> = lines.iter().map(|l| (l.charge, l.seats)).collect();
    assert_eq!(
        kinds,
        [
            (ChargeKind::Recurring, dec!(10)),
            (ChargeKind::Change, dec!(2)),
            (ChargeKind::Change, dec!(-3)),
            (ChargeKind::Recurring, dec!(5)),
            (ChargeKind::Credit, dec!(0)),
            (ChargeKind::Recurring, dec!(25)),
        ]
    );
    let first = &lines[0];
    assert_eq!(first.source_line, 2);
    assert_eq!(first.customer.key, "6d7c0404-84d9-41ee-8106-0b4bfcfd8ca2");
    assert_eq!(
        first.customer.domain.as_deref(),
        Some("contosodental.onmicrosoft.com")
    );
    // The SkuId keeps its leading zeros.
    assert_eq!(first.product.key, "CFQ7TTC0LCHC:0002");
    assert_eq!(first.product.name, "Microsoft 365 Business Premium");
    assert_eq!(first.term, Term::Monthly);
    assert_eq!(
        first.period_start,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
    );
    // 11:59:59 PM on a US date is still that day.
    assert_eq!(
        first.period_end,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31)
    );
    assert_eq!(
        first.subscription.as_deref(),
        Some("86646af9-e80a-4aa0-da80-3fd2b792c2cc")
    );
    // ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, 2): 4.123 × 1.1 = 4.5353 → 4.53.
    assert_eq!(lines[3].term, Term::Annual);
    assert_eq!(
        cents(&lines[3]),
        (Some(dec!(4.40)), Some(dec!(4.53)), Some(dec!(22.65)))
    );
    assert_eq!(
        lines[1].unit_cost.as_ref().map(|m| m.amount),
        Some(dec!(10.64))
    );
    // A parenthesised subtotal is a negative amount.
    assert_eq!(
        lines[4].amount.as_ref().map(|m| m.amount),
        Some(dec!(-12.50))
    );
    // Trial from ProductQualifiers; seats from Quantity when BillableQuantity is blank.
    assert_eq!(lines[5].term, Term::Trial);
    assert_eq!(lines[5].product.key, "CFQ7TTC0LH0R:0002");
}

#[test]
fn nce_api_json_reads_strings_and_numbers_alike() {
    let (summary, lines) = import("nce.json");
    assert_eq!(summary.source.format, "partner-center-nce-json");
    assert_eq!(
        summary.source.slice,
        "3b6e1a2c-0d4f-4c5e-9a7b-1c2d3e4f5a6b/USD"
    );
    assert_eq!(lines.len(), 2);
    // A JSON line is numbered by the physical line its record opens on.
    assert_eq!(lines[0].source_line, 4);
    assert_eq!(lines[0].seats, dec!(10));
    assert_eq!(lines[0].term, Term::Annual);
    assert_eq!(
        cents(&lines[0]),
        (Some(dec!(22)), Some(dec!(21.5)), Some(dec!(215)))
    );
    assert_eq!(
        lines[0].period_end,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31)
    );
    assert_eq!(lines[1].seats, dec!(25));
    assert_eq!(lines[1].term, Term::Trial);
}

#[test]
fn legacy_cycle_fees_are_seats_and_cancel_prorates_are_negative_deltas() {
    let (summary, lines) = import("legacy.csv");
    assert_eq!(summary.source.format, "partner-center-legacy");
    assert_eq!(summary.source.period, period("2019-02"));
    let kinds: Vec<(ChargeKind, Decimal)> = lines.iter().map(|l| (l.charge, l.seats)).collect();
    assert_eq!(
        kinds,
        [
            (ChargeKind::Recurring, dec!(10)),
            (ChargeKind::Change, dec!(-2)),
            (ChargeKind::Credit, dec!(0)),
        ]
    );
    assert_eq!(lines[0].product.key, "91FD106F-4B2C-4938-95AC-F54F74E9A239");
    assert_eq!(lines[0].product.name, "Office 365 E3");
    assert_eq!(
        lines[0].subscription.as_deref(),
        Some("a1b2c3d4-0000-4000-8000-000000000001")
    );
    assert_eq!(lines[0].term, Term::Monthly);
    assert_eq!(
        cents(&lines[0]),
        (None, Some(dec!(20.00)), Some(dec!(200.00)))
    );
}

#[test]
fn pax8_invoice_items_split_seats_from_money() {
    let (summary, lines) = import("pax8.csv");
    assert_eq!(summary.source.format, "pax8");
    assert_eq!(summary.source.slice, "USD");
    let kinds: Vec<(ChargeKind, Decimal)> = lines.iter().map(|l| (l.charge, l.seats)).collect();
    assert_eq!(
        kinds,
        [
            (ChargeKind::Recurring, dec!(16)),
            (ChargeKind::Change, dec!(-2)),
            (ChargeKind::Credit, dec!(0)),
            (ChargeKind::OneTime, dec!(0)),
        ]
    );
    let first = &lines[0];
    assert_eq!(first.customer.key, "1f66492c-d654-47e3-9122-9b2f20ba571b");
    assert_eq!(first.customer.external_id.as_deref(), Some("ContosoDen"));
    assert_eq!(first.product.key, "HUN-EDR-MGD-C100");
    assert_eq!(
        cents(first),
        (Some(dec!(7.00)), Some(dec!(5.25)), Some(dec!(84.00)))
    );
    assert_eq!(lines[1].term, Term::Annual);
    assert_eq!(
        lines[2].amount.as_ref().map(|m| m.amount),
        Some(dec!(-12.50))
    );
}

#[test]
fn pax8_api_json_and_subscriptions() {
    let (summary, lines) = import("pax8.json");
    assert_eq!(summary.source.format, "pax8-json");
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0].seats, lines[0].term), (dec!(11), Term::ThreeYear));
    assert_eq!(lines[1].charge, ChargeKind::Credit);
    let (summary, lines) = import("pax8-subscriptions.json");
    assert_eq!(summary.source.format, "pax8-json");
    assert_eq!((summary.lines, summary.excluded), (1, 1));
    assert_eq!(lines[0].product.key, "1810aea9-0c95-421d-a77a-7ebccdfa2f6c");
    assert_eq!(lines[0].term, Term::Annual);
    assert_eq!(
        cents(&lines[0]),
        (Some(dec!(150)), Some(dec!(120.5)), Some(dec!(602.5)))
    );
}

#[test]
fn connectwise_counts_billable_uncancelled_additions_of_active_agreements() {
    let options = ImportOptions {
        period: period("2026-10"),
        ..ImportOptions::default()
    };
    let (summary, lines) = import_with("connectwise.csv", &options);
    assert_eq!(summary.source.format, "connectwise-additions");
    assert_eq!(summary.source.side, Side::Psa);
    assert_eq!(summary.source.period, period("2026-10"));
    assert_eq!(
        (summary.rows_read, summary.lines, summary.excluded),
        (7, 3, 4)
    );
    let seats: Vec<(&str, u64, Decimal)> = lines
        .iter()
        .map(|l| (l.product.key.as_str(), l.source_line, l.seats))
        .collect();
    // 10 − 2 included; cancelled after October still bills; more included than used is 0.
    assert_eq!(
        seats,
        [
            ("M365-BP-M", 2, dec!(8)),
            ("EXO-P1", 5, dec!(4)),
            ("MANAGED-SVC", 8, dec!(0))
        ]
    );
    assert_eq!(lines[0].customer.key, "ContosoDen");
    assert_eq!(lines[0].customer.name, "Contoso Dental Group, LLC");
    assert_eq!(lines[0].term, Term::Unspecified);
    assert_eq!(
        cents(&lines[0]),
        (Some(dec!(30.00)), Some(dec!(26.40)), Some(dec!(240.00)))
    );
    assert_eq!(lines[0].subscription.as_deref(), Some("3138"));
}

#[test]
fn connectwise_api_json_uses_nested_identifiers() {
    let (summary, lines) = import("connectwise.json");
    assert_eq!(summary.source.format, "connectwise-additions-json");
    assert_eq!((summary.lines, summary.excluded), (1, 1));
    assert_eq!(lines[0].customer.key, "ContosoDen");
    assert_eq!(lines[0].product.key, "M365-BP-M");
    assert_eq!(lines[0].seats, dec!(8));
    assert_eq!(lines[0].currency().map(Currency::code), Some("USD"));
}

#[test]
fn autotask_takes_the_unit_row_covering_the_reference_day() {
    // No period: the reference day is the latest EndDate, 2026-10-31.
    let (summary, lines) = import("autotask.csv");
    assert_eq!(summary.source.format, "autotask-service-units");
    assert_eq!(summary.source.period, period("2026-10"));
    let picked: Vec<(u64, &str, Decimal)> = lines
        .iter()
        .map(|l| (l.source_line, l.product.key.as_str(), l.seats))
        .collect();
    assert_eq!(picked, [(4, "31", dec!(12)), (5, "32", dec!(5))]);
    assert_eq!((summary.lines, summary.excluded), (2, 3));
    // September: the first row of service 100 covers the 30th; nothing else does.
    let options = ImportOptions {
        period: period("2026-09"),
        ..ImportOptions::default()
    };
    let (summary, lines) = import_with("autotask.csv", &options);
    let picked: Vec<(u64, Decimal)> = lines.iter().map(|l| (l.source_line, l.seats)).collect();
    assert_eq!(picked, [(2, dec!(10))]);
    assert_eq!(summary.excluded, 4);
}

#[test]
fn halo_counts_active_lines_only() {
    let (summary, lines) = import("halo.csv");
    assert_eq!(summary.source.format, "halo-recurring-lines");
    assert_eq!((summary.lines, summary.excluded), (2, 1));
    assert_eq!(lines[0].customer.key, "12");
    assert_eq!(lines[0].product.key, "M365-BP");
    assert_eq!(
        cents(&lines[0]),
        (Some(dec!(30.00)), Some(dec!(26.40)), Some(dec!(420.00)))
    );
    let (summary, lines) = import("halo.json");
    assert_eq!(summary.source.format, "halo-recurring-lines-json");
    assert_eq!((summary.lines, summary.excluded), (1, 1));
    assert_eq!(lines[0].customer.name, "Contoso Dental");
    assert_eq!(lines[0].currency().map(Currency::code), Some("EUR"));
    assert_eq!(summary.source.period, period("2026-10"));
}

#[test]
fn a_generic_profile_names_the_columns() {
    let options = ImportOptions {
        profile: Some(fixture("generic.toml")),
        ..ImportOptions::default()
    };
    let (summary, lines) = import_with("generic.csv", &options);
    assert_eq!(summary.source.format, "generic");
    assert_eq!(summary.source.system, "acme-distribution");
    assert_eq!(lines.len(), 1);
    // An 18-digit account number stays exact, as text.
    assert_eq!(lines[0].customer.key, "569142413664018751");
    assert_eq!(lines[0].product.key, "0001-AV");
    assert_eq!(lines[0].seats, dec!(7));
    assert_eq!(lines[0].term, Term::Annual);
    assert_eq!(
        lines[0].unit_cost.as_ref().map(|m| m.amount),
        Some(dec!(1234.50))
    );
    assert_eq!(lines[0].currency().map(Currency::code), Some("USD"));
}

#[test]
fn sniff_previews_without_a_sink() {
    let info = sniff(&fixture("nce.csv"), &ImportOptions::default()).expect("sniffs");
    assert_eq!(info.format, "partner-center-nce");
    assert_eq!(info.period, period("2026-10"));
    let forced = ImportOptions {
        side: Some(Side::Psa),
        ..ImportOptions::default()
    };
    assert_eq!(
        sniff(&fixture("pax8.csv"), &forced).expect("sniffs").side,
        Side::Psa
    );
}

#[test]
fn known_formats_lists_every_profile_and_its_json_twin() {
    let formats = billgap::import::known_formats();
    let names: Vec<&str> = formats.iter().map(|f| f.name.as_str()).collect();
    for name in [
        "partner-center-nce",
        "partner-center-nce-json",
        "partner-center-legacy",
        "pax8",
        "pax8-json",
        "connectwise-additions",
        "connectwise-additions-json",
        "autotask-service-units",
        "halo-recurring-lines",
        "generic",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let nce = formats
        .iter()
        .find(|f| f.name == "partner-center-nce")
        .expect("nce");
    assert_eq!(
        nce.fingerprint,
        ["ProductId", "SkuId", "AvailabilityId", "BillableQuantity"]
    );
}
