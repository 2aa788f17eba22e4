//! Suggests which PSA company a vendor customer is, and which PSA product a vendor SKU is.
//!
//! The pipeline: operator decisions first (a confirmed pair short-circuits, a rejected pair is
//! never suggested), then strong keys (an id carried across, equal registrable domains, a
//! tenant name), then names: normalised ([`crate::domain::normalize`]), blocked through an
//! index, scored with IDF-weighted soft token overlap blended with character similarity, and
//! calibrated to 0..100 so one threshold means the same for every query. Every suggestion
//! carries an [`Explanation`]. Suggestions never become mappings by themselves; only
//! [`auto_acceptable`] names the few that may.
//!
//! Queries and candidates are identified by their system-qualified
//! [`SourceKey`](crate::domain::lines::SourceKey) from input to suggestion to feedback, so two
//! systems that use the same bare id never share a suggestion or a decision.
//!
//! This file only declares and re-exports. The children import each other by their own paths,
//! never through here, so no file in this folder imports a file that imports it back.

mod acronym;
mod ambiguity;
mod calibration;
mod catalog;
mod client;
mod compare;
mod explain;
mod feedback;
mod index;
mod product;
mod product_words;
mod score;
mod suggestion;
mod type_ahead;

pub use calibration::{Band, HIGH_THRESHOLD, REVIEW_THRESHOLD};
pub use catalog::{CatalogProduct, catalog_products, find_in_catalog};
pub use client::ClientMatcher;
pub use explain::{Evidence, Explanation, TokenEvidence};
pub use feedback::Feedback;
pub use product::ProductMatcher;
pub use suggestion::{AUTO_ACCEPT_MARGIN, Hold, Suggestion, auto_acceptable, safe_band};
pub use type_ahead::type_ahead;
