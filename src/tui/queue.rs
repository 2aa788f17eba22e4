//! The mapping queues (clients and products): state, and what each mapping action does.

use crate::domain::lines::SourceKey;
use crate::tui::action::Action;
use crate::tui::app::{App, Tone, shift};
use crate::tui::data::{
    Candidate, DataError, Decision, MappingKind, MappingState, QueueEntry, QueueFilter, Target,
    Verdict,
};
use crate::tui::input::{Prompt, PromptKind};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// How many fuzzy search results are kept; the list shows what fits.
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
    /// Fuzzy search results over `targets`, best first.
    pub search_results: Vec<Target>,
    /// Index of the selected search result.
    pub search_selected: usize,
    /// The safe-band suggestions a bulk accept would confirm, once counted.
    pub pending_bulk: Option<Vec<(QueueEntry, SourceKey)>>,
}

impl MappingScreen {
    /// An empty queue of a kind; the app loads it.
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
}

impl App {
    fn queue_mut(&mut self, kind: MappingKind) -> &mut MappingScreen {
        match kind {
            MappingKind::Client => &mut self.clients,
            MappingKind::Product => &mut self.products,
        }
    }

    /// Reloads one queue, keeping the selection at the same position, then its candidates.
    pub(crate) fn reload_queue(&mut self, kind: MappingKind) -> Result<(), DataError> {
        let screen = self.queue_mut(kind);
        let filter = screen.filter;
        let needle = screen.text_filter.to_lowercase();
        let mut entries = self.data.queue(kind, filter)?;
        if !needle.is_empty() {
            entries.retain(|entry| entry.name.to_lowercase().contains(&needle));
        }
        let screen = self.queue_mut(kind);
        screen.entries = entries;
        screen.selected = shift(screen.selected, 0, screen.entries.len());
        self.load_candidates(kind)
    }

    fn load_candidates(&mut self, kind: MappingKind) -> Result<(), DataError> {
        let entry = self.queue_mut(kind).selected_entry().cloned();
        let candidates = match entry {
            Some(entry) => self.data.candidates(kind, &entry)?,
            None => Vec::new(),
        };
        let screen = self.queue_mut(kind);
        screen.candidates = candidates;
        screen.candidate = 0;
        Ok(())
    }

    pub(crate) fn move_queue(&mut self, step: isize) -> Result<(), DataError> {
        let Some(screen) = self.mapping_mut() else {
            return Ok(());
        };
        let before = screen.selected;
        screen.selected = shift(screen.selected, step, screen.entries.len());
        let (kind, moved) = (screen.kind, screen.selected != before);
        if moved {
            self.load_candidates(kind)?;
        }
        Ok(())
    }

    pub(crate) fn apply_mapping(&mut self, action: Action) -> Result<(), DataError> {
        let Some(screen) = self.mapping_mut() else {
            return Ok(());
        };
        let kind = screen.kind;
        if !matches!(action, Action::BulkAccept) {
            screen.pending_bulk = None;
        }
        match action {
            Action::PreviousCandidate => {
                screen.candidate = shift(screen.candidate, -1, screen.candidates.len())
            }
            Action::NextCandidate => {
                screen.candidate = shift(screen.candidate, 1, screen.candidates.len())
            }
            Action::ConfirmSuggestion => {
                let target = screen
                    .candidates
                    .get(screen.candidate)
                    .map(|c| c.key.clone());
                match target {
                    Some(target) => self.decide_selected(Verdict::Confirm(target))?,
                    None => self.say(
                        "No candidate to confirm: press / to search the full list.",
                        Tone::Info,
                    ),
                }
            }
            Action::RejectSuggestion => {
                let target = screen
                    .candidates
                    .get(screen.candidate)
                    .map(|c| c.key.clone());
                if let Some(target) = target {
                    self.decide_selected(Verdict::Reject(target))?;
                }
            }
            Action::SkipEntry => self.move_queue(1)?,
            Action::IgnoreEntry if screen.selected_entry().is_some() => {
                self.prompt = Some(Prompt::new(PromptKind::IgnoreReason, ""));
            }
            Action::UnmapEntry => {
                let mapped = screen
                    .selected_entry()
                    .is_some_and(|entry| entry.state != MappingState::Unmapped);
                if mapped {
                    self.decide_selected(Verdict::Unmap)?;
                }
            }
            Action::Undo => {
                let undone = self.data.undo()?;
                self.after_history(undone, "Undid", "Nothing to undo.")?;
            }
            Action::Redo => {
                let redone = self.data.redo()?;
                self.after_history(redone, "Redid", "Nothing to redo.")?;
            }
            Action::SearchTargets if screen.selected_entry().is_some() => {
                if screen.targets.is_empty() {
                    let targets = self.data.targets(kind)?;
                    self.queue_mut(kind).targets = targets;
                }
                self.prompt = Some(Prompt::new(PromptKind::Search, ""));
                self.refresh_search();
            }
            Action::BulkAccept => self.bulk_accept(kind)?,
            Action::CycleQueueFilter => {
                screen.filter = screen.filter.cycled();
                screen.selected = 0;
                self.reload_queue(kind)?;
            }
            Action::FilterQueue => {
                self.prompt = Some(Prompt::new(
                    PromptKind::QueueFilter,
                    screen.text_filter.clone(),
                ))
            }
            _ => {}
        }
        Ok(())
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.status = Some((text.into(), tone));
    }

