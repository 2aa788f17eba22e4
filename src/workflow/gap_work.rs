//! Working a gap: acknowledging it with a note, marking it fixed in the PSA, snoozing it, or
//! clearing that. Each is a decision in the log, so undo, redo and `billgap log` cover it.

use super::deciding::DecisionOutcome;
use super::workspace::{WorkflowError, Workspace};
use crate::domain::alerting::gap_key;
use crate::domain::decision::Decision;
use crate::domain::gap_work::{GapWork, GapWorkState};
use crate::domain::ledger::TrackedGap;
use crate::domain::reconcile::GapIdentity;
use chrono::NaiveDate;

impl Workspace {
    /// Records what is being done about a gap. A snooze needs a last day that is not in the
    /// past; a snooze into the past would hide nothing and read as if it did.
    pub fn work_gap(
        &mut self,
        gap: &TrackedGap,
        state: GapWorkState,
        note: &str,
        until: Option<NaiveDate>,
    ) -> Result<DecisionOutcome, WorkflowError> {
        if state == GapWorkState::Snoozed {
            match until {
                None => {
                    return Err(WorkflowError::Refused(
                        "a snooze needs the last day it lasts (YYYY-MM-DD)".to_string(),
                    ));
                }
                Some(day) if day < self.today() => {
                    return Err(WorkflowError::Refused(format!(
                        "{day} is in the past: a snooze lasts until a day from today on"
                    )));
                }
                Some(_) => {}
            }
        }
        let decision = Decision::WorkGap {
            gap: gap_key(&GapIdentity::of(&gap.gap)),
            label: label(gap),
            work: GapWork {
                state,
                note: note.trim().to_string(),
                until: until.filter(|_| state == GapWorkState::Snoozed),
            },
        };
        self.decide(&decision)
    }

    /// Clears the work recorded on a gap.
    pub fn clear_gap_work(&mut self, gap: &TrackedGap) -> Result<DecisionOutcome, WorkflowError> {
        self.decide(&Decision::ClearGapWork {
            gap: gap_key(&GapIdentity::of(&gap.gap)),
            label: label(gap),
        })
    }
}

/// Puts the work recorded on each gap beside it, by the gap's stable key: reports show it, and
/// a check holds back alerts about a snoozed gap.
pub(super) fn attach_work(
    store: &crate::store::Store,
    gaps: &mut [TrackedGap],
) -> Result<(), crate::store::StoreError> {
    let work = store.gap_work()?;
    if work.is_empty() {
        return Ok(());
    }
    for tracked in gaps {
        tracked.work = work.get(&gap_key(&GapIdentity::of(&tracked.gap))).cloned();
    }
    Ok(())
}

/// A gap named as the log shows it: "Contoso · M365 E3 (annual) unbilled".
fn label(tracked: &TrackedGap) -> String {
    let gap = &tracked.gap;
    format!(
        "{} · {} ({}) {}",
        gap.company_name,
        gap.product_name,
        gap.term,
        gap.kind.as_str()
    )
}
