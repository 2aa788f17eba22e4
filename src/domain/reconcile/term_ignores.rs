//! Product ignores per term next to mappings, and credits: the rule behind the walkthrough's
//! blocker, where ignoring the Pax8 service credit row (one-time) ignored the whole product,
//! overrode the confirmed monthly mapping and reported the billed seats as orphans at 100 %
//! coverage.

use super::*;
use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).expect("valid date")
}

fn proofpoint() -> SourceKey {
    SourceKey::new("pax8", "PRF-ESS-BUS-C100")
}

fn email_security() -> SourceKey {
    SourceKey::new("connectwise", "EMAIL-SEC")
}

fn vendor(customer: &str, term: Term, seats: Decimal, spend: Decimal) -> Position {
    Position {
        customer: SourceKey::new("pax8", customer),
        customer_name: customer.to_string(),
        product: proofpoint(),
        product_name: "Proofpoint Essentials Business".into(),
        term,
        currency: Currency::parse("USD").expect("valid"),
        seats,
        spend,
        unit_price: None,
        unit_cost: (!seats.is_zero()).then(|| spend / seats),
    }
}

/// The Pax8 service credit row: one-time, no seats, money only.
fn credit(customer: &str) -> Position {
    let mut credit = vendor(customer, Term::OneTime, dec!(0), dec!(-25));
    credit.unit_cost = Some(dec!(-25));
    credit
}

fn psa(company: &str, seats: Decimal) -> Position {
    Position {
        customer: SourceKey::new("connectwise", company),
        customer_name: company.to_string(),
        product: email_security(),
        product_name: "Email security".into(),
        term: Term::Unspecified,
        currency: Currency::parse("USD").expect("valid"),
        seats,
        spend: seats * dec!(4),
        unit_price: Some(dec!(4)),
        unit_cost: None,
    }
}

/// Pinecrest is mapped, and Proofpoint is mapped for the monthly term only.
fn monthly_mapping() -> MappingSet {
    let mut mappings = MappingSet::default();
    mappings.clients.insert(
        SourceKey::new("pax8", "pinecrest"),
        SourceKey::new("connectwise", "Pinecrest"),
    );
    mappings
        .products
        .insert((proofpoint(), Some(Term::Monthly)), email_security());
    mappings
}

fn rule(reason: &str) -> IgnoreRule {
    IgnoreRule {
        reason: reason.into(),
        until: None,
    }
}

fn run(vendor: &[Position], psa: &[Position], mappings: &MappingSet) -> Reconciliation {
    reconcile(vendor, psa, mappings, &Thresholds::default(), today())
}

#[test]
fn an_ignore_of_one_term_leaves_the_mapped_term_compared() {
    let monthly = vendor("pinecrest", Term::Monthly, dec!(48), dec!(180));
    let annual = vendor("pinecrest", Term::Annual, dec!(5), dec!(15));
    let mut mappings = monthly_mapping();
    mappings
        .ignored_products
        .insert((proofpoint(), Some(Term::Annual)), rule("a trial"));

    assert!(matches!(
        mappings.treat(&monthly, today()),
        Treatment::Mapped { .. }
    ));
    assert_eq!(mappings.treat(&annual, today()), Treatment::Ignored);
    let result = run(&[monthly, annual], &[psa("Pinecrest", dec!(48))], &mappings);
    assert!(result.gaps.is_empty(), "{:?}", result.gaps);
    assert!(result.coverage.is_complete());
    assert_eq!(result.coverage.ignored.largest_amount(), dec!(15));
    assert_eq!(result.verdict, Verdict::Clean);
}

#[test]
fn an_every_term_ignore_never_overrides_a_confirmed_mapping() {
    // A database written before ignores had a term: the operator ignored the credit row, which
    // stored an every-term rule next to the monthly mapping.
    let vendor_side = [
        vendor("pinecrest", Term::Monthly, dec!(48), dec!(180)),
        credit("pinecrest"),
    ];
    let mut mappings = monthly_mapping();
    mappings
        .ignored_products
        .insert((proofpoint(), None), rule("service credit"));

    assert!(matches!(
        mappings.treat(&vendor_side[0], today()),
        Treatment::Mapped { .. }
    ));
    assert!(!mappings.product_ignored(&proofpoint(), Term::Monthly, today()));
    assert!(mappings.product_ignored(&proofpoint(), Term::OneTime, today()));
    let result = run(&vendor_side, &[psa("Pinecrest", dec!(48))], &mappings);
    assert!(
        result.gaps.iter().all(|gap| gap.kind != GapKind::Orphan),
        "the billed seats are not orphans: {:?}",
        result.gaps
    );
    assert!(result.gaps.is_empty(), "{:?}", result.gaps);
    assert!(result.coverage.is_complete());
    // The credit counts with the monthly position it credits, as the product list sums it.
    assert_eq!(result.coverage.mapped.largest_amount(), dec!(155));
    assert_eq!(result.coverage.total.largest_amount(), dec!(155));
}

