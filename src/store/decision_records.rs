//! The records a decision changes, each with its identity (stored in the log as JSON) and the
//! two operations undo and redo need: read its current state, and put it into a given state.

use super::connection::StoreError;
use super::values::now_text;
use crate::domain::decision::Decision;
use crate::domain::gap_work::{GapWork, GapWorkState};
use crate::domain::lines::{SourceKey, Term};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The identity of the one row a decision changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub(super) enum RecordId {
    ClientMapping {
        vendor_system: String,
        vendor_key: String,
    },
    ProductMapping {
        vendor_system: String,
        vendor_key: String,
        term: String,
    },
    /// An ignore rule. `term` names the term of a product rule; `None` is the every-term rule,
    /// the only kind before ignore rules had a term, so log entries written then (which have no
    /// `term`) still name their rule, and every-term entries are still written without one.
    Ignore {
        subject: String,
        system: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        term: Option<String>,
    },
    Rejection {
        subject: String,
        vendor_system: String,
        vendor_key: String,
        psa_system: String,
        psa_key: String,
    },
    /// The work recorded on a gap, by the gap's stable key.
    GapWork { gap: String },
}

impl RecordId {
    pub(super) fn client(vendor: &SourceKey) -> Self {
        RecordId::ClientMapping {
            vendor_system: vendor.system.clone(),
            vendor_key: vendor.key.clone(),
        }
    }

    pub(super) fn product(vendor: &SourceKey, term: Option<Term>) -> Self {
        RecordId::ProductMapping {
            vendor_system: vendor.system.clone(),
            vendor_key: vendor.key.clone(),
            term: term.map_or("*", Term::as_str).to_string(),
        }
    }

    pub(super) fn ignore(subject: &str, vendor: &SourceKey, term: Option<Term>) -> Self {
        RecordId::Ignore {
            subject: subject.to_string(),
            system: vendor.system.clone(),
            key: vendor.key.clone(),
            term: term.map(|term| term.as_str().to_string()),
        }
    }

    pub(super) fn rejection(subject: &str, vendor: &SourceKey, psa: &SourceKey) -> Self {
        RecordId::Rejection {
            subject: subject.to_string(),
            vendor_system: vendor.system.clone(),
            vendor_key: vendor.key.clone(),
            psa_system: psa.system.clone(),
            psa_key: psa.key.clone(),
        }
    }

    /// The decision that leaves this record in `state` (`None` state: the row removed). Undo
    /// and redo use it to name what they reversed in the operator's words.
    pub(super) fn decision(&self, state: Option<&Value>) -> Option<Decision> {
        let text =
            |field: &str| -> Option<String> { state?.get(field)?.as_str().map(str::to_string) };
        let psa = || Some(SourceKey::new(text("psa_system")?, text("psa_key")?));
        let reason = || text("reason").unwrap_or_default();
        let until = || text("until").and_then(|date| date.parse().ok());
        Some(match self {
            RecordId::ClientMapping {
                vendor_system,
                vendor_key,
            } => {
                let vendor = SourceKey::new(vendor_system.clone(), vendor_key.clone());
                match state {
                    Some(_) => Decision::MapClient {
                        vendor,
                        company: psa()?,
                    },
                    None => Decision::UnmapClient { vendor },
                }
            }
            RecordId::ProductMapping {
                vendor_system,
                vendor_key,
                term,
            } => {
                let vendor = SourceKey::new(vendor_system.clone(), vendor_key.clone());
                let term = (term != "*").then(|| term.parse().unwrap_or(Term::Unspecified));
                match state {
                    Some(_) => Decision::MapProduct {
                        vendor,
                        term,
                        product: psa()?,
                    },
                    None => Decision::UnmapProduct { vendor, term },
                }
            }
            RecordId::Ignore {
                subject,
                system,
                key,
                term,
            } => {
                let vendor = SourceKey::new(system.clone(), key.clone());
                let term = term
                    .as_ref()
                    .map(|term| term.parse().unwrap_or(Term::Unspecified));
                match (subject.as_str(), state) {
                    ("customer", Some(_)) => Decision::IgnoreCustomer {
                        vendor,
                        reason: reason(),
                        until: until(),
                    },
                    ("customer", None) => Decision::UnignoreCustomer { vendor },
                    (_, Some(_)) => Decision::IgnoreProduct {
                        vendor,
                        term,
                        reason: reason(),
                        until: until(),
                    },
                    (_, None) => Decision::UnignoreProduct { vendor, term },
                }
            }
            RecordId::Rejection {
                subject,
                vendor_system,
                vendor_key,
                psa_system,
                psa_key,
            } => {
                let vendor = SourceKey::new(vendor_system.clone(), vendor_key.clone());
                let psa = SourceKey::new(psa_system.clone(), psa_key.clone());
                match subject.as_str() {
                    "client" => Decision::RejectClient {
                        vendor,
                        company: psa,
                    },
                    _ => Decision::RejectProduct {
                        vendor,
                        product: psa,
                    },
                }
            }
            RecordId::GapWork { gap } => {
                let label = text("label").unwrap_or_else(|| gap.clone());
                match state {
                    Some(_) => Decision::WorkGap {
                        gap: gap.clone(),
                        label,
                        work: GapWork {
                            state: GapWorkState::from_stored(&text("state")?)?,
                            note: text("note").unwrap_or_default(),
                            until: text("until").and_then(|date| date.parse().ok()),
                        },
                    },
                    None => Decision::ClearGapWork {
                        gap: gap.clone(),
                        label,
                    },
                }
            }
        })
    }

