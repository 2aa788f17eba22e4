//! The HTML report's charts: inline SVG, one bar chart per currency, because amounts in
//! different currencies are never added or compared.

use super::escape;
use crate::domain::money::Currency;
use crate::domain::report::Report;
use crate::export::sections::{self, ClientStake};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// How many clients a chart shows per currency.
pub const CHART_CLIENTS: usize = 15;

/// Colour of revenue not billed (the red of an unbilled row in the workbench).
const UNDER_COLOUR: &str = "#c0392b";
/// Colour of refund risk (the amber of an overbilled row).
const OVER_COLOUR: &str = "#d68910";

/// The section with one bar chart of money at stake per client for each currency.
pub(super) fn chart(report: &Report, out: &mut String) {
    out.push_str("<section id=\"chart\"><h2>Money at stake per client</h2>");
    let charts = sections::top_clients(report, CHART_CLIENTS);
    if charts.is_empty() {
        out.push_str("<p>No priced gaps.</p>");
    }
    for (currency, clients) in &charts {
        bar_chart(currency, clients, out);
    }
    out.push_str("</section>\n");
}

/// A horizontal bar per client: revenue not billed then refund risk, end to end, scaled to the
/// largest client of this currency.
fn bar_chart(currency: &Currency, clients: &[ClientStake], out: &mut String) {
    const ROW: usize = 24;
    const BAR: usize = 18;
    const LABEL: usize = 210;
    const AREA: u32 = 330;
    const WIDTH: usize = 700;
    let largest = clients
        .iter()
        .map(ClientStake::total)
        .max()
        .unwrap_or_default();
    let height = clients.len() * ROW + 30;
    let _ = write!(
        out,
        "<figure><svg role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" font-family=\"Segoe UI,Arial,Helvetica,sans-serif\" font-size=\"12\"><title>Money at stake per client, {currency} per month</title>"
    );
    for (index, client) in clients.iter().enumerate() {
        let top = index * ROW;
        let text_y = top + 13;
        let under = scale(client.revenue_not_billed, largest, AREA);
        let over = scale(client.refund_risk, largest, AREA);
        let name = escape(&client.company_name);
        let _ = write!(
            out,
            "<g><title>{name}: {} {currency} revenue not billed, {} {currency} refund risk</title><text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\">{}</text>",
            sections::cents(client.revenue_not_billed),
            sections::cents(client.refund_risk),
            LABEL - 6,
            escape(&shorten(&client.company_name, 30)),
        );
        let over_start = Decimal::from(LABEL).saturating_add(under);
        for (start, width, colour) in [
            (Decimal::from(LABEL), under, UNDER_COLOUR),
            (over_start, over, OVER_COLOUR),
        ] {
            if !width.is_zero() {
                let _ = write!(
                    out,
                    "<rect x=\"{start}\" y=\"{top}\" width=\"{width}\" height=\"{BAR}\" fill=\"{colour}\"/>"
                );
            }
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{text_y}\">{} {currency}</text></g>",
            over_start
                .saturating_add(over)
                .saturating_add(Decimal::from(6)),
            sections::cents(client.total()),
        );
    }
    let legend = clients.len() * ROW + 8;
    let _ = write!(
        out,
        "<rect x=\"{LABEL}\" y=\"{legend}\" width=\"12\" height=\"12\" fill=\"{UNDER_COLOUR}\"/><text x=\"{}\" y=\"{}\">revenue not billed</text><rect x=\"{}\" y=\"{legend}\" width=\"12\" height=\"12\" fill=\"{OVER_COLOUR}\"/><text x=\"{}\" y=\"{}\">refund risk</text></svg><figcaption class=\"muted\">{currency} per month; the {} client(s) with the most at stake.</figcaption></figure>",
        LABEL + 16,
        legend + 10,
        LABEL + 150,
        LABEL + 166,
        legend + 10,
        clients.len()
    );
}

/// A bar's length in pixels, to a tenth: `amount` of `largest` over `area` pixels. Geometry,
/// not money, but kept in decimals anyway so nothing here can panic or drift.
fn scale(amount: Decimal, largest: Decimal, area: u32) -> Decimal {
    amount
        .checked_mul(Decimal::from(area))
        .and_then(|product| product.checked_div(largest))
        .unwrap_or_default()
        .round_dp(1)
}

/// A name cut to `limit` characters with an ellipsis, for a chart label.
fn shorten(name: &str, limit: usize) -> String {
    let clean = crate::domain::text::strip_control(name);
    if clean.chars().count() <= limit {
        clean
    } else {
        let mut short: String = clean.chars().take(limit.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_never_divide_by_zero() {
        assert_eq!(
            scale(Decimal::from(50), Decimal::from(100), 330),
            Decimal::from(165)
        );
        assert_eq!(scale(Decimal::ONE, Decimal::ZERO, 330), Decimal::ZERO);
    }

    #[test]
    fn long_names_are_shortened_for_the_chart() {
        assert_eq!(shorten("Short", 30), "Short");
        assert_eq!(shorten(&"x".repeat(40), 10).chars().count(), 10);
    }
}
