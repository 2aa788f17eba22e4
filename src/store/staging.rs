//! An import staged outside the database: the parser's lines are aggregated into positions and
//! encoded into chunks while no lock is held, and only the finished result is copied in, in one
//! short write transaction.
//!
//! A long import used to hold the write lock for its whole parse, so a decision taken meanwhile
//! (`map client`, a confirm in the workbench) failed after the five-second busy timeout. Now the
//! lock lasts as long as the copy. The chunks wait in an anonymous temporary file, so memory does
//! not grow with the number of lines; parties and products are held in memory, interned to
//! small numbers, and positions up to a bound, beyond which they wait in sorted runs on disk
//! (`position_runs`).

use super::chunk_codec;
use super::connection::StoreError;
use super::key_index::KeyIndex;
use super::line_codec::{CHUNK_LINES, encode_line};
use super::newcomers::Newcomers;
use super::party_positions::{INSERT_BLOB, PartyBlobs, PartyPosition};
use super::position_runs::{PositionRuns, StagedPositions};
use super::spool::Spool;
use crate::domain::lines::Line;
use crate::domain::money::Currency;
use crate::import::{LineSink, SinkError};
use rusqlite::{Transaction, params};

/// The read buffer of the chunks and blobs copied in.
const COPY_READ_BUFFER: usize = 1 << 16;

/// Everything an import read, waiting to be copied into the database.
pub(super) struct Staging {
    parties: KeyIndex,
    products: KeyIndex,
    newcomers: Newcomers,
    currencies: Vec<Currency>,
    no_currency: Currency,
    positions: StagedPositions,
    /// How many positions `positions` may hold before they are written to a run.
    positions_in_memory: usize,
    runs: PositionRuns,
    /// The chunk being filled: the lines since the last multiple of `CHUNK_LINES`.
    chunk: Vec<u8>,
    /// The chunks filled so far, in file order.
    chunks: Spool,
    next_ordinal: u64,
}

impl Staging {
    /// An empty staging area, with its temporary file, that holds up to `positions_in_memory`
    /// positions (at least one) in memory.
    pub(super) fn new(positions_in_memory: usize) -> Result<Self, StoreError> {
        Ok(Self {
            parties: KeyIndex::default(),
            products: KeyIndex::default(),
            newcomers: Newcomers::new()?,
            currencies: Vec::new(),
            no_currency: Currency::none(),
            positions: StagedPositions::default(),
            positions_in_memory: positions_in_memory.max(1),
            runs: PositionRuns::default(),
            chunk: Vec::new(),
            chunks: Spool::new("the import's temporary file of lines")?,
            next_ordinal: 0,
        })
    }

    fn stage(&mut self, line: &Line) -> Result<(), StoreError> {
        let party = self.parties.intern(&line.customer.key);
        if party.is_new {
            self.newcomers.party(&line.customer)?;
        }
        let product = self.products.intern(&line.product.key);
        if product.is_new {
            self.newcomers.product(&line.product)?;
        }
        let (party, product) = (party.index, product.index);
        let currency = line.currency().unwrap_or(&self.no_currency);
        let currency = match self.currencies.iter().position(|known| known == currency) {
            Some(index) => index,
            None => {
                self.currencies.push(currency.clone());
                self.currencies.len() - 1
            }
        };
        let currency = u16::try_from(currency).map_err(|_| StoreError::Corrupt {
            column: "lines.currency",
            value: "more than 65,535 currencies in one import".to_string(),
        })?;
        let ordinal = self.next_ordinal;
        self.next_ordinal += 1;
        self.positions
            .entry((party, product, line.term, currency))
            .or_default()
            .absorb(line, ordinal)?;
        if self.positions.len() >= self.positions_in_memory {
            self.runs.spill(&mut self.positions)?;
        }
        encode_line(&mut self.chunk, line);
        if self.next_ordinal % CHUNK_LINES == 0 {
            self.spill_chunk()?;
        }
        Ok(())
    }

    /// Writes the chunk being filled to the temporary file.
    fn spill_chunk(&mut self) -> Result<(), StoreError> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        self.chunks.push(&[&self.chunk])?;
        self.chunk.clear();
        Ok(())
    }

    /// Copies what was staged into the database as import `import_id`: parties and products
    /// (upserted, the first row of this file naming each), the line chunks in file order, and
    /// the positions in key order, one blob per party.
    ///
    /// The positions are merged and encoded on a second thread, and the chunks compressed on a
    /// third, while this one upserts the parties and copies the chunks as they come: a PSA
    /// export names two hundred thousand companies, and either the upsert or the merge alone
    /// keeps one core busy for about half a second.
    pub(super) fn write(
        mut self,
        transaction: &Transaction<'_>,
        import_id: i64,
        side: &str,
        system: &str,
    ) -> Result<(), StoreError> {
        self.spill_chunk()?;
        let Staging {
            newcomers,
            currencies,
            positions,
            runs,
            chunks,
            ..
        } = self;
        // Blobs name products by id, so products (a few hundred at most) come first.
        let product_ids = newcomers.products.upsert(transaction, side, system)?;
        std::thread::scope(|scope| {
            let encoding = scope.spawn(|| encode_blobs(runs, positions, &currencies, &product_ids));
            // A few chunks wait compressed at most; the receiver is dropped on any error
            // below, which ends the thread at its next chunk.
            let (compressed, to_copy) = std::sync::mpsc::sync_channel(COMPRESSED_AHEAD);
            let compressing = scope.spawn(move || compress_chunks(chunks, &compressed));
            let party_ids = newcomers.parties.upsert(transaction, side, system)?;
            copy_chunks(transaction, import_id, &to_copy)?;
            joined(compressing, "compressing the lines")?;
            let blobs = joined(encoding, "encoding the positions")?;
            insert_blobs(transaction, import_id, &party_ids, blobs)
        })
    }
}

