//! The delta report's sections, computed once for every format: what is new since the previous
//! saved review, what got worse, what is still open (with its age and cost to date) and what was
//! fixed, each with its count and its money per currency; and the money at stake, split into
//! revenue not billed and refund risk.
//!
//! The baseline is the previous *saved* review (a run recorded by `billgap check` or the
//! workbench's "save this review"), which is what the ledger compared the gaps with.
//! Amounts in different currencies are never added: every total here is per currency.

use crate::domain::ledger::{GapStatus, PriorGap, TrackedGap};
use crate::domain::money::{Currency, Money, MoneyByCurrency};
use crate::domain::report::Report;
use rust_decimal::Decimal;

/// One of the four sections of the delta report, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// Gaps the previous saved review did not have.
    New,
    /// Gaps larger in absolute value than at the previous saved review.
    Worse,
    /// Gaps that were there at the previous saved review, the same or smaller now.
    StillOpen,
    /// Gaps of the previous saved review that are gone now.
    Fixed,
}

impl SectionKind {
    /// The four sections, in the order every format shows them.
    pub const ALL: [SectionKind; 4] = [
        SectionKind::New,
        SectionKind::Worse,
        SectionKind::StillOpen,
        SectionKind::Fixed,
    ];

    /// The section a current gap belongs in, from its status against the previous saved
    /// review. A resolved status (never carried by a current gap) maps to [`SectionKind::Fixed`].
    pub fn of(status: GapStatus) -> SectionKind {
        match status {
            GapStatus::New => SectionKind::New,
            GapStatus::Worse => SectionKind::Worse,
            GapStatus::Better | GapStatus::Unchanged => SectionKind::StillOpen,
            GapStatus::Resolved => SectionKind::Fixed,
        }
    }

    /// The heading a reader sees.
    pub fn title(self) -> &'static str {
        match self {
            SectionKind::New => "New since the previous saved review",
            SectionKind::Worse => "Worse since the previous saved review",
            SectionKind::StillOpen => "Still open",
            SectionKind::Fixed => "Fixed since the previous saved review",
        }
    }

    /// A short label for tables and filters: `new`, `worse`, `still open`, `fixed`.
    pub fn label(self) -> &'static str {
        match self {
            SectionKind::New => "new",
            SectionKind::Worse => "worse",
            SectionKind::StillOpen => "still open",
            SectionKind::Fixed => "fixed",
        }
    }

    /// A stable identifier for anchors: `new`, `worse`, `still-open`, `fixed`.
    pub fn slug(self) -> &'static str {
        match self {
            SectionKind::New => "new",
            SectionKind::Worse => "worse",
            SectionKind::StillOpen => "still-open",
            SectionKind::Fixed => "fixed",
        }
    }
}

/// A section's headline: how many gaps, and their monthly money per currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionTotal {
    /// Which section.
    pub kind: SectionKind,
    /// How many gaps it holds.
    pub count: usize,
    /// The sum of the gaps' absolute monthly values, per currency (for fixed gaps, their value
    /// at the previous saved review).
    pub money: MoneyByCurrency,
    /// Gaps in it without a price, so not in `money`: an unknown amount is never shown as zero.
    pub unpriced: usize,
}

/// The report's gaps sorted into the four sections, each in the order a billing owner works
/// them (clients over their threshold first, then by value).
#[derive(Debug, Clone)]
pub struct Delta<'a> {
    /// Gaps new since the previous saved review.
    pub new: Vec<&'a TrackedGap>,
    /// Gaps worse than at the previous saved review.
    pub worse: Vec<&'a TrackedGap>,
    /// Gaps still open, better or unchanged.
    pub still_open: Vec<&'a TrackedGap>,
    /// Gaps fixed since the previous saved review, largest first.
    pub fixed: Vec<&'a PriorGap>,
}

