//! The parties and products an import names, in the order it first names them, waiting in
//! temporary files until the copy upserts them: the products first, since the blobs of party
//! positions name them.
//!
//! A PSA export names a company every few lines: two hundred thousand of them, held as rows in
//! memory, cost more than the positions once those spill to disk (`position_runs`). Only
//! their keys stay in memory, to intern them.

use super::connection::StoreError;
use super::line_codec::{Reader, push_varint};
use super::spool::Spool;
use crate::domain::lines::{Party, Product};
use rusqlite::{OptionalExtension, ToSql, Transaction, params, params_from_iter};

/// The read buffer of each list while it is upserted.
const READ_BUFFER: usize = 1 << 16;

/// Parties and products first named by this import, each in a temporary file.
pub(super) struct Newcomers {
    parties: Spool,
    products: Spool,
    record: Vec<u8>,
}

impl Newcomers {
    /// Empty lists, with their anonymous temporary files.
    pub(super) fn new() -> Result<Self, StoreError> {
        Ok(Self {
            parties: Spool::new("the import's temporary file of parties")?,
            products: Spool::new("the import's temporary file of products")?,
            record: Vec::new(),
        })
    }

    /// Adds a party, the next one after those added before.
    pub(super) fn party(&mut self, party: &Party) -> Result<(), StoreError> {
        self.record.clear();
        push_text(&mut self.record, Some(&party.key));
        push_text(&mut self.record, Some(&party.name));
        push_text(&mut self.record, party.domain.as_deref());
        push_text(&mut self.record, party.external_id.as_deref());
        self.parties.push(&[&self.record])
    }

    /// Adds a product, the next one after those added before.
    pub(super) fn product(&mut self, product: &Product) -> Result<(), StoreError> {
        self.record.clear();
        push_text(&mut self.record, Some(&product.key));
        push_text(&mut self.record, Some(&product.name));
        self.products.push(&[&self.record])
    }

    /// Upserts every product (the first row of this file naming each gives its name), and
    /// returns their ids in the order they were added.
    pub(super) fn upsert_products(
        &mut self,
        transaction: &Transaction<'_>,
        side: &str,
        system: &str,
    ) -> Result<Vec<i64>, StoreError> {
        upsert(&mut self.products, &PRODUCTS, transaction, (side, system))
    }

    /// Upserts every party (the first row of this file naming each gives its name, domain and
    /// external id), and returns their ids in the order they were added.
    pub(super) fn upsert_parties(
        &mut self,
        transaction: &Transaction<'_>,
        side: &str,
        system: &str,
    ) -> Result<Vec<i64>, StoreError> {
        upsert(&mut self.parties, &PARTIES, transaction, (side, system))
    }
}

/// How the records of one table are upserted: each record is its key, then `values` texts.
struct Upsert {
    /// Whether the table holds any record of a side (?1) and system (?2).
    holds_any: &'static str,
    /// The id of the record of a side, system and key (?3).
    find: &'static str,
    /// Inserts side, system, key, then the values.
    insert: &'static str,
    /// Gives the record of id ?1 the values (?2 on), writing only what changed.
    update: &'static str,
    /// How many values follow the key.
    values: usize,
}

const PRODUCTS: Upsert = Upsert {
    holds_any: "SELECT EXISTS (SELECT 1 FROM products WHERE side = ?1 AND system = ?2)",
    find: "SELECT id FROM products WHERE side = ?1 AND system = ?2 AND key = ?3",
    insert: "INSERT INTO products (side, system, key, name) VALUES (?1, ?2, ?3, ?4)",
    update: "UPDATE products SET name = ?2 WHERE id = ?1 AND name IS NOT ?2",
    values: 1,
};

const PARTIES: Upsert = Upsert {
    holds_any: "SELECT EXISTS (SELECT 1 FROM parties WHERE side = ?1 AND system = ?2)",
    find: "SELECT id FROM parties WHERE side = ?1 AND system = ?2 AND key = ?3",
    insert: "INSERT INTO parties (side, system, key, name, domain, external_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    // A row that already holds these values is not written: the next export of the same
    // companies changes few of them, and each write also rewrites the row's name index.
    update: "UPDATE parties SET name = ?2, domain = coalesce(?3, domain),
                                external_id = coalesce(?4, external_id)
             WHERE id = ?1 AND (name IS NOT ?2 OR domain IS NOT coalesce(?3, domain)
                                OR external_id IS NOT coalesce(?4, external_id))",
    values: 3,
};

