//! The report's sheets as data: what goes in which cell, with its type.

use super::cell::{Cell, Sheet};
use crate::domain::ledger::{GapReferences, TrackedGap};
use crate::domain::money::{Currency, Money};
use crate::domain::reconcile::PriceBasis;
use crate::domain::report::{OverThreshold, Report};
use crate::export::sections::{self, Delta, SectionKind, Stake};
use std::collections::BTreeSet;

/// The Gaps sheet's columns.
pub(super) const GAP_HEADER: [&str; 24] = [
    "Section",
    "Status",
    "Client",
    "Client ID",
    "Product",
    "Product ID",
    "Term",
    "Kind",
    "Currency",
    "Vendor seats",
    "PSA seats",
    "Delta seats",
    "PSA unit price",
    "Vendor unit cost",
    "Value / month",
    "Cost / month",
    "Price basis",
    "First seen",
    "Age (days)",
    "Cost to date",
    "Over threshold",
    "PSA agreement",
    "PSA addition",
    "Vendor subscription",
];

const CLIENT_HEADER: [&str; 9] = [
    "Client",
    "Client ID",
    "Gaps",
    "Unpriced gaps",
    "Currency",
    "At stake / month",
    "Net / month",
    "Threshold / month",
    "Over threshold",
];

const FIXED_HEADER: [&str; 11] = [
    "Client",
    "Client ID",
    "Product",
    "Product ID",
    "Term",
    "Kind",
    "Currency",
    "Value / month then",
    "First seen",
    "Last seen",
    "Cost to date",
];

const COVERAGE_HEADER: [&str; 3] = ["Unmapped", "Vendor system", "Vendor key"];

/// Every sheet, in tab order.
pub(super) fn build(report: &Report) -> Vec<Sheet> {
    let delta = Delta::of(report);
    vec![
        summary(report, &delta),
        gaps(report, &delta),
        clients(report),
        fixed(&delta),
        coverage(report),
    ]
}

fn label(text: &str) -> Cell {
    Cell::Text(text.to_string())
}

fn note(text: &str) -> Cell {
    match Cell::text(text) {
        Cell::Text(clean) => Cell::Note(clean),
        other => other,
    }
}

fn header(cells: &[&str]) -> Vec<Cell> {
    cells
        .iter()
        .map(|text| Cell::Header((*text).into()))
        .collect()
}

fn money(amount: rust_decimal::Decimal, currency: &Currency) -> Cell {
    Cell::Money(Money::new(amount, currency.clone()))
}

fn optional_money(value: Option<Money>) -> Cell {
    value.map_or(Cell::Empty, Cell::Money)
}

/// Agreement or subscription ids in one text cell; empty when the exports name none.
fn references(ids: &[String]) -> Cell {
    if ids.is_empty() {
        Cell::Empty
    } else {
        Cell::text(&GapReferences::joined(ids))
    }
}

fn yes_no(value: bool) -> Cell {
    label(if value { "yes" } else { "no" })
}

fn summary(report: &Report, delta: &Delta) -> Sheet {
    let mut rows = vec![
        vec![Cell::Title("Billing gap report".into())],
        vec![label("Generated on"), Cell::Date(report.generated_on)],
        vec![
            label("Vendor period"),
            Cell::text(report.vendor_period.as_deref().unwrap_or("none")),
        ],
        vec![
            label("PSA period"),
            Cell::text(report.psa_period.as_deref().unwrap_or("none")),
        ],
        vec![label("Verdict"), note(&report.verdict_sentence())],
        vec![label("Coverage"), note(&report.coverage.headline())],
    ];
    for warning in &report.warnings {
        rows.push(vec![label("Warning"), note(warning)]);
    }
    if let Some(withheld) = report.withheld_note() {
        rows.push(vec![label("Note"), note(&withheld)]);
    }
    rows.push(vec![
        label("Baseline"),
        note(sections::baseline_note(report)),
    ]);
    rows.push(Vec::new());

    rows.push(header(&[
        "Coverage per currency",
        "Vendor spend",
        "Compared",
        "Ignored",
        "Not compared",
        "Coverage",
    ]));
    let coverage = &report.coverage;
    for total in coverage.total.iter() {
        let currency = &total.currency;
        let mapped = coverage.mapped.get(currency).amount;
        let ignored = coverage.ignored.get(currency).amount;
        let not_compared = total.amount.saturating_sub(mapped).saturating_sub(ignored);
        rows.push(vec![
            label(currency.code()),
            money(total.amount, currency),
            money(mapped, currency),
            money(ignored, currency),
            money(not_compared, currency),
            coverage.share(currency).map_or(Cell::Empty, Cell::Percent),
        ]);
    }
    rows.push(Vec::new());

    rows.push(header(&[
        "Money at stake",
        "Revenue not billed / month",
        "Refund risk / month",
        "At stake / month",
        "Revenue not billed / year",
        "Refund risk / year",
        "At stake / year",
    ]));
    for stake in sections::money_at_stake(report) {
        let currency = &stake.currency;
        rows.push(vec![
            label(currency.code()),
            money(stake.revenue_not_billed, currency),
            money(stake.refund_risk, currency),
            money(stake.total(), currency),
            money(Stake::yearly(stake.revenue_not_billed), currency),
            money(Stake::yearly(stake.refund_risk), currency),
            money(Stake::yearly(stake.total()), currency),
        ]);
    }
    let unpriced = sections::unpriced_gaps(report);
    if unpriced > 0 {
        rows.push(vec![
            label("Unpriced gaps (in no total)"),
            Cell::count(unpriced),
        ]);
    }
    rows.push(Vec::new());

    let totals = delta.totals();
    let currencies: BTreeSet<Currency> = totals
        .iter()
        .flat_map(|total| total.money.iter().map(|money| money.currency))
        .collect();
    let money_headers: Vec<String> = currencies
        .iter()
        .map(|currency| format!("{currency} / month"))
        .collect();
    let mut section_header = header(&["Since the previous saved review", "Gaps", "Unpriced"]);
    section_header.extend(money_headers.iter().map(|text| Cell::Header(text.clone())));
    rows.push(section_header);
    for total in &totals {
        let mut row = vec![
            label(total.kind.title()),
            Cell::count(total.count),
            Cell::count(total.unpriced),
        ];
        row.extend(
            currencies
                .iter()
                .map(|currency| Cell::Money(total.money.get(currency))),
        );
        rows.push(row);
    }
    Sheet {
        name: "Summary",
        rows,
        list: false,
    }
}