    /// Reads the record's current state; `None` when the row does not exist.
    pub(super) fn read(&self, transaction: &Transaction<'_>) -> Result<Option<Value>, StoreError> {
        let state = match self {
            RecordId::ClientMapping {
                vendor_system,
                vendor_key,
            } => transaction
                .query_row(
                    "SELECT psa_system, psa_key, origin FROM client_mappings
                     WHERE vendor_system = ?1 AND vendor_key = ?2",
                    params![vendor_system, vendor_key],
                    mapping_state,
                )
                .optional()?,
            RecordId::ProductMapping {
                vendor_system,
                vendor_key,
                term,
            } => transaction
                .query_row(
                    "SELECT psa_system, psa_key, origin FROM product_mappings
                     WHERE vendor_system = ?1 AND vendor_key = ?2 AND term = ?3",
                    params![vendor_system, vendor_key, term],
                    mapping_state,
                )
                .optional()?,
            RecordId::Ignore {
                subject,
                system,
                key,
                term,
            } => transaction
                .query_row(
                    "SELECT reason, until FROM ignore_rules
                     WHERE subject = ?1 AND system = ?2 AND key = ?3 AND term = ?4",
                    params![subject, system, key, stored_term(term)],
                    |row| {
                        Ok(json!({"reason": row.get::<_, String>(0)?,
                                  "until": row.get::<_, Option<String>>(1)?}))
                    },
                )
                .optional()?,
            RecordId::Rejection {
                subject,
                vendor_system,
                vendor_key,
                psa_system,
                psa_key,
            } => transaction
                .query_row(
                    "SELECT 1 FROM rejections WHERE subject = ?1 AND vendor_system = ?2
                       AND vendor_key = ?3 AND psa_system = ?4 AND psa_key = ?5",
                    params![subject, vendor_system, vendor_key, psa_system, psa_key],
                    |_| Ok(json!({})),
                )
                .optional()?,
            RecordId::GapWork { gap } => transaction
                .query_row(
                    "SELECT label, state, note, until FROM gap_work WHERE gap_key = ?1",
                    params![gap],
                    |row| {
                        Ok(json!({"label": row.get::<_, String>(0)?,
                                  "state": row.get::<_, String>(1)?,
                                  "note": row.get::<_, String>(2)?,
                                  "until": row.get::<_, Option<String>>(3)?}))
                    },
                )
                .optional()?,
        };
        Ok(state)
    }

