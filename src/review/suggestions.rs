//! Suggestions for the mapping queue, and the explicit auto-accept of the safe band.
//!
//! The matcher works on raw keys; this module translates between them and the store's
//! system-qualified keys, and rebuilds the matcher's feedback from the decision log, so that a
//! rejected pair never comes back and the operator's confirmations teach which words are noise.

use crate::domain::lines::{Party, Product, Side, SourceKey, Term};
use crate::domain::matching::{
    Band, ClientMatcher, Feedback, ProductMatcher, Suggestion, auto_acceptable,
};
use crate::store::{CurrentState, Decision, Origin, PartyRow, ProductRow, Store, StoreError};
use std::collections::HashMap;

/// One ranked candidate with the store key it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The PSA company or product.
    pub key: SourceKey,
    /// Score, band and explanation.
    pub suggestion: Suggestion,
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
pub struct Suggester {
    clients: ClientMatcher,
    companies: HashMap<String, SourceKey>,
    client_feedback: Feedback,
    products: ProductMatcher,
    psa_products: HashMap<String, SourceKey>,
    product_feedback: Feedback,
}

impl Suggester {
    /// Indexes the PSA companies and products of the current state and reads the operator's
    /// past decisions as feedback.
    pub fn new(store: &Store, state: &CurrentState) -> Result<Suggester, StoreError> {
        let company_rows = store.parties(Side::Psa, state)?;
        let vendor_rows = store.parties(Side::Vendor, state)?;
        let names: HashMap<&SourceKey, &str> = company_rows
            .iter()
            .chain(&vendor_rows)
            .map(|row| (&row.key, row.party.name.as_str()))
            .collect();
        let mut client_feedback = Feedback::new();
        for (vendor, company) in store.rejections("client")? {
            client_feedback.reject(&vendor.key, &company.key);
            if let (Some(query), Some(candidate)) = (names.get(&vendor), names.get(&company)) {
                client_feedback.learn_from_rejection(query, candidate);
            }
        }
        for (vendor, company) in &state.mappings.clients {
            if let (Some(query), Some(candidate)) = (names.get(vendor), names.get(company)) {
                client_feedback.learn_from_confirmation(query, candidate);
            }
        }
        let mut product_feedback = Feedback::new();
        for (vendor, product) in store.rejections("product")? {
            product_feedback.reject(&vendor.key, &product.key);
        }
        let psa_product_rows = store.products(Side::Psa, state)?;
        Ok(Suggester {
            companies: company_rows
                .iter()
                .map(|row| (row.key.key.clone(), row.key.clone()))
                .collect(),
            clients: ClientMatcher::new(company_rows.into_iter().map(|row| row.party).collect()),
            client_feedback,
            psa_products: psa_product_rows
                .iter()
                .map(|row| (row.key.key.clone(), row.key.clone()))
                .collect(),
            products: ProductMatcher::new(
                psa_product_rows
                    .into_iter()
                    .map(|row| (row.product, row.term))
                    .collect(),
            ),
            product_feedback,
        })
    }

    /// Ranked PSA companies for a vendor customer.
    pub fn for_customer(&self, customer: &Party, top: usize) -> Vec<Candidate> {
        let suggestions = self.clients.suggest(customer, &self.client_feedback, top);
        resolve(suggestions, &self.companies)
    }

    /// Ranked PSA products for a vendor product bought on a term.
    pub fn for_product(&self, product: &Product, term: Term, top: usize) -> Vec<Candidate> {
        let suggestions = self
            .products
            .suggest(product, term, &self.product_feedback, top);
        resolve(suggestions, &self.psa_products)
    }
}

fn resolve(suggestions: Vec<Suggestion>, keys: &HashMap<String, SourceKey>) -> Vec<Candidate> {
    suggestions
        .into_iter()
        .filter_map(|suggestion| {
            let key = keys.get(&suggestion.candidate_key)?.clone();
            Some(Candidate { key, suggestion })
        })
        .collect()
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

/// Builds both queues from one read of the current state and one matcher index, each entry
/// with up to `top` candidates.
pub fn mapping_queue(store: &Store, top: usize) -> Result<MappingQueue, StoreError> {
    let state = store.current_state()?;
    let suggester = Suggester::new(store, &state)?;
    let clients = store
        .parties(Side::Vendor, &state)?
        .into_iter()
        .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
        .map(|customer| ClientSuggestions {
            candidates: suggester.for_customer(&customer.party, top),
            customer,
        })
        .collect();
    let products = store
        .products(Side::Vendor, &state)?
        .into_iter()
        .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
        .map(|product| ProductSuggestions {
            candidates: suggester.for_product(&product.product, product.term, top),
            product,
        })
        .collect();
    Ok(MappingQueue { clients, products })
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

/// Accepts the best candidate of every queue entry whose best is in the high band, at least
/// `accept_above`, and clearly ahead of the runner-up; logs each as an automatic decision.
/// Never called unless the operator asks for it.
pub fn accept_safe_band(store: &mut Store, accept_above: u8) -> Result<AcceptOutcome, StoreError> {
    let mut outcome = AcceptOutcome::default();
    let mut decisions = Vec::new();
    let queue = mapping_queue(store, 3)?;
    for entry in queue.clients {
        let decision = accept(&entry.candidates, accept_above).map(|company| Decision::MapClient {
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
    outcome.products_accepted = decisions.len() - client_decisions;
    for decision in &decisions {
        store.decide(decision, Origin::Automatic)?;
    }
    Ok(outcome)
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

fn accept(candidates: &[Candidate], accept_above: u8) -> Option<SourceKey> {
    let suggestions: Vec<Suggestion> = candidates
        .iter()
        .map(|candidate| candidate.suggestion.clone())
        .collect();
    let best = auto_acceptable(&suggestions, accept_above)?;
    candidates
        .iter()
        .find(|candidate| candidate.suggestion.candidate_key == best.candidate_key)
        .map(|candidate| candidate.key.clone())
}
