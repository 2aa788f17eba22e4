//! A client's whole account, for the conversation with the account manager: every product,
//! both sides' seats, including the rows that agree.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::lines::SourceKey;
use crate::domain::reconcile::{Account, account};
use rust_decimal::Decimal;

impl Workspace {
    /// The account of one PSA company, from the same positions, mappings and gaps as the
    /// report at `threshold` (the gaps do not depend on it; the cached report is reused when
    /// it is current).
    pub fn account(
        &mut self,
        company: &SourceKey,
        threshold: Decimal,
    ) -> Result<Account, WorkflowError> {
        let report = match self.current_report(threshold) {
            Some(report) => report,
            None => self.report(Some(threshold), false)?,
        };
        let gaps: Vec<_> = report
            .gaps
            .iter()
            .filter(|tracked| tracked.gap.company == *company)
            .map(|tracked| tracked.gap.clone())
            .collect();
        let today = self.today();
        let session = self.session()?;
        Ok(account(
            company,
            &session.vendor,
            &session.psa,
            &session.mappings,
            &gaps,
            today,
        ))
    }
}
