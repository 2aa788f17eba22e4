//! What each customer and each product holds in the compared period: seats and spend summed
//! over its positions, with the mapping and the ignore rule in force, largest spend first.
//!
//! This is the order of the mapping queue ("clear the largest unmapped spend first"), so every
//! face lists the same records in the same order.

use crate::domain::lines::{KeySet, Party, Product, Side, SourceKey, Term};
use crate::domain::money::MoneyByCurrency;
use crate::domain::reconcile::{CreditedTerms, IgnoreRule, MappingSet, Position, credited_terms};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// A vendor customer or PSA company with what it holds in the compared period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    /// System and key.
    pub key: SourceKey,
    /// Name, domain and external id as last imported.
    pub party: Party,
    /// Seats over every product.
    pub seats: Decimal,
    /// Spend (vendor) or billed amount (PSA), per currency.
    pub spend: MoneyByCurrency,
    /// The PSA company it is mapped to (vendor customers only).
    pub mapped_to: Option<SourceKey>,
    /// The ignore rule in force on the day the rows were built, if any.
    pub ignored: Option<IgnoreRule>,
}

/// A vendor or PSA product with what is held of it in the compared period, per term.
///
/// On the vendor side a pure credit ([`Position::is_pure_credit`]) is not a row of its own: it
/// is not a product to map, so its money is shown on the row of the position it credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    /// System and key.
    pub key: SourceKey,
    /// Name as last imported.
    pub product: Product,
    /// The term.
    pub term: Term,
    /// Seats over every customer.
    pub seats: Decimal,
    /// Spend per currency, credits of this product's customers included.
    pub spend: MoneyByCurrency,
    /// The PSA product it maps to (vendor products only).
    pub mapped_to: Option<SourceKey>,
    /// The ignore rule that acts on this row on the day the rows were built, if any: never
    /// set while a mapping covers the row, since a mapping wins over an ignore
    /// ([`MappingSet::treat`]).
    pub ignored: Option<IgnoreRule>,
    /// True when [`ProductRow::ignored`] is the product's every-term rule rather than one for
    /// this term, so that lifting the rule from this row lifts exactly the rule in force.
    pub ignored_every_term: bool,
}

/// Party details that are not part of a position: a tenant's domain and a carried PSA id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyDetails {
    /// The party's web or tenant domain.
    pub domain: Option<String>,
    /// An id of the other system carried in this record (Pax8 `externalId`).
    pub external_id: Option<String>,
}

/// The customers (vendor) or companies (PSA) of a side, largest spend first, each with its
/// mapping and the ignore rule in force on `today` (an expired rule is no rule).
///
/// A vendor customer that holds nothing but pure credits is left out, as coverage leaves it
/// out: there is nothing of it to compare, so it must not wait in the mapping queue.
pub fn party_rows(
    side: Side,
    positions: &[Position],
    details: &HashMap<SourceKey, PartyDetails>,
    mappings: &MappingSet,
    today: NaiveDate,
) -> Vec<PartyRow> {
    let holders: KeySet<&SourceKey> = positions
        .iter()
        .filter(|position| side == Side::Psa || !position.is_pure_credit())
        .map(|position| &position.customer)
        .collect();
    let rows = tally(
        positions
            .iter()
            .filter(|position| holders.contains(&position.customer))
            .map(|position| (position.customer.clone(), position)),
    )
    .into_iter()
    .map(|(key, (first, seats, spend))| {
        let details = details.get(&key).cloned().unwrap_or_default();
        let (mapped_to, ignored) = match side {
            Side::Vendor => (
                mappings.company_for(&key).cloned(),
                mappings.customer_rule_on(&key, today).cloned(),
            ),
            Side::Psa => (None, None),
        };
        PartyRow {
            party: Party {
                key: key.key.clone(),
                name: first.customer_name.clone(),
                domain: details.domain,
                external_id: details.external_id,
            },
            key,
            seats,
            spend,
            mapped_to,
            ignored,
        }
    })
    .collect();
    by_spend(rows, |row| (&row.spend, &row.key, Term::Unspecified))
}

