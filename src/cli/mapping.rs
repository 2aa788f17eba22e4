//! Mapping commands: map, unmap, ignore, unignore, undo, redo, the log, and the lists.

use super::outcome::Outcome;
use super::stdout::out;
use crate::domain::decision::Decision;
use crate::domain::lines::{Side, Term};
use crate::domain::matching::Band;
use crate::workflow::{Candidate, HistoryStep, MappingQueue, WorkflowError, Workspace};
use clap::{Args, Subcommand, ValueEnum};
use std::path::Path;

/// `billgap map client|product`.
#[derive(Debug, Subcommand)]
pub enum MapSubject {
    /// A vendor customer (tenant id, Pax8 company id or exact name) is a PSA company (id or exact name).
    Client {
        /// Vendor customer key, `system:key`, or exact name.
        vendor_customer: String,
        /// PSA company key or exact name.
        psa_company: String,
    },
    /// A vendor product (ProductId:SkuId, Pax8 sku, or exact name) is a PSA product.
    Product {
        /// Vendor product key, `system:key`, or exact name.
        vendor_product: String,
        /// PSA product key or exact name.
        psa_product: String,
        /// Only for this term (monthly, annual, 3-year, trial…); default: every term.
        #[arg(long)]
        term: Option<Term>,
    },
}

/// `billgap reject client|product`.
#[derive(Debug, Subcommand)]
pub enum RejectSubject {
    /// This PSA company is not this vendor customer.
    Client {
        /// Vendor customer key, `system:key`, or exact name.
        vendor_customer: String,
        /// PSA company key or exact name.
        psa_company: String,
    },
    /// This PSA product is not this vendor product.
    Product {
        /// Vendor product key, `system:key`, or exact name.
        vendor_product: String,
        /// PSA product key or exact name.
        psa_product: String,
    },
}

/// `billgap match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Accept every best suggestion scoring at least this much (and at least the high band,
    /// clearly ahead of the runner-up); each is logged as an automatic decision. Without it,
    /// nothing is accepted.
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub accept_above: Option<u8>,
}

/// `billgap unmap client|product`.
#[derive(Debug, Subcommand)]
pub enum UnmapSubject {
    /// Remove a vendor customer's mapping.
    Client {
        /// Vendor customer key or exact name.
        vendor_customer: String,
    },
    /// Remove a vendor product's mapping.
    Product {
        /// Vendor product key or exact name.
        vendor_product: String,
        /// The term of the mapping to remove; default: the every-term mapping.
        #[arg(long)]
        term: Option<Term>,
    },
}

/// What an ignore rule applies to.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IgnoreSubject {
    /// A vendor customer (for example your own internal tenant).
    Customer,
    /// A vendor product (for example a free or viral SKU).
    Product,
}

/// `billgap ignore`.
#[derive(Debug, Args)]
pub struct IgnoreArgs {
    /// Customer or product.
    #[arg(value_enum)]
    pub subject: IgnoreSubject,
    /// Vendor key or exact name.
    pub vendor: String,
    /// Why; shown wherever the rule has an effect.
    #[arg(long, required = true)]
    pub reason: String,
    /// Last day the rule applies (YYYY-MM-DD); default: for good.
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// Products only: ignore this term (monthly, annual, one-time…) and leave the product's
    /// other terms compared, as `map product --term` maps one term; default: every term.
    #[arg(long)]
    pub term: Option<Term>,
}

/// `billgap unignore`.
#[derive(Debug, Args)]
pub struct UnignoreArgs {
    /// Customer or product.
    #[arg(value_enum)]
    pub subject: IgnoreSubject,
    /// Vendor key or exact name.
    pub vendor: String,
    /// Products only: lift the rule for this term; default: the every-term rule.
    #[arg(long)]
    pub term: Option<Term>,
}

/// `billgap map`.
pub fn map(database: &Path, subject: MapSubject) -> color_eyre::Result<Outcome> {
    decide(database, |workspace| {
        Ok(match subject {
            MapSubject::Client {
                vendor_customer,
                psa_company,
            } => Decision::MapClient {
                vendor: workspace.find_party(Side::Vendor, &vendor_customer)?,
                company: workspace.find_party(Side::Psa, &psa_company)?,
            },
            MapSubject::Product {
                vendor_product,
                psa_product,
                term,
            } => {
                let vendor = workspace.find_product(Side::Vendor, &vendor_product)?;
                let named = workspace.find_psa_product_or_catalogue(&psa_product)?;
                if named.catalogue_only {
                    eprintln!(
                        "note: no imported PSA line bills {} yet; mapping to it as a catalogue product",
                        named.key
                    );
                }
                Decision::MapProduct {
                    vendor,
                    term,
                    product: named.key,
                }
            }
        })
    })
}

