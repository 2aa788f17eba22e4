//! Why a candidate was suggested: trails, tokens with weights, and key evidence.

use crate::domain::lines::Term;
use crate::domain::matching::calibration::calibrate;
use crate::domain::normalize::Trail;
use std::fmt::Write as _;

/// One token of one side, with its weight and what covered it on the other side.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenEvidence {
    /// The normalised token.
    pub token: String,
    /// Its weight in this comparison (after learned down-weighting).
    pub weight: f64,
    /// The other side's token it matched when the match was near rather than exact.
    pub near: Option<String>,
    /// True when operator feedback lowered this token's weight.
    pub learned_noise: bool,
}

/// The token part of an explanation, as one name comparison finds it; [`Explanation::new`]
/// spreads it into the explanation's token lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenReport {
    /// Tokens both sides have.
    pub shared: Vec<TokenEvidence>,
    /// Query tokens the candidate lacks.
    pub missing_from_candidate: Vec<TokenEvidence>,
    /// Candidate tokens the query lacks.
    pub missing_from_query: Vec<TokenEvidence>,
}

/// Evidence other than name tokens, strongest first in [`Explanation::evidence`].
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// The operator confirmed this pair earlier.
    Confirmed,
    /// One side carries the other's id (Pax8 `externalId` holding the PSA company id).
    ExternalId {
        /// The id both sides agree on.
        id: String,
    },
    /// Both sides are known by the same registrable domain.
    SameDomain {
        /// The shared domain.
        domain: String,
    },
    /// A Microsoft tenant name resembles the other side's squashed name.
    TenantName {
        /// The tenant name (`contosoltd` of `contosoltd.onmicrosoft.com`).
        tenant: String,
        /// The squashed name it was compared with.
        name: String,
        /// Similarity 0..100.
        similarity: u8,
    },
    /// Both sides have registrable domains and they differ (companies often own several, so
    /// this is weak).
    DifferentDomains {
        /// The query's domain.
        query: String,
        /// The candidate's domain.
        candidate: String,
    },
    /// One name is the acronym of the other.
    Acronym,
    /// One name gives the other in brackets ("… Technology (CAICT)" and "CAICT").
    Alias {
        /// The name in brackets.
        alias: String,
    },
    /// The names share an organisation head and go on with different tails ("- Dallas" against
    /// "- Austin", or "Northside Health Eastgate" against the bare "Northside Health"). A tail
    /// is empty when that side stops at the head.
    DifferentSites {
        /// The query's tail after the shared head, space-separated.
        query: String,
        /// The candidate's tail after the shared head.
        candidate: String,
    },
    /// Different legal forms (Inc against LLC): usually one client, sometimes sister entities.
    DifferentLegalForms {
        /// The query's legal form.
        query: String,
        /// The candidate's legal form.
        candidate: String,
    },
    /// Both products are the same entry of the bundled catalog.
    SameCatalogProduct {
        /// The catalog display name.
        product: String,
        /// How each side was recognised.
        via: String,
    },
    /// The catalog knows both products, and they are different products.
    DifferentCatalogProducts {
        /// The query's catalog product.
        query: String,
        /// The candidate's catalog product.
        candidate: String,
    },
    /// The products name different vendors ("proofpoint" against "microsoft").
    DifferentBrands {
        /// The query's vendor.
        query: String,
        /// The candidate's vendor.
        candidate: String,
    },
    /// The commitment terms differ: monthly seats are not annual seats.
    TermMismatch {
        /// The query's term.
        query: Term,
        /// The candidate's term.
        candidate: Term,
    },
}

