//! The rules of billing reconciliation, with no I/O.
//!
//! Nothing in this module touches a file, a database, a terminal or the network, so every rule
//! can be tested with plain values. Everything else in the crate depends on `domain`; `domain`
//! depends on nothing else in the crate.

pub mod alerting;
pub mod decision;
pub mod gap_work;
pub mod holdings;
pub mod ledger;
pub mod lines;
pub mod matching;
pub mod money;
pub mod normalize;
pub mod positions;
pub mod reconcile;
pub mod report;
pub mod stake;
pub mod text;