/// The products of a side per term, largest spend first, each with its mapping and the
/// ignore rule that acts on it on `today`.
///
/// On the vendor side a pure credit is folded into the row of the position it credits (see
/// [`credited_terms`]), so it never appears in the mapping queue; a credit whose position is
/// gone has nothing to map and no row.
pub fn product_rows(
    side: Side,
    positions: &[Position],
    mappings: &MappingSet,
    today: NaiveDate,
) -> Vec<ProductRow> {
    let credited = match side {
        Side::Vendor => credited_terms(positions),
        Side::Psa => CreditedTerms::default(),
    };
    let rows = tally(positions.iter().filter_map(|position| {
        let term = match side {
            Side::Vendor if position.is_pure_credit() => {
                credited.term_of(&position.customer, &position.product)?
            }
            _ => position.term,
        };
        Some(((position.product.clone(), term), position))
    }))
    .into_iter()
    .map(|((key, term), (first, seats, spend))| {
        let (mapped_to, rule) = match side {
            Side::Vendor => {
                let mapped_to = mappings.product_for(&key, term).cloned();
                let rule = match mapped_to {
                    Some(_) => None,
                    None => mappings.product_rule_on(&key, term, today),
                };
                (mapped_to, rule)
            }
            Side::Psa => (None, None),
        };
        ProductRow {
            product: Product {
                key: key.key.clone(),
                name: first.product_name.clone(),
            },
            key,
            term,
            seats,
            spend,
            mapped_to,
            ignored: rule.map(|(_, rule)| rule.clone()),
            ignored_every_term: rule.is_some_and(|(scope, _)| scope.is_none()),
        }
    })
    .collect();
    by_spend(rows, |row| (&row.spend, &row.key, row.term))
}

/// Seats and spend per key over a side's positions, with the first position of each key (for
/// its names). Seat sums saturate: positions are bounded at import, so this never happens on
/// real data, and a tally for display must not panic.
fn tally<'a, K: Ord>(
    entries: impl Iterator<Item = (K, &'a Position)>,
) -> BTreeMap<K, (&'a Position, Decimal, MoneyByCurrency)> {
    let mut totals: BTreeMap<K, (&Position, Decimal, MoneyByCurrency)> = BTreeMap::new();
    for (key, position) in entries {
        let entry = totals
            .entry(key)
            .or_insert_with(|| (position, Decimal::ZERO, MoneyByCurrency::default()));
        entry.1 = entry.1.saturating_add(position.seats);
        entry.2.add_amount(&position.currency, position.spend);
    }
    totals
}

