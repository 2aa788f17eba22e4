//! The workbench state, and the one function that changes it: [`App::update`].
//!
//! Views only read `&App`; the keymap only produces actions; the library is reached only
//! through [`WorkbenchData`]. A failed library call never ends the session: it becomes a status
//! message and the state stays as it was.

use crate::export::ExportFormat;
use crate::import::{Progress, SourceInfo};
use crate::tui::action::{Action, Screen};
use crate::tui::data::{DataError, MappingKind, Overview, WorkbenchData};
use crate::tui::gap_table::GapsScreen;
use crate::tui::input::{Prompt, PromptKind};
use crate::tui::jobs::{JobEvent, Jobs};
use crate::tui::keymap::{Context, Keymap};
use crate::tui::queue::MappingScreen;
use crate::tui::theme::Theme;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::time::Duration;

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

/// The import screen's state.
#[derive(Debug, Clone, Default)]
pub struct ImportScreen {
    /// The path chosen (the prompt holds it while editing).
    pub path: String,
    /// What the file was detected to be, before anything is written.
    pub detected: Option<SourceInfo>,
    /// The running import's latest progress.
    pub running: Option<Progress>,
    /// The last finished import: its summary, or the error with file:line:column.
    pub finished: Option<Result<String, String>>,
    /// The generation of the import whose events are current.
    pub generation: u64,
}

/// The export screen's state.
#[derive(Debug, Clone)]
pub struct ExportScreen {
    /// The chosen format.
    pub format: ExportFormat,
    /// Where the report goes.
    pub path: String,
    /// The last write: the path written, or why it failed.
    pub written: Option<Result<PathBuf, String>>,
}

/// The whole workbench state.
pub struct App {
    pub(crate) data: Box<dyn WorkbenchData>,
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
    pub(crate) reconcile_generation: u64,
    pub(crate) jobs: Jobs,
}

/// The default per-client threshold (DESIGN.md §2).
pub const DEFAULT_THRESHOLD: u32 = 100;
const THRESHOLD_STEP: u32 = 50;

