//! The mapping queues (clients and products): their state, and what each mapping action does
//! to it. A screen reaches the library only through the workspace it is handed, and tells the
//! app what else must follow through a [`ScreenOutcome`].

use crate::domain::decision::Decision;
use crate::tui::action::Action;
use crate::tui::cursor::shift;
use crate::tui::input::{Prompt, PromptKind};
use crate::tui::outcome::{ScreenOutcome, Tone};
use crate::workflow::{
    Candidate, MappingChoice, MappingKind, MappingState, QueueEntry, QueueFilter, Target,
    WorkflowError, Workspace,
};

/// How many candidates the right-hand side lists.
const CANDIDATES: usize = 10;

/// How many search results are kept; the list shows what fits.
const SEARCH_RESULTS: usize = 50;

/// One mapping queue and the candidates of its selected entry.
#[derive(Debug, Clone)]
pub struct MappingScreen {
    /// Client or product.
    pub kind: MappingKind,
    /// Which entries are listed.
    pub filter: QueueFilter,
    /// A text the entry names must contain (case-insensitive), empty for none.
    pub text_filter: String,
    /// The entries listed, by vendor spend.
    pub entries: Vec<QueueEntry>,
    /// Index of the selected entry.
    pub selected: usize,
    /// Ranked candidates for the selected entry.
    pub candidates: Vec<Candidate>,
    /// Index of the selected candidate.
    pub candidate: usize,
    /// The full PSA list, loaded on the first search.
    pub targets: Vec<Target>,
    /// Search results over `targets`, best first.
    pub search_results: Vec<Target>,
    /// The text searched for, which names a catalogue product when nothing matches.
    pub search_query: String,
    /// Index of the selected search result.
    pub search_selected: usize,
    /// The safe-band decisions a bulk accept would make, once counted.
    pub pending_bulk: Option<Vec<Decision>>,
}

impl MappingScreen {
    /// An empty queue of a kind; [`MappingScreen::reload`] fills it.
    pub fn new(kind: MappingKind) -> MappingScreen {
        MappingScreen {
            kind,
            filter: QueueFilter::Unmapped,
            text_filter: String::new(),
            entries: Vec::new(),
            selected: 0,
            candidates: Vec::new(),
            candidate: 0,
            targets: Vec::new(),
            search_results: Vec::new(),
            search_query: String::new(),
            search_selected: 0,
            pending_bulk: None,
        }
    }

    /// The selected entry, if the queue is not empty.
    pub fn selected_entry(&self) -> Option<&QueueEntry> {
        self.entries.get(self.selected)
    }

