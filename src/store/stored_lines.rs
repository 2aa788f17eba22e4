//! Reading stored lines back: the evidence behind a gap, and every line of one import.
//!
//! Imports since migration 0009 keep their lines in chunks, found through their positions'
//! ordinals (see `line_codec`); imports made before it keep them in the `lines` table. Both
//! are read, so the drill-down of an old import still works.

use super::chunk_codec::chunk_bytes;
use super::connection::{Store, StoreError};
use super::line_codec::{CHUNK_LINES, StoredLine, decode_chunk, decode_lines_at, ordinals};
use super::party_positions::positions_at;
use super::positions::optional_decimal;
use super::values::decimal_from;
use crate::domain::lines::{ChargeKind, Side, SourceKey, Term};
use crate::domain::money::{Currency, Money};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;

/// One stored line, for the drill-down behind a gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillDownLine {
    /// The import's file name.
    pub file_name: String,
    /// Line in that file.
    pub source_line: i64,
    /// Customer or company.
    pub customer: SourceKey,
    /// Product.
    pub product: SourceKey,
    /// Product name.
    pub product_name: String,
    /// Term.
    pub term: Term,
    /// Charge kind, as stored.
    pub charge: String,
    /// Signed seats.
    pub seats: Decimal,
    /// Unit price or cost shown for the line.
    pub unit_amount: Option<Money>,
    /// Extended amount.
    pub amount: Option<Money>,
    /// Subscription, agreement or contract.
    pub subscription: Option<String>,
    /// The source's own id of the line (a PSA addition or line), where the export gives one.
    pub line_id: Option<String>,
}

/// One stored line with what its position says: the audit of what an import read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// Customer or company.
    pub customer: SourceKey,
    /// Product.
    pub product: SourceKey,
    /// Term.
    pub term: Term,
    /// The currency of the line's money; `None` when it has no price, cost or amount.
    pub currency: Option<Currency>,
    /// The line itself.
    pub line: StoredLine,
}

/// What a position says about each of its lines.
struct PositionContext {
    file_name: String,
    customer: SourceKey,
    product: SourceKey,
    product_name: String,
    term: Term,
    currency: Option<Currency>,
}

impl PositionContext {
    fn line(&self, stored: StoredLine) -> DrillDownLine {
        let money = |amount: Option<Decimal>| match (amount, &self.currency) {
            (Some(amount), Some(currency)) => Some(Money::new(amount, currency.clone())),
            _ => None,
        };
        DrillDownLine {
            file_name: self.file_name.clone(),
            source_line: stored.source_line,
            customer: self.customer.clone(),
            product: self.product.clone(),
            product_name: self.product_name.clone(),
            term: self.term,
            charge: stored.charge.to_string(),
            seats: stored.seats,
            unit_amount: money(stored.unit_price.or(stored.unit_cost)),
            amount: money(stored.amount),
            subscription: stored.subscription,
            line_id: stored.line_id,
        }
    }
}

impl PositionContext {
    fn audit(&self, line: StoredLine) -> AuditLine {
        let has_money =
            line.unit_price.is_some() || line.unit_cost.is_some() || line.amount.is_some();
        AuditLine {
            customer: self.customer.clone(),
            product: self.product.clone(),
            term: self.term,
            currency: self.currency.clone().filter(|_| has_money),
            line,
        }
    }
}

