//! What makes a high name score unsafe to accept without a person, whatever its margin: the
//! candidate is one of several PSA companies under one organisation head ("Northside Health",
//! "Northside Health - Eastgate", "Northside Health Westfield") and the vendor name does not
//! single out its tail; or the name is one word that is short or that other companies carry
//! too ("Lincoln" next to "Metro Schools Lincoln"), so an exact match proves nothing without
//! a key.

use crate::domain::matching::compare::PreparedName;
use crate::domain::matching::explain::Evidence;
use crate::domain::matching::score::generic_class;
use crate::domain::matching::suggestion::Hold;
use std::collections::{BTreeMap, HashMap};

/// A one-word name shorter than this (in characters) is too short to be proof by itself.
const SHORT_NAME: usize = 6;
/// A tenant name at least this similar to the other side's name counts as a key.
const TENANT_KEY_SIMILARITY: u8 = 95;

/// The pool's organisation heads and token frequencies, built once per pool.
#[derive(Debug, Clone, Default)]
pub struct Organisations {
    /// Every token prefix of every whole name (head plus site), joined with spaces, to the
    /// candidates whose whole name starts with it.
    by_prefix: HashMap<String, Vec<u32>>,
    /// Every head, joined with spaces, to the candidates with that head.
    by_head: HashMap<String, Vec<u32>>,
    /// The candidates each token occurs in.
    carriers: HashMap<String, Vec<u32>>,
}

/// What the client matcher knows about the pool around one suggestion.
pub struct Pool<'a, N, R, K>
where
    N: Fn(u32) -> &'a PreparedName,
    R: Fn(u32) -> bool,
    K: Fn(u32) -> bool,
{
    /// The prepared name of a candidate.
    pub name_of: N,
    /// True for a candidate the operator rejected for this query: it competes with nothing.
    pub rejected: R,
    /// True for a candidate that the query's key (domain, tenant, id) points at as well.
    pub keyed: K,
}

impl Organisations {
    /// Indexes the pool's names; candidate `i` is the `i`-th name.
    pub fn build<'a>(names: impl Iterator<Item = &'a PreparedName>) -> Organisations {
        let mut organisations = Organisations::default();
        for (position, name) in names.enumerate() {
            let position = position as u32;
            let full = name.full();
            for length in 1..=full.len() {
                organisations
                    .by_prefix
                    .entry(full[..length].join(" "))
                    .or_default()
                    .push(position);
            }
            organisations
                .by_head
                .entry(name.name.tokens.join(" "))
                .or_default()
                .push(position);
            let mut seen: Vec<&String> = Vec::with_capacity(full.len());
            for token in full {
                if !seen.contains(&token) {
                    seen.push(token);
                    organisations
                        .carriers
                        .entry(token.clone())
                        .or_default()
                        .push(position);
                }
            }
        }
        organisations
    }

    /// The hold on candidate `position` for `query`, if any: sibling sites first (the more
    /// specific reason), then a thin name without key evidence.
    pub fn hold<'a, N, R, K>(
        &self,
        position: u32,
        query: &PreparedName,
        evidence: &[Evidence],
        pool: &Pool<'a, N, R, K>,
    ) -> Option<Hold>
    where
        N: Fn(u32) -> &'a PreparedName,
        R: Fn(u32) -> bool,
        K: Fn(u32) -> bool,
    {
        let keyed = has_key(evidence);
        self.sites_hold(position, query, keyed, pool).or_else(|| {
            (!keyed)
                .then(|| self.thin_name_hold(position, query, pool))
                .flatten()
        })
    }

    /// "N sites of Org" when another candidate shares this one's organisation head with a
    /// different tail and the query does not single this one out: neither by naming its tail
    /// (and not the other's) nor by a key that points at it and not at the other.
    fn sites_hold<'a, N, R, K>(
        &self,
        position: u32,
        query: &PreparedName,
        keyed: bool,
        pool: &Pool<'a, N, R, K>,
    ) -> Option<Hold>
    where
        N: Fn(u32) -> &'a PreparedName,
        R: Fn(u32) -> bool,
        K: Fn(u32) -> bool,
    {
        let candidate = (pool.name_of)(position);
        let full = candidate.full();
        // Siblings with the length of the organisation head they share with the candidate.
        let mut siblings: BTreeMap<u32, usize> = BTreeMap::new();
        let head = &candidate.name.tokens;
        if !head.is_empty() {
            for other in self.by_prefix.get(&head.join(" ")).into_iter().flatten() {
                siblings.insert(*other, head.len());
            }
        }
        for length in 1..full.len() {
            for other in self
                .by_head
                .get(&full[..length].join(" "))
                .into_iter()
                .flatten()
            {
                let shared = siblings.entry(*other).or_insert(length);
                *shared = (*shared).min(length);
            }
        }
        siblings.remove(&position);
        siblings.retain(|other, _| !(pool.rejected)(*other));
        if siblings.is_empty() {
            return None;
        }
        let query_tokens = query.full();
        let named = |tail: &[String]| tail.iter().all(|token| query_tokens.contains(token));
        let competing = siblings.iter().any(|(other, shared)| {
            let own_tail = &full[(*shared).min(full.len())..];
            let other_full = (pool.name_of)(*other).full();
            let other_tail = &other_full[(*shared).min(other_full.len())..];
            let named_apart = !own_tail.is_empty()
                && named(own_tail)
                && (other_tail.is_empty() || !named(other_tail));
            let keyed_apart = keyed && !(pool.keyed)(*other);
            !(named_apart || keyed_apart)
        });
        if !competing {
            return None;
        }
        let shortest = siblings.values().copied().min().unwrap_or(head.len());
        Some(Hold::SitesOfOneOrganisation {
            count: siblings.len() + 1,
            organisation: display_words(&full[..shortest.min(full.len())]),
        })
    }

    /// "short common name" when either side is one word that is short, generic, or carried by
    /// another candidate of the pool too ("Lincoln" and "Metro Schools Lincoln").
    fn thin_name_hold<'a, N, R, K>(
        &self,
        position: u32,
        query: &PreparedName,
        pool: &Pool<'a, N, R, K>,
    ) -> Option<Hold>
    where
        N: Fn(u32) -> &'a PreparedName,
        R: Fn(u32) -> bool,
        K: Fn(u32) -> bool,
    {
        let carried_elsewhere = |word: &str| {
            self.carriers
                .get(word)
                .into_iter()
                .flatten()
                .any(|other| *other != position && !(pool.rejected)(*other))
        };
        let thin = |name: &PreparedName| match name.name.tokens.as_slice() {
            [word] => {
                word.chars().count() < SHORT_NAME
                    || carried_elsewhere(word)
                    || generic_class(word).is_some()
            }
            _ => false,
        };
        (thin(query) || thin((pool.name_of)(position))).then_some(Hold::ShortCommonName)
    }
}

/// True when the pair is backed by a key: a confirmation, a carried id, the same domain, or a
/// tenant name that spells the other side's name.
fn has_key(evidence: &[Evidence]) -> bool {
    evidence.iter().any(|item| match item {
        Evidence::Confirmed | Evidence::ExternalId { .. } | Evidence::SameDomain { .. } => true,
        Evidence::TenantName { similarity, .. } => *similarity >= TENANT_KEY_SIMILARITY,
        _ => false,
    })
}

/// Normalised tokens as display words ("northside health" → "Northside Health").
fn display_words(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|token| {
            let mut characters = token.chars();
            characters.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(characters).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
