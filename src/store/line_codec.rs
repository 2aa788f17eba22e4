//! The stored form of an import's lines: chunks of lines in file order, and for each position
//! the list of its lines' ordinals within the import.
//!
//! An import of a million rows used to cost a million inserts into an indexed table. Lines are
//! now written as a few thousand blobs appended in order, and a drill-down finds a position's
//! lines through its ordinals. A line carries neither its party, product, term nor currency:
//! its position holds those. Decimals keep their exact mantissa and scale, so "26.40" reads
//! back as "26.40".

use super::connection::StoreError;
use crate::domain::lines::{ChargeKind, Line};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Lines per chunk: a drill-down decodes whole chunks, so they stay small.
pub(super) const CHUNK_LINES: u64 = 256;

const CHARGES: [ChargeKind; 5] = [
    ChargeKind::Recurring,
    ChargeKind::Change,
    ChargeKind::Credit,
    ChargeKind::Usage,
    ChargeKind::OneTime,
];

const UNIT_PRICE: u8 = 1;
const UNIT_COST: u8 = 2;
const AMOUNT: u8 = 4;
const PERIOD_START: u8 = 8;
const PERIOD_END: u8 = 16;
const SUBSCRIPTION: u8 = 32;
// Chunks written before line ids existed never set this bit, so they read back unchanged.
const LINE_ID: u8 = 64;

/// One line as stored, without what its position says (party, product, term, currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    /// Line in the source file.
    pub source_line: i64,
    /// Charge kind, by its stored name.
    pub charge: &'static str,
    /// Signed seats.
    pub seats: Decimal,
    /// Unit price, in the position's currency.
    pub unit_price: Option<Decimal>,
    /// Unit cost, in the position's currency.
    pub unit_cost: Option<Decimal>,
    /// Extended amount, in the position's currency.
    pub amount: Option<Decimal>,
    /// First day covered.
    pub period_start: Option<NaiveDate>,
    /// Last day covered.
    pub period_end: Option<NaiveDate>,
    /// Subscription, agreement or contract.
    pub subscription: Option<String>,
    /// The source's own id of the row (a PSA addition or line).
    pub line_id: Option<String>,
}

/// Appends one line to a chunk.
pub(super) fn encode_line(out: &mut Vec<u8>, line: &Line) {
    let amount = |money: &Option<crate::domain::money::Money>| money.as_ref().map(|m| m.amount);
    let (price, cost, total) = (
        amount(&line.unit_price),
        amount(&line.unit_cost),
        amount(&line.amount),
    );
    let flags = flags_of(&[
        (price.is_some(), UNIT_PRICE),
        (cost.is_some(), UNIT_COST),
        (total.is_some(), AMOUNT),
        (line.period_start.is_some(), PERIOD_START),
        (line.period_end.is_some(), PERIOD_END),
        (line.subscription.is_some(), SUBSCRIPTION),
        (line.line_id.is_some(), LINE_ID),
    ]);
    out.push(flags);
    let charge = CHARGES
        .iter()
        .position(|kind| *kind == line.charge)
        .unwrap_or_default();
    out.push(charge as u8);
    push_varint(out, u128::from(line.source_line));
    push_decimal(out, line.seats);
    for value in [price, cost, total].into_iter().flatten() {
        push_decimal(out, value);
    }
    for date in [line.period_start, line.period_end].into_iter().flatten() {
        push_varint(out, zigzag(i128::from(date_number(date))));
    }
    for text in [&line.subscription, &line.line_id].into_iter().flatten() {
        push_bytes(out, text.as_bytes());
    }
}

/// The flag byte of a record: each flag whose value is present.
pub(super) fn flags_of(present: &[(bool, u8)]) -> u8 {
    present
        .iter()
        .filter(|(is_present, _)| *is_present)
        .fold(0, |flags, (_, flag)| flags | flag)
}

/// Appends bytes after their length.
pub(super) fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    push_varint(out, bytes.len() as u128);
    out.extend_from_slice(bytes);
}

/// Decodes a whole chunk.
///
/// Fails with `Corrupt` when the bytes are not a chunk this module wrote.
pub(super) fn decode_chunk(data: &[u8]) -> Result<Vec<StoredLine>, StoreError> {
    let mut reader = Reader { data, at: 0 };
    let mut lines = Vec::new();
    while reader.at < data.len() {
        lines.push(reader.line().ok_or_else(|| corrupt(data))?);
    }
    Ok(lines)
}

