//! Microsoft Partner Center NCE invoice reconciliation rows.
//!
//! Seats come from `BillableQuantity` (Microsoft: "use BillableQuantity for reconciliation"),
//! falling back to `Quantity`, signed by the charge type:
//! - `New`, `Renew`, `cycleCharge`, `Cycle fee`, `Convert`, `Purchase`: recurring, +seats;
//! - `addQuantity`: a change, +seats;
//! - `removeQuantity`, `Cancel`, `Refund`: a change, −seats (a positive quantity is negated);
//! - anything mentioning credit, refund or discount, and `Offset a line item`: credit, no seats;
//! - anything mentioning usage: usage, no seats.
//!
//! Charge types are an open set in the wild. An unknown one with a positive quantity is read
//! as recurring seats, since seat-bearing rows are what a recon file is mostly made of; with
//! no positive quantity it is a credit (money only), so an unknown refund can never add seats.

use super::invoice_row::InvoiceRow;
use super::rule::{Outcome, SeatRule, TermMemo, fold, unknown_charge};
use crate::domain::lines::{ChargeKind, Product, Term};
use crate::domain::money::Money;
use crate::import::number::negated;
use crate::import::profile::Role;
use crate::import::row::{CellError, Row, clean_key, clean_key_borrowed};
use rust_decimal::Decimal;

/// The summary's note for a SkuId that lost its leading zeros.
pub const SKU_PADDED: &str =
    "rows whose SkuId lost its leading zeros (a spreadsheet re-save), read as 4 digits";

/// The summary's note for a row that states no quantity at all.
pub const NO_QUANTITY: &str = "rows without a quantity, read as 0 seats";

/// The NCE seat rule; it keeps no state between rows but the terms it has read.
#[derive(Debug, Default)]
pub struct NceRule {
    terms: TermMemo,
}

/// Reads a charge type and signed quantity into a charge kind and signed seats.
pub fn classify(charge_type: &str, quantity: Decimal) -> (ChargeKind, Decimal) {
    let folded = fold(charge_type);
    match folded.as_str() {
        "new" | "renew" | "cyclecharge" | "cyclefee" | "convert" | "purchase" => {
            (ChargeKind::Recurring, quantity)
        }
        "addquantity" => (ChargeKind::Change, quantity),
        "removequantity" | "cancel" | "refund" => (ChargeKind::Change, negated(quantity.abs())),
        _ if folded.contains("credit")
            || folded.contains("refund")
            || folded.contains("discount")
            || folded.contains("offset") =>
        {
            (ChargeKind::Credit, Decimal::ZERO)
        }
        _ if folded.contains("usage") => (ChargeKind::Usage, Decimal::ZERO),
        _ => unknown_charge(quantity),
    }
}

impl SeatRule for NceRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product_id = row
            .text(Role::ProductId)
            .map(clean_key)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| row.invalid(Role::ProductId, "a product id", ""))?;
        // SkuId stays text: `0001` is not the number one. Microsoft's SkuIds are four digits,
        // and a spreadsheet re-save turns `0002` into `2`, which would re-key every product.
        // The key grows from the product id in place: this runs for every row of a file.
        let mut key = product_id;
        match row.text(Role::SkuId) {
            Some(sku) if sku.len() < 4 && sku.bytes().all(|b| b.is_ascii_digit()) => {
                row.note(Some(Role::SkuId), SKU_PADDED);
                key.push(':');
                key.extend(std::iter::repeat_n('0', 4_usize.saturating_sub(sku.len())));
                key.push_str(sku);
            }
            Some(sku) => {
                key.push(':');
                key.push_str(&clean_key_borrowed(sku));
            }
            None => {}
        }
        let name = row
            .name(Role::SkuName)
            .or_else(|| row.name(Role::ProductName))
            .unwrap_or_else(|| key.clone());
        let quantity = match row.quantity(Role::BillableQuantity)? {
            Some(quantity) => quantity,
            None => match row.quantity(Role::Quantity)? {
                Some(quantity) => quantity,
                None => {
                    row.note(Some(Role::BillableQuantity), NO_QUANTITY);
                    Decimal::ZERO
                }
            },
        };
        let (charge, seats) = classify(row.text(Role::ChargeType).unwrap_or_default(), quantity);
        let trial = row.text(Role::Qualifiers).is_some_and(|qualifiers| {
            qualifiers
                .as_bytes()
                .windows(5)
                .any(|word| word.eq_ignore_ascii_case(b"trial"))
        });
        let term = if trial {
            Term::Trial
        } else {
            self.terms.parse(row.text(Role::Term).unwrap_or_default())
        };
        let currency = row.currency()?;
        let rate = row.decimal(Role::ExchangeRate)?.unwrap_or(Decimal::ONE);
        if rate <= Decimal::ZERO {
            let cell = row.text(Role::ExchangeRate).unwrap_or_default();
            return Err(row.invalid(Role::ExchangeRate, "a positive exchange rate", cell));
        }
        // Microsoft: ROUNDDOWN(EffectiveUnitPrice * PCToBCExchangeRate, 2) per seat.
        let in_billing_currency = |role: Role| -> Result<Option<Money>, CellError> {
            match row.money(role, &currency)? {
                Some(price) => Ok(Some(row.extended(role, &price, rate)?.round_cents_down())),
                None => Ok(None),
            }
        };
        let unit_cost = in_billing_currency(Role::EffectiveUnitPrice)?;
        let unit_price = in_billing_currency(Role::UnitPrice)?;
        InvoiceRow {
            customer,
            product: Product { key, name },
            term,
            charge,
            seats,
            unit_price,
            unit_cost,
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
    fn charge_types_sign_the_seats() {
        let cases = [
            ("New", dec!(5), ChargeKind::Recurring, dec!(5)),
            ("new", dec!(5), ChargeKind::Recurring, dec!(5)),
            ("cycleCharge", dec!(5), ChargeKind::Recurring, dec!(5)),
            ("Cycle fee", dec!(5), ChargeKind::Recurring, dec!(5)),
            ("addQuantity", dec!(2), ChargeKind::Change, dec!(2)),
            ("removeQuantity", dec!(2), ChargeKind::Change, dec!(-2)),
            ("removeQuantity", dec!(-2), ChargeKind::Change, dec!(-2)),
            ("Cancel", dec!(3), ChargeKind::Change, dec!(-3)),
            ("One Time Refund", dec!(3), ChargeKind::Credit, dec!(0)),
            ("Offset a line item", dec!(3), ChargeKind::Credit, dec!(0)),
            (
                "Assess usage fee for current cycle",
                dec!(3),
                ChargeKind::Usage,
                dec!(0),
            ),
            ("somethingNew", dec!(4), ChargeKind::Recurring, dec!(4)),
            ("somethingNew", dec!(-4), ChargeKind::Credit, dec!(0)),
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
