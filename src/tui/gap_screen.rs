//! The gap table: filters, grouping per client with subtotal rows, and the drill-down.

use crate::domain::gap_work::GapWorkState;
use crate::domain::ledger::TrackedGap;
use crate::domain::lines::SourceKey;
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::{Account, GapKind};
use crate::domain::report::Report;
use crate::tui::action::Action;
use crate::tui::cursor::shift;
use crate::tui::input::PromptKind;
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

/// The order of the gap table. Gaps stay grouped under their client; the order applies to the
/// groups (by their first gap) and to the gaps within each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GapSort {
    /// Largest absolute monthly value first (the default: work the money first).
    #[default]
    Value,
    /// Oldest first: the gaps that have cost the most days.
    Age,
    /// Clients alphabetically.
    Client,
    /// By kind: unbilled, overbilled, missing, orphan, price.
    Kind,
    /// By vendor system, then value.
    Vendor,
}

impl GapSort {
    /// The next order in the cycle.
    pub fn next(self) -> GapSort {
        match self {
            GapSort::Value => GapSort::Age,
            GapSort::Age => GapSort::Client,
            GapSort::Client => GapSort::Kind,
            GapSort::Kind => GapSort::Vendor,
            GapSort::Vendor => GapSort::Value,
        }
    }

    /// How the order reads in the title and the status line.
    pub fn label(self) -> &'static str {
        match self {
            GapSort::Value => "by value",
            GapSort::Age => "oldest first",
            GapSort::Client => "by client",
            GapSort::Kind => "by kind",
            GapSort::Vendor => "by vendor",
        }
    }
}

/// The gap screen's state.
#[derive(Debug, Clone, Default)]
pub struct GapsScreen {
    /// The order of groups and gaps.
    pub sort: GapSort,
    /// Only gaps whose client or product name contains this text (any case).
    pub text_filter: String,
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
    /// The open account of one client (`v`), over the table.
    pub account: Option<Account>,
}

impl GapsScreen {
    /// The gap under the selection, if the selection is on a gap rather than a subtotal.
    pub fn selected_gap(&self) -> Option<&GapRow> {
        match self.table.get(self.selected)? {
            TableRow::Gap(index) => self.rows.get(*index),
            TableRow::Subtotal { .. } => None,
        }
    }

    /// The client under the selection: the selected gap's, or the client of a subtotal row
    /// (whose first gap follows it).
    pub fn selected_company(&self) -> Option<SourceKey> {
        let index = match self.table.get(self.selected)? {
            TableRow::Gap(index) => *index,
            TableRow::Subtotal { .. } => match self.table.get(self.selected.saturating_add(1))? {
                TableRow::Gap(index) => *index,
                TableRow::Subtotal { .. } => return None,
            },
        };
        Some(self.rows.get(index)?.gap.gap.company.clone())
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
        let needle = self.text_filter.trim().to_lowercase();
        let mut groups: Vec<(&SourceKey, &str, Vec<usize>)> = Vec::new();
        let mut group_of: HashMap<&SourceKey, usize> = HashMap::new();
        for (index, row) in self.rows.iter().enumerate() {
            let gap = &row.gap.gap;
            let kept = self.kind_filter.is_none_or(|kind| gap.kind == kind)
                && self
                    .client_filter
                    .as_ref()
                    .is_none_or(|(key, _)| *key == gap.company)
                && (!self.over_only || row.over_threshold)
                && (needle.is_empty()
                    || gap.company_name.to_lowercase().contains(&needle)
                    || gap.product_name.to_lowercase().contains(&needle));
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
        let sort = self.sort;
        let order = |a: &usize, b: &usize| -> std::cmp::Ordering {
            let (Some(x), Some(y)) = (self.rows.get(*a), self.rows.get(*b)) else {
                return std::cmp::Ordering::Equal;
            };
            let by_value = size(b).cmp(&size(a));
            match sort {
                GapSort::Value | GapSort::Client => by_value,
                GapSort::Age => y.gap.age_days.cmp(&x.gap.age_days).then(by_value),
                GapSort::Kind => kind_rank(x).cmp(&kind_rank(y)).then(by_value),
                GapSort::Vendor => vendor_of(x).cmp(vendor_of(y)).then(by_value),
            }
        };
        for group in &mut groups {
            group.2.sort_by(&order);
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
        groups.sort_by(|a, b| {
            let by_value = b.0.cmp(&a.0);
            let first = |group: &(Decimal, String, Vec<usize>)| group.2.first().copied();
            let by_first = match (first(a), first(b)) {
                (Some(x), Some(y)) => order(&x, &y),
                _ => std::cmp::Ordering::Equal,
            };
            match sort {
                GapSort::Value => by_value,
                GapSort::Client => a.1.to_lowercase().cmp(&b.1.to_lowercase()),
                GapSort::Age | GapSort::Kind | GapSort::Vendor => by_first.then(by_value),
            }
            .then_with(|| a.1.cmp(&b.1))
        });
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

/// Where a gap's kind comes in the display order of kinds.
fn kind_rank(row: &GapRow) -> usize {
    GapKind::ALL
        .iter()
        .position(|kind| *kind == row.gap.gap.kind)
        .unwrap_or(GapKind::ALL.len())
}

/// The vendor system behind a gap ("" for an orphan, which has none), for sorting by vendor.
fn vendor_of(row: &GapRow) -> &str {
    row.gap
        .gap
        .vendor_sources
        .first()
        .map_or("", |(customer, _)| customer.system.as_str())
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
            Action::AcknowledgeGap | Action::MarkFixedInPsa | Action::SnoozeGap => {
                if self.selected_gap().is_none() {
                    return Ok(ScreenOutcome::say(
                        "Select a gap (not a client's subtotal) to record work on it.",
                        Tone::Info,
                    ));
                }
                let prompt = match action {
                    Action::SnoozeGap => PromptKind::SnoozeUntil,
                    Action::MarkFixedInPsa => PromptKind::GapNote(GapWorkState::FixedInPsa, None),
                    _ => PromptKind::GapNote(GapWorkState::Acknowledged, None),
                };
                return Ok(ScreenOutcome {
                    prompt: Some(crate::tui::input::Prompt::new(prompt, "")),
                    ..ScreenOutcome::default()
                });
            }
            Action::ClearGapWork => {
                let Some(row) = self.selected_gap().cloned() else {
                    return Ok(ScreenOutcome::default());
                };
                let outcome = workspace.clear_gap_work(&row.gap)?;
                return Ok(ScreenOutcome {
                    mappings_moved: outcome.changed,
                    ..ScreenOutcome::say(outcome.sentence, Tone::Info)
                });
            }
            Action::CycleSort => {
                self.sort = self.sort.next();
                self.selected = 0;
                self.rebuild();
                return Ok(ScreenOutcome::say(
                    format!("Gaps sorted {}.", self.sort.label()),
                    Tone::Info,
                ));
            }
            Action::FilterQueue => {
                return Ok(ScreenOutcome {
                    prompt: Some(crate::tui::input::Prompt::new(
                        crate::tui::input::PromptKind::QueueFilter,
                        self.text_filter.clone(),
                    )),
                    ..ScreenOutcome::default()
                });
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
