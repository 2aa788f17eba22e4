//! Mapping from a spreadsheet: the decisions of a `mappings.csv` (the format the sample ships,
//! `kind,vendor_system,vendor_key,term,psa_id,reason,expires`), checked row by row and applied
//! as one step of the history, so an MSP moving from an Excel reconciliation starts mapped,
//! and one undo takes the whole file back.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::decision::Decision;
use crate::domain::lines::{Side, SourceKey, Term};
use crate::domain::text::strip_control;
use crate::store::Origin;
use std::path::Path;

/// What applying a mappings file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkMappingOutcome {
    /// Decisions that changed something.
    pub applied: usize,
    /// Rows that matched what is already recorded.
    pub unchanged: usize,
    /// Rows that disagree with a mapping already confirmed, left as they are: a spreadsheet
    /// never overwrites the operator's confirmed work. Each says where and why.
    pub conflicts: Vec<String>,
}

impl BulkMappingOutcome {
    /// What happened, for the operator: one sentence, then one line per conflict (each
    /// already free of control characters).
    pub fn sentence(&self) -> String {
        let mut text = format!(
            "Applied {} decision(s) from the file as one step (one undo reverses them); {} row(s) were already so",
            self.applied, self.unchanged
        );
        if self.conflicts.is_empty() {
            text.push('.');
        } else {
            text.push_str(&format!(
                "; {} row(s) disagree with a confirmed mapping and were left as they are:\n  {}",
                self.conflicts.len(),
                self.conflicts.join("\n  ")
            ));
        }
        text
    }
}

/// One row read from the file, before its names are resolved.
struct Row {
    line: u64,
    kind: String,
    vendor: SourceKey,
    term: Option<Term>,
    psa: String,
    reason: String,
    expires: Option<chrono::NaiveDate>,
}

impl Workspace {
    /// Reads a mappings file and records its decisions as one manual step. Every row is
    /// checked first: an unknown kind, vendor record, PSA record, term or date fails the
    /// whole file with its line, and nothing is recorded. Rows that would replace a confirmed
    /// mapping or ignore rule are reported and skipped.
    pub fn map_from_file(&mut self, path: &Path) -> Result<BulkMappingOutcome, WorkflowError> {
        let file = path.display().to_string();
        let located = |line: u64, message: String| {
            WorkflowError::Refused(strip_control(&format!("{file}:{line}: {message}")))
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .map_err(|error| WorkflowError::Refused(format!("{file}: {error}")))?;
        let headers = reader
            .headers()
            .map_err(|error| located(1, error.to_string()))?
            .clone();
        let column = |name: &str| headers.iter().position(|header| header.trim() == name);
        let required = ["kind", "vendor_system", "vendor_key", "psa_id"];
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| column(name).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(located(
                1,
                format!(
                    "missing column(s) {}; expected kind,vendor_system,vendor_key,term,psa_id,reason,expires",
                    missing.join(", ")
                ),
            ));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|error| {
                let line = error.position().map_or(0, |position| position.line());
                located(line, error.to_string())
            })?;
            let line = record.position().map_or(0, |position| position.line());
            let cell = |name: &str| {
                column(name)
                    .and_then(|index| record.get(index))
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            let term = match cell("term").as_str() {
                "" => None,
                text => Some(text.parse::<Term>().map_err(|_| {
                    located(line, format!("'{text}' is not a term (monthly, annual, …)"))
                })?),
            };
            let expires = match cell("expires").as_str() {
                "" => None,
                text => Some(text.parse().map_err(|_| {
                    located(line, format!("'{text}' is not a date: expected YYYY-MM-DD"))
                })?),
            };
            rows.push(Row {
                line,
                kind: cell("kind").to_ascii_lowercase(),
                vendor: SourceKey::new(cell("vendor_system"), cell("vendor_key")),
                term,
                psa: cell("psa_id"),
                reason: cell("reason"),
                expires,
            });
        }
        let mut decisions = Vec::new();
        let mut outcome = BulkMappingOutcome::default();
        for row in rows {
            let decision = self
                .row_decision(&row)
                .map_err(|error| located(row.line, error.to_string()))?;
            match self.conflict(&decision)? {
                Some(Conflict::Same) => outcome.unchanged += 1,
                Some(Conflict::Other(current)) => {
                    let wanted = self.describe(&decision);
                    outcome.conflicts.push(strip_control(&format!(
                        "{file}:{}: {wanted} (confirmed: {current})",
                        row.line
                    )));
                }
                None => decisions.push(decision),
            }
        }
        outcome.applied = self.decide_all(&decisions, Origin::Manual)?;
        Ok(outcome)
    }

