//! Vendor SKU → PSA product suggestions: the client engine plus the catalog and the term.

use crate::domain::lines::{Product, SourceKey, Term};
use crate::domain::matching::calibration::{Band, HIGH_THRESHOLD, calibrate};
use crate::domain::matching::catalog::{CatalogProduct, canonical_tokens, find_in_catalog};
use crate::domain::matching::compare::{PreparedName, compare_names};
use crate::domain::matching::explain::{Evidence, Explanation};
use crate::domain::matching::feedback::Feedback;
use crate::domain::matching::product_words::{brand_of, product_word_factor};
use crate::domain::matching::score::TokenWeights;
use crate::domain::matching::suggestion::{Suggestion, rank};
use crate::domain::normalize::normalize_product;

/// Similarity two products get when the catalog says they are the same product.
const SAME_CATALOG_SIMILARITY: f64 = 0.97;
/// Ceiling for two products the catalog knows as different products.
const DIFFERENT_CATALOG_CEILING: f64 = 0.5;
/// Ceiling for two products of different vendors: whatever tier words they share ("Proofpoint
/// Essentials Business", "Microsoft 365 Business Basic"), they are different products.
const DIFFERENT_BRAND_CEILING: f64 = 0.3;
/// The vendor of every product in the bundled catalog.
const CATALOG_BRAND: &str = "microsoft";
/// Penalty for different commitment terms; the score is also kept out of the High band.
const TERM_PENALTY: f64 = 0.3;

#[derive(Debug, Clone)]
struct ProductProfile {
    key: SourceKey,
    product: Product,
    term: Term,
    name: PreparedName,
    catalog: Option<(&'static CatalogProduct, &'static str)>,
    /// The vendor the name's brand word names; the catalog's vendor for a catalog product.
    brand: Option<&'static str>,
}

impl ProductProfile {
    fn of(key: &SourceKey, product: &Product, term: Term) -> ProductProfile {
        let normalized = normalize_product(&product.name);
        let catalog = find_in_catalog(product);
        let mut name = normalized.name;
        if let Some((entry, _)) = catalog {
            name.tokens = canonical_tokens(entry);
        }
        let term = match (term, normalized.term) {
            (Term::Unspecified, Some(stated)) => stated,
            (given, _) => given,
        };
        let brand = brand_of(&name.tokens).or(catalog.map(|_| CATALOG_BRAND));
        ProductProfile {
            key: key.clone(),
            product: product.clone(),
            term,
            name: PreparedName::new(name),
            catalog,
            brand,
        }
    }
}

/// Ranks PSA products for a vendor product. Product pools are small (hundreds), so every
/// candidate is scored; the catalog turns ids and shorthand into one name, and a term
/// mismatch is penalised and explained rather than merged.
#[derive(Debug, Clone)]
pub struct ProductMatcher {
    candidates: Vec<ProductProfile>,
    weights: TokenWeights,
}

impl ProductMatcher {
    /// Prepares the pool. A candidate with `Term::Unspecified` takes the term its name states
    /// ("… Annual"), if any.
    ///
    /// Each candidate comes with its system-qualified key, which is its identity in
    /// suggestions and feedback; the bare part is what an equal product id is compared with.
    pub fn new(candidates: Vec<(SourceKey, Product, Term)>) -> ProductMatcher {
        let candidates: Vec<ProductProfile> = candidates
            .iter()
            .map(|(key, product, term)| ProductProfile::of(key, product, *term))
            .collect();
        let weights = TokenWeights::learn_with(
            candidates.iter().map(|c| c.name.name.tokens.as_slice()),
            product_word_factor,
        );
        ProductMatcher {
            candidates,
            weights,
        }
    }

    /// Up to `top` candidates for a vendor product bought on `term`, best first (score
    /// descending, key ascending). `query_key` is the query's identity for feedback.
    /// Confirmed pairs short-circuit; rejected pairs never return.
    pub fn suggest(
        &self,
        query_key: &SourceKey,
        query: &Product,
        term: Term,
        feedback: &Feedback,
        top: usize,
    ) -> Vec<Suggestion> {
        let query = ProductProfile::of(query_key, query, term);
        let confirmed: Vec<&SourceKey> = feedback.confirmed_for(query_key).collect();
        let pool = self
            .candidates
            .iter()
            .filter(|candidate| !feedback.is_rejected(query_key, &candidate.key));
        let suggestions = if confirmed.is_empty() {
            pool.map(|candidate| self.score(&query, candidate, feedback))
                .collect()
        } else {
            pool.filter(|candidate| confirmed.contains(&&candidate.key))
                .map(|candidate| {
                    let mut suggestion = self.score(&query, candidate, feedback);
                    suggestion.score = 100;
                    suggestion.band = Band::High;
                    suggestion
                        .explanation
                        .evidence
                        .insert(0, Evidence::Confirmed);
                    suggestion
                })
                .collect()
        };
        rank(suggestions, top)
    }

    fn score(
        &self,
        query: &ProductProfile,
        candidate: &ProductProfile,
        feedback: &Feedback,
    ) -> Suggestion {
        let comparison = compare_names(&query.name, &candidate.name, &self.weights, feedback, true);
        let mut similarity = comparison.similarity;
        let mut evidence = Vec::new();
        if query
            .key
            .key
            .trim()
            .eq_ignore_ascii_case(candidate.key.key.trim())
        {
            similarity = similarity.max(SAME_CATALOG_SIMILARITY);
            evidence.push(Evidence::ExternalId {
                id: candidate.key.key.clone(),
            });
        }
        match (query.catalog, candidate.catalog) {
            (Some((left, left_via)), Some((right, right_via))) if left == right => {
                similarity = similarity.max(SAME_CATALOG_SIMILARITY);
                evidence.push(Evidence::SameCatalogProduct {
                    product: left.display_name.clone(),
                    via: format!("{left_via} / {right_via}"),
                });
            }
            (Some((left, _)), Some((right, _))) => {
                similarity = similarity.min(DIFFERENT_CATALOG_CEILING);
                evidence.push(Evidence::DifferentCatalogProducts {
                    query: left.display_name.clone(),
                    candidate: right.display_name.clone(),
                });
            }
            _ => {}
        }
        if let (Some(left), Some(right)) = (query.brand, candidate.brand) {
            if left != right {
                similarity = similarity.min(DIFFERENT_BRAND_CEILING);
                evidence.push(Evidence::DifferentBrands {
                    query: left.to_string(),
                    candidate: right.to_string(),
                });
            }
        }
        let terms_known = query.term != Term::Unspecified && candidate.term != Term::Unspecified;
        let term_mismatch = terms_known && query.term != candidate.term;
        if term_mismatch {
            similarity -= TERM_PENALTY;
            evidence.push(Evidence::TermMismatch {
                query: query.term,
                candidate: candidate.term,
            });
        }
        evidence.extend(comparison.evidence);
        let catalog_agrees = evidence.iter().any(|item| {
            matches!(
                item,
                Evidence::SameCatalogProduct { .. } | Evidence::ExternalId { .. }
            )
        });
        let mut score = calibrate(similarity);
        if term_mismatch || (!comparison.certain && !catalog_agrees) {
            score = score.min(HIGH_THRESHOLD - 1);
        }
        Suggestion::new(
            candidate.key.clone(),
            candidate.product.name.clone(),
            score,
            Explanation::new(
                query.name.name.trail.clone(),
                candidate.name.name.trail.clone(),
                comparison.tokens,
                evidence,
                comparison.similarity,
            ),
        )
    }
}