/// The lines of a chunk at `wanted` indexes (ascending), in that order. The lines between are
/// read over without being built: a drill-down wants a few lines of each chunk it reads, and
/// building the other 250 (their texts allocated, then dropped) was most of a report's time.
/// Fewer lines come back than were wanted when the chunk ends first.
///
/// Fails with `Corrupt` when the bytes are not a chunk this module wrote.
pub(super) fn decode_lines_at(data: &[u8], wanted: &[u64]) -> Result<Vec<StoredLine>, StoreError> {
    let mut reader = Reader { data, at: 0 };
    let mut found = Vec::with_capacity(wanted.len());
    // The index of the line the reader is at.
    let mut next = 0_u64;
    for &want in wanted {
        debug_assert!(want >= next, "wanted lines are ascending and distinct");
        while next <= want {
            if reader.is_done() {
                return Ok(found);
            }
            let line = reader.borrowed_line().ok_or_else(|| corrupt(data))?;
            if next == want {
                found.push(line.owned());
            }
            next += 1;
        }
    }
    Ok(found)
}

/// A position's list of line ordinals while it is staged. A PSA export has about one line per
/// position, and a million lists of one to three bytes each on the heap were a million
/// allocations and frees in the row loop; this many bytes stay in place.
pub(super) type OrdinalList = smallvec::SmallVec<[u8; 16]>;

/// Appends the next ordinal of a position's lines; ordinals grow, so each is stored as the
/// gap from the one before (`previous` is `None` for the first).
pub(super) fn push_ordinal(out: &mut impl Extend<u8>, previous: Option<u64>, ordinal: u64) {
    let gap = previous.map_or(ordinal, |previous| ordinal.saturating_sub(previous));
    push_varint(out, u128::from(gap));
}

/// The ordinals a position stored, in order.
///
/// Fails with `Corrupt` when the bytes are not a list this module wrote.
pub(super) fn ordinals(data: &[u8]) -> Result<Vec<u64>, StoreError> {
    let mut reader = Reader { data, at: 0 };
    let mut found = Vec::new();
    let mut current: u64 = 0;
    while reader.at < data.len() {
        let gap = reader
            .varint()
            .and_then(|gap| u64::try_from(gap).ok())
            .ok_or_else(|| corrupt(data))?;
        current = current.checked_add(gap).ok_or_else(|| corrupt(data))?;
        found.push(current);
    }
    Ok(found)
}

fn corrupt(data: &[u8]) -> StoreError {
    StoreError::Corrupt {
        column: "line_chunks.data",
        value: format!("{} bytes that do not decode", data.len()),
    }
}

/// Appends a later stretch of a position's ordinals (`list`, as [`push_ordinal`] wrote it from
/// no previous ordinal) after ones whose last is `previous`: only its first gap changes.
///
/// Fails with `Corrupt` when `list` does not decode or does not start after `previous`.
pub(super) fn append_ordinals(
    out: &mut impl Extend<u8>,
    previous: Option<u64>,
    list: &[u8],
) -> Result<(), StoreError> {
    if list.is_empty() {
        return Ok(());
    }
    let mut reader = Reader::new(list);
    let first = reader
        .varint()
        .and_then(|first| u64::try_from(first).ok())
        .filter(|first| previous.is_none_or(|previous| *first > previous))
        .ok_or_else(|| corrupt(list))?;
    push_ordinal(out, previous, first);
    out.extend(list[reader.at..].iter().copied());
    Ok(())
}

/// Appends `value` in seven-bit groups, the lowest first.
pub(super) fn push_varint(out: &mut impl Extend<u8>, mut value: u128) {
    while value >= 0x80 {
        out.extend([(value as u8 & 0x7F) | 0x80]);
        value >>= 7;
    }
    out.extend([value as u8]);
}

/// A signed number as an unsigned one that stays small when the number is near zero.
pub(super) fn zigzag(value: i128) -> u128 {
    ((value << 1) ^ (value >> 127)) as u128
}

/// The inverse of [`zigzag`].
pub(super) fn unzigzag(value: u128) -> i128 {
    ((value >> 1) as i128) ^ -((value & 1) as i128)
}

/// Appends a decimal exactly: its scale, then its mantissa.
pub(super) fn push_decimal(out: &mut Vec<u8>, value: Decimal) {
    out.push(value.scale() as u8);
    push_varint(out, zigzag(value.mantissa()));
}

fn date_number(date: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date)
}

