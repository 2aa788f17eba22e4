//! Alert memory: who is told about each client, what each channel was last told about each
//! gap, and the log of every message due and how its delivery went.

use super::connection::{Store, StoreError};
use super::values::now_text;
use crate::domain::alerting::NotifiedKey;
use crate::domain::lines::SourceKey;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use std::collections::{HashMap, HashSet};

/// The people told about one PSA company's gaps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Who bills the client.
    pub billing_owner: Option<String>,
    /// Who looks after the client.
    pub account_manager: Option<String>,
    /// Further addresses.
    pub extra: Vec<String>,
}

impl Recipients {
    /// Every address, each once, in a stable order.
    pub fn addresses(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.billing_owner
            .iter()
            .chain(self.account_manager.iter())
            .chain(self.extra.iter())
            .map(|address| address.trim().to_string())
            .filter(|address| !address.is_empty() && seen.insert(address.to_lowercase()))
            .collect()
    }
}

/// A message decided by a check, to be logged with the run that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotification {
    /// `email:ADDRESS` or `webhook:NAME`.
    pub channel: String,
    /// A hash of what the message says; the same message on the same channel is sent once.
    pub content_hash: String,
    /// The subject, for logs and `--dry-run`.
    pub subject: String,
    /// The gaps in it: key, reason and absolute monthly value (`None` when unpriced).
    pub gap_keys: Vec<(String, String, Option<String>)>,
}

/// A logged message that this process may send: it claimed it, so no other process will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedNotification {
    /// The log row.
    pub id: i64,
    /// The channel.
    pub channel: String,
}

