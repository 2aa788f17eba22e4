//! HTTP pulls from vendor and PSA APIs into the same lines as the importers.
//!
//! Every connector is a function of (settings, credentials, clock, HTTP) to a [`Snapshot`]: it
//! never touches the store, so the application core decides what a snapshot may change. The
//! shared machinery, one module per concern:
//! - [`http`]: the client, with a timeout on every call, retries with backoff and jitter that
//!   honour `Retry-After`, and a host check on every link the API sends;
//! - [`budget`]: the request budget of one pull, counted and shown;
//! - [`oauth`]: tokens cached until they expire, one retry after a 401, rotated refresh tokens;
//! - [`snapshot`]: the result, complete or not, and the errors;
//! - [`records`]: joined API records to lines through the source's import profile.
//!
//! The connectors: [`pax8`], [`partner_center`], [`sherweb`] and [`ingram`] (vendors),
//! [`connectwise`], [`autotask`] and [`halo`] (PSAs).

pub mod autotask;
pub mod budget;
pub mod connectwise;
pub mod halo;
pub mod http;
pub mod ingram;
pub mod oauth;
pub mod partner_center;
pub mod pax8;
pub mod records;
pub mod sherweb;
pub mod snapshot;

pub use budget::Budget;
pub use http::{RealTiming, RecordedTiming, Timing};
pub use snapshot::{PullError, RawPage, Snapshot};

use crate::domain::lines::{Line, Period, Side};
use std::collections::HashMap;
use std::time::Duration;

/// The settings of one API, from its table in the config file (`[pax8]`, `[connectwise]`).
/// Credentials are never here: they come from the environment or the keyring.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    /// The API's base URL, such as `https://api.pax8.com/v1`.
    pub base_url: Option<String>,
    /// The OAuth token endpoint, for sources that use OAuth.
    pub token_url: Option<String>,
    /// The OAuth audience (Pax8: `https://api.pax8.com`).
    pub audience: Option<String>,
    /// The ConnectWise company id (the one typed at login).
    pub company: Option<String>,
    /// The Halo tenant of a hosted instance (added to the token URL as `?tenant=`), or the
    /// Microsoft partner tenant id (in the token URL).
    pub tenant: Option<String>,
    /// The OAuth scope (Halo: `all` unless set).
    pub scope: Option<String>,
    /// The Ingram Micro marketplace code sent with the token request (`us`, `eu`…).
    pub marketplace: Option<String>,
    /// Ingram Micro: your reseller account id (the export's `Reseller ID`), so that a pull and
    /// an export of the same month are the same slice and replace each other.
    pub reseller_id: Option<String>,
    /// The currency of records that carry none (ConnectWise additions often do not); for
    /// Partner Center, the billing currency pulled.
    pub currency: Option<String>,
    /// Records per page (each API caps it: Pax8 200, ConnectWise 1000).
    pub page_size: Option<u32>,
    /// The most calls one pull may make (default 1000).
    pub max_requests: Option<u32>,
    /// The most seconds one pull may wait on rate limits (default 300).
    pub max_wait_secs: Option<u64>,
    /// The timeout of each call, in seconds (default 30).
    pub timeout_secs: Option<u64>,
}

impl ApiSettings {
    /// A fresh budget for one pull.
    pub fn budget(&self) -> Budget {
        Budget::new(
            self.max_requests.unwrap_or(1000),
            Duration::from_secs(self.max_wait_secs.unwrap_or(300)),
        )
    }

    /// The timeout of each call.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.unwrap_or(30).max(1))
    }
}

/// What a connector keeps between the pulls of a long-running `watch`: its access token and
/// what it learnt that rarely changes (Pax8 product SKUs), so an hourly poll spends few calls.
#[derive(Debug, Clone, Default)]
pub struct ConnectorState {
    /// The access token.
    pub tokens: oauth::TokenCache,
    /// Pax8 product id → (sku, name).
    pub products: HashMap<String, (String, String)>,
}

/// The credentials of one source, by field (`client_id`, `client_secret`…).
pub type Credentials = HashMap<String, String>;