/// Opens the workspace, builds the decision from what the user typed, and records it.
fn decide(
    database: &Path,
    build: impl FnOnce(&Workspace) -> Result<Decision, WorkflowError>,
) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    let decision = build(&workspace)?;
    eprintln!("{}", workspace.decide(&decision)?.sentence);
    Ok(Outcome::Done)
}

/// `billgap reject`.
pub fn reject(database: &Path, subject: RejectSubject) -> color_eyre::Result<Outcome> {
    decide(database, |workspace| {
        Ok(match subject {
            RejectSubject::Client {
                vendor_customer,
                psa_company,
            } => Decision::RejectClient {
                vendor: workspace.find_party(Side::Vendor, &vendor_customer)?,
                company: workspace.find_party(Side::Psa, &psa_company)?,
            },
            RejectSubject::Product {
                vendor_product,
                psa_product,
            } => Decision::RejectProduct {
                vendor: workspace.find_product(Side::Vendor, &vendor_product)?,
                product: workspace.find_product(Side::Psa, &psa_product)?,
            },
        })
    })
}

/// `billgap match`: band counts, or the explicit auto-accept of the safe band.
pub fn match_queue(database: &Path, args: &MatchArgs) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    if let Some(accept_above) = args.accept_above {
        let outcome = workspace.accept_safe_band(accept_above)?;
        out!(
            "accepted {} client and {} product mapping(s) automatically (logged as one step: one `billgap undo` reverses them all); {} await review, {} have no suggestion",
            outcome.clients_accepted,
            outcome.products_accepted,
            outcome.awaiting_review,
            outcome.without_suggestion
        )?;
        if outcome.decided_meanwhile > 0 {
            out!(
                "{} suggestion(s) left alone: decided by someone else while this ran (a manual decision is never overwritten)",
                outcome.decided_meanwhile
            )?;
        }
        print_held(&workspace.mapping_queue(3)?)?;
        return Ok(Outcome::Done);
    }
    let queue = workspace.mapping_queue(3)?;
    print_held(&queue)?;
    let MappingQueue { clients, products } = queue;
    let bands = |best: Vec<Option<Band>>| {
        let count = |band| best.iter().filter(|found| **found == Some(band)).count();
        format!(
            "{} high, {} review, {} without a suggestion",
            count(Band::High),
            count(Band::Review),
            best.len() - count(Band::High) - count(Band::Review)
        )
    };
    let best_band = |candidates: &[Candidate]| {
        candidates
            .first()
            .map(|candidate| candidate.suggestion.band)
    };
    out!(
        "unmapped customers: {} ({})",
        clients.len(),
        bands(
            clients
                .iter()
                .map(|entry| best_band(&entry.candidates))
                .collect()
        )
    )?;
    out!(
        "unmapped products: {} ({})",
        products.len(),
        bands(
            products
                .iter()
                .map(|entry| best_band(&entry.candidates))
                .collect()
        )
    )?;
    out!(
        "nothing was accepted; see `billgap clients --unmapped`, or accept the safe band with --accept-above {}",
        crate::domain::matching::HIGH_THRESHOLD
    )?;
    Ok(Outcome::Done)
}

/// How many held pairs `billgap match` lists; the workbench shows every one.
const HELD_SHOWN: usize = 20;

/// Lists the queue entries whose best suggestion is high but not safe to accept, each with the
/// reason in business words ("2 sites of Northside Health", "runner-up within 4 points").
fn print_held(queue: &MappingQueue) -> std::io::Result<()> {
    let clients = queue
        .clients
        .iter()
        .map(|entry| (entry.customer.party.name.as_str(), &entry.candidates));
    let products = queue
        .products
        .iter()
        .map(|entry| (entry.product.product.name.as_str(), &entry.candidates));
    let held: Vec<String> = clients
        .chain(products)
        .filter_map(|(name, candidates)| {
            let best = candidates.first()?;
            let hold = best.hold.as_ref()?;
            (best.suggestion.band == Band::High).then(|| {
                format!(
                    "  {} → {} ({}): not accepted, {hold}",
                    crate::domain::text::strip_control(name),
                    crate::domain::text::strip_control(&best.suggestion.candidate_name),
                    best.suggestion.score
                )
            })
        })
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    out!("high suggestions held for review: {}", held.len())?;
    for line in held.iter().take(HELD_SHOWN) {
        out!("{line}")?;
    }
    if held.len() > HELD_SHOWN {
        out!("  … and {} more", held.len() - HELD_SHOWN)?;
    }
    Ok(())
}

