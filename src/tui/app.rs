//! The workbench state, and the one function that changes it: [`App::update`].
//!
//! Views only read `&App`; the keymap only produces actions; the library is reached only
//! through [`WorkbenchData`]. A failed library call never ends the session: it becomes a status
//! message and the state stays as it was.

mod fields;

use crate::tui::action::{Action, Screen};
use crate::tui::cursor::shift;
use crate::tui::export_screen::ExportScreen;
use crate::tui::gap_screen::GapsScreen;
use crate::tui::hit_map::HitMap;
use crate::tui::import_screen::{ImportScreen, ImportSwitch};
use crate::tui::input::{Prompt, PromptKind};
use crate::tui::jobs::{Finished, JobEvent, Jobs};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::mapping_screen::MappingScreen;
use crate::tui::outcome::{ScreenOutcome, Tone};
use crate::tui::theme::Theme;
use crate::workflow::{HistoryStep, MappingKind, Overview, UndoScope, WorkflowError, Workspace};
use rust_decimal::Decimal;
use std::sync::Arc;
use std::time::Duration;

/// The whole workbench state.
pub struct App {
    /// The application core: every figure and decision goes through it.
    pub workspace: Workspace,
    /// The bindings, for resolving keys and drawing hints and help.
    pub keymap: Keymap,
    /// The styles.
    pub theme: Theme,
    /// A name for the data shown in the title bar (the database file, or "demo").
    pub title: String,
    /// The screen shown.
    pub screen: Screen,
    /// True while the help overlay is open.
    pub help_open: bool,
    /// The focused text field, if any.
    pub prompt: Option<Prompt>,
    /// True once the operator has asked to leave.
    pub quitting: bool,
    /// The latest status message.
    pub status: Option<(String, Tone)>,
    /// The per-client threshold, monthly, in each client's currency.
    pub threshold: Decimal,
    /// The terminal size (columns, rows) last reported.
    pub size: (u16, u16),
    /// The overview figures.
    pub overview: Overview,
    /// The client mapping queue.
    pub clients: MappingScreen,
    /// The product mapping queue.
    pub products: MappingScreen,
    /// The gap table.
    pub gaps: GapsScreen,
    /// The import screen.
    pub import: ImportScreen,
    /// The export screen.
    pub export: ExportScreen,
    /// True while the gaps are being recalculated in the background.
    pub reconciling: bool,
    /// Where the last frame drew its tabs and list, for the mouse.
    pub hit_map: HitMap,
    jobs: Jobs,
}

/// The default per-client threshold (DESIGN.md §2).
pub const DEFAULT_THRESHOLD: u32 = 100;
const THRESHOLD_STEP: u32 = 50;

impl App {
    /// A workbench over `data`, loaded and showing the overview. Fails when the first load
    /// fails, since there would be nothing to show.
    pub fn new(
        workspace: Workspace,
        keymap: Keymap,
        theme: Theme,
        title: impl Into<String>,
    ) -> Result<App, WorkflowError> {
        let mut app = App {
            workspace,
            keymap,
            theme,
            title: title.into(),
            screen: Screen::Overview,
            help_open: false,
            prompt: None,
            quitting: false,
            status: None,
            threshold: Decimal::from(DEFAULT_THRESHOLD),
            size: (80, 24),
            overview: Overview::default(),
            clients: MappingScreen::new(MappingKind::Client),
            products: MappingScreen::new(MappingKind::Product),
            gaps: GapsScreen::default(),
            import: ImportScreen::default(),
            export: ExportScreen::default(),
            jobs: Jobs::default(),
            reconciling: false,
            hit_map: HitMap::default(),
        };
        app.threshold = app.workspace.default_threshold()?;
        app.export = ExportScreen::for_day(app.workspace.today());
        app.reload()?;
        Ok(app)
    }

    /// Where key presses go now: the focused field, or the screen.
    pub fn context(&self) -> Context {
        if self.prompt.is_some() {
            Context::Input
        } else {
            Context::Screen(self.screen)
        }
    }

