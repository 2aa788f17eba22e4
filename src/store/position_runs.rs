//! The positions an import stages, kept within a bound: when too many are held, they are
//! sorted by key and written to a temporary file (a run), and at the end the runs are merged
//! back in key order.
//!
//! A PSA export has about one position per line, so an import of a million ConnectWise
//! additions used to hold a million positions (580 MB) until its final write. Now memory holds
//! at most the bound; the rest waits on disk. A key a file repeats after a spill is in several
//! runs: their totals and line lists merge exactly ([`PositionTotals::merge`]), earlier runs
//! first, so the result is the one a single pass over the file gives. The runs are anonymous
//! temporary files, which the system removes when they close, whether the import succeeds
//! or fails.

use super::connection::StoreError;
use super::line_codec::{
    OrdinalList, Reader, append_ordinals, push_decimal, push_ordinal, push_varint, unzigzag, zigzag,
};
use super::spool::{Spool, SpoolReader};
use crate::domain::lines::{Line, Term};
use crate::domain::positions::PositionTotals;
use rust_decimal::Decimal;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How many positions an import holds in memory before it writes them to a run: about 5 MB
/// of totals and line lists, and some fifty runs for a million positions.
pub(super) const POSITIONS_IN_MEMORY: usize = 20_000;

/// The read buffer of each run while the runs are merged.
const RUN_READ_BUFFER: usize = 8 * 1024;

/// Runs are merged into one when there are this many (see [`PositionRuns::compact`]).
const MOST_RUNS: usize = 64;

/// A position's key with its party, product and currency interned in this import.
pub(super) type StagedKey = (u32, u32, Term, u16);

/// The positions held in memory. Their keys are small numbers this import gave out, never text
/// from the file, so the fast Fx hash serves (a file cannot choose colliding keys).
///
/// Kept in the order first seen, in one vector: a new position is written next to the last
/// one rather than at a random place in a table, and a spill reads them nearly in key order,
/// since an export lists a company's lines together and parties are numbered as first seen.
pub(super) type StagedPositions =
    indexmap::IndexMap<StagedKey, StagedPosition, rustc_hash::FxBuildHasher>;

/// The indexes of `positions` in key order.
fn key_order(positions: &StagedPositions) -> Vec<usize> {
    let mut order: Vec<(StagedKey, usize)> = positions
        .keys()
        .enumerate()
        .map(|(index, key)| (*key, index))
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, index)| index).collect()
}

/// A position's totals and the ordinals of its lines.
#[derive(Default)]
pub(super) struct StagedPosition {
    pub(super) totals: PositionTotals,
    pub(super) ordinals: OrdinalList,
    last: Option<u64>,
}

impl StagedPosition {
    /// Adds the line numbered `ordinal` in the import; ordinals only grow.
    pub(super) fn absorb(&mut self, line: &Line, ordinal: u64) -> Result<(), StoreError> {
        self.totals.absorb(line)?;
        push_ordinal(&mut self.ordinals, self.last, ordinal);
        self.last = Some(ordinal);
        Ok(())
    }

    /// Adds the same key's position from a later stretch of the file.
    fn append(&mut self, later: &StagedPosition) -> Result<(), StoreError> {
        self.totals.merge(&later.totals)?;
        append_ordinals(&mut self.ordinals, self.last, &later.ordinals)?;
        self.last = later.last.or(self.last);
        Ok(())
    }
}

/// The runs written so far, oldest first: each a temporary file of positions in key order,
/// each key once.
#[derive(Default)]
pub(super) struct PositionRuns {
    runs: Vec<Spool>,
    record: Vec<u8>,
}

impl PositionRuns {
    /// Writes every position of `positions` to a new run, leaving the map empty but with its
    /// capacity. Only the keys are sorted, so no position is ever held twice.
    pub(super) fn spill(&mut self, positions: &mut StagedPositions) -> Result<(), StoreError> {
        let mut run = new_run()?;
        for index in key_order(positions) {
            // Read in place and cleared below: removing each one would copy it out first.
            if let Some((key, position)) = positions.get_index(index) {
                push(&mut run, &mut self.record, *key, position)?;
            }
        }
        positions.clear();
        self.runs.push(run);
        if self.runs.len() >= MOST_RUNS {
            self.compact()?;
        }
        Ok(())
    }

    /// Merges every run into one. Each run is an open file and a read buffer while runs are
    /// merged, and a process may hold only so many files: a PSA export of tens of millions of
    /// positions would otherwise fail at its end, or hold hundreds of buffers.
    fn compact(&mut self) -> Result<(), StoreError> {
        let runs = PositionRuns {
            runs: std::mem::take(&mut self.runs),
            record: Vec::new(),
        };
        let mut merged = runs.merge(StagedPositions::default())?;
        let mut run = new_run()?;
        while let Some((key, position)) = merged.next_position()? {
            push(&mut run, &mut self.record, key, &position)?;
        }
        self.runs.push(run);
        Ok(())
    }

