//! billgap finds billing gaps between what an MSP buys from its vendors and what it bills its
//! clients from its PSA.
//!
//! Module map, and the dependency rule that holds it together:
//! - [`domain`]: the rules (money, lines, normalisation, matching, reconciliation, ledger).
//!   It depends on nothing else in this crate and does no I/O.
//! - [`import`]: bytes to [`domain::lines::Line`]s, pushed into a sink.
//! - [`store`]: the only module that knows SQL; implements the import sink.
//! - [`export`]: report data to csv / json / markdown / xlsx / html, with formula injection
//!   neutralised.
//! - [`alert`]: alert messages and their delivery (SMTP email, Teams, Slack, generic webhooks).
//! - [`workflow`]: the application core, every use case a face can start (import, queues,
//!   decisions, undo, reconcile, report). It is the only caller of `store` outside the store.
//! - [`cli`] and [`tui`]: faces of the workflow; neither holds business rules or SQL.
//! - [`connectors`]: HTTP pulls from vendor and PSA APIs into the same lines as the importers.
//! - [`secrets`]: credentials from the environment or the OS keyring, never from the config.
//! - [`paths`]: where the database and the configuration live.

// Every public item says what it is for; CI runs clippy with -D warnings, so this is enforced.
#![warn(missing_docs)]

pub mod alert;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod domain;
pub mod export;
pub mod generate;
pub mod import;
pub mod paths;
pub mod secrets;
pub mod store;
pub mod tui;
pub mod workflow;