    /// Rows of list a page holds at the current size (the frame, headers and borders excluded).
    pub fn page_rows(&self) -> usize {
        usize::from(self.size.1.saturating_sub(8)).max(1)
    }

    /// Applies one action. Library failures become a status message.
    pub fn update(&mut self, action: Action) {
        if let Err(error) = self.apply(action) {
            self.status = Some((error.to_string(), Tone::Error));
        }
    }

    fn apply(&mut self, action: Action) -> Result<(), WorkflowError> {
        match action {
            Action::Quit => self.quitting = true,
            Action::Resize(columns, rows) => self.size = (columns, rows),
            Action::ToggleHelp => self.help_open = !self.help_open,
            Action::Back | Action::InputCancel => self.back(),
            _ if self.help_open => {}
            Action::InputChar(character) => self.edit_prompt(|p| p.insert(&character.to_string())),
            Action::InputText(text) => self.edit_prompt(|p| p.insert(&text)),
            Action::InputBackspace => self.edit_prompt(Prompt::backspace),
            Action::InputComplete => self.complete_prompt(),
            Action::InputSubmit => self.submit_prompt()?,
            Action::ShowScreen(screen) => self.show(screen),
            Action::NextScreen => self.show(self.screen.cycled(1)),
            Action::PreviousScreen => self.show(self.screen.cycled(-1)),
            Action::Refresh => {
                self.workspace.invalidate();
                // A threshold stored from the CLI meanwhile is picked up too.
                self.threshold = self.workspace.default_threshold()?;
                self.reload()?;
                self.status = Some(("Reloaded.".to_string(), Tone::Info));
            }
            Action::MoveUp | Action::ScrollUp => self.move_by(-1)?,
            Action::MoveDown | Action::ScrollDown => self.move_by(1)?,
            Action::PageUp => self.move_by(-(self.page_rows() as isize))?,
            Action::PageDown => self.move_by(self.page_rows() as isize)?,
            Action::MoveTop => self.move_by(isize::MIN / 2)?,
            Action::MoveBottom => self.move_by(isize::MAX / 2)?,
            Action::Click(column, row) => self.click(column, row)?,
            Action::RaiseThreshold => {
                match self.threshold.checked_add(Decimal::from(THRESHOLD_STEP)) {
                    Some(raised) => self.set_threshold(raised)?,
                    None => self.say("The threshold cannot go higher.", Tone::Error),
                }
            }
            Action::LowerThreshold => {
                let lowered = self
                    .threshold
                    .checked_sub(Decimal::from(THRESHOLD_STEP))
                    .unwrap_or(Decimal::ZERO)
                    .max(Decimal::ZERO);
                self.set_threshold(lowered)?
            }
            Action::SaveReview => {
                let report = self.workspace.report(Some(self.threshold), true)?;
                let sentence = crate::workflow::review_saved(&report);
                self.reload()?;
                self.say(sentence, Tone::Good);
            }
            Action::OpenAccount => self.open_account()?,
            Action::Undo => self.step_history(HistoryStep::Undo)?,
            Action::Redo => self.step_history(HistoryStep::Redo)?,
            Action::EditThreshold => {
                self.prompt = Some(Prompt::new(
                    PromptKind::Threshold,
                    self.threshold.to_string(),
                ))
            }
            Action::EditPath => self.edit_path(),
            Action::StartImport if self.screen == Screen::Import => {
                self.import.start(self.workspace.database(), &mut self.jobs)
            }
            Action::StartImport => {}
            Action::ToggleDayFirst => self.toggle_import(ImportSwitch::DayFirst),
            Action::ToggleDecimalComma => self.toggle_import(ImportSwitch::DecimalComma),
            Action::ToggleSkipBadRows => self.toggle_import(ImportSwitch::SkipBadRows),
            Action::SetImportCurrency if self.screen == Screen::Import => {
                let current = self.import.options.currency.as_ref();
                let text = current.map(ToString::to_string).unwrap_or_default();
                self.prompt = Some(Prompt::new(PromptKind::ImportCurrency, text));
            }
            Action::SetImportPeriod if self.screen == Screen::Import => {
                let text = self.import.options.period.map(|p| p.to_string());
                self.prompt = Some(Prompt::new(
                    PromptKind::ImportPeriod,
                    text.unwrap_or_default(),
                ));
            }
            Action::AddImportWith if self.screen == Screen::Import => {
                self.prompt = Some(crate::tui::import_screen::beside_prompt(&self.import.path));
            }
            Action::CycleExportFormat => self.export.cycle_format(),
            Action::WriteExport if self.screen == Screen::Export => self.write_export()?,
            Action::WriteExport => {}
            other => self.apply_to_screen(other)?,
        }
        Ok(())
    }

