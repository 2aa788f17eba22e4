use super::*;
use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date")
}

fn usd() -> Currency {
    Currency::parse("USD").expect("valid")
}

fn vendor(customer: &str, product: &str, term: Term, seats: Decimal, cost: Decimal) -> Position {
    Position {
        customer: SourceKey::new("microsoft", customer),
        customer_name: customer.to_string(),
        product: SourceKey::new("microsoft", product),
        product_name: product.to_string(),
        term,
        currency: usd(),
        seats,
        spend: seats * cost,
        unit_price: None,
        unit_cost: Some(cost),
    }
}

fn psa(company: &str, product: &str, seats: Decimal, price: Decimal) -> Position {
    Position {
        customer: SourceKey::new("connectwise", company),
        customer_name: company.to_string(),
        product: SourceKey::new("connectwise", product),
        product_name: product.to_string(),
        term: Term::Unspecified,
        currency: usd(),
        seats,
        spend: seats * price,
        unit_price: Some(price),
        unit_cost: None,
    }
}

fn mapped(clients: &[(&str, &str)], products: &[(&str, &str)]) -> MappingSet {
    let mut set = MappingSet::default();
    for (vendor, company) in clients {
        set.clients.insert(
            SourceKey::new("microsoft", *vendor),
            SourceKey::new("connectwise", *company),
        );
    }
    for (vendor, product) in products {
        set.products.insert(
            (SourceKey::new("microsoft", *vendor), None),
            SourceKey::new("connectwise", *product),
        );
    }
    set
}

fn run(vendor: &[Position], psa: &[Position], mappings: &MappingSet) -> Reconciliation {
    reconcile(vendor, psa, mappings, &Thresholds::default(), today())
}

#[test]
fn each_gap_kind_is_found_and_valued() {
    let vendor_side = [
        vendor("t-acme", "BP", Term::Monthly, dec!(12), dec!(22)),
        vendor("t-bolt", "BP", Term::Monthly, dec!(5), dec!(22)),
        vendor("t-core", "BP", Term::Monthly, dec!(3), dec!(22)),
        vendor("t-core", "E3", Term::Monthly, dec!(2), dec!(36)),
        vendor("t-dune", "BP", Term::Monthly, dec!(4), dec!(22)),
    ];
    let psa_side = [
        psa("ACME", "M365-BP", dec!(10), dec!(27.50)),
        psa("BOLT", "M365-BP", dec!(7), dec!(27.50)),
        psa("BOLT", "EXO", dec!(2), dec!(5)),
        psa("DUNE", "M365-BP", dec!(4), dec!(20)),
    ];
    let mappings = mapped(
        &[
            ("t-acme", "ACME"),
            ("t-bolt", "BOLT"),
            ("t-core", "CORE"),
            ("t-dune", "DUNE"),
        ],
        &[("BP", "M365-BP"), ("E3", "M365-E3"), ("EXOP1", "EXO")],
    );
    let result = run(&vendor_side, &psa_side, &mappings);
    let find = |company: &str, product: &str, kind: GapKind| {
        result
            .gaps
            .iter()
            .find(|gap| {
                gap.company.key == company && gap.product.key == product && gap.kind == kind
            })
            .unwrap_or_else(|| panic!("no {kind:?} gap for {company} {product}"))
    };

    let unbilled = find("ACME", "M365-BP", GapKind::Unbilled);
    assert_eq!(unbilled.delta, dec!(2));
    assert_eq!(unbilled.value.as_ref().map(|m| m.amount), Some(dec!(55.00)));
    assert_eq!(unbilled.cost.as_ref().map(|m| m.amount), Some(dec!(44.00)));

    let overbilled = find("BOLT", "M365-BP", GapKind::Overbilled);
    assert_eq!(overbilled.delta, dec!(-2));
    assert_eq!(
        overbilled.value.as_ref().map(|m| m.amount),
        Some(dec!(-55.00))
    );

    let missing = find("CORE", "M365-BP", GapKind::Missing);
    assert_eq!(missing.price_basis, PriceBasis::OtherClientsPrice);
    assert_eq!(missing.value.as_ref().map(|m| m.amount), Some(dec!(82.50)));

    let missing_unbilled_anywhere = find("CORE", "M365-E3", GapKind::Missing);
    assert_eq!(
        missing_unbilled_anywhere.price_basis,
        PriceBasis::VendorCost
    );
    assert_eq!(
        missing_unbilled_anywhere.value.as_ref().map(|m| m.amount),
        Some(dec!(72.00))
    );

    let orphan = find("BOLT", "EXO", GapKind::Orphan);
    assert_eq!(orphan.delta, dec!(-2));
    assert_eq!(orphan.value.as_ref().map(|m| m.amount), Some(dec!(-10.00)));

    let price = find("DUNE", "M365-BP", GapKind::Price);
    assert_eq!(price.value.as_ref().map(|m| m.amount), Some(dec!(8.00)));
    assert!(
        !result
            .gaps
            .iter()
            .any(|gap| gap.company.key == "DUNE" && gap.kind != GapKind::Price),
        "equal seats give no seat gap"
    );
    assert_eq!(result.verdict, Verdict::OverThreshold);
}

