//! The one HTTP client of every connector: a timeout on every call, retries with backoff and
//! jitter that honour `Retry-After`, and a request budget per API that is counted and shown.
//!
//! ureq 3 has no default timeout, so the agent is built here with one; statuses are read, not
//! raised, so that a 429's `Retry-After` and a 401 reach the caller. Errors are built from the
//! host, the status and fixed phrases, never from a URL's query or a credential.

use super::budget::Budget;
use std::time::{Duration, Instant};

/// The most of one answer read into memory; an API page is far smaller.
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Attempts for one call that meets a 5xx, a timeout or a dropped connection (first included).
const TRANSIENT_ATTEMPTS: u32 = 4;

/// The first wait after a transient failure; it doubles for each later one.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// Time as the connectors see it: a clock and a way to wait, so that tests replace real
/// sleeping and can let a token expire without waiting for it.
pub trait Timing {
    /// Time elapsed since an arbitrary fixed start.
    fn now(&self) -> Duration;
    /// Waits for `duration` (or records that it would, in tests).
    fn sleep(&mut self, duration: Duration);
}

/// Real time, for production.
#[derive(Debug, Clone, Copy)]
pub struct RealTiming {
    start: Instant,
}

impl Default for RealTiming {
    fn default() -> Self {
        RealTiming {
            start: Instant::now(),
        }
    }
}

impl Timing for RealTiming {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A clock that only moves when something waits on it: for tests, which then assert on the
/// waits ("slept 57 s because `Retry-After: 57`") without sleeping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedTiming {
    /// Where the clock stands.
    pub elapsed: Duration,
    /// Every wait, in order.
    pub sleeps: Vec<Duration>,
}

impl Timing for RecordedTiming {
    fn now(&self) -> Duration {
        self.elapsed
    }
    fn sleep(&mut self, duration: Duration) {
        self.sleeps.push(duration);
        self.elapsed = self.elapsed.saturating_add(duration);
    }
}

/// The HTTP method of a call; both are idempotent reads here (a POST is a query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A read.
    Get,
    /// A query or a token request.
    Post,
}

/// One request.
#[derive(Debug, Clone)]
pub struct Call {
    /// GET or POST.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Headers as (name, value); credentials among them are never shown.
    pub headers: Vec<(String, String)>,
    /// The body of a POST.
    pub body: Option<Vec<u8>>,
}

impl Call {
    /// A GET of `url`.
    pub fn get(url: impl Into<String>) -> Call {
        Call {
            method: Method::Get,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A POST of `body` to `url`.
    pub fn post(url: impl Into<String>, body: Vec<u8>) -> Call {
        Call {
            method: Method::Post,
            url: url.into(),
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// The call with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// An answer: its status, headers and body text.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// A header's value, its name matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a call gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The run's request budget for this API is spent.
    #[error("the request budget of {limit} calls to {api} is spent")]
    BudgetSpent {
        /// The API.
        api: String,
        /// Its budget.
        limit: u32,
    },
    /// The API kept answering 429 past the run's waiting budget.
    #[error(
        "{host} kept answering 429 Too Many Requests; waiting {asked} s more would pass this run's waiting budget ({left} s left)"
    )]
    Throttled {
        /// The host.
        host: String,
        /// Seconds it asked for.
        asked: u64,
        /// Seconds of the budget left.
        left: u64,
    },
    /// The API kept failing (5xx, timeouts, dropped connections) after every retry.
    #[error("{host}: {reason} (after {attempts} attempts)")]
    GaveUp {
        /// The host.
        host: String,
        /// The last failure.
        reason: String,
        /// Attempts made.
        attempts: u32,
    },
    /// A URL the API sent (a next-page link) points elsewhere than the configured API, so no
    /// credentials are sent to it.
    #[error(
        "refused to follow a link to {found}: it is not the configured API host {expected}, so no credentials were sent"
    )]
    ForeignHost {
        /// The configured host.
        expected: String,
        /// The host linked to.
        found: String,
    },
    /// The URL or a header cannot be used.
    #[error("{0}")]
    Invalid(String),
}

