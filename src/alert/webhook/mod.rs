//! Webhook delivery: one client's alert as a Microsoft Teams card, a Slack message or an
//! Alertmanager-shaped JSON document, POSTed over HTTPS (connectors.md §5.3).
//!
//! Rendering is pure ([`body`]) so that every payload can be checked without a network;
//! [`send`] adds the transport: the `Idempotency-Key` header (receivers drop a redelivery, since
//! delivery is at-least-once), an optional HMAC signature, and the status codes mapped onto
//! [`DeliveryError`] so that the shared retry loop ([`with_retries`]) decides what to retry.
//!
//! Two things never leave this module in an error or a log line: the webhook URL (Slack and
//! Teams URLs *are* the credential) and the signing secret. Errors name the host only.
//!
//! Every name that came from a file or an API is untrusted: control characters are stripped,
//! and for Slack and Teams the characters that would turn a client name into a mention, a link
//! or formatting are escaped, so a crafted name cannot ping a channel or plant a link.

mod notice;
mod payload;

pub use notice::Notice;

use payload::{clip, generic_body, hex, slack_body, teams_body};
#[cfg(test)]
mod tests;

use super::{DeliveryError, Pause, RetryPolicy, with_retries};
use crate::domain::alerting::AlertGroup;
use crate::domain::text::strip_control;
use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// The whole of one attempt (connect, TLS, send, answer) may take this long. ureq 3 has no
/// default timeout, and a cron run must end even when a receiver hangs.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

/// How much of a refusal's body is read for the receiver's words; the rest is not needed.
const WORDS_READ_LIMIT: u64 = 16 * 1024;

/// How many characters of the receiver's words go into an error.
const WORDS_CHARS: usize = 200;

/// Which receiver a webhook talks to, and so which payload it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookKind {
    /// A Microsoft Teams Workflows URL ("Send webhook alerts to a channel"): an Adaptive Card.
    /// The old Office 365 connector MessageCard is not sent, because Workflows reject it.
    Teams,
    /// A Slack incoming webhook: `text` plus Block Kit `blocks`.
    Slack,
    /// Any other receiver: the Alertmanager webhook JSON, which existing tools already parse.
    Generic,
}

impl WebhookKind {
    /// The name used in the configuration and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookKind::Teams => "teams",
            WebhookKind::Slack => "slack",
            WebhookKind::Generic => "generic",
        }
    }
}

/// One `[[webhooks]]` table of the configuration.
///
/// The signing secret is deliberately not a field: configuration files get copied, committed
/// and pasted into tickets, so the secret comes from the keyring or the environment and is
/// passed to [`send`] on its own. Unknown keys are refused, so that a `secret = …` line (or a
/// misspelt `send_resolved`) is an error instead of being silently ignored.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// The payload shape.
    pub kind: WebhookKind,
    /// Where to POST. For Slack and Teams the URL itself is the credential, so it is never
    /// printed: see the `Debug` implementation and [`WebhookSettings::receiver`].
    pub url: String,
    /// A name for logs and status screens; the host is used when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether "resolved" notices go to this webhook; absent means yes
    /// ([`WebhookSettings::sends_resolved`]).
    #[serde(default)]
    pub send_resolved: Option<bool>,
    /// A PEM certificate trusted as the only root for this webhook, instead of the built-in
    /// web PKI roots: for a receiver behind a private CA, and for tests against a self-signed
    /// loopback server. Not read from the `[[webhooks]]` table; the caller loads it.
    #[serde(skip)]
    pub root_certificate_pem: Option<Vec<u8>>,
}

impl WebhookSettings {
    /// True when "resolved" notices are sent here. Webhooks default to on, as in Alertmanager:
    /// a chat channel that saw a gap open should see it close (connectors.md §5.2 rule 5),
    /// while email defaults to off.
    pub fn sends_resolved(&self) -> bool {
        self.send_resolved.unwrap_or(true)
    }