impl<'a> Delta<'a> {
    /// Sorts a report's gaps into the sections.
    pub fn of(report: &'a Report) -> Delta<'a> {
        let mut delta = Delta {
            new: Vec::new(),
            worse: Vec::new(),
            still_open: Vec::new(),
            fixed: report.resolved.iter().collect(),
        };
        for tracked in report.worklist() {
            match SectionKind::of(tracked.status) {
                SectionKind::New => delta.new.push(tracked),
                SectionKind::Worse => delta.worse.push(tracked),
                SectionKind::StillOpen | SectionKind::Fixed => delta.still_open.push(tracked),
            }
        }
        delta.fixed.sort_by(|a, b| {
            b.magnitude
                .cmp(&a.magnitude)
                .then(a.identity.cmp(&b.identity))
        });
        delta
    }

    /// The current gaps of one section; empty for [`SectionKind::Fixed`], whose gaps are
    /// [`Delta::fixed`].
    pub fn gaps(&self, kind: SectionKind) -> &[&'a TrackedGap] {
        match kind {
            SectionKind::New => &self.new,
            SectionKind::Worse => &self.worse,
            SectionKind::StillOpen => &self.still_open,
            SectionKind::Fixed => &[],
        }
    }

    /// The headline of one section.
    pub fn total(&self, kind: SectionKind) -> SectionTotal {
        let mut total = SectionTotal {
            kind,
            count: 0,
            money: MoneyByCurrency::default(),
            unpriced: 0,
        };
        if kind == SectionKind::Fixed {
            for prior in &self.fixed {
                total.count += 1;
                match fixed_value(prior) {
                    Some(money) => total.money.add(&money),
                    None => total.unpriced += 1,
                }
            }
        } else {
            for tracked in self.gaps(kind) {
                total.count += 1;
                match &tracked.gap.value {
                    Some(value) => total.money.add(&value.abs()),
                    None => total.unpriced += 1,
                }
            }
        }
        total
    }

    /// The headlines of the four sections, in reading order.
    pub fn totals(&self) -> [SectionTotal; 4] {
        SectionKind::ALL.map(|kind| self.total(kind))
    }
}

/// A fixed gap's absolute monthly value at the previous saved review, in its currency; `None`
/// when it was unpriced.
pub fn fixed_value(prior: &PriorGap) -> Option<Money> {
    prior
        .identity
        .currency
        .as_ref()
        .map(|currency| Money::new(prior.magnitude.abs(), currency.clone()))
}

/// A current gap's cost to date in the currency of its value; `None` for an unpriced gap,
/// whose cost is unknown rather than zero.
pub fn cost_to_date(tracked: &TrackedGap) -> Option<Money> {
    tracked
        .gap
        .value
        .as_ref()
        .map(|value| Money::new(tracked.accumulated, value.currency.clone()))
}

/// A fixed gap's cost up to the previous saved review, in its currency; `None` when unpriced.
pub fn fixed_cost_to_date(prior: &PriorGap) -> Option<Money> {
    prior
        .identity
        .currency
        .as_ref()
        .map(|currency| Money::new(prior.accumulated, currency.clone()))
}

pub use crate::domain::stake::{Stake, money_at_stake};

/// A current gap's product as every report names it: with the work recorded on the gap, if
/// any ("M365 E3 (acknowledged: client asked for a quote)"), so the reader sees what is
/// already being done.
pub fn product_with_work(tracked: &TrackedGap) -> String {
    match &tracked.work {
        Some(work) if work.note.is_empty() => {
            format!("{} ({})", tracked.gap.product_name, work.label())
        }
        Some(work) => format!(
            "{} ({}: {})",
            tracked.gap.product_name,
            work.label(),
            work.note
        ),
        None => tracked.gap.product_name.clone(),
    }
}

/// Gaps of the report that have no price: they appear in no money total.
pub fn unpriced_gaps(report: &Report) -> usize {
    report
        .gaps
        .iter()
        .filter(|tracked| tracked.gap.value.is_none())
        .count()
}

/// One client's bar in a chart of money at stake, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientStake {
    /// The client's display name (as the file gave it: escape before showing).
    pub company_name: String,
    /// Revenue not billed per month in the chart's currency.
    pub revenue_not_billed: Decimal,
    /// Refund risk per month in the chart's currency.
    pub refund_risk: Decimal,
}

