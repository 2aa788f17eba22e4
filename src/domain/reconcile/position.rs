//! What reconciliation compares: one side's seats per customer, product, term and currency.

use crate::domain::lines::{KeyMap, SourceKey, Term};
use crate::domain::money::Currency;
use rust_decimal::Decimal;
use serde::Serialize;

/// One side's seats for one (customer, product, term, currency), summed over the current
/// imports. This is what importing aggregates to, so a reconcile never rereads raw lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The vendor customer or PSA company.
    pub customer: SourceKey,
    /// Its display name.
    pub customer_name: String,
    /// The vendor product or PSA product.
    pub product: SourceKey,
    /// Its display name.
    pub product_name: String,
    /// The commitment term.
    pub term: Term,
    /// The currency of every amount in this position.
    pub currency: Currency,
    /// Net seats for the period.
    pub seats: Decimal,
    /// The extended amount of all rows: vendor spend, or the PSA's billed amount.
    pub spend: Decimal,
    /// Price per seat the client pays (the PSA side's price).
    pub unit_price: Option<Decimal>,
    /// Cost per seat to the MSP (the vendor side's cost).
    pub unit_cost: Option<Decimal>,
}

impl Position {
    /// True for a credit or proration that moves money only: no seats and no positive spend,
    /// such as the Pax8 service credit "(one-time) 0 seats −25.00 USD".
    ///
    /// Such a position is not a product to map: it cannot hide a seat gap, and its money
    /// belongs to the position it credits (same customer and product, another term or
    /// charge). Coverage, gap grouping and the mapping queue all ask this one question, so a
    /// credit can never be left out of one and demanded by another.
    pub fn is_pure_credit(&self) -> bool {
        self.seats.is_zero() && self.spend <= Decimal::ZERO
    }
}

/// The term of the position each (customer, product) credit belongs to: the same customer's
/// position of the same product with the most seats (the earliest term on a tie, so the
/// answer is the same on every run). A refund is for the subscription it names, and Pax8 books
/// it under its own term ("One-Time"), which would otherwise make it a product row of its own.
/// The holdings (client and product spend) and coverage both follow it, so a credit counts
/// the same way in both.
pub fn credited_terms(positions: &[Position]) -> CreditedTerms<'_> {
    // Sized once for every position: growing the table as it fills rehashed every key again.
    let mut best = CreditedTerms(KeyMap::with_capacity_and_hasher(
        positions.len(),
        hashbrown::DefaultHashBuilder::default(),
    ));
    for position in positions.iter().filter(|p| !p.is_pure_credit()) {
        let candidate = (position.seats, position.term);
        best.0
            .entry((&position.customer, &position.product))
            .and_modify(|held| {
                if candidate.0 > held.0 || (candidate.0 == held.0 && candidate.1 < held.1) {
                    *held = candidate;
                }
            })
            .or_insert(candidate);
    }
    best
}

/// The answer of [`credited_terms`]: per (customer, product), the seats and term of the
/// position a credit belongs to. Coverage and the mapping queue ask it for every vendor
/// position, so it is a [`KeyMap`], built in one pass.
#[derive(Default)]
pub struct CreditedTerms<'p>(KeyMap<(&'p SourceKey, &'p SourceKey), (Decimal, Term)>);

impl CreditedTerms<'_> {
    /// The term a credit of this customer and product belongs to, when the customer holds the
    /// product.
    pub fn term_of(&self, customer: &SourceKey, product: &SourceKey) -> Option<Term> {
        self.0.get(&(customer, product)).map(|(_, term)| *term)
    }
}
