//! Background work, so that the UI thread never waits on a disk, the database or the matcher.
//!
//! - The reconciliation runs on one single-slot worker: a newer request replaces a waiting one
//!   (as gitui's `AsyncSingleJob` does), so a burst of decisions costs one reconciliation.
//! - Every other slow step the operator starts (detecting a file, importing it, completing a
//!   path, ranking the safe band, writing a report) is a task on a thread of its own.
//!
//! Every job reports its end exactly once, even when it panics, so the workbench is never left
//! "busy". Results carry the generation they were started under; outdated ones are dropped.

use crate::domain::decision::Decision;
use crate::import::{Progress, SourceInfo};
use crate::workflow::{ImportReceipt, MappingKind, ReconcileJob, ReconciledReport, WorkflowError};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// One file of a folder chosen for import, and what it was detected to be.
pub use crate::workflow::FolderFile;

/// A message from a worker to the UI thread.
#[derive(Debug, Clone)]
pub enum JobEvent {
    /// An import read more of its file.
    ImportProgress {
        /// The generation the import was started under.
        generation: u64,
        /// How far it got.
        progress: Progress,
    },
    /// A task ended; each task sends exactly one.
    Finished(Finished),
    /// A background reconciliation ended.
    Reconciled(ReconciledReport),
}

/// How a task ended.
#[derive(Debug, Clone)]
pub enum Finished {
    /// An import: what was stored, or why nothing was (with file:line:column).
    Import {
        /// The generation the import was started under.
        generation: u64,
        /// The outcome (boxed: a receipt is much larger than the other events).
        result: Result<Box<ImportReceipt>, Arc<WorkflowError>>,
    },
    /// What every file of a folder was detected to be, before anything is written.
    SniffFolder {
        /// The generation the detection was started under.
        generation: u64,
        /// The folder.
        path: String,
        /// Each file with what it is or why it cannot be read; or why the folder cannot be.
        result: Result<Vec<FolderFile>, Arc<WorkflowError>>,
    },
    /// A folder's import: each file imported in order, up to the first failure.
    ImportFolder {
        /// The generation the import was started under.
        generation: u64,
        /// Each file read, with what was stored or why nothing was.
        results: Vec<(PathBuf, Result<String, String>)>,
    },
    /// What a file was detected to be, before anything is written.
    Sniff {
        /// The generation the detection was started under.
        generation: u64,
        /// The file.
        path: String,
        /// What it is, with the beside files found for it in its folder (empty when it needs
        /// none), or why it cannot be read.
        result: Result<(SourceInfo, Vec<PathBuf>), Arc<WorkflowError>>,
    },
    /// The entries that complete a typed path.
    Completions {
        /// The text they complete.
        for_text: String,
        /// The matching entries.
        matches: Vec<String>,
    },
    /// The decisions a bulk accept of the safe band would make.
    SafeBand {
        /// The workspace generation the ranking was computed for.
        generation: u64,
        /// The queue.
        kind: MappingKind,
        /// The decisions, or why they could not be ranked.
        result: Result<Vec<Decision>, Arc<WorkflowError>>,
    },
    /// A report file written.
    Export {
        /// Where, or why nothing was written.
        result: Result<PathBuf, Arc<WorkflowError>>,
    },
    /// A task panicked; what it was doing, for the status line.
    Panicked {
        /// The task, in words.
        task: &'static str,
    },
}

/// The reconcile worker's slot: the job waiting to start, and whether one is running.
#[derive(Default)]
struct Slot {
    waiting: Option<ReconcileJob>,
    running: bool,
}

/// The channel between the workers and the UI thread.
pub struct Jobs {
    sender: Sender<JobEvent>,
    receiver: Receiver<JobEvent>,
    slot: Arc<(Mutex<Slot>, Condvar)>,
    tasks_running: usize,
}

impl Default for Jobs {
    fn default() -> Self {
        let (sender, receiver) = channel();
        let slot: Arc<(Mutex<Slot>, Condvar)> = Arc::default();
        let worker_slot = Arc::clone(&slot);
        let worker_sender = sender.clone();
        std::thread::spawn(move || reconcile_worker(&worker_slot, &worker_sender));
        Jobs {
            sender,
            receiver,
            slot,
            tasks_running: 0,
        }
    }
}

