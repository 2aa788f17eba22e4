//! The stored form of an import's positions: one row per party, its positions in one blob.
//!
//! A PSA export has about one position per line, so 1.1 million ConnectWise additions were
//! 1.1 million indexed rows, each with three foreign-key checks and four decimals formatted as
//! text: more than two seconds, as long as the whole parse. A party's positions are read
//! together anyway (a reconcile reads them all, a drill-down one party's), so they are stored
//! together: 200,000 rows for that export. Decimals keep their exact mantissa and scale.

use super::connection::StoreError;
use super::line_codec::{
    Reader, flags_of, push_bytes, push_decimal, push_varint, unzigzag, zigzag,
};
use super::positions::optional_decimal;
use super::values::decimal_from;
use crate::domain::lines::Term;
use rusqlite::Transaction;
use rust_decimal::Decimal;

const UNIT_PRICE: u8 = 1;
const UNIT_COST: u8 = 2;
const ORDINALS: u8 = 4;
// The term is one byte, its `term_code`, rather than its name: "unspecified" was a
// third of a PSA position. Blobs written before never set this bit, and read back unchanged.
const TERM_NUMBER: u8 = 8;

/// The stored code of a term. These are part of the database's format: a code never changes
/// and is never reused, and a new term takes the next one (the match makes adding a term without
/// one a compile error). Not `Term::ALL`'s order, which is for display.
fn term_code(term: Term) -> u8 {
    match term {
        Term::Monthly => 0,
        Term::Annual => 1,
        Term::TwoYear => 2,
        Term::ThreeYear => 3,
        Term::Trial => 4,
        Term::OneTime => 5,
        Term::Unspecified => 6,
    }
}

/// The term of a stored code; `None` for a code no term has.
fn term_of_code(code: u8) -> Option<Term> {
    Term::ALL.into_iter().find(|term| term_code(*term) == code)
}

/// One stored position of a party: its product, term and currency, and its totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PartyPosition {
    /// The product's row id.
    pub(super) product_id: i64,
    pub(super) term: Term,
    /// The currency code, empty for lines without money.
    pub(super) currency: String,
    pub(super) seats: Decimal,
    pub(super) spend: Decimal,
    pub(super) unit_price: Option<Decimal>,
    pub(super) unit_cost: Option<Decimal>,
    pub(super) line_count: u64,
    /// The ordinals of its lines in the import's line chunks (see `line_codec`); `None` for
    /// an import made before chunks, whose lines are rows of `lines`.
    pub(super) ordinals: Option<Vec<u8>>,
}

/// Appends one position to a party's blob. Totals are stored normalised ("15.00" as "15"),
/// as the text columns before held them.
fn encode_position(out: &mut Vec<u8>, position: &PartyPosition) {
    out.push(
        flags_of(&[
            (position.unit_price.is_some(), UNIT_PRICE),
            (position.unit_cost.is_some(), UNIT_COST),
            (position.ordinals.is_some(), ORDINALS),
        ]) | TERM_NUMBER,
    );
    push_varint(out, zigzag(i128::from(position.product_id)));
    out.push(term_code(position.term));
    push_bytes(out, position.currency.as_bytes());
    for value in [Some(position.seats), Some(position.spend)]
        .into_iter()
        .chain([position.unit_price, position.unit_cost])
        .flatten()
    {
        push_decimal(out, value.normalize());
    }
    push_varint(out, u128::from(position.line_count));
    if let Some(ordinals) = &position.ordinals {
        push_bytes(out, ordinals);
    }
}

