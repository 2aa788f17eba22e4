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

use super::{DeliveryError, Pause, RetryPolicy, with_retries};
use crate::domain::alerting::{AlertGroup, AlertReason, AlertedGap};
use crate::domain::money::Money;
use crate::domain::text::strip_control;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
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

/// How many characters of a client or product name a message shows: names come from files,
/// and an absurdly long one must not push a message over the channel's size limit.
const NAME_CHARS: usize = 150;

/// Teams drops cards over about 28 KB; 25 gaps with their facts stay well under it.
const TEAMS_MAX_GAPS: usize = 25;

/// Slack allows 50 blocks per message; 40 gaps leave room for the header, coverage, totals and
/// the footer.
const SLACK_MAX_GAPS: usize = 40;

/// Slack header blocks take at most 150 characters.
const SLACK_HEADER_CHARS: usize = 150;

/// The `receiver` of the generic payload: Alertmanager names the configuration that sent it.
const GENERIC_RECEIVER: &str = "billgap";

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
    let delivery = match Delivery::prepare(settings, secret, group, idempotency_key) {
        Ok(delivery) => delivery,
        Err(error) => return (0, Err(error)),
    };
    let agent = agent(delivery.endpoint.loopback);
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
        group: &AlertGroup,
        idempotency_key: &'a str,
    ) -> Result<Delivery<'a>, DeliveryError> {
        let endpoint = Endpoint::parse(&settings.url)?;
        if idempotency_key.is_empty() || !idempotency_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DeliveryError::Misconfigured(
                "the idempotency key must be non-empty printable ASCII to be sent as a header"
                    .to_string(),
            ));
        }
        let bytes =
            serde_json::to_vec(&body(settings.kind, group, idempotency_key)).map_err(|error| {
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
fn agent(loopback: bool) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(ATTEMPT_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("billgap/", env!("CARGO_PKG_VERSION")));
    if loopback {
        config = config.proxy(None);
    }
    config.build().into()
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
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

/// Untrusted text made printable and bounded: control characters stripped, trimmed, clipped.
fn clean(text: &str, max_chars: usize) -> String {
    clip(strip_control(text).trim(), max_chars)
}

/// At most `max_chars` characters, with an ellipsis when something was cut.
fn clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

/// Slack mrkdwn: `&`, `<` and `>` are the only characters Slack reads as control sequences
/// (`<!channel>`, `<@U123>`, `<https://…|link>`); escaped, a name cannot mention or link.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams Adaptive Card text is Markdown (bold, italic, lists and links in Teams; more in other
/// hosts): the characters that open emphasis, a link or image (`[`), code, HTML or an autolink
/// are backslash-escaped (CommonMark), and so is a list marker at the start. The set is kept
/// to what can form markup, because a host that shows escapes literally (older Teams mobile
/// clients did) then shows as few backslashes as possible.
fn teams_escape(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let digits = characters.iter().take_while(|c| c.is_ascii_digit()).count();
    let marker_at = match characters.get(digits) {
        Some('.' | ')') if digits > 0 => Some(digits),
        Some('-' | '+') if digits == 0 => Some(0),
        _ => None,
    }
    .filter(|at| characters.get(at + 1).is_none_or(|next| *next == ' '));
    let mut escaped = String::with_capacity(text.len());
    for (at, character) in characters.iter().enumerate() {
        if matches!(character, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>')
            || marker_at == Some(at)
        {
            escaped.push('\\');
        }
        escaped.push(*character);
    }
    escaped
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn money_list(amounts: &[Money]) -> String {
    amounts
        .iter()
        .map(Money::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// What the alert says in one line, after the client's name. Built only from counts, fixed
/// words and amounts, so it needs no escaping in any channel.
fn summary(group: &AlertGroup) -> String {
    if group.gaps.is_empty() {
        return "no gap changed since the last alert".to_string();
    }
    let gaps = plural(group.gaps.len(), "gap", "gaps");
    if group.is_resolved_notice() {
        return format!("{gaps} resolved");
    }
    let reasons: Vec<String> = [
        AlertReason::New,
        AlertReason::Worse,
        AlertReason::Reminder,
        AlertReason::Resolved,
    ]
    .into_iter()
    .filter_map(|reason| {
        let count = group.gaps.iter().filter(|gap| gap.reason == reason).count();
        (count > 0).then(|| format!("{count} {}", reason.as_str()))
    })
    .collect();
    let mut line = format!("{gaps} ({})", reasons.join(", "));
    if !group.unbilled.is_empty() {
        line.push_str(&format!(
            "; {} unbilled per month",
            money_list(&group.unbilled)
        ));
    }
    if !group.overbilled.is_empty() {
        line.push_str(&format!(
            "; {} billed without cost per month",
            money_list(&group.overbilled)
        ));
    }
    line
}

fn seats(gap: &AlertedGap) -> String {
    format!(
        "{} vendor, {} billed ({})",
        gap.vendor_seats.normalize(),
        gap.psa_seats.normalize(),
        signed(gap.delta)
    )
}

fn signed(value: Decimal) -> String {
    let value = value.normalize();
    if value > Decimal::ZERO {
        format!("+{value}")
    } else {
        value.to_string()
    }
}

fn per_month(value: Option<&Money>) -> String {
    value.map_or_else(|| "unpriced".to_string(), |money| format!("{money}"))
}

fn age(days: i64) -> String {
    if days == 1 {
        "1 day".to_string()
    } else {
        format!("{days} days")
    }
}

/// A gap's facts in display order, as (label, value); values here are billgap's own words,
/// numbers and currency codes, never names.
fn facts(gap: &AlertedGap) -> [(&'static str, String); 7] {
    [
        ("Term", gap.term.as_str().to_string()),
        ("Kind", gap.kind.as_str().to_string()),
        ("Seats", seats(gap)),
        ("Value per month", per_month(gap.value.as_ref())),
        ("Age", age(gap.age_days)),
        ("Cost to date", per_month(gap.cost_to_date.as_ref())),
        ("Reason", gap.reason.as_str().to_string()),
    ]
}

fn more_gaps(shown: usize, total: usize) -> Option<String> {
    let hidden = total.saturating_sub(shown);
    (hidden > 0).then(|| {
        let gaps = if hidden == 1 { "gap" } else { "gaps" };
        format!("…and {hidden} more {gaps}: run `billgap report` to see them all")
    })
}

fn footer(group: &AlertGroup, key: &str) -> String {
    format!("billgap · as of {} · ref {}", group.as_of, clean(key, 80))
}

fn teams_body(group: &AlertGroup, key: &str) -> Value {
    let client = teams_escape(&clean(&group.company_name, NAME_CHARS));
    let mut blocks = vec![
        json!({
            "type": "TextBlock",
            "text": format!("billgap: {client}"),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": true,
        }),
        json!({
            "type": "TextBlock",
            "text": teams_escape(&clean(&group.coverage, 500)),
            "wrap": true,
        }),
        json!({
            "type": "TextBlock",
            "text": teams_escape(&summary(group)),
            "wrap": true,
        }),
    ];
    for gap in group.gaps.iter().take(TEAMS_MAX_GAPS) {
        let facts: Vec<Value> = facts(gap)
            .into_iter()
            .map(|(title, value)| json!({ "title": title, "value": teams_escape(&value) }))
            .collect();
        blocks.push(json!({
            "type": "Container",
            "separator": true,
            "items": [
                {
                    "type": "TextBlock",
                    "text": teams_escape(&clean(&gap.product_name, NAME_CHARS)),
                    "weight": "Bolder",
                    "wrap": true,
                },
                { "type": "FactSet", "facts": facts },
            ],
        }));
    }
    if let Some(more) = more_gaps(TEAMS_MAX_GAPS.min(group.gaps.len()), group.gaps.len()) {
        blocks.push(json!({
            "type": "TextBlock",
            "text": teams_escape(&more),
            "wrap": true,
        }));
    }
    blocks.push(json!({
        "type": "TextBlock",
        "text": teams_escape(&footer(group, key)),
        "isSubtle": true,
        "size": "Small",
        "wrap": true,
    }));
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "body": blocks,
            },
        }],
    })
}

/// A Slack mrkdwn text object. `verbatim` stops Slack from turning bare URLs, `#channels` and
/// `@here` in a name into links and mentions; escaping handles the `<…>` forms.
fn mrkdwn(text: String) -> Value {
    json!({ "type": "mrkdwn", "text": text, "verbatim": true })
}

fn slack_body(group: &AlertGroup, key: &str) -> Value {
    let client = clean(&group.company_name, NAME_CHARS);
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(&format!("billgap: {client}"), SLACK_HEADER_CHARS),
                "emoji": false,
            },
        }),
        json!({ "type": "section", "text": mrkdwn(slack_escape(&clean(&group.coverage, 500))) }),
        json!({ "type": "section", "text": mrkdwn(slack_escape(&summary(group))) }),
        json!({ "type": "divider" }),
    ];
    for gap in group.gaps.iter().take(SLACK_MAX_GAPS) {
        let fields: Vec<Value> = facts(gap)
            .into_iter()
            .map(|(title, value)| mrkdwn(format!("*{title}*\n{}", slack_escape(&value))))
            .collect();
        blocks.push(json!({
            "type": "section",
            "text": mrkdwn(format!("*{}*", slack_escape(&clean(&gap.product_name, NAME_CHARS)))),
            "fields": fields,
        }));
    }
    if let Some(more) = more_gaps(SLACK_MAX_GAPS.min(group.gaps.len()), group.gaps.len()) {
        blocks.push(json!({ "type": "context", "elements": [mrkdwn(slack_escape(&more))] }));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [mrkdwn(slack_escape(&footer(group, key)))],
    }));
    json!({
        "text": slack_escape(&format!("billgap: {client}: {}", summary(group))),
        "blocks": blocks,
    })
}