/// Upserts every record of `records` as `how` says, and returns their ids in order.
///
/// A look-up, then an insert or an update: an upsert with RETURNING cost three times as much
/// per row, and a PSA import names two hundred thousand companies.
fn upsert(
    records: &mut Spool,
    how: &Upsert,
    transaction: &Transaction<'_>,
    (side, system): (&str, &str),
) -> Result<Vec<i64>, StoreError> {
    let mut find = Finder::new(transaction, how.holds_any, how.find, (side, system))?;
    let mut insert = transaction.prepare(how.insert)?;
    let mut update = transaction.prepare(how.update)?;
    let mut ids = Vec::new();
    let mut reader = records.read_back(READ_BUFFER)?;
    let mut record = Vec::new();
    let mut texts: Vec<Option<String>> = Vec::with_capacity(how.values + 1);
    while reader.next_into(&mut record)? {
        let mut fields = Reader::new(&record);
        texts.clear();
        for _ in 0..=how.values {
            texts.push(read_text(&mut fields).ok_or_else(|| reader.corrupt(&record))?);
        }
        let (key, values) = texts.split_first().ok_or_else(|| reader.corrupt(&record))?;
        let found = find.find(key)?;
        ids.push(existing_or_inserted(
            transaction,
            found,
            |id| {
                let id: &dyn ToSql = &id;
                update.execute(params_from_iter(
                    std::iter::once(id).chain(values.iter().map(as_sql)),
                ))
            },
            || {
                let place: [&dyn ToSql; 2] = [&side, &system];
                insert.execute(params_from_iter(
                    place.into_iter().chain(texts.iter().map(as_sql)),
                ))
            },
        )?);
    }
    Ok(ids)
}

/// A text as a statement parameter.
fn as_sql(text: &Option<String>) -> &dyn ToSql {
    text
}

/// Finds the id of a party or product of one side and system by its key.
struct Finder<'t> {
    statement: rusqlite::Statement<'t>,
    side_and_system: (&'t str, &'t str),
    /// False on a system's first import: every name it holds is new, and each look-up would
    /// only miss. The newcomers are distinct keys, so inserting them all is the same.
    holds_any: bool,
}

impl<'t> Finder<'t> {
    /// A finder with `find` (side, system, key), after `holds_any` (side, system) tells
    /// whether the table holds any record of that side and system.
    fn new(
        transaction: &'t Transaction<'_>,
        holds_any: &str,
        find: &str,
        side_and_system: (&'t str, &'t str),
    ) -> rusqlite::Result<Self> {
        let (side, system) = side_and_system;
        Ok(Self {
            holds_any: transaction.query_row(holds_any, params![side, system], |row| row.get(0))?,
            statement: transaction.prepare(find)?,
            side_and_system,
        })
    }

    fn find(&mut self, key: &Option<String>) -> rusqlite::Result<Option<i64>> {
        if !self.holds_any {
            return Ok(None);
        }
        let (side, system) = self.side_and_system;
        self.statement
            .query_row(params![side, system, key], |row| row.get(0))
            .optional()
    }
}

/// The id of the row found, after `update` gave it this import's values, or else of the row
/// `insert` adds.
fn existing_or_inserted(
    transaction: &Transaction<'_>,
    found: Option<i64>,
    update: impl FnOnce(i64) -> rusqlite::Result<usize>,
    insert: impl FnOnce() -> rusqlite::Result<usize>,
) -> rusqlite::Result<i64> {
    match found {
        Some(id) => update(id).map(|_| id),
        None => insert().map(|_| transaction.last_insert_rowid()),
    }
}

/// Appends an optional text: 0 for none, else its length plus one, then its bytes.
fn push_text(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => push_varint(out, 0),
        Some(text) => {
            push_varint(out, text.len() as u128 + 1);
            out.extend_from_slice(text.as_bytes());
        }
    }
}

/// Reads what [`push_text`] wrote: `Some(None)` for none, `None` when the bytes are cut.
fn read_text(reader: &mut Reader<'_>) -> Option<Option<String>> {
    let length = usize::try_from(reader.varint()?).ok()?;
    if length == 0 {
        return Some(None);
    }
    let bytes = reader.bytes(length - 1)?;
    Some(Some(std::str::from_utf8(bytes).ok()?.to_string()))
}
