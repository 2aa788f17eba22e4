//! What every seat rule shares: the outcome of a row, the rule trait and its context, and the
//! small helpers the formats use alike.

use crate::domain::lines::{ChargeKind, Line, Period};
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

/// Folds a charge type for comparison: lower case, letters only (`Cycle fee` → `cyclefee`).
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