fn price_basis(basis: PriceBasis) -> &'static str {
    match basis {
        PriceBasis::ClientPrice => "client's price",
        PriceBasis::OtherClientsPrice => "other clients' price",
        PriceBasis::VendorCost => "vendor cost",
        PriceBasis::MarginLoss => "margin lost",
        PriceBasis::Unpriced => "unpriced",
    }
}

fn gap_row(
    over_threshold: &OverThreshold<'_>,
    section: SectionKind,
    tracked: &TrackedGap,
) -> Vec<Cell> {
    let gap = &tracked.gap;
    vec![
        label(section.label()),
        label(tracked.status.as_str()),
        Cell::text(&gap.company_name),
        Cell::text(&gap.company.key),
        Cell::text(&crate::export::sections::product_with_work(tracked)),
        Cell::text(&gap.product.key),
        label(gap.term.as_str()),
        label(gap.kind.as_str()),
        gap.value
            .as_ref()
            .map_or(Cell::Empty, |value| label(value.currency.code())),
        Cell::Number(gap.vendor_seats),
        Cell::Number(gap.psa_seats),
        Cell::Number(gap.delta),
        gap.unit_price.clone().map_or(Cell::Empty, Cell::UnitPrice),
        gap.unit_cost.clone().map_or(Cell::Empty, Cell::UnitPrice),
        optional_money(gap.value.clone()),
        optional_money(gap.cost.clone()),
        label(price_basis(gap.price_basis)),
        Cell::Date(tracked.first_seen),
        Cell::Number(tracked.age_days.into()),
        optional_money(sections::cost_to_date(tracked)),
        yes_no(over_threshold.holds(tracked)),
        references(&tracked.references.psa_agreements),
        references(&tracked.references.psa_additions),
        references(&tracked.references.vendor_subscriptions),
    ]
}

fn gaps(report: &Report, delta: &Delta) -> Sheet {
    let over_threshold = report.over_threshold();
    let over_threshold = &over_threshold;
    let rows = [SectionKind::New, SectionKind::Worse, SectionKind::StillOpen]
        .into_iter()
        .flat_map(|section| {
            delta
                .gaps(section)
                .iter()
                .map(move |tracked| gap_row(over_threshold, section, tracked))
        })
        .collect();
    Sheet::table("Gaps", &GAP_HEADER, rows)
}

fn clients(report: &Report) -> Sheet {
    let mut rows = Vec::new();
    for client in &report.clients {
        let lead = || {
            vec![
                Cell::text(&client.company_name),
                Cell::text(&client.company.key),
                Cell::count(client.gap_count),
                Cell::count(client.unpriced_gaps),
            ]
        };
        if client.absolute_value.is_empty() {
            let mut row = lead();
            row.extend([
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Number(client.threshold),
                yes_no(client.over_threshold),
            ]);
            rows.push(row);
        }
        // One row per currency: a client's totals in two currencies are never added.
        for absolute in client.absolute_value.iter() {
            let currency = &absolute.currency;
            let mut row = lead();
            row.extend([
                label(currency.code()),
                Cell::Money(absolute.clone()),
                Cell::Money(client.net_value.get(currency)),
                money(client.threshold, currency),
                yes_no(client.over_threshold),
            ]);
            rows.push(row);
        }
    }
    Sheet::table("Clients", &CLIENT_HEADER, rows)
}

fn fixed(delta: &Delta) -> Sheet {
    let rows = delta
        .fixed
        .iter()
        .map(|prior| {
            let identity = &prior.identity;
            vec![
                Cell::text(&prior.company_name),
                Cell::text(&identity.company.key),
                Cell::text(&prior.product_name),
                Cell::text(&identity.product.key),
                label(identity.term.as_str()),
                label(identity.kind.as_str()),
                identity
                    .currency
                    .as_ref()
                    .map_or(Cell::Empty, |currency| label(currency.code())),
                optional_money(sections::fixed_value(prior)),
                Cell::Date(prior.first_seen),
                Cell::Date(prior.last_seen),
                optional_money(sections::fixed_cost_to_date(prior)),
            ]
        })
        .collect();
    Sheet::table("Fixed", &FIXED_HEADER, rows)
}

fn coverage(report: &Report) -> Sheet {
    let coverage = &report.coverage;
    let customers = coverage
        .unmapped_customers
        .iter()
        .map(|key| ("customer", key));
    let products = coverage
        .unmapped_products
        .iter()
        .map(|key| ("product", key));
    let rows = customers
        .chain(products)
        .map(|(what, key)| vec![label(what), Cell::text(&key.system), Cell::text(&key.key)])
        .collect();
    Sheet::table("Coverage", &COVERAGE_HEADER, rows)
}
