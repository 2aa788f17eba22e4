//! The HTML report: one self-contained page (no scripts, no external assets, no links) that
//! reads on screen and prints on A4 and Letter alike. It has the same sections as every other
//! format, and an inline SVG bar chart of the money at stake per client, one chart per
//! currency.
//!
//! Every text from a file goes through [`escape`], so a client name can never add markup.

mod chart;
mod gap_table;

pub use chart::CHART_CLIENTS;
pub use gap_table::{ALERT_COLUMNS, GapColumn, GapRow, REPORT_COLUMNS, gap_table};

use super::error::ExportError;
use super::sections::{self, Delta, SectionKind, SectionTotal, Stake};
use crate::domain::ledger::TrackedGap;
use crate::domain::money::Money;
use crate::domain::report::Report;
use std::fmt::Write as _;

/// The page's style. No `@page` size is set, so the printer's paper (A4 or Letter) is used;
/// the layout is fluid and fits the narrower of the two.
const STYLE: &str = "\
body{font-family:\"Segoe UI\",Arial,Helvetica,sans-serif;font-size:14px;color:#1a1a1a;max-width:1100px;margin:24px auto;padding:0 16px}\
h1{font-size:22px;margin:0 0 4px}\
h2{font-size:17px;margin:24px 0 6px;border-bottom:1px solid #bbb;padding-bottom:2px}\
h3{font-size:14px;margin:12px 0 4px}\
.muted,.count{color:#555;font-weight:normal}\
.verdict{font-weight:600}\
.warning{background:#fff4e5;border-left:4px solid #d68910;padding:6px 10px;margin:6px 0}\
table{border-collapse:collapse;width:100%;margin:6px 0 12px}\
th,td{border:1px solid #d0d0d0;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}\
th{background:#f0f0f0}\
.num{text-align:right;white-space:nowrap}\
tr.over td:first-child{font-weight:600}\
figure{margin:8px 0 16px}\
svg{max-width:100%;height:auto}\
@page{margin:12mm}\
@media print{\
body{max-width:none;margin:0;padding:0;font-size:9pt}\
h1{font-size:15pt}\
h2{font-size:12pt;break-after:avoid;page-break-after:avoid}\
table{font-size:8pt}\
th,td{padding:2px 4px}\
thead{display:table-header-group}\
tr,figure{break-inside:avoid;page-break-inside:avoid}\
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\
}";

/// Escapes text for HTML (and SVG): control characters are stripped first, then `&`, `<`,
/// `>`, `"` and `'` become entities, so the result is safe in element content and in quoted
/// attributes alike.
pub fn escape(text: &str) -> String {
    let clean = crate::domain::text::strip_control(text);
    let mut out = String::with_capacity(clean.len());
    for character in clean.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The whole report as one HTML document.
pub fn render(report: &Report) -> String {
    let delta = Delta::of(report);
    let mut out = String::new();
    let title = format!("Billing gap report, {}", report.generated_on);
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p class=\"muted\">Vendor period {} · PSA period {}</p></header>",
        escape(&title),
        escape(report.vendor_period.as_deref().unwrap_or("none")),
        escape(report.psa_period.as_deref().unwrap_or("none"))
    );
    coverage(report, &mut out);
    summary(report, &delta, &mut out);
    chart::chart(report, &mut out);
    clients(report, &mut out);
    for kind in [SectionKind::New, SectionKind::Worse, SectionKind::StillOpen] {
        gap_section(&delta, kind, &mut out);
    }
    fixed_section(&delta, &mut out);
    let _ = writeln!(
        out,
        "<footer><p class=\"muted\">Made by billgap on {}. Values are per month in each gap's own currency; amounts in different currencies are never added.</p></footer>",
        report.generated_on
    );
    document(&title, &out)
}

/// A whole HTML document around `body` (already HTML), with the report's style: the report
/// and the alert emails look alike.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        escape(title)
    )
}

/// Writes the report as HTML.
pub(super) fn write(report: &Report, out: &mut dyn std::io::Write) -> Result<(), ExportError> {
    out.write_all(render(report).as_bytes())?;
    Ok(())
}

fn money_cell(value: Option<Money>) -> String {
    gap_table::money(value.as_ref())
}

fn coverage(report: &Report, out: &mut String) {
    let coverage = &report.coverage;
    let _ = write!(
        out,
        "<section id=\"coverage\"><h2>Coverage</h2><p><strong>{}</strong></p>",
        escape(&coverage.headline())
    );
    if !coverage.total.is_empty() {
        out.push_str(
            "<table><thead><tr><th>Currency</th><th class=\"num\">Vendor spend</th><th class=\"num\">Compared</th><th class=\"num\">Ignored</th><th class=\"num\">Coverage</th></tr></thead><tbody>",
        );
        for total in coverage.total.iter() {
            let currency = &total.currency;
            let _ = write!(
                out,
                "<tr><td>{currency}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&total.to_string()),
                escape(&coverage.mapped.get(currency).to_string()),
                escape(&coverage.ignored.get(currency).to_string()),
                coverage.share(currency).map_or_else(
                    || "-".to_string(),
                    crate::domain::reconcile::coverage_percent
                )
            );
        }
        out.push_str("</tbody></table>");
    }
    for (what, keys) in [
        ("customers", &coverage.unmapped_customers),
        ("products", &coverage.unmapped_products),
    ] {
        if !keys.is_empty() {
            let list: Vec<String> = keys.iter().map(|key| escape(&key.to_string())).collect();
            let _ = write!(
                out,
                "<p>Unmapped vendor {what} ({}): {}</p>",
                keys.len(),
                list.join(", ")
            );
        }
    }
    let _ = write!(
        out,
        "<p class=\"verdict\">Verdict: {}</p>",
        escape(&report.verdict_sentence())
    );
    for warning in &report.warnings {
        let _ = write!(
            out,
            "<p class=\"warning\"><strong>Warning:</strong> {}</p>",
            escape(warning)
        );
    }
    if let Some(note) = report.withheld_note() {
        let _ = write!(out, "<p class=\"muted\">Note: {}</p>", escape(&note));
    }
    out.push_str("</section>\n");
}

