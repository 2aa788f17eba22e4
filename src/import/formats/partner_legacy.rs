//! Microsoft Partner Center legacy license-based reconciliation rows.
//!
//! `Quantity` on fee rows (`Cycle fee`, `Renew fee`, `Activation fee`) states the recurring
//! seats. Prorate rows are deltas: negative when they cancel or convert away from the offer,
//! positive otherwise; `Cancel fee` is a negative delta. Discounts, credits and `Offset a line
//! item` move money only, and usage fees are usage. An unknown charge type with a positive
//! quantity counts as recurring seats, the same open-set choice as the NCE rule.

use super::invoice_row::InvoiceRow;
use super::rule::{Outcome, SeatRule, fold, unknown_charge};
use crate::domain::lines::{ChargeKind, Term};
use crate::import::number::negated;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};
use rust_decimal::Decimal;

/// The legacy seat rule; it keeps no state between rows.
pub struct LegacyRule;

/// Reads a legacy charge type and quantity into a charge kind and signed seats.
pub fn classify(charge_type: &str, quantity: Decimal) -> (ChargeKind, Decimal) {
    let folded = fold(charge_type);
    let removes = folded.contains("cancel")
        || folded.contains("convertaway")
        || folded.contains("convertfrom");
    if folded.contains("discount") || folded.contains("credit") || folded.contains("offset") {
        (ChargeKind::Credit, Decimal::ZERO)
    } else if folded.contains("usage") {
        (ChargeKind::Usage, Decimal::ZERO)
    } else if folded.contains("prorate") || folded == "cancelfee" {
        let seats = if removes {
            negated(quantity.abs())
        } else {
            quantity
        };
        (ChargeKind::Change, seats)
    } else if folded.ends_with("fee") {
        (ChargeKind::Recurring, quantity)
    } else {
        unknown_charge(quantity)
    }
}

impl SeatRule for LegacyRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId], &[Role::ProductName])?;
        let quantity = row.quantity(Role::Quantity)?.unwrap_or_default();
        let (charge, seats) = classify(row.text(Role::ChargeType).unwrap_or_default(), quantity);
        let term = [Role::BillingCycle, Role::Description]
            .into_iter()
            .filter_map(|role| row.text(role))
            .map(Term::parse_lenient)
            .find(|term| *term != Term::Unspecified)
            .unwrap_or(Term::Unspecified);
        let currency = row.currency()?;
        InvoiceRow {
            customer,
            product,
            term,
            charge,
            seats,
            unit_price: None,
            unit_cost: row.money(Role::UnitPrice, &currency)?,
            amount: row.money(Role::Amount, &currency)?,
        }
        .into_outcome(row, source_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn legacy_charge_types() {
        let cases = [
            ("Cycle fee", dec!(10), ChargeKind::Recurring, dec!(10)),
            ("Renew fee", dec!(10), ChargeKind::Recurring, dec!(10)),
            ("Activation fee", dec!(10), ChargeKind::Recurring, dec!(10)),
            (
                "Prorate fees when purchase",
                dec!(2),
                ChargeKind::Change,
                dec!(2),
            ),
            (
                "Prorate fees when cancel",
                dec!(2),
                ChargeKind::Change,
                dec!(-2),
            ),
            (
                "Cancel instance prorate",
                dec!(2),
                ChargeKind::Change,
                dec!(-2),
            ),
            ("Cancel fee", dec!(1), ChargeKind::Change, dec!(-1)),
            ("Cycle discount", dec!(10), ChargeKind::Credit, dec!(0)),
            ("Offset a line item", dec!(10), ChargeKind::Credit, dec!(0)),
            (
                "Assess usage fee for current cycle",
                dec!(10),
                ChargeKind::Usage,
                dec!(0),
            ),
        ];
        for (charge_type, quantity, kind, seats) in cases {
            assert_eq!(
                classify(charge_type, quantity),
                (kind, seats),
                "{charge_type}"
            );
        }
    }
}