impl Store {
    /// The stored lines of one customer and product in a side's current imports of a period,
    /// in file order: the evidence behind a gap.
    pub fn lines_of(
        &self,
        side: Side,
        period: Option<&str>,
        customer: &SourceKey,
        product: &SourceKey,
    ) -> Result<Vec<DrillDownLine>, StoreError> {
        let Some(period) = period else {
            return Ok(Vec::new());
        };
        // ?1 side, ?2/?3 customer, ?4/?5 product, ?6 period: the legacy query takes them all,
        // the product and party-position queries the parts they need.
        let keys = (
            side.as_str(),
            customer.system.as_str(),
            customer.key.as_str(),
            product.system.as_str(),
            product.key.as_str(),
            period,
        );
        let mut lines = self.legacy_lines_of(keys)?;
        let product_row: Option<(i64, String)> = self
            .connection
            .prepare_cached(
                "SELECT id, name FROM products WHERE side = ?1 AND system = ?2 AND key = ?3",
            )?
            .query_row(params![keys.0, keys.3, keys.4], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        let Some((product_id, product_name)) = product_row else {
            return Ok(lines.into_iter().map(|(_, line)| line).collect());
        };
        let mut statement = self.connection.prepare_cached(
            "SELECT i.id, i.file_name, pp.positions
             FROM party_positions pp
             JOIN imports i ON i.id = pp.import_id
             JOIN parties pa ON pa.id = pp.party_id
             WHERE pa.side = ?1 AND pa.system = ?2 AND pa.key = ?3
               AND i.period = ?4 AND i.superseded_by IS NULL",
        )?;
        let mut rows = statement.query(params![keys.0, keys.1, keys.2, keys.5])?;
        // Every wanted line as (import, ordinal, its position's context), then read chunk by
        // chunk, each chunk once and only its wanted lines built.
        let mut contexts = Vec::new();
        let mut wanted: Vec<(i64, u64, usize)> = Vec::new();
        while let Some(row) = rows.next()? {
            let import_id: i64 = row.get(0)?;
            let file_name: String = row.get(1)?;
            for position in positions_at(row, 2)? {
                let Some(list) = position
                    .ordinals
                    .filter(|_| position.product_id == product_id)
                else {
                    continue;
                };
                contexts.push(PositionContext {
                    file_name: file_name.clone(),
                    customer: customer.clone(),
                    product: product.clone(),
                    product_name: product_name.clone(),
                    term: position.term,
                    currency: Currency::parse(&position.currency).ok(),
                });
                for ordinal in ordinals(&list)? {
                    wanted.push((import_id, ordinal, contexts.len() - 1));
                }
            }
        }
        wanted.sort_unstable();
        let same_chunk = |a: &(i64, u64, usize), b: &(i64, u64, usize)| {
            a.0 == b.0 && a.1 / CHUNK_LINES == b.1 / CHUNK_LINES
        };
        for group in wanted.chunk_by(same_chunk) {
            let (import_id, first, _) = group[0];
            let indexes: Vec<u64> = group
                .iter()
                .map(|(_, ordinal, _)| ordinal % CHUNK_LINES)
                .collect();
            let stored = self.lines_in_chunk(import_id, first / CHUNK_LINES, &indexes)?;
            if let Some((_, ordinal, _)) = group.get(stored.len()) {
                return Err(missing_line(import_id, *ordinal));
            }
            for (stored, (_, _, context)) in stored.into_iter().zip(group) {
                lines.push((import_id, contexts[*context].line(stored)));
            }
        }
        lines.sort_by_key(|(import_id, line)| (*import_id, line.source_line));
        Ok(lines.into_iter().map(|(_, line)| line).collect())
    }

    /// Every stored line of one import, in file order, each with its customer, product, term
    /// and currency: the audit of what an import read.
    pub fn import_lines_stored(&self, import_id: i64) -> Result<Vec<AuditLine>, StoreError> {
        let mut by_ordinal: Vec<StoredLine> = Vec::new();
        let mut statement = self.connection.prepare_cached(
            "SELECT data, codec FROM line_chunks WHERE import_id = ?1 ORDER BY chunk",
        )?;
        let mut rows = statement.query([import_id])?;
        while let Some(row) = rows.next()? {
            by_ordinal.extend(decode_chunk(&chunk_bytes(row.get(0)?, row.get(1)?)?)?);
        }
        let mut statement = self.connection.prepare_cached(
            "SELECT i.file_name, i.side, pa.system, pa.key, pp.positions
             FROM party_positions pp
             JOIN imports i ON i.id = pp.import_id
             JOIN parties pa ON pa.id = pp.party_id
             WHERE pp.import_id = ?1",
        )?;
        let mut rows = statement.query([import_id])?;
        let mut lines = Vec::new();
        let mut products = None;
        while let Some(row) = rows.next()? {
            let products = match &mut products {
                Some(products) => products,
                None => {
                    products.insert(self.products_by_id(stored_side(&row.get::<_, String>(1)?)?)?)
                }
            };
            let customer = SourceKey::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?);
            for position in positions_at(row, 4)? {
                let Some(list) = &position.ordinals else {
                    continue;
                };
                let (product, product_name) = products.named(position.product_id)?;
                let context = PositionContext {
                    file_name: row.get(0)?,
                    customer: customer.clone(),
                    product: product.clone(),
                    product_name: product_name.to_string(),
                    term: position.term,
                    currency: Currency::parse(&position.currency).ok(),
                };
                for ordinal in ordinals(list)? {
                    let stored = by_ordinal
                        .get(ordinal as usize)
                        .ok_or_else(|| missing_line(import_id, ordinal))?;
                    lines.push(context.audit(stored.clone()));
                }
            }
        }
        if lines.is_empty() {
            return self.legacy_import_lines(import_id);
        }
        lines.sort_by_key(|audit| audit.line.source_line);
        Ok(lines)
    }

