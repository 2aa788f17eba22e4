//! What a screen's update tells the app: a status message, a field to focus, and whether the
//! mappings moved (so every queue and the gaps must follow).

use crate::tui::input::Prompt;

/// How a status message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Something worked.
    Good,
    /// Something failed.
    Error,
}

/// The effects of one screen action that reach beyond the screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenOutcome {
    /// A message for the status line.
    pub status: Option<(String, Tone)>,
    /// A text field to focus.
    pub prompt: Option<Prompt>,
    /// True when a decision changed the mappings: coverage, both queues and the gaps follow.
    pub mappings_moved: bool,
    /// True when the safe band of the screen's queue must be ranked, on a worker.
    pub rank_safe_band: bool,
}

impl ScreenOutcome {
    /// Only a status message.
    pub fn say(text: impl Into<String>, tone: Tone) -> ScreenOutcome {
        ScreenOutcome {
            status: Some((text.into(), tone)),
            ..ScreenOutcome::default()
        }
    }

    /// Only a field to focus.
    pub fn ask(prompt: Prompt) -> ScreenOutcome {
        ScreenOutcome {
            prompt: Some(prompt),
            ..ScreenOutcome::default()
        }
    }
}