impl Evidence {
    fn describe(&self) -> String {
        match self {
            Evidence::Confirmed => "confirmed earlier".to_string(),
            Evidence::ExternalId { id } => format!("same id {id}"),
            Evidence::SameDomain { domain } => format!("same domain {domain}"),
            Evidence::TenantName {
                tenant,
                name,
                similarity,
            } => format!("tenant {tenant}≈{name} ({similarity})"),
            Evidence::DifferentDomains { query, candidate } => {
                format!("domains differ {query}/{candidate}")
            }
            Evidence::Acronym => "acronym".to_string(),
            Evidence::Alias { alias } => format!("{alias} given in brackets"),
            Evidence::DifferentSites { query, candidate } => {
                match (query.is_empty(), candidate.is_empty()) {
                    (false, false) => format!("tails differ: {query} ≠ {candidate}"),
                    (false, true) => format!("tail {query} only in the query"),
                    _ => format!("tail {candidate} only in the candidate"),
                }
            }
            Evidence::DifferentLegalForms { query, candidate } => {
                format!("legal form {query}≠{candidate}")
            }
            Evidence::SameCatalogProduct { product, via } => {
                format!("catalog: {product} ({via})")
            }
            Evidence::DifferentCatalogProducts { query, candidate } => {
                format!("catalog: {query}≠{candidate}")
            }
            Evidence::DifferentBrands { query, candidate } => {
                format!("brands differ: {query} ≠ {candidate}")
            }
            Evidence::TermMismatch { query, candidate } => {
                format!("TERM MISMATCH {query}≠{candidate}")
            }
        }
    }
}

/// Everything a person needs to judge a suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// How the query's name was normalised.
    pub query_trail: Trail,
    /// How the candidate's name was normalised.
    pub candidate_trail: Trail,
    /// Tokens both sides have (exactly or nearly), with the query-side weight.
    pub shared: Vec<TokenEvidence>,
    /// Query tokens the candidate lacks.
    pub missing_from_candidate: Vec<TokenEvidence>,
    /// Candidate tokens the query lacks.
    pub missing_from_query: Vec<TokenEvidence>,
    /// Key and catalog evidence, strongest first.
    pub evidence: Vec<Evidence>,
    /// Name-only similarity before key evidence, 0..100.
    pub name_score: u8,
    /// How far ahead of the next candidate this one is, in score points; `None` when no other
    /// candidate scored.
    pub margin_to_next: Option<u8>,
}

impl Explanation {
    /// Explains one scored comparison. `name_similarity` is the name-only similarity (0..1)
    /// before key evidence moved the score; the margin to the next candidate stays `None` until
    /// the suggestions are ranked.
    pub(crate) fn new(
        query_trail: Trail,
        candidate_trail: Trail,
        tokens: TokenReport,
        evidence: Vec<Evidence>,
        name_similarity: f64,
    ) -> Explanation {
        Explanation {
            query_trail,
            candidate_trail,
            shared: tokens.shared,
            missing_from_candidate: tokens.missing_from_candidate,
            missing_from_query: tokens.missing_from_query,
            evidence,
            name_score: calibrate(name_similarity),
            margin_to_next: None,
        }
    }

    /// A one-line reason for the CLI and the TUI, such as
    /// `shared contoso(9.9); only here: main office; tenant contosoltd≈contoso (94); +12 ahead`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.evidence.iter().map(Evidence::describe).collect();
        if !self.shared.is_empty() {
            parts.push(format!("shared {}", list_tokens(&self.shared)));
        }
        if !self.missing_from_candidate.is_empty() {
            parts.push(format!(
                "only query: {}",
                list_tokens(&self.missing_from_candidate)
            ));
        }
        if !self.missing_from_query.is_empty() {
            parts.push(format!(
                "only candidate: {}",
                list_tokens(&self.missing_from_query)
            ));
        }
        let learned: Vec<&str> = self
            .shared
            .iter()
            .chain(&self.missing_from_candidate)
            .chain(&self.missing_from_query)
            .filter(|token| token.learned_noise)
            .map(|token| token.token.as_str())
            .collect();
        if !learned.is_empty() {
            parts.push(format!("learned down-weighting: {}", learned.join(" ")));
        }
        if let Some(margin) = self.margin_to_next {
            parts.push(format!("+{margin} ahead"));
        }
        parts.join("; ")
    }
}

fn list_tokens(tokens: &[TokenEvidence]) -> String {
    let mut text = String::new();
    for (index, token) in tokens.iter().enumerate() {
        if index > 0 {
            text.push(' ');
        }
        let _ = write!(text, "{}", token.token);
        if let Some(near) = &token.near {
            let _ = write!(text, "~{near}");
        }
        let _ = write!(text, "({:.1})", token.weight);
    }
    text
}
