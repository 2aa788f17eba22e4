//! A user-described CSV: every row states recurring seats in its quantity column.

use super::{Outcome, SeatRule};
use crate::domain::lines::{ChargeKind, Line, Term};
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};

/// The generic rule; it keeps no state between rows.
pub struct GenericRule;

impl SeatRule for GenericRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId, Role::ProductName], &[Role::ProductName])?;
        let seats = row.decimal(Role::Quantity)?.unwrap_or_default();
        let currency = row.currency()?;
        let unit_price = row.money(Role::UnitPrice, &currency)?;
        let amount = match row.money(Role::Amount, &currency)? {
            Some(amount) => Some(amount),
            None => unit_price.as_ref().map(|price| price.times(seats)),
        };
        Ok(Outcome::Line(Box::new(Line {
            source_line,
            customer,
            product,
            term: Term::parse_lenient(row.text(Role::Term).unwrap_or_default()),
            charge: ChargeKind::Recurring,
            seats,
            unit_price,
            unit_cost: row.money(Role::UnitCost, &currency)?,
            amount,
            period_start: row.date(Role::Start)?,
            period_end: row.date(Role::End)?,
            subscription: row.name(Role::Subscription),
        })))
    }
}