    /// Every position, the runs' and then those still in `last`, merged into one per key and
    /// yielded in key order.
    pub(super) fn merge(self, last: StagedPositions) -> Result<MergedPositions, StoreError> {
        let mut sources = Vec::with_capacity(self.runs.len() + 1);
        for run in self.runs {
            sources.push(Source::Run {
                // Every run is read at once, one buffer each: small buffers keep a merge of
                // a hundred runs in a few megabytes.
                reader: run.into_reader(RUN_READ_BUFFER)?,
                record: Vec::new(),
            });
        }
        sources.push(Source::Memory {
            order: key_order(&last).into_iter(),
            positions: last,
        });
        let mut merged = MergedPositions {
            heads: Vec::with_capacity(sources.len()),
            sources,
            queue: BinaryHeap::new(),
        };
        for index in 0..merged.sources.len() {
            merged.heads.push(None);
            merged.advance(index)?;
        }
        Ok(merged)
    }
}

fn new_run() -> Result<Spool, StoreError> {
    Spool::new("the import's temporary file of positions")
}

/// Appends one position to `run`; `record` is a buffer to encode it in.
fn push(
    run: &mut Spool,
    record: &mut Vec<u8>,
    key: StagedKey,
    position: &StagedPosition,
) -> Result<(), StoreError> {
    record.clear();
    encode(record, key, position);
    run.push(&[record])
}

/// Where merged positions come from: a run on disk, or the positions never spilled.
enum Source {
    Run {
        reader: SpoolReader,
        record: Vec<u8>,
    },
    Memory {
        order: std::vec::IntoIter<usize>,
        positions: StagedPositions,
    },
}

impl Source {
    fn next_position(&mut self) -> Result<Option<(StagedKey, StagedPosition)>, StoreError> {
        match self {
            Source::Run { reader, record } => {
                if !reader.next_into(record)? {
                    return Ok(None);
                }
                decode(record)
                    .map(Some)
                    .ok_or_else(|| reader.corrupt(record))
            }
            // Taken out in place: removing each one would move the positions after it.
            Source::Memory { order, positions } => Ok(order.next().and_then(|index| {
                positions
                    .get_index_mut(index)
                    .map(|(key, position)| (*key, std::mem::take(position)))
            })),
        }
    }
}

/// The staged positions in key order, each key once.
pub(super) struct MergedPositions {
    sources: Vec<Source>,
    /// The next position of each source, not yet yielded.
    heads: Vec<Option<(StagedKey, StagedPosition)>>,
    /// The heads' keys with their source, smallest first; equal keys come oldest source first.
    queue: BinaryHeap<Reverse<(StagedKey, usize)>>,
}

impl MergedPositions {
    /// The next key and its position merged over every run, or `None` after the last.
    pub(super) fn next_position(
        &mut self,
    ) -> Result<Option<(StagedKey, StagedPosition)>, StoreError> {
        let Some(Reverse((key, index))) = self.queue.pop() else {
            return Ok(None);
        };
        let mut position = self.take(index)?;
        while let Some(Reverse((next_key, next_index))) = self.queue.peek().copied() {
            if next_key != key {
                break;
            }
            self.queue.pop();
            let later = self.take(next_index)?;
            position.append(&later)?;
        }
        Ok(Some((key, position)))
    }

    /// The head of source `index`, replaced by that source's next position.
    fn take(&mut self, index: usize) -> Result<StagedPosition, StoreError> {
        let head = self.heads.get_mut(index).and_then(Option::take);
        self.advance(index)?;
        head.map(|(_, position)| position)
            .ok_or(StoreError::Corrupt {
                column: "the import's staged positions",
                value: "a run yielded a key it did not hold".to_string(),
            })
    }

    fn advance(&mut self, index: usize) -> Result<(), StoreError> {
        let Some(source) = self.sources.get_mut(index) else {
            return Ok(());
        };
        if let Some((key, position)) = source.next_position()? {
            self.queue.push(Reverse((key, index)));
            if let Some(head) = self.heads.get_mut(index) {
                *head = Some((key, position));
            }
        }
        Ok(())
    }
}

/// The decimals a record may hold, in the order of their flag bits.
fn optional_decimals(totals: &PositionTotals) -> [Option<Decimal>; 7] {
    [
        totals.unit_price,
        totals.unit_cost,
        totals.priced_by,
        totals.price_before_recurring,
        totals.cost_before_recurring,
        totals.price_set_by,
        totals.cost_set_by,
    ]
}

