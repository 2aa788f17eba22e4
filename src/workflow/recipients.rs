//! Who is told about each client, and the log of what was sent.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::lines::SourceKey;
use crate::store::{NotificationRow, Recipients};
use std::collections::HashMap;

impl Workspace {
    /// Sets one PSA company's recipients.
    pub fn set_recipients(
        &mut self,
        company: &SourceKey,
        recipients: &Recipients,
    ) -> Result<(), WorkflowError> {
        Ok(self.store.set_recipients(company, recipients)?)
    }

    /// Every PSA company's recipients.
    pub fn recipients(&self) -> Result<HashMap<SourceKey, Recipients>, WorkflowError> {
        Ok(self.store.recipients()?)
    }

    /// The delivery log, newest first.
    pub fn notification_log(&self, limit: usize) -> Result<Vec<NotificationRow>, WorkflowError> {
        Ok(self.store.notification_log(limit)?)
    }
}
