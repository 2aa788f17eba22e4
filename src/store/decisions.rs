//! The operator's decisions: mappings, rejections and ignore rules, each written together with
//! an entry in the append-only decision log, which is also what undo and redo replay.

use super::connection::{Store, StoreError};
use super::decision_records::RecordId;
use super::history::{History, Pick, UndoScope};
use super::values::now_text;
pub use crate::domain::decision::Decision;
use crate::domain::lines::SourceKey;
use chrono::NaiveDate;
use rusqlite::{Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;

/// Who made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The operator, by hand.
    Manual,
    /// An explicit auto-accept of an unambiguous, very high score, which the operator asked for.
    Automatic,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Manual => "manual",
            Origin::Automatic => "automatic",
        }
    }
}

impl Decision {
    fn action(&self) -> &'static str {
        match self {
            Decision::MapClient { .. } => "map-client",
            Decision::UnmapClient { .. } => "unmap-client",
            Decision::MapProduct { .. } => "map-product",
            Decision::UnmapProduct { .. } => "unmap-product",
            Decision::RejectClient { .. } => "reject-client",
            Decision::RejectProduct { .. } => "reject-product",
            Decision::IgnoreCustomer { .. } => "ignore-customer",
            Decision::IgnoreProduct { .. } => "ignore-product",
            Decision::UnignoreCustomer { .. } => "unignore-customer",
            Decision::UnignoreProduct { .. } => "unignore-product",
            Decision::WorkGap { .. } => "work-gap",
            Decision::ClearGapWork { .. } => "clear-gap-work",
        }
    }

    /// The record this decision changes and the state it leaves it in.
    fn target(&self, origin: Origin) -> (RecordId, Option<Value>) {
        let mapping = |psa: &SourceKey| json!({"psa_system": psa.system, "psa_key": psa.key, "origin": origin.as_str()});
        let ignore = |reason: &str, until: &Option<NaiveDate>| json!({"reason": reason, "until": until.map(|date| date.to_string())});
        match self {
            Decision::MapClient { vendor, company } => {
                (RecordId::client(vendor), Some(mapping(company)))
            }
            Decision::UnmapClient { vendor } => (RecordId::client(vendor), None),
            Decision::MapProduct {
                vendor,
                term,
                product,
            } => (RecordId::product(vendor, *term), Some(mapping(product))),
            Decision::UnmapProduct { vendor, term } => (RecordId::product(vendor, *term), None),
            Decision::RejectClient { vendor, company } => (
                RecordId::rejection("client", vendor, company),
                Some(json!({})),
            ),
            Decision::RejectProduct { vendor, product } => (
                RecordId::rejection("product", vendor, product),
                Some(json!({})),
            ),
            Decision::IgnoreCustomer {
                vendor,
                reason,
                until,
            } => (
                RecordId::ignore("customer", vendor, None),
                Some(ignore(reason, until)),
            ),
            Decision::IgnoreProduct {
                vendor,
                term,
                reason,
                until,
            } => (
                RecordId::ignore("product", vendor, *term),
                Some(ignore(reason, until)),
            ),
            Decision::UnignoreCustomer { vendor } => {
                (RecordId::ignore("customer", vendor, None), None)
            }
            Decision::UnignoreProduct { vendor, term } => {
                (RecordId::ignore("product", vendor, *term), None)
            }
            Decision::WorkGap { gap, label, work } => (
                RecordId::GapWork { gap: gap.clone() },
                Some(json!({
                    "label": label,
                    "state": work.state.as_str(),
                    "note": work.note,
                    "until": work.until.map(|date| date.to_string()),
                })),
            ),
            Decision::ClearGapWork { gap, .. } => (RecordId::GapWork { gap: gap.clone() }, None),
        }
    }
}