    /// How logs, errors and `alerts status` name this webhook without printing its URL: the
    /// configured name when there is one, else the host.
    pub fn receiver(&self) -> String {
        match &self.name {
            Some(name) if !name.trim().is_empty() => strip_control(name.trim()),
            _ => host_of(&self.url).unwrap_or_else(|| "(invalid webhook URL)".to_string()),
        }
    }
}

/// Prints the host instead of the URL: a derived `Debug` would put the token of a Slack or
/// Teams URL into any log line that formats the settings.
impl fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = host_of(&self.url).unwrap_or_else(|| "(invalid)".to_string());
        f.debug_struct("WebhookSettings")
            .field("kind", &self.kind)
            .field("url", &format_args!("<redacted URL on {host}>"))
            .field("name", &self.name)
            .field("send_resolved", &self.send_resolved)
            .field("root_certificate_pem", &self.root_certificate_pem.is_some())
            .finish()
    }
}

/// The JSON document a webhook of `kind` receives for `group`.
///
/// `key` is the delivery's idempotency key (the content hash the notification log stores). It is
/// the same on every retry; the generic payload carries it as `idempotencyKey`, and Slack and
/// Teams show it as a reference in the footer so a message can be traced to the log.
pub fn body(kind: WebhookKind, group: &AlertGroup, key: &str) -> Value {
    match kind {
        WebhookKind::Teams => teams_body(group, key),
        WebhookKind::Slack => slack_body(group, key),
        WebhookKind::Generic => generic_body(group, key),
    }
}

/// Delivers `group` to one webhook under the retry policy; returns the number of attempts made
/// (0 when the settings cannot work and nothing was sent) with the outcome.
///
/// Only `https://` URLs are accepted; `http://` is allowed to a loopback host alone (127.0.0.0/8,
/// `::1`, `localhost`), which is what local receivers and tests use. With a `secret`, the
/// exact body bytes are signed: `X-Billgap-Signature: sha256=<hex HMAC-SHA256>`. 2xx is
/// success; 429 and 5xx are transient (honouring a `Retry-After` in seconds); other statuses
/// are permanent; a receiver that cannot be reached is transient.
pub fn send(
    settings: &WebhookSettings,
    secret: Option<&str>,
    group: &AlertGroup,
    idempotency_key: &str,
    policy: RetryPolicy,
    pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>) {
    send_body(
        settings,
        secret,
        &body(settings.kind, group, idempotency_key),
        idempotency_key,
        policy,
        pause,
    )
}

/// Delivers an owner notice (a failing source, new unmapped vendor entries) to one webhook:
/// the same transport, signature and retries as [`send`], with the notice's payload
/// ([`notice::body`]).
pub fn send_notice(
    settings: &WebhookSettings,
    secret: Option<&str>,
    notice: &Notice,
    idempotency_key: &str,
    policy: RetryPolicy,
    pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>) {
    send_body(
        settings,
        secret,
        &notice::body(settings.kind, notice, idempotency_key),
        idempotency_key,
        policy,
        pause,
    )
}

fn send_body(
    settings: &WebhookSettings,
    secret: Option<&str>,
    document: &Value,
    idempotency_key: &str,
    policy: RetryPolicy,
    pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>) {
    let delivery = match Delivery::prepare(settings, secret, document, idempotency_key) {
        Ok(delivery) => delivery,
        Err(error) => return (0, Err(error)),
    };
    let agent = match agent(
        delivery.endpoint.loopback,
        settings.root_certificate_pem.as_deref(),
    ) {
        Ok(agent) => agent,
        Err(error) => return (0, Err(error)),
    };
    with_retries(policy, pause, || delivery.attempt(&agent, settings, secret))
}

/// Everything one delivery sends, computed once so that every retry sends the same bytes
/// under the same signature.
struct Delivery<'a> {
    endpoint: Endpoint,
    bytes: Vec<u8>,
    idempotency_key: &'a str,
    signature: Option<String>,
}

