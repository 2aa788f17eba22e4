//! Webhook delivery (placeholder until the sender lands).

use super::{DeliveryError, Pause, RetryPolicy};
use crate::domain::alerting::AlertGroup;
use serde::Deserialize;

/// Webhook settings.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSettings {
    /// URL.
    pub url: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
}

impl WebhookSettings {
    /// Whether resolved notices go out.
    pub fn sends_resolved(&self) -> bool {
        true
    }
}

/// Posts a group.
pub fn send(
    _settings: &WebhookSettings,
    _secret: Option<&str>,
    _group: &AlertGroup,
    _key: &str,
    _policy: RetryPolicy,
    _pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>) {
    (0, Err(DeliveryError::Misconfigured("not yet".into())))
}
