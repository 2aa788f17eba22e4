//! The import screen: a path, what the file was detected to be, and the running import. Both
//! the detection and the import run as tasks, so a large or slow file never freezes the screen.

use crate::import::{ImportOptions, Progress, SourceInfo};
use crate::tui::input::{Prompt, PromptKind};
use crate::tui::jobs::{Finished, FolderFile, Jobs, import_progress};
use crate::tui::outcome::{ScreenOutcome, Tone};
use std::path::{Path, PathBuf};

/// The import screen's state.
#[derive(Debug, Clone, Default)]
pub struct ImportScreen {
    /// The path chosen (the prompt holds it while editing).
    pub path: String,
    /// True while the file is being detected.
    pub detecting: bool,
    /// What the file was detected to be, before anything is written.
    pub detected: Option<SourceInfo>,
    /// When the path is a folder: each of its files and what it was detected to be.
    pub folder: Vec<FolderFile>,
    /// The running import's latest progress.
    pub running: Option<Progress>,
    /// The last finished import: its summary, or the error with file:line:column.
    pub finished: Option<Result<String, String>>,
    /// The options the import runs with.
    pub options: ImportOptions,
    /// The generation of the detection or import whose events are current.
    pub generation: u64,
}

/// What an ended import task asks of the rest of the workbench.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportFollowUp {
    /// The status line and any field to focus.
    pub outcome: ScreenOutcome,
    /// True when the database changed: everything shown must be reloaded.
    pub database_changed: bool,
}

/// An import option the workbench can switch, as its CLI flag does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSwitch {
    /// `--day-first`.
    DayFirst,
    /// `--decimal-comma`.
    DecimalComma,
    /// `--skip-bad-rows`.
    SkipBadRows,
}

impl ImportScreen {
    /// Flips one option and says what it is now. The file is detected again, since what it
    /// reads as (its period, whether it needs a currency) may depend on the option.
    pub fn toggle(&mut self, switch: ImportSwitch, jobs: &mut Jobs) -> String {
        let (flag, on) = match switch {
            ImportSwitch::DayFirst => {
                self.options.day_first = !self.options.day_first;
                ("Day-first dates (31/01/2026)", self.options.day_first)
            }
            ImportSwitch::DecimalComma => {
                self.options.decimal_comma = !self.options.decimal_comma;
                ("Decimal comma (12,50)", self.options.decimal_comma)
            }
            ImportSwitch::SkipBadRows => {
                self.options.skip_bad_rows = !self.options.skip_bad_rows;
                (
                    "Skip bad rows (set aside in a .rejected.csv)",
                    self.options.skip_bad_rows,
                )
            }
        };
        self.redetect(jobs);
        format!("{flag}: {}", if on { "on" } else { "off" })
    }

    /// Sets the currency for rows that carry none, and detects the file again.
    pub fn set_currency(
        &mut self,
        currency: Option<crate::domain::money::Currency>,
        jobs: &mut Jobs,
    ) -> String {
        let said = currency.as_ref().map_or_else(
            || "Currency: from the file".to_string(),
            |code| format!("Currency for rows without one: {code}"),
        );
        self.options.currency = currency;
        self.redetect(jobs);
        said
    }

    /// Sets the billing period the file is filed under, and detects the file again.
    pub fn set_period(
        &mut self,
        period: Option<crate::domain::lines::Period>,
        jobs: &mut Jobs,
    ) -> String {
        let said = period.map_or_else(
            || "Period: from the charge dates".to_string(),
            |period| format!("Period: {period}"),
        );
        self.options.period = period;
        self.redetect(jobs);
        said
    }

    fn redetect(&mut self, jobs: &mut Jobs) {
        if self.editable() && !self.path.is_empty() {
            self.detect(self.path.clone(), jobs);
        }
    }

    /// True when the path may be edited: no import is running.
    pub fn editable(&self) -> bool {
        self.running.is_none()
    }

    /// Detects a path the user chose. The beside files belong to the file they were joined
    /// with, so a different path starts without them.
    pub fn choose(&mut self, path: String, jobs: &mut Jobs) {
        if path != self.path {
            self.options.with.clear();
        }
        self.detect(path, jobs);
    }

