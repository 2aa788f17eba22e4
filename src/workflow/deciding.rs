//! Decisions: confirm, reject, ignore, unmap, undo and redo, and the thresholds. Each one says
//! whether it changed anything, in the operator's words rather than in keys.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::decision::Decision;
use crate::domain::lines::{SourceKey, Term};
use crate::domain::text::strip_control;
use crate::store::{Origin, UndoOutcome, UndoScope};
use rust_decimal::Decimal;

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionOutcome {
    /// False when the decision was already in force: nothing was written or logged.
    pub changed: bool,
    /// What happened, naming the records by name, such as
    /// "Mapped Contoso (pax8) → Contoso Ltd" or "Nothing changed: …".
    pub sentence: String,
}

/// Undo or redo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryStep {
    /// Reverse the latest decision still in effect.
    Undo,
    /// Re-apply the latest undone decision.
    Redo,
}

impl Workspace {
    /// Records one decision from the operator and applies it. Refuses (and writes nothing) a
    /// product ignore that a confirmed mapping would override.
    pub fn decide(&mut self, decision: &Decision) -> Result<DecisionOutcome, WorkflowError> {
        self.refuse_ignore_over_mapping(decision)?;
        let changed = self.store.decide(decision, Origin::Manual)?.is_some();
        let what = self.describe(decision);
        if changed {
            self.mappings_moved(is_rejection(decision))?;
        }
        Ok(DecisionOutcome {
            changed,
            sentence: if changed {
                format!("{}{what}", verb(decision))
            } else {
                format!(
                    "Nothing changed: {}{what} was already in force.",
                    verb(decision)
                )
            },
        })
    }

    /// Records decisions made on the operator's explicit request for automation (the safe
    /// band, certain mappings) as one step of the history, each logged with its origin: one
    /// undo reverses them all. Returns how many changed anything.
    pub(crate) fn decide_all(
        &mut self,
        decisions: &[Decision],
        origin: Origin,
    ) -> Result<usize, WorkflowError> {
        let applied = self.decide_each(decisions, origin)?;
        Ok(applied.iter().filter(|applied| **applied).count())
    }

    /// As [`Workspace::decide_all`], telling per decision (in input order) whether it was
    /// applied: an automatic one is skipped when its key was decided after the queue was read.
    pub(crate) fn decide_each(
        &mut self,
        decisions: &[Decision],
        origin: Origin,
    ) -> Result<Vec<bool>, WorkflowError> {
        let applied: Vec<bool> = self
            .store
            .decide_batch(decisions, origin)?
            .iter()
            .map(Option::is_some)
            .collect();
        if applied.contains(&true) {
            self.mappings_moved(false)?;
        }
        Ok(applied)
    }

    /// Applies the decisions a bulk accept previewed, each logged as automatic, as one step
    /// that a single undo reverses.
    pub fn accept_decisions(&mut self, decisions: &[Decision]) -> Result<usize, WorkflowError> {
        self.decide_all(decisions, Origin::Automatic)
    }

    /// Undoes or redoes one step, whatever it decided: a decision, or a whole bulk accept.
    /// `None` when there is nothing to undo or redo.
    pub fn step_history(&mut self, step: HistoryStep) -> Result<Option<String>, WorkflowError> {
        self.step_history_in(step, UndoScope::Everything)
    }

    /// Undoes or redoes the latest step of one scope, such as the screen where undo was
    /// pressed: `u` on the Clients screen never reverts a product mapping. `None` when that
    /// scope has nothing to undo or redo.
    pub fn step_history_in(
        &mut self,
        step: HistoryStep,
        scope: UndoScope,
    ) -> Result<Option<String>, WorkflowError> {
        let outcome = self.store.step_history(step == HistoryStep::Undo, scope)?;
        let (record, count, decisions, reversed) = match outcome {
            UndoOutcome::Applied {
                record,
                count,
                decisions,
                reversed,
            } => (record, count, decisions, reversed),
            UndoOutcome::Nothing => return Ok(None),
            UndoOutcome::Blocked => {
                return Ok(Some(
                    "Nothing changed: the latest step here also changed another screen, where a later decision stands. Reverse that one first, or undo from the Overview (or `billgap undo`), which takes steps in order.".to_string(),
                ));
            }
        };
        self.mappings_moved(true)?;
        let word = match step {
            HistoryStep::Undo => "Undid",
            HistoryStep::Redo => "Redid",
        };
        if count <= 1 {
            let what = match decisions.first() {
                Some(decision) => format!("{}{}", verb(decision), self.describe(decision)),
                None => strip_control(&format!("{} {}", record.action, record.record)),
            };
            // The number is the decision's own, as `billgap log` lists it, so the user can
            // find what was taken back; the entry this step wrote is only a newer line there.
            let number = reversed.first().copied().unwrap_or(record.id);
            return Ok(Some(format!("{word} #{number} ({what})")));
        }
        Ok(Some(self.describe_batch(
            word,
            &record.origin,
            count,
            &decisions,
        )))
    }

