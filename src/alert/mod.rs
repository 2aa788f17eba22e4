//! Alerts: what a scheduled check tells people, and how it reaches them.
//!
//! The decision of *what* to send is a domain rule ([`crate::domain::alerting`]); this module
//! renders a decided [`crate::domain::alerting::AlertGroup`] into messages and delivers them:
//! email through SMTP ([`email`]) and webhooks for Microsoft Teams, Slack and generic JSON
//! receivers ([`webhook`]). Delivery never decides and never stores: the application core logs
//! every attempt, so a failed delivery is retried by the next run and never lost.

pub mod email;
pub mod render;
pub mod webhook;

use std::time::Duration;

/// Why a delivery failed. Secrets never appear in it: messages are built from status codes,
/// hosts and the receiver's own words, never from credentials or signed headers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The receiver answered and refused (an HTTP status or an SMTP reply code).
    #[error("{receiver} refused the message: {reason}")]
    Refused {
        /// The host (never the full URL: webhook URLs carry tokens).
        receiver: String,
        /// The status or reply code, with the receiver's words.
        reason: String,
        /// True when trying again later may succeed (429, 5xx, SMTP 4xx).
        transient: bool,
        /// How long the receiver asked us to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// The receiver could not be reached (DNS, connection refused, TLS, timeout).
    #[error("cannot reach {receiver}: {reason}")]
    Unreachable {
        /// The host.
        receiver: String,
        /// What failed.
        reason: String,
    },
    /// The settings cannot work (a plain-text SMTP connection to a host that is not loopback,
    /// a URL that is not https, a missing secret).
    #[error("{0}")]
    Misconfigured(String),
}

impl DeliveryError {
    /// True when a later attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            DeliveryError::Refused { transient, .. } => *transient,
            DeliveryError::Unreachable { .. } => true,
            DeliveryError::Misconfigured(_) => false,
        }
    }
}

/// How a channel retries one delivery within a run: a few attempts with a growing wait,
/// honouring the receiver's `Retry-After`, within a budget so that a cron run always ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait before the second attempt; it doubles for each later one.
    pub first_wait: Duration,
    /// No single wait is longer, whatever `Retry-After` says; past it, the run gives up and
    /// the next run delivers.
    pub longest_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            first_wait: Duration::from_secs(2),
            longest_wait: Duration::from_secs(60),
        }
    }
}

/// Waiting between attempts, so that tests replace real sleeping with a recorded wait.
pub trait Pause {
    /// Waits for `duration` (or records that it would).
    fn pause(&mut self, duration: Duration);
}

/// Real waiting, for production.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sleep;

impl Pause for Sleep {
    fn pause(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// The waits a retry loop made instead of sleeping, for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedPauses(pub Vec<Duration>);

impl Pause for RecordedPauses {
    fn pause(&mut self, duration: Duration) {
        self.0.push(duration);
    }
}

/// Runs `attempt` under a retry policy: a transient failure is tried again after the
/// receiver's `Retry-After` (capped at `longest_wait`) or the policy's growing wait; a
/// permanent failure, or the last attempt's failure, is returned. Returns the number of
/// attempts made with the outcome.
pub fn with_retries<T>(
    policy: RetryPolicy,
    pause: &mut dyn Pause,
    mut attempt: impl FnMut() -> Result<T, DeliveryError>,
) -> (u32, Result<T, DeliveryError>) {
    let mut wait = policy.first_wait;
    let mut made = 0_u32;
    loop {
        made = made.saturating_add(1);
        match attempt() {
            Ok(value) => return (made, Ok(value)),
            Err(error) if error.is_transient() && made < policy.attempts => {
                let asked = match &error {
                    DeliveryError::Refused { retry_after, .. } => *retry_after,
                    _ => None,
                };
                pause.pause(asked.unwrap_or(wait).min(policy.longest_wait));
                wait = wait.saturating_mul(2);
            }
            Err(error) => return (made, Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(retry_after: Option<u64>) -> DeliveryError {
        DeliveryError::Refused {
            receiver: "hooks.example".into(),
            reason: "429 Too Many Requests".into(),
            transient: true,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn a_transient_failure_is_retried_honouring_retry_after_then_succeeds() {
        let mut pauses = RecordedPauses::default();
        let mut answers = vec![Err(busy(Some(57))), Err(busy(None)), Ok("sent")].into_iter();
        let (attempts, result) = with_retries(RetryPolicy::default(), &mut pauses, || {
            answers.next().unwrap_or(Ok("sent"))
        });
        assert_eq!(result, Ok("sent"));
        assert_eq!(attempts, 3);
        assert_eq!(
            pauses.0,
            [Duration::from_secs(57), Duration::from_secs(4)],
            "Retry-After first (capped at 60 s), then the doubled wait"
        );
    }

    #[test]
    fn a_permanent_failure_is_not_retried() {
        let mut pauses = RecordedPauses::default();
        let refused = DeliveryError::Refused {
            receiver: "hooks.example".into(),
            reason: "404 Not Found".into(),
            transient: false,
            retry_after: None,
        };
        let (attempts, result) =
            with_retries::<()>(RetryPolicy::default(), &mut pauses, || Err(refused.clone()));
        assert_eq!(attempts, 1);
        assert_eq!(result, Err(refused));
        assert!(pauses.0.is_empty());
    }

    #[test]
    fn the_budget_ends_a_run_that_keeps_failing() {
        let mut pauses = RecordedPauses::default();
        let (attempts, result) = with_retries::<()>(RetryPolicy::default(), &mut pauses, || {
            Err(busy(Some(3600)))
        });
        assert_eq!(attempts, 3);
        assert!(result.is_err());
        assert_eq!(pauses.0, [Duration::from_secs(60), Duration::from_secs(60)]);
    }
}