    /// Adds a file to read beside the chosen one (`--with`), or with `None` joins none, and
    /// detects the file again; says what is joined now.
    pub fn set_with(&mut self, file: Option<PathBuf>, jobs: &mut Jobs) -> String {
        match file {
            Some(file) if !self.options.with.contains(&file) => self.options.with.push(file),
            Some(_) => {}
            None => self.options.with.clear(),
        }
        self.redetect(jobs);
        if self.options.with.is_empty() {
            "Joined with: no file".to_string()
        } else {
            format!("Joined with: {}", names(&self.options.with))
        }
    }

    /// Starts detecting what the file at `path` is, on a task.
    pub fn detect(&mut self, path: String, jobs: &mut Jobs) {
        self.generation = self.generation.wrapping_add(1);
        self.path = path.clone();
        self.detected = None;
        self.folder.clear();
        self.finished = None;
        self.detecting = true;
        let (generation, options) = (self.generation, self.options.clone());
        if Path::new(&path).is_dir() {
            jobs.spawn("detecting the folder's files", move |_| {
                let result =
                    crate::workflow::detect_folder(Path::new(&path), &options).map_err(Into::into);
                Finished::SniffFolder {
                    generation,
                    path,
                    result,
                }
            });
            return;
        }
        jobs.spawn("detecting the file", move |_| Finished::Sniff {
            generation,
            result: crate::workflow::sniff_pairing(Path::new(&path), &options).map_err(Into::into),
            path,
        });
    }

    /// Starts importing the detected file into `database`, on a task with its own connection.
    /// Does nothing unless a file was detected and no import runs.
    pub fn start(&mut self, database: &Path, jobs: &mut Jobs) {
        if self.running.is_some() {
            return;
        }
        if !self.folder.is_empty() {
            self.start_folder(database, jobs);
            return;
        }
        if self.detected.is_none() {
            return;
        }
        self.generation = self.generation.wrapping_add(1);
        self.running = Some(Progress::default());
        self.finished = None;
        let generation = self.generation;
        let (database, path) = (database.to_path_buf(), PathBuf::from(&self.path));
        let options = self.options.clone();
        jobs.spawn("importing the file", move |sender| {
            let mut progress = import_progress(sender, generation);
            let result = crate::workflow::import_file(&database, &path, &options, &mut progress)
                .map(Box::new)
                .map_err(Into::into);
            Finished::Import { generation, result }
        });
    }

    /// Imports a folder's recognised files in name order, each in its own transaction, on one
    /// task, stopping at the first failure as `billgap import` does with several files.
    fn start_folder(&mut self, database: &Path, jobs: &mut Jobs) {
        let files: Vec<(PathBuf, ImportOptions)> = self
            .folder
            .iter()
            .filter(|file| file.imported())
            .map(|file| (file.path.clone(), file.options(&self.options)))
            .collect();
        if files.is_empty() {
            return;
        }
        self.generation = self.generation.wrapping_add(1);
        self.running = Some(Progress::default());
        self.finished = None;
        let generation = self.generation;
        let database = database.to_path_buf();
        jobs.spawn("importing the folder", move |sender| {
            let mut progress = import_progress(sender, generation);
            let mut results = Vec::new();
            for (file, options) in files {
                let result =
                    crate::workflow::import_file(&database, &file, &options, &mut progress)
                        .map(|receipt| receipt.sentence())
                        .map_err(|error| error.to_string());
                let failed = result.is_err();
                results.push((file, result));
                if failed {
                    break;
                }
            }
            Finished::ImportFolder {
                generation,
                results,
            }
        });
    }

    /// Shows an import's progress, if it is the current one.
    pub fn progress(&mut self, generation: u64, progress: Progress) {
        if generation == self.generation && self.running.is_some() {
            self.running = Some(progress);
        }
    }

