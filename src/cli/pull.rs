//! `billgap pull SOURCE`: one source's API into the store, as an import of its export would.

use super::outcome::Outcome;
use crate::config::Config;
use crate::connectors::{ConnectorState, Source, Timing};
use crate::domain::text::strip_control;
use crate::workflow::{PullReceipt, Workspace};
use clap::Args;
use color_eyre::eyre::{bail, eyre};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Arguments of `billgap pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The source: pax8, partner_center, sherweb, ingram, connectwise, autotask or halo (its
    /// config table gives its URLs).
    #[arg(required_unless_present = "status")]
    pub source: Option<String>,
    /// Show each source's latest pull instead: when, complete or not, what it spent, its error.
    #[arg(long, conflicts_with = "source")]
    pub status: bool,
}

/// Pulls one source: exit 0 when the snapshot is complete and stored, 2 when it is not (the
/// stored data is then unchanged).
pub fn run(
    database: &Path,
    config: Option<&PathBuf>,
    args: &PullArgs,
) -> color_eyre::Result<Outcome> {
    if args.status {
        return status(database);
    }
    let config = super::check::load_config(config.map(PathBuf::as_path))?;
    let name = args.source.as_deref().unwrap_or_default();
    let source = Source::parse(name).map_err(|message| eyre!(message))?;
    let mut workspace = super::workspace::open_or_create(database)?;
    let mut states = HashMap::new();
    let receipt = pull_one(
        &mut workspace,
        &config,
        source,
        &mut states,
        &mut crate::connectors::RealTiming::default(),
    )?;
    println!("{}", receipt.sentence());
    if !receipt.complete {
        bail!(
            "the {} pull is incomplete; the stored data is unchanged",
            source.name()
        );
    }
    Ok(Outcome::Done)
}

/// The sources with a table in the config and a connector, in a stable order; a table for a
/// source without a connector is reported, not silently skipped.
pub(super) fn configured_sources(config: &Config) -> Vec<Source> {
    let mut sources = Vec::new();
    for (name, _) in &config.sources {
        match Source::parse(name) {
            Ok(source) => sources.push(source),
            Err(message) => eprintln!("[{name}]: {message}; skipped"),
        }
    }
    sources
}

/// Pulls one configured source with its credentials from the environment or the keyring.
pub(super) fn pull_one(
    workspace: &mut Workspace,
    config: &Config,
    source: Source,
    states: &mut HashMap<Source, ConnectorState>,
    timing: &mut dyn Timing,
) -> color_eyre::Result<PullReceipt> {
    let Some((_, settings)) = config
        .sources
        .iter()
        .find(|(name, _)| name == source.name())
    else {
        bail!(
            "the config{} has no [{}] table: add one with base_url (see the README, \"Pulling from vendor and PSA APIs\")",
            config
                .file
                .as_ref()
                .map(|file| format!(" {}", file.display()))
                .unwrap_or_default(),
            source.name()
        );
    };
    let keyring = crate::secrets::Keyring::os();
    let credentials =
        crate::secrets::credentials(source.name(), &|name| std::env::var(name).ok(), &keyring)?;
    let state = states.entry(source).or_default();
    Ok(workspace.pull(source, settings, &credentials, state, timing)?)
}

/// Each source's latest pull; exit 1 when one is failing (its data is stale).
fn status(database: &Path) -> color_eyre::Result<Outcome> {
    let workspace = super::workspace::open(database)?;
    let pulls = workspace.latest_pulls()?;
    if pulls.is_empty() {
        println!("No pulls yet: run `billgap pull SOURCE` or `billgap watch --once`.");
        return Ok(Outcome::Done);
    }
    let failing = workspace.failing_sources()?;
    for pull in &pulls {
        let state = if pull.complete {
            "complete"
        } else {
            "INCOMPLETE"
        };
        println!(
            "{:<15} {}  {:<10} {} records, {} of {} requests{}",
            pull.source,
            pull.finished_at,
            state,
            pull.records,
            pull.requests,
            pull.request_budget,
            pull.error
                .as_deref()
                .map(|error| format!("  {}", strip_control(error)))
                .unwrap_or_default()
        );
    }
    if failing.is_empty() {
        Ok(Outcome::Done)
    } else {
        Ok(Outcome::NeedsAction)
    }
}