    /// The lines at `indexes` (ascending) of one stored chunk.
    fn lines_in_chunk(
        &self,
        import_id: i64,
        chunk: u64,
        indexes: &[u64],
    ) -> Result<Vec<StoredLine>, StoreError> {
        let (stored, codec) = self
            .connection
            .prepare_cached(
                "SELECT data, codec FROM line_chunks WHERE import_id = ?1 AND chunk = ?2",
            )?
            .query_row(params![import_id, chunk as i64], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
        decode_lines_at(&chunk_bytes(stored, codec)?, indexes)
    }

    /// The lines of imports made before migration 0009, with their import ids.
    fn legacy_lines_of(
        &self,
        keys: (&str, &str, &str, &str, &str, &str),
    ) -> Result<Vec<(i64, DrillDownLine)>, StoreError> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {LEGACY_COLUMNS}, pa.system, pa.key, pr.system, pr.key, i.id
             FROM lines l
             JOIN imports i ON i.id = l.import_id
             JOIN parties pa ON pa.id = l.party_id
             JOIN products pr ON pr.id = l.product_id
             WHERE pa.side = ?1 AND pa.system = ?2 AND pa.key = ?3
               AND pr.side = ?1 AND pr.system = ?4 AND pr.key = ?5
               AND i.period = ?6 AND i.superseded_by IS NULL"
        ))?;
        let mut rows = statement.query(keys)?;
        let mut lines = Vec::new();
        while let Some(row) = rows.next()? {
            lines.push((row.get(14)?, legacy_line(row)?));
        }
        Ok(lines)
    }

    fn legacy_import_lines(&self, import_id: i64) -> Result<Vec<AuditLine>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT l.source_line, l.charge, l.seats, l.unit_price, l.unit_cost, l.amount,
                    l.currency, l.period_start, l.period_end, l.subscription,
                    pa.system, pa.key, pr.system, pr.key, l.term
             FROM lines l
             JOIN parties pa ON pa.id = l.party_id
             JOIN products pr ON pr.id = l.product_id
             WHERE l.import_id = ?1
             ORDER BY l.source_line",
        )?;
        let mut rows = statement.query([import_id])?;
        let mut lines = Vec::new();
        while let Some(row) = rows.next()? {
            let charge: String = row.get(1)?;
            let date = |text: Option<String>| -> Result<Option<chrono::NaiveDate>, StoreError> {
                text.map(|text| {
                    text.parse().map_err(|_| StoreError::Corrupt {
                        column: "lines.period_start",
                        value: text,
                    })
                })
                .transpose()
            };
            let currency: Option<String> = row.get(6)?;
            lines.push(AuditLine {
                customer: SourceKey::new(row.get::<_, String>(10)?, row.get::<_, String>(11)?),
                product: SourceKey::new(row.get::<_, String>(12)?, row.get::<_, String>(13)?),
                term: parse_term(row.get(14)?),
                currency: currency.and_then(|code| Currency::parse(&code).ok()),
                line: StoredLine {
                    source_line: row.get(0)?,
                    charge: ChargeKind::from_stored(&charge)
                        .ok_or(StoreError::Corrupt {
                            column: "lines.charge",
                            value: charge,
                        })?
                        .as_str(),
                    seats: decimal_from("lines.seats", &row.get::<_, String>(2)?)?,
                    unit_price: optional_decimal("lines.unit_price", row.get(3)?)?,
                    unit_cost: optional_decimal("lines.unit_cost", row.get(4)?)?,
                    amount: optional_decimal("lines.amount", row.get(5)?)?,
                    period_start: date(row.get(7)?)?,
                    period_end: date(row.get(8)?)?,
                    subscription: row.get(9)?,
                    line_id: None,
                },
            });
        }
        Ok(lines)
    }
}

const LEGACY_COLUMNS: &str = "i.file_name, l.source_line, pr.name, l.term, l.charge, l.seats,
     coalesce(l.unit_price, l.unit_cost), l.amount, l.currency, l.subscription";