/// How many compressed chunks may wait to be copied.
const COMPRESSED_AHEAD: usize = 16;

/// The result of a staging thread.
fn joined<T>(
    thread: std::thread::ScopedJoinHandle<'_, Result<T, StoreError>>,
    what: &str,
) -> Result<T, StoreError> {
    thread.join().map_err(|_| StoreError::Io {
        file: format!("the import's thread {what}"),
        source: std::io::Error::other("it stopped unexpectedly"),
    })?
}

/// Sends every chunk of `chunks`, in file order, compressed; stops early when nobody takes
/// them any more.
fn compress_chunks(
    chunks: Spool,
    compressed: &std::sync::mpsc::SyncSender<Vec<u8>>,
) -> Result<(), StoreError> {
    let mut records = chunks.into_reader(COPY_READ_BUFFER)?;
    let mut chunk = Vec::new();
    while records.next_into(&mut chunk)? {
        if compressed.send(chunk_codec::compress(&chunk)).is_err() {
            break;
        }
    }
    Ok(())
}

/// Every staged position, merged in key order and encoded as one blob per party, in a
/// temporary file: each record is the party's number in this import (four bytes,
/// little-endian), then its blob.
fn encode_blobs(
    runs: PositionRuns,
    positions: StagedPositions,
    currencies: &[Currency],
    product_ids: &[i64],
) -> Result<Spool, StoreError> {
    let mut spool = Spool::new("the import's temporary file of party positions")?;
    // In the order of the interned keys: for parties new to the database that is their id
    // order too, so the primary-key index is appended to rather than written at random.
    let mut merged = runs.merge(positions)?;
    // Positions come in key order, so each party's are consecutive: one blob per party.
    let mut blobs =
        PartyBlobs::new(|party: u32, blob: &[u8]| spool.push(&[&party.to_le_bytes(), blob]));
    let codes: Vec<String> = currencies
        .iter()
        .map(|currency| currency.code().to_string())
        .collect();
    while let Some(((party, product, term, currency), position)) = merged.next_position()? {
        let currency = codes
            .get(usize::from(currency))
            .ok_or_else(|| unknown("currency"))?;
        let product_id = product_ids
            .get(product as usize)
            .copied()
            .ok_or_else(|| unknown("product"))?;
        let totals = position.totals;
        blobs.push(
            party,
            &PartyPosition {
                product_id,
                term,
                currency: currency.clone(),
                seats: totals.seats,
                spend: totals.spend,
                unit_price: totals.unit_price,
                unit_cost: totals.unit_cost,
                line_count: u64::try_from(totals.lines).unwrap_or_default(),
                ordinals: Some(position.ordinals.into_vec()),
            },
        )?;
    }
    blobs.finish()?;
    Ok(spool)
}

/// Stores each party's blob of `blobs` under import `import_id`, with the party's id.
fn insert_blobs(
    transaction: &Transaction<'_>,
    import_id: i64,
    party_ids: &[i64],
    blobs: Spool,
) -> Result<(), StoreError> {
    let mut statement = transaction.prepare(INSERT_BLOB)?;
    let mut records = blobs.into_reader(COPY_READ_BUFFER)?;
    let mut record = Vec::new();
    while records.next_into(&mut record)? {
        let (party, blob) = record
            .split_first_chunk::<4>()
            .ok_or_else(|| records.corrupt(&record))?;
        let party_id = party_ids
            .get(u32::from_le_bytes(*party) as usize)
            .copied()
            .ok_or_else(|| unknown("party"))?;
        statement.execute(params![import_id, party_id, blob])?;
    }
    Ok(())
}

/// Copies the compressed line chunks into the database, numbered in file order.
fn copy_chunks(
    transaction: &Transaction<'_>,
    import_id: i64,
    compressed: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<(), StoreError> {
    let mut statement = transaction.prepare(
        "INSERT INTO line_chunks (import_id, chunk, data, codec) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (chunk, data) in compressed.iter().enumerate() {
        statement.execute(params![import_id, chunk as i64, data, chunk_codec::LZ4])?;
    }
    Ok(())
}

/// A staged position that names a party, product or currency this import did not intern.
fn unknown(what: &str) -> StoreError {
    StoreError::Corrupt {
        column: "party_positions",
        value: format!("a staged position names an unknown {what}"),
    }
}

impl LineSink for Staging {
    fn accept(&mut self, line: Line) -> Result<(), SinkError> {
        self.stage(&line).map_err(SinkError::new)
    }

    fn restart(&mut self) -> Result<(), SinkError> {
        *self = Staging::new(self.positions_in_memory).map_err(SinkError::new)?;
        Ok(())
    }
}
