//! The export screen: a format and a path. The report written is the one the gap table shows,
//! written on a task, atomically; while the gaps are being recalculated the write waits for
//! them, so a file never holds figures older than the screen.

use crate::domain::report::Report;
use crate::export::ExportFormat;
use crate::tui::jobs::{Finished, Jobs};
use crate::tui::outcome::{ScreenOutcome, Tone};
use std::path::PathBuf;
use std::sync::Arc;

/// The export screen's state.
#[derive(Debug, Clone)]
pub struct ExportScreen {
    /// The chosen format.
    pub format: ExportFormat,
    /// Where the report goes.
    pub path: String,
    /// True while a write waits for the gaps to be recalculated.
    pub waiting_for_gaps: bool,
    /// The last write: the path written, or why it failed.
    pub written: Option<Result<PathBuf, String>>,
    /// An existing file the user was asked about: writing again to this path replaces it.
    pub confirm_overwrite: Option<String>,
}

impl Default for ExportScreen {
    fn default() -> Self {
        ExportScreen {
            format: ExportFormat::Csv,
            path: "billgap-report.csv".to_string(),
            waiting_for_gaps: false,
            written: None,
            confirm_overwrite: None,
        }
    }
}

impl ExportScreen {
    /// The screen for a review on `today`: the default file is named by the day, so that this
    /// week's report never lands on last week's.
    pub fn for_day(today: chrono::NaiveDate) -> ExportScreen {
        ExportScreen {
            path: format!("billgap-report-{today}.csv"),
            ..ExportScreen::default()
        }
    }

    /// The next format, with the path's extension following it.
    pub fn cycle_format(&mut self) {
        let index = ExportFormat::ALL
            .iter()
            .position(|format| *format == self.format)
            .unwrap_or(0);
        let next = index.saturating_add(1) % ExportFormat::ALL.len();
        self.format = ExportFormat::ALL
            .get(next)
            .copied()
            .unwrap_or(ExportFormat::Csv);
        self.path = PathBuf::from(&self.path)
            .with_extension(self.format.extension())
            .display()
            .to_string();
    }

    /// Writes `report` on a task, with the agreements and subscriptions behind its gaps read
    /// from `database` there, or, while the gaps are recalculated (`None`), waits for them: the
    /// app calls this again when they arrive.
    pub fn write(
        &mut self,
        report: Option<Arc<Report>>,
        database: PathBuf,
        jobs: &mut Jobs,
    ) -> ScreenOutcome {
        self.waiting_for_gaps = report.is_none();
        // Never replace a file silently: the first press on an existing file asks, the second
        // (on the same path) replaces it.
        if std::path::Path::new(&self.path).exists()
            && self.confirm_overwrite.as_deref() != Some(self.path.as_str())
        {
            self.waiting_for_gaps = false;
            self.confirm_overwrite = Some(self.path.clone());
            return ScreenOutcome::say(
                format!(
                    "{} exists: write again to replace it, or change the path.",
                    self.path
                ),
                Tone::Info,
            );
        }
        let Some(report) = report else {
            return ScreenOutcome::say(
                "The gaps are being recalculated; the report is written as soon as they are ready.",
                Tone::Info,
            );
        };
        self.confirm_overwrite = None;
        let (format, path) = (self.format, PathBuf::from(&self.path));
        jobs.spawn("writing the report", move |_| {
            let result =
                crate::workflow::write_report_with_references(&database, &report, format, &path)
                    .map(|()| std::fs::canonicalize(&path).unwrap_or(path))
                    .map_err(Into::into);
            Finished::Export { result }
        });
        ScreenOutcome::default()
    }

    /// Takes an ended write.
    pub fn finish(
        &mut self,
        result: Result<PathBuf, Arc<crate::workflow::WorkflowError>>,
    ) -> ScreenOutcome {
        let result = result.map_err(|error| error.to_string());
        let outcome = match &result {
            Ok(path) => {
                ScreenOutcome::say(format!("Report written to {}", path.display()), Tone::Good)
            }
            Err(error) => ScreenOutcome::say(error.clone(), Tone::Error),
        };
        self.written = Some(result);
        outcome
    }
}
