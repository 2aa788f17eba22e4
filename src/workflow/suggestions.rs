//! Suggestions for the mapping queue, and the explicit auto-accept of the safe band.
//!
//! The matcher works on system-qualified keys, so its suggestions name their PSA record
//! directly. This module feeds it the rows of both sides and rebuilds its feedback from the
//! decision log, so that a rejected pair never comes back and the operator's confirmations
//! teach which words are noise.

use super::{WorkflowError, Workspace};
use crate::domain::decision::Decision;
use crate::domain::holdings::{PartyRow, ProductRow};
use crate::domain::lines::{Party, Product, SourceKey, Term};
use crate::domain::matching::{
    Band, ClientMatcher, Feedback, HIGH_THRESHOLD, ProductMatcher, Suggestion, auto_acceptable,
};
use crate::domain::reconcile::MappingSet;
use crate::store::{Origin, Store, StoreError};
use std::collections::HashMap;

/// One ranked candidate with the system-qualified key it stands for: the one candidate type
/// of every face.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The PSA company or product, exactly as the suggestion names it.
    pub key: SourceKey,
    /// Score, band and explanation.
    pub suggestion: Suggestion,
    /// True for the best candidate when it is in the safe band that a bulk accept confirms:
    /// high, and clearly ahead of the runner-up.
    pub safe: bool,
}

impl Candidate {
    /// The explanation as lines: both normalisation trails, then the evidence summary.
    pub fn why(&self) -> Vec<String> {
        let explanation = &self.suggestion.explanation;
        let mut why = vec![
            explanation.query_trail.to_string(),
            explanation.candidate_trail.to_string(),
        ];
        let summary = self.suggestion.summary();
        if !summary.is_empty() {
            why.push(summary);
        }
        why
    }
}

/// A vendor customer in the mapping queue with its ranked PSA companies.
#[derive(Debug, Clone)]
pub struct ClientSuggestions {
    /// The vendor customer, with seats and spend.
    pub customer: PartyRow,
    /// Candidates, best first; rejected pairs never appear.
    pub candidates: Vec<Candidate>,
}

/// A vendor product (per term) in the mapping queue with its ranked PSA products.
#[derive(Debug, Clone)]
pub struct ProductSuggestions {
    /// The vendor product, with seats and spend.
    pub product: ProductRow,
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
}

/// Everything needed to rank candidates for the current state, built once per refresh.
pub(crate) struct Suggester {
    clients: ClientMatcher,
    client_feedback: Feedback,
    products: ProductMatcher,
    product_feedback: Feedback,
}

/// The matcher's ranked suggestions as candidates, the best one marked safe when the
/// safe-band rule at [`HIGH_THRESHOLD`] accepts it.
fn candidates(suggestions: Vec<Suggestion>) -> Vec<Candidate> {
    let safe = auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some();
    suggestions
        .into_iter()
        .enumerate()
        .map(|(index, suggestion)| Candidate {
            key: suggestion.candidate_key.clone(),
            safe: safe && index == 0,
            suggestion,
        })
        .collect()
}

/// What the matcher is built from: the rows of both sides and the mappings in force.
pub(crate) struct MatchInputs<'a> {
    pub(crate) vendor_parties: &'a [PartyRow],
    pub(crate) psa_parties: &'a [PartyRow],
    pub(crate) psa_products: &'a [ProductRow],
    pub(crate) mappings: &'a MappingSet,
}

impl Suggester {
    /// Indexes the PSA companies and products and reads the operator's past decisions as
    /// feedback.
    pub(crate) fn new(store: &Store, inputs: MatchInputs<'_>) -> Result<Suggester, StoreError> {
        let names: HashMap<&SourceKey, &str> = inputs
            .psa_parties
            .iter()
            .chain(inputs.vendor_parties)
            .map(|row| (&row.key, row.party.name.as_str()))
            .collect();
        let mut client_feedback = Feedback::new();
        for (vendor, company) in store.rejections("client")? {
            client_feedback.reject(&vendor, &company);
            if let (Some(query), Some(candidate)) = (names.get(&vendor), names.get(&company)) {
                client_feedback.learn_from_rejection(query, candidate);
            }
        }
        for (vendor, company) in &inputs.mappings.clients {
            if let (Some(query), Some(candidate)) = (names.get(vendor), names.get(company)) {
                client_feedback.learn_from_confirmation(query, candidate);
            }
        }
        let mut product_feedback = Feedback::new();
        for (vendor, product) in store.rejections("product")? {
            product_feedback.reject(&vendor, &product);
        }
        Ok(Suggester {
            clients: ClientMatcher::new(
                inputs
                    .psa_parties
                    .iter()
                    .map(|row| (row.key.clone(), row.party.clone()))
                    .collect(),
            ),
            client_feedback,
            products: ProductMatcher::new(
                inputs
                    .psa_products
                    .iter()
                    .map(|row| (row.key.clone(), row.product.clone(), row.term))
                    .collect(),
            ),
            product_feedback,
        })
    }

