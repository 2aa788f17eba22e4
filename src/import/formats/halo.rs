//! HaloPSA recurring invoice lines: `qty_order` of every active line is billed seats; lines
//! flagged `isinactive` are excluded. The amount is `net_amount`, else quantity × unit price.

use super::{Outcome, SeatRule};
use crate::domain::lines::{ChargeKind, Line, Term};
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};

/// The Halo seat rule; it keeps no state between rows.
pub struct HaloRule;

impl SeatRule for HaloRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId], &[Role::ProductName])?;
        if row.flag(Role::Inactive)?.unwrap_or(false) {
            return Ok(Outcome::Excluded);
        }
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
            term: Term::Unspecified,
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