    /// Puts the record into `state`: deletes it, then inserts the new state if there is one.
    pub(super) fn write(
        &self,
        transaction: &Transaction<'_>,
        state: Option<&Value>,
    ) -> Result<(), StoreError> {
        let now = now_text();
        let text = |value: &Value, field: &str| value[field].as_str().map(str::to_string);
        match self {
            RecordId::ClientMapping {
                vendor_system,
                vendor_key,
            } => {
                transaction.execute(
                    "DELETE FROM client_mappings WHERE vendor_system = ?1 AND vendor_key = ?2",
                    params![vendor_system, vendor_key],
                )?;
                if let Some(state) = state {
                    transaction.execute(
                        "INSERT INTO client_mappings
                             (vendor_system, vendor_key, psa_system, psa_key, origin, decided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            vendor_system,
                            vendor_key,
                            text(state, "psa_system"),
                            text(state, "psa_key"),
                            text(state, "origin"),
                            now
                        ],
                    )?;
                }
            }
            RecordId::ProductMapping {
                vendor_system,
                vendor_key,
                term,
            } => {
                transaction.execute(
                    "DELETE FROM product_mappings
                     WHERE vendor_system = ?1 AND vendor_key = ?2 AND term = ?3",
                    params![vendor_system, vendor_key, term],
                )?;
                if let Some(state) = state {
                    transaction.execute(
                        "INSERT INTO product_mappings (vendor_system, vendor_key, term,
                                                       psa_system, psa_key, origin, decided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            vendor_system,
                            vendor_key,
                            term,
                            text(state, "psa_system"),
                            text(state, "psa_key"),
                            text(state, "origin"),
                            now
                        ],
                    )?;
                }
            }
            RecordId::Ignore {
                subject,
                system,
                key,
                term,
            } => {
                transaction.execute(
                    "DELETE FROM ignore_rules
                     WHERE subject = ?1 AND system = ?2 AND key = ?3 AND term = ?4",
                    params![subject, system, key, stored_term(term)],
                )?;
                if let Some(state) = state {
                    transaction.execute(
                        "INSERT INTO ignore_rules
                             (subject, system, key, term, reason, until, decided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            subject,
                            system,
                            key,
                            stored_term(term),
                            text(state, "reason"),
                            text(state, "until"),
                            now
                        ],
                    )?;
                }
            }
            RecordId::Rejection {
                subject,
                vendor_system,
                vendor_key,
                psa_system,
                psa_key,
            } => {
                transaction.execute(
                    "DELETE FROM rejections WHERE subject = ?1 AND vendor_system = ?2
                       AND vendor_key = ?3 AND psa_system = ?4 AND psa_key = ?5",
                    params![subject, vendor_system, vendor_key, psa_system, psa_key],
                )?;
                if state.is_some() {
                    transaction.execute(
                        "INSERT INTO rejections (subject, vendor_system, vendor_key, psa_system,
                                                 psa_key, decided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![subject, vendor_system, vendor_key, psa_system, psa_key, now],
                    )?;
                }
            }
            RecordId::GapWork { gap } => {
                transaction.execute("DELETE FROM gap_work WHERE gap_key = ?1", params![gap])?;
                if let Some(state) = state {
                    transaction.execute(
                        "INSERT INTO gap_work (gap_key, label, state, note, until, decided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            gap,
                            text(state, "label"),
                            text(state, "state"),
                            text(state, "note"),
                            text(state, "until"),
                            now
                        ],
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The `term` column of an ignore rule: the term's name, or `*` for every term (as in
/// `product_mappings`).
fn stored_term(term: &Option<String>) -> &str {
    term.as_deref().unwrap_or("*")
}

fn mapping_state(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "psa_system": row.get::<_, String>(0)?,
        "psa_key": row.get::<_, String>(1)?,
        "origin": row.get::<_, String>(2)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::connection::Store;
    use super::super::decisions::{Origin, UndoOutcome};
    use super::super::migrate;
    use crate::domain::decision::Decision;
    use crate::domain::lines::{SourceKey, Term};
    use rusqlite::Connection;

    /// A database as billgap left it before ignore rules had a term (migrations 0001–0003),
    /// holding an every-term product ignore and its log entry as they were written then.
    fn database_before_terms() -> Connection {
        let connection = migrate::database_before("0004_ignore_rules_per_term");
        connection
            .execute_batch(
                r#"INSERT INTO ignore_rules (subject, system, key, reason, until, decided_at)
                   VALUES ('product', 'pax8', 'PRF', 'service credit', NULL, '2026-10-01');
                   INSERT INTO decisions (id, decided_at, action, step, origin, record, before, after)
                   VALUES (1, '2026-10-01', 'ignore-product', 'do', 'manual',
                           '{"record":"ignore","subject":"product","system":"pax8","key":"PRF"}',
                           NULL, '{"reason":"service credit","until":null}');"#,
            )
            .expect("old rule and log entry");
        connection
    }

    fn product() -> SourceKey {
        SourceKey::new("pax8", "PRF")
    }

    #[test]
    fn an_old_every_term_ignore_survives_the_migration_and_still_undoes_and_redoes() {
        let mut connection = database_before_terms();
        migrate::apply(&mut connection).expect("migrate to 0004");
        let mut store = Store {
            connection,
            path: None,
            positions_in_memory: crate::store::position_runs::POSITIONS_IN_MEMORY,
        };
        let ignored = |store: &Store| {
            let mut keys: Vec<(SourceKey, Option<Term>)> = store
                .mapping_set()
                .expect("mappings")
                .ignored_products
                .into_keys()
                .collect();
            keys.sort();
            keys
        };
        assert_eq!(ignored(&store), [(product(), None)], "kept as every term");

        let UndoOutcome::Applied { decisions, .. } = store.undo().expect("undo") else {
            panic!("the old entry can be undone");
        };
        assert_eq!(
            decisions,
            [Decision::IgnoreProduct {
                vendor: product(),
                term: None,
                reason: "service credit".into(),
                until: None,
            }]
        );
        assert!(ignored(&store).is_empty());
        assert!(matches!(
            store.redo().expect("redo"),
            UndoOutcome::Applied { .. }
        ));
        assert_eq!(ignored(&store), [(product(), None)]);

        // A rule for one term is a rule of its own next to the every-term one.
        let one_time = Decision::IgnoreProduct {
            vendor: product(),
            term: Some(Term::OneTime),
            reason: "credit".into(),
            until: None,
        };
        assert!(
            store
                .decide(&one_time, Origin::Manual)
                .expect("ignore")
                .is_some()
        );
        assert_eq!(
            ignored(&store),
            [(product(), None), (product(), Some(Term::OneTime))]
        );
        let lift_every_term = Decision::UnignoreProduct {
            vendor: product(),
            term: None,
        };
        assert!(
            store
                .decide(&lift_every_term, Origin::Manual)
                .expect("unignore")
                .is_some()
        );
        assert_eq!(ignored(&store), [(product(), Some(Term::OneTime))]);
        let UndoOutcome::Applied { decisions, .. } = store.undo().expect("undo") else {
            panic!("undo the lift");
        };
        assert_eq!(decisions, [lift_every_term]);
        assert_eq!(
            ignored(&store),
            [(product(), None), (product(), Some(Term::OneTime))]
        );
    }

    #[test]
    fn an_every_term_log_record_is_written_as_before_terms() {
        let record = super::RecordId::ignore("product", &product(), None);
        assert_eq!(
            serde_json::to_string(&record).expect("json"),
            r#"{"record":"ignore","subject":"product","system":"pax8","key":"PRF"}"#
        );
        let record = super::RecordId::ignore("product", &product(), Some(Term::OneTime));
        assert_eq!(
            serde_json::to_string(&record).expect("json"),
            r#"{"record":"ignore","subject":"product","system":"pax8","key":"PRF","term":"one-time"}"#
        );
    }
}
