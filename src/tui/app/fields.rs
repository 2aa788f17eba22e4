//! Text fields: what typing into, completing and submitting a field does.

use super::App;
use crate::tui::action::Screen;
use crate::tui::import_screen::ImportSwitch;
use crate::tui::input::{Prompt, PromptKind, Submitted};
use crate::tui::jobs::Finished;
use crate::tui::outcome::{ScreenOutcome, Tone};
use crate::workflow::{MappingChoice, WorkflowError};
use rust_decimal::Decimal;

impl App {
    /// Flips an import option on the Import screen (elsewhere the key means nothing).
    pub(super) fn toggle_import(&mut self, switch: ImportSwitch) {
        if self.screen == Screen::Import {
            let said = self.import.toggle(switch, &mut self.jobs);
            self.say(said, Tone::Info);
        }
    }

    pub(super) fn edit_prompt(&mut self, edit: impl FnOnce(&mut Prompt)) {
        if let Some(prompt) = &mut self.prompt {
            edit(prompt);
            if prompt.kind == PromptKind::Search {
                let query = prompt.text.clone();
                if let Some(screen) = self.mapping_mut() {
                    screen.search(&query);
                }
            }
        }
    }

    /// Path completion reads the disk, so it runs as a task; its matches complete the field
    /// only if the text has not changed meanwhile.
    pub(super) fn complete_prompt(&mut self) {
        let Some(prompt) = &self.prompt else { return };
        if !matches!(
            prompt.kind,
            PromptKind::ImportPath | PromptKind::ImportWith | PromptKind::ExportPath
        ) {
            return;
        }
        let for_text = prompt.text.clone();
        self.jobs
            .spawn("completing the path", move |_| Finished::Completions {
                matches: crate::tui::input::path_matches(&for_text),
                for_text,
            });
    }

    pub(super) fn submit_prompt(&mut self) -> Result<(), WorkflowError> {
        let Some(prompt) = self.prompt.take() else {
            return Ok(());
        };
        match prompt.submit() {
            Submitted::ImportPath(path) => self.import.choose(path, &mut self.jobs),
            Submitted::ExportPath(path) => self.export.path = path,
            Submitted::Threshold(value) => self.set_threshold(value)?,
            Submitted::GapWork { state, note, until } => {
                if let Some(row) = self.gaps.selected_gap().cloned() {
                    let outcome = self.workspace.work_gap(&row.gap, state, &note, until)?;
                    self.follow(ScreenOutcome {
                        mappings_moved: outcome.changed,
                        ..ScreenOutcome::say(outcome.sentence, Tone::Good)
                    })?;
                }
            }
            Submitted::ImportCurrency(currency) => {
                let said = self.import.set_currency(currency, &mut self.jobs);
                self.say(said, Tone::Info);
            }
            Submitted::ImportPeriod(period) => {
                let said = self.import.set_period(period, &mut self.jobs);
                self.say(said, Tone::Info);
            }
            Submitted::ImportWith(file) => {
                let said = self.import.set_with(file, &mut self.jobs);
                self.say(said, Tone::Info);
            }
            Submitted::SearchResult => {
                if let Some((screen, workspace)) = self.mapping_and_workspace() {
                    let outcome = screen.confirm_search_result(workspace)?;
                    self.follow(outcome)?;
                }
            }
            Submitted::Ignore { reason, until } => {
                if let Some((screen, workspace)) = self.mapping_and_workspace() {
                    let outcome =
                        screen.choose(MappingChoice::Ignore { reason, until }, workspace)?;
                    self.follow(outcome)?;
                }
            }
            Submitted::QueueFilter(text) if self.screen == Screen::Gaps => {
                self.gaps.text_filter = text;
                self.gaps.selected = 0;
                self.gaps.rebuild();
            }
            Submitted::QueueFilter(text) => {
                if let Some((screen, workspace)) = self.mapping_and_workspace() {
                    screen.text_filter = text;
                    screen.selected = 0;
                    screen.reload(workspace)?;
                }
            }
            Submitted::Next(next) => self.prompt = Some(next),
            Submitted::Invalid { message, prompt } => {
                self.say(message, Tone::Error);
                self.prompt = Some(prompt);
            }
        }
        Ok(())
    }

    /// Sets and stores the default per-client threshold, exactly as `billgap threshold` does:
    /// the next session and the scheduled check use it too. Per-client overrides stay.
    pub(super) fn set_threshold(&mut self, threshold: Decimal) -> Result<(), WorkflowError> {
        let sentence = self.workspace.set_threshold(None, threshold)?;
        self.threshold = threshold;
        self.schedule_reconcile()?;
        self.overview = self.workspace.overview(self.threshold)?;
        self.say(format!("{sentence} (saved)."), Tone::Info);
        Ok(())
    }

    pub(super) fn edit_path(&mut self) {
        match self.screen {
            Screen::Import if self.import.running.is_none() => {
                self.import.detected = None;
                self.prompt = Some(Prompt::new(
                    PromptKind::ImportPath,
                    self.import.path.clone(),
                ));
            }
            Screen::Export => {
                self.prompt = Some(Prompt::new(
                    PromptKind::ExportPath,
                    self.export.path.clone(),
                ))
            }
            _ => {}
        }
    }
}
