//! Help that teaches: what each screen shows, what its marks mean, and what to do next. The
//! help overlay shows it beside the keys of the screen.

use crate::domain::matching::{HIGH_THRESHOLD, REVIEW_THRESHOLD};
use crate::domain::reconcile::GapKind;
use crate::tui::action::Screen;

/// The guide of one screen, as paragraphs.
pub fn guide(screen: Screen) -> Vec<String> {
    match screen {
        Screen::Overview => vec![
            "Coverage is the share of vendor spend whose customer and product are both mapped (or ignored), per currency. Gaps are trusted only at 100% in every currency.".to_string(),
            "Start here: 2 import a vendor export and a PSA export, then map on 3 Clients and 4 Products, then work 5 Gaps by value.".to_string(),
        ],
        Screen::Import => vec![
            "Nothing is written until you press Enter: the detected format, side, slice and period are shown first.".to_string(),
            "A file without a currency column needs c (currency). A file with 31/01 dates needs d, one with 12,50 amounts needs the decimal comma. b sets bad rows aside in a .rejected.csv instead of failing the file.".to_string(),
            "Importing the same bytes again changes nothing; a newer export of the same slice replaces the older one.".to_string(),
        ],
        Screen::Clients | Screen::Products => vec![
            "Marks: · unmapped, ✓ mapped, – ignored. The vendor column tells one name under two vendors apart.".to_string(),
            format!(
                "Scores run 0–100: {HIGH_THRESHOLD}+ is high, {REVIEW_THRESHOLD}–{} needs a look, below that no suggestion is made. \"safe\" means unambiguous and far ahead of the runner-up: only those are accepted by A.",
                HIGH_THRESHOLD - 1
            ),
            "A confirmed mapping is never changed by A or by an ignore. u undoes the last decision made on this screen (on the Overview, the last of any kind); a whole bulk accept is one step.".to_string(),
        ],
        Screen::Gaps => {
            let mut text = vec![
                "Marks: ! over the client's threshold, ▲ revenue not billed, ▼ refund risk.".to_string(),
                "Work a gap: a acknowledge it with a note, p fixed in the PSA (waiting for the next export), z snooze it until a day, x clear that. The reports show it.".to_string(),
            ];
            text.extend(
                GapKind::ALL
                    .iter()
                    .map(|kind| format!("{}: {}.", kind.as_str(), kind.advice())),
            );
            text
        }
        Screen::Export => vec![
            "The report is what the gap table shows. csv and xlsx open in Excel (formula cells neutralised), md and html read as they are, json is for scripts.".to_string(),
            "Writing a report never records a review; S on the Gaps screen does.".to_string(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_has_a_guide_and_the_gaps_guide_explains_every_kind() {
        for screen in Screen::ALL {
            assert!(!guide(screen).is_empty(), "{screen:?}");
        }
        let gaps = guide(Screen::Gaps).join(" ");
        for kind in GapKind::ALL {
            assert!(gaps.contains(kind.as_str()), "{kind:?}");
        }
        assert!(gaps.contains("refund risk"));
    }
}
