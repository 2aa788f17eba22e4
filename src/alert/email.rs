//! Email delivery (placeholder until the SMTP sender lands).

use super::{DeliveryError, Pause, RetryPolicy};
use serde::Deserialize;

/// SMTP settings.
#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    /// Host.
    pub host: String,
}

/// One email.
#[derive(Debug, Clone)]
pub struct EmailMessage {
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Message-ID.
    pub message_id: String,
}

/// Sends an email.
pub fn send(
    _settings: &SmtpSettings,
    _password: Option<&str>,
    _message: &EmailMessage,
    _policy: RetryPolicy,
    _pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>) {
    (0, Err(DeliveryError::Misconfigured("not yet".into())))
}
