//! Mapping commands: map, unmap, ignore, unignore, undo, redo, the log, and the lists.

use crate::domain::lines::{Side, Term};
use crate::store::{Decision, Origin, Store, UndoOutcome};
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
}

/// `billgap unignore`.
#[derive(Debug, Args)]
pub struct UnignoreArgs {
    /// Customer or product.
    #[arg(value_enum)]
    pub subject: IgnoreSubject,
    /// Vendor key or exact name.
    pub vendor: String,
}

pub fn map(database: &Path, subject: MapSubject) -> color_eyre::Result<i32> {
    decide(database, |store| {
        Ok(match subject {
            MapSubject::Client {
                vendor_customer,
                psa_company,
            } => {
                let (vendor, company) = client_pair(store, &vendor_customer, &psa_company)?;
                Decision::MapClient { vendor, company }
            }
            MapSubject::Product {
                vendor_product,
                psa_product,
                term,
            } => Decision::MapProduct {
                vendor: store.resolve_product(Side::Vendor, &vendor_product)?.0,
                term,
                product: psa_catalogue_product(store, &psa_product)?,
            },
        })
    })
}

/// Opens the store, builds the decision from what the user typed, and records it.
fn decide(
    database: &Path,
    build: impl FnOnce(&Store) -> color_eyre::Result<Decision>,
) -> color_eyre::Result<i32> {
    let mut store = super::open(database)?;
    let decision = build(&store)?;
    apply(&mut store, &decision)
}

/// A vendor customer and a PSA company, each by key or exact name.
fn client_pair(
    store: &Store,
    vendor: &str,
    company: &str,
) -> color_eyre::Result<(
    crate::domain::lines::SourceKey,
    crate::domain::lines::SourceKey,
)> {
    Ok((
        store.resolve_party(Side::Vendor, vendor)?.0,
        store.resolve_party(Side::Psa, company)?.0,
    ))
}

/// A PSA product by key or name; a product no agreement bills yet (so no import has it) may
/// still be named by its id, because mapping it is how a missing line gets priced and found.
fn psa_catalogue_product(
    store: &Store,
    text: &str,
) -> color_eyre::Result<crate::domain::lines::SourceKey> {
    match store.find_products(Side::Psa, text)?.as_slice() {
        [(key, _)] => return Ok(key.clone()),
        // Several matches: resolving explains which, and how to pick one.
        [_, _, ..] => return Ok(store.resolve_product(Side::Psa, text)?.0),
        [] => {}
    }
    let systems: std::collections::BTreeSet<String> = store
        .sources()?
        .into_iter()
        .filter(|source| source.side == Side::Psa)
        .map(|source| source.system)
        .collect();
    let (system, key) = match text.split_once(':') {
        Some((system, key)) => (system.to_string(), key.to_string()),
        None if systems.len() == 1 => (
            systems.iter().next().cloned().unwrap_or_default(),
            text.to_string(),
        ),
        None => color_eyre::eyre::bail!(
            "no PSA product has the key or exact name '{text}'; name it as system:key (PSA systems imported: {})",
            systems.into_iter().collect::<Vec<_>>().join(", ")
        ),
    };
    eprintln!(
        "note: no imported PSA line bills {system}:{key} yet; mapping to it as a catalogue product"
    );
    Ok(crate::domain::lines::SourceKey::new(system, key))
}

pub fn reject(database: &Path, subject: RejectSubject) -> color_eyre::Result<i32> {
    decide(database, |store| {
        Ok(match subject {
            RejectSubject::Client {
                vendor_customer,
                psa_company,
            } => {
                let (vendor, company) = client_pair(store, &vendor_customer, &psa_company)?;
                Decision::RejectClient { vendor, company }
            }
            RejectSubject::Product {
                vendor_product,
                psa_product,
            } => Decision::RejectProduct {
                vendor: store.resolve_product(Side::Vendor, &vendor_product)?.0,
                product: store.resolve_product(Side::Psa, &psa_product)?.0,
            },
        })
    })
}

