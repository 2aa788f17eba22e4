//! The HTML report: one self-contained page with the four delta sections and their counts, an
//! inline SVG chart per currency, print styles for A4 and Letter, no script, no external
//! asset, and every name escaped.

#[allow(dead_code)]
mod export_support;

use billgap::export::{ExportFormat, write_report};
use export_support::{ClientLine, HOSTILE};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn html(report: &billgap::domain::report::Report) -> String {
    let mut bytes = Vec::new();
    write_report(report, ExportFormat::Html, &mut bytes).expect("html");
    String::from_utf8(bytes).expect("utf-8")
}

/// The text of the section with an id, from its opening tag to its end.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("section {id}"));
    let end = page[start..].find("</section>").expect("section end") + start;
    &page[start..end]
}

#[test]
fn the_page_has_the_four_sections_with_their_counts_and_money() {
    let page = html(&export_support::delta_report());
    for (id, title, count) in [
        ("new", "New since the previous saved review", 1),
        ("worse", "Worse since the previous saved review", 1),
        ("still-open", "Still open", 2),
        ("fixed", "Fixed since the previous saved review", 1),
    ] {
        let part = section(&page, id);
        assert!(
            part.contains(&format!("data-count=\"{count}\"")),
            "{id}: {part}"
        );
        assert!(
            part.contains(&format!("{title} <span class=\"count\">({count})</span>")),
            "{id}: {part}"
        );
    }
    assert!(section(&page, "new").contains("50.00 USD a month"));
    assert!(section(&page, "still-open").contains("7.50 CAD + 38.00 USD a month"));
    let still_open = section(&page, "still-open");
    assert!(still_open.contains("2026-10-01"), "first seen");
    assert!(still_open.contains("101.75 CAD"), "cost to date");
    assert!(section(&page, "fixed").contains("Fixed Co"));
    assert!(section(&page, "fixed").contains("20.00 USD a month"));
    let money = section(&page, "money-at-stake");
    assert!(money.contains("<td>USD</td><td class=\"num\">110.00</td><td class=\"num\">38.00</td><td class=\"num\">148.00</td><td class=\"num\">1776.00</td>"), "{money}");
    assert!(section(&page, "coverage").contains("Coverage:"));
}

