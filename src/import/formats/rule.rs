//! What every seat rule shares: the outcome of a row, the rule trait and its context, and the
//! small helpers the formats use alike.

use crate::domain::lines::{ChargeKind, Line, Period, Term};
use crate::import::row::{CellError, Row};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// What a rule made of one row.
#[derive(Debug)]
pub enum Outcome {
    /// A line for the sink.
    Line(Box<Line>),
    /// A valid row that does not count (not billable, cancelled, inactive); counted, not stored.
    Excluded,
    /// A row kept until the whole file is read (Autotask picks rows by date at the end).
    Held,
}

/// Turns rows into lines for one file.
pub trait SeatRule {
    /// Reads one row; `source_line` is its 1-based line or record number.
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError>;

    /// Lines released once every row is read, in file order.
    fn finish(&mut self) -> Vec<Line> {
        Vec::new()
    }

    /// Rows held and then not released, for the excluded count.
    fn dropped(&self) -> u64 {
        0
    }

    /// The period the rule chose for the file, when it decides one (Autotask).
    fn period(&self) -> Option<Period> {
        None
    }
}

/// What a rule may know beyond the row.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext {
    /// The period the user named, if any.
    pub period: Option<Period>,
    /// Today, for "cancelled in the future" when no period is named.
    pub today: NaiveDate,
}

/// The last day of a period.
pub fn last_day(period: Period) -> NaiveDate {
    let first = period.first_day();
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(first)
}

/// The reading of a charge type a vendor rule does not know. Charge types are an open set in
/// the wild; a positive quantity is read as recurring seats, since seat-bearing rows are what
/// vendor billing files are mostly made of, and anything else as a credit (money only), so an
/// unknown refund can never add seats.
pub fn unknown_charge(quantity: Decimal) -> (ChargeKind, Decimal) {
    if quantity > Decimal::ZERO {
        (ChargeKind::Recurring, quantity)
    } else {
        (ChargeKind::Credit, Decimal::ZERO)
    }
}

/// The terms of the few texts a file repeats on every row (`Annual`, `Monthly`), each read
/// once: reading a term walks its words, and a large file has a million rows.
#[derive(Debug, Default)]
pub struct TermMemo {
    known: Vec<(String, Term)>,
}

/// How many distinct term texts are remembered; any further ones are read each time.
const TERMS_REMEMBERED: usize = 16;

impl TermMemo {
    /// [`Term::parse_lenient`] of `text`, remembered.
    pub fn parse(&mut self, text: &str) -> Term {
        if let Some((_, term)) = self.known.iter().find(|(known, _)| known == text) {
            return *term;
        }
        let term = Term::parse_lenient(text);
        if self.known.len() < TERMS_REMEMBERED {
            self.known.push((text.to_string(), term));
        }
        term
    }
}

/// Folds a charge type for comparison: lower case, letters only (`Cycle fee` → `cyclefee`).
pub fn fold(text: &str) -> Folded {
    let mut folded = Folded {
        short: [0; FOLDED_ON_THE_STACK],
        length: 0,
        long: None,
    };
    for byte in text.bytes().filter(u8::is_ascii_alphanumeric) {
        match folded.short.get_mut(folded.length) {
            Some(slot) => *slot = byte.to_ascii_lowercase(),
            None => {
                let long = folded
                    .long
                    .get_or_insert_with(|| String::from_utf8_lossy(&folded.short).into_owned());
                long.push(char::from(byte.to_ascii_lowercase()));
            }
        }
        folded.length = folded.length.saturating_add(1);
    }
    folded
}

/// Folded text up to this length stays on the stack: every charge type, status and flag seen
/// in the wild is shorter, and the fold runs for every row of a file.
const FOLDED_ON_THE_STACK: usize = 48;

/// A text folded by [`fold`]: ASCII letters and digits, lower-cased.
pub struct Folded {
    short: [u8; FOLDED_ON_THE_STACK],
    length: usize,
    /// The whole folded text, once it outgrew `short`.
    long: Option<String>,
}

impl Folded {
    /// The folded text.
    pub fn as_str(&self) -> &str {
        match &self.long {
            Some(long) => long,
            // Only ASCII letters and digits were kept, so the bytes are always UTF-8.
            None => std::str::from_utf8(self.short.get(..self.length).unwrap_or_default())
                .unwrap_or_default(),
        }
    }
}

impl std::ops::Deref for Folded {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Folded {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