    fn row_decision(&self, row: &Row) -> Result<Decision, WorkflowError> {
        let vendor_side = |text: &SourceKey| -> Result<(), WorkflowError> {
            if text.system.is_empty() || text.key.is_empty() {
                return Err(WorkflowError::Refused(
                    "vendor_system and vendor_key are both needed".to_string(),
                ));
            }
            Ok(())
        };
        vendor_side(&row.vendor)?;
        let reason = || {
            if row.reason.is_empty() {
                "from a mappings file".to_string()
            } else {
                row.reason.clone()
            }
        };
        Ok(match row.kind.as_str() {
            "client" | "customer" => Decision::MapClient {
                vendor: self.find_party(Side::Vendor, &row.vendor.to_string())?,
                company: self.find_party(Side::Psa, &row.psa)?,
            },
            "product" => Decision::MapProduct {
                vendor: self.find_product(Side::Vendor, &row.vendor.to_string())?,
                term: row.term,
                product: self.find_psa_product_or_catalogue(&row.psa)?.key,
            },
            "ignore" | "ignore-customer" | "ignore-client" => Decision::IgnoreCustomer {
                vendor: self.find_party(Side::Vendor, &row.vendor.to_string())?,
                reason: reason(),
                until: row.expires,
            },
            "ignore-product" => Decision::IgnoreProduct {
                vendor: self.find_product(Side::Vendor, &row.vendor.to_string())?,
                term: row.term,
                reason: reason(),
                until: row.expires,
            },
            other => {
                return Err(WorkflowError::Refused(format!(
                    "'{other}' is not a kind: use client, product, ignore (a customer) or ignore-product"
                )));
            }
        })
    }

    /// Whether a decision from a file would replace the operator's confirmed work.
    fn conflict(&mut self, decision: &Decision) -> Result<Option<Conflict>, WorkflowError> {
        let mappings = &self.session()?.mappings;
        let current = match decision {
            Decision::MapClient { vendor, company } => mappings
                .clients
                .get(vendor)
                .map(|current| (current == company, current.to_string())),
            Decision::MapProduct {
                vendor,
                term,
                product,
            } => mappings
                .products
                .get(&(vendor.clone(), *term))
                .map(|current| (current == product, current.to_string())),
            Decision::IgnoreCustomer { vendor, .. } => mappings
                .clients
                .get(vendor)
                .map(|current| (false, format!("mapped to {current}")))
                .or_else(|| {
                    mappings
                        .ignored_customers
                        .get(vendor)
                        .map(|_| (true, String::new()))
                }),
            Decision::IgnoreProduct { vendor, term, .. } => mappings
                .products
                .get(&(vendor.clone(), *term))
                .map(|current| (false, format!("mapped to {current}")))
                .or_else(|| {
                    mappings
                        .ignored_products
                        .get(&(vendor.clone(), *term))
                        .map(|_| (true, String::new()))
                }),
            _ => None,
        };
        Ok(current.map(|(same, current)| {
            if same {
                Conflict::Same
            } else {
                Conflict::Other(current)
            }
        }))
    }
}

enum Conflict {
    Same,
    Other(String),
}