/// A row of the `lines` table: [`LEGACY_COLUMNS`], then the party's and product's system and key.
fn legacy_line(row: &rusqlite::Row<'_>) -> Result<DrillDownLine, StoreError> {
    let currency: Option<String> = row.get(8)?;
    let currency = currency.and_then(|code| Currency::parse(&code).ok());
    let money = |text: Option<String>| -> Result<Option<Money>, StoreError> {
        Ok(match (optional_decimal("lines.amount", text)?, &currency) {
            (Some(amount), Some(currency)) => Some(Money::new(amount, currency.clone())),
            _ => None,
        })
    };
    Ok(DrillDownLine {
        file_name: row.get(0)?,
        source_line: row.get(1)?,
        customer: SourceKey::new(row.get::<_, String>(10)?, row.get::<_, String>(11)?),
        product: SourceKey::new(row.get::<_, String>(12)?, row.get::<_, String>(13)?),
        product_name: row.get(2)?,
        term: parse_term(row.get(3)?),
        charge: row.get(4)?,
        seats: decimal_from("lines.seats", &row.get::<_, String>(5)?)?,
        unit_amount: money(row.get(6)?)?,
        amount: money(row.get(7)?)?,
        subscription: row.get(9)?,
        // The old one-row-per-line table never stored line ids.
        line_id: None,
    })
}

fn parse_term(text: String) -> Term {
    text.parse().unwrap_or(Term::Unspecified)
}

fn stored_side(text: &str) -> Result<Side, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        column: "imports.side",
        value: text.to_string(),
    })
}