/// The client of one pull from one API.
pub struct HttpClient<'t> {
    agent: ureq::Agent,
    api: String,
    base_host: String,
    timeout: Duration,
    /// What this pull may spend, and what it spent.
    pub budget: Budget,
    timing: &'t mut dyn Timing,
}

impl<'t> HttpClient<'t> {
    /// A client for the API at `base_url`, with a per-call timeout and a budget.
    pub fn new(
        api: &str,
        base_url: &str,
        timeout: Duration,
        budget: Budget,
        timing: &'t mut dyn Timing,
    ) -> Result<HttpClient<'t>, CallError> {
        let base_host = host_of(base_url).ok_or_else(|| {
            CallError::Invalid(format!(
                "the {api} base_url in the config is not an http(s) URL"
            ))
        })?;
        let loopback = is_loopback(&base_host);
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("billgap/", env!("CARGO_PKG_VERSION")));
        if loopback {
            // A loopback API (a test, a local proxy) is reached directly, never through a
            // proxy from the environment.
            config = config.proxy(None);
        }
        Ok(HttpClient {
            agent: config.build().into(),
            api: api.to_string(),
            base_host,
            timeout,
            budget,
            timing,
        })
    }

    /// The clock of this pull.
    pub fn now(&self) -> Duration {
        self.timing.now()
    }

    /// Refuses a URL that the API sent (a next-page link) unless it is on the configured host.
    pub fn check_same_host(&self, url: &str) -> Result<(), CallError> {
        match host_of(url) {
            Some(host) if host.eq_ignore_ascii_case(&self.base_host) => Ok(()),
            found => Err(CallError::ForeignHost {
                expected: self.base_host.clone(),
                found: found.unwrap_or_else(|| "a URL that is not http(s)".to_string()),
            }),
        }
    }

    /// Sends a call under the retry policy: a 429 waits as `Retry-After` says (or backs off
    /// with jitter) within the waiting budget; a 5xx, a timeout or a dropped connection is
    /// tried again after 1, 2, 4 s plus jitter. Any other answer, success or not, is returned
    /// for the caller to read (a 401 means a new token).
    pub fn send(&mut self, call: &Call) -> Result<Answer, CallError> {
        let host = host_of(&call.url).unwrap_or_else(|| self.base_host.clone());
        let mut transient_failures = 0_u32;
        let mut throttled = 0_u32;
        loop {
            self.budget.spend(&self.api)?;
            let failure = match self.once(call) {
                Ok(answer) if answer.status == 429 => {
                    throttled = throttled.saturating_add(1);
                    let wait = retry_after(answer.header("retry-after"), httpdate_now())
                        .unwrap_or_else(|| jittered(backoff(throttled)));
                    self.wait_throttled(&host, wait)?;
                    continue;
                }
                Ok(answer) if answer.status >= 500 => {
                    format!("{} {}", answer.status, reason(answer.status))
                }
                Ok(answer) => return Ok(answer),
                Err(Transport::Timeout) => {
                    format!("no answer within {} s", self.timeout.as_secs())
                }
                Err(Transport::Failed(reason)) => reason,
                Err(Transport::Invalid(reason)) => return Err(CallError::Invalid(reason)),
            };
            transient_failures = transient_failures.saturating_add(1);
            if transient_failures >= TRANSIENT_ATTEMPTS {
                return Err(CallError::GaveUp {
                    host,
                    reason: failure,
                    attempts: transient_failures,
                });
            }
            self.timing.sleep(jittered(backoff(transient_failures)));
        }
    }

    fn wait_throttled(&mut self, host: &str, wait: Duration) -> Result<(), CallError> {
        let left = self.budget.wait_left();
        if wait > left {
            return Err(CallError::Throttled {
                host: host.to_string(),
                asked: wait.as_secs(),
                left: left.as_secs(),
            });
        }
        self.budget.waited = self.budget.waited.saturating_add(wait);
        self.timing.sleep(wait);
        Ok(())
    }

    fn once(&self, call: &Call) -> Result<Answer, Transport> {
        let result = match call.method {
            Method::Get => {
                let mut request = self.agent.get(call.url.as_str());
                for (name, value) in &call.headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.call()
            }
            Method::Post => {
                let mut request = self.agent.post(call.url.as_str());
                for (name, value) in &call.headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.send(call.body.as_deref().unwrap_or_default())
            }
        };
        let mut response = result.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .map_err(transport)?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// What went wrong before an answer.
enum Transport {
    Timeout,
    Failed(String),
    Invalid(String),
}

/// A transport error in fixed phrases: ureq's own message may quote the URL.
fn transport(error: ureq::Error) -> Transport {
    match error {
        ureq::Error::Timeout(_) => Transport::Timeout,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => Transport::Invalid(
            "a request cannot be built (a URL or header value is not valid)".to_string(),
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Transport::Timeout,
        ureq::Error::Io(io) => Transport::Failed(io.kind().to_string()),
        ureq::Error::HostNotFound => Transport::Failed("host not found".to_string()),
        ureq::Error::ConnectionFailed => Transport::Failed("connection failed".to_string()),
        ureq::Error::Tls(what) => Transport::Failed(format!("TLS: {what}")),
        ureq::Error::Rustls(tls) => Transport::Failed(format!("TLS: {tls}")),
        ureq::Error::Protocol(_) => Transport::Failed("the answer is not valid HTTP".to_string()),
        ureq::Error::BodyExceedsLimit(_) => {
            Transport::Failed("the answer is larger than 64 MiB".to_string())
        }
        _ => Transport::Failed("the connection failed".to_string()),
    }
}

/// The reason phrase of a status.
pub fn reason(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("")
}

/// `host[:port]` of an http(s) URL, lower-cased.
pub fn host_of(url: &str) -> Option<String> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return None,
    }
    let authority = uri.authority()?;
    Some(authority.as_str().rsplit('@').next()?.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// The wait before the n-th retry (1-based): 1, 2, 4, 8 s … capped at 60 s.
fn backoff(retry: u32) -> Duration {
    let exponent = retry.saturating_sub(1).min(6);
    FIRST_BACKOFF
        .saturating_mul(1_u32 << exponent)
        .min(Duration::from_secs(60))
}

/// A wait plus up to half again, so that clients that failed together do not retry together.
fn jittered(wait: Duration) -> Duration {
    let extra_millis = fastrand::u64(0..=(wait.as_millis() as u64 / 2));
    wait.saturating_add(Duration::from_millis(extra_millis))
}

fn httpdate_now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// A `Retry-After` in seconds or as an HTTP-date (then the time until it, measured from
/// `now`); `None` when absent or unreadable.
pub fn retry_after(value: Option<&str>, now: std::time::SystemTime) -> Option<Duration> {
    let value = value?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_784_000_000);
        assert_eq!(retry_after(Some("57"), now), Some(Duration::from_secs(57)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        assert_eq!(
            retry_after(Some(&later), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(retry_after(Some("soon"), now), None);
        assert_eq!(retry_after(None, now), None);
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(30), Duration::from_secs(60));
        for _ in 0..50 {
            let wait = jittered(Duration::from_secs(4));
            assert!(wait >= Duration::from_secs(4) && wait <= Duration::from_secs(6));
        }
    }

    #[test]
    fn hosts_compare_with_their_port() {
        assert_eq!(
            host_of("https://api.pax8.com/v1/companies?page=1").as_deref(),
            Some("api.pax8.com")
        );
        assert_eq!(
            host_of("http://127.0.0.1:8080/x").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(host_of("ftp://example.com/"), None);
        assert!(is_loopback("127.0.0.1:8080"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("api.pax8.com"));
    }
}