impl App {
    /// A workbench over `data`, loaded and showing the overview. Fails when the first load
    /// fails, since there would be nothing to show.
    pub fn new(
        data: Box<dyn WorkbenchData>,
        keymap: Keymap,
        theme: Theme,
        title: impl Into<String>,
    ) -> Result<App, DataError> {
        let mut app = App {
            data,
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
            export: ExportScreen {
                format: ExportFormat::Csv,
                path: "billgap-report.csv".to_string(),
                written: None,
            },
            jobs: Jobs::default(),
            reconciling: false,
            reconcile_generation: 0,
        };
        app.threshold = app.data.default_threshold()?;
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
            self.status = Some((error.0, Tone::Error));
        }
    }

    fn apply(&mut self, action: Action) -> Result<(), DataError> {
        match action {
            Action::Quit => self.quitting = true,
            Action::Resize(columns, rows) => self.size = (columns, rows),
            Action::Job(event) => self.take_job_event(event)?,
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
                self.data.invalidate();
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
                self.set_threshold(self.threshold + Decimal::from(THRESHOLD_STEP))?
            }
            Action::LowerThreshold => {
                let lowered = (self.threshold - Decimal::from(THRESHOLD_STEP)).max(Decimal::ZERO);
                self.set_threshold(lowered)?
            }
            Action::EditThreshold => {
                self.prompt = Some(Prompt::new(
                    PromptKind::Threshold,
                    self.threshold.to_string(),
                ))
            }
            Action::EditPath => self.edit_path(),
            Action::StartImport => self.start_import(),
            Action::CycleExportFormat => self.cycle_export_format(),
            Action::WriteExport => self.write_export(),
            other => self.apply_to_screen(other)?,
        }
        Ok(())
    }

    fn apply_to_screen(&mut self, action: Action) -> Result<(), DataError> {
        match self.screen {
            Screen::Clients | Screen::Products => self.apply_mapping(action),
            Screen::Gaps => self.apply_gaps(action),
            _ => Ok(()),
        }
    }

    /// Reloads everything the screens show from the library, and starts the reconciliation
    /// whose gaps will follow.
    pub fn reload(&mut self) -> Result<(), DataError> {
        self.overview = self.data.overview()?;
        self.reload_queue(MappingKind::Client)?;
        self.reload_queue(MappingKind::Product)?;
        self.reload_gaps()?;
        self.schedule_reconcile()
    }

    fn show(&mut self, screen: Screen) {
        self.screen = screen;
        if screen == Screen::Import
            && self.import.running.is_none()
            && self.import.detected.is_none()
        {
            self.prompt = Some(Prompt::new(
                PromptKind::ImportPath,
                self.import.path.clone(),
            ));
        }
    }

    fn back(&mut self) {
        if self.help_open {
            self.help_open = false;
        } else if self.prompt.is_some() {
            self.prompt = None;
        } else if self.screen == Screen::Gaps && self.gaps.drilldown.is_some() {
            self.gaps.drilldown = None;
        } else if let Some(screen) = self.mapping_mut() {
            screen.pending_bulk = None;
        } else if self.screen == Screen::Import {
            self.import.detected = None;
        }
    }

    fn move_by(&mut self, step: isize) -> Result<(), DataError> {
        if let Some(prompt) = &self.prompt {
            if prompt.kind == PromptKind::Search {
                if let Some(screen) = self.mapping_mut() {
                    screen.search_selected =
                        shift(screen.search_selected, step, screen.search_results.len());
                }
            }
            return Ok(());
        }
        match self.screen {
            Screen::Clients | Screen::Products => self.move_queue(step),
            Screen::Gaps => {
                self.gaps.selected = shift(self.gaps.selected, step, self.gaps.table.len());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn click(&mut self, column: u16, row: u16) -> Result<(), DataError> {
        if row == 0 {
            if let Some(screen) = crate::tui::views::tab_at(self, column) {
                self.show(screen);
            }
            return Ok(());
        }
        // Lists start under the tab bar, the block border and the header row.
        let Some(index) = usize::from(row).checked_sub(3) else {
            return Ok(());
        };
        let visible = self.page_rows();
        match self.screen {
            Screen::Clients | Screen::Products => {
                let selected = self.mapping().map_or(0, |screen| screen.selected);
                let target = crate::tui::views::first_visible(selected, visible) + index;
                self.move_queue(target as isize - selected as isize)
            }
            Screen::Gaps => {
                let first = crate::tui::views::first_visible(self.gaps.selected, visible);
                self.gaps.selected = shift(first, index as isize, self.gaps.table.len());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn edit_prompt(&mut self, edit: impl FnOnce(&mut Prompt)) {
        if let Some(prompt) = &mut self.prompt {
            edit(prompt);
            if prompt.kind == PromptKind::Search {
                self.refresh_search();
            }
        }
    }

    fn complete_prompt(&mut self) {
        if let Some(prompt) = &mut self.prompt {
            if matches!(prompt.kind, PromptKind::ImportPath | PromptKind::ExportPath) {
                prompt.complete_path();
            }
        }
    }

    fn submit_prompt(&mut self) -> Result<(), DataError> {
        let Some(prompt) = self.prompt.take() else {
            return Ok(());
        };
        let text = prompt.text.trim().to_string();
        match prompt.kind {
            PromptKind::ImportPath => self.sniff(text),
            PromptKind::ExportPath => {
                self.export.path = text;
                Ok(())
            }
            PromptKind::Threshold => match text.parse::<Decimal>() {
                Ok(value) if value >= Decimal::ZERO => self.set_threshold(value),
                _ => {
                    self.status = Some((
                        format!("'{text}' is not a threshold: expected a number ≥ 0"),
                        Tone::Error,
                    ));
                    self.prompt = Some(prompt);
                    Ok(())
                }
            },
            PromptKind::Search => self.confirm_search_result(),
            PromptKind::IgnoreReason => {
                if text.is_empty() {
                    self.status = Some(("An ignore rule needs a reason.".to_string(), Tone::Error));
                    self.prompt = Some(prompt);
                } else {
                    self.prompt = Some(Prompt::new(PromptKind::IgnoreExpiry(text), ""));
                }
                Ok(())
            }
            PromptKind::IgnoreExpiry(reason) => {
                if text.is_empty() {
                    return self.ignore_selected(reason, None);
                }
                match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    Ok(date) => self.ignore_selected(reason, Some(date)),
                    Err(_) => {
                        self.status = Some((
                            format!("'{text}' is not a date: expected YYYY-MM-DD"),
                            Tone::Error,
                        ));
                        self.prompt = Some(Prompt {
                            text: prompt.text,
                            ..Prompt::new(PromptKind::IgnoreExpiry(reason), "")
                        });
                        Ok(())
                    }
                }
            }
            PromptKind::QueueFilter => self.set_queue_filter_text(text),
        }
    }

    fn set_threshold(&mut self, threshold: Decimal) -> Result<(), DataError> {
        self.threshold = threshold;
        self.schedule_reconcile()?;
        self.status = Some((format!("Threshold per client: {threshold}"), Tone::Info));
        Ok(())
    }

    fn edit_path(&mut self) {
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

    fn sniff(&mut self, path: String) -> Result<(), DataError> {
        self.import.path = path.clone();
        self.import.finished = None;
        match self.data.sniff(std::path::Path::new(&path)) {
            Ok(info) => self.import.detected = Some(info),
            Err(error) => {
                self.import.detected = None;
                self.prompt = Some(Prompt::new(PromptKind::ImportPath, path));
                return Err(error);
            }
        }
        Ok(())
    }

    fn start_import(&mut self) {
        if self.screen != Screen::Import
            || self.import.running.is_some()
            || self.import.detected.is_none()
        {
            return;
        }
        self.import.generation += 1;
        self.import.running = Some(Progress::default());
        self.import.finished = None;
        let runner = self.data.import_runner();
        self.jobs.start_import(
            self.import.generation,
            PathBuf::from(&self.import.path),
            runner,
        );
    }

    fn take_job_event(&mut self, event: JobEvent) -> Result<(), DataError> {
        if let JobEvent::Reconciled { generation, result } = event {
            // A result computed before the latest change is dropped; its successor is running.
            if generation != self.reconcile_generation {
                return Ok(());
            }
            self.reconciling = false;
            let report = result.map_err(DataError)?;
            let report =
                std::sync::Arc::try_unwrap(report).unwrap_or_else(|shared| (*shared).clone());
            self.data.accept_report(report);
            self.overview = self.data.overview()?;
            return self.reload_gaps();
        }
        if event.generation() != self.import.generation {
            return Ok(());
        }
        match event {
            JobEvent::Reconciled { .. } => {}
            JobEvent::ImportProgress { progress, .. } => self.import.running = Some(progress),
            JobEvent::ImportDone { result, .. } => {
                self.import.running = None;
                self.import.detected = None;
                let succeeded = result.is_ok();
                self.status = Some(match &result {
                    Ok(summary) => (summary.clone(), Tone::Good),
                    Err(error) => (error.clone(), Tone::Error),
                });
                self.import.finished = Some(result);
                if succeeded {
                    self.data.invalidate();
                    self.reload()?;
                }
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
            self.update(Action::Job(event));
        }
        any
    }

    /// Starts the background reconciliation when the gaps are behind the mappings or the
    /// threshold. Any job still running becomes outdated: its result will be dropped.
    pub(crate) fn schedule_reconcile(&mut self) -> Result<(), DataError> {
        self.reconcile_generation += 1;
        match self.data.reconcile_job(self.threshold)? {
            Some(job) => {
                self.reconciling = true;
                self.jobs.start_reconcile(self.reconcile_generation, job);
            }
            None => self.reconciling = false,
        }
        Ok(())
    }

    /// Waits until every background job has reported (at most a minute): for tests, benches
    /// and scripted runs that need the figures a keypress leaves to the workers.
    pub fn settle(&mut self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.busy() && std::time::Instant::now() < deadline {
            self.pump_jobs(Duration::from_millis(20));
        }
    }

    /// True while a background job runs.
    pub fn busy(&self) -> bool {
        self.jobs.busy()
    }

    fn cycle_export_format(&mut self) {
        let index = ExportFormat::ALL
            .iter()
            .position(|format| *format == self.export.format)
            .unwrap_or(0);
        self.export.format = ExportFormat::ALL[(index + 1) % ExportFormat::ALL.len()];
        let extension = self.export.format.extension();
        self.export.path = PathBuf::from(&self.export.path)
            .with_extension(extension)
            .display()
            .to_string();
    }

    fn write_export(&mut self) {
        if self.screen != Screen::Export {
            return;
        }
        let result = self.data.export(
            self.export.format,
            std::path::Path::new(&self.export.path),
            self.threshold,
        );
        self.status = Some(match &result {
            Ok(path) => (format!("Report written to {}", path.display()), Tone::Good),
            Err(error) => (error.0.clone(), Tone::Error),
        });
        self.export.written = Some(result.map_err(|error| error.0));
    }

    pub(crate) fn mapping(&self) -> Option<&MappingScreen> {
        match self.screen {
            Screen::Clients => Some(&self.clients),
            Screen::Products => Some(&self.products),
            _ => None,
        }
    }

    pub(crate) fn mapping_mut(&mut self) -> Option<&mut MappingScreen> {
        match self.screen {
            Screen::Clients => Some(&mut self.clients),
            Screen::Products => Some(&mut self.products),
            _ => None,
        }
    }
}

/// `index` moved by `step`, kept inside `0..len` (0 when empty).
pub(crate) fn shift(index: usize, step: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (index as isize)
        .saturating_add(step)
        .clamp(0, len as isize - 1) as usize
}
