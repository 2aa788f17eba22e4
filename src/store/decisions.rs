//! The operator's decisions: mappings, rejections and ignore rules, each written together with
//! an entry in the append-only decision log, which is also what undo and redo replay.

use super::decision_records::RecordId;
use super::{Store, StoreError, now_text};
pub use crate::domain::decision::Decision;
use crate::domain::lines::SourceKey;
use chrono::NaiveDate;
use rusqlite::{Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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
                RecordId::ignore("customer", vendor),
                Some(ignore(reason, until)),
            ),
            Decision::IgnoreProduct {
                vendor,
                reason,
                until,
            } => (
                RecordId::ignore("product", vendor),
                Some(ignore(reason, until)),
            ),
            Decision::UnignoreCustomer { vendor } => (RecordId::ignore("customer", vendor), None),
            Decision::UnignoreProduct { vendor } => (RecordId::ignore("product", vendor), None),
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
}

/// What an undo or redo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoOutcome {
    /// This decision was reversed (undo) or re-applied (redo): the log entry written, and the
    /// original decision read back from the log, so a face can name it in business words
    /// (`None` only for a log entry that no decision produces, from a hand-edited database).
    Applied(Box<DecisionRecord>, Option<Decision>),
    /// There was nothing to undo or redo.
    Nothing,
}

impl Store {
    /// Records a decision and applies it, in one transaction. Returns the log id, or `None`
    /// when the decision changes nothing (it is then not logged).
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
        if before == after {
            return Ok(None);
        }
        record.write(&transaction, after.as_ref())?;
        let id = log(
            &transaction,
            decision.action(),
            "do",
            None,
            origin,
            &record,
            before.as_ref(),
            after.as_ref(),
        )?;
        transaction.commit()?;
        Ok(Some(id))
    }

    /// Reverses the latest decision that is not yet undone. Survives restarts: the stack is
    /// rebuilt from the log.
    pub fn undo(&mut self) -> Result<UndoOutcome, StoreError> {
        self.step_history(true)
    }

    /// Re-applies the most recently undone decision, unless a new decision came after it.
    pub fn redo(&mut self) -> Result<UndoOutcome, StoreError> {
        self.step_history(false)
    }

    fn step_history(&mut self, undo: bool) -> Result<UndoOutcome, StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (done, undone) = history_stacks(&transaction)?;
        let target = if undo { done.last() } else { undone.last() };
        let Some(&target) = target else {
            return Ok(UndoOutcome::Nothing);
        };
        let (action, origin, record_text, before, after): (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        ) = transaction.query_row(
            "SELECT action, origin, record, before, after FROM decisions WHERE id = ?1",
            [target],
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
        let record: RecordId =
            serde_json::from_str(&record_text).map_err(|_| corrupt(&record_text))?;
        let parse = |text: &Option<String>| -> Result<Option<Value>, StoreError> {
            text.as_deref()
                .map(|text| serde_json::from_str(text).map_err(|_| corrupt(text)))
                .transpose()
        };
        let (before, after) = (parse(&before)?, parse(&after)?);
        let decision = record.decision(after.as_ref());
        let (from, to) = if undo {
            (&after, &before)
        } else {
            (&before, &after)
        };
        record.write(&transaction, to.as_ref())?;
        let origin = if origin == "automatic" {
            Origin::Automatic
        } else {
            Origin::Manual
        };
        let step = if undo { "undo" } else { "redo" };
        let id = log(
            &transaction,
            &action,
            step,
            Some(target),
            origin,
            &record,
            from.as_ref(),
            to.as_ref(),
        )?;
        transaction.commit()?;
        Ok(UndoOutcome::Applied(
            Box::new(DecisionRecord {
                id,
                decided_at: now_text(),
                action,
                step: step.to_string(),
                origin: origin.as_str().to_string(),
                record: record_text,
            }),
            decision,
        ))
    }

    /// The latest entries of the decision log, newest first.
    pub fn decision_log(&self, limit: usize) -> Result<Vec<DecisionRecord>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT id, decided_at, action, step, origin, record FROM decisions
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok(DecisionRecord {
                id: row.get(0)?,
                decided_at: row.get(1)?,
                action: row.get(2)?,
                step: row.get(3)?,
                origin: row.get(4)?,
                record: row.get(5)?,
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

#[allow(clippy::too_many_arguments)]
fn log(
    transaction: &Transaction<'_>,
    action: &str,
    step: &str,
    target: Option<i64>,
    origin: Origin,
    record: &RecordId,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<i64, StoreError> {
    let record = serde_json::to_string(record).map_err(|source| StoreError::Serialise {
        what: "a decision record",
        source,
    })?;
    transaction.execute(
        "INSERT INTO decisions (decided_at, action, step, target, origin, record, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            now_text(),
            action,
            step,
            target,
            origin.as_str(),
            record,
            before.map(Value::to_string),
            after.map(Value::to_string)
        ],
    )?;
    Ok(transaction.last_insert_rowid())
}

/// Replays the log into the stack of decisions that can be undone and the stack that can be
/// redone. A new decision clears the redo stack, as in every editor.
fn history_stacks(transaction: &Transaction<'_>) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
    let mut statement = transaction.prepare("SELECT id, step FROM decisions ORDER BY id")?;
    let mut rows = statement.query([])?;
    let (mut done, mut undone) = (Vec::new(), Vec::new());
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let step: String = row.get(1)?;
        match step.as_str() {
            "do" => {
                done.push(id);
                undone.clear();
            }
            "undo" => undone.extend(done.pop()),
            _ => done.extend(undone.pop()),
        }
    }
    Ok((done, undone))
}
