//! `billgap clients` and `billgap products`: what the vendor side holds, with mappings, and the
//! mapping queue with ranked suggestions and why.

use crate::domain::lines::{SourceKey, Term};
use crate::domain::matching::Band;
use crate::domain::money::MoneyByCurrency;
use crate::domain::reconcile::{Coverage, IgnoreRule};
use crate::domain::text::strip_control;
use crate::review::Candidate;
use crate::store::Store;
use clap::Args;
use rust_decimal::Decimal;
use std::path::Path;

/// `billgap clients` / `billgap products`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only those neither mapped nor ignored, with the top suggestions and why: the mapping queue.
    #[arg(long, conflicts_with = "mapped")]
    pub unmapped: bool,
    /// Only those mapped.
    #[arg(long)]
    pub mapped: bool,
}

/// One listed vendor record, client or product alike.
struct Listed<'a> {
    key: &'a SourceKey,
    name: &'a str,
    detail: String,
    seats: Decimal,
    spend: &'a MoneyByCurrency,
    mapped_to: Option<&'a SourceKey>,
    ignored: Option<&'a IgnoreRule>,
}

impl Listed<'_> {
    fn print(&self) {
        let status = match (self.mapped_to, self.ignored) {
            (Some(target), _) => format!("→ {target}"),
            (None, Some(rule)) => format!("ignored: {}", strip_control(&rule.reason)),
            (None, None) => "UNMAPPED".to_string(),
        };
        println!(
            "{:<50} {:<44} {:<14} {:>8} seats  {:>16}  {}",
            self.key.to_string(),
            strip_control(self.name),
            self.detail,
            self.seats.normalize(),
            self.spend.to_string(),
            status
        );
    }
}

pub fn list_clients(database: &Path, args: &ListArgs) -> color_eyre::Result<i32> {
    let store = super::open(database)?;
    print_coverage(&store)?;
    if args.unmapped {
        for entry in crate::review::mapping_queue(&store, 3)?.clients {
            listed_customer(&entry.customer).print();
            print_candidates(&entry.candidates);
        }
        return Ok(0);
    }
    let state = store.current_state()?;
    for row in store.parties(crate::domain::lines::Side::Vendor, &state)? {
        if !args.mapped || row.mapped_to.is_some() {
            listed_customer(&row).print();
        }
    }
    Ok(0)
}

pub fn list_products(database: &Path, args: &ListArgs) -> color_eyre::Result<i32> {
    let store = super::open(database)?;
    print_coverage(&store)?;
    if args.unmapped {
        for entry in crate::review::mapping_queue(&store, 3)?.products {
            listed_product(&entry.product).print();
            print_candidates(&entry.candidates);
        }
        return Ok(0);
    }
    let state = store.current_state()?;
    for row in store.products(crate::domain::lines::Side::Vendor, &state)? {
        if !args.mapped || row.mapped_to.is_some() {
            listed_product(&row).print();
        }
    }
    Ok(0)
}

fn listed_customer(row: &crate::store::PartyRow) -> Listed<'_> {
    Listed {
        key: &row.key,
        name: &row.party.name,
        detail: row.party.domain.clone().unwrap_or_default(),
        seats: row.seats,
        spend: &row.spend,
        mapped_to: row.mapped_to.as_ref(),
        ignored: row.ignored.as_ref(),
    }
}

fn listed_product(row: &crate::store::ProductRow) -> Listed<'_> {
    Listed {
        key: &row.key,
        name: &row.product.name,
        detail: Term::as_str(row.term).to_string(),
        seats: row.seats,
        spend: &row.spend,
        mapped_to: row.mapped_to.as_ref(),
        ignored: row.ignored.as_ref(),
    }
}

fn print_coverage(store: &Store) -> color_eyre::Result<()> {
    let state = store.current_state()?;
    println!(
        "{}",
        Coverage::measure(&state.vendor, &state.mappings, super::today()).headline()
    );
    Ok(())
}

/// The candidates worth showing (review band and above), with score, band and why.
fn print_candidates(candidates: &[Candidate]) {
    let shown: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| candidate.suggestion.band != Band::None)
        .collect();
    if shown.is_empty() {
        println!("    no suggestion: map by hand with `billgap map`");
    }
    for candidate in shown {
        println!(
            "    {:>3} {:<6} {:<28} {}  ({})",
            candidate.suggestion.score,
            candidate.suggestion.band.as_str(),
            candidate.key.to_string(),
            strip_control(&candidate.suggestion.candidate_name),
            strip_control(&candidate.suggestion.summary())
        );
    }
}
