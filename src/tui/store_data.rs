//! [`WorkbenchData`] over the real store and reconciliation.
//!
//! A snapshot holds the current positions, the parties and products, and the reconciliation
//! at the threshold in use. A decision only reloads the mappings and reconciles again in
//! memory (positions are aggregated at import, so this stays fast on a million lines); an
//! import reloads everything.

use crate::domain::lines::{Side, SourceKey};
use crate::domain::matching::{HIGH_THRESHOLD, Suggestion, auto_acceptable};
use crate::domain::money::MoneyByCurrency;
use crate::domain::reconcile::GapKind;
use crate::export::ExportFormat;
use crate::import::{ImportOptions, SourceInfo};
use crate::store::{
    Decision as StoreDecision, ImportOutcome, Origin, PartyRow, ProductRow, Store, StoreError,
    UndoOutcome,
};
use crate::tui::data::{
    Candidate, CoverageView, DataError, Decision, Drilldown, GapRow, ImportRunner, LineView,
    MappingKind, MappingState, Overview, QueueEntry, QueueFilter, ReconcileJob, ReconciledReport,
    SourceView, Target, Verdict, WorkbenchData,
};
use crate::tui::store_snapshot::{Snapshot, basis, kept, largest, line_view, state_of};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How many candidates the right-hand side lists.
const CANDIDATES: usize = 10;

/// How many unmapped customers and products the overview lists.
const OVERVIEW_TOP: usize = 6;

impl From<StoreError> for DataError {
    fn from(error: StoreError) -> Self {
        DataError(error.to_string())
    }
}

/// The workbench's view of one billgap database.
pub struct StoreData {
    store: Store,
    database: PathBuf,
    today: NaiveDate,
    snapshot: Option<Snapshot>,
}

impl StoreData {
    /// Opens the database (creating and migrating it if needed), valid as of today.
    pub fn open(database: &Path) -> Result<StoreData, DataError> {
        StoreData::open_as_of(database, chrono::Local::now().date_naive())
    }

    /// Opens the database as of a given day: gap ages and ignore-rule expiry depend on it, so
    /// tests pin it.
    pub fn open_as_of(database: &Path, today: NaiveDate) -> Result<StoreData, DataError> {
        Ok(StoreData {
            store: Store::open(database)?,
            database: database.to_path_buf(),
            today,
            snapshot: None,
        })
    }

    fn snapshot(&mut self) -> Result<&mut Snapshot, DataError> {
        if self.snapshot.is_none() {
            self.snapshot = Some(Snapshot::load(&self.store, self.today)?);
        }
        self.snapshot
            .as_mut()
            .ok_or_else(|| DataError("the database could not be read".to_string()))
    }

    /// After a decision, undo or redo: the mappings moved, positions did not.
    fn mappings_moved(&mut self, rejections_moved: bool) -> Result<(), DataError> {
        if let Some(snapshot) = &mut self.snapshot {
            snapshot.refresh_mappings(&self.store, self.today, rejections_moved)?;
        }
        Ok(())
    }
}

