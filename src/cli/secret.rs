//! `billgap secret set NAME`: a credential into the OS keyring, read without echo.

use super::outcome::Outcome;
use crate::secrets::{Keyring, entry_name, fields};
use clap::Subcommand;
use color_eyre::eyre::{bail, eyre};
use std::io::{BufRead, IsTerminal};

/// `billgap secret …`.
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a source's credentials in the OS keyring: every field of SOURCE (`pax8` asks for
    /// client_id then client_secret), or one (`pax8.client_secret`; `smtp` is the SMTP
    /// password). Read from the terminal without echo, or one line per field from stdin.
    Set {
        /// pax8, connectwise, partner_center, sherweb, ingram, autotask, halo or smtp, with an
        /// optional `.field`.
        name: String,
    },
}

/// Runs `billgap secret set`.
pub fn run(command: &SecretCommand) -> color_eyre::Result<Outcome> {
    let SecretCommand::Set { name } = command;
    let (source, only) = match name.split_once('.') {
        Some((source, field)) => (source, Some(field)),
        None => (name.as_str(), None),
    };
    let known =
        fields(source).ok_or_else(|| eyre!(crate::secrets::SecretError::Unknown(name.clone())))?;
    let chosen: Vec<&str> = match only {
        Some(field) if known.contains(&field) => vec![field],
        Some(field) => bail!(
            "{source} has no secret '{field}'; its fields are {}",
            known.join(", ")
        ),
        None => known.to_vec(),
    };
    let keyring = Keyring::os();
    let interactive = std::io::stdin().is_terminal();
    let mut lines = std::io::stdin().lock().lines();
    for field in chosen {
        let value = if interactive {
            rpassword::prompt_password(format!("{source} {field} (not shown): "))?
        } else {
            lines
                .next()
                .transpose()?
                .ok_or_else(|| eyre!("standard input ended before {source} {field}"))?
        };
        let value = value.trim_end_matches(['\r', '\n']);
        if value.is_empty() {
            bail!("{source} {field} is empty; nothing stored");
        }
        keyring.set(source, field, value)?;
        eprintln!(
            "stored {source} {field} in the OS keyring as {}/{}",
            crate::secrets::SERVICE,
            entry_name(source, field)
        );
    }
    Ok(Outcome::Done)
}
