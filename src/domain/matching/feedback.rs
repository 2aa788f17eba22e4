//! What the operator taught the matcher, rebuilt by the store from its decision log.

use crate::domain::lines::SourceKey;
use crate::domain::normalize::normalize_company;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Times a token must be noted as noise before it loses weight: one removal can be chance.
const NOISE_AFTER: u32 = 2;
/// Lowest weight factor a noise token can reach; it never vanishes entirely, so a name made
/// only of noise can still be matched.
const NOISE_FLOOR: f64 = 0.1;

/// The operator's decisions, as the matcher uses them.
///
/// Pairs are (query key, candidate key): for clients the vendor customer and the PSA company,
/// for products the vendor product and the PSA product. Both sides are system-qualified, so a
/// decision about one system's record never touches another system's record with the same
/// bare id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feedback {
    rejected: HashMap<SourceKey, HashSet<SourceKey>>,
    confirmed: BTreeMap<SourceKey, BTreeSet<SourceKey>>,
    noise: BTreeMap<String, u32>,
}

impl Feedback {
    /// No decisions yet.
    pub fn new() -> Feedback {
        Feedback::default()
    }

    /// The operator said this candidate is not this query: it is never suggested again.
    pub fn reject(&mut self, query: &SourceKey, candidate: &SourceKey) {
        self.rejected
            .entry(query.clone())
            .or_default()
            .insert(candidate.clone());
    }

    /// The operator confirmed the pair: it short-circuits every later suggestion for the query.
    pub fn confirm(&mut self, query: &SourceKey, candidate: &SourceKey) {
        self.confirmed
            .entry(query.clone())
            .or_default()
            .insert(candidate.clone());
    }

    /// Learns from a confirmed pair of names: tokens on one side only ("old", "main",
    /// "office") did not stop the operator, so they are noted as noise.
    pub fn learn_from_confirmation(&mut self, query_name: &str, candidate_name: &str) {
        let (query, candidate) = (token_set(query_name), token_set(candidate_name));
        for token in query.symmetric_difference(&candidate) {
            *self.noise.entry(token.clone()).or_default() += 1;
        }
    }

    /// Learns from a rejected pair of names: the tokens they share made a wrong suggestion
    /// look right ("dental" in two different practices), so they are noted as noise.
    pub fn learn_from_rejection(&mut self, query_name: &str, candidate_name: &str) {
        let (query, candidate) = (token_set(query_name), token_set(candidate_name));
        for token in query.intersection(&candidate) {
            *self.noise.entry(token.clone()).or_default() += 1;
        }
    }

    /// True when the operator rejected this pair.
    pub fn is_rejected(&self, query: &SourceKey, candidate: &SourceKey) -> bool {
        self.rejected
            .get(query)
            .is_some_and(|candidates| candidates.contains(candidate))
    }

    /// The candidates confirmed for a query, in key order.
    pub fn confirmed_for(&self, query: &SourceKey) -> impl Iterator<Item = &SourceKey> {
        self.confirmed.get(query).into_iter().flatten()
    }

    /// The weight factor of a normalised token: 1 until it has been noted as noise
    /// repeatedly, then halved per further note, down to a floor.
    pub fn noise_factor(&self, token: &str) -> f64 {
        if self.noise.is_empty() {
            return 1.0;
        }
        match self.noise.get(token) {
            Some(&count) if count >= NOISE_AFTER => 0.5_f64
                .powi((count - NOISE_AFTER + 1) as i32)
                .max(NOISE_FLOOR),
            _ => 1.0,
        }
    }

    /// How often a token was noted as noise, for explanations.
    pub fn noise_count(&self, token: &str) -> u32 {
        self.noise.get(token).copied().unwrap_or(0)
    }
}

fn token_set(name: &str) -> BTreeSet<String> {
    let normalized = normalize_company(name);
    normalized
        .tokens
        .into_iter()
        .chain(normalized.site)
        .collect()
}