fn generic_body(group: &AlertGroup, key: &str) -> Value {
    let client = clean(&group.company_name, NAME_CHARS);
    let alerts: Vec<Value> = group
        .gaps
        .iter()
        .map(|gap| generic_alert(group, gap, &client))
        .collect();
    let mut common_labels = Map::new();
    common_labels.insert("client".into(), Value::String(client.clone()));
    common_labels.insert("source".into(), Value::String("billgap".into()));
    if let Some(first) = alerts.first().and_then(|alert| alert["labels"].as_object()) {
        common_labels = first
            .iter()
            .filter(|(name, value)| alerts.iter().all(|alert| &alert["labels"][name] == *value))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
    }
    json!({
        "version": "4",
        "groupKey": format!(
            "billgap:{}",
            strip_control(&group.company.to_string())
        ),
        "idempotencyKey": strip_control(key),
        "truncatedAlerts": 0,
        "status": if group.is_resolved_notice() { "resolved" } else { "firing" },
        "receiver": GENERIC_RECEIVER,
        "groupLabels": { "client": client },
        "commonLabels": common_labels,
        "commonAnnotations": {
            "summary": format!("{client}: {}", summary(group)),
            "coverage": clean(&group.coverage, 1000),
        },
        "alerts": alerts,
    })
}

