//! The CSV report: one table, one `record` column to tell coverage, client and gap rows apart,
//! so that a spreadsheet can filter it without a second file.

use super::error::ExportError;
use super::formula::neutralise_formula;
use crate::domain::money::Money;
use crate::domain::reconcile::coverage_percent;
use crate::domain::report::Report;
use std::io::Write;

/// The columns, in order. Each money column has its currency beside it, because a gap's value
/// (PSA price) and cost (vendor cost) can be in different currencies.
const HEADER: [&str; 24] = [
    "record",
    "company_id",
    "company",
    "product_id",
    "product",
    "term",
    "kind",
    "vendor_seats",
    "psa_seats",
    "delta",
    "currency",
    "unit_price",
    "value",
    "cost_currency",
    "unit_cost",
    "cost",
    "price_basis",
    "coverage",
    "over_threshold",
    "threshold",
    "first_seen",
    "age_days",
    "cost_to_date",
    "status",
];

/// One output row, filled by column name so that no value can land in the wrong column.
struct Row([String; HEADER.len()]);

impl Row {
    fn new(record: &str) -> Row {
        let mut row = Row(Default::default());
        row.set("record", record.to_string());
        row
    }

    fn set(&mut self, column: &str, value: String) {
        if let Some(index) = HEADER.iter().position(|name| *name == column) {
            self.0[index] = value;
        }
    }

    /// A text cell from a file: neutralised against spreadsheet formulas.
    fn text(&mut self, column: &str, value: &str) {
        self.set(column, neutralise_formula(value));
    }

    /// An amount and its currency. Totals are written in cents ("50.00"); unit prices keep
    /// every decimal the source gave ("0.03825").
    fn money(&mut self, currency_column: &str, amount_column: &str, money: Option<&Money>) {
        if let Some(money) = money {
            self.set(currency_column, money.currency.code().to_string());
            let amount = if amount_column.starts_with("unit_") {
                money.amount.normalize().to_string()
            } else {
                format!("{:.2}", money.amount)
            };
            self.set(amount_column, amount);
        }
    }
}

pub(super) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for total in report.coverage.total.iter() {
        let mut row = Row::new("coverage");
        row.money("currency", "value", Some(&total));
        if let Some(share) = report.coverage.share(&total.currency) {
            row.set("coverage", coverage_percent(share));
        }
        writer.write_record(&row.0)?;
    }
    for client in &report.clients {
        for money in client.absolute_value.iter() {
            let mut row = Row::new("client");
            row.text("company_id", &client.company.key);
            row.text("company", &client.company_name);
            row.money("currency", "value", Some(&money));
            row.set("over_threshold", client.over_threshold.to_string());
            row.set("threshold", client.threshold.to_string());
            writer.write_record(&row.0)?;
        }
    }
    for tracked in &report.gaps {
        let gap = &tracked.gap;
        let mut row = Row::new("gap");
        row.text("company_id", &gap.company.key);
        row.text("company", &gap.company_name);
        row.text("product_id", &gap.product.key);
        row.text("product", &gap.product_name);
        row.set("term", gap.term.as_str().to_string());
        row.set("kind", gap.kind.as_str().to_string());
        row.set("vendor_seats", gap.vendor_seats.normalize().to_string());
        row.set("psa_seats", gap.psa_seats.normalize().to_string());
        row.set("delta", gap.delta.normalize().to_string());
        row.money("currency", "unit_price", gap.unit_price.as_ref());
        row.money("currency", "value", gap.value.as_ref());
        row.money("cost_currency", "unit_cost", gap.unit_cost.as_ref());
        row.money("cost_currency", "cost", gap.cost.as_ref());
        let basis = serde_json::to_value(gap.price_basis)?;
        row.set(
            "price_basis",
            basis.as_str().unwrap_or_default().to_string(),
        );
        row.set(
            "over_threshold",
            report.is_over_threshold(tracked).to_string(),
        );
        row.set("first_seen", tracked.first_seen.to_string());
        row.set("age_days", tracked.age_days.to_string());
        row.set("cost_to_date", tracked.accumulated.to_string());
        row.set("status", tracked.status.as_str().to_string());
        writer.write_record(&row.0)?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::domain::lines::{SourceKey, Term};
    use crate::domain::money::Currency;
    use crate::domain::reconcile::{MappingSet, Position, Thresholds, reconcile};
    use crate::domain::report::Report;
    use crate::export::{ExportFormat, write_report};
    use rust_decimal_macros::dec;

    fn position(system: &str, customer: &str, product: &str, currency: &str) -> Position {
        Position {
            customer: SourceKey::new(system, customer),
            customer_name: format!("=cmd|' /C calc'!A0 {customer}"),
            product: SourceKey::new(system, product),
            product_name: product.to_string(),
            term: Term::Monthly,
            currency: Currency::parse(currency).expect("valid"),
            seats: dec!(10),
            spend: dec!(220),
            unit_price: Some(dec!(25)),
            unit_cost: Some(dec!(22)),
        }
    }

    #[test]
    fn each_money_column_carries_its_own_currency_and_text_is_neutralised() {
        let vendor = [position("microsoft", "t", "BP", "USD")];
        let mut billed = position("connectwise", "ACME", "M365-BP", "EUR");
        billed.seats = dec!(8);
        let mut mappings = MappingSet::default();
        mappings.clients.insert(
            SourceKey::new("microsoft", "t"),
            SourceKey::new("connectwise", "ACME"),
        );
        mappings.products.insert(
            (SourceKey::new("microsoft", "BP"), None),
            SourceKey::new("connectwise", "M365-BP"),
        );
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let result = reconcile(&vendor, &[billed], &mappings, &Thresholds::default(), today);
        let gaps = crate::domain::ledger::track(&result.gaps, &Default::default(), today).0;
        let report = Report::new(today, None, None, result, gaps, Vec::new());
        let mut out = Vec::new();
        write_report(&report, ExportFormat::Csv, &mut out).expect("csv");
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let headers = reader.headers().expect("headers").clone();
        let gap = reader
            .records()
            .map(|record| record.expect("row"))
            .find(|record| &record[0] == "gap")
            .expect("a gap row");
        let cell = |name: &str| {
            let index = headers
                .iter()
                .position(|header| header == name)
                .expect(name);
            gap[index].to_string()
        };
        assert_eq!(cell("kind"), "unbilled");
        assert_eq!(
            (cell("currency"), cell("value")),
            ("EUR".into(), "50.00".into())
        );
        assert_eq!(
            (cell("cost_currency"), cell("cost")),
            ("USD".into(), "44.00".into())
        );
        assert!(cell("company").starts_with("'="), "{}", cell("company"));
    }
}