/// Appends one position: its key, its totals with every decimal exact (scale and mantissa),
/// its last ordinal and its list of ordinals.
fn encode(out: &mut Vec<u8>, key: StagedKey, position: &StagedPosition) {
    let (party, product, term, currency) = key;
    push_varint(out, u128::from(party));
    push_varint(out, u128::from(product));
    let term = Term::ALL.iter().position(|known| *known == term);
    out.push(term.unwrap_or_default() as u8);
    push_varint(out, u128::from(currency));
    let totals = &position.totals;
    push_decimal(out, totals.seats);
    push_decimal(out, totals.spend);
    push_varint(out, zigzag(i128::from(totals.lines)));
    let optional = optional_decimals(totals);
    let flags = optional
        .iter()
        .enumerate()
        .filter(|(_, value)| value.is_some())
        .fold(0_u8, |flags, (bit, _)| flags | (1 << bit));
    out.push(flags);
    for value in optional.into_iter().flatten() {
        push_decimal(out, value);
    }
    push_varint(out, position.last.map_or(0, |last| u128::from(last) + 1));
    push_varint(out, position.ordinals.len() as u128);
    out.extend_from_slice(&position.ordinals);
}

/// Reads back what [`encode`] wrote; `None` when the bytes are not such a record.
fn decode(data: &[u8]) -> Option<(StagedKey, StagedPosition)> {
    let mut reader = Reader::new(data);
    let party = u32::try_from(reader.varint()?).ok()?;
    let product = u32::try_from(reader.varint()?).ok()?;
    let term = *Term::ALL.get(usize::from(reader.byte()?))?;
    let currency = u16::try_from(reader.varint()?).ok()?;
    let mut totals = PositionTotals {
        seats: reader.decimal()?,
        spend: reader.decimal()?,
        lines: i64::try_from(unzigzag(reader.varint()?)).ok()?,
        ..PositionTotals::default()
    };
    let flags = reader.byte()?;
    let mut optional = [None; 7];
    for (bit, value) in optional.iter_mut().enumerate() {
        if flags & (1 << bit) != 0 {
            *value = Some(reader.decimal()?);
        }
    }
    let [
        price,
        cost,
        priced_by,
        price_before,
        cost_before,
        price_by,
        cost_by,
    ] = optional;
    totals.unit_price = price;
    totals.unit_cost = cost;
    totals.priced_by = priced_by;
    totals.price_before_recurring = price_before;
    totals.cost_before_recurring = cost_before;
    totals.price_set_by = price_by;
    totals.cost_set_by = cost_by;
    let last = match reader.varint()? {
        0 => None,
        stored => Some(u64::try_from(stored - 1).ok()?),
    };
    let length = usize::try_from(reader.varint()?).ok()?;
    let ordinals = OrdinalList::from_slice(reader.bytes(length)?);
    reader.is_done().then_some(())?;
    Some((
        (party, product, term, currency),
        StagedPosition {
            totals,
            ordinals,
            last,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::super::connection::Store;
    use super::super::party_positions::{PartyPosition, positions_at};
    use crate::import::ImportOptions;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    /// Every stored position of the database, by import and source keys, in key order.
    type StoredPosition = (i64, String, String, PartyPosition);

    fn imported(files: &[PathBuf], positions_in_memory: usize) -> Vec<StoredPosition> {
        let mut store = Store::open_in_memory().expect("store");
        store.positions_in_memory = positions_in_memory;
        for file in files {
            store
                .import_file(file, &ImportOptions::default(), &mut |_| {})
                .expect("import");
        }
        let products: HashMap<i64, String> = store
            .connection
            .prepare("SELECT id, key FROM products")
            .expect("prepare")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("products");
        let mut statement = store
            .connection
            .prepare(
                "SELECT pp.import_id, pa.key, pp.positions
                 FROM party_positions pp JOIN parties pa ON pa.id = pp.party_id",
            )
            .expect("prepare");
        let mut rows = statement.query([]).expect("query");
        let mut stored = Vec::new();
        while let Some(row) = rows.next().expect("row") {
            for position in positions_at(row, 2).expect("decodes") {
                let product = products[&position.product_id].clone();
                stored.push((
                    row.get(0).expect("import"),
                    row.get(1).expect("party"),
                    product,
                    position,
                ));
            }
        }
        stored.sort_by(|a, b| {
            (a.0, &a.1, &a.2, a.3.term.as_str(), &a.3.currency).cmp(&(
                b.0,
                &b.1,
                &b.2,
                b.3.term.as_str(),
                &b.3.currency,
            ))
        });
        stored
    }

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/sample")
            .join(name)
    }

    #[test]
    fn positions_spilled_to_runs_are_stored_exactly_as_positions_held_in_memory() {
        let folder = tempfile::tempdir().expect("folder");
        // Few customers and many rows: every position gets rows in most runs.
        let generated = crate::generate::generate(folder.path(), 12, 3_000, 7).expect("generate");
        let files = [
            sample("partner-center-nce-2026-10.csv"),
            sample("pax8-2026-10.csv"),
            sample("connectwise-additions-2026-10.csv"),
            generated.vendor,
            generated.psa,
        ];
        let in_memory = imported(&files, usize::MAX);
        assert!(in_memory.len() > 100, "{} positions", in_memory.len());
        for bound in [1, 2, 7, 40] {
            assert_eq!(imported(&files, bound), in_memory, "spilling every {bound}");
        }
    }
}
