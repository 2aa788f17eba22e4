//! Background work, so that the UI thread never waits: one single-slot worker for the
//! reconciliation, and a thread per import.
//!
//! The reconcile worker keeps at most one job waiting: a newer request replaces a waiting one
//! (as gitui's `AsyncSingleJob` does), so a burst of decisions costs one reconciliation, not one
//! each. Every job always reports its end, even when it panics, so the workbench is never left
//! "busy". Results carry the generation they were computed for; the workspace drops outdated
//! ones.

use crate::import::{ImportOptions, Progress};
use crate::workflow::{ImportReceipt, ReconcileJob, ReconciledReport, WorkflowError};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

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
    /// An import ended: what was stored, or why nothing was (with file:line:column).
    ImportDone {
        /// The generation the import was started under.
        generation: u64,
        /// The outcome (boxed: a receipt is much larger than the other events).
        result: Result<Box<ImportReceipt>, Arc<WorkflowError>>,
    },
    /// A background reconciliation ended.
    Reconciled(ReconciledReport),
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
    imports_running: usize,
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
            imports_running: 0,
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
    /// Starts an import of `path` on its own thread and connection. Progress is throttled to
    /// about one message per percent so the channel never floods the UI.
    pub fn start_import(
        &mut self,
        generation: u64,
        database: PathBuf,
        path: PathBuf,
        options: ImportOptions,
    ) {
        let sender = self.sender.clone();
        self.imports_running = self.imports_running.saturating_add(1);
        std::thread::spawn(move || {
            let mut last_percent = u64::MAX;
            let mut report = |progress: Progress| {
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
            };
            let result = catch_unwind(AssertUnwindSafe(|| {
                crate::workflow::import_file(&database, &path, &options, &mut report)
            }))
            .unwrap_or_else(|_| {
                Err(WorkflowError::Refused(
                    "the import stopped unexpectedly; the database is unchanged".to_string(),
                ))
            })
            .map(Box::new)
            .map_err(Arc::new);
            let _ = sender.send(JobEvent::ImportDone { generation, result });
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

    /// True while an import runs or a reconciliation is waiting or running.
    pub fn busy(&self) -> bool {
        let reconciling = self
            .slot
            .0
            .lock()
            .map(|state| state.running || state.waiting.is_some())
            .unwrap_or(false);
        self.imports_running > 0 || reconciling
    }

    /// The next event, waiting at most `wait` (zero: do not wait).
    pub fn next(&mut self, wait: Duration) -> Option<JobEvent> {
        let event = if wait.is_zero() {
            self.receiver.try_recv().ok()
        } else {
            self.receiver.recv_timeout(wait).ok()
        };
        if let Some(JobEvent::ImportDone { .. }) = &event {
            self.imports_running = self.imports_running.saturating_sub(1);
        }
        event
    }
}