#[test]
fn gaps_are_ordered_by_absolute_value() {
    let vendor_side = [
        vendor("a", "BP", Term::Monthly, dec!(11), dec!(20)),
        vendor("b", "BP", Term::Monthly, dec!(1), dec!(20)),
    ];
    let psa_side = [
        psa("A", "P", dec!(10), dec!(30)),
        psa("B", "P", dec!(5), dec!(30)),
    ];
    let mappings = mapped(&[("a", "A"), ("b", "B")], &[("BP", "P")]);
    let result = run(&vendor_side, &psa_side, &mappings);
    let order: Vec<&str> = result
        .gaps
        .iter()
        .map(|gap| gap.company.key.as_str())
        .collect();
    assert_eq!(order, ["B", "A"]);
}

#[test]
fn coverage_counts_mapped_and_ignored_spend_and_blocks_clean() {
    let vendor_side = [
        vendor("a", "BP", Term::Monthly, dec!(10), dec!(20)),
        vendor("internal", "BP", Term::Monthly, dec!(5), dec!(20)),
        vendor("stranger", "BP", Term::Monthly, dec!(5), dec!(20)),
    ];
    let psa_side = [psa("A", "P", dec!(10), dec!(30))];
    let mut mappings = mapped(&[("a", "A")], &[("BP", "P")]);
    let result = run(&vendor_side, &psa_side, &mappings);
    assert_eq!(result.coverage.lowest_share(), Some(dec!(0.5)));
    assert_eq!(result.verdict, Verdict::IncompleteCoverage);
    assert!(result.gaps.is_empty());

    mappings.ignored_customers.insert(
        SourceKey::new("microsoft", "internal"),
        IgnoreRule {
            reason: "our own tenant".into(),
            until: None,
        },
    );
    mappings.ignored_customers.insert(
        SourceKey::new("microsoft", "stranger"),
        IgnoreRule {
            reason: "left us".into(),
            until: NaiveDate::from_ymd_opt(2026, 11, 1),
        },
    );
    let result = run(&vendor_side, &psa_side, &mappings);
    assert_eq!(
        result.coverage.lowest_share(),
        Some(dec!(0.75)),
        "expired ignore no longer counts"
    );
    mappings.ignored_customers.insert(
        SourceKey::new("microsoft", "stranger"),
        IgnoreRule {
            reason: "left us".into(),
            until: None,
        },
    );
    let result = run(&vendor_side, &psa_side, &mappings);
    assert_eq!(result.coverage.lowest_share(), Some(Decimal::ONE));
    assert_eq!(result.verdict, Verdict::Clean);
}

#[test]
fn nothing_imported_is_never_clean() {
    let result = run(&[], &[], &MappingSet::default());
    assert_eq!(result.verdict, Verdict::NothingCompared);
    assert_eq!(result.coverage.lowest_share(), None);
}

