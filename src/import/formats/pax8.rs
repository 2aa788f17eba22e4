//! Pax8 invoice items and subscriptions.
//!
//! Invoice items (`type` present): `subscription` states recurring seats; `prorate` is a delta
//! whose sign follows the quantity, or the cost total when the quantity is unsigned; credits
//! (`payment-credit`, `service-credit`, `invoice-credit`) and `rebate` move money only;
//! `one-time` and `service-charge` are one-time charges; `usage…` is usage. Unknown types with
//! a positive quantity count as recurring seats.
//!
//! Subscriptions (no `type`): `quantity` is the live seat count, except for cancelled,
//! converted or deleted ones, which are excluded. Vendor spend is `costTotal`, or
//! quantity × cost when the file has only unit costs.

use super::invoice_row::InvoiceRow;
use super::rule::{Outcome, SeatRule, fold, unknown_charge};
use crate::domain::lines::{ChargeKind, Term};
use crate::import::number::negated;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};
use rust_decimal::Decimal;

/// The Pax8 seat rule; it keeps no state between rows.
pub struct Pax8Rule;

/// Reads an invoice item type into a charge kind and signed seats.
pub fn classify(
    item_type: &str,
    quantity: Decimal,
    cost_total: Option<Decimal>,
) -> (ChargeKind, Decimal) {
    let folded = fold(item_type);
    match folded.as_str() {
        "subscription" => (ChargeKind::Recurring, quantity),
        "prorate" => {
            let refund = cost_total.is_some_and(|total| total < Decimal::ZERO);
            let seats = if refund {
                negated(quantity.abs())
            } else {
                quantity
            };
            (ChargeKind::Change, seats)
        }
        "onetime" | "servicecharge" | "activation" => (ChargeKind::OneTime, Decimal::ZERO),
        _ if folded.contains("credit") || folded.contains("rebate") => {
            (ChargeKind::Credit, Decimal::ZERO)
        }
        _ if folded.contains("usage") => (ChargeKind::Usage, Decimal::ZERO),
        _ => unknown_charge(quantity),
    }
}

impl SeatRule for Pax8Rule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::SkuId, Role::ProductId], &[Role::ProductName])?;
        let quantity = match row.quantity(Role::Quantity)? {
            Some(quantity) => quantity,
            None => {
                row.note(Some(Role::Quantity), super::nce::NO_QUANTITY);
                Decimal::ZERO
            }
        };
        let cost_total = row.amount(Role::Amount)?;
        let term_text = row.text(Role::Term).unwrap_or_default();
        let mut term = Term::parse_lenient(term_text);
        let (charge, seats) = match row.text(Role::ChargeType) {
            Some(item_type) => classify(item_type, quantity, cost_total),
            None => {
                let status = fold(row.text(Role::Status).unwrap_or_default());
                if matches!(
                    status.as_str(),
                    "cancelled" | "canceled" | "converted" | "deleted"
                ) {
                    return Ok(Outcome::Excluded);
                }
                if status == "trial" {
                    term = Term::Trial;
                }
                (ChargeKind::Recurring, quantity)
            }
        };
        let currency = row.currency()?;
        row.check_currency(Role::Amount, &currency)?;
        let unit_cost = row.money(Role::UnitCost, &currency)?;
        let amount = match cost_total {
            Some(total) => Some(crate::domain::money::Money::new(total, currency.clone())),
            None => unit_cost
                .as_ref()
                .map(|cost| row.extended(Role::UnitCost, cost, quantity))
                .transpose()?,
        };
        InvoiceRow {
            customer,
            product,
            term,
            charge,
            seats,
            unit_price: row.money(Role::UnitPrice, &currency)?,
            unit_cost,
            amount,
        }
        .into_outcome(row, source_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn invoice_item_types() {
        assert_eq!(
            classify("subscription", dec!(11), None),
            (ChargeKind::Recurring, dec!(11))
        );
        assert_eq!(
            classify("prorate", dec!(2), Some(dec!(-5))),
            (ChargeKind::Change, dec!(-2))
        );
        assert_eq!(
            classify("prorate", dec!(2), Some(dec!(5))),
            (ChargeKind::Change, dec!(2))
        );
        assert_eq!(
            classify("rebate", dec!(2), None),
            (ChargeKind::Credit, dec!(0))
        );
        assert_eq!(
            classify("service-credit", dec!(2), None),
            (ChargeKind::Credit, dec!(0))
        );
        assert_eq!(
            classify("one-time", dec!(1), None),
            (ChargeKind::OneTime, dec!(0))
        );
    }
}
