//! API pulls: one record per pull of one source, with whether it was complete, what it spent,
//! its error and the pages it read.
//!
//! The lines of a complete pull are stored through [`Store::import_lines`], like any import;
//! this table says how they came. A source whose latest pull failed, with no import of its
//! system since, is *failing*: a check that follows is not complete, so it resolves nothing and
//! never says "clean".

use super::connection::{Store, StoreError};
use super::values::{decimal_from, now_text};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::Currency;
use crate::domain::reconcile::Position;
use rusqlite::{OptionalExtension, params};

/// The condition on a pull `p` that makes its source failing: its latest pull, incomplete,
/// with no import of its system since.
const FAILING: &str = "p.complete = 0
    AND p.id = (SELECT max(q.id) FROM pulls q WHERE q.source = p.source)
    AND NOT EXISTS (SELECT 1 FROM imports i
                    WHERE i.system = p.system AND i.imported_at > p.finished_at)";

/// Pages are kept for this many latest pulls of a source (a day of hourly polls), and always
/// for a pull that stored new lines, the one its import's drill-down leads to.
const RAW_KEPT_PER_SOURCE: i64 = 24;

/// A pull to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRecord {
    /// The source, such as `pax8`.
    pub source: String,
    /// The system its lines are stored under.
    pub system: String,
    /// When it started (RFC 3339 UTC).
    pub started_at: String,
    /// True when every page was read and the lines stored.
    pub complete: bool,
    /// Calls made.
    pub requests: u32,
    /// The calls it was allowed.
    pub request_budget: u32,
    /// Milliseconds waited on rate limits.
    pub waited_ms: u64,
    /// Records read.
    pub records: usize,
    /// The import that holds its lines (a new one, or the identical earlier one).
    pub import_id: Option<i64>,
    /// True when it stored new lines.
    pub created_import: bool,
    /// What went wrong, naming no secret.
    pub error: Option<String>,
    /// The pages as received, as JSON.
    pub raw: Option<String>,
}

/// A recorded pull, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullRow {
    /// The pull's id.
    pub id: i64,
    /// The source.
    pub source: String,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
    /// Whether it was complete.
    pub complete: bool,
    /// Calls made.
    pub requests: i64,
    /// Calls allowed.
    pub request_budget: i64,
    /// Records read.
    pub records: i64,
    /// The import holding its lines.
    pub import_id: Option<i64>,
    /// Its error.
    pub error: Option<String>,
}

const COLUMNS: &str = "id, source, started_at, finished_at, complete, requests, request_budget,
                       records, import_id, error";

fn pull_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PullRow> {
    Ok(PullRow {
        id: row.get(0)?,
        source: row.get(1)?,
        started_at: row.get(2)?,
        finished_at: row.get(3)?,
        complete: row.get(4)?,
        requests: row.get(5)?,
        request_budget: row.get(6)?,
        records: row.get(7)?,
        import_id: row.get(8)?,
        error: row.get(9)?,
    })
}

impl Store {
    /// Records a pull, and drops the pages of older pulls of the same source that stored no
    /// new lines, in one transaction.
    pub fn record_pull(&mut self, record: &PullRecord) -> Result<i64, StoreError> {
        self.record_pull_seen(record, "", &[])
    }