impl<'a> Delivery<'a> {
    fn prepare(
        settings: &WebhookSettings,
        secret: Option<&str>,
        document: &Value,
        idempotency_key: &'a str,
    ) -> Result<Delivery<'a>, DeliveryError> {
        let endpoint = Endpoint::parse(&settings.url)?;
        if idempotency_key.is_empty() || !idempotency_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DeliveryError::Misconfigured(
                "the idempotency key must be non-empty printable ASCII to be sent as a header"
                    .to_string(),
            ));
        }
        let bytes = serde_json::to_vec(document).map_err(|error| {
            DeliveryError::Misconfigured(format!("cannot encode the payload: {error}"))
        })?;
        let signature = match secret {
            None => None,
            Some("") => {
                return Err(DeliveryError::Misconfigured(format!(
                    "the signing secret for the webhook on {} is empty: anyone could forge it",
                    endpoint.host
                )));
            }
            Some(secret) => Some(signature(secret, &bytes)?),
        };
        Ok(Delivery {
            endpoint,
            bytes,
            idempotency_key,
            signature,
        })
    }

    fn attempt(
        &self,
        agent: &ureq::Agent,
        settings: &WebhookSettings,
        secret: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let mut request = agent
            .post(settings.url.as_str())
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", self.idempotency_key);
        if let Some(signature) = &self.signature {
            request = request.header("X-Billgap-Signature", signature.as_str());
        }
        match request.send(self.bytes.as_slice()) {
            Ok(response) => answer(response, &self.endpoint.host, &settings.url, secret),
            Err(error) => Err(transport_error(error, &self.endpoint.host)),
        }
    }
}

/// The one HTTP client of a delivery. Redirects are not followed: a POST body is not re-sent
/// across a redirect, and a webhook URL that redirects is a configuration to fix. A loopback
/// receiver is reached directly, never through a proxy from the environment.
fn agent(loopback: bool, root_pem: Option<&[u8]>) -> Result<ureq::Agent, DeliveryError> {
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(ATTEMPT_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("billgap/", env!("CARGO_PKG_VERSION")));
    if loopback {
        config = config.proxy(None);
    }
    if let Some(pem) = root_pem {
        let certificate = ureq::tls::Certificate::from_pem(pem).map_err(|_| {
            DeliveryError::Misconfigured(
                "the webhook's root certificate holds no PEM certificate".to_string(),
            )
        })?;
        config = config.tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[certificate]))
                .build(),
        );
    }
    Ok(config.build().into())
}

/// Maps a receiver's answer onto the delivery contract.
fn answer(
    mut response: ureq::http::Response<ureq::Body>,
    host: &str,
    url: &str,
    secret: Option<&str>,
) -> Result<(), DeliveryError> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let code = status.as_u16();
    let transient = code == 429 || status.is_server_error();
    let retry_after = if transient {
        retry_after(
            response
                .headers()
                .get("retry-after")
                .and_then(|value| value.to_str().ok()),
        )
    } else {
        None
    };
    let mut reason = format!("{code} {}", status.canonical_reason().unwrap_or(""))
        .trim_end()
        .to_string();
    if status.is_redirection() {
        reason.push_str(": the webhook URL redirects; configure the URL it redirects to");
    } else {
        let words = response
            .body_mut()
            .with_config()
            .limit(WORDS_READ_LIMIT)
            .read_to_string()
            .map(|text| receivers_words(&text, url, secret))
            .unwrap_or_default();
        if !words.is_empty() {
            reason = format!("{reason}: {words}");
        }
    }
    Err(DeliveryError::Refused {
        receiver: host.to_string(),
        reason,
        transient,
        retry_after,
    })
}

/// A failure before any answer. The reason is built from fixed phrases and the I/O error kind,
/// never from ureq's own message, which may quote the URL.
fn transport_error(error: ureq::Error, host: &str) -> DeliveryError {
    let reason = match error {
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => {
            return DeliveryError::Misconfigured(format!(
                "the request to the webhook on {host} cannot be built (a URL or header value is not valid)"
            ));
        }
        ureq::Error::Io(io) => io.kind().to_string(),
        ureq::Error::Timeout(_) => format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        ureq::Error::Tls(what) => format!("TLS: {what}"),
        ureq::Error::Rustls(tls) => format!("TLS: {tls}"),
        ureq::Error::Protocol(_) => "the answer is not valid HTTP".to_string(),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
            "the HTTP proxy from the environment failed".to_string()
        }
        _ => "the connection failed".to_string(),
    };
    DeliveryError::Unreachable {
        receiver: host.to_string(),
        reason,
    }
}