    /// A bulk step in one sentence, such as "Undid 12 automatic mappings (one bulk accept):
    /// Contoso → Contoso Ltd, … and 9 more": a status line has room for a few names, and the
    /// log keeps every one.
    fn describe_batch(
        &mut self,
        word: &str,
        origin: &str,
        count: usize,
        decisions: &[Decision],
    ) -> String {
        const NAMED: usize = 3;
        let mappings = decisions.iter().all(|decision| {
            matches!(
                decision,
                Decision::MapClient { .. } | Decision::MapProduct { .. }
            )
        });
        let named: Vec<String> = decisions
            .iter()
            .take(NAMED)
            .map(|decision| {
                let what = self.describe(decision);
                if mappings {
                    what
                } else {
                    format!("{}{what}", verb(decision))
                }
            })
            .collect();
        let rest = count.saturating_sub(named.len());
        let more = if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        };
        let (origin, kind) = if origin == "automatic" {
            ("automatic", " (one bulk accept)")
        } else {
            ("manual", "")
        };
        let noun = if mappings { "mappings" } else { "decisions" };
        format!(
            "{word} {count} {origin} {noun}{kind}: {}{more}",
            named.join(", ")
        )
    }

    /// The decision log, newest first.
    pub fn decision_log(
        &self,
        limit: usize,
    ) -> Result<Vec<crate::store::DecisionRecord>, WorkflowError> {
        Ok(self.store.decision_log(limit)?)
    }

    /// The stored default per-client threshold.
    pub fn default_threshold(&mut self) -> Result<Decimal, WorkflowError> {
        Ok(self.session()?.thresholds.default)
    }

    /// Stores the default threshold, or one PSA company's. A negative amount is refused.
    pub fn set_threshold(
        &mut self,
        client: Option<&SourceKey>,
        amount: Decimal,
    ) -> Result<String, WorkflowError> {
        if amount.is_sign_negative() {
            return Err(WorkflowError::Refused(format!(
                "{amount} is not a threshold: expected an amount of 0 or more"
            )));
        }
        self.store.set_threshold(client, amount)?;
        self.invalidate();
        Ok(format!(
            "Threshold for {} set to {amount} a month, in each client's currency",
            client.map_or_else(|| "every client".to_string(), |key| self.company_name(key))
        ))
    }

    /// After a decision: the mappings moved, the positions did not.
    fn mappings_moved(&mut self, rejections_moved: bool) -> Result<(), WorkflowError> {
        self.generation = self.generation.wrapping_add(1);
        if let Some(session) = &mut self.session {
            session.refresh_mappings(&self.store, self.today, rejections_moved)?;
        }
        Ok(())
    }

    /// A decision in business words: names, terms and reasons, never bare keys when a name is
    /// known. Control characters are stripped, since the sentence reaches a terminal.
    pub fn describe(&mut self, decision: &Decision) -> String {
        let text = match decision {
            Decision::MapClient { vendor, company } => {
                format!(
                    "{} → {}",
                    self.customer_name(vendor),
                    self.company_name(company)
                )
            }
            Decision::UnmapClient { vendor } => self.customer_name(vendor),
            Decision::MapProduct {
                vendor,
                term,
                product,
            } => format!(
                "{} ({}) → {}",
                self.product_name(vendor, true),
                term.map_or("every term", Term::as_str),
                self.product_name(product, false)
            ),
            Decision::UnmapProduct { vendor, term } => format!(
                "{} ({})",
                self.product_name(vendor, true),
                term.map_or("every term", Term::as_str)
            ),
            Decision::RejectClient { vendor, company } => format!(
                "{} for {}",
                self.company_name(company),
                self.customer_name(vendor)
            ),
            Decision::RejectProduct { vendor, product } => format!(
                "{} for {}",
                self.product_name(product, false),
                self.product_name(vendor, true)
            ),
            Decision::IgnoreCustomer {
                vendor,
                reason,
                until,
            } => ignored(self.customer_name(vendor), reason, *until),
            Decision::IgnoreProduct {
                vendor,
                term,
                reason,
                until,
            } => ignored(
                format!(
                    "{} ({})",
                    self.product_name(vendor, true),
                    term.map_or("every term", Term::as_str)
                ),
                reason,
                *until,
            ),
            Decision::UnignoreCustomer { vendor } => self.customer_name(vendor),
            Decision::UnignoreProduct { vendor, term } => format!(
                "{} ({})",
                self.product_name(vendor, true),
                term.map_or("every term", Term::as_str)
            ),
            Decision::WorkGap { label, work, .. } if work.note.is_empty() => {
                format!("{label}: {}", work.label())
            }
            Decision::WorkGap { label, work, .. } => {
                format!("{label}: {} ({})", work.label(), work.note)
            }
            Decision::ClearGapWork { label, .. } => label.clone(),
        };
        strip_control(&text)
    }

    /// Refuses a product ignore that a confirmed mapping would override. The domain lets the
    /// mapping win (`MappingSet::treat`), so recording the ignore would say "ignored" about
    /// seats that stay compared; the operator unmaps first, or ignores another term.
    fn refuse_ignore_over_mapping(&mut self, decision: &Decision) -> Result<(), WorkflowError> {
        let Decision::IgnoreProduct { vendor, term, .. } = decision else {
            return Ok(());
        };
        let Some((scope, target)) = self
            .session()?
            .mappings
            .mapping_over_ignore(vendor, *term)
            .map(|(scope, target)| (scope, target.clone()))
        else {
            return Ok(());
        };
        let product = self.product_name(vendor, true);
        let target = self.product_name(&target, false);
        let sentence = match (term, scope) {
            (Some(term), Some(_)) => {
                format!("{product} ({term}) is mapped to {target}: unmap it first")
            }
            (Some(term), None) => format!(
                "{product} is mapped to {target} for every term, so an ignore of {term} would not \
                 apply: unmap it first"
            ),
            (None, Some(mapped)) => format!(
                "{product} ({mapped}) is mapped to {target}, so an ignore of every term would not \
                 apply there: unmap it first, or ignore one term"
            ),
            (None, None) => {
                format!("{product} is mapped to {target} for every term: unmap it first")
            }
        };
        Err(WorkflowError::Refused(strip_control(&sentence)))
    }

    fn customer_name(&mut self, key: &SourceKey) -> String {
        let name = self.session().ok().and_then(|session| {
            session
                .vendor_parties
                .iter()
                .find(|row| row.key == *key)
                .map(|row| row.party.name.clone())
        });
        name.unwrap_or_else(|| key.to_string())
    }

    fn company_name(&self, key: &SourceKey) -> String {
        let name = self.session.as_ref().and_then(|session| {
            session
                .psa_parties
                .iter()
                .find(|row| row.key == *key)
                .map(|row| row.party.name.clone())
        });
        name.unwrap_or_else(|| key.to_string())
    }

    fn product_name(&mut self, key: &SourceKey, vendor: bool) -> String {
        let name = self.session().ok().and_then(|session| {
            let rows = if vendor {
                &session.vendor_products
            } else {
                &session.psa_products
            };
            rows.iter()
                .find(|row| row.key == *key)
                .map(|row| row.product.name.clone())
        });
        name.unwrap_or_else(|| key.to_string())
    }
}

/// The verb that opens a decision's sentence.
fn verb(decision: &Decision) -> &'static str {
    match decision {
        Decision::MapClient { .. } | Decision::MapProduct { .. } => "Mapped ",
        Decision::UnmapClient { .. } | Decision::UnmapProduct { .. } => "Unmapped ",
        Decision::RejectClient { .. } | Decision::RejectProduct { .. } => "Rejected ",
        Decision::IgnoreCustomer { .. } | Decision::IgnoreProduct { .. } => "Ignored ",
        Decision::UnignoreCustomer { .. } | Decision::UnignoreProduct { .. } => {
            "No longer ignored: "
        }
        Decision::WorkGap { .. } => "Gap ",
        Decision::ClearGapWork { .. } => "Work cleared on ",
    }
}

fn ignored(name: String, reason: &str, until: Option<chrono::NaiveDate>) -> String {
    match until {
        Some(until) => format!("{name}: {reason} (until {until})"),
        None => format!("{name}: {reason}"),
    }
}

fn is_rejection(decision: &Decision) -> bool {
    matches!(
        decision,
        Decision::RejectClient { .. } | Decision::RejectProduct { .. }
    )
}