    /// [`Store::record_pull`], keeping with it the positions a vendor pull that stopped early
    /// did read (`seen`, filed under `period`, YYYY-MM); what earlier pulls of the source saw
    /// is dropped in the same transaction. The application core decides what goes in `seen`;
    /// the store only keeps it.
    pub fn record_pull_seen(
        &mut self,
        record: &PullRecord,
        period: &str,
        seen: &[Position],
    ) -> Result<i64, StoreError> {
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "INSERT INTO pulls (source, system, started_at, finished_at, complete, requests,
                                request_budget, waited_ms, records, import_id, created_import,
                                error, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                record.source,
                record.system,
                record.started_at,
                now_text(),
                record.complete,
                record.requests,
                record.request_budget,
                i64::try_from(record.waited_ms).unwrap_or(i64::MAX),
                i64::try_from(record.records).unwrap_or(i64::MAX),
                record.import_id,
                record.created_import,
                record.error,
                record.raw
            ],
        )?;
        let id = transaction.last_insert_rowid();
        // Only a source's latest pull counts; what earlier pulls saw is spent.
        transaction.execute(
            "DELETE FROM pull_positions
             WHERE pull_id IN (SELECT id FROM pulls WHERE source = ?1 AND id < ?2)",
            params![record.source, id],
        )?;
        write_seen(&transaction, id, period, seen)?;
        transaction.execute(
            "UPDATE pulls SET raw = NULL
             WHERE source = ?1 AND created_import = 0 AND raw IS NOT NULL
               AND id NOT IN (SELECT id FROM pulls WHERE source = ?1 ORDER BY id DESC LIMIT ?2)",
            params![record.source, RAW_KEPT_PER_SOURCE],
        )?;
        transaction.commit()?;
        Ok(id)
    }

    /// The latest pull of every source, by source name.
    pub fn latest_pulls(&self) -> Result<Vec<PullRow>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM pulls p
             WHERE p.id = (SELECT max(q.id) FROM pulls q WHERE q.source = p.source)
             ORDER BY p.source"
        ))?;
        let rows = statement.query_map([], pull_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sources whose latest pull failed and whose system has had no import since: what they
    /// feed is stale, so a check must not resolve or call anything clean.
    pub fn failing_pulls(&self) -> Result<Vec<PullRow>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {COLUMNS} FROM pulls p WHERE {FAILING} ORDER BY p.source"
        ))?;
        let rows = statement.query_map([], pull_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the failing pulls of `period` saw (see [`Store::record_pull_seen`]), as positions of
    /// their systems, in the order they were kept.
    pub fn seen_positions(&self, period: &str) -> Result<Vec<Position>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT p.system, s.customer_key, s.customer_name, s.product_key, s.product_name,
                    s.term, s.currency, s.seats, s.spend, s.unit_price, s.unit_cost
             FROM pull_positions s JOIN pulls p ON p.id = s.pull_id
             WHERE s.period = ?1 AND {FAILING}
             ORDER BY s.rowid"
        ))?;
        let mut rows = statement.query([period])?;
        let mut seen = Vec::new();
        while let Some(row) = rows.next()? {
            let system: String = row.get(0)?;
            let currency: String = row.get(6)?;
            seen.push(Position {
                customer: SourceKey::new(system.as_str(), row.get::<_, String>(1)?),
                customer_name: row.get(2)?,
                product: SourceKey::new(system.as_str(), row.get::<_, String>(3)?),
                product_name: row.get(4)?,
                term: row
                    .get::<_, String>(5)?
                    .parse()
                    .unwrap_or(Term::Unspecified),
                currency: Currency::parse(&currency).map_err(|_| StoreError::Corrupt {
                    column: "pull_positions.currency",
                    value: currency.clone(),
                })?,
                seats: decimal_from("pull_positions.seats", &row.get::<_, String>(7)?)?,
                spend: decimal_from("pull_positions.spend", &row.get::<_, String>(8)?)?,
                unit_price: row
                    .get::<_, Option<String>>(9)?
                    .map(|text| decimal_from("pull_positions.unit_price", &text))
                    .transpose()?,
                unit_cost: row
                    .get::<_, Option<String>>(10)?
                    .map(|text| decimal_from("pull_positions.unit_cost", &text))
                    .transpose()?,
            });
        }
        Ok(seen)
    }

    /// The first pull of a source's current run of failures: the identity of one outage, so
    /// that it is told about once.
    pub fn failing_since(&self, source: &str) -> Result<Option<PullRow>, StoreError> {
        Ok(self
            .connection
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM pulls
                     WHERE id = (SELECT min(id) FROM pulls
                                 WHERE source = ?1 AND complete = 0
                                   AND id > coalesce((SELECT max(id) FROM pulls
                                                      WHERE source = ?1 AND complete = 1), 0))"
                ),
                [source],
                pull_row,
            )
            .optional()?)
    }

    /// The pages a pull read, when they are still kept.
    pub fn pull_pages(&self, pull_id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT raw FROM pulls WHERE id = ?1", [pull_id], |row| {
                row.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }
}

