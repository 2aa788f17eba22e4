//! The CSV report: one table, one `record` column to tell coverage, client and gap rows apart,
//! so that a spreadsheet can filter it without a second file.

use super::{ExportError, neutralise_formula};
use crate::domain::reconcile::coverage_percent;
use crate::domain::report::Report;
use std::io::Write;

const HEADER: [&str; 22] = [
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
    "unit_cost",
    "value",
    "cost",
    "price_basis",
    "over_threshold",
    "threshold",
    "first_seen",
    "age_days",
    "cost_to_date",
    "status",
];

pub(super) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    let blank = |count: usize| vec![String::new(); count];
    for total in report.coverage.total.iter() {
        let mut row = vec!["coverage".to_string()];
        row.extend(blank(9));
        row.push(total.currency.code().to_string());
        row.extend(blank(2));
        row.push(total.amount.to_string());
        row.push(String::new());
        row.push(
            report
                .coverage
                .share(&total.currency)
                .map(coverage_percent)
                .unwrap_or_default(),
        );
        row.extend(blank(HEADER.len() - row.len()));
        writer.write_record(&row)?;
    }
    for client in &report.clients {
        for money in client.absolute_value.iter() {
            let mut row = vec![
                "client".to_string(),
                neutralise_formula(&client.company.key),
                neutralise_formula(&client.company_name),
            ];
            row.extend(blank(7));
            row.push(money.currency.code().to_string());
            row.extend(blank(2));
            row.push(money.amount.to_string());
            row.extend(blank(2));
            row.push(client.over_threshold.to_string());
            row.push(client.threshold.to_string());
            row.extend(blank(HEADER.len() - row.len()));
            writer.write_record(&row)?;
        }
    }
    for tracked in &report.gaps {
        let gap = &tracked.gap;
        let amount = |money: &Option<crate::domain::money::Money>| {
            money
                .as_ref()
                .map(|money| money.amount.to_string())
                .unwrap_or_default()
        };
        let currency = gap
            .value
            .as_ref()
            .or(gap.unit_cost.as_ref())
            .map(|money| money.currency.code().to_string())
            .unwrap_or_default();
        writer.write_record([
            "gap".to_string(),
            neutralise_formula(&gap.company.key),
            neutralise_formula(&gap.company_name),
            neutralise_formula(&gap.product.key),
            neutralise_formula(&gap.product_name),
            gap.term.as_str().to_string(),
            gap.kind.as_str().to_string(),
            gap.vendor_seats.normalize().to_string(),
            gap.psa_seats.normalize().to_string(),
            gap.delta.normalize().to_string(),
            currency,
            amount(&gap.unit_price),
            amount(&gap.unit_cost),
            amount(&gap.value),
            amount(&gap.cost),
            serde_json::to_value(gap.price_basis)
                .ok()
                .and_then(|value| value.as_str().map(str::to_string))
                .unwrap_or_default(),
            report.is_over_threshold(tracked).to_string(),
            String::new(),
            tracked.first_seen.to_string(),
            tracked.age_days.to_string(),
            tracked.accumulated.to_string(),
            tracked.status.as_str().to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
