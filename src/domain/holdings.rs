//! What each customer and each product holds in the compared period: seats and spend summed
//! over its positions, with the mapping and the ignore rule in force, largest spend first.
//!
//! This is the order of the mapping queue ("clear the largest unmapped spend first"), so every
//! face lists the same records in the same order.

use crate::domain::lines::{Party, Product, Side, SourceKey, Term};
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::{IgnoreRule, MappingSet, Position};
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
    /// Spend per currency.
    pub spend: MoneyByCurrency,
    /// The PSA product it maps to (vendor products only).
    pub mapped_to: Option<SourceKey>,
    /// The ignore rule in force on the day the rows were built, if any.
    pub ignored: Option<IgnoreRule>,
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
pub fn party_rows(
    side: Side,
    positions: &[Position],
    details: &HashMap<SourceKey, PartyDetails>,
    mappings: &MappingSet,
    today: NaiveDate,
) -> Vec<PartyRow> {
    let rows = tally(positions, |position| position.customer.clone())
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
/// ignore rule in force on `today`.
pub fn product_rows(
    side: Side,
    positions: &[Position],
    mappings: &MappingSet,
    today: NaiveDate,
) -> Vec<ProductRow> {
    let rows = tally(positions, |position| {
        (position.product.clone(), position.term)
    })
    .into_iter()
    .map(|((key, term), (first, seats, spend))| {
        let (mapped_to, ignored) = match side {
            Side::Vendor => (
                mappings.product_for(&key, term).cloned(),
                mappings.product_rule_on(&key, today).cloned(),
            ),
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
            ignored,
        }
    })
    .collect();
    by_spend(rows, |row| (&row.spend, &row.key, row.term))
}

/// Seats and spend per key over a side's positions, with the first position of each key (for
/// its names). Seat sums saturate: positions are bounded at import, so this never happens on
/// real data, and a tally for display must not panic.
fn tally<K: Ord>(
    positions: &[Position],
    key_of: impl Fn(&Position) -> K,
) -> BTreeMap<K, (&Position, Decimal, MoneyByCurrency)> {
    let mut totals: BTreeMap<K, (&Position, Decimal, MoneyByCurrency)> = BTreeMap::new();
    for position in positions {
        let entry = totals
            .entry(key_of(position))
            .or_insert_with(|| (position, Decimal::ZERO, MoneyByCurrency::default()));
        entry.1 = entry.1.saturating_add(position.seats);
        entry
            .2
            .add(&Money::new(position.spend, position.currency.clone()));
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
}