/// Reads back what the `push_` functions wrote; each read is `None` when the bytes are cut or
/// malformed.
pub(super) struct Reader<'d> {
    data: &'d [u8],
    at: usize,
}

impl<'d> Reader<'d> {
    /// A reader at the start of `data`.
    pub(super) fn new(data: &'d [u8]) -> Self {
        Self { data, at: 0 }
    }

    /// The next `length` bytes.
    pub(super) fn bytes(&mut self, length: usize) -> Option<&'d [u8]> {
        let end = self.at.checked_add(length)?;
        let bytes = self.data.get(self.at..end)?;
        self.at = end;
        Some(bytes)
    }

    /// Whether every byte was read.
    pub(super) fn is_done(&self) -> bool {
        self.at == self.data.len()
    }

    /// The next byte.
    pub(super) fn byte(&mut self) -> Option<u8> {
        let byte = *self.data.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    pub(super) fn varint(&mut self) -> Option<u128> {
        let mut value: u128 = 0;
        for shift in (0..128).step_by(7) {
            let byte = self.byte()?;
            value |= u128::from(byte & 0x7F).checked_shl(shift)?;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    pub(super) fn decimal(&mut self) -> Option<Decimal> {
        let scale = u32::from(self.byte()?);
        Decimal::try_from_i128_with_scale(unzigzag(self.varint()?), scale).ok()
    }

    /// A decimal when `flag` is set in `flags`, `Some(None)` when it is not, and `None` when
    /// the bytes are cut or malformed.
    pub(super) fn decimal_if(&mut self, flags: u8, flag: u8) -> Option<Option<Decimal>> {
        if flags & flag == 0 {
            Some(None)
        } else {
            self.decimal().map(Some)
        }
    }

    /// Bytes as [`push_bytes`] wrote them; `None` when they are cut.
    pub(super) fn prefixed_bytes(&mut self) -> Option<&'d [u8]> {
        let length = usize::try_from(self.varint()?).ok()?;
        self.bytes(length)
    }

    /// A text as [`push_bytes`] wrote it; `None` when the bytes are cut or not UTF-8.
    pub(super) fn text(&mut self) -> Option<&'d str> {
        std::str::from_utf8(self.prefixed_bytes()?).ok()
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let number = i32::try_from(unzigzag(self.varint()?)).ok()?;
        NaiveDate::from_num_days_from_ce_opt(number)
    }

    fn line(&mut self) -> Option<StoredLine> {
        self.borrowed_line().map(|line| line.owned())
    }

    /// The next line, its texts still in the chunk's bytes.
    fn borrowed_line(&mut self) -> Option<BorrowedLine<'d>> {
        let flags = self.byte()?;
        let charge = CHARGES.get(usize::from(self.byte()?))?.as_str();
        let source_line = i64::try_from(self.varint()?).ok()?;
        let seats = self.decimal()?;
        let (unit_price, unit_cost, amount) = (
            self.decimal_if(flags, UNIT_PRICE)?,
            self.decimal_if(flags, UNIT_COST)?,
            self.decimal_if(flags, AMOUNT)?,
        );
        let period_start = if flags & PERIOD_START == 0 {
            None
        } else {
            Some(self.date()?)
        };
        let period_end = if flags & PERIOD_END == 0 {
            None
        } else {
            Some(self.date()?)
        };
        let subscription = self.optional_text(flags, SUBSCRIPTION)?;
        let line_id = self.optional_text(flags, LINE_ID)?;
        Some(BorrowedLine {
            source_line,
            charge,
            seats,
            unit_price,
            unit_cost,
            amount,
            period_start,
            period_end,
            subscription,
            line_id,
        })
    }

    /// A length-prefixed text when `flag` is set, `Some(None)` when it is not, and `None` when
    /// the bytes are cut or not UTF-8.
    fn optional_text(&mut self, flags: u8, flag: u8) -> Option<Option<&'d str>> {
        if flags & flag == 0 {
            return Some(None);
        }
        self.text().map(Some)
    }
}

/// A decoded line whose texts are still borrowed from its chunk.
struct BorrowedLine<'d> {
    source_line: i64,
    charge: &'static str,
    seats: Decimal,
    unit_price: Option<Decimal>,
    unit_cost: Option<Decimal>,
    amount: Option<Decimal>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    subscription: Option<&'d str>,
    line_id: Option<&'d str>,
}