/// A `Retry-After` in its seconds form. The HTTP-date form is read as absent: the retry loop's
/// own growing wait applies, which is safe because the loop caps every wait anyway.
fn retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The receiver's explanation, made safe to log: control characters stripped, whitespace
/// collapsed, anything that looks like the URL's token or the secret replaced (a receiver may
/// echo the URL it was called on), and clipped.
fn receivers_words(text: &str, url: &str, secret: Option<&str>) -> String {
    let mut words = strip_control(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for fragment in sensitive_fragments(url, secret) {
        words = words.replace(&fragment, "[redacted]");
    }
    clip(&words, WORDS_CHARS)
}

/// The parts of a URL that may be a credential (user info, path segments and query values of
/// 8 characters or more, the whole path) and the secret, longest first so that a longer match
/// is replaced before a part of it.
fn sensitive_fragments(url: &str, secret: Option<&str>) -> Vec<String> {
    let mut fragments: Vec<String> = Vec::new();
    if let Some(secret) = secret.filter(|secret| !secret.is_empty()) {
        fragments.push(secret.to_string());
    }
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    if let Some((user_info, _)) = authority.rsplit_once('@') {
        fragments.push(user_info.to_string());
    }
    if !tail.is_empty() && tail != "/" {
        fragments.push(tail.to_string());
    }
    fragments.extend(
        tail.split(['/', '?', '&', '=', '#', ';'])
            .filter(|piece| piece.chars().count() >= 8)
            .map(str::to_string),
    );
    fragments.retain(|fragment| !fragment.is_empty());
    fragments.sort_by_key(|fragment| std::cmp::Reverse(fragment.len()));
    fragments.dedup();
    fragments
}

/// `sha256=` and the lower-case hex HMAC-SHA256 of `body` under `secret`: what a receiver
/// recomputes over the raw body it got to know the message came from billgap, unaltered.
fn signature(secret: &str, body: &[u8]) -> Result<String, DeliveryError> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| {
        DeliveryError::Misconfigured("the signing secret cannot be used as a key".to_string())
    })?;
    mac.update(body);
    Ok(format!("sha256={}", hex(&mac.finalize().into_bytes())))
}

/// Where a webhook URL points, once it is known to be allowed.
#[derive(Debug)]
struct Endpoint {
    /// Lower-case, without IPv6 brackets: the only part of the URL errors may show.
    host: String,
    /// True for 127.0.0.0/8, `::1` and `localhost`.
    loopback: bool,
}

impl Endpoint {
    fn parse(url: &str) -> Result<Endpoint, DeliveryError> {
        let uri: ureq::http::Uri = url.parse().map_err(|_| {
            DeliveryError::Misconfigured("a webhook URL is not a valid URL".to_string())
        })?;
        let host = uri.host().map(bare_host).filter(|host| !host.is_empty());
        let Some(host) = host else {
            return Err(DeliveryError::Misconfigured(
                "a webhook URL has no host".to_string(),
            ));
        };
        let loopback = is_loopback(&host);
        let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
        match scheme.as_deref() {
            Some("https") => Ok(Endpoint { host, loopback }),
            Some("http") if loopback => Ok(Endpoint { host, loopback }),
            _ => Err(DeliveryError::Misconfigured(format!(
                "the webhook URL for {host} must start with https:// (plain http is allowed to a \
                 loopback host only, such as 127.0.0.1 or localhost)"
            ))),
        }
    }
}

fn bare_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The host of a URL, for naming a webhook without its credential.
fn host_of(url: &str) -> Option<String> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    uri.host().map(bare_host).filter(|host| !host.is_empty())
}

// ------------------------------------------------------------------------------------------
// Rendering