#[test]
fn two_tenants_add_up_and_bundle_components_do_not() {
    let vendor_side = [
        vendor("tenant-1", "BP", Term::Monthly, dec!(10), dec!(22)),
        vendor("tenant-2", "BP", Term::Monthly, dec!(3), dec!(22)),
        vendor("tenant-1", "DEFENDER", Term::Monthly, dec!(10), dec!(3)),
    ];
    let psa_side = [psa("ACME", "BUNDLE", dec!(13), dec!(40))];
    let mappings = mapped(
        &[("tenant-1", "ACME"), ("tenant-2", "ACME")],
        &[("BP", "BUNDLE"), ("DEFENDER", "BUNDLE")],
    );
    let result = run(&vendor_side, &psa_side, &mappings);
    assert!(result.gaps.is_empty(), "{:?}", result.gaps);
}

#[test]
fn terms_are_kept_apart_when_the_psa_names_them() {
    let vendor_side = [
        vendor("a", "BP", Term::Monthly, dec!(4), dec!(22)),
        vendor("a", "BP", Term::Annual, dec!(6), dec!(20)),
    ];
    let mut annual = psa("A", "P", dec!(6), dec!(25));
    annual.term = Term::Annual;
    let mut monthly = psa("A", "P", dec!(2), dec!(27));
    monthly.term = Term::Monthly;
    let mappings = mapped(&[("a", "A")], &[("BP", "P")]);
    let result = run(&vendor_side, &[annual, monthly], &mappings);
    assert_eq!(result.gaps.len(), 1);
    assert_eq!(result.gaps[0].term, Term::Monthly);
    assert_eq!(result.gaps[0].delta, dec!(2));
}

#[test]
fn a_mixed_currency_client_is_compared_and_totalled_per_currency() {
    let cad = Currency::parse("CAD").expect("valid");
    let mut cad_tenant = vendor("tenant-ca", "BP", Term::Monthly, dec!(3), dec!(30));
    cad_tenant.currency = cad.clone();
    let vendor_side = [
        vendor("tenant-us", "BP", Term::Monthly, dec!(12), dec!(22)),
        cad_tenant,
    ];
    let mut cad_line = psa("ACME", "M365-BP", dec!(1), dec!(36));
    cad_line.currency = cad.clone();
    let psa_side = [psa("ACME", "M365-BP", dec!(10), dec!(27.50)), cad_line];
    let mappings = mapped(
        &[("tenant-us", "ACME"), ("tenant-ca", "ACME")],
        &[("BP", "M365-BP")],
    );
    let result = run(&vendor_side, &psa_side, &mappings);
    assert_eq!(result.gaps.len(), 2, "{:?}", result.gaps);
    let client = &result.clients[0];
    assert_eq!(client.absolute_value.get(&usd()).amount, dec!(55.00));
    assert_eq!(client.absolute_value.get(&cad).amount, dec!(72.00));
    assert!(
        !client.over_threshold,
        "CAD 72 and USD 55 are each under 100, but never added"
    );
}

