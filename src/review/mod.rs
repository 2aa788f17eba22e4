//! The library calls that both faces (CLI and workbench) share: reconcile the current state
//! into a report, and map what can be mapped without any doubt.

mod suggestions;

pub use suggestions::{
    AcceptOutcome, Candidate, ClientSuggestions, MappingQueue, ProductSuggestions, Suggester,
    accept_safe_band, mapping_queue,
};

use crate::domain::ledger::TrackedGap;
use crate::domain::lines::{Side, SourceKey};
use crate::domain::reconcile::reconcile;
use crate::domain::report::Report;
use crate::store::{Decision, Origin, Store, StoreError};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Reconciles the current state as of `today` and returns the report with each gap's ledger
/// history. With `record`, the run is written to the ledger (headless and scheduled runs do
/// this; browsing does not). `threshold` replaces the stored default for this report only.
pub fn build_report(
    store: &mut Store,
    today: NaiveDate,
    record: bool,
    threshold: Option<rust_decimal::Decimal>,
) -> Result<Report, StoreError> {
    let mut state = store.current_state()?;
    if let Some(threshold) = threshold {
        state.thresholds.default = threshold;
    }
    let reconciliation = reconcile(
        &state.vendor,
        &state.psa,
        &state.mappings,
        &state.thresholds,
        today,
    );
    let run = if record {
        store.record_run(&reconciliation, state.vendor_period.as_deref(), today)?
    } else {
        store.track_gaps(&reconciliation, today)?
    };
    let mut warnings = Vec::new();
    if let Some(period) = &state.vendor_period {
        for system in store.vendor_systems_missing_from(period)? {
            warnings.push(format!(
                "no {system} export for {period} has been imported: its spend is not compared (import it, or the figures are for part of the month)"
            ));
        }
    }
    let mut report = Report::new(
        today,
        state.vendor_period,
        state.psa_period,
        reconciliation,
        run.gaps,
        run.resolved,
    );
    report.warnings = warnings;
    Ok(report)
}

/// How many mappings [`map_certain`] made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CertainMappings {
    /// Vendor customers mapped because they carry the PSA company's id (Pax8 `externalId`).
    pub by_key: usize,
    /// Vendor customers mapped because exactly one PSA company has the very same name.
    pub by_exact_name: usize,
    /// Vendor products mapped because exactly one PSA product has the very same name.
    pub products_by_exact_name: usize,
}

/// Maps what needs no judgement: a PSA id carried in the vendor record, or a name equal
/// (ignoring case and surrounding spaces) to exactly one PSA name. Already mapped or ignored
/// records are left alone. Each mapping is logged as automatic, so it can be reviewed and undone.
pub fn map_certain(store: &mut Store) -> Result<CertainMappings, StoreError> {
    let state = store.current_state()?;
    let companies = store.parties(Side::Psa, &state)?;
    let by_key = UniqueIndex::new(
        companies.iter().map(|row| (&row.key, row.key.key.as_str())),
        |key| key.trim().to_string(),
    );
    let by_name = UniqueIndex::new(
        companies
            .iter()
            .map(|row| (&row.key, row.party.name.as_str())),
        fold_name,
    );
    let mut made = CertainMappings::default();
    let mut decisions = Vec::new();
    for customer in store.parties(Side::Vendor, &state)? {
        if customer.mapped_to.is_some() || customer.ignored.is_some() {
            continue;
        }
        let carried = customer
            .party
            .external_id
            .as_deref()
            .and_then(|id| by_key.only(id));
        if let Some(company) = carried {
            made.by_key += 1;
            decisions.push(Decision::MapClient {
                vendor: customer.key.clone(),
                company,
            });
        } else if let Some(company) = by_name.only(&customer.party.name) {
            made.by_exact_name += 1;
            decisions.push(Decision::MapClient {
                vendor: customer.key.clone(),
                company,
            });
        }
    }
    let psa_products = store.products(Side::Psa, &state)?;
    let products_by_name = UniqueIndex::new(
        psa_products
            .iter()
            .map(|row| (&row.key, row.product.name.as_str())),
        fold_name,
    );
    for product in store.products(Side::Vendor, &state)? {
        if product.mapped_to.is_some() || product.ignored.is_some() {
            continue;
        }
        if let Some(psa_product) = products_by_name.only(&product.product.name) {
            made.products_by_exact_name += 1;
            decisions.push(Decision::MapProduct {
                vendor: product.key.clone(),
                term: Some(product.term),
                product: psa_product,
            });
        }
    }
    for decision in &decisions {
        store.decide(decision, Origin::Automatic)?;
    }
    Ok(made)
}

/// PSA records by a text (an id or a name) folded one way, answering only when exactly one
/// record has that text: certainty, not a guess.
struct UniqueIndex<'a> {
    records: HashMap<String, Vec<&'a SourceKey>>,
    fold: fn(&str) -> String,
}

impl<'a> UniqueIndex<'a> {
    fn new(
        entries: impl Iterator<Item = (&'a SourceKey, &'a str)>,
        fold: fn(&str) -> String,
    ) -> Self {
        let mut records: HashMap<String, Vec<&'a SourceKey>> = HashMap::new();
        for (key, text) in entries {
            let entry = records.entry(fold(text)).or_default();
            if !entry.contains(&key) {
                entry.push(key);
            }
        }
        Self { records, fold }
    }

    /// The one record with this text, folded the same way; `None` for none or several.
    fn only(&self, text: &str) -> Option<SourceKey> {
        match self.records.get(&(self.fold)(text)).map(Vec::as_slice) {
            Some([key]) => Some((*key).clone()),
            _ => None,
        }
    }
}

/// Names are equal when they differ only in case and surrounding spaces.
fn fold_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Gaps of clients over their threshold first, then by value: the order a billing owner
/// works them in.
pub fn worklist(report: &Report) -> Vec<&TrackedGap> {
    let mut gaps: Vec<&TrackedGap> = report.gaps.iter().collect();
    gaps.sort_by_key(|gap| !report.is_over_threshold(gap));
    gaps
}
