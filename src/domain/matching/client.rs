//! Vendor customer → PSA company suggestions.

use crate::domain::lines::{Party, SourceKey};
use crate::domain::matching::ambiguity::{Organisations, Pool};
use crate::domain::matching::calibration::{HIGH_THRESHOLD, calibrate};
use crate::domain::matching::compare::{PreparedName, compare_names};
use crate::domain::matching::explain::{Evidence, Explanation};
use crate::domain::matching::feedback::Feedback;
use crate::domain::matching::index::{CandidateIndex, blocking_keys, query_keys};
use crate::domain::matching::score::TokenWeights;
use crate::domain::matching::suggestion::{Suggestion, rank};
use crate::domain::normalize::{
    Trail, legal_suffix_of, normalize_company, registrable_domain, tenant_prefix,
};
use std::collections::{BTreeSet, HashMap};

/// Penalty for two known, different registrable domains: weak, companies own several.
const DIFFERENT_DOMAIN_PENALTY: f64 = 0.03;
/// Penalty for different legal forms (Inc against LLC): weak, usually the same client.
const DIFFERENT_LEGAL_FORM_PENALTY: f64 = 0.02;
/// Share of the remaining distance to 1 that a perfect tenant-name match closes: strong, but
/// a tenant name alone cannot reach the High band from a poor name score.
const TENANT_PULL: f64 = 0.5;
/// Tenant-name similarity below this is not evidence.
const TENANT_FLOOR: f64 = 0.9;
/// Tenant-name similarity from which the tenant counts as a key that singles out a candidate
/// (the same bar as the hold on short names).
const TENANT_KEY_FLOOR: f64 = 0.95;

/// One candidate, prepared once.
#[derive(Debug, Clone)]
struct Profile {
    key: SourceKey,
    party: Party,
    name: PreparedName,
    domain: Option<String>,
    tenant: Option<String>,
    legal_form: Option<String>,
}

impl Profile {
    fn of(key: &SourceKey, party: &Party) -> Profile {
        let domain_text = party.domain.as_deref().unwrap_or("");
        Profile {
            key: key.clone(),
            party: party.clone(),
            name: PreparedName::new(normalize_company(&party.name)),
            domain: registrable_domain(domain_text),
            tenant: tenant_prefix(domain_text),
            legal_form: legal_suffix_of(&party.name),
        }
    }

    fn blocking_keys(&self) -> Vec<String> {
        let extra: Vec<String> = self.tenant.iter().cloned().collect();
        blocking_keys(&self.name.name.tokens, &self.name.name.site, &extra)
    }

    fn query_keys(&self) -> Vec<String> {
        let extra: Vec<String> = self.tenant.iter().cloned().collect();
        query_keys(&self.name.name.tokens, &self.name.name.site, &extra)
    }
}

/// Ranks PSA companies for a vendor customer (or any pool of parties for any query party).
///
/// Built once per pool: token weights are learned from the pool, so a word every company in
/// this PSA shares ("dental" at a dental MSP) identifies nobody. Immutable after `new`, so one
/// matcher can serve many threads.
#[derive(Debug, Clone)]
pub struct ClientMatcher {
    candidates: Vec<Profile>,
    weights: TokenWeights,
    index: CandidateIndex,
    /// Organisation heads shared by several candidates, and token frequencies, for the holds
    /// that keep an ambiguous best candidate out of the safe band.
    organisations: Organisations,
    /// Candidates by system-qualified key, for confirmed pairs.
    by_source_key: HashMap<SourceKey, Vec<u32>>,
    /// Candidates by bare key, case-folded, for ids carried across: a Pax8 `externalId` names
    /// the PSA id without its system.
    by_key: HashMap<String, Vec<u32>>,
    by_external_id: HashMap<String, Vec<u32>>,
    by_domain: HashMap<String, Vec<u32>>,
}

fn id_key(id: &str) -> String {
    id.trim().to_lowercase()
}

impl ClientMatcher {
    /// Prepares the pool: normalises every name, learns token weights, builds the index.
    ///
    /// Each candidate comes with its system-qualified key, which is its identity in
    /// suggestions and feedback; the party's own `key` field is not consulted. The bare part
    /// of the key is what an id carried across (Pax8 `externalId`) is compared with.
    pub fn new(candidates: Vec<(SourceKey, Party)>) -> ClientMatcher {
        let candidates: Vec<Profile> = candidates
            .iter()
            .map(|(key, party)| Profile::of(key, party))
            .collect();
        let weights = TokenWeights::learn(candidates.iter().map(|c| c.name.name.tokens.as_slice()));
        let index = CandidateIndex::build(candidates.iter().map(Profile::blocking_keys));
        let organisations = Organisations::build(candidates.iter().map(|c| &c.name));
        let mut by_source_key: HashMap<SourceKey, Vec<u32>> = HashMap::new();
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_external_id: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_domain: HashMap<String, Vec<u32>> = HashMap::new();
        for (position, candidate) in candidates.iter().enumerate() {
            let position = position as u32;
            by_source_key
                .entry(candidate.key.clone())
                .or_default()
                .push(position);
            by_key
                .entry(id_key(&candidate.key.key))
                .or_default()
                .push(position);
            if let Some(external) = candidate.party.external_id.as_deref() {
                if !external.trim().is_empty() {
                    by_external_id
                        .entry(id_key(external))
                        .or_default()
                        .push(position);
                }
            }
            if let Some(domain) = &candidate.domain {
                by_domain.entry(domain.clone()).or_default().push(position);
            }
        }
        ClientMatcher {
            candidates,
            weights,
            index,
            organisations,
            by_source_key,
            by_key,
            by_external_id,
            by_domain,
        }
    }

