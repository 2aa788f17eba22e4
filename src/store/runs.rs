//! Recording reconcile runs: the memory behind gap age, cost to date and movement.

use super::{Store, StoreError, decimal_from, now_text};
use crate::domain::ledger::{GapIdentity, PriorGap, TrackedGap, track};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::reconcile::{GapKind, Reconciliation};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
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
    /// would show, given the latest recorded run.
    pub fn track_gaps(
        &self,
        reconciliation: &Reconciliation,
        today: NaiveDate,
    ) -> Result<RecordedRun, StoreError> {
        let (previous_id, previous_date, previous) = self.latest_run()?;
        let (gaps, resolved) = track(&reconciliation.gaps, &previous, previous_date, today);
        Ok(RecordedRun {
            run_id: previous_id.unwrap_or(0),
            gaps,
            resolved,
        })
    }

    /// Records a run and its gaps with their ledger history, in one transaction.
    pub fn record_run(
        &mut self,
        reconciliation: &Reconciliation,
        vendor_period: Option<&str>,
        today: NaiveDate,
    ) -> Result<RecordedRun, StoreError> {
        let tracked = self.track_gaps(reconciliation, today)?;
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "INSERT INTO runs (ran_at, vendor_period, verdict, coverage, gap_count)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                format!("{today}T{}", &now_text()[11..]),
                vendor_period,
                serde_json::to_value(reconciliation.verdict)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_string)),
                reconciliation
                    .coverage
                    .lowest_share()
                    .map(|share| share.to_string()),
                reconciliation.gaps.len() as i64
            ],
        )?;
        let run_id = transaction.last_insert_rowid();
        {
            let mut statement = transaction.prepare(
                "INSERT OR REPLACE INTO run_gaps (run_id, psa_system, company_key, company_name,
                     product_key, product_name, term, kind, vendor_seats, psa_seats, delta, value,
                     currency, first_seen, accumulated, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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
                        .map(|value| value.currency.code().to_string()),
                    entry.first_seen.to_string(),
                    entry.accumulated.to_string(),
                    entry.status.as_str()
                ])?;
            }
        }
        transaction.commit()?;
        Ok(RecordedRun {
            run_id,
            gaps: tracked.gaps,
            resolved: tracked.resolved,
        })
    }

    #[allow(clippy::type_complexity)]
    fn latest_run(
        &self,
    ) -> Result<
        (
            Option<i64>,
            Option<NaiveDate>,
            HashMap<GapIdentity, PriorGap>,
        ),
        StoreError,
    > {
        let latest: Option<(i64, String)> = self
            .connection
            .query_row(
                "SELECT id, ran_at FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((run_id, ran_at)) = latest else {
            return Ok((None, None, HashMap::new()));
        };
        let ran_on = ran_at.get(..10).and_then(|date| date.parse().ok());
        let mut statement = self.connection.prepare_cached(
            "SELECT psa_system, company_key, company_name, product_key, product_name, term, kind,
                    value, first_seen, accumulated
             FROM run_gaps WHERE run_id = ?1",
        )?;
        let mut rows = statement.query([run_id])?;
        let mut previous = HashMap::new();
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
                product: SourceKey::new(system, row.get::<_, String>(3)?),
                term: row
                    .get::<_, String>(5)?
                    .parse()
                    .unwrap_or(Term::Unspecified),
                kind,
            };
            let value: Option<String> = row.get(7)?;
            let first_seen: String = row.get(8)?;
            previous.insert(
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
                    first_seen: first_seen.parse().map_err(|_| StoreError::Corrupt {
                        column: "run_gaps.first_seen",
                        value: first_seen.clone(),
                    })?,
                    accumulated: decimal_from("run_gaps.accumulated", &row.get::<_, String>(9)?)?,
                },
            );
        }
        Ok((Some(run_id), ran_on, previous))
    }
}
