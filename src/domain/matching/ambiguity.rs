//! What makes a high name score unsafe to accept without a person, whatever its margin: the
//! candidate is one of several PSA companies under one organisation head ("Northside Health",
//! "Northside Health - Eastgate", "Northside Health Westfield") and the vendor name does not
//! single out its tail; or the name is one word that is short or that other companies carry
//! too ("Lincoln" next to "Metro Schools Lincoln"), so an exact match proves nothing without
//! a key.

use crate::domain::matching::compare::PreparedName;
use crate::domain::matching::explain::Evidence;
use crate::domain::matching::score::{generic_class, is_connector};
use crate::domain::matching::suggestion::Hold;
use std::collections::HashMap;

/// A one-word name shorter than this (in characters) is too short to be proof by itself.
const SHORT_NAME: usize = 6;
/// Groups up to this size are checked record by record (for rejections); a larger group that
/// the query does not single the candidate out of is a hold without reading every record.
const SMALL_GROUP: usize = 64;
/// A tenant name at least this similar to the other side's name counts as a key.
const TENANT_KEY_SIMILARITY: u8 = 95;

/// The pool's organisation heads and token frequencies, built once per pool.
#[derive(Debug, Clone, Default)]
pub struct Organisations {
    /// Every token prefix of every whole name (head plus site), joined with spaces, to the
    /// candidates whose whole name starts with it.
    by_prefix: HashMap<String, Vec<u32>>,
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
    /// The candidates scored for the query. A record whose extra words the query names as well
    /// shares most of its words with the query, so it is among them.
    pub scored: &'a [u32],
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
    /// specific reason); then, without key evidence, words only the vendor name has, or a thin
    /// name.
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
        let vendor_tail = evidence.iter().find_map(|item| match item {
            Evidence::DifferentSites { query, candidate } if candidate.is_empty() => {
                Some(query.clone())
            }
            _ => None,
        });
        self.sites_hold(position, query, keyed, pool).or_else(|| {
            if keyed {
                return None;
            }
            vendor_tail
                .map(|tail| Hold::TailOnlyInVendorName { tail })
                .or_else(|| self.thin_name_hold(position, query, pool))
        })
    }

    /// "N sites of Org" when another candidate starts with the same words as this one and the
    /// query does not single this one out: neither by naming the words that follow the shared
    /// start in this name (and not those of the other), nor by a key that points at this one
    /// and not at the other. "Northside Health - Eastgate", "Northside Health Westfield" and
    /// the bare "Northside Health" are three records of one organisation, however the PSA
    /// spells the site.
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
        let full = (pool.name_of)(position).full();
        let query_tokens = query.full();
        // Connecting words ("of", "and") name nothing: "Univ. Oslo" names "University of Oslo".
        let named = |tail: &[String]| {
            tail.iter()
                .all(|token| is_connector(token) || query_tokens.contains(token))
        };
        let starting_with = |length: usize| -> &[u32] {
            self.by_prefix
                .get(&full[..length].join(" "))
                .map_or(&[], Vec::as_slice)
        };
        // From the longest shared start down; the names that start with `length` words of this
        // one but not with `length + 1` share exactly `length` words with it.
        let mut longer = 1;
        for length in (1..=full.len()).rev() {
            let sharing = starting_with(length);
            if sharing.len() <= longer {
                continue;
            }
            let own_tail = &full[length..];
            let own_named = !own_tail.is_empty() && named(own_tail);
            let exactly_here = |other: &&u32| {
                let other_full = (pool.name_of)(**other).full();
                **other != position
                    && (length == full.len() || other_full.get(length) != full.get(length))
            };
            // Another record competes unless the operator rejected it, the query's key points
            // at this one and not at it, or the query names this one's tail and not its tail.
            let competes = |other: &u32| {
                if (pool.rejected)(*other) || (keyed && !(pool.keyed)(*other)) {
                    return false;
                }
                let other_full = (pool.name_of)(*other).full();
                let other_tail = &other_full[length.min(other_full.len())..];
                let named_apart = own_named && (other_tail.is_empty() || !named(other_tail));
                !named_apart
            };
            let competing = if own_named {
                // The query names this one's tail: only a record whose tail it names too
                // competes, and such a record was scored.
                pool.scored
                    .iter()
                    .filter(|other| sharing.contains(other) && exactly_here(other))
                    .any(competes)
            } else if keyed || sharing.len() <= SMALL_GROUP {
                sharing.iter().filter(exactly_here).any(competes)
            } else {
                // A large group the query does not single this one out of.
                true
            };
            if competing {
                return Some(Hold::SitesOfOneOrganisation {
                    count: sharing.len(),
                    organisation: display_words(&full[..length]),
                });
            }
            longer = sharing.len();
        }
        None
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
            if is_connector(token) {
                return token.clone();
            }
            let mut characters = token.chars();
            characters.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(characters).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