    /// The number of candidates in the pool.
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// True when the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Up to `top` candidates for `query`, best first (score descending, key ascending).
    ///
    /// `query_key` is the query's identity for feedback (the party's own `key` field is not
    /// consulted), and its bare part is what a candidate's carried id is compared with.
    /// A confirmed pair short-circuits: only the confirmed candidates come back, at 100.
    /// Rejected pairs never come back. Candidates in
    /// [`Band::None`](crate::domain::matching::Band::None) are included for
    /// context when `top` leaves room; callers that want only real suggestions filter on the
    /// band.
    pub fn suggest(
        &self,
        query_key: &SourceKey,
        query: &Party,
        feedback: &Feedback,
        top: usize,
    ) -> Vec<Suggestion> {
        let query_profile = Profile::of(query_key, query);
        let confirmed: Vec<Suggestion> = feedback
            .confirmed_for(query_key)
            .flat_map(|key| self.by_source_key.get(key).into_iter().flatten())
            .map(|position| self.confirmed_suggestion(&query_profile, *position as usize))
            .collect();
        if !confirmed.is_empty() {
            return rank(confirmed, top);
        }
        let mut positions: BTreeSet<u32> = self
            .index
            .shortlist(&query_profile.query_keys())
            .into_iter()
            .collect();
        positions.extend(self.strong_key_positions(&query_profile));
        // Rank on scores alone, then explain only what is shown.
        let mut scored: Vec<(u8, u32)> = positions
            .into_iter()
            .filter(|position| {
                let candidate = &self.candidates[*position as usize];
                !feedback.is_rejected(query_key, &candidate.key)
            })
            .map(|position| {
                let candidate = &self.candidates[position as usize];
                let suggestion = self.score(&query_profile, candidate, feedback, false);
                (suggestion.score, position)
            })
            .collect();
        let key = |position: u32| &self.candidates[position as usize].key;
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| key(a.1).cmp(key(b.1))));
        let margin_after_shown = scored
            .get(top)
            .zip(top.checked_sub(1).and_then(|last| scored.get(last)))
            .map(|(next, last)| last.0.saturating_sub(next.0));
        let shown: Vec<Suggestion> = scored
            .iter()
            .take(top)
            .map(|(_, position)| {
                let candidate = &self.candidates[*position as usize];
                self.score(&query_profile, candidate, feedback, true)
            })
            .collect();
        let mut ranked = rank(shown, top);
        if let Some(last) = ranked.last_mut() {
            last.explanation.margin_to_next = margin_after_shown;
        }
        // Only the best can be auto-accepted, so only the best needs the holds.
        if let (Some(best), Some((_, position))) = (ranked.first_mut(), scored.first()) {
            let scored_positions: Vec<u32> = scored.iter().map(|(_, position)| *position).collect();
            let pool = Pool {
                scored: &scored_positions,
                name_of: |other: u32| &self.candidates[other as usize].name,
                rejected: |other: u32| {
                    feedback.is_rejected(query_key, &self.candidates[other as usize].key)
                },
                keyed: |other: u32| self.keyed_to(&query_profile, &self.candidates[other as usize]),
            };
            best.caution = self.organisations.hold(
                *position,
                &query_profile.name,
                &best.explanation.evidence,
                &pool,
            );
        }
        ranked
    }

    /// True when a key of the query (carried id, domain, tenant name) points at `candidate`.
    fn keyed_to(&self, query: &Profile, candidate: &Profile) -> bool {
        let carried = query
            .party
            .external_id
            .as_deref()
            .is_some_and(|id| id_key(id) == id_key(&candidate.key.key))
            || candidate
                .party
                .external_id
                .as_deref()
                .is_some_and(|id| id_key(id) == id_key(&query.key.key));
        let domain = query.domain.is_some() && query.domain == candidate.domain;
        let tenant = |tenant: Option<&str>, name: &PreparedName| {
            tenant.is_some_and(|tenant| {
                tenant_name_similarity(tenant, name.squashed()) >= TENANT_KEY_FLOOR
            })
        };
        carried
            || domain
            || tenant(query.tenant.as_deref(), &candidate.name)
            || tenant(candidate.tenant.as_deref(), &query.name)
    }

    fn strong_key_positions(&self, query: &Profile) -> Vec<u32> {
        let mut positions = Vec::new();
        if let Some(external) = query.party.external_id.as_deref() {
            positions.extend(self.by_key.get(&id_key(external)).into_iter().flatten());
        }
        positions.extend(
            self.by_external_id
                .get(&id_key(&query.key.key))
                .into_iter()
                .flatten(),
        );
        if let Some(domain) = &query.domain {
            positions.extend(self.by_domain.get(domain).into_iter().flatten());
        }
        positions
    }

    fn confirmed_suggestion(&self, query: &Profile, position: usize) -> Suggestion {
        let candidate = &self.candidates[position];
        let comparison = compare_names(
            &query.name,
            &candidate.name,
            &self.weights,
            &Feedback::new(),
            true,
        );
        Suggestion::new(
            candidate.key.clone(),
            candidate.party.name.clone(),
            100,
            Explanation::new(
                query.name.name.trail.clone(),
                candidate.name.name.trail.clone(),
                comparison.tokens,
                vec![Evidence::Confirmed],
                comparison.similarity,
            ),
        )
    }

    /// Scores one candidate. Without `explain`, the trails and token lists stay empty.
    fn score(
        &self,
        query: &Profile,
        candidate: &Profile,
        feedback: &Feedback,
        explain: bool,
    ) -> Suggestion {
        let comparison = compare_names(
            &query.name,
            &candidate.name,
            &self.weights,
            feedback,
            explain,
        );
        let name_similarity = comparison.similarity;
        let mut similarity = name_similarity;
        let mut evidence = Vec::new();
        let carried_id = query
            .party
            .external_id
            .as_deref()
            .filter(|id| id_key(id) == id_key(&candidate.key.key))
            .or_else(|| {
                candidate
                    .party
                    .external_id
                    .as_deref()
                    .filter(|id| id_key(id) == id_key(&query.key.key))
            });
        if let Some(id) = carried_id {
            evidence.push(Evidence::ExternalId { id: id.to_string() });
            similarity = 1.0;
        }
        match (&query.domain, &candidate.domain) {
            (Some(left), Some(right)) if left == right => {
                evidence.push(Evidence::SameDomain {
                    domain: left.clone(),
                });
                similarity = similarity.max(0.9 + 0.1 * name_similarity);
            }
            (Some(left), Some(right)) => {
                evidence.push(Evidence::DifferentDomains {
                    query: left.clone(),
                    candidate: right.clone(),
                });
                similarity -= DIFFERENT_DOMAIN_PENALTY;
            }
            _ => {}
        }
        let tenant_pairs = [
            (query.tenant.as_deref(), &candidate.name),
            (candidate.tenant.as_deref(), &query.name),
        ];
        for (tenant, name) in tenant_pairs {
            let Some(tenant) = tenant else { continue };
            let squashed = name.squashed();
            let tenant_similarity = tenant_name_similarity(tenant, squashed);
            if tenant_similarity >= TENANT_FLOOR {
                similarity += (1.0 - similarity).max(0.0) * TENANT_PULL * tenant_similarity;
                evidence.push(Evidence::TenantName {
                    tenant: tenant.to_string(),
                    name: squashed.to_string(),
                    similarity: (tenant_similarity * 100.0).round() as u8,
                });
            }
        }
        if let (Some(left), Some(right)) = (&query.legal_form, &candidate.legal_form) {
            if left != right {
                evidence.push(Evidence::DifferentLegalForms {
                    query: left.clone(),
                    candidate: right.clone(),
                });
                similarity -= DIFFERENT_LEGAL_FORM_PENALTY;
            }
        }
        evidence.extend(comparison.evidence);
        let strong_key = carried_id.is_some()
            || evidence
                .iter()
                .any(|item| matches!(item, Evidence::SameDomain { .. }));
        let score = if carried_id.is_some() {
            100
        } else if !comparison.certain && !strong_key {
            calibrate(similarity).min(HIGH_THRESHOLD - 1)
        } else {
            calibrate(similarity)
        };
        Suggestion::new(
            candidate.key.clone(),
            candidate.party.name.clone(),
            score,
            Explanation::new(
                trail_if(explain, &query.name),
                trail_if(explain, &candidate.name),
                comparison.tokens,
                evidence,
                name_similarity,
            ),
        )
    }
}

/// How well a tenant name ("contosoltd2") matches a squashed company name ("contoso"):
/// containment at the start is the usual pattern, Jaro-Winkler catches the rest.
fn tenant_name_similarity(tenant: &str, squashed: &str) -> f64 {
    let tenant = tenant.trim_end_matches(|c: char| c.is_ascii_digit());
    if tenant.is_empty() || squashed.is_empty() {
        return 0.0;
    }
    if tenant == squashed {
        1.0
    } else if squashed.len() >= 4 && tenant.starts_with(squashed) {
        0.95
    } else if tenant.len() >= 5 && squashed.starts_with(tenant) {
        // The name says more than the tenant: evidence shrinks with what is left unsaid.
        0.6 + 0.4 * tenant.len() as f64 / squashed.len() as f64
    } else {
        strsim::jaro_winkler(tenant, squashed)
    }
}

fn trail_if(explain: bool, name: &PreparedName) -> Trail {
    if explain {
        name.name.trail.clone()
    } else {
        Trail::default()
    }
}
