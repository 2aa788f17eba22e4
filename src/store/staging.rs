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

use super::connection::StoreError;
use super::key_index::KeyIndex;
use super::line_codec::{CHUNK_LINES, encode_line};
use super::newcomers::Newcomers;
use super::party_positions::{PartyBlobs, PartyPosition};
use super::position_runs::{PositionRuns, StagedPositions};
use crate::domain::lines::Line;
use crate::domain::money::Currency;
use crate::import::{LineSink, SinkError};
use rusqlite::{Transaction, params};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

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
    chunk: Vec<u8>,
    chunk_lines: u64,
    spilled: BufWriter<File>,
    chunk_count: u64,
    next_ordinal: u64,
}

impl Staging {
    /// An empty staging area, with its temporary file, that holds up to `positions_in_memory`
    /// positions (at least one) in memory.
    pub(super) fn new(positions_in_memory: usize) -> Result<Self, StoreError> {
        let file = tempfile::tempfile().map_err(temporary_error)?;
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
            chunk_lines: 0,
            spilled: BufWriter::with_capacity(1 << 16, file),
            chunk_count: 0,
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
        self.chunk_lines += 1;
        if self.chunk_lines == CHUNK_LINES {
            self.spill_chunk()?;
        }
        Ok(())
    }

    /// Writes the chunk being filled to the temporary file: its length, then its bytes.
    fn spill_chunk(&mut self) -> Result<(), StoreError> {
        if self.chunk_lines == 0 {
            return Ok(());
        }
        let length = u64::try_from(self.chunk.len()).unwrap_or(u64::MAX);
        self.spilled
            .write_all(&length.to_le_bytes())
            .and_then(|()| self.spilled.write_all(&self.chunk))
            .map_err(temporary_error)?;
        self.chunk.clear();
        self.chunk_lines = 0;
        self.chunk_count += 1;
        Ok(())
    }

    /// Copies what was staged into the database as import `import_id`: parties and products
    /// (upserted, the first row of this file naming each), the line chunks in file order, and
    /// the positions in key order, one blob per party.
    pub(super) fn write(
        mut self,
        transaction: &Transaction<'_>,
        import_id: i64,
        side: &str,
        system: &str,
    ) -> Result<(), StoreError> {
        self.spill_chunk()?;
        let (party_ids, product_ids) = self.newcomers.upsert(transaction, side, system)?;
        self.copy_chunks(transaction, import_id)?;
        let global = |ids: &[i64], local: u32| {
            ids.get(local as usize).copied().ok_or(StoreError::Corrupt {
                column: "party_positions",
                value: "a staged position names an unknown party or product".to_string(),
            })
        };
        // In the order of the interned keys: for parties new to the database that is their
        // id order too, so the primary-key index is appended to rather than written at random.
        let mut merged = self.runs.merge(std::mem::take(&mut self.positions))?;
        // Positions come in key order, so each party's are consecutive: one blob per party.
        let mut blobs = PartyBlobs::new(transaction);
        while let Some(((party, product, term, currency), position)) = merged.next_position()? {
            let currency =
                self.currencies
                    .get(usize::from(currency))
                    .ok_or(StoreError::Corrupt {
                        column: "party_positions",
                        value: "a staged position names an unknown currency".to_string(),
                    })?;
            let totals = position.totals;
            blobs.push(
                import_id,
                global(&party_ids, party)?,
                &PartyPosition {
                    product_id: global(&product_ids, product)?,
                    term,
                    currency: currency.code().to_string(),
                    seats: totals.seats,
                    spend: totals.spend,
                    unit_price: totals.unit_price,
                    unit_cost: totals.unit_cost,
                    line_count: u64::try_from(totals.lines).unwrap_or_default(),
                    ordinals: Some(position.ordinals),
                },
            )?;
        }
        blobs.finish()
    }

    fn copy_chunks(
        &mut self,
        transaction: &Transaction<'_>,
        import_id: i64,
    ) -> Result<(), StoreError> {
        self.spilled.flush().map_err(temporary_error)?;
        let file = self.spilled.get_mut();
        file.rewind().map_err(temporary_error)?;
        let mut reader = BufReader::with_capacity(1 << 16, &*file);
        let mut statement = transaction
            .prepare("INSERT INTO line_chunks (import_id, chunk, data) VALUES (?1, ?2, ?3)")?;
        let mut data = Vec::new();
        for chunk in 0..self.chunk_count {
            let mut length = [0_u8; 8];
            reader.read_exact(&mut length).map_err(temporary_error)?;
            let length = usize::try_from(u64::from_le_bytes(length)).unwrap_or(usize::MAX);
            data.resize(length, 0);
            reader.read_exact(&mut data).map_err(temporary_error)?;
            statement.execute(params![import_id, chunk as i64, data])?;
        }
        Ok(())
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

fn temporary_error(source: std::io::Error) -> StoreError {
    StoreError::Io {
        file: "the import's temporary staging file".to_string(),
        source,
    }
}