pub fn match_queue(database: &Path, args: &MatchArgs) -> color_eyre::Result<i32> {
    let mut store = super::open(database)?;
    if let Some(accept_above) = args.accept_above {
        let outcome = crate::review::accept_safe_band(&mut store, accept_above)?;
        println!(
            "accepted {} client and {} product mapping(s) automatically (logged; `billgap undo` reverses one at a time); {} await review, {} have no suggestion",
            outcome.clients_accepted,
            outcome.products_accepted,
            outcome.awaiting_review,
            outcome.without_suggestion
        );
        return Ok(0);
    }
    let crate::review::MappingQueue { clients, products } =
        crate::review::mapping_queue(&store, 3)?;
    let bands = |best: Vec<Option<crate::domain::matching::Band>>| {
        let count = |band| best.iter().filter(|found| **found == Some(band)).count();
        use crate::domain::matching::Band;
        format!(
            "{} high, {} review, {} without a suggestion",
            count(Band::High),
            count(Band::Review),
            best.len() - count(Band::High) - count(Band::Review)
        )
    };
    let best_band = |candidates: &[crate::review::Candidate]| {
        candidates
            .first()
            .map(|candidate| candidate.suggestion.band)
    };
    println!(
        "unmapped customers: {} ({})",
        clients.len(),
        bands(
            clients
                .iter()
                .map(|entry| best_band(&entry.candidates))
                .collect()
        )
    );
    println!(
        "unmapped products: {} ({})",
        products.len(),
        bands(
            products
                .iter()
                .map(|entry| best_band(&entry.candidates))
                .collect()
        )
    );
    println!(
        "nothing was accepted; see `billgap clients --unmapped`, or accept the safe band with --accept-above {}",
        crate::domain::matching::HIGH_THRESHOLD
    );
    Ok(0)
}

pub fn unmap(database: &Path, subject: UnmapSubject) -> color_eyre::Result<i32> {
    decide(database, |store| {
        Ok(match subject {
            UnmapSubject::Client { vendor_customer } => Decision::UnmapClient {
                vendor: store.resolve_party(Side::Vendor, &vendor_customer)?.0,
            },
            UnmapSubject::Product {
                vendor_product,
                term,
            } => Decision::UnmapProduct {
                vendor: store.resolve_product(Side::Vendor, &vendor_product)?.0,
                term,
            },
        })
    })
}

pub fn ignore(database: &Path, args: &IgnoreArgs) -> color_eyre::Result<i32> {
    let (reason, until) = (args.reason.clone(), args.until);
    decide(database, |store| {
        Ok(match args.subject {
            IgnoreSubject::Customer => Decision::IgnoreCustomer {
                vendor: store.resolve_party(Side::Vendor, &args.vendor)?.0,
                reason,
                until,
            },
            IgnoreSubject::Product => Decision::IgnoreProduct {
                vendor: store.resolve_product(Side::Vendor, &args.vendor)?.0,
                reason,
                until,
            },
        })
    })
}

pub fn unignore(database: &Path, args: &UnignoreArgs) -> color_eyre::Result<i32> {
    decide(database, |store| {
        Ok(match args.subject {
            IgnoreSubject::Customer => Decision::UnignoreCustomer {
                vendor: store.resolve_party(Side::Vendor, &args.vendor)?.0,
            },
            IgnoreSubject::Product => Decision::UnignoreProduct {
                vendor: store.resolve_product(Side::Vendor, &args.vendor)?.0,
            },
        })
    })
}

fn apply(store: &mut Store, decision: &Decision) -> color_eyre::Result<i32> {
    match store.decide(decision, Origin::Manual)? {
        Some(id) => eprintln!("recorded decision #{id}: {}", describe(decision)),
        None => eprintln!("nothing to change: {} already holds", describe(decision)),
    }
    Ok(0)
}

fn describe(decision: &Decision) -> String {
    match decision {
        Decision::MapClient { vendor, company } => format!("{vendor} → {company}"),
        Decision::UnmapClient { vendor } => format!("{vendor} unmapped"),
        Decision::MapProduct {
            vendor,
            term,
            product,
        } => format!(
            "{vendor} ({}) → {product}",
            term.map_or("every term", Term::as_str)
        ),
        Decision::UnmapProduct { vendor, term } => {
            format!(
                "{vendor} ({}) unmapped",
                term.map_or("every term", Term::as_str)
            )
        }
        Decision::RejectClient { vendor, company } => format!("{vendor} is not {company}"),
        Decision::RejectProduct { vendor, product } => format!("{vendor} is not {product}"),
        Decision::IgnoreCustomer { vendor, reason, .. }
        | Decision::IgnoreProduct { vendor, reason, .. } => format!("{vendor} ignored: {reason}"),
        Decision::UnignoreCustomer { vendor } | Decision::UnignoreProduct { vendor } => {
            format!("{vendor} no longer ignored")
        }
    }
}

pub fn step_history(database: &Path, undo: bool) -> color_eyre::Result<i32> {
    let mut store = super::open(database)?;
    let outcome = if undo { store.undo()? } else { store.redo()? };
    match outcome {
        UndoOutcome::Applied(record) => eprintln!(
            "{} of decision {}: {} {}",
            record.step, record.id, record.action, record.record
        ),
        UndoOutcome::Nothing => eprintln!("nothing to {}", if undo { "undo" } else { "redo" }),
    }
    Ok(0)
}

pub fn show_log(database: &Path, limit: usize) -> color_eyre::Result<i32> {
    let store = super::open(database)?;
    for record in store.decision_log(limit)? {
        println!(
            "#{:<5} {}  {:<5} {:<9} {:<17} {}",
            record.id, record.decided_at, record.step, record.origin, record.action, record.record
        );
    }
    Ok(0)
}
