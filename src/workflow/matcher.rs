//! The matcher as the application uses it: fed the rows of both sides and the operator's past
//! decisions, answering with candidates keyed by system-qualified keys. The matcher works on
//! those keys end to end, so a suggestion names its PSA record directly; the decision log is
//! read back as feedback, so that a rejected pair never comes back and the operator's
//! confirmations teach which words are noise.

use crate::domain::holdings::{PartyRow, ProductRow};
use crate::domain::lines::{Party, Product, SourceKey, Term};
use crate::domain::matching::{
    ClientMatcher, Feedback, HIGH_THRESHOLD, Hold, ProductMatcher, Suggestion, safe_band,
};
use crate::domain::reconcile::MappingSet;
use crate::store::{Store, StoreError};
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
    /// high, unambiguous, and clearly ahead of the runner-up.
    pub safe: bool,
    /// For the best candidate when it is not safe: why, in business words ("2 sites of
    /// Northside Health", "runner-up within 4 points", "short common name, no id or domain"),
    /// for every face to show next to the candidate. `None` on the other candidates.
    pub hold: Option<Hold>,
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

/// Everything needed to rank candidates for the current state, built once per refresh.
pub(crate) struct Suggester {
    clients: ClientMatcher,
    client_feedback: Feedback,
    products: ProductMatcher,
    product_feedback: Feedback,
}

/// The matcher's ranked suggestions as candidates, the best one marked safe when the
/// safe-band rule at [`HIGH_THRESHOLD`] accepts it, or given the reason it does not.
fn candidates(suggestions: Vec<Suggestion>) -> Vec<Candidate> {
    let verdict = safe_band(&suggestions, HIGH_THRESHOLD).map(|_| ());
    suggestions
        .into_iter()
        .enumerate()
        .map(|(index, suggestion)| Candidate {
            key: suggestion.candidate_key.clone(),
            safe: index == 0 && verdict.is_ok(),
            hold: if index == 0 {
                verdict.clone().err()
            } else {
                None
            },
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
