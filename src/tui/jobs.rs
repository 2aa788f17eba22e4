//! Background work: imports run on worker threads and report over a channel.
//!
//! The UI thread never waits for a worker. Each job carries the generation it was started
//! under; when the operator starts another job or the state moves on, the generation changes
//! and late results from the old job are dropped by the app instead of overwriting newer state.

use crate::import::Progress;
use crate::tui::data::{ImportRunner, ReconcileJob, ReconciledReport};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
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
    /// An import ended: its summary, or the error as a sentence with file:line:column.
    ImportDone {
        /// The generation the import was started under.
        generation: u64,
        /// The outcome: what was stored, or why nothing was.
        result: Result<String, String>,
    },
    /// A background reconciliation finished.
    Reconciled {
        /// The generation of the state it was computed from.
        generation: u64,
        /// The reconciliation, shared so the event stays cheap to clone.
        result: Result<Arc<ReconciledReport>, String>,
    },
}

/// Events are equal when they are the same event: same kind, generation and payload (a
/// reconciliation by identity, since reports are large).
impl PartialEq for JobEvent {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                JobEvent::ImportProgress {
                    generation: a,
                    progress: x,
                },
                JobEvent::ImportProgress {
                    generation: b,
                    progress: y,
                },
            ) => a == b && x == y,
            (
                JobEvent::ImportDone {
                    generation: a,
                    result: x,
                },
                JobEvent::ImportDone {
                    generation: b,
                    result: y,
                },
            ) => a == b && x == y,
            (
                JobEvent::Reconciled {
                    generation: a,
                    result: x,
                },
                JobEvent::Reconciled {
                    generation: b,
                    result: y,
                },
            ) => {
                a == b
                    && match (x, y) {
                        (Ok(x), Ok(y)) => Arc::ptr_eq(x, y),
                        (Err(x), Err(y)) => x == y,
                        _ => false,
                    }
            }
            _ => false,
        }
    }
}

impl JobEvent {
    /// The generation the event belongs to.
    pub fn generation(&self) -> u64 {
        match self {
            JobEvent::ImportProgress { generation, .. }
            | JobEvent::ImportDone { generation, .. }
            | JobEvent::Reconciled { generation, .. } => *generation,
        }
    }
}

/// The channel between workers and the UI thread, and the count of jobs still running.
#[derive(Debug)]
pub struct Jobs {
    sender: Sender<JobEvent>,
    receiver: Receiver<JobEvent>,
    running: usize,
}

impl Default for Jobs {
    fn default() -> Self {
        let (sender, receiver) = channel();
        Jobs {
            sender,
            receiver,
            running: 0,
        }
    }
}

impl Jobs {
    /// Starts an import of `path` on a new thread. Progress is throttled to about one message
    /// per percent so the channel never floods the UI.
    pub fn start_import(&mut self, generation: u64, path: PathBuf, runner: ImportRunner) {
        let sender = self.sender.clone();
        self.running += 1;
        std::thread::spawn(move || {
            let mut last_percent = u64::MAX;
            let mut report = |progress: Progress| {
                let percent = (progress.bytes_read * 100)
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
            let result = runner(&path, &mut report);
            let _ = sender.send(JobEvent::ImportDone { generation, result });
        });
    }

    /// Runs a reconciliation on a new thread.
    pub fn start_reconcile(&mut self, generation: u64, job: ReconcileJob) {
        let sender = self.sender.clone();
        self.running += 1;
        std::thread::spawn(move || {
            let result = job().map(Arc::new);
            // A closed channel means the UI has gone; nothing is waiting for the result.
            let _ = sender.send(JobEvent::Reconciled { generation, result });
        });
    }

    /// True while any job has not reported its end.
    pub fn busy(&self) -> bool {
        self.running > 0
    }

    /// The next event, waiting at most `wait` (zero: do not wait).
    pub fn next(&mut self, wait: Duration) -> Option<JobEvent> {
        let event = if wait.is_zero() {
            self.receiver.try_recv().ok()
        } else {
            self.receiver.recv_timeout(wait).ok()
        };
        if let Some(JobEvent::ImportDone { .. } | JobEvent::Reconciled { .. }) = &event {
            self.running = self.running.saturating_sub(1);
        }
        event
    }
}