    /// Takes an ended detection or import; results of an older generation are dropped.
    pub fn finish(&mut self, finished: Finished) -> ImportFollowUp {
        match finished {
            Finished::Sniff {
                generation,
                path,
                result,
            } if generation == self.generation => {
                self.detecting = false;
                match result {
                    Ok((info, with)) => {
                        self.detected = Some(info);
                        if with.is_empty() {
                            return ImportFollowUp::default();
                        }
                        let said = format!(
                            "It names no company on its own: joined with {}, found beside it.",
                            names(&with)
                        );
                        self.options.with = with;
                        ImportFollowUp {
                            outcome: ScreenOutcome::say(said, Tone::Info),
                            database_changed: false,
                        }
                    }
                    Err(error) => {
                        let message = error.to_string();
                        // The import names `--with` when the file needs a beside file (or has
                        // one it cannot use): ask for that file, from the file's folder.
                        let prompt = if message.contains("--with") {
                            beside_prompt(&path)
                        } else {
                            Prompt::new(PromptKind::ImportPath, path)
                        };
                        ImportFollowUp {
                            outcome: ScreenOutcome {
                                prompt: Some(prompt),
                                ..ScreenOutcome::say(message, Tone::Error)
                            },
                            database_changed: false,
                        }
                    }
                }
            }
            Finished::Import { generation, result } if generation == self.generation => {
                self.running = None;
                self.detected = None;
                let result = result
                    .map(|receipt| receipt.sentence())
                    .map_err(|error| error.to_string());
                let status = match &result {
                    Ok(summary) => (summary.clone(), Tone::Good),
                    Err(error) => (error.clone(), Tone::Error),
                };
                let database_changed = result.is_ok();
                self.finished = Some(result);
                ImportFollowUp {
                    outcome: ScreenOutcome {
                        status: Some(status),
                        ..ScreenOutcome::default()
                    },
                    database_changed,
                }
            }
            Finished::SniffFolder {
                generation,
                path,
                result,
            } if generation == self.generation => {
                self.detecting = false;
                match result {
                    Ok(files) => {
                        self.folder = files;
                        ImportFollowUp::default()
                    }
                    Err(error) => ImportFollowUp {
                        outcome: ScreenOutcome {
                            prompt: Some(Prompt::new(PromptKind::ImportPath, path)),
                            ..ScreenOutcome::say(error.to_string(), Tone::Error)
                        },
                        database_changed: false,
                    },
                }
            }
            Finished::ImportFolder {
                generation,
                results,
            } if generation == self.generation => {
                self.running = None;
                let recognised = self.folder.iter().filter(|f| f.imported()).count();
                self.folder.clear();
                let imported = results.iter().filter(|(_, r)| r.is_ok()).count();
                let failure = results.iter().find_map(|(file, result)| {
                    result
                        .as_ref()
                        .err()
                        .map(|error| format!("{}: {error}", file.display()))
                });
                let summary = format!("Imported {imported} of {recognised} file(s) of the folder.");
                let result = match failure {
                    None => Ok(summary),
                    Some(error) => Err(format!(
                        "{summary} Stopped at the first failure, whose file is unchanged: {error}"
                    )),
                };
                let status = match &result {
                    Ok(summary) => (summary.clone(), Tone::Good),
                    Err(error) => (error.clone(), Tone::Error),
                };
                self.finished = Some(result);
                ImportFollowUp {
                    outcome: ScreenOutcome {
                        status: Some(status),
                        ..ScreenOutcome::default()
                    },
                    database_changed: imported > 0,
                }
            }
            _ => ImportFollowUp::default(),
        }
    }
}

/// File names, as the status line and the Options panel show them: the name, not the path.
pub fn names(files: &[PathBuf]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|file| {
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            );
            crate::domain::text::strip_control(&name)
        })
        .collect();
    names.join(", ")
}

/// The field that asks for a file to read beside `path` (`--with`), starting in `path`'s
/// folder, where its agreements or contracts usually are, so that Tab lists them.
pub fn beside_prompt(path: &str) -> Prompt {
    let folder = Path::new(path)
        .parent()
        .map(|folder| folder.display().to_string())
        .filter(|folder| !folder.is_empty())
        .map(|folder| format!("{folder}{}", std::path::MAIN_SEPARATOR));
    Prompt::new(PromptKind::ImportWith, folder.unwrap_or_default())
}