/// A source billgap can pull, with how it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Pax8 subscriptions (vendor).
    Pax8,
    /// Microsoft Partner Center unbilled reconciliation lines (vendor).
    PartnerCenter,
    /// ConnectWise Manage agreement additions (PSA).
    ConnectWise,
    /// HaloPSA recurring invoice lines (PSA).
    Halo,
    /// Autotask contract service units (PSA).
    Autotask,
    /// Sherweb payable charges of the current billing period (vendor).
    Sherweb,
    /// Ingram Micro Cloud Marketplace subscriptions (vendor).
    Ingram,
}

impl Source {
    /// Every source with a connector.
    pub const ALL: [Source; 7] = [
        Source::Pax8,
        Source::PartnerCenter,
        Source::Sherweb,
        Source::Ingram,
        Source::ConnectWise,
        Source::Autotask,
        Source::Halo,
    ];

    /// The name on the command line and in the config: `pax8`, `connectwise`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Pax8 => "pax8",
            Source::PartnerCenter => "partner_center",
            Source::ConnectWise => "connectwise",
            Source::Halo => "halo",
            Source::Autotask => "autotask",
            Source::Sherweb => "sherweb",
            Source::Ingram => "ingram",
        }
    }

    /// The system its lines are stored under; the same as its export's.
    pub fn system(self) -> &'static str {
        match self {
            Source::Halo => "halopsa",
            Source::PartnerCenter => "microsoft",
            other => other.name(),
        }
    }

    /// The side it feeds.
    pub fn side(self) -> Side {
        match self {
            Source::Pax8 | Source::PartnerCenter | Source::Sherweb | Source::Ingram => Side::Vendor,
            Source::ConnectWise | Source::Halo | Source::Autotask => Side::Psa,
        }
    }

    /// The import profile its records are read with.
    pub fn format(self) -> &'static str {
        match self {
            Source::Pax8 => "pax8-json",
            Source::PartnerCenter => "partner-center-nce-json",
            Source::ConnectWise => "connectwise-additions-json",
            Source::Halo => "halo-recurring-lines-json",
            Source::Autotask => "autotask-service-units-json",
            Source::Sherweb => "sherweb-charges-json",
            Source::Ingram => "ingram-subscriptions-json",
        }
    }

    /// A source by name.
    pub fn parse(name: &str) -> Result<Source, String> {
        let folded = name.trim().to_ascii_lowercase().replace('-', "_");
        match folded.as_str() {
            "pax8" => Ok(Source::Pax8),
            "connectwise" | "cwm" => Ok(Source::ConnectWise),
            "halo" | "halopsa" => Ok(Source::Halo),
            "autotask" => Ok(Source::Autotask),
            "partner_center" | "partnercenter" | "mspc" => Ok(Source::PartnerCenter),
            "sherweb" => Ok(Source::Sherweb),
            "ingram" | "ingram_micro" => Ok(Source::Ingram),
            _ => Err(format!(
                "'{name}' is not a source billgap can pull: expected pax8, partner_center, sherweb, ingram, connectwise, autotask or halo"
            )),
        }
    }
}

/// Pulls one source. Never fails: a pull that stopped early is an incomplete snapshot whose
/// problems say why.
pub fn pull(
    source: Source,
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    timing: &mut dyn Timing,
) -> Snapshot {
    match source {
        Source::Pax8 => pax8::pull(settings, credentials, period, state, timing),
        Source::PartnerCenter => partner_center::pull(settings, credentials, period, state, timing),
        Source::ConnectWise => connectwise::pull(settings, credentials, period, state, timing),
        Source::Halo => halo::pull(settings, credentials, period, state, timing),
        Source::Autotask => autotask::pull(settings, credentials, period, state, timing),
        Source::Sherweb => sherweb::pull(settings, credentials, period, state, timing),
        Source::Ingram => ingram::pull(settings, credentials, period, state, timing),
    }
}

/// The values of a source's secret fields that are set, so that a snapshot's problems never
/// repeat them.
pub(crate) fn secrets_of<'c>(credentials: &'c Credentials, fields: &[&str]) -> Vec<&'c str> {
    fields
        .iter()
        .filter_map(|field| credentials.get(*field).map(String::as_str))
        .collect()
}

