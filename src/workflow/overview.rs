//! The overview every face opens on: coverage first, then what is unmapped, the gaps and the
//! money at stake, the sources and the pulls, and what moved since the previous review.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::ledger::{GapStatus, TrackedGap};
use crate::domain::lines::Side;
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::{Coverage, GapKind, Verdict};
use crate::domain::report::Report;
use crate::store::PullRow;
use rust_decimal::Decimal;

/// How many unmapped customers and products the overview lists.
const OVERVIEW_TOP: usize = 6;

/// One kind of gap on the overview: how many, and their absolute value per currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapTotal {
    /// The kind.
    pub kind: GapKind,
    /// How many gaps of this kind.
    pub count: usize,
    /// Their absolute values added per currency, never across currencies.
    pub value: Vec<Money>,
}

/// One imported source, as the overview lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceView {
    /// Source system and slice, such as `microsoft / partner 123 EUR`.
    pub name: String,
    /// Vendor or PSA.
    pub side: Side,
    /// The billing period, as `YYYY-MM`.
    pub period: String,
    /// Lines stored.
    pub rows: u64,
    /// The day it was imported.
    pub imported: String,
}

/// Everything the overview shows, coverage first.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// Coverage under the current mappings: always current, even while gaps recompute.
    pub coverage: Coverage,
    /// The verdict of the latest reconciliation, `None` while it is being recomputed for the
    /// current mappings: an outdated verdict is never shown as current.
    pub verdict: Option<Verdict>,
    /// What the reader must know before trusting the figures (missing exports, withheld
    /// orphans).
    pub warnings: Vec<String>,
    /// Unmapped customers, largest spend first (a few), with their main spend.
    pub unmapped_clients: Vec<Unmapped>,
    /// How many customers are unmapped in all.
    pub unmapped_client_count: usize,
    /// Unmapped products, largest spend first (a few).
    pub unmapped_products: Vec<Unmapped>,
    /// How many products are unmapped in all.
    pub unmapped_product_count: usize,
    /// Per kind of gap: count and value.
    pub gap_totals: Vec<GapTotal>,
    /// The money at stake per currency: revenue not billed and refund risk, per month.
    pub stake: Vec<crate::domain::stake::Stake>,
    /// Clients whose gaps are over their threshold.
    pub clients_over_threshold: usize,
    /// The current imports.
    pub sources: Vec<SourceView>,
    /// Movement since the previous recorded run, as short phrases (empty on a first run).
    pub changes: Vec<String>,
    /// Each polled source's latest pull: when, whether complete, and its error.
    pub pulls: Vec<PullRow>,
}

/// A vendor customer or product still to map, as the overview lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The vendor system, so that one name under two vendors stays two rows.
    pub system: String,
    /// The display name (for a product, with its term).
    pub name: String,
    /// Its largest spend in one currency.
    pub spend: Money,
}

impl Workspace {
    /// The overview at `threshold`: coverage now, gap figures from the latest report.
    pub fn overview(&mut self, threshold: Decimal) -> Result<Overview, WorkflowError> {
        let sources = self.store.sources()?;
        let pulls = self.latest_pulls()?;
        let current = self.current_report(threshold);
        let latest = self.latest_report();
        let session = self.session()?;
        let unmapped = |spend: &MoneyByCurrency| spend.iter().max_by_key(|money| money.amount);
        let unmapped_clients: Vec<Unmapped> = session
            .vendor_parties
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .filter_map(|row| {
                Some(Unmapped {
                    system: row.key.system.clone(),
                    name: row.party.name.clone(),
                    spend: unmapped(&row.spend)?,
                })
            })
            .collect();
        let unmapped_products: Vec<Unmapped> = session
            .vendor_products
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .filter_map(|row| {
                Some(Unmapped {
                    system: row.key.system.clone(),
                    name: format!("{} ({})", row.product.name, row.term),
                    spend: unmapped(&row.spend)?,
                })
            })
            .collect();
        let mut overview = Overview {
            coverage: session.coverage.clone(),
            verdict: current.as_ref().map(|report| report.verdict),
            warnings: latest
                .as_ref()
                .map(|report| {
                    let mut warnings = report.warnings.clone();
                    warnings.extend(report.withheld_note());
                    warnings
                })
                .unwrap_or_default(),
            unmapped_client_count: unmapped_clients.len(),
            unmapped_clients: unmapped_clients.into_iter().take(OVERVIEW_TOP).collect(),
            unmapped_product_count: unmapped_products.len(),
            unmapped_products: unmapped_products.into_iter().take(OVERVIEW_TOP).collect(),
            sources: current_sources(sources),
            pulls,
            ..Overview::default()
        };
        if let Some(report) = &latest {
            overview.gap_totals = gap_totals(&report.gaps);
            overview.stake = crate::domain::stake::money_at_stake(report);
            overview.clients_over_threshold = report
                .clients
                .iter()
                .filter(|client| client.over_threshold)
                .count();
            if report.has_previous_run {
                overview.changes = changes(report);
            }
        }
        Ok(overview)
    }
}

/// Per kind: the count and the absolute value per currency.
fn gap_totals(gaps: &[TrackedGap]) -> Vec<GapTotal> {
    GapKind::ALL
        .iter()
        .map(|kind| {
            let mut value = MoneyByCurrency::default();
            let mut count = 0_usize;
            for tracked in gaps.iter().filter(|tracked| tracked.gap.kind == *kind) {
                count = count.saturating_add(1);
                if let Some(money) = &tracked.gap.value {
                    value.add(&money.abs());
                }
            }
            GapTotal {
                kind: *kind,
                count,
                value: value.iter().collect(),
            }
        })
        .collect()
}

/// Movement since the previous recorded run.
fn changes(report: &Report) -> Vec<String> {
    let count = |status: GapStatus| {
        report
            .gaps
            .iter()
            .filter(|gap| gap.status == status)
            .count()
    };
    vec![
        format!("{} new gaps", count(GapStatus::New)),
        format!("{} worse", count(GapStatus::Worse)),
        format!("{} better", count(GapStatus::Better)),
        format!("{} unchanged", count(GapStatus::Unchanged)),
        format!("{} resolved", report.resolved.len()),
    ]
}

fn current_sources(sources: Vec<crate::store::SourceRow>) -> Vec<SourceView> {
    sources
        .into_iter()
        .filter(|source| source.superseded_by.is_none())
        .map(|source| SourceView {
            name: if source.slice.is_empty() {
                source.system
            } else {
                format!("{} / {}", source.system, source.slice)
            },
            side: source.side,
            period: source.period,
            rows: u64::try_from(source.row_count).unwrap_or(0),
            imported: source.imported_at.chars().take(10).collect(),
        })
        .collect()
}
