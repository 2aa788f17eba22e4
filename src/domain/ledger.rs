//! The gap ledger: how long each gap has been open, what it has cost so far, and how it moved
//! since the previous run.
//!
//! A gap's identity ([`GapIdentity`]) is (company, product, term, kind, currency of its value).
//! Its cost to date grows between runs by its monthly value prorated over the days between them
//! (a 30-day month), because a gap found on day 3 and one found in month 4 differ exactly by that
//! money.

use crate::domain::reconcile::{Gap, GapIdentity};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// A gap as the previous run recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorGap {
    /// Identity.
    pub identity: GapIdentity,
    /// Company name, for reporting a resolved gap.
    pub company_name: String,
    /// Product name.
    pub product_name: String,
    /// Absolute monthly value then.
    pub magnitude: Decimal,
    /// First day it was seen.
    pub first_seen: NaiveDate,
    /// The day of the latest run that recorded it.
    pub last_seen: NaiveDate,
    /// Money it had cost up to that run.
    pub accumulated: Decimal,
    /// True when the most recent run recorded it, so that its absence now means resolved.
    pub in_latest_run: bool,
}

/// How a gap moved since the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapStatus {
    /// Not there last time.
    New,
    /// Larger absolute value than last time.
    Worse,
    /// Smaller absolute value than last time.
    Better,
    /// Same value.
    Unchanged,
    /// There last time, gone now.
    Resolved,
}

impl GapStatus {
    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapStatus::New => "new",
            GapStatus::Worse => "worse",
            GapStatus::Better => "better",
            GapStatus::Unchanged => "unchanged",
            GapStatus::Resolved => "resolved",
        }
    }
}

/// A current gap with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackedGap {
    /// The gap.
    pub gap: Gap,
    /// First day seen.
    pub first_seen: NaiveDate,
    /// Days since first seen.
    pub age_days: i64,
    /// Money the gap has cost since first seen, in the gap's value currency.
    pub accumulated: Decimal,
    /// Movement since the previous run.
    pub status: GapStatus,
    /// What the billing owner recorded doing about it (acknowledged, fixed in the PSA,
    /// snoozed), if anything; filled from the store when the report is made.
    pub work: Option<crate::domain::gap_work::GapWork>,
    /// The agreements and subscriptions behind it, as the imports name them; filled from the
    /// store when a report is written, so the billing owner can find the line to fix (empty
    /// on the workbench's screens, whose drill-down shows the lines themselves).
    pub references: GapReferences,
}

/// The source documents behind a gap, distinct and in file order: where to look in the PSA and
/// at the vendor to fix it. Empty when the exports name none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GapReferences {
    /// The PSA agreements (contracts, recurring invoices) whose lines bill the gap's product
    /// to the client: the id the export gives, or the agreement's name when it has no id.
    pub psa_agreements: Vec<String>,
    /// The PSA's own records behind the gap, where its export names them: the ConnectWise
    /// additions, Autotask contract services, Halo or Syncro lines to correct.
    pub psa_additions: Vec<String>,
    /// The vendor subscriptions whose lines stand behind the gap's vendor seats.
    pub vendor_subscriptions: Vec<String>,
}

impl GapReferences {
    /// The references of some lines: each distinct, in the order first met.
    pub fn distinct<'a>(references: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut distinct: Vec<String> = Vec::new();
        for reference in references {
            let reference = reference.trim();
            if !reference.is_empty() && !distinct.iter().any(|known| known == reference) {
                distinct.push(reference.to_string());
            }
        }
        distinct
    }

    /// Several references in one cell, as every report writes them: `a; b`.
    pub fn joined(references: &[String]) -> String {
        references.join("; ")
    }
}

