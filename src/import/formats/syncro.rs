//! Syncro recurring invoice schedule lines: each line of a running schedule bills its quantity
//! as seats; lines of a paused schedule and one-time lines are excluded. A line without a Syncro
//! product is keyed by its name.

use super::invoice_row::stated_seats;
use super::rule::{Outcome, SeatRule};
use crate::domain::lines::Term;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};

/// The Syncro seat rule; it keeps no state between rows.
pub struct SyncroRule;

impl SeatRule for SyncroRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId, Role::ProductName], &[Role::ProductName])?;
        if row.flag(Role::Inactive)?.unwrap_or(false) || row.flag(Role::OneTime)?.unwrap_or(false) {
            return Ok(Outcome::Excluded);
        }
        let term = Term::parse_lenient(row.text(Role::BillingCycle).unwrap_or_default());
        stated_seats(row, customer, product, term)?.into_outcome(row, source_line)
    }
}
