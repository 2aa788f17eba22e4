//! The parties and products an import names, in the order it first names them, waiting in
//! temporary files until the copy upserts them: the products first, since the blobs of party
//! positions name them.
//!
//! A PSA export names a company every few lines: two hundred thousand of them, held as rows in
//! memory, cost more than the positions once those spill to disk (`position_runs`). Only
//! their keys stay in memory, to intern them.

use super::bulk_indexes::IndexesRebuilt;
use super::connection::StoreError;
use super::line_codec::{Reader, push_varint};
use super::spool::Spool;
use crate::domain::lines::{Party, Product};
use rusqlite::{OptionalExtension, ToSql, Transaction, params, params_from_iter};

/// The read buffer of each list while it is upserted.
const READ_BUFFER: usize = 1 << 16;

/// Parties and products first named by this import, each in a temporary file.
pub(super) struct Newcomers {
    pub(super) parties: NewRecords,
    pub(super) products: NewRecords,
    record: Vec<u8>,
}

impl Newcomers {
    /// Empty lists, with their anonymous temporary files.
    pub(super) fn new() -> Result<Self, StoreError> {
        Ok(Self {
            parties: NewRecords::new(&PARTIES, "the import's temporary file of parties")?,
            products: NewRecords::new(&PRODUCTS, "the import's temporary file of products")?,
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
        self.parties.spool.push(&[&self.record])
    }

    /// Adds a product, the next one after those added before.
    pub(super) fn product(&mut self, product: &Product) -> Result<(), StoreError> {
        self.record.clear();
        push_text(&mut self.record, Some(&product.key));
        push_text(&mut self.record, Some(&product.name));
        self.products.spool.push(&[&self.record])
    }
}

/// The records of one table first named by this import, in the order it named them: each is
/// its key, then the table's values.
pub(super) struct NewRecords {
    spool: Spool,
    how: &'static Upsert,
}

/// How the records of one table are upserted: each is found by side, system and key, as the
/// table's unique index holds them.
struct Upsert {
    /// The table.
    table: &'static str,
    /// Inserts side, system, key, then the values.
    insert: &'static str,
    /// Gives the record of id ?1 the values (?2 on), writing only what changed.
    update: &'static str,
    /// How many values follow the key.
    values: usize,
}

const PRODUCTS: Upsert = Upsert {
    table: "products",
    insert: "INSERT INTO products (side, system, key, name) VALUES (?1, ?2, ?3, ?4)",
    update: "UPDATE products SET name = ?2 WHERE id = ?1 AND name IS NOT ?2",
    values: 1,
};

const PARTIES: Upsert = Upsert {
    table: "parties",
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

impl NewRecords {
    fn new(how: &'static Upsert, what: &'static str) -> Result<Self, StoreError> {
        Ok(Self {
            spool: Spool::new(what)?,
            how,
        })
    }

    /// Upserts every record (the first row of this file naming each gives its values), and
    /// returns their ids in the order they were added.
    ///
    /// A look-up, then an insert or an update: an upsert with RETURNING cost three times as
    /// much per row, and a PSA import names two hundred thousand companies.
    pub(super) fn upsert(
        self,
        transaction: &Transaction<'_>,
        side: &str,
        system: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let (how, table) = (self.how, self.how.table);
        // On a system's first import every key is new, and each look-up would only miss.
        let holds_any: bool = transaction.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE side = ?1 AND system = ?2)"),
            params![side, system],
            |row| row.get(0),
        )?;
        // Only then is every record known to be inserted; later imports of the same system
        // mostly update records already there, which writes no index.
        let certain_inserts = if holds_any { 0 } else { self.spool.len() };
        let rebuilt = IndexesRebuilt::when_worth_it(transaction, table, certain_inserts)?;
        let mut find = transaction.prepare(&format!(
            "SELECT id FROM {table} WHERE side = ?1 AND system = ?2 AND key = ?3"
        ))?;
        let mut insert = transaction.prepare(how.insert)?;
        let mut update = transaction.prepare(how.update)?;
        let mut ids = Vec::new();
        let mut reader = self.spool.into_reader(READ_BUFFER)?;
        let mut record = Vec::new();
        let mut values: Vec<Option<String>> = Vec::with_capacity(how.values);
        while reader.next_into(&mut record)? {
            let mut fields = Reader::new(&record);
            let key = read_text(&mut fields).ok_or_else(|| reader.corrupt(&record))?;
            values.clear();
            for _ in 0..how.values {
                values.push(read_text(&mut fields).ok_or_else(|| reader.corrupt(&record))?);
            }
            let found: Option<i64> = if holds_any {
                find.query_row(params![side, system, key], |row| row.get(0))
                    .optional()?
            } else {
                None
            };
            let id = match found {
                Some(id) => {
                    let id_parameter: &dyn ToSql = &id;
                    update.execute(params_from_iter(
                        std::iter::once(id_parameter).chain(values.iter().map(as_sql)),
                    ))?;
                    id
                }
                None => {
                    let place: [&dyn ToSql; 3] = [&side, &system, &key];
                    insert.execute(params_from_iter(
                        place.into_iter().chain(values.iter().map(as_sql)),
                    ))?;
                    transaction.last_insert_rowid()
                }
            };
            ids.push(id);
        }
        drop((find, insert, update));
        rebuilt.recreate(transaction)?;
        Ok(ids)
    }
}

/// A text as a statement parameter.
fn as_sql(text: &Option<String>) -> &dyn ToSql {
    text
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
