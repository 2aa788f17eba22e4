//! The Markdown report: coverage and verdict first, then clients, then every gap.

use super::ExportError;
use crate::domain::report::Report;
use std::io::Write;

pub(super) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ExportError> {
    writeln!(out, "# Billing gap report, {}", report.generated_on)?;
    writeln!(out)?;
    writeln!(
        out,
        "Vendor period {} · PSA period {}",
        report.vendor_period.as_deref().unwrap_or("none"),
        report.psa_period.as_deref().unwrap_or("none")
    )?;
    writeln!(out)?;
    writeln!(out, "**{}**", cell(&report.coverage.headline()))?;
    writeln!(out)?;
    writeln!(out, "Verdict: **{}**", report.verdict.describe())?;
    writeln!(out)?;
    for warning in &report.warnings {
        writeln!(out, "**Warning:** {}", cell(warning))?;
        writeln!(out)?;
    }
    if let Some(note) = report.withheld_note() {
        writeln!(out, "Note: {note}")?;
        writeln!(out)?;
    }
    writeln!(out, "## Clients")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Client | Gaps | Total (absolute) | Threshold | Over |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---|")?;
    for client in &report.clients {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&client.company_name),
            client.gap_count,
            client.absolute_value,
            client.threshold,
            if client.over_threshold {
                "**yes**"
            } else {
                "no"
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "## Gaps")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Client | Product | Term | Kind | Vendor | PSA | Delta | Value | Cost | Age (days) | Status |"
    )?;
    writeln!(out, "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|")?;
    for tracked in &report.gaps {
        let gap = &tracked.gap;
        let money = |value: &Option<crate::domain::money::Money>| {
            value
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "unpriced".into())
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&gap.company_name),
            cell(&gap.product_name),
            gap.term,
            gap.kind.as_str(),
            gap.vendor_seats.normalize(),
            gap.psa_seats.normalize(),
            gap.delta.normalize(),
            money(&gap.value),
            money(&gap.cost),
            tracked.age_days,
            tracked.status.as_str()
        )?;
    }
    Ok(())
}

/// A table cell: control characters stripped and pipes escaped so a name cannot break the table.
fn cell(text: &str) -> String {
    crate::domain::text::strip_control(text).replace('|', "\\|")
}
