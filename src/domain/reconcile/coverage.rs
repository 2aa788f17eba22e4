//! Coverage: how much of the vendor spend the comparison actually looked at.
//!
//! A gap report over half the spend looks exactly like a clean one over all of it, so coverage
//! is computed first and shown first, and "clean" is only ever said at full coverage.

use super::mappings::{MappingSet, Treatment};
use super::position::{CreditedTerms, Position, credited_terms};
use crate::domain::lines::{KeySet, SourceKey};
use crate::domain::money::{Currency, MoneyByCurrency};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeSet;

/// Vendor spend split by whether it was compared, per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// All vendor spend.
    pub total: MoneyByCurrency,
    /// Spend whose customer and product are both mapped.
    pub mapped: MoneyByCurrency,
    /// Spend left out on purpose by an ignore rule.
    pub ignored: MoneyByCurrency,
    /// Vendor customers with spend that are neither mapped nor ignored.
    pub unmapped_customers: BTreeSet<SourceKey>,
    /// Vendor products with spend that are neither mapped (for their term) nor ignored.
    pub unmapped_products: BTreeSet<SourceKey>,
    /// Vendor positions looked at.
    pub vendor_positions: usize,
    /// Vendor positions left uncompared (neither mapped nor ignored).
    pub unmapped_positions: usize,
}

impl Coverage {
    /// Classifies every vendor position as mapped, ignored or unmapped.
    ///
    /// The total is the vendor spend the client and product lists sum
    /// ([`crate::domain::holdings`]), credits included: a pure credit
    /// ([`Position::is_pure_credit`], such as a Pax8 service credit) counts where the position
    /// it credits counts ([`credited_terms`]), mapped, ignored or uncompared. It is never a
    /// position of its own: it cannot hide a seat gap, so it never asks for a mapping (the
    /// mapping queue does not offer it either). A credit whose position is gone counts as its
    /// customer does; a customer holding nothing but credits is in neither list nor total.
    pub fn measure(vendor: &[Position], mappings: &MappingSet, today: NaiveDate) -> Coverage {
        let mut coverage = Coverage::default();
        let credited = credited_terms(vendor);
        let holders: KeySet<&SourceKey> = vendor
            .iter()
            .filter(|position| !position.is_pure_credit())
            .map(|position| &position.customer)
            .collect();
        for position in vendor {
            let (currency, spend) = (&position.currency, position.spend);
            if position.is_pure_credit() {
                if holders.contains(&position.customer) {
                    coverage.total.add_amount(currency, spend);
                    match credit_counts_as(position, &credited, mappings, today) {
                        Counted::Mapped => coverage.mapped.add_amount(currency, spend),
                        Counted::Ignored => coverage.ignored.add_amount(currency, spend),
                        Counted::Uncompared => {}
                    }
                }
                continue;
            }
            coverage.vendor_positions += 1;
            coverage.total.add_amount(currency, spend);
            match mappings.treat(position, today) {
                Treatment::Ignored => coverage.ignored.add_amount(currency, spend),
                Treatment::Mapped { .. } => coverage.mapped.add_amount(currency, spend),
                Treatment::Unmapped {
                    company,
                    product_unmapped,
                } => {
                    coverage.unmapped_positions += 1;
                    if company.is_none()
                        && !coverage.unmapped_customers.contains(&position.customer)
                    {
                        coverage
                            .unmapped_customers
                            .insert(position.customer.clone());
                    }
                    if product_unmapped && !coverage.unmapped_products.contains(&position.product) {
                        coverage.unmapped_products.insert(position.product.clone());
                    }
                }
            }
        }
        coverage
    }

    /// True when every vendor position was compared or deliberately ignored.
    pub fn is_complete(&self) -> bool {
        self.vendor_positions > 0 && self.unmapped_positions == 0
    }

    /// Share of one currency's vendor spend that is mapped or ignored, from 0 to 1; `None` when
    /// that currency has no spend (a share of nothing is not 100%).
    pub fn share(&self, currency: &Currency) -> Option<Decimal> {
        let total = self.total.get(currency).amount;
        if total.is_zero() {
            return None;
        }
        let covered = self.mapped.get(currency).amount + self.ignored.get(currency).amount;
        // A credit larger than the uncompared spend it belongs to cannot make more than all of
        // the spend compared.
        Some((covered / total).clamp(Decimal::ZERO, Decimal::ONE))
    }

    /// The lowest share over all currencies: the honest headline when a partner is billed in
    /// several currencies. `None` when there is no spend at all.
    pub fn lowest_share(&self) -> Option<Decimal> {
        self.total
            .iter()
            .filter_map(|money| self.share(&money.currency))
            .min()
    }

    /// "87.5% of USD 12,345.00 vendor spend compared; 3 customers and 2 products unmapped".
    pub fn headline(&self) -> String {
        if self.vendor_positions == 0 {
            return "no vendor lines: nothing was compared".to_string();
        }
        let shares: Vec<String> = self
            .total
            .iter()
            .map(|total| match self.share(&total.currency) {
                Some(share) => format!("{} of {} vendor spend", percent(share), total),
                None => format!("no spend in {}", total.currency),
            })
            .collect();
        let mut text = format!("Coverage: {}", shares.join("; "));
        if self.is_complete() {
            text.push_str(" (complete)");
        } else {
            text.push_str(&format!(
                "; {} customer(s) and {} product(s) unmapped",
                self.unmapped_customers.len(),
                self.unmapped_products.len()
            ));
        }
        text
    }
}

/// Where a credit's money counts in coverage.
enum Counted {
    Mapped,
    Ignored,
    Uncompared,
}

/// A credit counts as the position it credits (its customer and product, at that position's
/// term); a credit whose position is gone counts as its customer: compared when the customer
/// is mapped, left out when it is ignored.
fn credit_counts_as(
    credit: &Position,
    credited: &CreditedTerms<'_>,
    mappings: &MappingSet,
    today: NaiveDate,
) -> Counted {
    let Some(term) = credited.term_of(&credit.customer, &credit.product) else {
        return if mappings.customer_rule_on(&credit.customer, today).is_some() {
            Counted::Ignored
        } else if mappings.company_for(&credit.customer).is_some() {
            Counted::Mapped
        } else {
            Counted::Uncompared
        };
    };
    let credited_position = Position {
        term,
        ..credit.clone()
    };
    match mappings.treat(&credited_position, today) {
        Treatment::Ignored => Counted::Ignored,
        Treatment::Mapped { .. } => Counted::Mapped,
        Treatment::Unmapped { .. } => Counted::Uncompared,
    }
}

/// A share from 0 to 1 as a percentage with one decimal, rounded down so that 99.96% never
/// shows as 100.0%.
pub fn percent(share: Decimal) -> String {
    let value = (share * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::ToZero);
    format!("{value:.1}%")
}