impl Store {
    /// Sets one PSA company's recipients, replacing the earlier ones.
    pub fn set_recipients(
        &self,
        company: &SourceKey,
        recipients: &Recipients,
    ) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO recipients (psa_system, psa_key, billing_owner, account_manager, extra)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (psa_system, psa_key) DO UPDATE SET
                 billing_owner = excluded.billing_owner,
                 account_manager = excluded.account_manager,
                 extra = excluded.extra",
            params![
                company.system,
                company.key,
                recipients.billing_owner,
                recipients.account_manager,
                recipients.extra.join(",")
            ],
        )?;
        Ok(())
    }

    /// Every PSA company's recipients.
    pub fn recipients(&self) -> Result<HashMap<SourceKey, Recipients>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT psa_system, psa_key, billing_owner, account_manager, extra FROM recipients",
        )?;
        let rows = statement.query_map([], |row| {
            let extra: String = row.get(4)?;
            Ok((
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                Recipients {
                    billing_owner: row.get(2)?,
                    account_manager: row.get(3)?,
                    extra: extra
                        .split(',')
                        .map(str::trim)
                        .filter(|address| !address.is_empty())
                        .map(str::to_string)
                        .collect(),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What one channel was last told about each gap key.
    pub fn notified_keys(&self, channel: &str) -> Result<HashMap<String, NotifiedKey>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT gap_key, last_notified, last_value FROM alert_keys WHERE channel = ?1",
        )?;
        let mut rows = statement.query([channel])?;
        let mut keys = HashMap::new();
        while let Some(row) = rows.next()? {
            let day: String = row.get(1)?;
            let last_notified = day.parse().map_err(|_| StoreError::Corrupt {
                column: "alert_keys.last_notified",
                value: day.clone(),
            })?;
            let value: Option<String> = row.get(2)?;
            let last_value = value
                .map(|text| super::values::decimal_from("alert_keys.last_value", &text))
                .transpose()?;
            keys.insert(
                row.get(0)?,
                NotifiedKey {
                    last_notified,
                    last_value,
                },
            );
        }
        Ok(keys)
    }

    /// For each of the latest `count` complete runs before `before_run` (newest first), the
    /// gap keys it recorded, keyed as [`crate::domain::alerting::gap_key`] keys them.
    pub fn latest_complete_runs(
        &self,
        count: usize,
        before_run: i64,
    ) -> Result<Vec<HashSet<String>>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id FROM runs WHERE complete = 1 AND id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let limit = i64::try_from(count).unwrap_or(i64::MAX);
        let runs: Vec<i64> = statement
            .query_map(params![before_run, limit], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut keys_of_runs = Vec::new();
        let mut gaps = self.connection.prepare_cached(
            "SELECT psa_system, company_key, coalesce(product_system, psa_system), product_key,
                    term, kind, currency
             FROM run_gaps WHERE run_id = ?1",
        )?;
        for run in runs {
            let keys = gaps
                .query_map([run], |row| {
                    Ok(format!(
                        "{}:{}|{}:{}|{}|{}|{}",
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, String>(6)?
                    ))
                })?
                .collect::<Result<HashSet<String>, _>>()?;
            keys_of_runs.push(keys);
        }
        Ok(keys_of_runs)
    }

    /// The id the next run will get, so that a check can ask for the runs before it.
    pub fn next_run_id(&self) -> Result<i64, StoreError> {
        let latest: Option<i64> =
            self.connection
                .query_row("SELECT max(id) FROM runs", [], |row| row.get(0))?;
        Ok(latest.unwrap_or(0).saturating_add(1))
    }

    /// Claims a due (or earlier failed) message for this process, atomically: of two
    /// overlapping checks, only one gets it.
    pub fn claim_notification(
        &mut self,
        channel: &str,
        content_hash: &str,
    ) -> Result<Option<ClaimedNotification>, StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: Option<i64> = transaction
            .query_row(
                "UPDATE notifications SET status = 'sending'
                 WHERE channel = ?1 AND content_hash = ?2 AND status IN ('due', 'failed')
                 RETURNING id",
                params![channel, content_hash],
                |row| row.get(0),
            )
            .optional()?;
        transaction.commit()?;
        Ok(id.map(|id| ClaimedNotification {
            id,
            channel: channel.to_string(),
        }))
    }

    /// Records how a claimed message's delivery went. A delivered message updates what its
    /// channel was told about each of its gaps, in the same transaction; a failed one leaves
    /// that memory alone, so the next run decides (and sends) it again.
    pub fn finish_notification(
        &mut self,
        claimed: &ClaimedNotification,
        today: NaiveDate,
        attempts: u32,
        failure: Option<&str>,
    ) -> Result<(), StoreError> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        match failure {
            Some(error) => {
                transaction.execute(
                    "UPDATE notifications SET status = 'failed', attempts = attempts + ?2,
                         last_error = ?3
                     WHERE id = ?1",
                    params![claimed.id, attempts, error],
                )?;
            }
            None => {
                transaction.execute(
                    "UPDATE notifications SET status = 'sent', attempts = attempts + ?2,
                         last_error = NULL, sent_at = ?3
                     WHERE id = ?1",
                    params![claimed.id, attempts, now_text()],
                )?;
                remember_told(&transaction, claimed, today)?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// The Message-ID of the first delivered message of `thread` on `channel`: later messages
    /// about the same client reply to it, so mail clients keep them in one conversation.
    pub fn thread_root(&self, channel: &str, thread: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT message_id FROM notifications
                 WHERE channel = ?1 AND thread = ?2 AND status = 'sent' AND message_id IS NOT NULL
                 ORDER BY id LIMIT 1",
                params![channel, thread],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The thread a delivered message was logged in, by its Message-ID.
    pub fn thread_of_message(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT thread FROM notifications WHERE message_id = ?1",
                [message_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Records the thread and Message-ID of a delivered message.
    pub fn record_message_id(
        &self,
        claimed: &ClaimedNotification,
        thread: &str,
        message_id: &str,
    ) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE notifications SET thread = ?2, message_id = ?3 WHERE id = ?1",
            params![claimed.id, thread, message_id],
        )?;
        Ok(())
    }

    /// Forgets what a channel was told about a gap that is resolved, when the channel does not
    /// take resolved notices: the gap counts as new if it ever comes back.
    pub fn forget_told(&self, channel: &str, gap_key: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "DELETE FROM alert_keys WHERE gap_key = ?1 AND channel = ?2",
            params![gap_key, channel],
        )?;
        Ok(())
    }

    /// The delivery log, newest first.
    pub fn notification_log(&self, limit: usize) -> Result<Vec<NotificationRow>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT id, run_id, channel, subject, status, attempts, last_error, created_at
             FROM notifications ORDER BY id DESC LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map([limit], |row| {
            Ok(NotificationRow {
                id: row.get(0)?,
                run_id: row.get(1)?,
                channel: row.get(2)?,
                subject: row.get(3)?,
                status: row.get(4)?,
                attempts: row.get(5)?,
                last_error: row.get(6)?,
                created_at: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One logged message, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// Log id.
    pub id: i64,
    /// The run that decided it.
    pub run_id: i64,
    /// The channel.
    pub channel: String,
    /// The subject.
    pub subject: String,
    /// due, sending, sent or failed.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was decided.
    pub created_at: String,
}

/// Logs the messages a check decided, inside the transaction that records its run. A message
/// already logged (the same content on the same channel, from a re-run or an overlapping
/// process) is not logged twice.
pub fn log_due_notifications(
    transaction: &Transaction<'_>,
    run_id: i64,
    due: &[DueNotification],
) -> Result<(), StoreError> {
    let mut statement = transaction.prepare_cached(
        "INSERT INTO notifications (run_id, channel, content_hash, subject, gap_keys,
                                    created_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'due')
         ON CONFLICT (channel, content_hash) DO NOTHING",
    )?;
    for notification in due {
        let keys = serde_json::to_string(&notification.gap_keys).map_err(|source| {
            StoreError::Serialise {
                what: "the gaps of a notification",
                source,
            }
        })?;
        statement.execute(params![
            run_id,
            notification.channel,
            notification.content_hash,
            notification.subject,
            keys,
            now_text()
        ])?;
    }
    Ok(())
}

/// After a delivery: what the channel now knows about each gap of the message. A resolved
/// notice forgets the key, so the gap counts as new if it ever comes back.
fn remember_told(
    transaction: &Transaction<'_>,
    claimed: &ClaimedNotification,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let text: String = transaction.query_row(
        "SELECT gap_keys FROM notifications WHERE id = ?1",
        [claimed.id],
        |row| row.get(0),
    )?;
    let keys: Vec<(String, String, Option<String>)> =
        serde_json::from_str(&text).map_err(|_| StoreError::Corrupt {
            column: "notifications.gap_keys",
            value: text.clone(),
        })?;
    for (key, reason, value) in keys {
        if reason == crate::domain::alerting::AlertReason::Resolved.as_str() {
            transaction.execute(
                "DELETE FROM alert_keys WHERE gap_key = ?1 AND channel = ?2",
                params![key, claimed.channel],
            )?;
            continue;
        }
        transaction.execute(
            "INSERT INTO alert_keys (gap_key, channel, first_notified, last_notified, last_value)
             VALUES (?1, ?2, ?3, ?3, ?4)
             ON CONFLICT (gap_key, channel) DO UPDATE SET
                 last_notified = excluded.last_notified, last_value = excluded.last_value",
            params![key, claimed.channel, today.to_string(), value],
        )?;
    }
    Ok(())
}