/// A credential, or a setup error naming where it goes.
pub(crate) fn credential<'a>(
    credentials: &'a Credentials,
    source: Source,
    field: &str,
) -> Result<&'a str, PullError> {
    credentials
        .get(field)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| {
            PullError::Setup(format!(
                "{}: no {field}: set {} or run `billgap secret set {}`",
                source.name(),
                crate::secrets::variable(source.name(), field),
                source.name()
            ))
        })
}

/// Where a pull's base URL comes from when the config names none: the vendor's public API,
/// or nowhere for a PSA that each MSP hosts (the text says how to set it).
pub(crate) enum BaseUrl {
    /// The public API's address.
    Default(&'static str),
    /// No default: the config must name it.
    Required(&'static str),
}

/// The frame every connector's pull shares: the base URL, an HTTP client held to the
/// source's request budget, the connector's own reading (`read` gets the client, the base
/// URL, the raw pages, the record count, and where a vendor connector that stops early puts
/// the lines it did read), and a snapshot whose problems name no secret.
pub(crate) fn pull_frame(
    source: Source,
    settings: &ApiSettings,
    base_url: BaseUrl,
    secrets: &[&str],
    timing: &mut dyn Timing,
    read: impl FnOnce(
        &mut http::HttpClient<'_>,
        &str,
        &mut Vec<RawPage>,
        &mut usize,
        &mut Vec<Line>,
    ) -> Result<records::Read, PullError>,
) -> Snapshot {
    let mut raw = Vec::new();
    let mut records = 0;
    let mut seen = Vec::new();
    let mut budget = settings.budget();
    let base = match (&settings.base_url, base_url) {
        (Some(base), _) => Ok(base.clone()),
        (None, BaseUrl::Default(default)) => Ok(default.to_string()),
        (None, BaseUrl::Required(how)) => Err(PullError::Setup(how.into())),
    };
    let outcome = match base {
        Err(error) => Err(error),
        Ok(base) => {
            match http::HttpClient::new(source.name(), &base, settings.timeout(), budget, timing) {
                Ok(mut http) => {
                    let outcome = read(&mut http, &base, &mut raw, &mut records, &mut seen);
                    budget = http.budget;
                    outcome
                }
                Err(error) => Err(error.into()),
            }
        }
    };
    let gathered = Gathered { records, raw, seen };
    finish(source, outcome, gathered, budget, secrets)
}

/// What a pull gathered, whichever way it ended.
pub(crate) struct Gathered {
    /// Records read.
    pub records: usize,
    /// The pages as received.
    pub raw: Vec<RawPage>,
    /// The lines read before the pull stopped early.
    pub seen: Vec<Line>,
}

/// Builds the snapshot of a pull from what it read and how it ended. The lines a pull that
/// stopped early did read are kept for a vendor only: vendor seats seen are a lower bound of
/// the vendor's seats, while PSA lines missing from a partial pull would look like unbilled
/// seats (see [`crate::domain::reconcile::seen`]).
pub(crate) fn finish(
    source: Source,
    outcome: Result<records::Read, PullError>,
    gathered: Gathered,
    budget: Budget,
    secrets: &[&str],
) -> Snapshot {
    let Gathered { records, raw, seen } = gathered;
    let seen = match (&outcome, source.side()) {
        (Err(_), Side::Vendor) => seen,
        _ => Vec::new(),
    };
    let (read, complete, problems) = match outcome {
        Ok(read) if read.lines.is_empty() => (
            read,
            false,
            vec![format!(
                "{}: the API returned no billable records; an empty pull is never read as \"no seats\"",
                source.name()
            )],
        ),
        Ok(read) => (read, true, Vec::new()),
        Err(error) => (records::Read::default(), false, vec![error.to_string()]),
    };
    Snapshot {
        source: source.name().to_string(),
        lines: read.lines,
        seen,
        slice: read.slice,
        complete,
        problems: problems
            .iter()
            .map(|problem| snapshot::redact(problem, secrets))
            .collect(),
        records,
        raw,
        budget,
    }
}