/// One entry of the decision log, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    /// Log id.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub decided_at: String,
    /// What was decided, such as `map-client`.
    pub action: String,
    /// `do`, `undo` or `redo`.
    pub step: String,
    /// Manual or automatic.
    pub origin: String,
    /// The record changed, as JSON.
    pub record: String,
    /// The bulk step this entry belongs to, so that one undo reverses a whole bulk accept: the
    /// id of the step's first entry, shared by the entries of its undo and redo. `None` for an
    /// entry that is a step of its own (a single decision, and every entry logged before
    /// batches existed).
    pub batch: Option<i64>,
    /// The decision that leaves the record as this entry left it, so a face can name it in
    /// business words; `None` for an entry no decision produces (a hand-edited log).
    #[serde(skip)]
    pub decision: Option<Decision>,
}

/// What an undo or redo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoOutcome {
    /// One step of the history was reversed (undo) or re-applied (redo): a single decision, or
    /// every decision of one batch, in one transaction.
    Applied {
        /// The last log entry this undo or redo wrote; its `batch` names the bulk step.
        record: Box<DecisionRecord>,
        /// How many decisions were reversed or re-applied: one, or the size of the batch.
        count: usize,
        /// The decisions as they were originally made, in that order, read back from the log
        /// so that a face can name them in business words. Shorter than `count` only when a
        /// log entry is one that no decision produces (a hand-edited database).
        decisions: Vec<Decision>,
        /// The log ids of the decisions reversed or re-applied, in the order they were made:
        /// the numbers `billgap log` shows for them, which is how a user names what an undo
        /// took back (the entries this step wrote are later, newer numbers).
        reversed: Vec<i64>,
    },
    /// There was nothing to undo or redo.
    Nothing,
    /// The latest step of this scope also changed another scope where a later step stands;
    /// it can only be undone (or redone) from everywhere, after that later step.
    Blocked,
}

impl Store {
    /// Records a decision and applies it, in one transaction. Returns the log id, or `None`
    /// when the decision changes nothing, or is automatic and finds the record already decided
    /// (it is then not logged). The entry is a step of its
    /// own in the history: its batch is `None`.
    pub fn decide(
        &mut self,
        decision: &Decision,
        origin: Origin,
    ) -> Result<Option<i64>, StoreError> {
        let (record, after) = decision.target(origin);
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = record.read(&transaction)?;
        if !applies(origin, &before, &after) {
            return Ok(None);
        }
        record.write(&transaction, after.as_ref())?;
        let id = log(
            &transaction,
            &Entry {
                id: None,
                decided_at: &now_text(),
                action: decision.action(),
                step: "do",
                target: None,
                origin,
                record: &record,
                before: before.as_ref(),
                after: after.as_ref(),
                batch: None,
            },
        )?;
        transaction.commit()?;
        Ok(Some(id))
    }

