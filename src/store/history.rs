//! The operator's history, replayed from the append-only decision log: which steps can be
//! undone and which redone, overall or on one screen.
//!
//! Undo belongs to the screen where it is pressed: `u` on the Clients screen must not revert a
//! product mapping the operator cannot see from there. Every record a decision changes belongs
//! to exactly one scope (clients, products or gaps), so steps of different scopes never touch
//! the same record and can be undone in any order between scopes. Within a scope the order is
//! strict (last done, first undone). A step that spans scopes (a `match --accept-above` batch
//! maps clients and products at once) is in each of them, and is blocked on one screen while a
//! later step of another of its scopes still stands: undoing it first would overwrite that
//! later step.

use super::connection::StoreError;
use rusqlite::Transaction;

/// Where an undo or redo was asked for, and so which steps it may reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoScope {
    /// Any step: the CLI's `billgap undo`, and the screens that decide nothing themselves.
    Everything,
    /// Client mappings, rejections and ignore rules.
    Clients,
    /// Product mappings, rejections and ignore rules.
    Products,
    /// Work recorded on gaps (acknowledged, fixed in PSA, snoozed, notes).
    Gaps,
}

/// A set of scopes, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Scopes(u8);

impl Scopes {
    const CLIENTS: u8 = 1;
    const PRODUCTS: u8 = 2;
    const GAPS: u8 = 4;

    /// The scope of a logged action, by the name the log stores it under.
    pub(super) fn of_action(action: &str) -> Scopes {
        if action.ends_with("-client") || action.ends_with("-customer") {
            Scopes(Self::CLIENTS)
        } else if action.ends_with("-product") {
            Scopes(Self::PRODUCTS)
        } else if action.contains("gap") {
            Scopes(Self::GAPS)
        } else {
            // An action this version does not know belongs everywhere: it is never skipped
            // over by a scoped undo that could then overwrite it.
            Scopes(Self::CLIENTS | Self::PRODUCTS | Self::GAPS)
        }
    }

    fn of_scope(scope: UndoScope) -> Scopes {
        Scopes(match scope {
            UndoScope::Everything => Self::CLIENTS | Self::PRODUCTS | Self::GAPS,
            UndoScope::Clients => Self::CLIENTS,
            UndoScope::Products => Self::PRODUCTS,
            UndoScope::Gaps => Self::GAPS,
        })
    }

    fn meets(self, other: Scopes) -> bool {
        self.0 & other.0 != 0
    }

    fn add(&mut self, other: Scopes) {
        self.0 |= other.0;
    }
}

/// One step of the operator's history: a single decision, or every decision of one batch.
#[derive(Debug)]
pub(super) struct HistoryStep {
    /// The batch, `None` for a single decision.
    pub(super) batch: Option<i64>,
    /// The ids of the step's `do` entries, in the order they were made.
    pub(super) entries: Vec<i64>,
    /// The scopes its decisions belong to.
    scopes: Scopes,
}

/// The steps that can be undone (oldest first) and the steps that can be redone (the most
/// recently undone last).
#[derive(Debug, Default)]
pub(super) struct History {
    done: Vec<HistoryStep>,
    undone: Vec<HistoryStep>,
}

/// What a scoped undo or redo found.
pub(super) enum Pick {
    /// This step is next.
    Step(HistoryStep),
    /// Nothing in this scope.
    Nothing,
    /// The scope's latest step also spans another scope where a later step stands.
    Blocked,
}

impl History {
    /// Replays the log. Consecutive entries of the same kind (`do`, `undo`, `redo`) and the
    /// same batch are one step, since a batch and its undo and redo are each written in one
    /// transaction; an entry without a batch is a step of its own, which keeps logs written
    /// before batches existed replaying as they did. An undo or redo entry names (as its
    /// target) the `do` entry it reverses, so the step it moved is found wherever it sits. A
    /// new decision clears the redo steps of its own scopes, as in every editor.
    pub(super) fn replay(transaction: &Transaction<'_>) -> Result<History, StoreError> {
        let mut statement = transaction
            .prepare("SELECT id, step, batch, target, action FROM decisions ORDER BY id")?;
        let mut rows = statement.query([])?;
        let mut history = History::default();
        let mut previous: Option<(String, i64)> = None;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let step: String = row.get(1)?;
            let batch: Option<i64> = row.get(2)?;
            let target: Option<i64> = row.get(3)?;
            let scopes = Scopes::of_action(&row.get::<_, String>(4)?);
            let current = batch.map(|batch| (step.clone(), batch));
            let continues = current.is_some() && current == previous;
            previous = current;
            match (step.as_str(), continues) {
                ("do", true) => {
                    history.undone.retain(|step| !step.scopes.meets(scopes));
                    if let Some(last) = history.done.last_mut() {
                        last.entries.push(id);
                        last.scopes.add(scopes);
                    }
                }
                ("do", false) => {
                    history.undone.retain(|step| !step.scopes.meets(scopes));
                    history.done.push(HistoryStep {
                        batch,
                        entries: vec![id],
                        scopes,
                    });
                }
                (_, true) => {}
                ("undo", false) => {
                    let moved = take(&mut history.done, target);
                    history.undone.extend(moved);
                }
                (_, false) => {
                    let moved = take(&mut history.undone, target);
                    history.done.extend(moved);
                }
            }
        }
        Ok(history)
    }

    /// The step an undo (or a redo) in `scope` reverses: the latest of that scope, unless a
    /// later step of another scope it spans still stands.
    pub(super) fn pick(mut self, undo: bool, scope: UndoScope) -> Pick {
        let wanted = Scopes::of_scope(scope);
        let stack = if undo {
            &mut self.done
        } else {
            &mut self.undone
        };
        let Some(index) = stack.iter().rposition(|step| step.scopes.meets(wanted)) else {
            return Pick::Nothing;
        };
        let scopes = stack[index].scopes;
        if stack[index + 1..]
            .iter()
            .any(|later| later.scopes.meets(scopes))
        {
            return Pick::Blocked;
        }
        Pick::Step(stack.remove(index))
    }
}

/// Removes the step holding the `do` entry `target` (or, for an entry written without a
/// target, the top step).
fn take(stack: &mut Vec<HistoryStep>, target: Option<i64>) -> Option<HistoryStep> {
    let index = match target {
        Some(target) => stack
            .iter()
            .rposition(|step| step.entries.contains(&target))
            .or(stack.len().checked_sub(1))?,
        None => stack.len().checked_sub(1)?,
    };
    Some(stack.remove(index))
}
