//! The request budget of one pull: how many calls it may make and how long it may wait on
//! 429s. Spending it stops the pull, which is then stored as incomplete; the budget is shown
//! after every pull so that a user sees how close an API's limit is.

use super::http::CallError;
use std::time::Duration;

/// What one pull may spend, and what it spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most calls (token calls and retries included).
    pub limit: u32,
    /// Calls made.
    pub used: u32,
    /// The most time spent waiting on 429s.
    pub max_wait: Duration,
    /// Time spent waiting on 429s.
    pub waited: Duration,
}

impl Budget {
    /// A fresh budget.
    pub fn new(limit: u32, max_wait: Duration) -> Budget {
        Budget {
            limit,
            used: 0,
            max_wait,
            waited: Duration::ZERO,
        }
    }

    /// Counts one call, or refuses it when the budget is spent.
    pub fn spend(&mut self, api: &str) -> Result<(), CallError> {
        if self.used >= self.limit {
            return Err(CallError::BudgetSpent {
                api: api.to_string(),
                limit: self.limit,
            });
        }
        self.used = self.used.saturating_add(1);
        Ok(())
    }

    /// The waiting still allowed.
    pub fn wait_left(&self) -> Duration {
        self.max_wait.saturating_sub(self.waited)
    }

    /// "17 of 500 requests, waited 0 s on rate limits".
    pub fn describe(&self) -> String {
        format!(
            "{} of {} requests, waited {} s on rate limits",
            self.used,
            self.limit,
            self.waited.as_secs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_budget_refuses_the_next_call() {
        let mut budget = Budget::new(2, Duration::from_secs(10));
        assert!(budget.spend("pax8").is_ok());
        assert!(budget.spend("pax8").is_ok());
        assert_eq!(
            budget.spend("pax8"),
            Err(CallError::BudgetSpent {
                api: "pax8".into(),
                limit: 2
            })
        );
        assert_eq!(
            budget.describe(),
            "2 of 2 requests, waited 0 s on rate limits"
        );
    }
}
