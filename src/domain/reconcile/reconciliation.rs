//! The top-level reconcile: coverage, gaps, client totals and the verdict, from the positions
//! of both sides and the mappings in force.

use super::clients::{ClientTotal, Thresholds, client_totals};
use super::coverage::Coverage;
use super::gaps::{Gap, GapIdentity, find_gaps};
use super::mappings::MappingSet;
use super::position::Position;
use super::verdict::Verdict;
use crate::domain::money::Money;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

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
    let (gaps, withheld_orphans) = find_gaps(vendor, psa, mappings, today);
    let mut gaps = merge_same_identity(gaps);
    order(&mut gaps);
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

/// Orders gaps largest absolute value first, then by company, product, term and kind, so
/// every face lists them the same way.
pub(super) fn order(gaps: &mut [Gap]) {
    gaps.sort_by(|a, b| {
        b.magnitude()
            .cmp(&a.magnitude())
            .then_with(|| a.company.cmp(&b.company))
            .then_with(|| a.product.cmp(&b.product))
            .then_with(|| a.term.cmp(&b.term))
            .then_with(|| a.kind.cmp(&b.kind))
    });
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
