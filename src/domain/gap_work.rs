//! Working a gap: what the billing owner has done about it. A gap is acknowledged (with a
//! note), marked fixed in the PSA while the next export is awaited, or snoozed until a day.
//! The work follows the gap's stable key, so it stays with the gap across reviews.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where the work on a gap stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapWorkState {
    /// Seen and being handled; the note says how.
    Acknowledged,
    /// Fixed in the PSA; the gap goes once the next export shows it.
    FixedInPsa,
    /// Put aside until a day (the work's `until`).
    Snoozed,
}

impl GapWorkState {
    /// The stable name stored and shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GapWorkState::Acknowledged => "acknowledged",
            GapWorkState::FixedInPsa => "fixed-in-psa",
            GapWorkState::Snoozed => "snoozed",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(text: &str) -> Option<GapWorkState> {
        [
            GapWorkState::Acknowledged,
            GapWorkState::FixedInPsa,
            GapWorkState::Snoozed,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// The work recorded on one gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapWork {
    /// Where it stands.
    pub state: GapWorkState,
    /// The billing owner's note.
    pub note: String,
    /// For a snooze: the last day it is put aside.
    pub until: Option<NaiveDate>,
}

impl GapWork {
    /// True while a snooze is in force on `today`. A snooze that has run out, and every other
    /// state, leaves the gap in the worklist.
    pub fn snoozed_on(&self, today: NaiveDate) -> bool {
        self.state == GapWorkState::Snoozed && self.until.is_some_and(|until| today <= until)
    }

    /// A few words for a table cell: "acknowledged", "fixed in PSA", "snoozed to 2026-12-09".
    pub fn label(&self) -> String {
        match (self.state, self.until) {
            (GapWorkState::Acknowledged, _) => "acknowledged".to_string(),
            (GapWorkState::FixedInPsa, _) => "fixed in PSA".to_string(),
            (GapWorkState::Snoozed, Some(until)) => format!("snoozed to {until}"),
            (GapWorkState::Snoozed, None) => "snoozed".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snooze_ends_after_its_last_day_and_states_round_trip() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        let work = GapWork {
            state: GapWorkState::Snoozed,
            note: "client on holiday".to_string(),
            until: Some(day(9)),
        };
        assert!(work.snoozed_on(day(9)));
        assert!(!work.snoozed_on(day(10)));
        assert_eq!(work.label(), "snoozed to 2026-12-09");
        for state in [
            GapWorkState::Acknowledged,
            GapWorkState::FixedInPsa,
            GapWorkState::Snoozed,
        ] {
            assert_eq!(GapWorkState::from_stored(state.as_str()), Some(state));
        }
    }
}
