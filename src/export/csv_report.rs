//! The CSV reports: one row type per file, so that SUM in a spreadsheet adds like with like.
//! The gap report (the default) has one row per gap, current or fixed since the baseline; the
//! client totals and the coverage are their own files (`--what clients|coverage`).

use super::error::ExportError;
use super::formula::neutralise_formula;
use super::sections::{Delta, SectionKind, cost_to_date, fixed_cost_to_date, fixed_value};
use crate::domain::ledger::GapReferences;
use crate::domain::money::Money;
use crate::domain::reconcile::coverage_percent;
use crate::domain::report::Report;
use std::io::Write;

/// Which table a CSV report holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CsvTable {
    /// One row per gap: new, worse and still open now, and fixed since the baseline.
    #[default]
    Gaps,
    /// One row per client and currency: its gap total, net and absolute, against its threshold.
    Clients,
    /// One row per currency: vendor spend, how much of it is mapped or ignored, and the share.
    Coverage,
}

impl std::str::FromStr for CsvTable {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "gaps" => Ok(CsvTable::Gaps),
            "clients" => Ok(CsvTable::Clients),
            "coverage" => Ok(CsvTable::Coverage),
            other => Err(format!(
                "unknown CSV table '{other}': use gaps, clients or coverage"
            )),
        }
    }
}

/// The gap columns, in order. Each money column has its currency beside it, because a gap's
/// value (PSA price) and cost (vendor cost) can be in different currencies. The agreement and
/// subscription columns name the documents to open to fix the gap, and the addition column the
/// PSA record itself; several are joined with
/// `; `.
const GAP_COLUMNS: [&str; 33] = [
    "generated_on",
    "vendor_period",
    "psa_period",
    "section",
    "status",
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
    "psa_unit_price",
    "value",
    "cost_currency",
    "vendor_unit_cost",
    "cost",
    "price_basis",
    "over_threshold",
    "first_seen",
    "last_seen",
    "age_days",
    "cost_to_date",
    "vendor_keys",
    "psa_agreement_id",
    "psa_addition_id",
    "vendor_subscription_id",
    "work",
    "work_note",
    "snoozed_until",
];

/// One output row, filled by column name so that no value can land in the wrong column.
struct Row<'a> {
    columns: &'a [&'a str],
    cells: Vec<String>,
}

impl<'a> Row<'a> {
    fn new(columns: &'a [&'a str]) -> Row<'a> {
        Row {
            columns,
            cells: vec![String::new(); columns.len()],
        }
    }

    fn set(&mut self, column: &str, value: String) {
        if let Some(index) = self.columns.iter().position(|name| *name == column) {
            self.cells[index] = value;
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
            let amount = if amount_column.contains("unit_") {
                money.amount.normalize().to_string()
            } else {
                format!("{:.2}", money.amount)
            };
            self.set(amount_column, amount);
        }
    }
}

/// Writes the gap table (the CSV report).
pub(super) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ExportError> {
    write_table(report, CsvTable::Gaps, out)
}

/// Writes one of the CSV tables.
pub fn write_table(
    report: &Report,
    table: CsvTable,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    match table {
        CsvTable::Gaps => write_gaps(report, &mut writer)?,
        CsvTable::Clients => write_clients(report, &mut writer)?,
        CsvTable::Coverage => write_coverage(report, &mut writer)?,
    }
    writer.flush()?;
    Ok(())
}