    /// The noun for the vendor side ("customer" or "product").
    pub fn noun(&self) -> &'static str {
        match self.kind {
            MappingKind::Client => "customer",
            MappingKind::Product => "product",
        }
    }

    /// Reloads the queue, keeping the selection at the same position, then its candidates.
    /// The PSA list is dropped, since a decision or an import may have changed it.
    pub fn reload(&mut self, workspace: &mut Workspace) -> Result<(), WorkflowError> {
        let needle = self.text_filter.to_lowercase();
        let mut entries = workspace.queue(self.kind, self.filter)?;
        if !needle.is_empty() {
            // The filter finds a vendor too: `pax8` lists Pax8's customers, as does `ms`.
            entries.retain(|entry| {
                entry.name.to_lowercase().contains(&needle)
                    || entry.key.system.to_lowercase().contains(&needle)
                    || crate::tui::views::badge(&entry.key.system).to_lowercase() == needle
            });
        }
        self.entries = entries;
        self.targets.clear();
        self.selected = shift(self.selected, 0, self.entries.len());
        self.load_candidates(workspace)
    }

    fn load_candidates(&mut self, workspace: &mut Workspace) -> Result<(), WorkflowError> {
        self.candidates = match self.selected_entry().cloned() {
            Some(entry) => workspace.candidates(self.kind, &entry, CANDIDATES)?,
            None => Vec::new(),
        };
        self.candidate = 0;
        Ok(())
    }

    /// Moves the selection by `step` entries and loads the new entry's candidates.
    pub fn move_by(&mut self, step: isize, workspace: &mut Workspace) -> Result<(), WorkflowError> {
        let before = self.selected;
        self.selected = shift(self.selected, step, self.entries.len());
        if self.selected != before {
            self.load_candidates(workspace)?;
        }
        Ok(())
    }

    /// Applies one mapping action.
    pub fn update(
        &mut self,
        action: Action,
        workspace: &mut Workspace,
    ) -> Result<ScreenOutcome, WorkflowError> {
        if !matches!(action, Action::BulkAccept) {
            self.pending_bulk = None;
        }
        let selected_candidate = self
            .candidates
            .get(self.candidate)
            .map(|candidate| candidate.key.clone());
        Ok(match action {
            Action::PreviousCandidate => {
                self.candidate = shift(self.candidate, -1, self.candidates.len());
                ScreenOutcome::default()
            }
            Action::NextCandidate => {
                self.candidate = shift(self.candidate, 1, self.candidates.len());
                ScreenOutcome::default()
            }
            Action::ConfirmSuggestion => match selected_candidate {
                Some(target) => self.choose(MappingChoice::Confirm(target), workspace)?,
                None => ScreenOutcome::say(
                    "No candidate to confirm: search the full PSA list instead.",
                    Tone::Info,
                ),
            },
            Action::RejectSuggestion => match selected_candidate {
                Some(target) => self.choose(MappingChoice::Reject(target), workspace)?,
                None => ScreenOutcome::default(),
            },
            Action::SkipEntry => {
                self.move_by(1, workspace)?;
                ScreenOutcome::default()
            }
            Action::IgnoreEntry if self.selected_entry().is_some() => {
                ScreenOutcome::ask(Prompt::new(PromptKind::IgnoreReason, ""))
            }
            Action::UnmapEntry => {
                let decided = self
                    .selected_entry()
                    .is_some_and(|entry| entry.state != MappingState::Unmapped);
                if decided {
                    self.choose(MappingChoice::Unmap, workspace)?
                } else {
                    ScreenOutcome::say("This entry has no mapping to remove.", Tone::Info)
                }
            }
            Action::SearchTargets if self.selected_entry().is_some() => {
                if self.targets.is_empty() {
                    self.targets = workspace.targets(self.kind)?;
                }
                self.search("");
                ScreenOutcome::ask(Prompt::new(PromptKind::Search, ""))
            }
            Action::BulkAccept => self.bulk_accept(workspace)?,
            Action::CycleQueueFilter => {
                self.filter = self.filter.cycled();
                self.selected = 0;
                self.reload(workspace)?;
                ScreenOutcome::default()
            }
            Action::FilterQueue => ScreenOutcome::ask(Prompt::new(
                PromptKind::QueueFilter,
                self.text_filter.clone(),
            )),
            _ => ScreenOutcome::default(),
        })
    }

    /// Records a choice about the selected entry; the sentence says whether it changed
    /// anything, so a no-op is never reported as done.
    pub fn choose(
        &mut self,
        choice: MappingChoice,
        workspace: &mut Workspace,
    ) -> Result<ScreenOutcome, WorkflowError> {
        let Some(entry) = self.selected_entry() else {
            return Ok(ScreenOutcome::default());
        };
        let decision = entry.decision(self.kind, choice);
        let outcome = workspace.decide(&decision)?;
        let tone = if outcome.changed {
            Tone::Good
        } else {
            Tone::Info
        };
        Ok(ScreenOutcome {
            mappings_moved: outcome.changed,
            ..ScreenOutcome::say(outcome.sentence, tone)
        })
    }

    /// Ranks the PSA list against a query with the matcher's type-ahead.
    pub fn search(&mut self, query: &str) {
        self.search_query = query.trim().to_string();
        let names: Vec<&str> = self
            .targets
            .iter()
            .map(|target| target.name.as_str())
            .collect();
        self.search_results = crate::domain::matching::type_ahead(query, &names)
            .into_iter()
            .take(SEARCH_RESULTS)
            .filter_map(|(index, _)| self.targets.get(index).cloned())
            .collect();
        self.search_selected = 0;
    }

    /// Maps the selected entry to the selected search result.
    pub fn confirm_search_result(
        &mut self,
        workspace: &mut Workspace,
    ) -> Result<ScreenOutcome, WorkflowError> {
        match self.search_results.get(self.search_selected).cloned() {
            Some(target) => self.choose(MappingChoice::Confirm(target.key), workspace),
            // A PSA product that no agreement bills yet is still a product of the PSA's
            // catalogue: mapping to it by its id is how a missing line is found and priced,
            // exactly as `billgap map product … ID` does.
            None if self.kind == MappingKind::Product && !self.search_query.is_empty() => {
                let named = workspace.find_psa_product_or_catalogue(&self.search_query)?;
                let mut outcome =
                    self.choose(MappingChoice::Confirm(named.key.clone()), workspace)?;
                if named.catalogue_only {
                    if let Some((text, _)) = outcome.status.as_mut() {
                        text.push_str(&format!(
                            " ({} is a catalogue product no agreement bills yet: its seats show as missing until one does.)",
                            named.key
                        ));
                    }
                }
                Ok(outcome)
            }
            None => Ok(ScreenOutcome::say(
                "Nothing matches that search.",
                Tone::Info,
            )),
        }
    }

    /// First press: the safe band is ranked on a worker ([`MappingScreen::offer_bulk`] shows
    /// it). Second press: confirm what was offered, each logged as automatic.
    fn bulk_accept(&mut self, workspace: &mut Workspace) -> Result<ScreenOutcome, WorkflowError> {
        if let Some(pending) = self.pending_bulk.take() {
            let accepted = workspace.accept_decisions(&pending)?;
            return Ok(ScreenOutcome {
                mappings_moved: accepted > 0,
                ..ScreenOutcome::say(format!("Accepted {accepted} safe suggestions."), Tone::Good)
            });
        }
        Ok(ScreenOutcome {
            rank_safe_band: true,
            ..ScreenOutcome::say("Ranking the safe band…", Tone::Info)
        })
    }

    /// Offers the safe band a worker ranked, and asks for the second press. A ranking made
    /// before the mappings last moved (`current` false) is not offered: it may name entries
    /// that are mapped by now.
    pub fn offer_bulk(
        &mut self,
        decisions: Vec<Decision>,
        current: bool,
        bulk_key: &str,
        named: &[String],
    ) -> ScreenOutcome {
        if !current {
            return ScreenOutcome::say(
                "The mappings changed while the safe band was ranked; press the key again.",
                Tone::Info,
            );
        }
        if decisions.is_empty() {
            return ScreenOutcome::say("No suggestion is in the safe band.", Tone::Info);
        }
        let count = decisions.len();
        self.pending_bulk = Some(decisions);
        let more = count.saturating_sub(named.len());
        let listed = if more > 0 {
            format!("{} and {more} more", named.join(", "))
        } else {
            named.join(", ")
        };
        ScreenOutcome::say(
            format!(
                "{count} suggestions are in the safe band ({listed}): press {bulk_key} again to accept them all."
            ),
            Tone::Info,
        )
    }
}
