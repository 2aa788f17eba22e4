//! `billgap generate`: a deterministic, realistic pair of exports for one fictional MSP (a
//! Partner Center NCE reconciliation file and a ConnectWise additions file), with the truth
//! beside them: the mappings a careful operator would confirm (in the `map --from` format) and
//! the gaps the files were written to hold. It lets anyone try billgap at scale, and it is what
//! the benchmarks measure.

mod exports;

pub use exports::{customer_keys, product_pairs, write_connectwise_csv, write_nce_csv};

use exports::{Billing, PRODUCTS, SALT_ORPHAN, billing, held_products, mix};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The files `generate` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The vendor export (Partner Center NCE reconciliation CSV).
    pub vendor: PathBuf,
    /// The PSA export (ConnectWise agreement additions CSV).
    pub psa: PathBuf,
    /// The mappings that make coverage complete, for `billgap map --from`.
    pub mappings: PathBuf,
    /// The gaps the files hold: `company_id,product_id,kind`.
    pub expected_gaps: PathBuf,
    /// How many gaps of each kind, in `GapKind` order: unbilled, overbilled, missing,
    /// orphan, price.
    pub gap_counts: [usize; 5],
}

/// Writes the four files into `folder` for `clients` customers and `lines` vendor rows.
/// The same arguments always give the same bytes.
pub fn generate(folder: &Path, clients: usize, lines: usize, seed: u64) -> io::Result<Generated> {
    std::fs::create_dir_all(folder)?;
    let generated = Generated {
        vendor: folder.join("partner-center-nce.csv"),
        psa: folder.join("connectwise-additions.csv"),
        mappings: folder.join("mappings.csv"),
        expected_gaps: folder.join("expected-gaps.csv"),
        gap_counts: [0; 5],
    };
    write_nce_csv(&generated.vendor, lines, clients, seed)?;
    write_connectwise_csv(&generated.psa, clients, seed)?;
    write_mappings(&generated.mappings, clients)?;
    let gap_counts = write_expected_gaps(&generated.expected_gaps, clients, seed)?;
    Ok(Generated {
        gap_counts,
        ..generated
    })
}

/// The PSA system the generated ConnectWise file is imported under.
const PSA_SYSTEM: &str = "connectwise";

fn write_mappings(path: &Path, clients: usize) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(
        out,
        "kind,vendor_system,vendor_key,term,psa_id,reason,expires"
    )?;
    for customer in 0..clients {
        let (tenant, company) = customer_keys(customer);
        writeln!(out, "client,microsoft,{tenant},,{PSA_SYSTEM}:{company},,")?;
    }
    for (vendor, psa) in product_pairs() {
        writeln!(
            out,
            "product,microsoft,{vendor},monthly,{PSA_SYSTEM}:{psa},,"
        )?;
    }
    out.flush()
}

/// Writes the planted gaps and returns their counts per kind. The PSA writer decides each
/// (customer, product) pair's billing from the seed; this reads the same decisions, so the
/// truth is what was written, not what billgap computes.
fn write_expected_gaps(path: &Path, clients: usize, seed: u64) -> io::Result<[usize; 5]> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut counts = [0_usize; 5];
    writeln!(out, "company_id,product_id,kind")?;
    for customer in 0..clients {
        let (_, company) = customer_keys(customer);
        let held = held_products(seed, customer);
        for &product in &held {
            let kind = match billing(seed, customer, product) {
                Billing::Exact => continue,
                Billing::Unbilled(_) => 0,
                Billing::Overbilled(_) => 1,
                Billing::Missing => 2,
                Billing::BelowCost => 4,
            };
            counts[kind] += 1;
            writeln!(
                out,
                "{company},{},{}",
                PRODUCTS[product].psa_id, KINDS[kind]
            )?;
        }
        if mix(&[seed, SALT_ORPHAN, customer as u64]) % 100 < 2 {
            if let Some(product) = (0..PRODUCTS.len()).find(|p| !held.contains(p)) {
                counts[3] += 1;
                writeln!(out, "{company},{},orphan", PRODUCTS[product].psa_id)?;
            }
        }
    }
    out.flush()?;
    Ok(counts)
}

const KINDS: [&str; 5] = ["unbilled", "overbilled", "missing", "orphan", "price"];
