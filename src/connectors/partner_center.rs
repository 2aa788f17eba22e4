//! Microsoft Partner Center (vendor, CSP direct): the unbilled new-commerce reconciliation line
//! items of the current period, one currency per pull.
//!
//! Auth is app-only: client credentials with a form body at
//! `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` and the scope
//! `https://api.partnercenter.microsoft.com/.default` (both configurable). The first page is
//! `GET /invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&
//! currencycode=…&period=current&size=2000`; every next page is the `links.next.uri` sent with
//! every header in `links.next.headers` (the `MS-ContinuationToken`), until there is no
//! `links.next`. The lines are read by the `partner-center-nce` import rule, so products are
//! keyed `ProductId:SkuId` and the slice is partner + currency, as for the reconciliation file.

use super::http::{Call, HttpClient, Timing};
use super::oauth::{Grant, TokenStyle};
use super::records::lines_of;
use super::snapshot::{PullError, RawPage, Snapshot, request_label, words_of};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::{Line, Period};
use serde_json::Value;

/// The Partner Center REST API.
pub const DEFAULT_BASE_URL: &str = "https://api.partnercenter.microsoft.com/v1";

/// The app-only scope of the Partner Center API.
pub const DEFAULT_SCOPE: &str = "https://api.partnercenter.microsoft.com/.default";

/// The largest page the reconciliation endpoint serves.
const PAGE_SIZE: u32 = 2000;

/// Guards against a continuation chain that never ends.
const MAX_PAGES: u32 = 10_000;

/// Pulls the unbilled reconciliation lines into a snapshot.
pub fn pull(
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    timing: &mut dyn Timing,
) -> Snapshot {
    let secret = credentials
        .get("client_secret")
        .cloned()
        .unwrap_or_default();
    super::pull_frame(
        Source::PartnerCenter,
        settings,
        super::BaseUrl::Default(DEFAULT_BASE_URL),
        &[secret.as_str()],
        timing,
        |http, base, raw, records, seen| {
            read(
                http,
                base,
                settings,
                credentials,
                period,
                state,
                raw,
                records,
                seen,
            )
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn read(
    http: &mut HttpClient<'_>,
    base: &str,
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    raw: &mut Vec<RawPage>,
    records: &mut usize,
    seen: &mut Vec<Line>,
) -> Result<super::records::Read, PullError> {
    let base = base.trim_end_matches('/');
    let client_id = super::credential(credentials, Source::PartnerCenter, "client_id")?;
    let client_secret = super::credential(credentials, Source::PartnerCenter, "client_secret")?;
    let Some(currency) = settings.currency.as_deref() else {
        return Err(PullError::Setup(
            "partner_center: set currency in [partner_center]: Microsoft bills one invoice per currency, and billgap pulls one".into(),
        ));
    };
    let token_url = match (&settings.token_url, &settings.tenant) {
        (Some(url), _) => url.clone(),
        (None, Some(tenant)) => format!(
            "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
            super::oauth::encode(tenant)
        ),
        (None, None) => {
            return Err(PullError::Setup(
                "partner_center: set tenant (your partner tenant id) or token_url in [partner_center]".into(),
            ));
        }
    };
    let mut grant = Grant::ClientCredentials {
        token_url: &token_url,
        client_id,
        client_secret,
        style: TokenStyle::Form {
            scope: Some(
                settings
                    .scope
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SCOPE.to_string()),
            ),
        },
    };
    let first = Call::get(format!(
        "{base}/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode={}&period=current&size={PAGE_SIZE}",
        super::oauth::encode(&currency.to_ascii_lowercase())
    ))
    .header("Accept", "application/json");
    let mut items: Vec<Value> = Vec::new();
    let paged = page_through(http, base, state, &mut grant, first, raw, &mut items);
    *records = items.len();
    let read = lines_of(
        "partner_center",
        Source::PartnerCenter.format(),
        &items,
        period,
        None,
    );
    match paged {
        Ok(()) => read.map_err(|reason| PullError::Malformed {
            api: "partner_center".into(),
            request: "GET /invoices/unbilled/lineitems".into(),
            reason,
        }),
        Err(error) => {
            // The line items of the pages read are real charges: a lower bound of the seats.
            *seen = read.map(|read| read.lines).unwrap_or_default();
            Err(error)
        }
    }
}

/// Every page from `call` on, following `links.next` until there is none; `items` keeps the
/// line items of the pages read when a later page fails.
fn page_through(
    http: &mut HttpClient<'_>,
    base: &str,
    state: &mut ConnectorState,
    grant: &mut Grant<'_>,
    mut call: Call,
    raw: &mut Vec<RawPage>,
    items: &mut Vec<Value>,
) -> Result<(), PullError> {
    for _ in 0..MAX_PAGES {
        let request = request_label("GET", &call.url);
        let answer = state.tokens.send(http, "partner_center", grant, &call)?;
        raw.push(RawPage {
            request: request.clone(),
            status: answer.status,
            body: answer.body.clone(),
        });
        if !answer.is_success() {
            return Err(PullError::Status {
                api: "partner_center".into(),
                request,
                status: format!("{} {}", answer.status, super::http::reason(answer.status)),
                words: words_of(&answer.body),
            });
        }
        // Microsoft's answers may start with a byte-order mark.
        let body: Value = serde_json::from_str(answer.body.trim_start_matches('\u{feff}'))
            .map_err(|error| PullError::Malformed {
                api: "partner_center".into(),
                request: request.clone(),
                reason: format!(
                    "not JSON at line {} column {}: {error}",
                    error.line(),
                    error.column()
                ),
            })?;
        match body.get("items") {
            Some(Value::Array(page)) => items.extend(page.iter().cloned()),
            None | Some(Value::Null) => {}
            Some(_) => {
                return Err(PullError::Malformed {
                    api: "partner_center".into(),
                    request,
                    reason: "`items` is not a list".into(),
                });
            }
        }
        let Some(next) = body.get("links").and_then(|links| links.get("next")) else {
            return Ok(());
        };
        call = next_call(http, base, next, &request)?;
    }
    Err(PullError::Paging {
        api: "partner_center".into(),
        reason: "more than 10,000 pages; the snapshot is incomplete".into(),
    })
}

/// The call `links.next` describes: its URI (relative to the API, or absolute on the same
/// host) with every header it lists.
fn next_call(
    http: &HttpClient<'_>,
    base: &str,
    next: &Value,
    request: &str,
) -> Result<Call, PullError> {
    let malformed = |reason: &str| PullError::Malformed {
        api: "partner_center".into(),
        request: request.to_string(),
        reason: reason.to_string(),
    };
    let uri = next
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("links.next has no uri"))?;
    let url = if uri.starts_with("http://") || uri.starts_with("https://") {
        http.check_same_host(uri)?;
        uri.to_string()
    } else {
        format!("{base}/{}", uri.trim_start_matches('/'))
    };
    let mut call = Call::get(url).header("Accept", "application/json");
    for header in next
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(key), Some(value)) = (
            header.get("key").and_then(Value::as_str),
            header.get("value").and_then(Value::as_str),
        ) else {
            return Err(malformed("a links.next header has no key or value"));
        };
        call = call.header(key, value);
    }
    Ok(call)
}
