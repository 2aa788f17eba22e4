//! `billgap account CLIENT`: one client's whole account, every product with both sides'
//! seats, including the ones that agree: what the billing owner brings to the account manager.

use super::outcome::Outcome;
use super::stdout::out;
use crate::domain::lines::Side;
use crate::domain::reconcile::Account;
use crate::domain::text::{fit_middle, strip_control};
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use std::path::Path;

/// How `account` prints.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum AccountFormat {
    /// An aligned table for people.
    #[default]
    Table,
    /// The account as JSON (money as exact decimal strings).
    Json,
}

/// Arguments of `billgap account`.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The PSA company: its key, `system:key`, or its exact name.
    pub client: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: AccountFormat,
}

/// Prints one client's account.
pub fn run(database: &Path, args: &AccountArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    let company = workspace.find_party(Side::Psa, &args.client)?;
    let threshold = workspace.default_threshold()?;
    let account = workspace.account(&company, threshold)?;
    match args.format {
        AccountFormat::Table => out!("{}", render(&account).trim_end())?,
        AccountFormat::Json => out!("{}", serde_json::to_string_pretty(&account)?)?,
    }
    Ok(Outcome::Done)
}

/// The account as aligned text.
pub fn render(account: &Account) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", strip_control(&account.company_name));
    let tenants = if account.vendor_customers.is_empty() {
        "none mapped".to_string()
    } else {
        strip_control(&account.vendor_customers.join(", "))
    };
    let _ = writeln!(out, "Vendor customers: {tenants}");
    let _ = writeln!(
        out,
        "{} row(s), {} agree\n",
        account.lines.len(),
        account.agreeing()
    );
    let _ = writeln!(
        out,
        "{:<36} {:<11} {:>8} {:>8} {:>14} {:>14}  standing",
        "product", "term", "vendor", "PSA", "price/seat", "cost/seat"
    );
    let seats =
        |seats: Option<Decimal>| seats.map_or("—".to_string(), |s| s.normalize().to_string());
    let money = |money: &Option<crate::domain::money::Money>| {
        money.as_ref().map_or("—".to_string(), ToString::to_string)
    };
    for line in &account.lines {
        let _ = writeln!(
            out,
            "{:<36} {:<11} {:>8} {:>8} {:>14} {:>14}  {}",
            fit_middle(&strip_control(&line.product), 36),
            line.term.as_str(),
            seats(line.vendor_seats),
            seats(line.psa_seats),
            money(&line.unit_price),
            money(&line.unit_cost),
            line.standing.words()
        );
    }
    out
}