    fn after_history(
        &mut self,
        what: Option<String>,
        verb: &str,
        nothing: &str,
    ) -> Result<(), DataError> {
        match what {
            Some(what) => {
                self.refresh_after_decision()?;
                self.say(format!("{verb}: {what}"), Tone::Info);
            }
            None => self.say(nothing, Tone::Info),
        }
        Ok(())
    }

    fn decide_selected(&mut self, verdict: Verdict) -> Result<(), DataError> {
        let Some(screen) = self.mapping() else {
            return Ok(());
        };
        let Some(entry) = screen.selected_entry() else {
            return Ok(());
        };
        let name = crate::domain::text::strip_control(&entry.name);
        let decision = Decision {
            kind: screen.kind,
            vendor_key: entry.key.clone(),
            term: entry.term,
            verdict,
            bulk: false,
        };
        let summary = match &decision.verdict {
            Verdict::Confirm(target) => format!("Mapped {name} → {}", self.target_name(target)),
            Verdict::Reject(target) => format!("Rejected {} for {name}", self.target_name(target)),
            Verdict::Ignore { reason, .. } => format!("Ignored {name}: {reason}"),
            Verdict::Unmap => format!("Unmapped {name}"),
        };
        self.data.decide(decision)?;
        self.refresh_after_decision()?;
        self.say(summary, Tone::Good);
        Ok(())
    }

    fn target_name(&self, key: &SourceKey) -> String {
        let Some(screen) = self.mapping() else {
            return key.to_string();
        };
        let name = screen
            .candidates
            .iter()
            .find(|c| c.key == *key)
            .map(|c| c.name.clone())
            .or_else(|| {
                screen
                    .targets
                    .iter()
                    .find(|t| t.key == *key)
                    .map(|t| t.name.clone())
            })
            .unwrap_or_else(|| key.to_string());
        crate::domain::text::strip_control(&name)
    }

    /// After a decision: coverage and both queues are refreshed at once (a customer mapping
    /// changes which products count as covered); the gaps follow from the background.
    fn refresh_after_decision(&mut self) -> Result<(), DataError> {
        self.overview = self.data.overview()?;
        self.reload_queue(MappingKind::Client)?;
        self.reload_queue(MappingKind::Product)?;
        self.schedule_reconcile()
    }

    pub(crate) fn ignore_selected(
        &mut self,
        reason: String,
        expires: Option<chrono::NaiveDate>,
    ) -> Result<(), DataError> {
        self.decide_selected(Verdict::Ignore { reason, expires })
    }

    pub(crate) fn refresh_search(&mut self) {
        let query = self
            .prompt
            .as_ref()
            .map(|p| p.text.clone())
            .unwrap_or_default();
        let Some(screen) = self.mapping_mut() else {
            return;
        };
        let matcher = SkimMatcherV2::default().ignore_case();
        let mut scored: Vec<(i64, &Target)> = screen
            .targets
            .iter()
            .filter_map(|target| Some((matcher.fuzzy_match(&target.name, &query)?, target)))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        screen.search_results = scored
            .into_iter()
            .take(SEARCH_RESULTS)
            .map(|(_, target)| target.clone())
            .collect();
        screen.search_selected = 0;
    }

    pub(crate) fn confirm_search_result(&mut self) -> Result<(), DataError> {
        let target = self
            .mapping()
            .and_then(|screen| screen.search_results.get(screen.search_selected))
            .map(|target| target.key.clone());
        match target {
            Some(target) => self.decide_selected(Verdict::Confirm(target)),
            None => {
                self.say("Nothing matches that search.", Tone::Info);
                Ok(())
            }
        }
    }

    pub(crate) fn set_queue_filter_text(&mut self, text: String) -> Result<(), DataError> {
        let Some(screen) = self.mapping_mut() else {
            return Ok(());
        };
        screen.text_filter = text;
        screen.selected = 0;
        let kind = screen.kind;
        self.reload_queue(kind)
    }

    /// First press: count the unmapped entries whose best candidate is in the safe band and
    /// ask again. Second press: confirm them all, each logged as a bulk decision.
    fn bulk_accept(&mut self, kind: MappingKind) -> Result<(), DataError> {
        if let Some(pending) = self.queue_mut(kind).pending_bulk.take() {
            let count = pending.len();
            for (entry, target_key) in pending {
                self.data.decide(Decision {
                    kind,
                    vendor_key: entry.key,
                    term: entry.term,
                    verdict: Verdict::Confirm(target_key),
                    bulk: true,
                })?;
            }
            self.refresh_after_decision()?;
            self.say(format!("Accepted {count} safe suggestions."), Tone::Good);
            return Ok(());
        }
        let entries = self.data.queue(kind, QueueFilter::Unmapped)?;
        let mut safe = Vec::new();
        for entry in entries {
            let candidates = self.data.candidates(kind, &entry)?;
            if let Some(best) = candidates.first().filter(|c| c.safe) {
                let target = best.key.clone();
                safe.push((entry, target));
            }
        }
        let count = safe.len();
        if count == 0 {
            self.say("No suggestion is in the safe band.", Tone::Info);
        } else {
            let key = self
                .keymap
                .hints(crate::tui::keymap::Context::Screen(self.screen))
                .into_iter()
                .find(|(_, label)| *label == "accept safe band")
                .map_or_else(|| "the bulk key".to_string(), |(key, _)| key);
            self.say(
                format!("{count} suggestions are in the safe band: press {key} again to accept them all, Esc to cancel."),
                Tone::Info,
            );
            self.queue_mut(kind).pending_bulk = Some(safe);
        }
        Ok(())
    }
}