/// Carries the ledger forward to `today`: each current gap gets its age, cost to date and
/// status from the latest run that recorded it (not only the last run, so a gap hidden for one
/// run, for example while coverage was incomplete, keeps its history); gaps of the most recent
/// run that are gone are returned as resolved.
pub fn track(
    current: &[Gap],
    previous: &HashMap<GapIdentity, PriorGap>,
    today: NaiveDate,
) -> (Vec<TrackedGap>, Vec<PriorGap>) {
    let mut seen = std::collections::HashSet::new();
    let tracked = current
        .iter()
        .map(|gap| {
            let identity = GapIdentity::of(gap);
            seen.insert(identity.clone());
            match previous.get(&identity) {
                None => TrackedGap {
                    gap: gap.clone(),
                    first_seen: today,
                    age_days: 0,
                    accumulated: Decimal::ZERO,
                    status: GapStatus::New,
                    work: None,
                    references: GapReferences::default(),
                },
                Some(prior) => {
                    let elapsed_days = (today - prior.last_seen).num_days().max(0);
                    let accrued = prior.magnitude * Decimal::from(elapsed_days) / Decimal::from(30);
                    let magnitude = gap.magnitude();
                    TrackedGap {
                        gap: gap.clone(),
                        first_seen: prior.first_seen,
                        age_days: (today - prior.first_seen).num_days().max(0),
                        accumulated: (prior.accumulated + accrued).round_dp(2),
                        status: if magnitude > prior.magnitude {
                            GapStatus::Worse
                        } else if magnitude < prior.magnitude {
                            GapStatus::Better
                        } else {
                            GapStatus::Unchanged
                        },
                        work: None,
                        references: GapReferences::default(),
                    }
                }
            }
        })
        .collect();
    let mut resolved: Vec<PriorGap> = previous
        .iter()
        .filter(|(identity, prior)| prior.in_latest_run && !seen.contains(*identity))
        .map(|(_, prior)| prior.clone())
        .collect();
    resolved.sort_by(|a, b| a.identity.cmp(&b.identity));
    (tracked, resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lines::{SourceKey, Term};
    use crate::domain::money::{Currency, Money};
    use crate::domain::reconcile::{GapKind, PriceBasis};
    use rust_decimal_macros::dec;

    #[test]
    fn references_are_distinct_in_file_order_and_joined_with_semicolons() {
        let found = GapReferences::distinct(["3138", " 3138 ", "", "3140", "3138"]);
        assert_eq!(found, ["3138", "3140"]);
        assert_eq!(GapReferences::joined(&found), "3138; 3140");
        assert_eq!(GapReferences::joined(&[]), "");
    }

    fn gap(value: Decimal) -> Gap {
        Gap {
            company: SourceKey::new("connectwise", "ACME"),
            company_name: "Acme".into(),
            product: SourceKey::new("connectwise", "M365-BP"),
            product_name: "Business Premium".into(),
            term: Term::Monthly,
            kind: GapKind::Unbilled,
            vendor_seats: dec!(12),
            psa_seats: dec!(10),
            delta: dec!(2),
            unit_price: None,
            unit_cost: None,
            value: Some(Money::new(value, Currency::parse("USD").expect("valid"))),
            cost: None,
            price_basis: PriceBasis::ClientPrice,
            vendor_sources: Vec::new(),
        }
    }

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).expect("valid date")
    }

    #[test]
    fn a_gap_ages_and_accumulates_its_cost_between_runs() {
        let (first, _) = track(&[gap(dec!(150))], &HashMap::new(), day(9, 1));
        assert_eq!(first[0].status, GapStatus::New);
        let prior: HashMap<_, _> = first
            .iter()
            .map(|tracked| {
                (
                    GapIdentity::of(&tracked.gap),
                    PriorGap {
                        identity: GapIdentity::of(&tracked.gap),
                        company_name: tracked.gap.company_name.clone(),
                        product_name: tracked.gap.product_name.clone(),
                        magnitude: tracked.gap.magnitude(),
                        first_seen: tracked.first_seen,
                        last_seen: day(9, 1),
                        accumulated: tracked.accumulated,
                        in_latest_run: true,
                    },
                )
            })
            .collect();
        let (second, resolved) = track(&[gap(dec!(165))], &prior, day(10, 1));
        assert!(resolved.is_empty());
        assert_eq!(second[0].age_days, 30);
        assert_eq!(second[0].accumulated, dec!(150));
        assert_eq!(second[0].status, GapStatus::Worse);

        let (third, resolved) = track(&[], &prior, day(9, 8));
        assert!(third.is_empty());
        assert_eq!(resolved.len(), 1);

        let mut hidden_last_run = prior.clone();
        for entry in hidden_last_run.values_mut() {
            entry.in_latest_run = false;
        }
        let (_, resolved) = track(&[], &hidden_last_run, day(9, 8));
        assert!(
            resolved.is_empty(),
            "resolved is reported once, by the run after the last sighting"
        );
        let (back, _) = track(&[gap(dec!(150))], &hidden_last_run, day(10, 16));
        assert_eq!(
            back[0].first_seen,
            day(9, 1),
            "history survives a run that did not show it"
        );
        assert_eq!(back[0].accumulated, dec!(225));
    }
}