/// Largest spend first (the largest single-currency amount, since currencies are never
/// added), then by key and term so the order is the same on every run.
fn by_spend<T>(
    mut rows: Vec<T>,
    sort_key: impl Fn(&T) -> (&MoneyByCurrency, &SourceKey, Term),
) -> Vec<T> {
    rows.sort_by(|a, b| {
        let ((a_spend, a_key, a_term), (b_spend, b_key, b_term)) = (sort_key(a), sort_key(b));
        b_spend
            .largest_amount()
            .cmp(&a_spend.largest_amount())
            .then_with(|| a_key.cmp(b_key))
            .then_with(|| a_term.cmp(&b_term))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use crate::domain::reconcile::IgnoreRule;
    use rust_decimal_macros::dec;

    fn position(customer: &str, spend: Decimal) -> Position {
        Position {
            customer: SourceKey::new("pax8", customer),
            customer_name: customer.to_uppercase(),
            product: SourceKey::new("pax8", "p"),
            product_name: "P".into(),
            term: Term::Monthly,
            currency: Currency::parse("USD").expect("USD"),
            seats: dec!(1),
            spend,
            unit_price: None,
            unit_cost: None,
        }
    }

    #[test]
    fn customers_come_largest_spend_first() {
        let positions = [position("a", dec!(5)), position("b", dec!(50))];
        let rows = party_rows(
            Side::Vendor,
            &positions,
            &HashMap::new(),
            &MappingSet::default(),
            NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        );
        let names: Vec<&str> = rows.iter().map(|row| row.party.name.as_str()).collect();
        assert_eq!(names, ["B", "A"]);
    }

    #[test]
    fn an_expired_ignore_rule_is_not_in_force() {
        let mut mappings = MappingSet::default();
        mappings.ignored_customers.insert(
            SourceKey::new("pax8", "a"),
            IgnoreRule {
                reason: "trial".into(),
                until: NaiveDate::from_ymd_opt(2026, 10, 31),
            },
        );
        let positions = [position("a", dec!(5))];
        let day = |d| NaiveDate::from_ymd_opt(2026, 10, d).expect("date");
        let on = |today| party_rows(Side::Vendor, &positions, &HashMap::new(), &mappings, today);
        assert!(on(day(31))[0].ignored.is_some());
        let november = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        assert!(on(november)[0].ignored.is_none());
    }

    fn proofpoint(customer: &str, term: Term, seats: Decimal, spend: Decimal) -> Position {
        Position {
            product: SourceKey::new("pax8", "PRF"),
            product_name: "Proofpoint".into(),
            term,
            seats,
            ..position(customer, spend)
        }
    }

    #[test]
    fn a_credit_is_no_product_row_and_its_money_follows_the_position_it_credits() {
        let positions = [
            proofpoint("a", Term::Monthly, dec!(48), dec!(180)),
            proofpoint("a", Term::OneTime, dec!(0), dec!(-25)),
            // A credit whose subscription is gone: nothing to map, no row.
            proofpoint("b", Term::OneTime, dec!(0), dec!(-10)),
        ];
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        let rows = product_rows(Side::Vendor, &positions, &MappingSet::default(), day);
        let listed: Vec<(Term, Decimal, Decimal)> = rows
            .iter()
            .map(|row| (row.term, row.seats, row.spend.largest_amount()))
            .collect();
        assert_eq!(listed, [(Term::Monthly, dec!(48), dec!(155))]);
        let customers = party_rows(
            Side::Vendor,
            &positions,
            &HashMap::new(),
            &MappingSet::default(),
            day,
        );
        let names: Vec<&str> = customers
            .iter()
            .map(|row| row.party.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["A"],
            "a customer holding only a credit waits for nothing"
        );
    }

    #[test]
    fn coverage_sums_a_credit_into_the_same_total_as_the_client_spend() {
        let positions = [
            proofpoint("a", Term::Monthly, dec!(48), dec!(180)),
            proofpoint("a", Term::OneTime, dec!(0), dec!(-25)),
            proofpoint("c", Term::Monthly, dec!(2), dec!(40)),
            // A customer holding nothing but a credit is in neither.
            proofpoint("b", Term::OneTime, dec!(0), dec!(-10)),
        ];
        let mut mappings = MappingSet::default();
        mappings
            .clients
            .insert(SourceKey::new("pax8", "a"), SourceKey::new("cw", "A"));
        mappings.products.insert(
            (SourceKey::new("pax8", "PRF"), Some(Term::Monthly)),
            SourceKey::new("cw", "EMAIL"),
        );
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        let usd = Currency::parse("USD").expect("USD");
        let clients: Decimal =
            party_rows(Side::Vendor, &positions, &HashMap::new(), &mappings, day)
                .iter()
                .map(|row| row.spend.get(&usd).amount)
                .sum();
        assert_eq!(clients, dec!(195), "180 − 25 + 40");
        let coverage = crate::domain::reconcile::Coverage::measure(&positions, &mappings, day);
        assert_eq!(coverage.total.get(&usd).amount, clients);
        assert_eq!(
            coverage.mapped.get(&usd).amount,
            dec!(155),
            "the credit is compared with the position it credits"
        );
        assert_eq!(coverage.share(&usd), Some(dec!(155) / dec!(195)));
        assert_eq!(
            coverage.vendor_positions, 2,
            "a credit is no position to map"
        );
    }

    #[test]
    fn a_product_row_shows_the_rule_that_acts_on_its_own_term() {
        let positions = [
            proofpoint("a", Term::Monthly, dec!(48), dec!(180)),
            proofpoint("a", Term::Annual, dec!(5), dec!(15)),
            proofpoint("a", Term::Trial, dec!(2), dec!(1)),
        ];
        let key = SourceKey::new("pax8", "PRF");
        let mut mappings = MappingSet::default();
        mappings.products.insert(
            (key.clone(), Some(Term::Monthly)),
            SourceKey::new("cw", "EMAIL"),
        );
        let rule = |reason: &str| IgnoreRule {
            reason: reason.into(),
            until: None,
        };
        mappings
            .ignored_products
            .insert((key.clone(), None), rule("old every-term rule"));
        mappings
            .ignored_products
            .insert((key, Some(Term::Trial)), rule("trial"));
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        let rows = product_rows(Side::Vendor, &positions, &mappings, day);
        let by_term = |term| rows.iter().find(|row| row.term == term).expect("row");
        let monthly = by_term(Term::Monthly);
        assert!(monthly.mapped_to.is_some());
        assert_eq!(monthly.ignored, None, "the mapping wins");
        let annual = by_term(Term::Annual);
        assert_eq!(annual.ignored, Some(rule("old every-term rule")));
        assert!(annual.ignored_every_term);
        let trial = by_term(Term::Trial);
        assert_eq!(trial.ignored, Some(rule("trial")));
        assert!(!trial.ignored_every_term);
    }
}
