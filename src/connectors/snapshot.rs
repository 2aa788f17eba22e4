//! What a pull returns: the lines, whether the snapshot is complete, and what went wrong.
//!
//! A snapshot is complete only when every page was read, the count matched the total the API
//! reported (where it reports one), and the records became lines. Anything else (a paging
//! error, a spent budget, an auth failure, a timeout, a malformed body) leaves it incomplete:
//! it is kept for drill-down but never replaces the stored state, never resolves a gap and
//! never lets a check say "clean". What an incomplete vendor pull did read may still show new
//! gaps (see [`crate::domain::reconcile::seen`]).

use super::budget::Budget;
use super::http::CallError;
use crate::domain::lines::Line;

/// One page as the API sent it, kept for drill-down and audit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RawPage {
    /// `GET /v1/subscriptions?page=0&size=200`: the method and path, without the host.
    pub request: String,
    /// The HTTP status.
    pub status: u16,
    /// The body exactly as received.
    pub body: String,
}

/// The result of one pull.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The source, such as `pax8`.
    pub source: String,
    /// The lines, as the importer of the same source's export would make them.
    pub lines: Vec<Line>,
    /// True only when every page was read and the records all became lines.
    pub complete: bool,
    /// For a vendor pull that stopped early, the lines it did read: a lower bound of the
    /// vendor's seats, never the whole. Empty for a complete pull and for every PSA pull.
    pub seen: Vec<Line>,
    /// The slice of the period the lines cover, as an import of the same records names it.
    pub slice: Option<String>,
    /// What went wrong, in words that name no secret.
    pub problems: Vec<String>,
    /// Records read (subscriptions, additions…).
    pub records: usize,
    /// The pages as received.
    pub raw: Vec<RawPage>,
    /// What the pull spent of its request budget.
    pub budget: Budget,
}

impl Snapshot {
    /// The pages as one JSON document, for storing.
    pub fn raw_json(&self) -> String {
        serde_json::to_string(&self.raw).unwrap_or_default()
    }
}

/// Why a pull stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    /// The HTTP client gave up (budget, throttling, timeouts, a foreign next-page host).
    #[error(transparent)]
    Call(#[from] CallError),
    /// The API refused the credentials.
    #[error("{api}: authentication failed: {reason}")]
    Auth {
        /// The API.
        api: String,
        /// What the API said, secrets removed.
        reason: String,
    },
    /// The API answered with an error status.
    #[error("{api}: {request} answered {status}{words}")]
    Status {
        /// The API.
        api: String,
        /// The method and path.
        request: String,
        /// The status and its reason.
        status: String,
        /// The API's own words, clipped, with a leading ": ".
        words: String,
    },
    /// An answer is not what the API documents.
    #[error("{api}: {request} answered a body billgap cannot read: {reason}")]
    Malformed {
        /// The API.
        api: String,
        /// The method and path.
        request: String,
        /// What was expected and found, with the line and column for JSON errors.
        reason: String,
    },
    /// The pages disagree with the total the API reported.
    #[error("{api}: {reason}")]
    Paging {
        /// The API.
        api: String,
        /// What disagreed.
        reason: String,
    },
    /// A credential or setting is missing.
    #[error("{0}")]
    Setup(String),
}

/// The API's words from an error body: control characters stripped, whitespace collapsed,
/// clipped to 200 characters.
pub fn words_of(body: &str) -> String {
    let words = crate::domain::text::strip_control(body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let clipped: String = words.chars().take(200).collect();
    if clipped.is_empty() {
        String::new()
    } else {
        format!(": {clipped}")
    }
}

/// Replaces every secret in a text: an API may echo what it was sent.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|secret| secret.len() >= 4) {
        text = text.replace(secret, "[redacted]");
    }
    text
}

/// The method and path of a URL, without scheme, host or credentials: `GET /v1/companies?page=0`.
pub fn request_label(method: &str, url: &str) -> String {
    let path = url
        .parse::<ureq::http::Uri>()
        .ok()
        .and_then(|uri| uri.path_and_query().map(|path| path.as_str().to_string()))
        .unwrap_or_else(|| "?".to_string());
    format!("{method} {path}")
}

/// Reads one answer of a JSON API as every connector must: the page is kept for drill-down
/// whatever it says, 401 and 403 become an auth error with `auth_hint` (what to check),
/// another failure a status error, and a body that is not JSON a malformed-body error located
/// at its line and column.
pub fn json_answer(
    api: &str,
    request: String,
    answer: &super::http::Answer,
    raw: &mut Vec<RawPage>,
    auth_hint: &str,
) -> Result<serde_json::Value, PullError> {
    raw.push(RawPage {
        request: request.clone(),
        status: answer.status,
        body: answer.body.clone(),
    });
    if answer.status == 401 || answer.status == 403 {
        return Err(PullError::Auth {
            api: api.into(),
            reason: format!(
                "{request} answered {}{}; {auth_hint}",
                answer.status,
                words_of(&answer.body)
            ),
        });
    }
    if !answer.is_success() {
        return Err(PullError::Status {
            api: api.into(),
            request,
            status: format!("{} {}", answer.status, super::http::reason(answer.status)),
            words: words_of(&answer.body),
        });
    }
    serde_json::from_str(&answer.body).map_err(|error| PullError::Malformed {
        api: api.into(),
        request,
        reason: format!(
            "not JSON at line {} column {}: {error}",
            error.line(),
            error.column()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_hosts_stay_out_of_problem_text() {
        assert_eq!(
            redact("bad client s3cr3t-value", &["s3cr3t-value", ""]),
            "bad client [redacted]"
        );
        assert_eq!(
            request_label("GET", "https://api.pax8.com/v1/companies?page=2&size=200"),
            "GET /v1/companies?page=2&size=200"
        );
        assert_eq!(words_of("  oops\n\u{1b}[31m  "), ": oops [31m");
    }
}
