//! What a workspace holds in memory of its database between use cases.
//!
//! Positions are aggregated at import, so they are read once per import. A decision reloads
//! only the mappings and rebuilds the per-record rows and coverage, which is cheap at a million
//! lines; the full reconciliation runs from shared positions, on a worker when a face wants it.

use super::matcher::{MatchInputs, Suggester};
use crate::domain::holdings::{PartyRow, ProductRow, party_rows, product_rows};
use crate::domain::lines::Side;
use crate::domain::reconcile::seen::raise_to_seen;
use crate::domain::reconcile::{Coverage, MappingSet, Position, Thresholds};
use crate::domain::report::Report;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// The in-memory state of one database.
pub(crate) struct Session {
    pub(crate) vendor: Arc<Vec<Position>>,
    /// The last complete vendor data, when what an incomplete vendor pull saw raised `vendor`.
    pub(crate) held_vendor: Option<Arc<Vec<Position>>>,
    pub(crate) psa: Arc<Vec<Position>>,
    pub(crate) vendor_period: Option<String>,
    pub(crate) psa_period: Option<String>,
    pub(crate) mappings: MappingSet,
    pub(crate) thresholds: Thresholds,
    pub(crate) vendor_parties: Vec<PartyRow>,
    pub(crate) psa_parties: Vec<PartyRow>,
    pub(crate) vendor_products: Vec<ProductRow>,
    pub(crate) psa_products: Vec<ProductRow>,
    /// Coverage under the current mappings: always fresh.
    pub(crate) coverage: Coverage,
    /// The matcher with the operator's feedback; rebuilt after a rejection or a reload.
    pub(crate) suggester: Option<Suggester>,
    /// The latest reconciliation with the generation and threshold it was computed for. It
    /// may lag behind the mappings while a worker computes its successor.
    pub(crate) report: Option<CachedReport>,
}

/// A finished reconciliation and what it was computed for.
pub(crate) struct CachedReport {
    pub(crate) generation: u64,
    pub(crate) threshold: Decimal,
    pub(crate) report: Arc<Report>,
}

impl Session {
    /// Reads positions, parties, products and mappings; no reconciliation yet.
    pub(crate) fn load(store: &Store, today: NaiveDate) -> Result<Session, StoreError> {
        let mut state = store.current_state()?;
        // A vendor pull that stopped early saw a lower bound of the vendor's seats: the vendor
        // side is raised to it, and the last complete data is kept so that none of its gaps
        // resolves (the rule is in `domain::reconcile::seen`).
        let seen = match &state.vendor_period {
            Some(period) => store.seen_positions(period)?,
            None => Vec::new(),
        };
        let held_vendor = (!seen.is_empty()).then(|| {
            let base = std::mem::take(&mut state.vendor);
            state.vendor = raise_to_seen(&base, seen);
            Arc::new(base)
        });
        let vendor_details = store.party_details(Side::Vendor)?;
        let psa_details = store.party_details(Side::Psa)?;
        let mut session = Session {
            vendor_parties: Vec::new(),
            psa_parties: party_rows(Side::Psa, &state.psa, &psa_details, &state.mappings, today),
            vendor_products: Vec::new(),
            psa_products: product_rows(Side::Psa, &state.psa, &state.mappings, today),
            coverage: Coverage::default(),
            vendor: Arc::new(state.vendor),
            held_vendor,
            psa: Arc::new(state.psa),
            vendor_period: state.vendor_period,
            psa_period: state.psa_period,
            mappings: state.mappings,
            thresholds: state.thresholds,
            suggester: None,
            report: None,
        };
        session.rebuild_vendor_rows(&vendor_details, today);
        Ok(session)
    }

    /// Re-reads the mappings after a decision, undo or redo, and rebuilds what depends on them.
    /// With `rejections_moved` the matcher is rebuilt, so a rejected pair is never offered
    /// again; otherwise it is kept (rebuilding costs tens of milliseconds at 2,000 companies,
    /// and a confirmation only fine-tunes word weights, which the next reload picks up).
    pub(crate) fn refresh_mappings(
        &mut self,
        store: &Store,
        today: NaiveDate,
        rejections_moved: bool,
    ) -> Result<(), StoreError> {
        self.mappings = store.mapping_set()?;
        let details = self
            .vendor_parties
            .iter()
            .map(|row| {
                (
                    row.key.clone(),
                    crate::domain::holdings::PartyDetails {
                        domain: row.party.domain.clone(),
                        external_id: row.party.external_id.clone(),
                    },
                )
            })
            .collect();
        self.rebuild_vendor_rows(&details, today);
        if rejections_moved {
            self.suggester = None;
        }
        Ok(())
    }

    /// The vendor rows and coverage under the mappings in force on `today`: one rule for the
    /// ignore expiry everywhere, so the queue never hides what coverage counts as unmapped.
    fn rebuild_vendor_rows(
        &mut self,
        details: &HashMap<crate::domain::lines::SourceKey, crate::domain::holdings::PartyDetails>,
        today: NaiveDate,
    ) {
        self.vendor_parties =
            party_rows(Side::Vendor, &self.vendor, details, &self.mappings, today);
        self.vendor_products = product_rows(Side::Vendor, &self.vendor, &self.mappings, today);
        self.coverage = Coverage::measure(&self.vendor, &self.mappings, today);
    }

    /// The matcher, built on first use after a load or a rejection.
    pub(crate) fn suggester(&mut self, store: &Store) -> Result<&Suggester, StoreError> {
        let suggester = match self.suggester.take() {
            Some(suggester) => suggester,
            None => Suggester::new(
                store,
                MatchInputs {
                    vendor_parties: &self.vendor_parties,
                    psa_parties: &self.psa_parties,
                    psa_products: &self.psa_products,
                    mappings: &self.mappings,
                },
            )?,
        };
        Ok(self.suggester.insert(suggester))
    }
}