#[test]
fn a_term_rule_wins_over_the_every_term_rule_while_it_is_in_force() {
    let mut mappings = MappingSet::default();
    mappings
        .ignored_products
        .insert((proofpoint(), None), rule("free SKU"));
    mappings.ignored_products.insert(
        (proofpoint(), Some(Term::Trial)),
        IgnoreRule {
            reason: "trial".into(),
            until: NaiveDate::from_ymd_opt(2026, 11, 30),
        },
    );
    let in_force = |day| {
        mappings
            .product_rule_on(&proofpoint(), Term::Trial, day)
            .map(|(scope, rule)| (scope, rule.reason.clone()))
    };
    assert_eq!(in_force(today()), Some((Some(Term::Trial), "trial".into())));
    let december = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    assert_eq!(
        in_force(december),
        Some((None, "free SKU".into())),
        "an expired term rule falls back to the every-term rule"
    );
}

#[test]
fn the_mapping_that_would_override_an_ignore_is_named() {
    let mut mappings = monthly_mapping();
    assert_eq!(
        mappings.mapping_over_ignore(&proofpoint(), Some(Term::Monthly)),
        Some((Some(Term::Monthly), &email_security()))
    );
    assert_eq!(
        mappings.mapping_over_ignore(&proofpoint(), Some(Term::OneTime)),
        None,
        "the credit's term has no mapping: ignoring it is fine"
    );
    assert_eq!(
        mappings.mapping_over_ignore(&proofpoint(), None),
        Some((Some(Term::Monthly), &email_security())),
        "an every-term ignore would not act on the mapped monthly term"
    );
    let every_term = SourceKey::new("connectwise", "EMAIL-ALL");
    mappings
        .products
        .insert((proofpoint(), None), every_term.clone());
    assert_eq!(
        mappings.mapping_over_ignore(&proofpoint(), Some(Term::OneTime)),
        Some((None, &every_term))
    );
    assert_eq!(
        mappings.mapping_over_ignore(&proofpoint(), None),
        Some((None, &every_term)),
        "the every-term mapping is named first"
    );
}

#[test]
fn a_credit_needs_no_mapping_and_creates_no_gap() {
    // The credit's term (one-time) has no mapping: coverage must not ask for one.
    let vendor_side = [
        vendor("pinecrest", Term::Monthly, dec!(48), dec!(180)),
        credit("pinecrest"),
    ];
    let result = run(
        &vendor_side,
        &[psa("Pinecrest", dec!(48))],
        &monthly_mapping(),
    );
    assert!(
        result.coverage.is_complete(),
        "{}",
        result.coverage.headline()
    );
    assert_eq!(result.coverage.vendor_positions, 1);
    assert!(result.gaps.is_empty(), "{:?}", result.gaps);
    assert_eq!(result.verdict, Verdict::Clean);
}

#[test]
fn a_credit_reached_by_an_every_term_mapping_changes_no_gap() {
    let mut mappings = monthly_mapping();
    mappings.products.clear();
    mappings
        .products
        .insert((proofpoint(), None), email_security());
    let mut refund = credit("pinecrest");
    refund.unit_cost = None;
    let vendor_side = [
        vendor("pinecrest", Term::Monthly, dec!(50), dec!(187.50)),
        refund,
    ];
    let result = run(&vendor_side, &[psa("Pinecrest", dec!(48))], &mappings);
    assert_eq!(result.gaps.len(), 1, "{:?}", result.gaps);
    let gap = &result.gaps[0];
    assert_eq!(gap.kind, GapKind::Unbilled);
    assert_eq!(gap.delta, dec!(2));
    assert_eq!(
        gap.term,
        Term::Monthly,
        "the credit's one-time term is not a term of the seats"
    );
    assert_eq!(
        gap.unit_cost.as_ref().map(|cost| cost.amount),
        Some(dec!(3.75)),
        "a refund is not a change of the monthly cost per seat"
    );
    assert!(result.coverage.is_complete());
}
