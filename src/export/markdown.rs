//! The Markdown report: coverage and verdict first, then the money at stake, the clients, and
//! the four sections of the delta (new, worse, still open, fixed), each with its count and its
//! money per currency.

use super::error::ExportError;
use super::sections::{self, Delta, SectionKind, Stake};
use crate::domain::money::Money;
use crate::domain::report::Report;
use std::io::Write;

pub(super) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ExportError> {
    writeln!(out, "# Billing gap report, {}", report.generated_on)?;
    writeln!(out)?;
    writeln!(
        out,
        "Vendor period {} · PSA period {}",
        cell(report.vendor_period.as_deref().unwrap_or("none")),
        cell(report.psa_period.as_deref().unwrap_or("none"))
    )?;
    writeln!(out)?;
    writeln!(out, "**{}**", cell(&report.coverage.headline()))?;
    writeln!(out)?;
    writeln!(out, "Verdict: **{}**", report.verdict_sentence())?;
    writeln!(out)?;
    for warning in &report.warnings {
        writeln!(out, "**Warning:** {}", cell(warning))?;
        writeln!(out)?;
    }
    if let Some(note) = report.withheld_note() {
        writeln!(out, "Note: {note}")?;
        writeln!(out)?;
    }
    let delta = Delta::of(report);
    write_summary(report, &delta, out)?;
    write_clients(report, out)?;
    for kind in [SectionKind::New, SectionKind::Worse, SectionKind::StillOpen] {
        write_gap_section(&delta, kind, out)?;
    }
    write_fixed(&delta, out)
}