impl ClientStake {
    /// Both together: the bar's length.
    pub fn total(&self) -> Decimal {
        self.revenue_not_billed.saturating_add(self.refund_risk)
    }
}

/// The clients with the most money at stake in each currency, at most `limit` per currency,
/// largest first; one list per currency, ordered by currency code, because amounts in
/// different currencies are never added or compared.
pub fn top_clients(report: &Report, limit: usize) -> Vec<(Currency, Vec<ClientStake>)> {
    use std::collections::BTreeMap;
    let mut per_currency: BTreeMap<
        Currency,
        BTreeMap<&crate::domain::lines::SourceKey, ClientStake>,
    > = BTreeMap::new();
    for tracked in &report.gaps {
        let gap = &tracked.gap;
        let Some(value) = &gap.value else { continue };
        let stake = per_currency
            .entry(value.currency.clone())
            .or_default()
            .entry(&gap.company)
            .or_insert_with(|| ClientStake {
                company_name: gap.company_name.clone(),
                revenue_not_billed: Decimal::ZERO,
                refund_risk: Decimal::ZERO,
            });
        let amount = value.amount.abs();
        if gap.kind.is_under_billing() {
            stake.revenue_not_billed = stake.revenue_not_billed.saturating_add(amount);
        } else {
            stake.refund_risk = stake.refund_risk.saturating_add(amount);
        }
    }
    per_currency
        .into_iter()
        .map(|(currency, clients)| {
            let mut clients: Vec<ClientStake> = clients
                .into_values()
                .filter(|client| !client.total().is_zero())
                .collect();
            clients.sort_by(|a, b| {
                b.total()
                    .cmp(&a.total())
                    .then_with(|| a.company_name.cmp(&b.company_name))
            });
            clients.truncate(limit);
            (currency, clients)
        })
        .filter(|(_, clients)| !clients.is_empty())
        .collect()
}

/// An amount in cents as text ("1234.50"), rounded half away from zero like an invoice line:
/// `Decimal`'s own `{:.2}` would cut the digits off instead.
pub fn cents(amount: Decimal) -> String {
    format!(
        "{:.2}",
        amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

/// Money per currency as "60.00 USD + 7.50 CAD", or "none" when there is none, so that a bare
/// "0" without a currency is never shown.
pub fn describe_money(money: &MoneyByCurrency) -> String {
    if money.is_empty() {
        "none".to_string()
    } else {
        money.to_string()
    }
}

/// A section's money in one phrase: "7.50 CAD + 60.00 USD a month", with the unpriced gaps
/// named so that they are not read as free; "none" for an empty section.
pub fn describe_total(total: &SectionTotal) -> String {
    if total.count == 0 {
        return "none".to_string();
    }
    let mut text = if total.money.is_empty() {
        "no priced gaps".to_string()
    } else {
        format!("{} a month", total.money)
    };
    if total.unpriced > 0 {
        text.push_str(&format!(", {} unpriced", total.unpriced));
    }
    text
}

/// Says what the sections compare with, or that there is nothing to compare with yet.
pub fn baseline_note(report: &Report) -> &'static str {
    if report.has_previous_run {
        "Compared with the previous saved review (a run recorded by billgap check or by saving the review in the workbench)."
    } else {
        "No saved review to compare with yet: every gap counts as new. Save this review (billgap check, or S on the Gaps screen of the workbench) and the next report shows what changed."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_four_sections() {
        assert_eq!(SectionKind::of(GapStatus::New), SectionKind::New);
        assert_eq!(SectionKind::of(GapStatus::Worse), SectionKind::Worse);
        assert_eq!(SectionKind::of(GapStatus::Better), SectionKind::StillOpen);
        assert_eq!(
            SectionKind::of(GapStatus::Unchanged),
            SectionKind::StillOpen
        );
        assert_eq!(SectionKind::of(GapStatus::Resolved), SectionKind::Fixed);
    }

    #[test]
    fn a_year_is_twelve_months_exactly() {
        let monthly = Decimal::new(1_234_567, 2);
        assert_eq!(Stake::yearly(monthly), Decimal::new(14_814_804, 2));
    }
}