/// One gap as an Alertmanager alert. Amounts are exact decimal strings, never JSON numbers: a
/// receiver that parses numbers as floats would otherwise change them.
fn generic_alert(group: &AlertGroup, gap: &AlertedGap, client: &str) -> Value {
    let product = clean(&gap.product_name, NAME_CHARS);
    let mut labels = Map::new();
    labels.insert("client".into(), client.into());
    labels.insert("product".into(), product.clone().into());
    labels.insert("term".into(), gap.term.as_str().into());
    labels.insert("kind".into(), gap.kind.as_str().into());
    if let Some(money) = gap.value.as_ref().or(gap.cost_to_date.as_ref()) {
        labels.insert("currency".into(), money.currency.code().into());
    }
    labels.insert("source".into(), "billgap".into());

    let mut annotations = Map::new();
    annotations.insert(
        "summary".into(),
        format!(
            "{product} ({}): {} gap, {}, {} per month",
            gap.term.as_str(),
            gap.kind.as_str(),
            seats(gap),
            per_month(gap.value.as_ref())
        )
        .into(),
    );
    annotations.insert("reason".into(), gap.reason.as_str().into());
    if let Some(value) = &gap.value {
        annotations.insert("amount_monthly".into(), value.amount.to_string().into());
    }
    annotations.insert("age_days".into(), gap.age_days.to_string().into());
    if let Some(cost) = &gap.cost_to_date {
        annotations.insert("cost_to_date".into(), cost.amount.to_string().into());
    }
    annotations.insert(
        "vendor_seats".into(),
        gap.vendor_seats.normalize().to_string().into(),
    );
    annotations.insert(
        "psa_seats".into(),
        gap.psa_seats.normalize().to_string().into(),
    );
    annotations.insert(
        "seats_delta".into(),
        gap.delta.normalize().to_string().into(),
    );

    let resolved = gap.reason == AlertReason::Resolved;
    let first_seen = chrono::TimeDelta::try_days(gap.age_days)
        .and_then(|age| group.as_of.checked_sub_signed(age))
        .unwrap_or(group.as_of);
    json!({
        "status": if resolved { "resolved" } else { "firing" },
        "labels": labels,
        "annotations": annotations,
        "startsAt": timestamp(first_seen),
        "endsAt": if resolved { timestamp(group.as_of) } else { ZERO_TIME.to_string() },
        "fingerprint": fingerprint(&gap.key),
    })
}