#[test]
fn a_client_billed_in_another_currency_is_still_compared() {
    let vendor_side = [vendor("t", "BP", Term::Monthly, dec!(12), dec!(22))];
    let mut eur_line = psa("ACME", "M365-BP", dec!(10), dec!(25));
    eur_line.currency = Currency::parse("EUR").expect("valid");
    let mappings = mapped(&[("t", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&vendor_side, &[eur_line], &mappings);
    assert_eq!(result.gaps.len(), 1);
    assert_eq!(result.gaps[0].kind, GapKind::Unbilled);
    assert_eq!(
        result.gaps[0].value.as_ref().map(|m| m.to_string()),
        Some("50.00 EUR".into())
    );
    assert_eq!(
        result.gaps[0].cost.as_ref().map(|m| m.to_string()),
        Some("44.00 USD".into())
    );
}

#[test]
fn orphans_are_withheld_while_unmapped_vendor_data_could_be_behind_them() {
    let vendor_side = [
        vendor("t-acme", "BP", Term::Monthly, dec!(10), dec!(22)),
        vendor("t-unknown", "BP", Term::Monthly, dec!(5), dec!(22)),
    ];
    let psa_side = [
        psa("ACME", "M365-BP", dec!(10), dec!(27.50)),
        psa("BOLT", "M365-BP", dec!(5), dec!(27.50)),
    ];
    let mut mappings = mapped(&[("t-acme", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&vendor_side, &psa_side, &mappings);
    assert!(
        result.gaps.is_empty(),
        "BOLT may be the unmapped tenant: {:?}",
        result.gaps
    );
    assert_eq!(result.withheld_orphans, 1);

    mappings.ignored_customers.insert(
        SourceKey::new("microsoft", "t-unknown"),
        IgnoreRule {
            reason: "not a client".into(),
            until: None,
        },
    );
    let result = run(&vendor_side, &psa_side, &mappings);
    assert_eq!(result.withheld_orphans, 0);
    assert_eq!(result.gaps.len(), 1);
    assert_eq!(result.gaps[0].kind, GapKind::Orphan);
}

#[test]
fn a_run_that_compared_nothing_is_never_clean() {
    let vendor_side = [vendor("t", "BP", Term::Monthly, dec!(10), dec!(22))];
    let psa_side = [psa("ACME", "M365-BP", dec!(10), dec!(27.50))];
    let mut everything_ignored = MappingSet::default();
    everything_ignored.ignored_customers.insert(
        SourceKey::new("microsoft", "t"),
        IgnoreRule {
            reason: "test".into(),
            until: None,
        },
    );
    let result = run(&vendor_side, &psa_side, &everything_ignored);
    assert!(result.coverage.is_complete());
    assert_eq!(result.verdict, Verdict::NothingCompared, "all ignored");

    let mappings = mapped(&[("t", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&vendor_side, &[], &mappings);
    assert_eq!(result.verdict, Verdict::NothingCompared, "no PSA lines");
}

#[test]
fn an_unpriced_gap_always_needs_action() {
    let mut unpriced = vendor("t", "BP", Term::Monthly, dec!(50), dec!(0));
    unpriced.unit_cost = None;
    let psa_side = [psa("ACME", "OTHER", dec!(1), dec!(5))];
    let mappings = mapped(&[("t", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&[unpriced], &psa_side, &mappings);
    assert_eq!(result.gaps.len(), 1);
    assert_eq!(result.gaps[0].price_basis, PriceBasis::Unpriced);
    assert_eq!(result.clients[0].unpriced_gaps, 1);
    assert!(result.clients[0].over_threshold);
    assert_eq!(result.verdict, Verdict::OverThreshold);
}

#[test]
fn vendor_cost_is_weighted_by_seats_across_terms() {
    let vendor_side = [
        vendor("t", "BP", Term::Annual, dec!(10), dec!(22)),
        vendor("t", "BP", Term::Monthly, dec!(2), dec!(26.40)),
    ];
    let psa_side = [psa("ACME", "M365-BP", dec!(10), dec!(25))];
    let mappings = mapped(&[("t", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&vendor_side, &psa_side, &mappings);
    let unbilled = result
        .gaps
        .iter()
        .find(|gap| gap.kind == GapKind::Unbilled)
        .expect("2 unbilled seats");
    assert_eq!(
        unbilled.unit_cost.as_ref().map(|m| m.amount),
        Some(dec!(22.7333))
    );
    assert_eq!(unbilled.cost.as_ref().map(|m| m.amount), Some(dec!(45.47)));
    assert!(
        result.gaps.iter().all(|gap| gap.kind != GapKind::Price),
        "22.73 average cost is below the 25.00 price: {:?}",
        result.gaps
    );
}

#[test]
fn two_tenants_in_two_currencies_give_one_missing_gap() {
    let mut eur = vendor("t-eu", "BP", Term::Monthly, dec!(3), dec!(20));
    eur.currency = Currency::parse("EUR").expect("valid");
    let vendor_side = [vendor("t-us", "BP", Term::Monthly, dec!(5), dec!(22)), eur];
    let psa_side = [psa("ACME", "OTHER", dec!(1), dec!(5))];
    let mappings = mapped(&[("t-us", "ACME"), ("t-eu", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&vendor_side, &psa_side, &mappings);
    let missing: Vec<_> = result
        .gaps
        .iter()
        .filter(|gap| gap.kind == GapKind::Missing)
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0].vendor_seats, dec!(8));
    assert_eq!(
        missing[0].price_basis,
        PriceBasis::Unpriced,
        "costs in two currencies are not averaged"
    );
}

#[test]
fn a_psa_line_of_another_term_is_compared_not_doubled() {
    let vendor_side = [vendor("t", "BP", Term::Annual, dec!(10), dec!(22))];
    let mut monthly = psa("ACME", "M365-BP", dec!(10), dec!(27.50));
    monthly.term = Term::Monthly;
    let mappings = mapped(&[("t", "ACME")], &[("BP", "M365-BP")]);
    let result = run(&vendor_side, &[monthly], &mappings);
    assert!(result.gaps.is_empty(), "{:?}", result.gaps);
}

/// What an incomplete vendor pull saw raises seats, never lowers them, and never makes a gap of
/// the last complete data go away (`seen`).
#[test]
fn a_partial_vendor_pull_shows_new_missing_and_unbilled_gaps_and_resolves_nothing() {
    use super::seen::{hold_back, raise_to_seen};
    let mappings = mapped(
        &[("t-acme", "ACME"), ("t-bolt", "BOLT")],
        &[("BP", "M365-BP"), ("E3", "M365-E3")],
    );
    let psa_side = [
        psa("ACME", "M365-BP", dec!(10), dec!(27.50)),
        psa("BOLT", "M365-BP", dec!(7), dec!(27.50)),
    ];
    // The last complete pull: Acme matches, Bolt is billed 7 for 5 seats (overbilled).
    let stored = [
        vendor("t-acme", "BP", Term::Monthly, dec!(10), dec!(22)),
        vendor("t-bolt", "BP", Term::Monthly, dec!(5), dec!(22)),
    ];
    // Page 1 of the next pull, before page 3 failed: Acme now has 12 seats, Acme has a new E3
    // subscription, Bolt has 7 seats (its other page was never read), and only 3 of Acme's BP
    // seats would be a lower count that must not lower anything.
    let seen = vec![
        vendor("t-acme", "E3", Term::Monthly, dec!(4), dec!(36)),
        vendor("t-bolt", "BP", Term::Monthly, dec!(7), dec!(22)),
        vendor("t-acme", "BP", Term::Monthly, dec!(12), dec!(22)),
    ];
    let raised = raise_to_seen(&stored, seen);
    let seats: Vec<(String, Decimal)> = raised
        .iter()
        .map(|p| (format!("{}/{}", p.customer.key, p.product.key), p.seats))
        .collect();
    assert_eq!(
        seats,
        [
            ("t-acme/BP".to_string(), dec!(12)),
            ("t-acme/E3".to_string(), dec!(4)),
            ("t-bolt/BP".to_string(), dec!(7)),
        ]
    );
    let lower = raise_to_seen(
        &stored,
        vec![vendor("t-acme", "BP", Term::Monthly, dec!(3), dec!(22))],
    );
    assert_eq!(lower, stored, "seats seen are a lower bound: never lowered");

    let base = run(&stored, &psa_side, &mappings);
    let shown = hold_back(
        run(&raised, &psa_side, &mappings),
        &base,
        &Thresholds::default(),
    );
    let kinds: Vec<(String, String, GapKind, Decimal)> = shown
        .gaps
        .iter()
        .map(|g| {
            (
                g.company.key.clone(),
                g.product.key.clone(),
                g.kind,
                g.delta,
            )
        })
        .collect();
    assert!(
        kinds.contains(&("ACME".into(), "M365-E3".into(), GapKind::Missing, dec!(4))),
        "the new subscription is missing from the PSA: {kinds:?}"
    );
    assert!(
        kinds.contains(&("ACME".into(), "M365-BP".into(), GapKind::Unbilled, dec!(2))),
        "more seats seen than billed: {kinds:?}"
    );
    assert!(
        kinds.contains(&(
            "BOLT".into(),
            "M365-BP".into(),
            GapKind::Overbilled,
            dec!(-2)
        )),
        "the overbilled gap the raised seats would erase is held, not resolved: {kinds:?}"
    );
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert_ne!(shown.verdict, Verdict::Clean);
    let clients: Vec<&str> = shown
        .clients
        .iter()
        .map(|c| c.company.key.as_str())
        .collect();
    assert!(
        clients.contains(&"BOLT"),
        "held gaps count in the client totals"
    );
}