fn summary(report: &Report, delta: &Delta, out: &mut String) {
    out.push_str("<section id=\"money-at-stake\"><h2>Money at stake</h2>");
    let stakes = sections::money_at_stake(report);
    if stakes.is_empty() {
        out.push_str("<p>No priced gaps.</p>");
    } else {
        out.push_str(
            "<table><thead><tr><th>Currency</th><th class=\"num\">Revenue not billed / month</th><th class=\"num\">Refund risk / month</th><th class=\"num\">At stake / month</th><th class=\"num\">At stake / year</th></tr></thead><tbody>",
        );
        for stake in &stakes {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                stake.currency,
                sections::cents(stake.revenue_not_billed),
                sections::cents(stake.refund_risk),
                sections::cents(stake.total()),
                sections::cents(Stake::yearly(stake.total()))
            );
        }
        out.push_str("</tbody></table>");
    }
    let unpriced = sections::unpriced_gaps(report);
    if unpriced > 0 {
        let _ = write!(
            out,
            "<p>{unpriced} gap(s) have no price and are in no total.</p>"
        );
    }
    out.push_str("</section>\n");
    let _ = write!(
        out,
        "<section id=\"delta\"><h2>Since the previous saved review</h2><p class=\"muted\">{}</p>",
        escape(sections::baseline_note(report))
    );
    out.push_str(
        "<table><thead><tr><th>Section</th><th class=\"num\">Gaps</th><th>Money</th></tr></thead><tbody>",
    );
    for total in delta.totals() {
        let _ = write!(
            out,
            "<tr><td><a href=\"#{}\">{}</a></td><td class=\"num\">{}</td><td>{}</td></tr>",
            total.kind.slug(),
            total.kind.title(),
            total.count,
            escape(&sections::describe_total(&total))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn clients(report: &Report, out: &mut String) {
    out.push_str("<section id=\"clients\"><h2>Clients</h2>");
    if report.clients.is_empty() {
        out.push_str("<p>No client has gaps.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Client</th><th class=\"num\">Gaps</th><th class=\"num\">At stake (absolute)</th><th class=\"num\">Net</th><th class=\"num\">Threshold</th><th>Over</th></tr></thead><tbody>",
    );
    for client in &report.clients {
        let _ = write!(
            out,
            "<tr{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            if client.over_threshold {
                " class=\"over\""
            } else {
                ""
            },
            escape(&client.company_name),
            client.gap_count,
            escape(&sections::describe_money(&client.absolute_value)),
            escape(&sections::describe_money(&client.net_value)),
            client.threshold,
            if client.over_threshold { "yes" } else { "no" }
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn section_heading(total: &SectionTotal, out: &mut String) {
    let _ = write!(
        out,
        "<section id=\"{}\" data-count=\"{}\"><h2>{} <span class=\"count\">({})</span></h2>",
        total.kind.slug(),
        total.count,
        total.kind.title(),
        total.count,
    );
    if total.count > 0 {
        let _ = write!(out, "<p>{}</p>", escape(&sections::describe_total(total)));
    }
}

fn gap_section(delta: &Delta, kind: SectionKind, out: &mut String) {
    section_heading(&delta.total(kind), out);
    let gaps = delta.gaps(kind);
    if gaps.is_empty() {
        out.push_str("<p class=\"muted\">None.</p></section>\n");
        return;
    }
    let rows: Vec<GapRow> = gaps.iter().map(|tracked| report_row(tracked)).collect();
    gap_table(&REPORT_COLUMNS, &rows, out);
    out.push_str("</section>\n");
}

/// A current gap of the report as a row of the shared gap table.
fn report_row(tracked: &TrackedGap) -> GapRow {
    let gap = &tracked.gap;
    GapRow {
        client: gap.company_name.clone(),
        product: sections::product_with_work(tracked),
        term: gap.term,
        kind: gap.kind,
        vendor_seats: gap.vendor_seats,
        psa_seats: gap.psa_seats,
        delta: gap.delta,
        value: gap.value.clone(),
        cost: gap.cost.clone(),
        first_seen: Some(tracked.first_seen),
        age_days: tracked.age_days,
        cost_to_date: sections::cost_to_date(tracked),
        status: tracked.status.as_str().to_string(),
    }
}

fn fixed_section(delta: &Delta, out: &mut String) {
    section_heading(&delta.total(SectionKind::Fixed), out);
    if delta.fixed.is_empty() {
        out.push_str("<p class=\"muted\">None.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Client</th><th>Product</th><th>Term</th><th>Kind</th><th class=\"num\">Value / month then</th><th>First seen</th><th>Last seen</th><th class=\"num\">Cost to date</th></tr></thead><tbody>",
    );
    for prior in &delta.fixed {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            escape(&prior.company_name),
            escape(&prior.product_name),
            prior.identity.term,
            prior.identity.kind.as_str(),
            money_cell(sections::fixed_value(prior)),
            prior.first_seen,
            prior.last_seen,
            money_cell(sections::fixed_cost_to_date(prior))
        );
    }
    out.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_strips_controls_and_neutralises_markup() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape("a\"b'c&\u{1b}d"), "a&quot;b&#39;c&amp;d");
    }
}