    /// Records and applies several decisions as one step of the history, in one transaction:
    /// a bulk accept is one intent of the operator, so one undo reverses all of it. Each entry
    /// carries the id of the batch's first entry. Decisions are applied in order, each seeing
    /// the ones before it; a decision that changes nothing, or an automatic one that finds its
    /// record already decided, is skipped and not logged, as with [`Store::decide`]. Returns,
    /// per decision in input order, its log id or `None` when it was skipped. Fails (and
    /// writes nothing) if any write fails.
    pub fn decide_batch(
        &mut self,
        decisions: &[Decision],
        origin: Origin,
    ) -> Result<Vec<Option<i64>>, StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let decided_at = now_text();
        let mut batch = None;
        let mut logged = Vec::with_capacity(decisions.len());
        // A record this batch already wrote may be written again by it: that state was
        // decided by this very step, not by anyone else meanwhile.
        let mut written = HashSet::new();
        for decision in decisions {
            let (record, after) = decision.target(origin);
            let before = record.read(&transaction)?;
            let ours = written.contains(&record);
            if !(applies(origin, &before, &after) || ours && before != after) {
                logged.push(None);
                continue;
            }
            if !ours {
                written.insert(record.clone());
            }
            record.write(&transaction, after.as_ref())?;
            // The first entry is given its id explicitly, so that it can carry its own id as
            // the batch: the log cannot be updated afterwards.
            let (id, batch_id) = match batch {
                Some(batch_id) => (None, batch_id),
                None => {
                    let first = next_log_id(&transaction)?;
                    (Some(first), first)
                }
            };
            batch = Some(batch_id);
            let id = log(
                &transaction,
                &Entry {
                    id,
                    decided_at: &decided_at,
                    action: decision.action(),
                    step: "do",
                    target: None,
                    origin,
                    record: &record,
                    before: before.as_ref(),
                    after: after.as_ref(),
                    batch,
                },
            )?;
            logged.push(Some(id));
        }
        transaction.commit()?;
        Ok(logged)
    }

    /// Reverses the latest step that is not yet undone: one decision, or a whole batch (its
    /// entries in reverse order), in one transaction. Survives restarts: the stack is rebuilt
    /// from the log.
    pub fn undo(&mut self) -> Result<UndoOutcome, StoreError> {
        self.step_history(true, UndoScope::Everything)
    }

    /// Re-applies the most recently undone step (a whole batch in its original order), unless
    /// a new decision came after it.
    pub fn redo(&mut self) -> Result<UndoOutcome, StoreError> {
        self.step_history(false, UndoScope::Everything)
    }

    /// Undoes (or redoes) the latest step of one scope: the screen where undo was pressed
    /// reverses only what that screen decides ([`UndoScope`]).
    pub fn step_history(
        &mut self,
        undo: bool,
        scope: UndoScope,
    ) -> Result<UndoOutcome, StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let target = match History::replay(&transaction)?.pick(undo, scope) {
            Pick::Step(step) => step,
            Pick::Nothing => return Ok(UndoOutcome::Nothing),
            Pick::Blocked => return Ok(UndoOutcome::Blocked),
        };
        let entries = target
            .entries
            .iter()
            .map(|&id| LoggedDecision::read(&transaction, id))
            .collect::<Result<Vec<_>, _>>()?;
        let decided_at = now_text();
        let step = if undo { "undo" } else { "redo" };
        let mut in_order: Vec<&LoggedDecision> = entries.iter().collect();
        if undo {
            in_order.reverse();
        }
        let mut last = None;
        for entry in in_order {
            let (from, to) = if undo {
                (&entry.after, &entry.before)
            } else {
                (&entry.before, &entry.after)
            };
            entry.record.write(&transaction, to.as_ref())?;
            let id = log(
                &transaction,
                &Entry {
                    id: None,
                    decided_at: &decided_at,
                    action: &entry.action,
                    step,
                    target: Some(entry.id),
                    origin: entry.origin,
                    record: &entry.record,
                    before: from.as_ref(),
                    after: to.as_ref(),
                    batch: target.batch,
                },
            )?;
            last = Some(DecisionRecord {
                id,
                decided_at: decided_at.clone(),
                action: entry.action.clone(),
                step: step.to_string(),
                origin: entry.origin.as_str().to_string(),
                record: entry.record_text.clone(),
                batch: target.batch,
                decision: entry.record.decision(to.as_ref()),
            });
        }
        let Some(record) = last else {
            return Ok(UndoOutcome::Nothing);
        };
        transaction.commit()?;
        Ok(UndoOutcome::Applied {
            record: Box::new(record),
            count: entries.len(),
            decisions: entries
                .iter()
                .filter_map(|entry| entry.record.decision(entry.after.as_ref()))
                .collect(),
            reversed: entries.iter().map(|entry| entry.id).collect(),
        })
    }

    /// The latest entries of the decision log, newest first.
    pub fn decision_log(&self, limit: usize) -> Result<Vec<DecisionRecord>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT id, decided_at, action, step, origin, record, batch, after FROM decisions
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            let record: String = row.get(5)?;
            let after: Option<String> = row.get(7)?;
            let decision = serde_json::from_str::<RecordId>(&record)
                .ok()
                .and_then(|id| {
                    let after = match after.as_deref() {
                        Some(text) => Some(serde_json::from_str::<Value>(text).ok()?),
                        None => None,
                    };
                    id.decision(after.as_ref())
                });
            Ok(DecisionRecord {
                id: row.get(0)?,
                decided_at: row.get(1)?,
                action: row.get(2)?,
                step: row.get(3)?,
                origin: row.get(4)?,
                record,
                batch: row.get(6)?,
                decision,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every rejected (vendor, PSA) pair of a subject (`client` or `product`), for the matcher's
    /// feedback: a rejected pair is never suggested again.
    pub fn rejections(&self, subject: &str) -> Result<Vec<(SourceKey, SourceKey)>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT vendor_system, vendor_key, psa_system, psa_key FROM rejections WHERE subject = ?1",
        )?;
        let rows = statement.query_map([subject], |row| {
            Ok((
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                SourceKey::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One entry to append to the decision log.
struct Entry<'a> {
    /// The id to give the entry; `None` lets SQLite pick the next one. A batch's first entry
    /// needs its id before it is written, since it carries that id as its batch.
    id: Option<i64>,
    decided_at: &'a str,
    action: &'a str,
    step: &'a str,
    target: Option<i64>,
    origin: Origin,
    record: &'a RecordId,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
    batch: Option<i64>,
}

fn log(transaction: &Transaction<'_>, entry: &Entry<'_>) -> Result<i64, StoreError> {
    let record = serde_json::to_string(entry.record).map_err(|source| StoreError::Serialise {
        what: "a decision record",
        source,
    })?;
    transaction.execute(
        "INSERT INTO decisions
             (id, decided_at, action, step, target, origin, record, before, after, batch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry.id,
            entry.decided_at,
            entry.action,
            entry.step,
            entry.target,
            entry.origin.as_str(),
            record,
            entry.before.map(Value::to_string),
            entry.after.map(Value::to_string),
            entry.batch
        ],
    )?;
    Ok(transaction.last_insert_rowid())
}

/// The id the next log entry gets. Only meaningful inside the immediate transaction that
/// writes it, which keeps every other writer out until it commits.
fn next_log_id(transaction: &Transaction<'_>) -> Result<i64, StoreError> {
    let latest: i64 =
        transaction.query_row("SELECT coalesce(max(id), 0) FROM decisions", [], |row| {
            row.get(0)
        })?;
    latest.checked_add(1).ok_or_else(|| StoreError::Corrupt {
        column: "decisions",
        value: latest.to_string(),
    })
}

/// A `do` entry of the log, read back for undo or redo.
struct LoggedDecision {
    id: i64,
    action: String,
    origin: Origin,
    record_text: String,
    record: RecordId,
    before: Option<Value>,
    after: Option<Value>,
}

impl LoggedDecision {
    /// Reads entry `id`; fails with `Corrupt` when its JSON does not parse (a hand-edited log).
    fn read(transaction: &Transaction<'_>, id: i64) -> Result<LoggedDecision, StoreError> {
        let (action, origin, record_text, before, after): (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        ) = transaction.query_row(
            "SELECT action, origin, record, before, after FROM decisions WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )?;
        let corrupt = |value: &str| StoreError::Corrupt {
            column: "decisions",
            value: value.to_string(),
        };
        let record = serde_json::from_str(&record_text).map_err(|_| corrupt(&record_text))?;
        let parse = |text: Option<String>| -> Result<Option<Value>, StoreError> {
            text.map(|text| serde_json::from_str(&text).map_err(|_| corrupt(&text)))
                .transpose()
        };
        Ok(LoggedDecision {
            id,
            action,
            origin: if origin == "automatic" {
                Origin::Automatic
            } else {
                Origin::Manual
            },
            record_text,
            record,
            before: parse(before)?,
            after: parse(after)?,
        })
    }
}

/// Whether a decision changes its record. An automatic decision is compare-and-set against
/// "nothing decided yet": it was proposed from a queue of undecided keys, and anything found on
/// the record now was decided after that queue was read (a manual `map` made while `match
/// --accept-above` ran). The user's work wins, so the automatic decision is skipped.
fn applies(origin: Origin, before: &Option<Value>, after: &Option<Value>) -> bool {
    before != after && (origin == Origin::Manual || before.is_none())
}
