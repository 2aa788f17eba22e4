//! Recording reconcile runs: the memory behind gap age, cost to date and movement.

use super::connection::{Store, StoreError};
use super::values::{decimal_from, now_text};
use crate::domain::ledger::{PriorGap, TrackedGap, track};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::reconcile::{GapIdentity, GapKind, Reconciliation};
use chrono::NaiveDate;
use rusqlite::params;
use std::collections::HashMap;

/// A run as recorded: its id, every current gap with its history, and what got resolved.
#[derive(Debug, Clone)]
pub struct RecordedRun {
    /// The run's id.
    pub run_id: i64,
    /// Current gaps with age, cost to date and status, in the reconciliation's order.
    pub gaps: Vec<TrackedGap>,
    /// Gaps of the previous run that are gone.
    pub resolved: Vec<PriorGap>,
}

impl Store {
    /// The ledger view of a reconciliation on `today` without recording it: what each gap
    /// would show, given the recorded history.
    pub fn track_gaps(
        &self,
        reconciliation: &Reconciliation,
        today: NaiveDate,
    ) -> Result<RecordedRun, StoreError> {
        self.track_gaps_since(reconciliation, today, None)
    }

    /// The ledger view against a chosen saved review (`baseline`, a run id) instead of the
    /// latest: "new", "worse" and "fixed" are then measured since that review. `None` means
    /// the latest run.
    pub fn track_gaps_since(
        &self,
        reconciliation: &Reconciliation,
        today: NaiveDate,
        baseline: Option<i64>,
    ) -> Result<RecordedRun, StoreError> {
        let (latest_run, history) = self.gap_history(baseline)?;
        let (gaps, resolved) = track(&reconciliation.gaps, &history, today);
        Ok(RecordedRun {
            run_id: latest_run.unwrap_or(0),
            gaps,
            resolved,
        })
    }

    /// The saved review to compare with for "since DATE": the latest run dated on or before
    /// that day.
    pub fn run_on_or_before(&self, day: NaiveDate) -> Result<Option<i64>, StoreError> {
        Ok(self.connection.query_row(
            "SELECT max(id) FROM runs WHERE ran_on <= ?1",
            [day.to_string()],
            |row| row.get(0),
        )?)
    }

