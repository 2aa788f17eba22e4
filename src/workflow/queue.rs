//! The mapping queues as every face lists them, the candidates of one entry, and what a
//! choice about an entry means as a decision.

use super::matcher::Candidate;
use super::provenance::{MadeBy, client_made_by, product_made_by};
use super::workspace::{WorkflowError, Workspace};
use crate::domain::decision::Decision;
use crate::domain::lines::{Party, SourceKey, Term};
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::{IgnoreRule, MappingSet, by_term};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Which of the two mapping queues an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MappingKind {
    /// Vendor customer to PSA company.
    Client,
    /// Vendor product to PSA product.
    Product,
}

/// Which vendor entries a queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueFilter {
    /// Entries with neither a mapping nor an ignore rule: the work to do.
    #[default]
    Unmapped,
    /// Entries that are mapped or ignored.
    Mapped,
    /// Every entry.
    All,
}

impl QueueFilter {
    /// The next filter in the cycle unmapped → mapped → all.
    pub fn cycled(self) -> QueueFilter {
        match self {
            QueueFilter::Unmapped => QueueFilter::Mapped,
            QueueFilter::Mapped => QueueFilter::All,
            QueueFilter::All => QueueFilter::Unmapped,
        }
    }

    /// The word shown in the queue's title.
    pub fn label(self) -> &'static str {
        match self {
            QueueFilter::Unmapped => "unmapped",
            QueueFilter::Mapped => "mapped",
            QueueFilter::All => "all",
        }
    }
}

/// The state of one vendor entry's mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingState {
    /// Not decided yet.
    Unmapped,
    /// Mapped to a PSA entry (its key and display name).
    Mapped {
        /// The PSA key.
        target_key: SourceKey,
        /// The PSA display name.
        target_name: String,
        /// For products: true when the mapping in force is the every-term one, so that
        /// unmapping removes that mapping and not a per-term one that does not exist.
        every_term: bool,
    },
    /// Ignored on purpose.
    Ignored {
        /// Why.
        reason: String,
        /// When the rule lapses, if ever.
        expires: Option<NaiveDate>,
    },
}

/// One vendor customer or product in a mapping queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The vendor's stable key.
    pub key: SourceKey,
    /// Display name (control characters may still be present; views strip them).
    pub name: String,
    /// Tenant domain for customers; the SKU or part number for products.
    pub detail: Option<String>,
    /// For products: the term this entry covers (a product is mapped per term).
    pub term: Option<Term>,
    /// Seats over every line of the entry in the current period.
    pub seats: Decimal,
    /// Vendor spend in the current period, per currency, largest first.
    pub spend: Vec<Money>,
    /// Whether and how it is mapped.
    pub state: MappingState,
    /// For products: true when the entry is ignored by the product's every-term rule rather
    /// than by one for its own term, so that lifting the rule lifts exactly the one in force.
    pub ignored_every_term: bool,
    /// For a mapped entry: how and when its mapping was made.
    pub made_by: Option<MadeBy>,
}

/// A PSA company or product, for the fuzzy search over the full list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The PSA key.
    pub key: SourceKey,
    /// The display name.
    pub name: String,
}

/// What the operator chose for one queue entry, before it becomes a [`Decision`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingChoice {
    /// Map the entry to this PSA key.
    Confirm(SourceKey),
    /// Never suggest this PSA key for the entry again.
    Reject(SourceKey),
    /// Ignore the entry, with a reason and an optional last day.
    Ignore {
        /// Why, in the operator's words.
        reason: String,
        /// The last day the rule applies.
        until: Option<NaiveDate>,
    },
    /// Remove the mapping or the ignore rule in force.
    Unmap,
}

