//! HaloPSA recurring invoice lines: `qty_order` of every active line is billed seats; lines
//! flagged `isinactive` are excluded. The amount is `net_amount`, else quantity × unit price.

use super::invoice_row::stated_seats;
use super::rule::{Outcome, SeatRule};
use crate::domain::lines::Term;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};

/// The Halo seat rule; it keeps no state between rows.
pub struct HaloRule;

impl SeatRule for HaloRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        // A line without `item_code` is still a product when it has Halo's own `_itemid`.
        let product = row.product(&[Role::ProductId, Role::ItemId], &[Role::ProductName])?;
        if row.flag(Role::Inactive)?.unwrap_or(false) {
            return Ok(Outcome::Excluded);
        }
        stated_seats(row, customer, product, Term::Unspecified)?.into_outcome(row, source_line)
    }
}
