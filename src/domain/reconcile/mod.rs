//! Mapped vendor and PSA positions to gaps, coverage and per-client verdicts.
//!
//! The input is the current state of both sides, aggregated per (customer, product, term), plus
//! the operator's mappings. The output is exact: seats are decimals, money carries its currency,
//! and amounts in different currencies are never added.

mod coverage;
mod gaps;
mod mappings;
mod sides;
#[cfg(test)]
mod tests;

pub use coverage::{Coverage, percent as coverage_percent};
pub use gaps::{Gap, GapIdentity, GapKind, PriceBasis};
pub use mappings::{IgnoreRule, MappingSet, Treatment};

use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::{Currency, Money, MoneyByCurrency};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One side's seats for one (customer, product, term, currency), summed over the current
/// imports. This is what importing aggregates to, so a reconcile never rereads raw lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The vendor customer or PSA company.
    pub customer: SourceKey,
    /// Its display name.
    pub customer_name: String,
    /// The vendor product or PSA product.
    pub product: SourceKey,
    /// Its display name.
    pub product_name: String,
    /// The commitment term.
    pub term: Term,
    /// The currency of every amount in this position.
    pub currency: Currency,
    /// Net seats for the period.
    pub seats: Decimal,
    /// The extended amount of all rows: vendor spend, or the PSA's billed amount.
    pub spend: Decimal,
    /// Price per seat the client pays (the PSA side's price).
    pub unit_price: Option<Decimal>,
    /// Cost per seat to the MSP (the vendor side's cost).
    pub unit_cost: Option<Decimal>,
}

/// The threshold rules: a client needs action when the sum of the absolute values of its
/// gaps, in one currency, exceeds its threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// Applies to every client without an override. The domain default is 100 a month.
    pub default: Decimal,
    /// Per PSA company overrides.
    pub per_client: HashMap<SourceKey, Decimal>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            default: Decimal::ONE_HUNDRED,
            per_client: HashMap::new(),
        }
    }
}

impl Thresholds {
    /// The threshold of one client.
    pub fn for_client(&self, company: &SourceKey) -> Decimal {
        self.per_client
            .get(company)
            .copied()
            .unwrap_or(self.default)
    }
}

/// One client's gaps against its threshold, per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientTotal {
    /// The PSA company.
    pub company: SourceKey,
    /// Its display name.
    pub company_name: String,
    /// Sum of the absolute values of the client's gaps, per currency.
    pub absolute_value: MoneyByCurrency,
    /// Sum of the signed values (unbilled positive, overbilled negative), per currency.
    pub net_value: MoneyByCurrency,
    /// The threshold that applies to this client.
    pub threshold: Decimal,
    /// True when any currency's absolute total exceeds the threshold, or when a gap could not
    /// be priced: an unknown amount is never assumed to be small.
    pub over_threshold: bool,
    /// Gaps with a seat difference but no price on either side.
    pub unpriced_gaps: usize,
    /// How many gap rows the client has.
    pub gap_count: usize,
}

/// The one-line answer a headless run gives, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing was compared: no vendor lines, no PSA lines, or every vendor line ignored.
    /// Never reported as clean.
    NothingCompared,
    /// Some vendor spend is neither mapped nor ignored, so gaps may be hidden.
    IncompleteCoverage,
    /// At least one client's gaps exceed its threshold.
    OverThreshold,
    /// Full coverage and no client over its threshold (gaps below threshold may remain).
    Clean,
}

impl Verdict {
    /// The process exit code for a headless run: 0 only when clean.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Clean => 0,
            _ => 1,
        }
    }

    /// A sentence for the operator.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::NothingCompared => "nothing was compared: import vendor and PSA data first",
            Verdict::IncompleteCoverage => {
                "coverage is incomplete: map or ignore the remaining vendor customers and products before trusting this"
            }
            Verdict::OverThreshold => "clients over threshold: action needed",
            Verdict::Clean => "clean: full coverage and no client over its threshold",
        }
    }
}

/// Everything a reconcile computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// How much vendor spend was compared; read this before any gap.
    pub coverage: Coverage,
    /// Gap rows, largest absolute value first.
    pub gaps: Vec<Gap>,
    /// Per-client totals, those over threshold first, then by largest absolute value.
    pub clients: Vec<ClientTotal>,
    /// The overall verdict.
    pub verdict: Verdict,
    /// PSA licence lines without vendor seats that are not reported as orphans yet, because an
    /// unmapped vendor customer or product could still be behind them.
    pub withheld_orphans: usize,
}

