//! billgap finds billing gaps between what an MSP buys from its vendors and what it bills its
//! clients from its PSA.
//!
//! Module map, and the dependency rule that holds it together:
//! - [`domain`]: the rules (money, lines, normalisation, matching, reconciliation, ledger).
//!   It depends on nothing else in this crate and does no I/O.
//! - [`import`]: bytes to [`domain::lines::Line`]s, pushed into a sink.
//! - [`store`]: the only module that knows SQL; implements the import sink.
//! - [`export`]: report data to csv / json / markdown, with formula injection neutralised.
//! - [`cli`] and [`tui`]: two faces of the same library calls; neither holds business rules.

pub mod cli;
pub mod domain;
pub mod export;
pub mod import;
pub mod paths;
pub mod review;
pub mod store;
pub mod tui;