impl QueueEntry {
    /// The decision a choice about this entry means. It acts on exactly what the entry is: a
    /// product entry is one product of one term, so ignoring it ignores that term only, as
    /// confirming maps that term only. Unmapping acts on exactly what is in force: an ignore
    /// rule is lifted (the every-term one as such), an every-term product mapping is removed
    /// as such.
    pub fn decision(&self, kind: MappingKind, choice: MappingChoice) -> Decision {
        let vendor = self.key.clone();
        let ignored = matches!(self.state, MappingState::Ignored { .. });
        let every_term = matches!(
            self.state,
            MappingState::Mapped {
                every_term: true,
                ..
            }
        );
        match (kind, choice) {
            (MappingKind::Client, MappingChoice::Confirm(company)) => {
                Decision::MapClient { vendor, company }
            }
            (MappingKind::Client, MappingChoice::Reject(company)) => {
                Decision::RejectClient { vendor, company }
            }
            (MappingKind::Client, MappingChoice::Ignore { reason, until }) => {
                Decision::IgnoreCustomer {
                    vendor,
                    reason,
                    until,
                }
            }
            (MappingKind::Client, MappingChoice::Unmap) if ignored => {
                Decision::UnignoreCustomer { vendor }
            }
            (MappingKind::Client, MappingChoice::Unmap) => Decision::UnmapClient { vendor },
            (MappingKind::Product, MappingChoice::Confirm(product)) => Decision::MapProduct {
                vendor,
                term: self.term,
                product,
            },
            (MappingKind::Product, MappingChoice::Reject(product)) => {
                Decision::RejectProduct { vendor, product }
            }
            (MappingKind::Product, MappingChoice::Ignore { reason, until }) => {
                Decision::IgnoreProduct {
                    vendor,
                    term: self.term,
                    reason,
                    until,
                }
            }
            (MappingKind::Product, MappingChoice::Unmap) if ignored => Decision::UnignoreProduct {
                vendor,
                term: if self.ignored_every_term {
                    None
                } else {
                    self.term
                },
            },
            (MappingKind::Product, MappingChoice::Unmap) => Decision::UnmapProduct {
                vendor,
                term: if every_term { None } else { self.term },
            },
        }
    }
}

impl Workspace {
    /// A queue of vendor entries, largest vendor spend first.
    pub fn queue(
        &mut self,
        kind: MappingKind,
        filter: QueueFilter,
    ) -> Result<Vec<QueueEntry>, WorkflowError> {
        let provenance = self.store.mapping_provenance()?;
        let session = self.session()?;
        // Names by key, built once: a queue of thousands of entries must not search the PSA
        // list once per entry.
        let companies: HashMap<&SourceKey, &Party> = session
            .psa_parties
            .iter()
            .map(|row| (&row.key, &row.party))
            .collect();
        let product_names: HashMap<&SourceKey, &str> = session
            .psa_products
            .iter()
            .map(|row| (&row.key, row.product.name.as_str()))
            .collect();
        let entries = match kind {
            MappingKind::Client => session
                .vendor_parties
                .iter()
                .map(|row| QueueEntry {
                    key: row.key.clone(),
                    name: row.party.name.clone(),
                    detail: row.party.domain.clone(),
                    term: None,
                    seats: row.seats,
                    spend: largest_first(&row.spend),
                    state: state_of(row.mapped_to.as_ref(), row.ignored.as_ref(), false, |key| {
                        companies.get(key).map(|party| party.name.clone())
                    }),
                    ignored_every_term: false,
                    made_by: row.mapped_to.as_ref().and_then(|target| {
                        let made = provenance.clients.get(&row.key)?;
                        let psa = companies.get(target).copied();
                        Some(client_made_by(made, &row.party, &target.key, psa))
                    }),
                })
                .filter(|entry| filter.keeps(&entry.state))
                .collect(),
            MappingKind::Product => session
                .vendor_products
                .iter()
                .map(|row| QueueEntry {
                    key: row.key.clone(),
                    name: format!("{} ({})", row.product.name, row.term),
                    detail: Some(row.term.to_string()),
                    term: Some(row.term),
                    seats: row.seats,
                    spend: largest_first(&row.spend),
                    state: state_of(
                        row.mapped_to.as_ref(),
                        row.ignored.as_ref(),
                        every_term_mapping(&session.mappings, &row.key, row.term),
                        |key| product_names.get(key).map(|name| (*name).to_string()),
                    ),
                    ignored_every_term: row.ignored_every_term,
                    made_by: row.mapped_to.as_ref().and_then(|target| {
                        let made = provenance
                            .products
                            .get(&(row.key.clone(), Some(row.term)))
                            .or_else(|| provenance.products.get(&(row.key.clone(), None)))?;
                        let psa = product_names.get(target).copied();
                        Some(product_made_by(made, &row.product.name, psa))
                    }),
                })
                .filter(|entry| filter.keeps(&entry.state))
                .collect(),
        };
        Ok(entries)
    }