    fn apply_to_screen(&mut self, action: Action) -> Result<(), WorkflowError> {
        let outcome = match self.screen {
            Screen::Clients => self.clients.update(action, &mut self.workspace)?,
            Screen::Products => self.products.update(action, &mut self.workspace)?,
            Screen::Gaps => self.gaps.update(action, &mut self.workspace)?,
            _ => ScreenOutcome::default(),
        };
        self.follow(outcome)
    }

    /// Carries out what a screen's update asks of the rest of the workbench.
    fn follow(&mut self, outcome: ScreenOutcome) -> Result<(), WorkflowError> {
        if outcome.mappings_moved {
            self.refresh_after_decision()?;
        }
        if outcome.rank_safe_band {
            self.rank_safe_band();
        }
        if let Some(prompt) = outcome.prompt {
            self.prompt = Some(prompt);
        }
        if let Some(status) = outcome.status {
            self.status = Some(status);
        }
        Ok(())
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.status = Some((text.into(), tone));
    }

    /// Opens the whole account of the client under the selection on the Gaps screen (a gap or
    /// its client's subtotal row).
    fn open_account(&mut self) -> Result<(), WorkflowError> {
        let Some(company) = self.gaps.selected_company() else {
            self.say("Select a gap or a client's row first.", Tone::Info);
            return Ok(());
        };
        self.gaps.account = Some(self.workspace.account(&company, self.threshold)?);
        Ok(())
    }

    /// Undo and redo belong to the screen where they are pressed: Clients reverses client
    /// decisions, Products product decisions, Gaps the work on gaps; the other screens take
    /// the latest step of any kind.
    fn step_history(&mut self, step: HistoryStep) -> Result<(), WorkflowError> {
        let scope = match self.screen {
            Screen::Clients => UndoScope::Clients,
            Screen::Products => UndoScope::Products,
            Screen::Gaps => UndoScope::Gaps,
            Screen::Overview | Screen::Import | Screen::Export => UndoScope::Everything,
        };
        match self.workspace.step_history_in(step, scope)? {
            Some(sentence) => {
                self.refresh_after_decision()?;
                self.say(sentence, Tone::Info);
            }
            None => {
                let word = match step {
                    HistoryStep::Undo => "undo",
                    HistoryStep::Redo => "redo",
                };
                let here = match scope {
                    UndoScope::Everything => String::new(),
                    UndoScope::Clients => " among client decisions".to_string(),
                    UndoScope::Products => " among product decisions".to_string(),
                    UndoScope::Gaps => " among the work on gaps".to_string(),
                };
                self.say(format!("Nothing to {word}{here}."), Tone::Info);
            }
        }
        Ok(())
    }

    /// After a decision: coverage and both queues are refreshed at once (a customer mapping
    /// changes which products count as covered); the gaps follow from the background.
    fn refresh_after_decision(&mut self) -> Result<(), WorkflowError> {
        self.clients.reload(&mut self.workspace)?;
        self.products.reload(&mut self.workspace)?;
        self.schedule_reconcile()?;
        self.overview = self.workspace.overview(self.threshold)?;
        Ok(())
    }

    /// Reloads everything the screens show, and starts the reconciliation whose gaps will
    /// follow.
    pub fn reload(&mut self) -> Result<(), WorkflowError> {
        self.clients.reload(&mut self.workspace)?;
        self.products.reload(&mut self.workspace)?;
        self.gaps
            .show_report(self.workspace.latest_report().as_deref());
        self.schedule_reconcile()?;
        self.overview = self.workspace.overview(self.threshold)?;
        Ok(())
    }

