//! `billgap recipients`: who is told about each client's gaps.

use super::outcome::Outcome;
use crate::domain::lines::Side;
use crate::domain::text::strip_control;
use crate::store::Recipients;
use clap::Subcommand;
use color_eyre::eyre::{WrapErr, bail};
use std::path::{Path, PathBuf};

/// `billgap recipients set|import|list`.
#[derive(Debug, Subcommand)]
pub enum RecipientsCommand {
    /// Set one PSA company's recipients (key or exact name).
    Set {
        /// The PSA company.
        company: String,
        /// Who bills the client.
        #[arg(long)]
        billing_owner: Option<String>,
        /// Who looks after the client.
        #[arg(long)]
        account_manager: Option<String>,
        /// Further addresses (repeat the flag).
        #[arg(long)]
        extra: Vec<String>,
    },
    /// Import recipients from CSV with columns company,billing_owner,account_manager (and an
    /// optional extra column); company is a PSA key or an exact PSA name.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// List every company's recipients.
    List,
}

/// Runs a `recipients` subcommand.
pub fn run(database: &Path, command: &RecipientsCommand) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    match command {
        RecipientsCommand::Set {
            company,
            billing_owner,
            account_manager,
            extra,
        } => {
            let key = workspace.find_party(Side::Psa, company)?;
            let recipients = Recipients {
                billing_owner: billing_owner.clone(),
                account_manager: account_manager.clone(),
                extra: extra.clone(),
            };
            check_addresses(&recipients, company)?;
            workspace.set_recipients(&key, &recipients)?;
            eprintln!(
                "{} is told at: {}",
                strip_control(company),
                recipients.addresses().join(", ")
            );
        }
        RecipientsCommand::Import { file } => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_path(file)
                .wrap_err_with(|| format!("cannot read {}", file.display()))?;
            let headers = reader.headers()?.clone();
            let column = |name: &str| headers.iter().position(|header| header.trim() == name);
            let (Some(company), owner, manager, extra) = (
                column("company"),
                column("billing_owner"),
                column("account_manager"),
                column("extra"),
            ) else {
                bail!(
                    "{}: expected the columns company,billing_owner,account_manager",
                    file.display()
                );
            };
            let mut rows = Vec::new();
            for (index, record) in reader.records().enumerate() {
                let record = record?;
                let line = index.saturating_add(2);
                let cell = |position: Option<usize>| {
                    position
                        .and_then(|position| record.get(position))
                        .map(str::trim)
                        .filter(|text| !text.is_empty())
                        .map(str::to_string)
                };
                let name = cell(Some(company)).unwrap_or_default();
                let key = workspace
                    .find_party(Side::Psa, &name)
                    .wrap_err_with(|| format!("{}:{line}: company '{name}'", file.display()))?;
                let recipients = Recipients {
                    billing_owner: cell(owner),
                    account_manager: cell(manager),
                    extra: cell(extra)
                        .map(|text| text.split(';').map(str::trim).map(str::to_string).collect())
                        .unwrap_or_default(),
                };
                check_addresses(&recipients, &format!("{}:{line}", file.display()))?;
                rows.push((key, recipients));
            }
            // Every row is checked before any is stored: a bad file changes nothing.
            for (key, recipients) in &rows {
                workspace.set_recipients(key, recipients)?;
            }
            eprintln!("imported recipients for {} companies", rows.len());
        }
        RecipientsCommand::List => {
            let mut all: Vec<(String, Recipients)> = workspace
                .recipients()?
                .into_iter()
                .map(|(key, recipients)| (key.to_string(), recipients))
                .collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, recipients) in all {
                println!(
                    "{:<40} {}",
                    strip_control(&key),
                    strip_control(&recipients.addresses().join(", "))
                );
            }
        }
    }
    Ok(Outcome::Done)
}

/// An address must look like one: a typo here means a client's alerts go nowhere.
fn check_addresses(recipients: &Recipients, place: &str) -> color_eyre::Result<()> {
    for address in recipients.addresses() {
        let valid = address
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
            && !address.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            bail!(
                "{}: '{}' is not an email address",
                strip_control(place),
                strip_control(&address)
            );
        }
    }
    Ok(())
}