    /// True when a run with this id was recorded.
    pub fn run_exists(&self, run: i64) -> Result<bool, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT count(*) FROM runs WHERE id = ?1", [run], |row| {
                row.get::<_, i64>(0)
            })?
            > 0)
    }

    /// Records a run and its gaps with their ledger history, in one transaction.
    pub fn record_run(
        &mut self,
        reconciliation: &Reconciliation,
        vendor_period: Option<&str>,
        today: NaiveDate,
    ) -> Result<RecordedRun, StoreError> {
        self.record_run_with(reconciliation, vendor_period, today, |_, _| Ok(()))
            .map(|(run, ())| run)
    }

    /// Records a run like [`Store::record_run`], and lets `also` write more in the same
    /// transaction with the new run's id (a check's notifications): either all of it is
    /// stored, or none.
    pub fn record_run_with<T>(
        &mut self,
        reconciliation: &Reconciliation,
        vendor_period: Option<&str>,
        today: NaiveDate,
        also: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<T, StoreError>,
    ) -> Result<(RecordedRun, T), StoreError> {
        let tracked = self.track_gaps(reconciliation, today)?;
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Only a run that compared everything may later count as "the gap is gone".
        let complete = reconciliation.coverage.is_complete()
            && reconciliation.verdict != crate::domain::reconcile::Verdict::NothingCompared;
        transaction.execute(
            "INSERT INTO runs (ran_at, ran_on, vendor_period, verdict, coverage, gap_count,
                               complete)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                now_text(),
                today.to_string(),
                vendor_period,
                serde_json::to_value(reconciliation.verdict)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_string)),
                reconciliation
                    .coverage
                    .lowest_share()
                    .map(|share| share.to_string()),
                reconciliation.gaps.len() as i64,
                complete
            ],
        )?;
        let run_id = transaction.last_insert_rowid();
        {
            // A plain INSERT: reconcile guarantees one gap per identity, and a collision must
            // fail loudly rather than silently drop a gap's money.
            let mut statement = transaction.prepare(
                "INSERT INTO run_gaps (run_id, psa_system, company_key, company_name,
                     product_key, product_name, term, kind, vendor_seats, psa_seats, delta, value,
                     currency, first_seen, accumulated, status, product_system)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17)",
            )?;
            for entry in &tracked.gaps {
                let gap = &entry.gap;
                statement.execute(params![
                    run_id,
                    gap.company.system,
                    gap.company.key,
                    gap.company_name,
                    gap.product.key,
                    gap.product_name,
                    gap.term.as_str(),
                    gap.kind.as_str(),
                    gap.vendor_seats.to_string(),
                    gap.psa_seats.to_string(),
                    gap.delta.to_string(),
                    gap.value.as_ref().map(|value| value.amount.to_string()),
                    gap.value
                        .as_ref()
                        .map(|value| value.currency.code().to_string())
                        .unwrap_or_default(),
                    entry.first_seen.to_string(),
                    entry.accumulated.to_string(),
                    entry.status.as_str(),
                    gap.product.system
                ])?;
            }
        }
        let extra = also(&transaction, run_id)?;
        transaction.commit()?;
        Ok((
            RecordedRun {
                run_id,
                gaps: tracked.gaps,
                resolved: tracked.resolved,
            },
            extra,
        ))
    }

    /// Every gap identity ever recorded, as the latest run that contained it saw it, and the
    /// id of the most recent run.
    fn gap_history(
        &self,
        baseline: Option<i64>,
    ) -> Result<(Option<i64>, HashMap<GapIdentity, PriorGap>), StoreError> {
        let up_to = baseline.unwrap_or(i64::MAX);
        let latest_run: Option<i64> = self.connection.query_row(
            "SELECT max(id) FROM runs WHERE id <= ?1",
            [up_to],
            |row| row.get(0),
        )?;
        let mut statement = self.connection.prepare_cached(
            "SELECT g.psa_system, g.company_key, g.company_name, g.product_key, g.product_name,
                    g.term, g.kind, g.value, g.first_seen, g.accumulated, r.ran_on, g.run_id,
                    g.currency, coalesce(g.product_system, g.psa_system)
             FROM run_gaps g JOIN runs r ON r.id = g.run_id
             WHERE g.run_id = (SELECT max(h.run_id) FROM run_gaps h
                               WHERE h.run_id <= ?1
                                 AND h.psa_system = g.psa_system AND h.company_key = g.company_key
                                 AND h.product_key = g.product_key AND h.term = g.term
                                 AND h.kind = g.kind AND h.currency = g.currency)",
        )?;
        let mut rows = statement.query([up_to])?;
        let mut history = HashMap::new();
        while let Some(row) = rows.next()? {
            let system: String = row.get(0)?;
            let kind_text: String = row.get(6)?;
            let Some(kind) = GapKind::from_stored(&kind_text) else {
                return Err(StoreError::Corrupt {
                    column: "run_gaps.kind",
                    value: kind_text,
                });
            };
            let identity = GapIdentity {
                company: SourceKey::new(system.clone(), row.get::<_, String>(1)?),
                product: SourceKey::new(row.get::<_, String>(13)?, row.get::<_, String>(3)?),
                term: row
                    .get::<_, String>(5)?
                    .parse()
                    .unwrap_or(Term::Unspecified),
                kind,
                currency: crate::domain::money::Currency::parse(&row.get::<_, String>(12)?).ok(),
            };
            let value: Option<String> = row.get(7)?;
            let run_id: i64 = row.get(11)?;
            history.insert(
                identity.clone(),
                PriorGap {
                    identity,
                    company_name: row.get(2)?,
                    product_name: row.get(4)?,
                    magnitude: value
                        .map(|text| decimal_from("run_gaps.value", &text))
                        .transpose()?
                        .unwrap_or_default()
                        .abs(),
                    first_seen: date_from("run_gaps.first_seen", row.get(8)?)?,
                    last_seen: date_from("runs.ran_on", row.get(10)?)?,
                    accumulated: decimal_from("run_gaps.accumulated", &row.get::<_, String>(9)?)?,
                    in_latest_run: Some(run_id) == latest_run,
                },
            );
        }
        Ok((latest_run, history))
    }
}

fn date_from(column: &'static str, text: String) -> Result<NaiveDate, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: text,
    })
}
