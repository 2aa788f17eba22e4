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
mod tests;