/// Computes gaps, coverage and verdict from the current positions and the mappings in force
/// on `today` (ignore rules past their expiry no longer apply).
pub fn reconcile(
    vendor: &[Position],
    psa: &[Position],
    mappings: &MappingSet,
    thresholds: &Thresholds,
    today: NaiveDate,
) -> Reconciliation {
    let coverage = Coverage::measure(vendor, mappings, today);
    let (gaps, withheld_orphans) = gaps::find_gaps(vendor, psa, mappings, today);
    let mut gaps = merge_same_identity(gaps);
    gaps.sort_by(|a, b| {
        b.magnitude()
            .cmp(&a.magnitude())
            .then_with(|| a.company.cmp(&b.company))
            .then_with(|| a.product.cmp(&b.product))
            .then_with(|| a.term.cmp(&b.term))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    let clients = client_totals(&gaps, thresholds);
    // Ignored spend counts toward coverage, but a run where everything was ignored, or where
    // the PSA side is empty, compared nothing and must not come out clean.
    let verdict = if vendor.is_empty() || psa.is_empty() {
        Verdict::NothingCompared
    } else if !coverage.is_complete() {
        Verdict::IncompleteCoverage
    } else if coverage.mapped.is_empty() {
        Verdict::NothingCompared
    } else if clients.iter().any(|client| client.over_threshold) {
        Verdict::OverThreshold
    } else {
        Verdict::Clean
    };
    Reconciliation {
        coverage,
        gaps,
        clients,
        verdict,
        withheld_orphans,
    }
}

/// Makes every gap identity appear once, as the ledger needs: two PSA lines (one without a
/// term, one naming it) can report the same identity. Their seats, value and cost add up (the
/// values share the identity's currency); a cost in two currencies becomes unknown.
fn merge_same_identity(gaps: Vec<Gap>) -> Vec<Gap> {
    let mut merged: Vec<Gap> = Vec::with_capacity(gaps.len());
    let mut positions: HashMap<GapIdentity, usize> = HashMap::new();
    for gap in gaps {
        let identity = GapIdentity::of(&gap);
        let Some(&index) = positions.get(&identity) else {
            positions.insert(identity, merged.len());
            merged.push(gap);
            continue;
        };
        let kept = &mut merged[index];
        let add = |left: &Option<Money>, right: &Option<Money>| match (left, right) {
            (Some(left), Some(right)) => left.checked_add(right).ok(),
            _ => None,
        };
        kept.value = add(&kept.value, &gap.value);
        kept.cost = add(&kept.cost, &gap.cost);
        kept.vendor_seats += gap.vendor_seats;
        kept.psa_seats += gap.psa_seats;
        kept.delta += gap.delta;
        kept.vendor_sources.extend(gap.vendor_sources);
    }
    merged
}

fn client_totals(gaps: &[Gap], thresholds: &Thresholds) -> Vec<ClientTotal> {
    let mut by_client: BTreeMap<SourceKey, ClientTotal> = BTreeMap::new();
    for gap in gaps {
        let total = by_client
            .entry(gap.company.clone())
            .or_insert_with(|| ClientTotal {
                company: gap.company.clone(),
                company_name: gap.company_name.clone(),
                absolute_value: MoneyByCurrency::default(),
                net_value: MoneyByCurrency::default(),
                threshold: thresholds.for_client(&gap.company),
                over_threshold: false,
                unpriced_gaps: 0,
                gap_count: 0,
            });
        total.gap_count += 1;
        match &gap.value {
            Some(value) => {
                total.absolute_value.add(&value.abs());
                total.net_value.add(value);
            }
            None if !gap.delta.is_zero() => total.unpriced_gaps += 1,
            None => {}
        }
    }
    let mut clients: Vec<ClientTotal> = by_client
        .into_values()
        .map(|mut total| {
            total.over_threshold = total.unpriced_gaps > 0
                || total
                    .absolute_value
                    .iter()
                    .any(|money| money.amount > total.threshold);
            total
        })
        .collect();
    clients.sort_by(|a, b| {
        b.over_threshold
            .cmp(&a.over_threshold)
            .then_with(|| {
                b.absolute_value
                    .largest_amount()
                    .cmp(&a.absolute_value.largest_amount())
            })
            .then_with(|| a.company.cmp(&b.company))
    });
    clients
}