fn write_gaps(
    report: &Report,
    writer: &mut csv::Writer<&mut dyn Write>,
) -> Result<(), ExportError> {
    writer.write_record(GAP_COLUMNS)?;
    let stamp = |row: &mut Row| {
        row.set("generated_on", report.generated_on.to_string());
        row.set(
            "vendor_period",
            report.vendor_period.clone().unwrap_or_default(),
        );
        row.set("psa_period", report.psa_period.clone().unwrap_or_default());
    };
    let delta = Delta::of(report);
    let over_threshold = report.over_threshold();
    for kind in [SectionKind::New, SectionKind::Worse, SectionKind::StillOpen] {
        for tracked in delta.gaps(kind) {
            let gap = &tracked.gap;
            let mut row = Row::new(&GAP_COLUMNS);
            stamp(&mut row);
            row.set("section", kind.label().to_string());
            row.set("status", tracked.status.as_str().to_string());
            row.text("company_id", &gap.company.key);
            row.text("company", &gap.company_name);
            row.text("product_id", &gap.product.key);
            row.text("product", &gap.product_name);
            row.set("term", gap.term.as_str().to_string());
            row.set("kind", gap.kind.as_str().to_string());
            row.set("vendor_seats", gap.vendor_seats.normalize().to_string());
            row.set("psa_seats", gap.psa_seats.normalize().to_string());
            row.set("delta", gap.delta.normalize().to_string());
            row.money("currency", "psa_unit_price", gap.unit_price.as_ref());
            row.money("currency", "value", gap.value.as_ref());
            row.money("cost_currency", "vendor_unit_cost", gap.unit_cost.as_ref());
            row.money("cost_currency", "cost", gap.cost.as_ref());
            let basis = serde_json::to_value(gap.price_basis)?;
            row.set(
                "price_basis",
                basis.as_str().unwrap_or_default().to_string(),
            );
            row.set("over_threshold", over_threshold.holds(tracked).to_string());
            row.set("first_seen", tracked.first_seen.to_string());
            row.set("last_seen", report.generated_on.to_string());
            row.set("age_days", tracked.age_days.to_string());
            row.money("currency", "cost_to_date", cost_to_date(tracked).as_ref());
            let keys: Vec<String> = gap
                .vendor_sources
                .iter()
                .map(|(customer, product)| format!("{customer} {product}"))
                .collect();
            row.text("vendor_keys", &keys.join("; "));
            let references = &tracked.references;
            row.text(
                "psa_agreement_id",
                &GapReferences::joined(&references.psa_agreements),
            );
            row.text(
                "psa_addition_id",
                &GapReferences::joined(&references.psa_additions),
            );
            row.text(
                "vendor_subscription_id",
                &GapReferences::joined(&references.vendor_subscriptions),
            );
            if let Some(work) = &tracked.work {
                row.set("work", work.state.as_str().to_string());
                row.text("work_note", &crate::domain::text::strip_control(&work.note));
                row.set(
                    "snoozed_until",
                    work.until.map(|day| day.to_string()).unwrap_or_default(),
                );
            }
            writer.write_record(&row.cells)?;
        }
    }
    // Fixed gaps are gaps too: the row says what it was worth when last seen.
    for prior in &delta.fixed {
        let identity = &prior.identity;
        let mut row = Row::new(&GAP_COLUMNS);
        stamp(&mut row);
        row.set("section", SectionKind::Fixed.label().to_string());
        row.set("status", "resolved".to_string());
        row.text("company_id", &identity.company.key);
        row.text("company", &prior.company_name);
        row.text("product_id", &identity.product.key);
        row.text("product", &prior.product_name);
        row.set("term", identity.term.as_str().to_string());
        row.set("kind", identity.kind.as_str().to_string());
        row.money("currency", "value", fixed_value(prior).as_ref());
        row.set("first_seen", prior.first_seen.to_string());
        row.set("last_seen", prior.last_seen.to_string());
        row.money(
            "currency",
            "cost_to_date",
            fixed_cost_to_date(prior).as_ref(),
        );
        writer.write_record(&row.cells)?;
    }
    Ok(())
}

const CLIENT_COLUMNS: [&str; 10] = [
    "generated_on",
    "company_id",
    "company",
    "currency",
    "absolute_value",
    "net_value",
    "threshold",
    "over_threshold",
    "gaps",
    "unpriced_gaps",
];

fn write_clients(
    report: &Report,
    writer: &mut csv::Writer<&mut dyn Write>,
) -> Result<(), ExportError> {
    writer.write_record(CLIENT_COLUMNS)?;
    for client in &report.clients {
        for absolute in client.absolute_value.iter() {
            let mut row = Row::new(&CLIENT_COLUMNS);
            row.set("generated_on", report.generated_on.to_string());
            row.text("company_id", &client.company.key);
            row.text("company", &client.company_name);
            row.money("currency", "absolute_value", Some(&absolute));
            let net = client.net_value.get(&absolute.currency);
            row.set("net_value", format!("{:.2}", net.amount));
            row.set("threshold", client.threshold.to_string());
            row.set("over_threshold", client.over_threshold.to_string());
            row.set("gaps", client.gap_count.to_string());
            row.set("unpriced_gaps", client.unpriced_gaps.to_string());
            writer.write_record(&row.cells)?;
        }
    }
    Ok(())
}

const COVERAGE_COLUMNS: [&str; 7] = [
    "generated_on",
    "vendor_period",
    "currency",
    "vendor_spend",
    "mapped",
    "ignored",
    "coverage",
];

fn write_coverage(
    report: &Report,
    writer: &mut csv::Writer<&mut dyn Write>,
) -> Result<(), ExportError> {
    writer.write_record(COVERAGE_COLUMNS)?;
    let coverage = &report.coverage;
    for total in coverage.total.iter() {
        let mut row = Row::new(&COVERAGE_COLUMNS);
        row.set("generated_on", report.generated_on.to_string());
        row.set(
            "vendor_period",
            report.vendor_period.clone().unwrap_or_default(),
        );
        row.money("currency", "vendor_spend", Some(&total));
        row.money(
            "currency",
            "mapped",
            Some(&coverage.mapped.get(&total.currency)),
        );
        row.money(
            "currency",
            "ignored",
            Some(&coverage.ignored.get(&total.currency)),
        );
        if let Some(share) = coverage.share(&total.currency) {
            row.set("coverage", coverage_percent(share));
        }
        writer.write_record(&row.cells)?;
    }
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
            .next()
            .expect("a gap row");
        let cell = |name: &str| {
            let index = headers
                .iter()
                .position(|header| header == name)
                .expect(name);
            gap[index].to_string()
        };
        assert_eq!(cell("kind"), "unbilled");
        assert_eq!(cell("section"), "new");
        assert_eq!(cell("generated_on"), "2026-11-25");
        assert_eq!(cell("psa_unit_price"), "25");
        assert_eq!(cell("vendor_unit_cost"), "22");
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