/// Takes the latest waiting job, runs it, reports; ends when the UI has gone.
fn reconcile_worker(slot: &(Mutex<Slot>, Condvar), sender: &Sender<JobEvent>) {
    let (lock, wake) = slot;
    loop {
        let job = {
            let Ok(mut state) = lock.lock() else { return };
            loop {
                if let Some(job) = state.waiting.take() {
                    state.running = true;
                    break job;
                }
                state.running = false;
                match wake.wait(state) {
                    Ok(next) => state = next,
                    Err(_) => return,
                }
            }
        };
        let fallback = job.failure("the gap calculation stopped unexpectedly");
        let done = catch_unwind(AssertUnwindSafe(|| job.run())).unwrap_or(fallback);
        // The flag is cleared at the top of the loop, after the result is in the channel, so
        // that a caller waiting for "not busy" always finds the result there.
        if sender.send(JobEvent::Reconciled(done)).is_err() {
            return;
        }
    }
}

impl Jobs {
    /// Runs a task on its own thread. It ends with exactly one [`JobEvent::Finished`], even
    /// when it panics.
    pub fn spawn(
        &mut self,
        task: &'static str,
        work: impl FnOnce(&Sender<JobEvent>) -> Finished + Send + 'static,
    ) {
        let sender = self.sender.clone();
        self.tasks_running = self.tasks_running.saturating_add(1);
        std::thread::spawn(move || {
            let finished = catch_unwind(AssertUnwindSafe(|| work(&sender)))
                .unwrap_or(Finished::Panicked { task });
            // A closed channel means the UI has gone; nothing is waiting for the result.
            let _ = sender.send(JobEvent::Finished(finished));
        });
    }

    /// Asks for a reconciliation; it replaces any reconciliation still waiting to start.
    pub fn schedule_reconcile(&mut self, job: ReconcileJob) {
        let (lock, wake) = &*self.slot;
        if let Ok(mut state) = lock.lock() {
            state.waiting = Some(job);
            state.running = true;
            wake.notify_one();
        }
    }

    /// True while a task runs or a reconciliation is waiting or running.
    pub fn busy(&self) -> bool {
        let reconciling = self
            .slot
            .0
            .lock()
            .map(|state| state.running || state.waiting.is_some())
            .unwrap_or(false);
        self.tasks_running > 0 || reconciling
    }

    /// The next event, waiting at most `wait` (zero: do not wait).
    pub fn next(&mut self, wait: Duration) -> Option<JobEvent> {
        let event = if wait.is_zero() {
            self.receiver.try_recv().ok()
        } else {
            self.receiver.recv_timeout(wait).ok()
        };
        if let Some(JobEvent::Finished(_)) = &event {
            self.tasks_running = self.tasks_running.saturating_sub(1);
        }
        event
    }
}

/// A progress callback for an import task that sends about one message per percent, so the
/// channel never floods the UI.
pub fn import_progress(
    sender: &Sender<JobEvent>,
    generation: u64,
) -> impl FnMut(Progress) + use<'_> {
    let mut last_percent = u64::MAX;
    move |progress: Progress| {
        let percent = progress
            .bytes_read
            .saturating_mul(100)
            .checked_div(progress.total_bytes)
            .unwrap_or(0);
        if percent != last_percent {
            last_percent = percent;
            // A closed channel means the UI has gone; the import still finishes cleanly.
            let _ = sender.send(JobEvent::ImportProgress {
                generation,
                progress,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_that_panics_still_reports_its_end_and_the_workbench_is_not_left_busy() {
        let mut jobs = Jobs::default();
        jobs.spawn("testing a panic", |_| panic!("a worker failure"));
        assert!(jobs.busy());
        let event = jobs.next(Duration::from_secs(10));
        assert!(
            matches!(
                event,
                Some(JobEvent::Finished(Finished::Panicked {
                    task: "testing a panic"
                }))
            ),
            "{event:?}"
        );
        assert!(!jobs.busy(), "the end was counted");
    }
}
