//! Seat rules: how a row of each format becomes a line, one module per format.
//!
//! The profile says where a value is; the rule says what it means: which charge types state
//! seats, which are deltas and which only move money, and which rows a PSA does not bill.

mod autotask;
mod connectwise;
mod generic;
mod halo;
mod nce;
mod partner_legacy;
mod pax8;

use super::profile::RuleSet;
use super::row::{CellError, Row};
use crate::domain::lines::{Line, Period};
use chrono::NaiveDate;

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

/// The seat rule of a rule set.
pub fn seat_rule(rules: RuleSet, context: RuleContext) -> Box<dyn SeatRule> {
    match rules {
        RuleSet::PartnerCenterNce => Box::new(nce::NceRule),
        RuleSet::PartnerCenterLegacy => Box::new(partner_legacy::LegacyRule),
        RuleSet::Pax8 => Box::new(pax8::Pax8Rule),
        RuleSet::ConnectwiseAdditions => Box::new(connectwise::AdditionRule::new(context)),
        RuleSet::AutotaskServiceUnits => Box::new(autotask::ServiceUnitRule::new(context)),
        RuleSet::HaloRecurringLines => Box::new(halo::HaloRule),
        RuleSet::Generic => Box::new(generic::GenericRule),
    }
}

/// The last day of a period.
pub fn last_day(period: Period) -> NaiveDate {
    let first = period.first_day();
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(first)
}

/// Folds a charge type for comparison: lower case, letters only (`Cycle fee` → `cyclefee`).
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