/// `billgap unmap`.
pub fn unmap(database: &Path, subject: UnmapSubject) -> color_eyre::Result<Outcome> {
    decide(database, |workspace| {
        Ok(match subject {
            UnmapSubject::Client { vendor_customer } => Decision::UnmapClient {
                vendor: workspace.find_party(Side::Vendor, &vendor_customer)?,
            },
            UnmapSubject::Product {
                vendor_product,
                term,
            } => Decision::UnmapProduct {
                vendor: workspace.find_product(Side::Vendor, &vendor_product)?,
                term,
            },
        })
    })
}

/// `billgap ignore`.
pub fn ignore(database: &Path, args: &IgnoreArgs) -> color_eyre::Result<Outcome> {
    let (reason, until) = (args.reason.clone(), args.until);
    decide(database, |workspace| {
        Ok(match args.subject {
            IgnoreSubject::Customer => {
                refuse_customer_term(args.term)?;
                Decision::IgnoreCustomer {
                    vendor: workspace.find_party(Side::Vendor, &args.vendor)?,
                    reason,
                    until,
                }
            }
            IgnoreSubject::Product => Decision::IgnoreProduct {
                vendor: workspace.find_product(Side::Vendor, &args.vendor)?,
                term: args.term,
                reason,
                until,
            },
        })
    })
}

/// `billgap unignore`.
pub fn unignore(database: &Path, args: &UnignoreArgs) -> color_eyre::Result<Outcome> {
    decide(database, |workspace| {
        Ok(match args.subject {
            IgnoreSubject::Customer => {
                refuse_customer_term(args.term)?;
                Decision::UnignoreCustomer {
                    vendor: workspace.find_party(Side::Vendor, &args.vendor)?,
                }
            }
            IgnoreSubject::Product => Decision::UnignoreProduct {
                vendor: workspace.find_product(Side::Vendor, &args.vendor)?,
                term: args.term,
            },
        })
    })
}

/// A customer is ignored whole: accepting `--term` for one would quietly ignore every term.
fn refuse_customer_term(term: Option<Term>) -> Result<(), WorkflowError> {
    match term {
        Some(term) => Err(WorkflowError::Refused(format!(
            "--term {term} applies to products only: a customer is ignored for every product and term"
        ))),
        None => Ok(()),
    }
}

/// `billgap undo` and `billgap redo`.
pub fn step_history(database: &Path, step: HistoryStep) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    match workspace.step_history(step)? {
        Some(sentence) => eprintln!("{sentence}"),
        None => eprintln!(
            "nothing to {}",
            match step {
                HistoryStep::Undo => "undo",
                HistoryStep::Redo => "redo",
            }
        ),
    }
    Ok(Outcome::Done)
}

/// How `billgap log` prints.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum LogFormat {
    /// A table in business words: when, who, what, and the names involved.
    #[default]
    Table,
    /// The raw log entries as JSON, one array, for scripts and audits.
    Json,
}

/// `billgap log`: the decision log, newest first.
pub fn show_log(database: &Path, limit: usize, format: LogFormat) -> color_eyre::Result<Outcome> {
    let mut workspace = super::workspace::open(database)?;
    let records = workspace.decision_log(limit)?;
    if let LogFormat::Json = format {
        out!("{}", serde_json::to_string_pretty(&records)?)?;
        return Ok(Outcome::Done);
    }
    if records.is_empty() {
        out!("No decisions yet.")?;
        return Ok(Outcome::Done);
    }
    out!(
        "{:<6} {:<16} {:<5} {:<9} {:<15} what",
        "entry",
        "when (UTC)",
        "step",
        "by",
        "decision"
    )?;
    for record in records {
        let what = record.decision.as_ref().map_or_else(
            || record.record.clone(),
            |decision| workspace.describe(decision),
        );
        // Entries of one bulk accept share a batch, and undo reverses them together.
        let batch = record
            .batch
            .map_or_else(String::new, |batch| format!("  [batch #{batch}]"));
        out!(
            "#{:<5} {:<16} {:<5} {:<9} {:<15} {}{batch}",
            record.id,
            record
                .decided_at
                .replace('T', " ")
                .chars()
                .take(16)
                .collect::<String>(),
            record.step,
            record.origin,
            record.action,
            crate::domain::text::strip_control(&what)
        )?;
    }
    Ok(Outcome::Done)
}
