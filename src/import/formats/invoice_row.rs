//! What invoice-style rows (Partner Center, Pax8, HaloPSA, a generic CSV) state alike.
//!
//! Each of these formats has its own reading of seats, term and money, but names the service
//! period and the subscription the same way: `Start`, `End` and `Subscription`. A rule works out
//! the first part into an [`InvoiceRow`], which then reads the shared cells and becomes a line.

use super::rule::Outcome;
use crate::domain::lines::{ChargeKind, Line, Party, Product, Term};
use crate::domain::money::Money;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};
use rust_decimal::Decimal;

/// What a seat rule made of one invoice row before the cells every such format reads alike.
pub struct InvoiceRow {
    /// Who the row is for.
    pub customer: Party,
    /// What the row is for.
    pub product: Product,
    /// The commitment term the rule read.
    pub term: Term,
    /// What the row does to the seat count.
    pub charge: ChargeKind,
    /// Signed seats; zero unless `charge` counts seats.
    pub seats: Decimal,
    /// Price per seat to the client, if the row has one.
    pub unit_price: Option<Money>,
    /// Cost per seat to the MSP, if the row has one.
    pub unit_cost: Option<Money>,
    /// The row's extended amount.
    pub amount: Option<Money>,
}

impl InvoiceRow {
    /// The line for the sink, with the row's service period and subscription.
    ///
    /// Those cells are read after every cell the rule read, so a row with several bad cells
    /// reports the same first one whichever rule read it. Fails on an unreadable `Start` or
    /// `End` date.
    pub fn into_outcome(self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        Ok(Outcome::Line(Box::new(Line {
            source_line,
            customer: self.customer,
            product: self.product,
            term: self.term,
            charge: self.charge,
            seats: self.seats,
            unit_price: self.unit_price,
            unit_cost: self.unit_cost,
            amount: self.amount,
            period_start: row.date(Role::Start)?,
            period_end: row.date(Role::End)?,
            subscription: row.name(Role::Subscription),
            line_id: row.name(Role::LineId),
        })))
    }
}

/// A row that states its recurring seats outright (a generic CSV, a HaloPSA recurring line):
/// the quantity is the seats, and the amount is the amount cell, else quantity × unit price.
///
/// Fails on the first unreadable or implausible quantity, currency or money cell, in that
/// order, or when quantity × unit price is implausible.
pub fn stated_seats(
    row: &Row,
    customer: Party,
    product: Product,
    term: Term,
) -> Result<InvoiceRow, CellError> {
    let seats = match row.quantity(Role::Quantity)? {
        Some(seats) => seats,
        None => {
            row.note(Some(Role::Quantity), super::nce::NO_QUANTITY);
            Decimal::ZERO
        }
    };
    let currency = row.currency()?;
    let unit_price = row.money(Role::UnitPrice, &currency)?;
    let amount = match row.money(Role::Amount, &currency)? {
        Some(amount) => Some(amount),
        None => unit_price
            .as_ref()
            .map(|price| row.extended(Role::UnitPrice, price, seats))
            .transpose()?,
    };
    Ok(InvoiceRow {
        customer,
        product,
        term,
        charge: ChargeKind::Recurring,
        seats,
        unit_price,
        unit_cost: row.money(Role::UnitCost, &currency)?,
        amount,
    })
}