/// Alertmanager's "no end yet" (Go's zero time), which its receivers expect on firing alerts.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

fn timestamp(day: NaiveDate) -> String {
    format!("{}T00:00:00Z", day.format("%Y-%m-%d"))
}

/// 16 hex digits, Alertmanager's fingerprint shape, derived from the gap's stable key so that a
/// receiver can pair a "resolved" with the "firing" it ends.
fn fingerprint(key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    hex(digest.get(..8).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lines::{SourceKey, Term};
    use crate::domain::money::Currency;
    use crate::domain::reconcile::GapKind;
    use rust_decimal_macros::dec;

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::parse("USD").expect("USD"))
    }

    fn gap(product: &str, reason: AlertReason) -> AlertedGap {
        AlertedGap {
            key: format!("contoso|{product}|annual|unbilled|USD"),
            product: SourceKey::new("connectwise", product),
            product_name: product.to_string(),
            term: Term::Annual,
            kind: GapKind::Unbilled,
            vendor_seats: dec!(12),
            psa_seats: dec!(8),
            delta: dec!(4),
            value: Some(usd(dec!(88.00))),
            age_days: 14,
            cost_to_date: Some(usd(dec!(41.07))),
            reason,
        }
    }

    fn group(name: &str, gaps: Vec<AlertedGap>) -> AlertGroup {
        AlertGroup {
            company: SourceKey::new("connectwise", "19"),
            company_name: name.to_string(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
            coverage: "Coverage: 41 of 43 vendor customers mapped (95%).".to_string(),
            unbilled: vec![usd(dec!(412.00))],
            overbilled: Vec::new(),
            gaps,
        }
    }

    fn settings(toml_text: &str) -> Result<WebhookSettings, toml::de::Error> {
        toml::from_str(toml_text)
    }

    #[test]
    fn settings_read_a_webhooks_table_and_resolved_notices_default_on() {
        let teams = settings("kind = \"teams\"\nurl = \"https://example.test/hook\"")
            .expect("valid settings");
        assert_eq!(teams.kind, WebhookKind::Teams);
        assert_eq!(teams.name, None);
        assert!(teams.sends_resolved());

        let slack = settings(
            "kind = \"slack\"\nurl = \"https://hooks.slack.test/x\"\nname = \"ops\"\nsend_resolved = false",
        )
        .expect("valid settings");
        assert_eq!(slack.kind, WebhookKind::Slack);
        assert!(!slack.sends_resolved());
        assert_eq!(slack.receiver(), "ops");
    }

    #[test]
    fn settings_refuse_a_secret_an_unknown_key_and_an_unknown_kind() {
        assert!(settings("kind = \"generic\"\nurl = \"https://a.test/\"\nsecret = \"s\"").is_err());
        assert!(
            settings("kind = \"generic\"\nurl = \"https://a.test/\"\nsend_resolve = true").is_err()
        );
        assert!(settings("kind = \"discord\"\nurl = \"https://a.test/\"").is_err());
    }

    #[test]
    fn settings_never_print_the_url_token() {
        let slack = settings(
            "kind = \"slack\"\nurl = \"https://hooks.slack.test/services/T000/B000/SeCrEtToKeN42\"",
        )
        .expect("valid settings");
        let debug = format!("{slack:?}");
        assert!(!debug.contains("SeCrEtToKeN42"), "{debug}");
        assert!(debug.contains("hooks.slack.test"), "{debug}");
        assert_eq!(slack.receiver(), "hooks.slack.test");
    }

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        for url in [
            "https://hooks.slack.test/x",
            "HTTPS://Example.test:8443/x",
            "http://127.0.0.1:8080/x",
            "http://127.9.8.7/x",
            "http://localhost:1/x",
            "http://[::1]:9/x",
        ] {
            assert!(Endpoint::parse(url).is_ok(), "{url} should be accepted");
        }
        for url in [
            "http://hooks.slack.test/x",
            "http://127.0.0.1.evil.test/x",
            "http://localhost.evil.test/x",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/x",
            "hooks.slack.test/x",
            "not a url",
        ] {
            assert!(
                matches!(Endpoint::parse(url), Err(DeliveryError::Misconfigured(_))),
                "{url} should be refused"
            );
        }
        let endpoint = Endpoint::parse("http://[::1]:9/x").expect("loopback");
        assert_eq!(endpoint.host, "::1");
        assert!(endpoint.loopback);
    }

    #[test]
    fn the_signature_is_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?").expect("a key"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_ignores_dates() {
        assert_eq!(retry_after(Some("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(Some(" 120 ")), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(Some("-1")), None);
        assert_eq!(retry_after(None), None);
    }

    #[test]
    fn the_receivers_words_lose_the_token_the_secret_and_control_characters() {
        let url = "https://hooks.slack.test/services/T000/B000/SeCrEtToKeN42?sig=AbCdEfGhIjKl";
        let echoed = "no_service\u{1b}[2J for /services/T000/B000/SeCrEtToKeN42 (sig AbCdEfGhIjKl) key hunter22";
        let words = receivers_words(echoed, url, Some("hunter22"));
        assert!(!words.contains("SeCrEtToKeN42"), "{words}");
        assert!(!words.contains("AbCdEfGhIjKl"), "{words}");
        assert!(!words.contains("hunter22"), "{words}");
        assert!(!words.contains('\u{1b}'), "{words}");
        assert!(words.starts_with("no_service"), "{words}");
        assert!(
            receivers_words(&"x".repeat(5000), url, None)
                .chars()
                .count()
                <= WORDS_CHARS
        );
    }

    #[test]
    fn teams_is_an_adaptive_card_with_coverage_first() {
        let card = body(
            WebhookKind::Teams,
            &group("Contoso", vec![gap("Business Premium", AlertReason::New)]),
            "k1",
        );
        assert_eq!(card["type"], "message");
        let attachment = &card["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let content = &attachment["content"];
        assert_eq!(content["type"], "AdaptiveCard");
        assert_eq!(content["version"], "1.4");
        let blocks = content["body"].as_array().expect("a body");
        assert_eq!(blocks[0]["text"], "billgap: Contoso");
        assert_eq!(
            blocks[1]["text"],
            "Coverage: 41 of 43 vendor customers mapped (95%)."
        );
        let facts = blocks[3]["items"][1]["facts"].as_array().expect("facts");
        let value = |title: &str| {
            facts
                .iter()
                .find(|fact| fact["title"] == title)
                .map(|fact| fact["value"].clone())
        };
        assert_eq!(value("Value per month"), Some(json!("88.00 USD")));
        assert_eq!(value("Cost to date"), Some(json!("41.07 USD")));
        assert_eq!(value("Seats"), Some(json!("12 vendor, 8 billed (+4)")));
        assert_eq!(value("Age"), Some(json!("14 days")));
        assert_eq!(value("Reason"), Some(json!("new")));
    }

    #[test]
    fn teams_text_cannot_carry_markdown_links_images_or_html() {
        let hostile = "1. [click](javascript:alert(1)) ![t](http://evil.test/p.png) <img src=x> **b** _i_ `c` \\*\u{1b}[31m";
        let card = body(
            WebhookKind::Teams,
            &group(hostile, vec![gap(hostile, AlertReason::New)]),
            "k",
        );
        let title = card["attachments"][0]["content"]["body"][0]["text"]
            .as_str()
            .expect("text")
            .to_string();
        let product = card["attachments"][0]["content"]["body"][3]["items"][0]["text"]
            .as_str()
            .expect("text")
            .to_string();
        for text in [&title, &product] {
            assert!(!text.contains('\u{1b}'), "{text}");
            // Every special character is preceded by a backslash that is not itself escaped.
            let characters: Vec<char> = text.chars().collect();
            for (at, character) in characters.iter().enumerate() {
                if matches!(character, '[' | ']' | '<' | '>' | '*' | '_' | '`') {
                    let backslashes = characters[..at]
                        .iter()
                        .rev()
                        .take_while(|c| **c == '\\')
                        .count();
                    assert!(backslashes % 2 == 1, "unescaped {character:?} in {text}");
                }
            }
        }
        assert!(product.starts_with("1\\. "), "{product}");
    }

    #[test]
    fn teams_list_markers_are_escaped_only_where_they_start_a_list() {
        assert_eq!(teams_escape("1. Contoso"), "1\\. Contoso");
        assert_eq!(teams_escape("12) Contoso"), "12\\) Contoso");
        assert_eq!(teams_escape("- Contoso"), "\\- Contoso");
        assert_eq!(teams_escape("+ Contoso"), "\\+ Contoso");
        assert_eq!(teams_escape("88.00 USD"), "88.00 USD");
        assert_eq!(teams_escape("-30.00 USD"), "-30.00 USD");
        assert_eq!(
            teams_escape("Contoso 2. Ltd - East"),
            "Contoso 2. Ltd - East"
        );
        assert_eq!(teams_escape("a\\*b*"), "a\\\\\\*b\\*");
    }

    #[test]
    fn slack_escapes_mentions_and_links_and_keeps_names_verbatim() {
        let hostile = "Evil <!channel> & <https://evil.test|click> @here\u{7}";
        let message = body(
            WebhookKind::Slack,
            &group(hostile, vec![gap("<@U123> Premium", AlertReason::Worse)]),
            "k",
        );
        let text = message["text"].as_str().expect("text");
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        assert!(text.contains("&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;"));
        assert!(!text.contains('\u{7}'));
        let blocks = message["blocks"].as_array().expect("blocks");
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[1]["text"]["verbatim"], true);
        assert_eq!(
            blocks[1]["text"]["text"],
            "Coverage: 41 of 43 vendor customers mapped (95%)."
        );
        let product = blocks[4]["text"]["text"].as_str().expect("product");
        assert_eq!(product, "*&lt;@U123&gt; Premium*");
        let fields = blocks[4]["fields"].as_array().expect("fields");
        assert!(fields.iter().all(|field| field["verbatim"] == true));
        assert!(
            fields
                .iter()
                .any(|field| field["text"] == "*Value per month*\n88.00 USD")
        );
    }

    #[test]
    fn long_alerts_stay_within_slack_and_teams_limits() {
        let gaps: Vec<AlertedGap> = (0..100)
            .map(|n| {
                gap(
                    &format!("Product {n} {}", "x".repeat(500)),
                    AlertReason::New,
                )
            })
            .collect();
        let group = group(&"C".repeat(1000), gaps);
        let slack = body(WebhookKind::Slack, &group, "k");
        let blocks = slack["blocks"].as_array().expect("blocks");
        assert!(blocks.len() <= 50, "{} blocks", blocks.len());
        assert!(slack.to_string().contains("…and 60 more gaps"));
        assert!(
            blocks[0]["text"]["text"]
                .as_str()
                .expect("header")
                .chars()
                .count()
                <= SLACK_HEADER_CHARS
        );
        let teams = body(WebhookKind::Teams, &group, "k").to_string();
        assert!(teams.len() < 28_000, "{} bytes", teams.len());
        assert!(teams.contains("…and 75 more gaps"));
    }

    #[test]
    fn generic_is_alertmanager_shaped_with_money_as_exact_strings() {
        let mut unpriced = gap("Exchange Online", AlertReason::New);
        unpriced.value = None;
        unpriced.cost_to_date = None;
        let document = body(
            WebhookKind::Generic,
            &group(
                "Contoso\u{1b}[31m",
                vec![gap("Business Premium", AlertReason::New), unpriced],
            ),
            "content-hash-1",
        );
        assert_eq!(document["version"], "4");
        assert_eq!(document["status"], "firing");
        assert_eq!(document["receiver"], "billgap");
        assert_eq!(document["groupKey"], "billgap:connectwise:19");
        assert_eq!(document["idempotencyKey"], "content-hash-1");
        assert_eq!(document["groupLabels"]["client"], "Contoso[31m");
        assert_eq!(
            document["commonLabels"],
            json!({"client": "Contoso[31m", "term": "annual", "kind": "unbilled", "source": "billgap"})
        );
        let alert = &document["alerts"][0];
        assert_eq!(alert["status"], "firing");
        assert_eq!(
            alert["labels"],
            json!({
                "client": "Contoso[31m",
                "product": "Business Premium",
                "term": "annual",
                "kind": "unbilled",
                "currency": "USD",
                "source": "billgap",
            })
        );
        assert_eq!(alert["annotations"]["amount_monthly"], "88.00");
        assert_eq!(alert["annotations"]["cost_to_date"], "41.07");
        assert_eq!(alert["annotations"]["age_days"], "14");
        assert_eq!(alert["startsAt"], "2026-10-19T00:00:00Z");
        assert_eq!(alert["endsAt"], ZERO_TIME);
        let fingerprint = alert["fingerprint"].as_str().expect("fingerprint");
        assert_eq!(fingerprint.len(), 16);
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        let unpriced = &document["alerts"][1];
        assert!(unpriced["annotations"].get("amount_monthly").is_none());
        assert!(unpriced["labels"].get("currency").is_none());
    }

    #[test]
    fn a_resolved_notice_is_resolved_with_an_end_and_the_same_fingerprint() {
        let firing = body(
            WebhookKind::Generic,
            &group("Contoso", vec![gap("Business Premium", AlertReason::New)]),
            "a",
        );
        let resolved = body(
            WebhookKind::Generic,
            &group(
                "Contoso",
                vec![gap("Business Premium", AlertReason::Resolved)],
            ),
            "b",
        );
        assert_eq!(resolved["status"], "resolved");
        assert_eq!(resolved["alerts"][0]["status"], "resolved");
        assert_eq!(resolved["alerts"][0]["endsAt"], "2026-11-02T00:00:00Z");
        assert_eq!(
            resolved["alerts"][0]["fingerprint"],
            firing["alerts"][0]["fingerprint"]
        );
        assert_eq!(
            resolved["commonAnnotations"]["summary"],
            "Contoso: 1 gap resolved"
        );
    }
}