/// The positions of the blob in column `index` of a row.
pub(super) fn positions_at(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> Result<Vec<PartyPosition>, StoreError> {
    let blob = row
        .get_ref(index)?
        .as_blob()
        .map_err(rusqlite::Error::from)?;
    decode_positions(blob)
}

/// Every position of a party's blob, in the order written.
///
/// Fails with `Corrupt` when the bytes are not a blob this module wrote.
pub(super) fn decode_positions(data: &[u8]) -> Result<Vec<PartyPosition>, StoreError> {
    let mut reader = Reader::new(data);
    let mut positions = Vec::new();
    while !reader.is_done() {
        positions.push(
            read_position(&mut reader).ok_or_else(|| StoreError::Corrupt {
                column: "party_positions.positions",
                value: format!("{} bytes that do not decode", data.len()),
            })?,
        );
    }
    Ok(positions)
}

fn read_position(reader: &mut Reader<'_>) -> Option<PartyPosition> {
    let flags = reader.byte()?;
    let product_id = i64::try_from(unzigzag(reader.varint()?)).ok()?;
    let term = if flags & TERM_NUMBER == 0 {
        reader.text()?.parse().unwrap_or(Term::Unspecified)
    } else {
        term_of_code(reader.byte()?)?
    };
    let currency = reader.text()?.to_string();
    let seats = reader.decimal()?;
    let spend = reader.decimal()?;
    let unit_price = reader.decimal_if(flags, UNIT_PRICE)?;
    let unit_cost = reader.decimal_if(flags, UNIT_COST)?;
    let line_count = u64::try_from(reader.varint()?).ok()?;
    let ordinals = if flags & ORDINALS == 0 {
        None
    } else {
        Some(reader.prefixed_bytes()?.to_vec())
    };
    Some(PartyPosition {
        product_id,
        term,
        currency,
        seats,
        spend,
        unit_price,
        unit_cost,
        line_count,
        ordinals,
    })
}

/// Encodes positions given party by party into one blob per party, and hands each finished
/// blob to `emit`: the import's copy and migration 0014 both write them this way.
pub(super) struct PartyBlobs<P, E> {
    emit: E,
    /// The party whose blob is being filled.
    filling: Option<P>,
    blob: Vec<u8>,
}

impl<P, E> PartyBlobs<P, E>
where
    P: Copy + PartialEq,
    E: FnMut(P, &[u8]) -> Result<(), StoreError>,
{
    pub(super) fn new(emit: E) -> Self {
        Self {
            emit,
            filling: None,
            blob: Vec::new(),
        }
    }

    /// Adds a position of `party`; a party's positions come one after another.
    pub(super) fn push(&mut self, party: P, position: &PartyPosition) -> Result<(), StoreError> {
        if self.filling.is_some_and(|filling| filling != party) {
            self.emit_blob()?;
        }
        self.filling = Some(party);
        encode_position(&mut self.blob, position);
        Ok(())
    }

    /// Emits the last party's blob.
    pub(super) fn finish(mut self) -> Result<(), StoreError> {
        self.emit_blob()
    }

    fn emit_blob(&mut self) -> Result<(), StoreError> {
        if let Some(party) = self.filling.take() {
            (self.emit)(party, &self.blob)?;
            self.blob.clear();
        }
        Ok(())
    }
}

/// The statement that stores one party's blob: import id, party id, blob.
pub(super) const INSERT_BLOB: &str =
    "INSERT INTO party_positions (import_id, party_id, positions) VALUES (?1, ?2, ?3)";

/// The data step of migration 0014: every position of the `positions` table, moved into one
/// blob per import and party, then deleted from it. Runs in the migration's transaction, so an
/// interrupted move leaves the database as it was.
pub(super) fn move_rows_of_positions(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    let mut statement = transaction.prepare(
        "SELECT import_id, party_id, product_id, term, currency, seats, spend, unit_price,
                unit_cost, line_count, line_ordinals
         FROM positions ORDER BY import_id, party_id, product_id, term, currency",
    )?;
    let mut rows = statement.query([])?;
    let mut insert = transaction.prepare(INSERT_BLOB)?;
    let mut blobs = PartyBlobs::new(|(import_id, party_id): (i64, i64), blob: &[u8]| {
        insert.execute(rusqlite::params![import_id, party_id, blob])?;
        Ok(())
    });
    while let Some(row) = rows.next()? {
        let decimal = |index: usize, column: &'static str| -> Result<Decimal, StoreError> {
            decimal_from(column, &row.get::<_, String>(index)?)
        };
        blobs.push(
            (row.get(0)?, row.get(1)?),
            &PartyPosition {
                product_id: row.get(2)?,
                term: row
                    .get::<_, String>(3)?
                    .parse()
                    .unwrap_or(Term::Unspecified),
                currency: row.get(4)?,
                seats: decimal(5, "positions.seats")?,
                spend: decimal(6, "positions.spend")?,
                unit_price: optional_decimal("positions.unit_price", row.get(7)?)?,
                unit_cost: optional_decimal("positions.unit_cost", row.get(8)?)?,
                line_count: u64::try_from(row.get::<_, i64>(9)?).unwrap_or_default(),
                ordinals: row.get(10)?,
            },
        )?;
    }
    blobs.finish()?;
    drop(rows);
    transaction.execute("DELETE FROM positions", [])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn position(product_id: i64, ordinals: Option<Vec<u8>>) -> PartyPosition {
        PartyPosition {
            product_id,
            term: Term::Annual,
            currency: "EUR".to_string(),
            seats: dec!(-3),
            spend: dec!(1234567890.123456),
            unit_price: Some(dec!(15)),
            unit_cost: None,
            line_count: 4,
            ordinals,
        }
    }

    #[test]
    fn positions_read_back_exactly_in_the_order_written() {
        let written = vec![
            position(7, Some(vec![0, 3, 1])),
            position(1_000_000_000_000, None),
            PartyPosition {
                currency: String::new(),
                term: Term::Unspecified,
                unit_cost: Some(dec!(0.0001)),
                ..position(9, Some(Vec::new()))
            },
        ];
        let mut blob = Vec::new();
        for one in &written {
            encode_position(&mut blob, one);
        }
        assert_eq!(decode_positions(&blob).expect("decodes"), written);
        assert!(decode_positions(&blob[..blob.len() - 1]).is_err());
    }

    #[test]
    fn every_term_has_its_own_code_and_the_codes_never_change() {
        // Stored in every blob written since this table existed: changing one misreads them.
        let mut names: Vec<(&str, u8)> = Term::ALL
            .into_iter()
            .map(|term| (term.as_str(), term_code(term)))
            .collect();
        names.sort_by_key(|(_, code)| *code);
        assert_eq!(
            names,
            [
                ("monthly", 0),
                ("annual", 1),
                ("2-year", 2),
                ("3-year", 3),
                ("trial", 4),
                ("one-time", 5),
                ("unspecified", 6),
            ]
        );
        for term in Term::ALL {
            assert_eq!(term_of_code(term_code(term)), Some(term));
        }
    }

    #[test]
    fn a_blob_written_with_term_names_reads_back_as_one_with_term_numbers() {
        // As billgap wrote a position before terms were numbers: flags, product, term name.
        let mut old = vec![UNIT_PRICE | ORDINALS];
        push_varint(&mut old, zigzag(7));
        push_bytes(&mut old, b"annual");
        push_bytes(&mut old, b"EUR");
        for value in [dec!(-3), dec!(1234567890.123456), dec!(15)] {
            push_decimal(&mut old, value);
        }
        push_varint(&mut old, 4);
        push_bytes(&mut old, &[0, 3, 1]);
        let read = decode_positions(&old).expect("decodes");
        let written = PartyPosition {
            unit_cost: None,
            ..position(7, Some(vec![0, 3, 1]))
        };
        assert_eq!(read, std::slice::from_ref(&written));
        let mut new = Vec::new();
        encode_position(&mut new, &written);
        assert!(new.len() < old.len());
        assert_eq!(decode_positions(&new).expect("decodes"), [written]);
        // A term number past the known terms is damage, not a guess: after the flags and the
        // one-byte product id comes the term.
        let mut damaged = new.clone();
        damaged[2] = 200;
        assert!(decode_positions(&damaged).is_err());
    }

    #[test]
    fn totals_are_stored_normalised() {
        let mut blob = Vec::new();
        encode_position(
            &mut blob,
            &PartyPosition {
                seats: dec!(3.00),
                unit_price: Some(dec!(15.50)),
                ..position(1, None)
            },
        );
        let read = decode_positions(&blob).expect("decodes");
        assert_eq!(read[0].seats.to_string(), "3");
        assert_eq!(
            read[0].unit_price.map(|price| price.to_string()),
            Some("15.5".into())
        );
    }
}