impl WorkbenchData for StoreData {
    fn overview(&mut self) -> Result<Overview, DataError> {
        let sources = self.store.sources()?;
        let snapshot = self.snapshot()?;
        let coverage = &snapshot.coverage;
        // Gap figures come from the latest reconciliation, which may still be running.
        let empty = Vec::new();
        let (gaps, resolved, clients, has_previous_run) = match &snapshot.report {
            Some(done) => (
                &done.report.gaps,
                done.report.resolved.len(),
                &done.report.clients,
                done.has_previous_run,
            ),
            None => (&empty, 0, &Vec::new(), false),
        };
        let mut covered = coverage.mapped.clone();
        for money in coverage.ignored.iter() {
            covered.add(&money);
        }
        let unmapped_parties: Vec<&PartyRow> = snapshot
            .vendor_parties
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .collect();
        let unmapped_products: Vec<&ProductRow> = snapshot
            .vendor_products
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .collect();
        let first_money = |spend: &MoneyByCurrency| largest(spend).into_iter().next();
        let mut gap_totals: Vec<(GapKind, usize, MoneyByCurrency)> = GapKind::ALL
            .iter()
            .map(|kind| (*kind, 0, MoneyByCurrency::default()))
            .collect();
        for tracked in gaps {
            if let Some(total) = gap_totals
                .iter_mut()
                .find(|(kind, _, _)| *kind == tracked.gap.kind)
            {
                total.1 += 1;
                if let Some(value) = &tracked.gap.value {
                    total.2.add(&value.abs());
                }
            }
        }
        let mut changes = Vec::new();
        if has_previous_run {
            use crate::domain::ledger::GapStatus;
            let count = |status: GapStatus| gaps.iter().filter(|gap| gap.status == status).count();
            changes.push(format!("{} new gaps", count(GapStatus::New)));
            changes.push(format!("{} worse", count(GapStatus::Worse)));
            changes.push(format!("{} better", count(GapStatus::Better)));
            changes.push(format!("{} unchanged", count(GapStatus::Unchanged)));
            changes.push(format!("{resolved} resolved"));
        }
        Ok(Overview {
            coverage: CoverageView {
                covered: covered.iter().collect(),
                total: coverage.total.iter().collect(),
                share: coverage.lowest_share().unwrap_or_default(),
                shares: coverage
                    .total
                    .iter()
                    .map(|total| {
                        let share = coverage.share(&total.currency).unwrap_or_default();
                        (total.currency.code().to_string(), share)
                    })
                    .collect(),
            },
            unmapped_client_count: unmapped_parties.len(),
            unmapped_clients: unmapped_parties
                .iter()
                .take(OVERVIEW_TOP)
                .filter_map(|row| Some((row.party.name.clone(), first_money(&row.spend)?)))
                .collect(),
            unmapped_product_count: unmapped_products.len(),
            unmapped_products: unmapped_products
                .iter()
                .take(OVERVIEW_TOP)
                .filter_map(|row| {
                    Some((
                        format!("{} ({})", row.product.name, row.term),
                        first_money(&row.spend)?,
                    ))
                })
                .collect(),
            gap_totals: gap_totals
                .into_iter()
                .map(|(kind, count, total)| (kind, count, total.iter().collect()))
                .collect(),
            clients_over_threshold: clients
                .iter()
                .filter(|client| client.over_threshold)
                .count(),
            sources: sources
                .into_iter()
                .filter(|source| source.superseded_by.is_none())
                .map(|source| SourceView {
                    name: if source.slice.is_empty() {
                        source.system
                    } else {
                        format!("{} / {}", source.system, source.slice)
                    },
                    side: source.side,
                    period: source.period,
                    rows: u64::try_from(source.row_count).unwrap_or(0),
                    imported: source.imported_at.chars().take(10).collect(),
                })
                .collect(),
            changes,
        })
    }

    fn queue(
        &mut self,
        kind: MappingKind,
        filter: QueueFilter,
    ) -> Result<Vec<QueueEntry>, DataError> {
        let snapshot = self.snapshot()?;
        let entries = match kind {
            MappingKind::Client => snapshot
                .vendor_parties
                .iter()
                .map(|row| QueueEntry {
                    key: row.key.clone(),
                    name: row.party.name.clone(),
                    detail: row.party.domain.clone(),
                    term: None,
                    seats: row.seats,
                    spend: largest(&row.spend),
                    state: state_of(&row.mapped_to, &row.ignored, &snapshot.psa_names),
                })
                .filter(|entry| kept(filter, &entry.state))
                .collect(),
            MappingKind::Product => snapshot
                .vendor_products
                .iter()
                .map(|row| QueueEntry {
                    key: row.key.clone(),
                    name: format!("{} ({})", row.product.name, row.term),
                    detail: Some(row.term.to_string()),
                    term: Some(row.term),
                    seats: row.seats,
                    spend: largest(&row.spend),
                    state: state_of(&row.mapped_to, &row.ignored, &snapshot.psa_product_names),
                })
                .filter(|entry| kept(filter, &entry.state))
                .collect(),
        };
        Ok(entries)
    }

    fn candidates(
        &mut self,
        kind: MappingKind,
        entry: &QueueEntry,
    ) -> Result<Vec<Candidate>, DataError> {
        self.snapshot()?;
        let Some(snapshot) = self.snapshot.as_mut() else {
            return Ok(Vec::new());
        };
        let ranked = match kind {
            MappingKind::Client => {
                let Some(row) = snapshot
                    .vendor_parties
                    .iter()
                    .find(|row| row.key == entry.key)
                else {
                    return Ok(Vec::new());
                };
                let party = row.party.clone();
                snapshot
                    .suggester(&self.store)?
                    .for_customer(&party, CANDIDATES)
            }
            MappingKind::Product => {
                let found = snapshot
                    .vendor_products
                    .iter()
                    .find(|row| row.key == entry.key && Some(row.term) == entry.term);
                let Some(row) = found else {
                    return Ok(Vec::new());
                };
                let (product, term) = (row.product.clone(), row.term);
                snapshot
                    .suggester(&self.store)?
                    .for_product(&product, term, CANDIDATES)
            }
        };
        let suggestions: Vec<Suggestion> = ranked.iter().map(|c| c.suggestion.clone()).collect();
        let safe = auto_acceptable(&suggestions, HIGH_THRESHOLD).is_some();
        Ok(ranked
            .into_iter()
            .enumerate()
            .map(|(index, candidate)| {
                let explanation = &candidate.suggestion.explanation;
                let mut why = vec![
                    explanation.query_trail.to_string(),
                    explanation.candidate_trail.to_string(),
                ];
                let summary = candidate.suggestion.summary();
                if !summary.is_empty() {
                    why.push(summary);
                }
                Candidate {
                    key: candidate.key,
                    name: candidate.suggestion.candidate_name,
                    score: candidate.suggestion.score,
                    why,
                    safe: index == 0 && safe,
                }
            })
            .collect())
    }