    /// Ranked PSA companies for the vendor customer `key`.
    pub(crate) fn for_customer(
        &self,
        key: &SourceKey,
        customer: &Party,
        top: usize,
    ) -> Vec<Candidate> {
        candidates(
            self.clients
                .suggest(key, customer, &self.client_feedback, top),
        )
    }

    /// Ranked PSA products for the vendor product `key` bought on a term.
    pub(crate) fn for_product(
        &self,
        key: &SourceKey,
        product: &Product,
        term: Term,
        top: usize,
    ) -> Vec<Candidate> {
        candidates(
            self.products
                .suggest(key, product, term, &self.product_feedback, top),
        )
    }
}

/// Both mapping queues: what is neither mapped nor ignored, largest spend first, with ranked
/// candidates.
#[derive(Debug, Clone)]
pub struct MappingQueue {
    /// Vendor customers awaiting a PSA company.
    pub clients: Vec<ClientSuggestions>,
    /// Vendor products (per term) awaiting a PSA product.
    pub products: Vec<ProductSuggestions>,
}

impl Workspace {
    /// Both mapping queues, each entry with up to `top` candidates, from one matcher index.
    pub fn mapping_queue(&mut self, top: usize) -> Result<MappingQueue, WorkflowError> {
        let session = self.session()?;
        let unmapped_customers: Vec<PartyRow> = session
            .vendor_parties
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .cloned()
            .collect();
        let unmapped_products: Vec<ProductRow> = session
            .vendor_products
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .cloned()
            .collect();
        let suggester = self.suggester()?;
        let clients = unmapped_customers
            .into_iter()
            .map(|customer| ClientSuggestions {
                candidates: suggester.for_customer(&customer.key, &customer.party, top),
                customer,
            })
            .collect();
        let products = unmapped_products
            .into_iter()
            .map(|product| ProductSuggestions {
                candidates: suggester.for_product(
                    &product.key,
                    &product.product,
                    product.term,
                    top,
                ),
                product,
            })
            .collect();
        Ok(MappingQueue { clients, products })
    }

    /// Accepts the best candidate of every queue entry whose best is in the high band, at
    /// least `accept_above`, and clearly ahead of the runner-up; logs each as an automatic
    /// decision. Never called unless the operator asks for it.
    pub fn accept_safe_band(&mut self, accept_above: u8) -> Result<AcceptOutcome, WorkflowError> {
        let mut outcome = AcceptOutcome::default();
        let mut decisions = Vec::new();
        let queue = self.mapping_queue(3)?;
        for entry in queue.clients {
            let decision =
                accept(&entry.candidates, accept_above).map(|company| Decision::MapClient {
                    vendor: entry.customer.key.clone(),
                    company,
                });
            tally(&mut outcome, &mut decisions, &entry.candidates, decision);
        }
        let client_decisions = decisions.len();
        for entry in queue.products {
            let decision =
                accept(&entry.candidates, accept_above).map(|product| Decision::MapProduct {
                    vendor: entry.product.key.clone(),
                    term: Some(entry.product.term),
                    product,
                });
            tally(&mut outcome, &mut decisions, &entry.candidates, decision);
        }
        outcome.clients_accepted = client_decisions;
        outcome.products_accepted = decisions.len().saturating_sub(client_decisions);
        self.decide_all(&decisions, Origin::Automatic)?;
        Ok(outcome)
    }
}

/// What an auto-accept did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AcceptOutcome {
    /// Client mappings accepted automatically.
    pub clients_accepted: usize,
    /// Product mappings accepted automatically.
    pub products_accepted: usize,
    /// Queue entries with a suggestion in the review band (or a high one too close to the
    /// runner-up), left for the operator.
    pub awaiting_review: usize,
    /// Queue entries with no suggestion at all.
    pub without_suggestion: usize,
}

/// Counts a queue entry: accepted, waiting for the operator, or without any suggestion.
fn tally(
    outcome: &mut AcceptOutcome,
    decisions: &mut Vec<Decision>,
    candidates: &[Candidate],
    decision: Option<Decision>,
) {
    match decision {
        Some(decision) => decisions.push(decision),
        None if candidates
            .first()
            .is_some_and(|best| best.suggestion.band != Band::None) =>
        {
            outcome.awaiting_review += 1
        }
        None => outcome.without_suggestion += 1,
    }
}

/// The best candidate's key when the matcher's safe-band rule accepts it at `accept_above`:
/// the one rule behind `match --accept-above`, the workbench's bulk accept and the demo.
fn accept(candidates: &[Candidate], accept_above: u8) -> Option<SourceKey> {
    let suggestions: Vec<Suggestion> = candidates
        .iter()
        .map(|candidate| candidate.suggestion.clone())
        .collect();
    auto_acceptable(&suggestions, accept_above).map(|best| best.candidate_key.clone())
}
