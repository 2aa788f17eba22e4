//! Sherweb payable charges: `Recurring` charges state seats, `Setup` is one-time, `Usage` is
//! usage, anything else counts as recurring seats when its quantity is positive.
//!
//! The customer is not a field of a charge in the spec; it is in the charge's `tags`
//! (`[{"name": …, "value": …}]`), under names the spec does not document. A CSV may carry it
//! in its own columns, which win; otherwise the first tag whose name mentions "customer" is
//! used, an id-like tag name (`…id`) as the key and any other as the name.

use super::invoice_row::InvoiceRow;
use super::rule::{Outcome, SeatRule, fold, unknown_charge};
use crate::domain::lines::{ChargeKind, Party, Term};
use crate::import::profile::Role;
use crate::import::row::{CellError, Row, clean_key};
use rust_decimal::Decimal;

/// The Sherweb seat rule; it keeps no state between rows.
pub struct SherwebRule;

#[derive(serde::Deserialize)]
struct Tag {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: serde_json::Value,
}

/// The customer named by the charge's tags, if any.
fn customer_from_tags(tags: &str) -> Option<Party> {
    let tags: Vec<Tag> = serde_json::from_str(tags).ok()?;
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    let customer: Vec<(String, String)> = tags
        .iter()
        .filter(|tag| fold(&tag.name).contains("customer"))
        .filter_map(|tag| Some((fold(&tag.name).to_string(), text(&tag.value)?)))
        .collect();
    let id = customer
        .iter()
        .find(|(name, _)| name.ends_with("id"))
        .map(|(_, value)| clean_key(value));
    let name = customer
        .iter()
        .find(|(name, _)| !name.ends_with("id"))
        .map(|(_, value)| crate::domain::text::strip_control(value));
    let key = id.clone().or_else(|| name.clone())?;
    Some(Party {
        name: name.unwrap_or_else(|| key.clone()),
        key,
        domain: None,
        external_id: None,
    })
}

/// Reads a charge type and quantity into a charge kind and signed seats.
pub fn classify(charge_type: &str, quantity: Decimal) -> (ChargeKind, Decimal) {
    match fold(charge_type).as_str() {
        "recurring" => (ChargeKind::Recurring, quantity),
        "setup" => (ChargeKind::OneTime, Decimal::ZERO),
        "usage" => (ChargeKind::Usage, Decimal::ZERO),
        _ => unknown_charge(quantity),
    }
}

impl SeatRule for SherwebRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let has_column =
            row.text(Role::CustomerId).is_some() || row.text(Role::CustomerName).is_some();
        let customer = match row.text(Role::Tags).and_then(customer_from_tags) {
            Some(customer) if !has_column => customer,
            _ => row.party(Role::CustomerId, Role::CustomerName)?,
        };
        let product = row.product(&[Role::SkuId, Role::ProductId], &[Role::ProductName])?;
        let quantity = row.quantity(Role::Quantity)?.unwrap_or_default();
        let (charge, seats) = classify(row.text(Role::ChargeType).unwrap_or_default(), quantity);
        let term = Term::parse_lenient(row.text(Role::BillingCycle).unwrap_or_default());
        let currency = row.currency()?;
        InvoiceRow {
            customer,
            product,
            term,
            charge,
            seats,
            unit_price: row.money(Role::UnitPrice, &currency)?,
            unit_cost: row.money(Role::UnitCost, &currency)?,
            amount: row.money(Role::Amount, &currency)?,
        }
        .into_outcome(row, source_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_comes_from_its_tags() {
        let tags = r#"[{"name":"Customer Id","value":"c-42"},{"name":"CustomerName","value":"Contoso"},{"name":"Region","value":"CA"}]"#;
        let party = customer_from_tags(tags).expect("a customer");
        assert_eq!(
            (party.key.as_str(), party.name.as_str()),
            ("c-42", "Contoso")
        );
        assert!(customer_from_tags(r#"[{"name":"Region","value":"CA"}]"#).is_none());
        assert!(customer_from_tags("not json").is_none());
    }
}