impl BorrowedLine<'_> {
    fn owned(self) -> StoredLine {
        StoredLine {
            source_line: self.source_line,
            charge: self.charge,
            seats: self.seats,
            unit_price: self.unit_price,
            unit_cost: self.unit_cost,
            amount: self.amount,
            period_start: self.period_start,
            period_end: self.period_end,
            subscription: self.subscription.map(str::to_string),
            line_id: self.line_id.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lines::{Party, Product, Term};
    use crate::domain::money::{Currency, Money};
    use std::str::FromStr;

    fn line(source_line: u64, seats: &str, subscription: Option<&str>) -> Line {
        let money = |text: &str| {
            Some(Money::new(
                Decimal::from_str(text).expect("decimal"),
                Currency::parse("EUR").expect("currency"),
            ))
        };
        Line {
            source_line,
            customer: Party {
                key: "c".into(),
                name: "C".into(),
                domain: None,
                external_id: None,
            },
            product: Product {
                key: "p".into(),
                name: "P".into(),
            },
            term: Term::Annual,
            charge: ChargeKind::Change,
            seats: Decimal::from_str(seats).expect("decimal"),
            unit_price: money("26.40"),
            unit_cost: None,
            amount: money("-79228162514264.337593543950"),
            period_start: NaiveDate::from_ymd_opt(2026, 11, 1),
            period_end: None,
            subscription: subscription.map(str::to_string),
            line_id: subscription.map(|id| format!("{id}/line")),
        }
    }

    #[test]
    fn lines_read_back_exactly_with_their_scale() {
        let mut chunk = Vec::new();
        encode_line(&mut chunk, &line(7, "-3.500", Some("sub-é")));
        encode_line(&mut chunk, &line(u64::from(u32::MAX) + 9, "0", None));
        let lines = decode_chunk(&chunk).expect("decodes");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].source_line, 7);
        assert_eq!(lines[0].charge, "change");
        assert_eq!(lines[0].seats.to_string(), "-3.500");
        assert_eq!(
            lines[0].unit_price.map(|d| d.to_string()),
            Some("26.40".into())
        );
        assert_eq!(lines[0].unit_cost, None);
        assert_eq!(
            lines[0].amount.map(|d| d.to_string()),
            Some("-79228162514264.337593543950".into())
        );
        assert_eq!(lines[0].period_start, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(lines[0].period_end, None);
        assert_eq!(lines[0].subscription.as_deref(), Some("sub-é"));
        assert_eq!(lines[0].line_id.as_deref(), Some("sub-é/line"));
        assert_eq!(lines[1].source_line, i64::from(u32::MAX) + 9);
        assert_eq!(lines[1].subscription, None);
        assert_eq!(lines[1].line_id, None);
    }

    #[test]
    fn a_cut_chunk_is_refused_rather_than_read_short() {
        let mut chunk = Vec::new();
        encode_line(&mut chunk, &line(7, "3", Some("subscription")));
        chunk.truncate(chunk.len() - 3);
        assert!(decode_chunk(&chunk).is_err());
    }

    #[test]
    fn ordinals_read_back_in_order() {
        let mut list = Vec::new();
        let mut previous = None;
        for ordinal in [0, 5, 300, 1_000_000] {
            push_ordinal(&mut list, previous, ordinal);
            previous = Some(ordinal);
        }
        assert_eq!(ordinals(&list).expect("decodes"), [0, 5, 300, 1_000_000]);
    }

    #[test]
    fn the_lines_wanted_of_a_chunk_are_the_ones_a_whole_decode_gives() {
        let mut chunk = Vec::new();
        for number in 0..40 {
            let subscription = (number % 3 == 0).then(|| format!("sub-{number}"));
            encode_line(
                &mut chunk,
                &line(number + 2, "1.5", subscription.as_deref()),
            );
        }
        let whole = decode_chunk(&chunk).expect("whole");
        for wanted in [
            vec![],
            vec![0],
            vec![39],
            vec![1, 2, 3],
            vec![0, 7, 21, 38, 39],
        ] {
            let expected: Vec<StoredLine> = wanted
                .iter()
                .map(|&at| whole[at as usize].clone())
                .collect();
            assert_eq!(decode_lines_at(&chunk, &wanted).expect("some"), expected);
        }
        // Past the end: the lines found before it, and no more.
        assert_eq!(
            decode_lines_at(&chunk, &[5, 40, 41]).expect("cut"),
            vec![whole[5].clone()]
        );
        assert!(decode_lines_at(&chunk[..chunk.len() - 1], &[39]).is_err());
    }
}
