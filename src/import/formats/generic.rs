//! A user-described CSV: every row states recurring seats in its quantity column.

use super::invoice_row::stated_seats;
use super::rule::{Outcome, SeatRule};
use crate::domain::lines::Term;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};

/// The generic rule; it keeps no state between rows.
pub struct GenericRule;

impl SeatRule for GenericRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId, Role::ProductName], &[Role::ProductName])?;
        let term = Term::parse_lenient(row.text(Role::Term).unwrap_or_default());
        stated_seats(row, customer, product, term)?.into_outcome(row, source_line)
    }
}
