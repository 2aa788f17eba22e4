//! The records a decision changes, each with its identity (stored in the log as JSON) and the
//! two operations undo and redo need: read its current state, and put it into a given state.

use super::{StoreError, now_text};
use crate::domain::decision::Decision;
use crate::domain::lines::{SourceKey, Term};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The identity of the one row a decision changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    Ignore {
        subject: String,
        system: String,
        key: String,
    },
    Rejection {
        subject: String,
        vendor_system: String,
        vendor_key: String,
        psa_system: String,
        psa_key: String,
    },
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

    pub(super) fn ignore(subject: &str, vendor: &SourceKey) -> Self {
        RecordId::Ignore {
            subject: subject.to_string(),
            system: vendor.system.clone(),
            key: vendor.key.clone(),
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
            } => {
                let vendor = SourceKey::new(system.clone(), key.clone());
                match (subject.as_str(), state) {
                    ("customer", Some(_)) => Decision::IgnoreCustomer {
                        vendor,
                        reason: reason(),
                        until: until(),
                    },
                    ("customer", None) => Decision::UnignoreCustomer { vendor },
                    (_, Some(_)) => Decision::IgnoreProduct {
                        vendor,
                        reason: reason(),
                        until: until(),
                    },
                    (_, None) => Decision::UnignoreProduct { vendor },
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
            } => transaction
                .query_row(
                    "SELECT reason, until FROM ignore_rules
                     WHERE subject = ?1 AND system = ?2 AND key = ?3",
                    params![subject, system, key],
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
            } => {
                transaction.execute(
                    "DELETE FROM ignore_rules WHERE subject = ?1 AND system = ?2 AND key = ?3",
                    params![subject, system, key],
                )?;
                if let Some(state) = state {
                    transaction.execute(
                        "INSERT INTO ignore_rules (subject, system, key, reason, until, decided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            subject,
                            system,
                            key,
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
        }
        Ok(())
    }
}

fn mapping_state(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "psa_system": row.get::<_, String>(0)?,
        "psa_key": row.get::<_, String>(1)?,
        "origin": row.get::<_, String>(2)?,
    }))
}
