//! The gap table: filters, grouping per client with subtotal rows, and the drill-down.

use crate::domain::ledger::TrackedGap;
use crate::domain::lines::SourceKey;
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::GapKind;
use crate::domain::report::Report;
use crate::tui::action::Action;
use crate::tui::cursor::shift;
use crate::tui::outcome::{ScreenOutcome, Tone};
use crate::workflow::{DrillDown, WorkflowError, Workspace};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// One gap of the latest report, with whether its client is over its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    /// The gap with its ledger history.
    pub gap: TrackedGap,
    /// True when the client's gaps together are over its threshold.
    pub over_threshold: bool,
}

/// How many lines per side a drill-down loads; the counts say how many more there are.
pub const DRILLDOWN_PAGE: usize = 200;

/// One row of the table as drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum TableRow {
    /// A client's subtotal, above its gaps.
    Subtotal {
        /// Client display name.
        client: String,
        /// Gaps listed under it.
        count: usize,
        /// Sum of the absolute values, per currency.
        total: Vec<Money>,
        /// True when the client is over the threshold.
        over_threshold: bool,
    },
    /// One gap: an index into [`GapsScreen::rows`].
    Gap(usize),
}

/// The gap screen's state.
#[derive(Debug, Clone, Default)]
pub struct GapsScreen {
    /// Every gap at the current threshold.
    pub rows: Vec<GapRow>,
    /// Only this kind, or every kind.
    pub kind_filter: Option<GapKind>,
    /// Only this client (key and name), or everyone.
    pub client_filter: Option<(SourceKey, String)>,
    /// Only clients over the threshold.
    pub over_only: bool,
    /// The rows drawn, after filters, grouped per client by value.
    pub table: Vec<TableRow>,
    /// Index into `table`.
    pub selected: usize,
    /// The open drill-down: the gap and its lines.
    pub drilldown: Option<(GapRow, DrillDown)>,
}

impl GapsScreen {
    /// The gap under the selection, if the selection is on a gap rather than a subtotal.
    pub fn selected_gap(&self) -> Option<&GapRow> {
        match self.table.get(self.selected)? {
            TableRow::Gap(index) => self.rows.get(*index),
            TableRow::Subtotal { .. } => None,
        }
    }

    /// Takes the gaps of a report, keeping the filters and the selection's position.
    pub fn show_report(&mut self, report: Option<&Report>) {
        self.rows = report.map_or_else(Vec::new, |report| {
            let over: HashSet<&SourceKey> = report
                .clients
                .iter()
                .filter(|client| client.over_threshold)
                .map(|client| &client.company)
                .collect();
            report
                .gaps
                .iter()
                .map(|gap| GapRow {
                    over_threshold: over.contains(&gap.gap.company),
                    gap: gap.clone(),
                })
                .collect()
        });
        self.rebuild();
    }

    /// Rebuilds `table` from `rows` and the filters: clients by the size of their gaps, largest
    /// first, each with a subtotal row and then its gaps by absolute value.
    pub fn rebuild(&mut self) {
        let mut groups: Vec<(&SourceKey, &str, Vec<usize>)> = Vec::new();
        let mut group_of: HashMap<&SourceKey, usize> = HashMap::new();
        for (index, row) in self.rows.iter().enumerate() {
            let gap = &row.gap.gap;
            let kept = self.kind_filter.is_none_or(|kind| gap.kind == kind)
                && self
                    .client_filter
                    .as_ref()
                    .is_none_or(|(key, _)| *key == gap.company)
                && (!self.over_only || row.over_threshold);
            if !kept {
                continue;
            }
            let group = *group_of.entry(&gap.company).or_insert_with(|| {
                groups.push((&gap.company, &gap.company_name, Vec::new()));
                groups.len().saturating_sub(1)
            });
            if let Some(group) = groups.get_mut(group) {
                group.2.push(index);
            }
        }
        let size = |index: &usize| self.rows.get(*index).map_or(Decimal::ZERO, magnitude);
        for group in &mut groups {
            group.2.sort_by_key(|index| std::cmp::Reverse(size(index)));
        }
        let group_size = |indices: &[usize]| {
            indices
                .iter()
                .map(size)
                .fold(Decimal::ZERO, Decimal::saturating_add)
        };
        let mut groups: Vec<(Decimal, String, Vec<usize>)> = groups
            .into_iter()
            .map(|(_, client, indices)| (group_size(&indices), client.to_string(), indices))
            .collect();
        groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut table = Vec::with_capacity(self.rows.len() + groups.len());
        for (_, client, indices) in groups {
            let mut total = MoneyByCurrency::default();
            let rows: Vec<&GapRow> = indices
                .iter()
                .filter_map(|index| self.rows.get(*index))
                .collect();
            for row in &rows {
                if let Some(value) = &row.gap.gap.value {
                    total.add(&value.abs());
                }
            }
            table.push(TableRow::Subtotal {
                client,
                count: indices.len(),
                total: total.iter().collect(),
                over_threshold: rows.iter().any(|row| row.over_threshold),
            });
            table.extend(indices.into_iter().map(TableRow::Gap));
        }
        self.table = table;
        self.selected = shift(self.selected, 0, self.table.len());
    }
}

/// A gap's absolute monthly value; unpriced gaps count as zero, as in the domain's ordering.
pub fn magnitude(row: &GapRow) -> Decimal {
    row.gap
        .gap
        .value
        .as_ref()
        .map(|value| value.amount.abs())
        .unwrap_or_default()
}

impl GapsScreen {
    /// Applies one gap-screen action.
    pub fn update(
        &mut self,
        action: Action,
        workspace: &mut Workspace,
    ) -> Result<ScreenOutcome, WorkflowError> {
        match action {
            Action::OpenDrilldown => {
                let Some(row) = self.selected_gap().cloned() else {
                    return Ok(ScreenOutcome::default());
                };
                let lines = workspace.drill_down(&row.gap, DRILLDOWN_PAGE)?;
                self.drilldown = Some((row, lines));
            }
            Action::CycleKindFilter => {
                self.kind_filter = match self.kind_filter {
                    None => GapKind::ALL.first().copied(),
                    Some(kind) => GapKind::ALL
                        .iter()
                        .position(|k| *k == kind)
                        .and_then(|index| GapKind::ALL.get(index.saturating_add(1)).copied()),
                };
                self.selected = 0;
                self.rebuild();
            }
            Action::ToggleClientFilter => {
                if self.client_filter.take().is_none() {
                    let under = match self.table.get(self.selected) {
                        Some(TableRow::Subtotal { .. }) => {
                            self.table.get(self.selected.saturating_add(1))
                        }
                        other => other,
                    };
                    self.client_filter = match under {
                        Some(TableRow::Gap(index)) => self.rows.get(*index).map(|row| {
                            (
                                row.gap.gap.company.clone(),
                                row.gap.gap.company_name.clone(),
                            )
                        }),
                        _ => None,
                    };
                }
                self.selected = 0;
                self.rebuild();
            }
            Action::ToggleOverThreshold => {
                self.over_only = !self.over_only;
                self.selected = 0;
                self.rebuild();
                let word = if self.over_only {
                    "only clients over the threshold"
                } else {
                    "every client"
                };
                return Ok(ScreenOutcome::say(format!("Showing {word}."), Tone::Info));
            }
            _ => {}
        }
        Ok(ScreenOutcome::default())
    }
}