    /// Ranked candidates for one queue entry, best first, at most `top`.
    pub fn candidates(
        &mut self,
        kind: MappingKind,
        entry: &QueueEntry,
        top: usize,
    ) -> Result<Vec<Candidate>, WorkflowError> {
        let session = self.session()?;
        match kind {
            MappingKind::Client => {
                let Some(party) = session
                    .vendor_parties
                    .iter()
                    .find(|row| row.key == entry.key)
                    .map(|row| row.party.clone())
                else {
                    return Ok(Vec::new());
                };
                Ok(self.suggester()?.for_customer(&entry.key, &party, top))
            }
            MappingKind::Product => {
                let Some((product, term)) = session
                    .vendor_products
                    .iter()
                    .find(|row| row.key == entry.key && Some(row.term) == entry.term)
                    .map(|row| (row.product.clone(), row.term))
                else {
                    return Ok(Vec::new());
                };
                Ok(self
                    .suggester()?
                    .for_product(&entry.key, &product, term, top))
            }
        }
    }

    /// Every PSA company or product, by name, for a search over the full list.
    pub fn targets(&mut self, kind: MappingKind) -> Result<Vec<Target>, WorkflowError> {
        let session = self.session()?;
        let mut targets: Vec<Target> = match kind {
            MappingKind::Client => session
                .psa_parties
                .iter()
                .map(|row| Target {
                    key: row.key.clone(),
                    name: row.party.name.clone(),
                })
                .collect(),
            MappingKind::Product => session
                .psa_products
                .iter()
                .map(|row| Target {
                    key: row.key.clone(),
                    name: row.product.name.clone(),
                })
                .collect(),
        };
        targets.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key)));
        targets.dedup();
        Ok(targets)
    }

    /// The decisions a bulk accept of the safe band would make in one queue, for the operator
    /// to confirm; [`Workspace::accept_decisions`] applies them.
    pub fn safe_band(&mut self, kind: MappingKind) -> Result<Vec<Decision>, WorkflowError> {
        let entries = self.queue(kind, QueueFilter::Unmapped)?;
        let mut decisions = Vec::new();
        for entry in entries {
            let candidates = self.candidates(kind, &entry, 3)?;
            if let Some(best) = candidates.first().filter(|best| best.safe) {
                decisions.push(entry.decision(kind, MappingChoice::Confirm(best.key.clone())));
            }
        }
        Ok(decisions)
    }
}

/// The safe-band decisions of one queue computed on a connection of its own, for a worker: the
/// ranking builds the matcher over every PSA record, which must not freeze a screen.
pub fn rank_safe_band(
    database: &std::path::Path,
    today: NaiveDate,
    kind: MappingKind,
) -> Result<Vec<Decision>, WorkflowError> {
    Workspace::open_as_of(database, today)?.safe_band(kind)
}

/// True when the mapping in force for a vendor product of a term is the every-term one.
fn every_term_mapping(mappings: &MappingSet, key: &SourceKey, term: Term) -> bool {
    by_term(&mappings.products, key, Some(term)).is_none()
        && by_term(&mappings.products, key, None).is_some()
}

/// Spend per currency, largest first, so a row can show its main currency.
fn largest_first(spend: &MoneyByCurrency) -> Vec<Money> {
    let mut amounts: Vec<Money> = spend.iter().collect();
    amounts.sort_by_key(|money| std::cmp::Reverse(money.amount));
    amounts
}

/// A vendor entry's mapping state. An ignore rule given here wins over a mapping: a customer
/// ignore does, and a product row never carries a rule while a mapping covers it (the domain
/// lets the mapping win, see `MappingSet::treat`).
fn state_of(
    mapped_to: Option<&SourceKey>,
    ignored: Option<&IgnoreRule>,
    every_term: bool,
    name_of: impl Fn(&SourceKey) -> Option<String>,
) -> MappingState {
    match (mapped_to, ignored) {
        (_, Some(rule)) => MappingState::Ignored {
            reason: rule.reason.clone(),
            expires: rule.until,
        },
        (Some(target), None) => MappingState::Mapped {
            target_key: target.clone(),
            target_name: name_of(target).unwrap_or_else(|| target.to_string()),
            every_term,
        },
        (None, None) => MappingState::Unmapped,
    }
}

impl QueueFilter {
    /// True when an entry in `state` belongs in a queue listing this filter.
    pub fn keeps(self, state: &MappingState) -> bool {
        match self {
            QueueFilter::All => true,
            QueueFilter::Unmapped => *state == MappingState::Unmapped,
            QueueFilter::Mapped => *state != MappingState::Unmapped,
        }
    }
}