fn write_summary(report: &Report, delta: &Delta, out: &mut dyn Write) -> Result<(), ExportError> {
    writeln!(out, "## Money at stake")?;
    writeln!(out)?;
    let stakes = sections::money_at_stake(report);
    if stakes.is_empty() {
        writeln!(out, "No priced gaps.")?;
    } else {
        writeln!(
            out,
            "| Currency | Revenue not billed / month | Refund risk / month | At stake / month | At stake / year |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        for stake in &stakes {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                stake.currency,
                sections::cents(stake.revenue_not_billed),
                sections::cents(stake.refund_risk),
                sections::cents(stake.total()),
                sections::cents(Stake::yearly(stake.total()))
            )?;
        }
    }
    let unpriced = sections::unpriced_gaps(report);
    if unpriced > 0 {
        writeln!(out)?;
        writeln!(out, "{unpriced} gap(s) have no price and are in no total.")?;
    }
    writeln!(out)?;
    writeln!(out, "## Since the previous saved review")?;
    writeln!(out)?;
    writeln!(out, "{}", sections::baseline_note(report))?;
    writeln!(out)?;
    writeln!(out, "| Section | Gaps | Money |")?;
    writeln!(out, "|---|---:|---|")?;
    for total in delta.totals() {
        writeln!(
            out,
            "| {} | {} | {} |",
            total.kind.title(),
            total.count,
            sections::describe_total(&total)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_clients(report: &Report, out: &mut dyn Write) -> Result<(), ExportError> {
    writeln!(out, "## Clients")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Client | Gaps | Total (absolute) | Net | Threshold | Over |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---|")?;
    for client in &report.clients {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&client.company_name),
            client.gap_count,
            sections::describe_money(&client.absolute_value),
            sections::describe_money(&client.net_value),
            client.threshold,
            if client.over_threshold {
                "**yes**"
            } else {
                "no"
            }
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn money(value: Option<Money>) -> String {
    value
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "unpriced".into())
}

fn write_gap_section(
    delta: &Delta,
    kind: SectionKind,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let total = delta.total(kind);
    writeln!(out, "## {} ({})", kind.title(), total.count)?;
    writeln!(out)?;
    let gaps = delta.gaps(kind);
    if gaps.is_empty() {
        writeln!(out, "None.")?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", sections::describe_total(&total))?;
    writeln!(out)?;
    writeln!(
        out,
        "| Client | Product | Term | Kind | Vendor | PSA | Delta | Value | Cost | First seen | Age (days) | Cost to date | Status |"
    )?;
    writeln!(
        out,
        "|---|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|"
    )?;
    for tracked in gaps {
        let gap = &tracked.gap;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&gap.company_name),
            cell(&super::sections::product_with_work(tracked)),
            gap.term,
            gap.kind.as_str(),
            gap.vendor_seats.normalize(),
            gap.psa_seats.normalize(),
            gap.delta.normalize(),
            money(gap.value.clone()),
            money(gap.cost.clone()),
            tracked.first_seen,
            tracked.age_days,
            money(sections::cost_to_date(tracked)),
            tracked.status.as_str()
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_fixed(delta: &Delta, out: &mut dyn Write) -> Result<(), ExportError> {
    let total = delta.total(SectionKind::Fixed);
    writeln!(out, "## {} ({})", SectionKind::Fixed.title(), total.count)?;
    writeln!(out)?;
    if delta.fixed.is_empty() {
        writeln!(out, "None.")?;
        return Ok(());
    }
    writeln!(out, "{}", sections::describe_total(&total))?;
    writeln!(out)?;
    writeln!(
        out,
        "| Client | Product | Term | Kind | Value then | First seen | Last seen | Cost to date |"
    )?;
    writeln!(out, "|---|---|---|---|---:|---|---|---:|")?;
    for prior in &delta.fixed {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&prior.company_name),
            cell(&prior.product_name),
            prior.identity.term,
            prior.identity.kind.as_str(),
            money(sections::fixed_value(prior)),
            prior.first_seen,
            prior.last_seen,
            money(sections::fixed_cost_to_date(prior)),
        )?;
    }
    Ok(())
}

/// The characters that would make text from a file into Markdown structure: a table column
/// (`|`), an escape of the next one (`\`), a link or an image (`[`, `]`, `(`, `)`, `!`), raw
/// HTML or an autolink (`<`, `>`), an entity (`&`), emphasis or code (`*`, `_`, `~`, `` ` ``).
const MARKDOWN_SPECIALS: &[char] = &[
    '\\', '|', '[', ']', '(', ')', '!', '<', '>', '&', '*', '_', '~', '`',
];

/// An invisible character that joins its neighbours: put inside a web or mail address, it stops
/// a renderer that links bare addresses (GitHub's, and most previewers) from finding one.
const WORD_JOINER: char = '\u{2060}';

/// Text from a file in Markdown, rendered as the text it is whatever it holds: control
/// characters and line breaks are stripped (a newline would end the table row), and every
/// Markdown special is backslash-escaped, the backslash itself first, so that `Evil\|Name`
/// stays one cell and `[x](javascript:...)`, `![t](http://...)` and `<img ...>` show as
/// written instead of becoming a link, an image that loads, or HTML. A CommonMark backslash
/// escape renders as the character itself. Escapes do not stop a bare address from being
/// linked (`http://…`, `www.…`, `name@host`), so a word joiner goes after its `:`, `www` or
/// `@`: the reader sees the same text, and nothing is clickable.
pub(super) fn cell(text: &str) -> String {
    let clean = crate::domain::text::strip_control(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for (index, character) in clean.char_indices() {
        if MARKDOWN_SPECIALS.contains(&character) {
            out.push('\\');
        }
        out.push(character);
        let rest = &clean[index + character.len_utf8()..];
        let address = match character {
            ':' => rest.starts_with("//"),
            '@' => rest.starts_with(|next: char| next.is_alphanumeric()),
            'w' | 'W' => {
                rest.starts_with('.') && clean[..index].to_ascii_lowercase().ends_with("ww")
            }
            _ => false,
        };
        if address {
            out.push(WORD_JOINER);
        }
    }
    out
}
