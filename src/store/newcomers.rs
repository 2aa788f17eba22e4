//! The parties and products an import names, in the order it first names them, waiting in a
//! temporary file until the copy upserts them.
//!
//! A PSA export names a company every few lines: two hundred thousand of them, held as rows in
//! memory, cost more than the positions once those spill to disk (`position_runs`). Only
//! their keys stay in memory, to intern them.

use super::connection::StoreError;
use super::line_codec::{Reader, push_varint};
use crate::domain::lines::{Party, Product};
use rusqlite::{OptionalExtension, Transaction, params};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

const PARTY: u8 = 0;
const PRODUCT: u8 = 1;

/// Parties and products first named by this import, in a temporary file.
pub(super) struct Newcomers {
    writer: BufWriter<File>,
    record: Vec<u8>,
    count: u64,
}

impl Newcomers {
    /// An empty list, with its anonymous temporary file.
    pub(super) fn new() -> Result<Self, StoreError> {
        let file = tempfile::tempfile().map_err(newcomers_error)?;
        Ok(Self {
            writer: BufWriter::with_capacity(1 << 16, file),
            record: Vec::new(),
            count: 0,
        })
    }

    /// Adds a party, the next one after those added before.
    pub(super) fn party(&mut self, party: &Party) -> Result<(), StoreError> {
        self.record.clear();
        self.record.push(PARTY);
        push_text(&mut self.record, Some(&party.key));
        push_text(&mut self.record, Some(&party.name));
        push_text(&mut self.record, party.domain.as_deref());
        push_text(&mut self.record, party.external_id.as_deref());
        self.flush_record()
    }

    /// Adds a product, the next one after those added before.
    pub(super) fn product(&mut self, product: &Product) -> Result<(), StoreError> {
        self.record.clear();
        self.record.push(PRODUCT);
        push_text(&mut self.record, Some(&product.key));
        push_text(&mut self.record, Some(&product.name));
        self.flush_record()
    }

    fn flush_record(&mut self) -> Result<(), StoreError> {
        let length = u64::try_from(self.record.len()).unwrap_or(u64::MAX);
        self.writer
            .write_all(&length.to_le_bytes())
            .and_then(|()| self.writer.write_all(&self.record))
            .map_err(newcomers_error)?;
        self.count += 1;
        Ok(())
    }

    /// Upserts every party and product (the first row of this file naming each gives its
    /// name), and returns their ids in the order they were added: parties, then products.
    pub(super) fn upsert(
        &mut self,
        transaction: &Transaction<'_>,
        side: &str,
        system: &str,
    ) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
        self.writer.flush().map_err(newcomers_error)?;
        let file = self.writer.get_mut();
        file.rewind().map_err(newcomers_error)?;
        let mut reader = BufReader::with_capacity(1 << 16, &*file);
        // A look-up, then an insert or an update: an upsert with RETURNING cost three times
        // as much per row, and a PSA import names two hundred thousand companies.
        let mut find_party = Finder::new(
            transaction,
            "SELECT EXISTS (SELECT 1 FROM parties WHERE side = ?1 AND system = ?2)",
            "SELECT id FROM parties WHERE side = ?1 AND system = ?2 AND key = ?3",
            (side, system),
        )?;
        let mut insert_party = transaction.prepare(
            "INSERT INTO parties (side, system, key, name, domain, external_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        // A row that already holds these values is not written: the next export of the same
        // companies changes few of them, and each write also rewrites the row's name index.
        let mut update_party = transaction.prepare(
            "UPDATE parties SET name = ?2, domain = coalesce(?3, domain),
                                external_id = coalesce(?4, external_id)
             WHERE id = ?1 AND (name IS NOT ?2 OR domain IS NOT coalesce(?3, domain)
                                OR external_id IS NOT coalesce(?4, external_id))",
        )?;
        let mut find_product = Finder::new(
            transaction,
            "SELECT EXISTS (SELECT 1 FROM products WHERE side = ?1 AND system = ?2)",
            "SELECT id FROM products WHERE side = ?1 AND system = ?2 AND key = ?3",
            (side, system),
        )?;
        let mut insert_product = transaction
            .prepare("INSERT INTO products (side, system, key, name) VALUES (?1, ?2, ?3, ?4)")?;
        let mut update_product = transaction
            .prepare("UPDATE products SET name = ?2 WHERE id = ?1 AND name IS NOT ?2")?;
        let (mut party_ids, mut product_ids) = (Vec::new(), Vec::new());
        let mut record = Vec::new();
        for _ in 0..self.count {
            let mut length = [0_u8; 8];
            reader.read_exact(&mut length).map_err(newcomers_error)?;
            let length = usize::try_from(u64::from_le_bytes(length)).unwrap_or(usize::MAX);
            record.resize(length, 0);
            reader.read_exact(&mut record).map_err(newcomers_error)?;
            let corrupt = || StoreError::Corrupt {
                column: "the import's staged parties and products",
                value: format!("a record of {length} bytes that does not decode"),
            };
            let mut fields = Reader::new(&record);
            let kind = fields.byte().ok_or_else(corrupt)?;
            let mut text = || read_text(&mut fields).ok_or_else(corrupt);
            if kind == PARTY {
                let (key, name, domain, external_id) = (text()?, text()?, text()?, text()?);
                let found = find_party.find(&key)?;
                party_ids.push(existing_or_inserted(
                    transaction,
                    found,
                    |id| update_party.execute(params![id, name, domain, external_id]),
                    || insert_party.execute(params![side, system, key, name, domain, external_id]),
                )?);
            } else {
                let (key, name) = (text()?, text()?);
                let found = find_product.find(&key)?;
                product_ids.push(existing_or_inserted(
                    transaction,
                    found,
                    |id| update_product.execute(params![id, name]),
                    || insert_product.execute(params![side, system, key, name]),
                )?);
            }
        }
        Ok((party_ids, product_ids))
    }
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

fn newcomers_error(source: std::io::Error) -> StoreError {
    StoreError::Io {
        file: "the import's temporary file of parties and products".to_string(),
        source,
    }
}
