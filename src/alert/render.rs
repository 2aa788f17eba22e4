//! An alert as people read it: the subject, a plain-text part and one self-contained HTML
//! table that reads well in Outlook. Coverage comes first; "no gaps" is never said.

use crate::domain::alerting::{AlertGroup, AlertReason, AlertedGap};
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::text::strip_control;
use crate::export::html::{ALERT_COLUMNS, GapRow, document, escape, gap_table};
use std::fmt::Write;

/// A rendered alert for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedAlert {
    /// `[billgap] Contoso: 3 gaps, 412.00 USD/month unbilled`.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Renders the groups one recipient gets (one client, or a digest of several).
pub fn render(groups: &[AlertGroup]) -> RenderedAlert {
    RenderedAlert {
        subject: subject(groups),
        text: text(groups),
        html: html(groups),
    }
}

/// Money per currency as "412.00 USD + 15.00 CAD"; "0" never appears: an empty list says so.
fn moneys(amounts: &[Money]) -> String {
    let mut total = MoneyByCurrency::default();
    for money in amounts {
        total.add(money);
    }
    total.to_string()
}

fn subject(groups: &[AlertGroup]) -> String {
    let resolved = groups.iter().all(AlertGroup::is_resolved_notice);
    let gap_count: usize = groups
        .iter()
        .map(|group| group.gaps.len())
        .fold(0, usize::saturating_add);
    let unbilled: Vec<Money> = groups
        .iter()
        .flat_map(|group| group.unbilled.iter().cloned())
        .collect();
    let overbilled: Vec<Money> = groups
        .iter()
        .flat_map(|group| group.overbilled.iter().cloned())
        .collect();
    let who = match groups {
        [only] => strip_control(&only.company_name),
        _ => format!("{} clients", groups.len()),
    };
    if resolved {
        return format!("[billgap] {who}: {gap_count} gap(s) resolved");
    }
    let mut money = Vec::new();
    if !unbilled.is_empty() {
        money.push(format!("{}/month unbilled", moneys(&unbilled)));
    }
    if !overbilled.is_empty() {
        money.push(format!("{}/month overbilled", moneys(&overbilled)));
    }
    if money.is_empty() {
        money.push("unpriced".to_string());
    }
    format!("[billgap] {who}: {gap_count} gap(s), {}", money.join(", "))
}

fn reason_words(reason: AlertReason) -> &'static str {
    match reason {
        AlertReason::New => "new",
        AlertReason::Worse => "worse",
        AlertReason::Reminder => "still open",
        AlertReason::Resolved => "resolved",
    }
}

/// The measure the groups were held against (one per run, so the first group's).
fn measure(groups: &[AlertGroup]) -> Option<&'static str> {
    groups.first().map(|group| group.measure.describe())
}

fn value_text(gap: &AlertedGap) -> String {
    gap.value
        .as_ref()
        .map_or_else(|| "unpriced".to_string(), ToString::to_string)
}

fn text(groups: &[AlertGroup]) -> String {
    let mut out = String::new();
    for group in groups {
        let _ = writeln!(
            out,
            "{} ({}), as of {}",
            strip_control(&group.company_name),
            strip_control(&group.company.to_string()),
            group.as_of
        );
        let _ = writeln!(out, "{}", strip_control(&group.coverage));
        for gap in &group.gaps {
            let _ = writeln!(
                out,
                "  - {} ({}): {} {} seats (vendor {}, PSA {}), {}/month, {} days open, {} to date [{}]",
                strip_control(&gap.product_name),
                gap.term,
                gap.kind.as_str(),
                gap.delta.normalize(),
                gap.vendor_seats.normalize(),
                gap.psa_seats.normalize(),
                value_text(gap),
                gap.age_days,
                gap.cost_to_date
                    .as_ref()
                    .map_or_else(|| "-".to_string(), ToString::to_string),
                reason_words(gap.reason)
            );
        }
        out.push('\n');
    }
    out.push_str("Sent by billgap. Values are per month in each client's currency.\n");
    if let Some(measure) = measure(groups) {
        let _ = writeln!(out, "Held against the threshold: {measure}.");
    }
    out
}

