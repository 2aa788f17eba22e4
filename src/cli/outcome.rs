//! What a command run means for a scheduler: the process exit code.
//!
//! 0 when the command did its work and, for a reconciliation, found the data clean at full
//! coverage; 1 when a reconciliation needs action (gaps over a threshold, incomplete coverage,
//! or nothing compared); 2 on any error (set by `main`). The mapping from a verdict lives here,
//! at the edge, so the domain knows nothing of processes.

use crate::domain::reconcile::Verdict;

/// How a command ended, short of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing needs action. Exit code 0.
    Done,
    /// Done, and what it found needs action. Exit code 1.
    NeedsAction,
}

impl Outcome {
    /// The outcome of a reconciliation: only a clean verdict is `Done`, so a scheduler never
    /// reads "nothing compared" or "coverage incomplete" as success.
    pub fn of(verdict: Verdict) -> Outcome {
        match verdict {
            Verdict::Clean => Outcome::Done,
            Verdict::NothingCompared | Verdict::IncompleteCoverage | Verdict::OverThreshold => {
                Outcome::NeedsAction
            }
        }
    }

    /// The process exit code.
    pub fn exit_code(self) -> std::process::ExitCode {
        match self {
            Outcome::Done => std::process::ExitCode::SUCCESS,
            Outcome::NeedsAction => std::process::ExitCode::from(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_clean_verdict_is_success() {
        assert_eq!(Outcome::of(Verdict::Clean), Outcome::Done);
        for verdict in [
            Verdict::NothingCompared,
            Verdict::IncompleteCoverage,
            Verdict::OverThreshold,
        ] {
            assert_eq!(Outcome::of(verdict), Outcome::NeedsAction);
        }
    }
}