fn missing_line(import_id: i64, ordinal: u64) -> StoreError {
    StoreError::Corrupt {
        column: "line_chunks",
        value: format!("import #{import_id} has no stored line {ordinal}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::migrate;
    use super::*;
    use crate::domain::lines::{Line, Party, Product};
    use crate::import::SourceInfo;
    use rusqlite::Connection;
    use rust_decimal_macros::dec;

    /// A database as billgap left it before migration 0009: one vendor import whose lines are
    /// rows of `lines`, written as the importer wrote them then.
    fn database_before_chunks() -> Connection {
        let connection = migrate::database_before("0009_line_chunks");
        connection
            .execute_batch(
                "INSERT INTO imports VALUES (1, 'vendor', 'microsoft', 'nce', 'p/USD', '2026-10',
                     'old.csv', 'abc', 2, 2, '2026-10-02T00:00:00Z', NULL);
                 INSERT INTO parties VALUES (1, 'vendor', 'microsoft', 't1', 'Tenant', NULL, NULL);
                 INSERT INTO products VALUES (1, 'vendor', 'microsoft', 'BP', 'Business Premium');
                 INSERT INTO lines VALUES (1, 3, 1, 1, 'annual', 'recurring', '10', NULL, '22.00',
                     '220.00', 'USD', '2026-10-01', '2026-10-31', 'sub-1');
                 INSERT INTO lines VALUES (1, 2, 1, 1, 'annual', 'change', '-1', NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL);
                 INSERT INTO positions VALUES (1, 1, 1, 'annual', 'USD', '9', '220', NULL, '22', 2);",
            )
            .expect("old import");
        connection
    }

    fn line(source_line: u64, seats: Decimal) -> Line {
        Line {
            source_line,
            customer: Party {
                key: "t1".into(),
                name: "Tenant".into(),
                domain: None,
                external_id: None,
            },
            product: Product {
                key: "BP".into(),
                name: "Business Premium".into(),
            },
            term: Term::Annual,
            charge: ChargeKind::Recurring,
            seats,
            unit_price: None,
            unit_cost: Some(Money::new(
                dec!(22.00),
                Currency::parse("USD").expect("usd"),
            )),
            amount: None,
            period_start: None,
            period_end: None,
            subscription: Some("sub-2".into()),
            line_id: None,
        }
    }

    #[test]
    fn lines_of_an_import_made_before_0009_still_drill_down_beside_new_ones() {
        let mut connection = database_before_chunks();
        migrate::apply(&mut connection).expect("migrate to 0009");
        let mut store = Store {
            connection,
            path: None,
            positions_in_memory: crate::store::position_runs::POSITIONS_IN_MEMORY,
        };
        let tenant = SourceKey::new("microsoft", "t1");
        let product = SourceKey::new("microsoft", "BP");
        let old = store
            .lines_of(Side::Vendor, Some("2026-10"), &tenant, &product)
            .expect("old lines");
        let seen: Vec<(i64, String, Option<String>)> = old
            .iter()
            .map(|line| {
                let amount = line.amount.as_ref().map(|money| money.to_string());
                (line.source_line, line.seats.to_string(), amount)
            })
            .collect();
        assert_eq!(
            seen,
            [
                (2, "-1".to_string(), None),
                (3, "10".to_string(), Some("220.00 USD".to_string()))
            ]
        );
        assert_eq!(old[1].file_name, "old.csv");
        assert_eq!(old[1].subscription.as_deref(), Some("sub-1"));
        let audit = store.import_lines_stored(1).expect("old audit");
        assert_eq!(audit.len(), 2);
        assert_eq!(audit[1].line.unit_cost, Some(dec!(22.00)));
        assert_eq!(
            audit[1].line.period_end.map(|d| d.to_string()).as_deref(),
            Some("2026-10-31")
        );

        // A new slice of the same period is stored in chunks; the drill-down reads both.
        let source = SourceInfo {
            format: "nce".into(),
            system: "microsoft".into(),
            side: Side::Vendor,
            slice: "p/EUR".into(),
            period: "2026-10".parse().ok(),
        };
        store
            .import_lines(&source, "pull", vec![line(5, dec!(4)), line(1, dec!(7.50))])
            .expect("new import");
        let both = store
            .lines_of(Side::Vendor, Some("2026-10"), &tenant, &product)
            .expect("both");
        let order: Vec<(String, i64, String)> = both
            .iter()
            .map(|line| {
                (
                    line.file_name.clone(),
                    line.source_line,
                    line.seats.to_string(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("old.csv".to_string(), 2, "-1".to_string()),
                ("old.csv".to_string(), 3, "10".to_string()),
                ("pull".to_string(), 1, "7.50".to_string()),
                ("pull".to_string(), 5, "4".to_string()),
            ]
        );
        assert_eq!(
            both[2]
                .unit_amount
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("22.00 USD")
        );
        assert_eq!(both[2].subscription.as_deref(), Some("sub-2"));
    }

    #[test]
    fn chunks_stored_plain_before_schema_16_read_as_the_compressed_ones_do() {
        let mut store = Store::open_in_memory().expect("store");
        let source = SourceInfo {
            format: "pull".into(),
            system: "microsoft".into(),
            side: Side::Vendor,
            slice: "p/USD".into(),
            period: "2026-10".parse().ok(),
        };
        // Three chunks, the last one short, so both the whole-import and the one-chunk
        // readings cross chunk bounds.
        let lines: Vec<Line> = (1..=600).map(|n| line(n, Decimal::from(n % 7))).collect();
        store
            .import_lines(&source, "pull", lines)
            .expect("imported");
        let import_id: i64 = store
            .connection
            .query_row("SELECT id FROM imports", [], |row| row.get(0))
            .expect("import id");
        let codecs: Vec<i64> = store
            .connection
            .prepare("SELECT codec FROM line_chunks ORDER BY chunk")
            .expect("prepare")
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("codecs");
        assert_eq!(codecs, [super::super::chunk_codec::LZ4; 3]);
        let (tenant, product) = (
            SourceKey::new("microsoft", "t1"),
            SourceKey::new("microsoft", "BP"),
        );
        let read = |store: &Store| {
            let audit = store.import_lines_stored(import_id).expect("audit");
            let drill = store
                .lines_of(Side::Vendor, Some("2026-10"), &tenant, &product)
                .expect("drill-down");
            (audit, drill)
        };
        let compressed = read(&store);
        assert_eq!(compressed.0.len(), 600);
        assert_eq!(compressed.1.len(), 600);
        // Every chunk rewritten as an older billgap stored it.
        let stored: Vec<(i64, Vec<u8>, i64)> = store
            .connection
            .prepare("SELECT chunk, data, codec FROM line_chunks")
            .expect("prepare")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("chunks");
        for (chunk, data, codec) in stored {
            let plain = chunk_bytes(data, codec).expect("decompresses");
            store
                .connection
                .execute(
                    "UPDATE line_chunks SET data = ?1, codec = 0 WHERE import_id = ?2 AND chunk = ?3",
                    params![plain, import_id, chunk],
                )
                .expect("rewritten plain");
        }
        assert_eq!(read(&store), compressed);
    }
}