    fn targets(&mut self, kind: MappingKind) -> Result<Vec<Target>, DataError> {
        let snapshot = self.snapshot()?;
        let names = match kind {
            MappingKind::Client => &snapshot.psa_names,
            MappingKind::Product => &snapshot.psa_product_names,
        };
        let mut targets: Vec<Target> = names
            .iter()
            .map(|(key, name)| Target {
                key: key.clone(),
                name: name.clone(),
            })
            .collect();
        targets.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key)));
        Ok(targets)
    }

    fn decide(&mut self, decision: Decision) -> Result<(), DataError> {
        let vendor = decision.vendor_key;
        let ignored = self
            .queue(decision.kind, QueueFilter::All)?
            .into_iter()
            .any(|entry| {
                entry.key == vendor
                    && entry.term == decision.term
                    && matches!(entry.state, MappingState::Ignored { .. })
            });
        let term = decision.term;
        let store_decision = match (decision.kind, decision.verdict) {
            (MappingKind::Client, Verdict::Confirm(company)) => {
                StoreDecision::MapClient { vendor, company }
            }
            (MappingKind::Client, Verdict::Reject(company)) => {
                StoreDecision::RejectClient { vendor, company }
            }
            (MappingKind::Client, Verdict::Ignore { reason, expires }) => {
                StoreDecision::IgnoreCustomer {
                    vendor,
                    reason,
                    until: expires,
                }
            }
            (MappingKind::Client, Verdict::Unmap) if ignored => {
                StoreDecision::UnignoreCustomer { vendor }
            }
            (MappingKind::Client, Verdict::Unmap) => StoreDecision::UnmapClient { vendor },
            (MappingKind::Product, Verdict::Confirm(product)) => StoreDecision::MapProduct {
                vendor,
                term,
                product,
            },
            (MappingKind::Product, Verdict::Reject(product)) => {
                StoreDecision::RejectProduct { vendor, product }
            }
            (MappingKind::Product, Verdict::Ignore { reason, expires }) => {
                StoreDecision::IgnoreProduct {
                    vendor,
                    reason,
                    until: expires,
                }
            }
            (MappingKind::Product, Verdict::Unmap) if ignored => {
                StoreDecision::UnignoreProduct { vendor }
            }
            (MappingKind::Product, Verdict::Unmap) => StoreDecision::UnmapProduct { vendor, term },
        };
        let origin = if decision.bulk {
            Origin::Automatic
        } else {
            Origin::Manual
        };
        let rejection = matches!(
            store_decision,
            StoreDecision::RejectClient { .. } | StoreDecision::RejectProduct { .. }
        );
        self.store.decide(&store_decision, origin)?;
        self.mappings_moved(rejection)
    }

    fn undo(&mut self) -> Result<Option<String>, DataError> {
        let outcome = self.store.undo()?;
        self.mappings_moved(true)?;
        Ok(match outcome {
            UndoOutcome::Applied(record) => Some(record.action),
            UndoOutcome::Nothing => None,
        })
    }

    fn redo(&mut self) -> Result<Option<String>, DataError> {
        let outcome = self.store.redo()?;
        self.mappings_moved(true)?;
        Ok(match outcome {
            UndoOutcome::Applied(record) => Some(record.action),
            UndoOutcome::Nothing => None,
        })
    }

    fn gaps(&mut self) -> Result<Vec<GapRow>, DataError> {
        let snapshot = self.snapshot()?;
        let Some(done) = &snapshot.report else {
            return Ok(Vec::new());
        };
        let report = &done.report;
        Ok(report
            .gaps
            .iter()
            .map(|tracked| {
                let gap = &tracked.gap;
                GapRow {
                    client_key: gap.company.clone(),
                    client: gap.company_name.clone(),
                    product_key: gap.product.clone(),
                    product: gap.product_name.clone(),
                    term: gap.term,
                    vendor_seats: gap.vendor_seats,
                    psa_seats: gap.psa_seats,
                    delta: gap.delta,
                    value: gap.value.clone(),
                    cost: gap.cost.clone(),
                    kind: gap.kind,
                    price_basis: basis(gap.price_basis),
                    age_days: Some(tracked.age_days),
                    over_threshold: report.is_over_threshold(tracked),
                }
            })
            .collect())
    }

    fn drilldown(&mut self, gap: &GapRow, limit: usize) -> Result<Drilldown, DataError> {
        let snapshot = self.snapshot()?;
        let sources: Vec<(SourceKey, SourceKey)> = snapshot
            .report
            .iter()
            .flat_map(|done| done.report.gaps.iter())
            .find(|tracked| {
                tracked.gap.company == gap.client_key
                    && tracked.gap.product == gap.product_key
                    && tracked.gap.term == gap.term
                    && tracked.gap.kind == gap.kind
            })
            .map(|tracked| tracked.gap.vendor_sources.clone())
            .unwrap_or_default();
        let (vendor_period, psa_period) =
            (snapshot.vendor_period.clone(), snapshot.psa_period.clone());
        let customer_names: HashMap<SourceKey, String> = snapshot
            .vendor_parties
            .iter()
            .map(|row| (row.key.clone(), row.party.name.clone()))
            .collect();
        let mut vendor = Vec::new();
        for (customer, product) in &sources {
            let name = customer_names
                .get(customer)
                .cloned()
                .unwrap_or_else(|| customer.key.clone());
            for line in
                self.store
                    .lines_of(Side::Vendor, vendor_period.as_deref(), customer, product)?
            {
                vendor.push(line_view(line, &name));
            }
        }
        let psa: Vec<LineView> = self
            .store
            .lines_of(
                Side::Psa,
                psa_period.as_deref(),
                &gap.client_key,
                &gap.product_key,
            )?
            .into_iter()
            .map(|line| line_view(line, &gap.client))
            .collect();
        let (vendor_total, psa_total) = (vendor.len(), psa.len());
        vendor.truncate(limit);
        let psa = psa.into_iter().take(limit).collect();
        Ok(Drilldown {
            vendor,
            vendor_total,
            psa,
            psa_total,
        })
    }

    fn sniff(&mut self, path: &Path) -> Result<SourceInfo, DataError> {
        crate::import::sniff(path, &ImportOptions::default())
            .map_err(|error| DataError(error.to_string()))
    }

    fn import_runner(&self) -> ImportRunner {
        let database = self.database.clone();
        Arc::new(move |path, progress| {
            let mut store = Store::open(&database).map_err(|error| error.to_string())?;
            match store.import_file(path, &ImportOptions::default(), progress) {
                Ok(ImportOutcome::Imported(report)) => {
                    let replaced = if report.replaced.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; it replaces {} earlier import(s) of that slice",
                            report.replaced.len()
                        )
                    };
                    Ok(format!(
                        "Imported {} lines from {} ({}, {}, period {}){replaced}.",
                        report.summary.lines,
                        path.display(),
                        report.summary.source.format,
                        report.summary.source.side,
                        report.period
                    ))
                }
                Ok(ImportOutcome::AlreadyImported(source)) => Ok(format!(
                    "{} was already imported on {}: nothing changed.",
                    path.display(),
                    source.imported_at.chars().take(10).collect::<String>()
                )),
                Ok(ImportOutcome::Reinstated { import, .. }) => Ok(format!(
                    "{} was imported on {} and later replaced; it is current again.",
                    path.display(),
                    import.imported_at.chars().take(10).collect::<String>()
                )),
                Err(error) => Err(error.to_string()),
            }
        })
    }

    fn export(
        &mut self,
        format: ExportFormat,
        path: &Path,
        threshold: Decimal,
    ) -> Result<PathBuf, DataError> {
        let report =
            crate::review::build_report(&mut self.store, self.today, true, Some(threshold))?;
        let failed = |error: &dyn std::fmt::Display| {
            DataError(format!("cannot write {}: {error}", path.display()))
        };
        let mut file = std::fs::File::create(path).map_err(|error| failed(&error))?;
        crate::export::write_report(&report, format, &mut file).map_err(|error| failed(&error))?;
        // The run is now in the ledger, so "since the previous run" moves on.
        if let Some(snapshot) = &mut self.snapshot {
            snapshot.report_stale = true;
        }
        Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }

    fn reconcile_job(&mut self, threshold: Decimal) -> Result<Option<ReconcileJob>, DataError> {
        let (database, today) = (self.database.clone(), self.today);
        let snapshot = self.snapshot()?;
        if snapshot.current_report(threshold).is_some() {
            return Ok(None);
        }
        Ok(Some(snapshot.reconcile_job(database, today, threshold)))
    }

    fn accept_report(&mut self, report: ReconciledReport) {
        if let Some(snapshot) = &mut self.snapshot {
            snapshot.report = Some(report);
            snapshot.report_stale = false;
        }
    }

    fn invalidate(&mut self) {
        self.snapshot = None;
    }

    fn default_threshold(&mut self) -> Result<Decimal, DataError> {
        Ok(self.store.thresholds()?.default)
    }
}