/// The HTML part: per client, its name, the day and the coverage, then its gaps in the same
/// table the HTML report draws (one renderer, so the two cannot drift), in the report's style.
fn html(groups: &[AlertGroup]) -> String {
    let mut body = String::new();
    for group in groups {
        let _ = write!(
            body,
            "<h3>{} <span class=\"muted\">as of {}</span></h3><p>{}</p>",
            escape(&group.company_name),
            group.as_of,
            escape(&group.coverage)
        );
        let rows: Vec<GapRow> = group
            .gaps
            .iter()
            .map(|gap| GapRow {
                client: group.company_name.clone(),
                product: gap.product_name.clone(),
                term: gap.term,
                kind: gap.kind,
                vendor_seats: gap.vendor_seats,
                psa_seats: gap.psa_seats,
                delta: gap.delta,
                value: gap.value.clone(),
                cost: None,
                first_seen: None,
                age_days: gap.age_days,
                cost_to_date: gap.cost_to_date.clone(),
                status: reason_words(gap.reason).to_string(),
            })
            .collect();
        gap_table(&ALERT_COLUMNS, &rows, &mut body);
    }
    body.push_str(
        "<p class=\"muted\">Sent by billgap. Values are per month in each client's currency.",
    );
    if let Some(measure) = measure(groups) {
        let _ = write!(body, " Held against the threshold: {}.", escape(measure));
    }
    body.push_str("</p>");
    document(&subject(groups), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lines::{SourceKey, Term};
    use crate::domain::money::Currency;
    use crate::domain::reconcile::GapKind;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn group(name: &str) -> AlertGroup {
        let usd = Currency::parse("USD").expect("USD");
        AlertGroup {
            company: SourceKey::new("connectwise", "CONTOSO"),
            company_name: name.to_string(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 3).expect("date"),
            measure: crate::domain::alerting::Measure::Revenue,
            coverage: "Coverage: 100.0% of 1000.00 USD vendor spend (complete)".into(),
            unbilled: vec![Money::new(dec!(412), usd.clone())],
            overbilled: Vec::new(),
            gaps: vec![AlertedGap {
                key: "k".into(),
                product: SourceKey::new("connectwise", "M365-BP"),
                product_name: "M365 Business Premium".into(),
                term: Term::Monthly,
                kind: GapKind::Unbilled,
                vendor_seats: dec!(12),
                psa_seats: dec!(8),
                delta: dec!(4),
                value: Some(Money::new(dec!(412), usd)),
                age_days: 3,
                cost_to_date: None,
                reason: AlertReason::New,
            }],
        }
    }

    #[test]
    fn the_subject_names_the_client_and_the_money() {
        let alert = render(&[group("Contoso")]);
        assert_eq!(
            alert.subject,
            "[billgap] Contoso: 1 gap(s), 412.00 USD/month unbilled"
        );
        assert!(alert.text.starts_with("Contoso (connectwise:CONTOSO)"));
        assert!(alert.text.contains("Coverage: 100.0%"));
    }

    #[test]
    fn a_name_cannot_add_markup_to_the_html_part() {
        let alert = render(&[group("<script>x</script> & \u{1b}[31mCo")]);
        assert!(!alert.html.contains("<script>"));
        assert!(alert.html.contains("&lt;script&gt;"));
        assert!(!alert.html.contains('\u{1b}'));
        assert!(!alert.subject.contains('\u{1b}'));
    }

    #[test]
    fn the_alert_says_which_measure_met_the_threshold() {
        let mut margin = group("Contoso");
        margin.measure = crate::domain::alerting::Measure::Margin;
        let alert = render(&[margin]);
        assert!(
            alert.text.contains("Held against the threshold: margin"),
            "{}",
            alert.text
        );
        assert!(alert.html.contains("Held against the threshold: margin"));
        let revenue = render(&[group("Contoso")]);
        assert!(
            revenue
                .text
                .contains("Held against the threshold: revenue not billed")
        );
    }
}