    /// Shows a screen. The Import screen opens with its keys live, not typing into the path:
    /// `e` edits it, so `3` still goes to Clients and `?` to help.
    fn show(&mut self, screen: Screen) {
        self.screen = screen;
    }

    fn back(&mut self) {
        if self.help_open {
            self.help_open = false;
        } else if self.prompt.is_some() {
            self.prompt = None;
        } else if self.screen == Screen::Gaps && self.gaps.account.is_some() {
            self.gaps.account = None;
        } else if self.screen == Screen::Gaps && self.gaps.drilldown.is_some() {
            self.gaps.drilldown = None;
        } else if let Some(screen) = self.mapping_mut() {
            screen.pending_bulk = None;
        } else if self.screen == Screen::Import {
            self.import.detected = None;
            self.import.folder.clear();
        }
    }

    fn move_by(&mut self, step: isize) -> Result<(), WorkflowError> {
        if let Some(prompt) = &self.prompt {
            if prompt.kind == PromptKind::Search {
                if let Some(screen) = self.mapping_mut() {
                    screen.search_selected =
                        shift(screen.search_selected, step, screen.search_results.len());
                }
            }
            return Ok(());
        }
        if let Some((screen, workspace)) = self.mapping_and_workspace() {
            return screen.move_by(step, workspace);
        }
        if self.screen == Screen::Gaps {
            self.gaps.selected = shift(self.gaps.selected, step, self.gaps.table.len());
        }
        Ok(())
    }

    /// A click selects a tab or a list row, where the last frame drew them.
    fn click(&mut self, column: u16, row: u16) -> Result<(), WorkflowError> {
        if let Some(screen) = self.hit_map.tab_at(column, row) {
            self.show(screen);
            return Ok(());
        }
        let Some(index) = self.hit_map.list_index_at(row) else {
            return Ok(());
        };
        let selected = match self.screen {
            Screen::Clients => self.clients.selected,
            Screen::Products => self.products.selected,
            Screen::Gaps => self.gaps.selected,
            _ => return Ok(()),
        };
        let step = isize::try_from(index)
            .unwrap_or(isize::MAX)
            .saturating_sub(isize::try_from(selected).unwrap_or(isize::MAX));
        self.move_by(step)
    }

    /// The safe band is ranked on a task with its own connection; the offer is dropped if the
    /// mappings move before it arrives.
    fn rank_safe_band(&mut self) {
        let Some(kind) = self.mapping().map(|screen| screen.kind) else {
            return;
        };
        let generation = self.workspace.generation();
        let (database, today) = (
            self.workspace.database().to_path_buf(),
            self.workspace.today(),
        );
        self.jobs
            .spawn("ranking the safe band", move |_| Finished::SafeBand {
                generation,
                kind,
                result: crate::workflow::rank_safe_band(&database, today, kind).map_err(Arc::new),
            });
    }

    fn take_job_event(&mut self, event: JobEvent) -> Result<(), WorkflowError> {
        match event {
            JobEvent::Reconciled(done) => {
                // A result computed before the latest change is dropped; its successor runs.
                if self.workspace.accept_report(done)? {
                    self.reconciling = false;
                    self.gaps
                        .show_report(self.workspace.latest_report().as_deref());
                    self.overview = self.workspace.overview(self.threshold)?;
                    if self.export.waiting_for_gaps {
                        self.write_export()?;
                    }
                }
            }
            JobEvent::ImportProgress {
                generation,
                progress,
            } => self.import.progress(generation, progress),
            JobEvent::Finished(finished) => self.take_finished(finished)?,
        }
        Ok(())
    }

