//! The gap table: filters, grouping per client with subtotal rows, and the drill-down.

use crate::domain::lines::SourceKey;
use crate::domain::money::{Money, MoneyByCurrency};
use crate::tui::action::Action;
use crate::tui::app::{App, Tone, shift};
use crate::tui::data::{DataError, Drilldown, GapKind, GapRow};
use rust_decimal::Decimal;
use std::collections::HashMap;

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
    pub drilldown: Option<(GapRow, Drilldown)>,
}

impl GapsScreen {
    /// The gap under the selection, if the selection is on a gap rather than a subtotal.
    pub fn selected_gap(&self) -> Option<&GapRow> {
        match self.table.get(self.selected)? {
            TableRow::Gap(index) => self.rows.get(*index),
            TableRow::Subtotal { .. } => None,
        }
    }

    /// Rebuilds `table` from `rows` and the filters: clients by the size of their gaps, largest
    /// first, each with a subtotal row and then its gaps by absolute value.
    pub fn rebuild(&mut self) {
        let mut groups: Vec<(&SourceKey, &str, Vec<usize>)> = Vec::new();
        let mut group_of: HashMap<&SourceKey, usize> = HashMap::new();
        for (index, row) in self.rows.iter().enumerate() {
            let kept = self.kind_filter.is_none_or(|kind| row.kind == kind)
                && self
                    .client_filter
                    .as_ref()
                    .is_none_or(|(key, _)| *key == row.client_key)
                && (!self.over_only || row.over_threshold);
            if !kept {
                continue;
            }
            let group = *group_of.entry(&row.client_key).or_insert_with(|| {
                groups.push((&row.client_key, &row.client, Vec::new()));
                groups.len() - 1
            });
            groups[group].2.push(index);
        }
        let size = |index: &usize| magnitude(&self.rows[*index]);
        for group in &mut groups {
            group.2.sort_by_key(|index| std::cmp::Reverse(size(index)));
        }
        let group_size = |indices: &[usize]| indices.iter().map(size).sum::<Decimal>();
        let mut groups: Vec<(Decimal, String, Vec<usize>)> = groups
            .into_iter()
            .map(|(_, client, indices)| (group_size(&indices), client.to_string(), indices))
            .collect();
        groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut table = Vec::with_capacity(self.rows.len() + groups.len());
        for (_, client, indices) in groups {
            let mut total = MoneyByCurrency::default();
            for index in &indices {
                if let Some(value) = &self.rows[*index].value {
                    total.add(&value.abs());
                }
            }
            table.push(TableRow::Subtotal {
                client,
                count: indices.len(),
                total: total.iter().collect(),
                over_threshold: indices.iter().any(|index| self.rows[*index].over_threshold),
            });
            table.extend(indices.into_iter().map(TableRow::Gap));
        }
        self.table = table;
        self.selected = shift(self.selected, 0, self.table.len());
    }
}

/// A gap's absolute monthly value; unpriced gaps count as zero, as in the domain's ordering.
pub fn magnitude(gap: &GapRow) -> Decimal {
    gap.value
        .as_ref()
        .map(|value| value.amount.abs())
        .unwrap_or_default()
}

impl App {
    pub(crate) fn reload_gaps(&mut self) -> Result<(), DataError> {
        self.gaps.rows = self.data.gaps()?;
        self.gaps.rebuild();
        Ok(())
    }

    pub(crate) fn apply_gaps(&mut self, action: Action) -> Result<(), DataError> {
        match action {
            Action::OpenDrilldown => {
                let Some(gap) = self.gaps.selected_gap().cloned() else {
                    return Ok(());
                };
                let lines = self.data.drilldown(&gap, DRILLDOWN_PAGE)?;
                self.gaps.drilldown = Some((gap, lines));
            }
            Action::CycleKindFilter => {
                self.gaps.kind_filter = match self.gaps.kind_filter {
                    None => Some(GapKind::ALL[0]),
                    Some(kind) => GapKind::ALL
                        .iter()
                        .position(|k| *k == kind)
                        .and_then(|index| GapKind::ALL.get(index + 1).copied()),
                };
                self.gaps.selected = 0;
                self.gaps.rebuild();
            }
            Action::ToggleClientFilter => {
                if self.gaps.client_filter.take().is_none() {
                    let client = match self.gaps.table.get(self.gaps.selected) {
                        Some(TableRow::Gap(index)) => self.gaps.rows.get(*index),
                        Some(TableRow::Subtotal { .. }) => {
                            match self.gaps.table.get(self.gaps.selected + 1) {
                                Some(TableRow::Gap(index)) => self.gaps.rows.get(*index),
                                _ => None,
                            }
                        }
                        None => None,
                    };
                    self.gaps.client_filter =
                        client.map(|row| (row.client_key.clone(), row.client.clone()));
                }
                self.gaps.selected = 0;
                self.gaps.rebuild();
            }
            Action::ToggleOverThreshold => {
                self.gaps.over_only = !self.gaps.over_only;
                self.gaps.selected = 0;
                self.gaps.rebuild();
                let word = if self.gaps.over_only {
                    "only clients over the threshold"
                } else {
                    "every client"
                };
                self.status = Some((format!("Showing {word}."), Tone::Info));
            }
            _ => {}
        }
        Ok(())
    }
}
