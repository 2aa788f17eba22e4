//! The plain-text gap table printed by `gaps` and `demo`.

use crate::domain::report::Report;
use crate::domain::text::strip_control;
use std::fmt::Write;

/// Renders coverage, verdict, clients over threshold and every gap as aligned text.
/// Over-threshold rows are marked with `!` so the meaning never depends on colour.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", report.coverage.headline());
    let _ = writeln!(
        out,
        "Periods: vendor {}, PSA {}",
        report.vendor_period.as_deref().unwrap_or("none"),
        report.psa_period.as_deref().unwrap_or("none")
    );
    let _ = writeln!(out, "Verdict: {}", report.verdict_sentence());
    for stake in crate::domain::stake::money_at_stake(report) {
        let year = crate::domain::stake::Stake::yearly;
        let _ = writeln!(
            out,
            "At stake ({code}): revenue not billed {:.2} {code}/month ({:.2} {code}/year), refund risk {:.2} {code}/month ({:.2} {code}/year)",
            stake.revenue_not_billed,
            year(stake.revenue_not_billed),
            stake.refund_risk,
            year(stake.refund_risk),
            code = stake.currency.code(),
        );
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "Warning: {warning}");
    }
    if let Some(note) = report.withheld_note() {
        let _ = writeln!(out, "Note: {note}");
    }
    let over: Vec<_> = report
        .clients
        .iter()
        .filter(|client| client.over_threshold)
        .collect();
    if !over.is_empty() {
        let _ = writeln!(out, "\nClients over threshold:");
        for client in over {
            let _ = writeln!(
                out,
                "  ! {:<40} {:>3} gap(s)  {} (threshold {})",
                fit(&client.company_name, 40),
                client.gap_count,
                client.absolute_value,
                client.threshold
            );
        }
    }
    if report.gaps.is_empty() {
        let _ = writeln!(out, "\nNo gaps among the compared lines.");
        return out;
    }
    let _ = writeln!(
        out,
        "\n  {:<28} {:<30} {:<8} {:<10} {:>7} {:>7} {:>7} {:>14} {:>14} {:>5}",
        "Client",
        "Product",
        "Term",
        "Kind",
        "Vendor",
        "PSA",
        "Delta",
        "Value/month",
        "Cost/month",
        "Age"
    );
    let over_threshold = report.over_threshold();
    for tracked in report.worklist() {
        let gap = &tracked.gap;
        let flag = if over_threshold.holds(tracked) {
            "!"
        } else {
            " "
        };
        let money = |value: &Option<crate::domain::money::Money>, missing: &str| {
            value
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| missing.to_string())
        };
        let _ = writeln!(
            out,
            "{flag} {:<28} {:<30} {:<8} {:<10} {:>7} {:>7} {:>7} {:>14} {:>14} {:>4}d",
            fit(&gap.company_name, 28),
            fit(&gap.product_name, 30),
            fit(gap.term.as_str(), 8),
            gap.kind.as_str(),
            gap.vendor_seats.normalize().to_string(),
            gap.psa_seats.normalize().to_string(),
            gap.delta.normalize().to_string(),
            money(&gap.value, "unpriced"),
            money(&gap.cost, "-"),
            tracked.age_days
        );
    }
    out
}

/// Shortens a name to `width` characters with an ellipsis, after stripping control characters.
fn fit(text: &str, width: usize) -> String {
    let clean = strip_control(text);
    if clean.chars().count() <= width {
        clean
    } else {
        let mut short: String = clean.chars().take(width.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}