#[test]
fn the_page_is_self_contained_and_prints() {
    let page = html(&export_support::delta_report());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(
        !page.contains("http:") && !page.contains("https:"),
        "no URL"
    );
    assert!(
        !page.contains("<link") && !page.contains("<img"),
        "no asset"
    );
    assert!(
        !page.contains(" src=\"") && !page.contains(" href=\"http"),
        "nothing loaded"
    );
    assert!(page.contains("@media print"));
    assert!(page.contains("@page"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
}

#[test]
fn a_hostile_client_name_is_escaped_everywhere() {
    let page = html(&export_support::delta_report());
    assert!(!page.contains(HOSTILE));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let chart = section(&page, "chart");
    assert!(
        chart.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{chart}"
    );
}

#[test]
fn the_chart_has_one_svg_per_currency_and_never_adds_them() {
    let page = html(&export_support::delta_report());
    let chart = section(&page, "chart");
    assert_eq!(chart.matches("<svg").count(), 2, "{chart}");
    assert!(chart.contains("Money at stake per client, CAD per month"));
    assert!(chart.contains("Money at stake per client, USD per month"));
    let usd = &chart[chart.find("USD per month</title>").expect("USD chart")..];
    let usd = &usd[..usd.find("</svg>").expect("end")];
    assert_eq!(usd.matches("<g>").count(), 3, "three USD clients");
    assert!(!usd.contains("CAD"), "no CAD amount in the USD chart");
    // The largest USD client fills the whole bar area.
    assert!(usd.contains("width=\"330\""), "{usd}");
}

#[test]
fn the_chart_shows_the_fifteen_largest_clients() {
    let names: Vec<(String, String)> = (0..20)
        .map(|index| (format!("C{index:02}"), format!("Client {index:02}")))
        .collect();
    let lines: Vec<ClientLine> = names
        .iter()
        .enumerate()
        .map(|(index, (key, name))| {
            (
                key.as_str(),
                name.as_str(),
                "USD",
                Decimal::from(index + 2),
                dec!(1),
                dec!(10),
            )
        })
        .collect();
    let (vendor, psa, mappings) = export_support::positions(&lines);
    let today = export_support::today();
    let result =
        billgap::domain::reconcile::reconcile(&vendor, &psa, &mappings, &Default::default(), today);
    let (gaps, resolved) = billgap::domain::ledger::track(&result.gaps, &Default::default(), today);
    let report = billgap::domain::report::Report::new(today, None, None, result, gaps, resolved);
    let page = html(&report);
    let chart = section(&page, "chart");
    assert_eq!(chart.matches("<g>").count(), 15);
    assert!(chart.contains("Client 19"), "the largest is shown");
    assert!(!chart.contains("Client 04"), "a small one is not");
    assert!(page.contains("No saved review to compare with yet"));
}

#[test]
fn the_sample_data_through_a_real_store_renders_every_section() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::sample_report(folder.path());
    let page = html(&report);
    let fixed = section(&page, "fixed");
    assert!(!fixed.contains("data-count=\"0\""), "{fixed}");
    assert!(fixed.contains("Meridian"), "{fixed}");
    let total: usize = ["new", "worse", "still-open"]
        .iter()
        .map(|id| {
            let part = section(&page, id);
            let start = part.find("data-count=\"").expect("count") + "data-count=\"".len();
            let end = part[start..].find('"').expect("quote") + start;
            part[start..end].parse::<usize>().expect("number")
        })
        .sum();
    assert_eq!(total, report.gaps.len());
    assert!(section(&page, "chart").contains("<svg"));
}

/// The rows of the gap tables of the sections new, worse and still open: 13 cells each, as
/// written (escaped).
fn gap_rows(page: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for id in ["new", "worse", "still-open"] {
        let part = section(page, id);
        let Some(body) = part.split("<tbody>").nth(1) else {
            continue;
        };
        for row in body.split("<tr>").skip(1) {
            let cells: Vec<String> = row
                .split("<td")
                .skip(1)
                .map(|cell| {
                    let start = cell.find('>').expect("cell") + 1;
                    cell[start..cell.find("</td>").expect("cell end")].to_string()
                })
                .collect();
            assert_eq!(cells.len(), 13, "{row}");
            rows.push(cells);
        }
    }
    rows
}

/// "60.00 USD" as an exact amount and its currency.
fn money(cell: &str) -> (Decimal, String) {
    let (amount, currency) = cell
        .split_once(' ')
        .unwrap_or_else(|| panic!("money {cell}"));
    (amount.parse().expect("amount"), currency.to_string())
}

/// A JSON money object as an exact amount and its currency.
fn json_money(value: &serde_json::Value) -> (Decimal, String) {
    (
        value["amount"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| value["amount"].to_string())
            .parse()
            .expect("amount"),
        value["currency"].as_str().expect("currency").to_string(),
    )
}

fn json_decimal(value: &serde_json::Value) -> Decimal {
    value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
        .parse()
        .expect("a number")
}

#[test]
fn the_numbers_on_the_page_equal_the_json_reports() {
    let folder = tempfile::tempdir().expect("temp");
    let report = export_support::sample_report(folder.path());
    let page = html(&report);
    let mut json = Vec::new();
    write_report(&report, ExportFormat::Json, &mut json).expect("json");
    let json: serde_json::Value = serde_json::from_slice(&json).expect("json");
    let rows = gap_rows(&page);
    let gaps = json["gaps"].as_array().expect("gaps");
    assert_eq!(rows.len(), gaps.len(), "one row per gap");
    for (tracked, gap) in report.gaps.iter().zip(gaps) {
        let client = billgap::export::html::escape(&tracked.gap.company_name);
        let product =
            billgap::export::html::escape(&billgap::export::sections::product_with_work(tracked));
        let row = rows
            .iter()
            .find(|row| {
                row[0] == client && row[1] == product && row[2] == tracked.gap.term.to_string()
            })
            .unwrap_or_else(|| panic!("{client} {product} on the page"));
        let inner = &gap["gap"];
        assert_eq!(row[3], inner["kind"].as_str().expect("kind"));
        assert_eq!(
            row[4].parse::<Decimal>().expect("seats"),
            json_decimal(&inner["vendor_seats"])
        );
        assert_eq!(
            row[5].parse::<Decimal>().expect("seats"),
            json_decimal(&inner["psa_seats"])
        );
        assert_eq!(
            row[6].parse::<Decimal>().expect("delta"),
            json_decimal(&inner["delta"])
        );
        assert_eq!(
            money(&row[7]),
            json_money(&inner["value"]),
            "{client} value"
        );
        if inner["cost"].is_null() {
            assert_eq!(row[8], "unpriced");
        } else {
            assert_eq!(money(&row[8]), json_money(&inner["cost"]), "{client} cost");
        }
        assert_eq!(row[10], gap["age_days"].to_string());
        let (to_date, currency) = money(&row[11]);
        assert_eq!(
            to_date,
            json_decimal(&gap["accumulated"]),
            "{client} cost to date"
        );
        assert_eq!(currency, json_money(&inner["value"]).1);
        assert_eq!(row[12], gap["status"].as_str().expect("status"));
    }
    // Money at stake per currency on the page equals the JSON gaps' absolute values summed.
    let mut at_stake: std::collections::BTreeMap<String, Decimal> = Default::default();
    for gap in gaps {
        let (amount, currency) = json_money(&gap["gap"]["value"]);
        *at_stake.entry(currency).or_default() += amount.abs();
    }
    let stake = section(&page, "money-at-stake");
    for (currency, total) in at_stake {
        let row = &stake[stake
            .find(&format!("<td>{currency}</td>"))
            .expect("currency row")..];
        let cells: Vec<&str> = row
            .split("<td class=\"num\">")
            .skip(1)
            .take(3)
            .map(|cell| &cell[..cell.find("</td>").expect("end")])
            .collect();
        assert_eq!(
            cells[2].parse::<Decimal>().expect("at stake"),
            total,
            "{currency}"
        );
    }
}
