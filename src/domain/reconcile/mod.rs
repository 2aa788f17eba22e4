//! Mapped vendor and PSA positions to gaps, coverage and per-client verdicts.
//!
//! The input is the current state of both sides, aggregated per (customer, product, term), plus
//! the operator's mappings. The output is exact: seats are decimals, money carries its currency,
//! and amounts in different currencies are never added.
//!
//! This file only declares the parts and re-exports them, so every part imports its siblings
//! directly and none imports this file back.

mod account;
mod clients;
mod coverage;
mod gaps;
mod mappings;
mod position;
mod reconciliation;
pub mod seen;
mod sides;
#[cfg(test)]
mod term_ignores;
#[cfg(test)]
mod tests;
mod verdict;

pub use account::{Account, AccountLine, Standing, account};
pub use clients::{ClientTotal, Thresholds};
pub use coverage::{Coverage, percent as coverage_percent};
pub use gaps::{Gap, GapIdentity, GapKind, PriceBasis};
pub(crate) use mappings::by_term;
pub use mappings::{IgnoreRule, MappingSet, Treatment};
pub use position::{CreditedTerms, Position, credited_terms};
pub use reconciliation::{Reconciliation, reconcile};
pub use verdict::Verdict;
