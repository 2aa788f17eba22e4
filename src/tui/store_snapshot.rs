//! What the workbench holds in memory of a database, and the background reconcile.
//!
//! Positions are aggregated at import, so they are loaded once per import. A decision reloads
//! only the mappings and re-measures coverage, which is cheap; the full reconciliation (gaps,
//! client totals, ledger) runs on a worker thread over shared positions, so a keypress never
//! waits for it.

use crate::domain::lines::{Side, SourceKey};
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::PriceBasis;
use crate::domain::reconcile::{Coverage, MappingSet, Position, Thresholds, reconcile};
use crate::domain::report::Report;
use crate::review::Suggester;
use crate::store::{CurrentState, PartyRow, ProductRow, Store};
use crate::tui::data::{
    DataError, LineView, MappingState, QueueFilter, ReconcileJob, ReconciledReport,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The in-memory view of one database.
pub(crate) struct Snapshot {
    pub(crate) vendor: Arc<Vec<Position>>,
    pub(crate) psa: Arc<Vec<Position>>,
    pub(crate) vendor_period: Option<String>,
    pub(crate) psa_period: Option<String>,
    pub(crate) mappings: MappingSet,
    pub(crate) thresholds: Thresholds,
    pub(crate) vendor_parties: Vec<PartyRow>,
    pub(crate) psa_names: HashMap<SourceKey, String>,
    pub(crate) vendor_products: Vec<ProductRow>,
    pub(crate) psa_product_names: HashMap<SourceKey, String>,
    /// Coverage under the current mappings: always fresh.
    pub(crate) coverage: Coverage,
    /// The latest reconciliation, which may lag behind the mappings until the worker is done.
    pub(crate) report: Option<ReconciledReport>,
    /// True when the mappings changed after `report` was computed.
    pub(crate) report_stale: bool,
    /// The state as the store returned it, with the mappings kept current, for the matcher.
    state: CurrentState,
    /// The matcher over the PSA side with the operator's feedback; rebuilt after decisions.
    suggester: Option<Suggester>,
}

impl Snapshot {
    /// Reads positions, parties, products and mappings; no reconciliation yet.
    pub(crate) fn load(store: &Store, today: NaiveDate) -> Result<Snapshot, DataError> {
        let state = store.current_state()?;
        let vendor_parties = store.parties(Side::Vendor, &state)?;
        let psa_names = store
            .parties(Side::Psa, &state)?
            .into_iter()
            .map(|row| (row.key, row.party.name))
            .collect();
        let vendor_products = store.products(Side::Vendor, &state)?;
        let psa_product_names = store
            .products(Side::Psa, &state)?
            .into_iter()
            .map(|row| (row.key, row.product.name))
            .collect();
        let coverage = Coverage::measure(&state.vendor, &state.mappings, today);
        Ok(Snapshot {
            vendor: Arc::new(state.vendor.clone()),
            psa: Arc::new(state.psa.clone()),
            vendor_period: state.vendor_period.clone(),
            psa_period: state.psa_period.clone(),
            mappings: state.mappings.clone(),
            thresholds: state.thresholds.clone(),
            vendor_parties,
            psa_names,
            vendor_products,
            psa_product_names,
            coverage,
            report: None,
            report_stale: true,
            state,
            suggester: None,
        })
    }

    /// Re-reads the mappings after a decision, undo or redo, and re-measures coverage. With
    /// `rejections_moved` the matcher is rebuilt, so a rejected pair is never offered again;
    /// otherwise it is kept (rebuilding costs tens of milliseconds at 2,000 companies, and a
    /// confirmation only fine-tunes word weights, which the next reload picks up).
    pub(crate) fn refresh_mappings(
        &mut self,
        store: &Store,
        today: NaiveDate,
        rejections_moved: bool,
    ) -> Result<(), DataError> {
        self.mappings = store.mapping_set()?;
        for party in &mut self.vendor_parties {
            party.mapped_to = self.mappings.company_for(&party.key).cloned();
            party.ignored = self.mappings.ignored_customers.get(&party.key).cloned();
        }
        for product in &mut self.vendor_products {
            product.mapped_to = self
                .mappings
                .product_for(&product.key, product.term)
                .cloned();
            product.ignored = self.mappings.ignored_products.get(&product.key).cloned();
        }
        self.coverage = Coverage::measure(&self.vendor, &self.mappings, today);
        self.report_stale = true;
        self.state.mappings = self.mappings.clone();
        if rejections_moved {
            self.suggester = None;
        }
        Ok(())
    }

    /// The matcher, built on first use after a load or a decision.
    pub(crate) fn suggester(&mut self, store: &Store) -> Result<&Suggester, DataError> {
        if self.suggester.is_none() {
            self.suggester = Some(Suggester::new(store, &self.state)?);
        }
        self.suggester
            .as_ref()
            .ok_or_else(|| DataError("the matcher could not be built".to_string()))
    }

    /// The report, if it is current for the mappings and `threshold`.
    pub(crate) fn current_report(&self, threshold: Decimal) -> Option<&ReconciledReport> {
        self.report
            .as_ref()
            .filter(|report| !self.report_stale && report.threshold == threshold)
    }

    /// A job that reconciles at `threshold` on its own connection, over shared positions.
    pub(crate) fn reconcile_job(
        &self,
        database: PathBuf,
        today: NaiveDate,
        threshold: Decimal,
    ) -> ReconcileJob {
        let (vendor, psa) = (Arc::clone(&self.vendor), Arc::clone(&self.psa));
        let mappings = self.mappings.clone();
        let mut thresholds = self.thresholds.clone();
        thresholds.default = threshold;
        let periods = (self.vendor_period.clone(), self.psa_period.clone());
        Box::new(move || {
            let reconciliation = reconcile(&vendor, &psa, &mappings, &thresholds, today);
            let store = Store::open(&database).map_err(|error| error.to_string())?;
            let run = store
                .track_gaps(&reconciliation, today)
                .map_err(|error| error.to_string())?;
            let has_previous_run = run.run_id != 0;
            let report = Report::new(
                today,
                periods.0,
                periods.1,
                reconciliation,
                run.gaps,
                run.resolved,
            );
            Ok(ReconciledReport {
                threshold,
                report,
                has_previous_run,
            })
        })
    }
}

/// Spend per currency, largest first, so a queue row can show its main currency.
pub(crate) fn largest(spend: &MoneyByCurrency) -> Vec<Money> {
    let mut amounts: Vec<Money> = spend.iter().collect();
    amounts.sort_by_key(|money| std::cmp::Reverse(money.amount));
    amounts
}

/// A vendor entry's mapping state for the screens; an ignore rule wins over a mapping.
pub(crate) fn state_of(
    mapped_to: &Option<SourceKey>,
    ignored: &Option<crate::domain::reconcile::IgnoreRule>,
    names: &HashMap<SourceKey, String>,
) -> MappingState {
    match (mapped_to, ignored) {
        (_, Some(rule)) => MappingState::Ignored {
            reason: rule.reason.clone(),
            expires: rule.until,
        },
        (Some(target), None) => MappingState::Mapped {
            target_key: target.clone(),
            target_name: names
                .get(target)
                .cloned()
                .unwrap_or_else(|| target.key.clone()),
        },
        (None, None) => MappingState::Unmapped,
    }
}

/// True when an entry in `state` belongs in a queue listing `filter`.
pub(crate) fn kept(filter: QueueFilter, state: &MappingState) -> bool {
    match filter {
        QueueFilter::All => true,
        QueueFilter::Unmapped => *state == MappingState::Unmapped,
        QueueFilter::Mapped => *state != MappingState::Unmapped,
    }
}

/// The words for the price that valued a gap.
pub(crate) fn basis(price_basis: PriceBasis) -> &'static str {
    match price_basis {
        PriceBasis::ClientPrice => "client price",
        PriceBasis::OtherClientsPrice => "other clients' price",
        PriceBasis::VendorCost => "vendor cost",
        PriceBasis::MarginLoss => "margin lost",
        PriceBasis::Unpriced => "unpriced",
    }
}

/// A stored line as the drill-down shows it, with its `file:line` origin.
pub(crate) fn line_view(line: crate::store::DrillDownLine, customer: &str) -> LineView {
    LineView {
        origin: format!("{}:{}", line.file_name, line.source_line),
        customer: customer.to_string(),
        product: line.product_name,
        charge: format!("{} {}", line.charge, line.term),
        seats: line.seats,
        amount: line.amount,
    }
}