/// Keeps the positions a pull saw.
fn write_seen(
    transaction: &rusqlite::Transaction<'_>,
    pull_id: i64,
    period: &str,
    seen: &[Position],
) -> Result<(), StoreError> {
    let mut statement = transaction.prepare_cached(
        "INSERT INTO pull_positions (pull_id, period, customer_key, customer_name, product_key,
                                     product_name, term, currency, seats, spend, unit_price,
                                     unit_cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for position in seen {
        statement.execute(params![
            pull_id,
            period,
            position.customer.key,
            position.customer_name,
            position.product.key,
            position.product_name,
            position.term.as_str(),
            position.currency.code(),
            position.seats.normalize().to_string(),
            position.spend.normalize().to_string(),
            position
                .unit_price
                .map(|price| price.normalize().to_string()),
            position.unit_cost.map(|cost| cost.normalize().to_string()),
        ])?;
    }
    Ok(())
}

/// Marks a run as not complete, inside the transaction that records it: a source that failed
/// to pull leaves the data stale, and a stale run must never count toward "the gap is gone".
pub fn mark_run_incomplete(
    transaction: &rusqlite::Transaction<'_>,
    run_id: i64,
) -> Result<(), StoreError> {
    transaction.execute("UPDATE runs SET complete = 0 WHERE id = ?1", [run_id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(source: &str, complete: bool) -> PullRecord {
        PullRecord {
            source: source.into(),
            system: source.into(),
            started_at: now_text(),
            complete,
            requests: 3,
            request_budget: 100,
            waited_ms: 0,
            records: 2,
            import_id: None,
            created_import: false,
            error: (!complete).then(|| "500 on page 3".to_string()),
            raw: Some("[]".into()),
        }
    }

    #[test]
    fn a_failing_source_is_failing_until_it_pulls_complete_again() {
        let mut store = Store::open_in_memory().expect("store");
        store.record_pull(&record("pax8", true)).expect("pull");
        assert!(store.failing_pulls().expect("read").is_empty());
        let first_failure = store.record_pull(&record("pax8", false)).expect("pull");
        store.record_pull(&record("pax8", false)).expect("pull");
        let failing = store.failing_pulls().expect("read");
        assert_eq!(failing.len(), 1);
        assert_eq!(failing[0].error.as_deref(), Some("500 on page 3"));
        assert_eq!(
            store.failing_since("pax8").expect("read").map(|row| row.id),
            Some(first_failure),
            "one outage keeps one identity"
        );
        store.record_pull(&record("pax8", true)).expect("pull");
        assert!(store.failing_pulls().expect("read").is_empty());
        assert_eq!(store.latest_pulls().expect("read").len(), 1);
    }

    #[test]
    fn what_a_failing_pull_saw_counts_only_while_it_is_the_latest_and_failing() {
        let mut store = Store::open_in_memory().expect("store");
        let usd = Currency::parse("USD").expect("USD");
        let seen = Position {
            customer: SourceKey::new("pax8", "c-1"),
            customer_name: "Contoso".into(),
            product: SourceKey::new("pax8", "SKU-1"),
            product_name: "Business Premium".into(),
            term: Term::Monthly,
            currency: usd,
            seats: rust_decimal::Decimal::from(12),
            spend: rust_decimal::Decimal::new(26400, 2),
            unit_price: None,
            unit_cost: Some(rust_decimal::Decimal::new(2200, 2)),
        };
        store
            .record_pull_seen(
                &record("pax8", false),
                "2026-12",
                std::slice::from_ref(&seen),
            )
            .expect("pull");
        assert_eq!(store.seen_positions("2026-12").expect("read"), [seen]);
        assert!(store.seen_positions("2026-11").expect("read").is_empty());
        store.record_pull(&record("pax8", true)).expect("pull");
        assert!(
            store.seen_positions("2026-12").expect("read").is_empty(),
            "a complete pull replaces what the partial one saw"
        );
    }

    #[test]
    fn old_pages_are_dropped_and_recent_ones_kept() {
        let mut store = Store::open_in_memory().expect("store");
        let first = store.record_pull(&record("pax8", true)).expect("pull");
        for _ in 0..RAW_KEPT_PER_SOURCE {
            store.record_pull(&record("pax8", true)).expect("pull");
        }
        assert_eq!(store.pull_pages(first).expect("read"), None);
        let latest = store.latest_pulls().expect("read")[0].id;
        assert_eq!(
            store.pull_pages(latest).expect("read").as_deref(),
            Some("[]")
        );
    }
}