    fn take_finished(&mut self, finished: Finished) -> Result<(), WorkflowError> {
        match finished {
            Finished::Sniff { .. }
            | Finished::Import { .. }
            | Finished::SniffFolder { .. }
            | Finished::ImportFolder { .. } => {
                let follow_up = self.import.finish(finished);
                if follow_up.database_changed {
                    self.workspace.invalidate();
                    self.reload()?;
                }
                self.follow(follow_up.outcome)?;
            }
            Finished::Completions { for_text, matches } => {
                if let Some(prompt) = &mut self.prompt {
                    prompt.apply_path_matches(&for_text, matches);
                }
            }
            Finished::SafeBand {
                generation,
                kind,
                result,
            } => {
                let key = self
                    .keymap
                    .key_for(self.screen.section(), &Action::BulkAccept);
                let current = generation == self.workspace.generation();
                let decisions =
                    result.map_err(|error| WorkflowError::Refused(error.to_string()))?;
                // Name the first few, so the operator sees what a second press accepts.
                let named: Vec<String> = decisions
                    .iter()
                    .take(3)
                    .map(|decision| self.workspace.describe(decision))
                    .collect();
                let screen = match kind {
                    MappingKind::Client => &mut self.clients,
                    MappingKind::Product => &mut self.products,
                };
                let outcome =
                    screen.offer_bulk(decisions, current, &key.unwrap_or_default(), &named);
                self.follow(outcome)?;
            }
            Finished::Export { result } => {
                let outcome = self.export.finish(result);
                self.follow(outcome)?;
            }
            Finished::Panicked { task } => {
                (self.import.running, self.import.detecting) = (None, false);
                self.say(
                    format!("Something went wrong while {task}; nothing was changed."),
                    Tone::Error,
                );
            }
        }
        Ok(())
    }

    /// Feeds finished background work into the app, waiting up to `wait` for the first event.
    /// Returns true when something arrived.
    pub fn pump_jobs(&mut self, wait: Duration) -> bool {
        let mut any = false;
        let mut wait = wait;
        while let Some(event) = self.jobs.next(wait) {
            any = true;
            wait = Duration::ZERO;
            if let Err(error) = self.take_job_event(event) {
                self.say(error.to_string(), Tone::Error);
            }
        }
        any
    }

    /// Starts the background reconciliation when the gaps are behind the mappings or the
    /// threshold; a reconciliation still waiting to start is replaced.
    pub(crate) fn schedule_reconcile(&mut self) -> Result<(), WorkflowError> {
        match self.workspace.reconcile_job(self.threshold)? {
            Some(job) => {
                self.reconciling = true;
                self.jobs.schedule_reconcile(job);
            }
            None => self.reconciling = false,
        }
        Ok(())
    }

    /// Waits until every background job has reported (at most a minute): for tests, benches
    /// and scripted runs that need the figures a keypress leaves to the workers.
    pub fn settle(&mut self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            // A worker puts its result in the channel before it stops counting as busy, so
            // once idle is seen, one more pump takes every result; a result may start new work.
            let idle = !self.busy();
            self.pump_jobs(if idle {
                Duration::ZERO
            } else {
                Duration::from_millis(20)
            });
            if idle && !self.busy() {
                break;
            }
        }
    }

    /// True while a background job runs.
    pub fn busy(&self) -> bool {
        self.jobs.busy()
    }

    /// Writes the report the gap table shows (at the session's threshold), on a task; while
    /// the gaps are recalculated, the write waits for them.
    fn write_export(&mut self) -> Result<(), WorkflowError> {
        let report = self.workspace.current_report(self.threshold);
        let database = self.workspace.database().to_path_buf();
        let outcome = self.export.write(report, database, &mut self.jobs);
        self.follow(outcome)
    }

    pub(crate) fn mapping(&self) -> Option<&MappingScreen> {
        match self.screen {
            Screen::Clients => Some(&self.clients),
            Screen::Products => Some(&self.products),
            _ => None,
        }
    }

    pub(crate) fn mapping_mut(&mut self) -> Option<&mut MappingScreen> {
        self.mapping_and_workspace().map(|(screen, _)| screen)
    }

    /// The mapping screen shown, with the workspace its updates need.
    fn mapping_and_workspace(&mut self) -> Option<(&mut MappingScreen, &mut Workspace)> {
        match self.screen {
            Screen::Clients => Some((&mut self.clients, &mut self.workspace)),
            Screen::Products => Some((&mut self.products, &mut self.workspace)),
            _ => None,
        }
    }
}
