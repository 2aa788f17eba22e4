//! What a scheduled check tells people, decided from the ledger: the data of an alert, and the
//! rules that keep alerts few and right (connectors.md §5.2).
//!
//! Pure: no clock (the day is passed in), no I/O. The application core reads the history of
//! past notifications from the store, asks these rules what is due, and logs what it sent.

use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::Money;
use crate::domain::reconcile::GapKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Why a gap is in an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertReason {
    /// First seen over the threshold.
    New,
    /// Larger than when it was last alerted.
    Worse,
    /// Still open after the reminder interval.
    Reminder,
    /// Gone in two consecutive complete runs, after it was alerted.
    Resolved,
}

impl AlertReason {
    /// The stable name, for logs and payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertReason::New => "new",
            AlertReason::Worse => "worse",
            AlertReason::Reminder => "reminder",
            AlertReason::Resolved => "resolved",
        }
    }
}

/// One gap as an alert shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertedGap {
    /// The gap's stable key (company, product, term, kind, currency), the same in every run:
    /// dedupe, reminders and resolved notices are keyed on it.
    pub key: String,
    /// The PSA product.
    pub product: SourceKey,
    /// Its display name.
    pub product_name: String,
    /// The term.
    pub term: Term,
    /// The kind of gap.
    pub kind: GapKind,
    /// Vendor seats.
    pub vendor_seats: Decimal,
    /// PSA billed seats.
    pub psa_seats: Decimal,
    /// Vendor minus PSA seats.
    pub delta: Decimal,
    /// Value per month (signed: negative when overbilled); `None` when unpriced.
    pub value: Option<Money>,
    /// Days since first seen.
    pub age_days: i64,
    /// Money it has cost since first seen, in the value's currency.
    pub cost_to_date: Option<Money>,
    /// Why it is in this alert.
    pub reason: AlertReason,
}

/// One client's alert: the gaps that changed or are due again, with coverage first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertGroup {
    /// The PSA company.
    pub company: SourceKey,
    /// Its display name.
    pub company_name: String,
    /// The day of the run.
    pub as_of: NaiveDate,
    /// Coverage in one sentence, said first in every alert: "no gaps" is never said.
    pub coverage: String,
    /// Revenue not billed per month, per currency (sum of the positive values).
    pub unbilled: Vec<Money>,
    /// Billed without cost per month, per currency (a refund risk; the absolute values).
    pub overbilled: Vec<Money>,
    /// The gaps, largest value first.
    pub gaps: Vec<AlertedGap>,
}

impl AlertGroup {
    /// True when every gap in the group is a resolved notice.
    pub fn is_resolved_notice(&self) -> bool {
        !self.gaps.is_empty()
            && self
                .gaps
                .iter()
                .all(|gap| gap.reason == AlertReason::Resolved)
    }
}
