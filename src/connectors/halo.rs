//! HaloPSA (PSA): recurring invoices with their lines.
//!
//! Auth is OAuth client credentials with a form body (`scope=all` unless configured), at
//! `{base}/auth/token` unless `token_url` says otherwise; a hosted instance adds
//! `?tenant=NAME`. `GET {base}/api/RecurringInvoice?pageinate=true&page_size=100&page_no=N&
//! includelines=true` pages from 1, with the total in `record_count`. The server caps every
//! page at 100 whatever is asked (HaloAPI #90), so billgap asks for 100 and reads pages until
//! it holds `record_count` invoices; a page that comes back empty before that makes the
//! snapshot incomplete. The invoices are read by the `halo-recurring-lines` import rule, whose
//! JSON reader copies each invoice's client onto its lines.

use super::http::{Call, HttpClient, Timing};
use super::oauth::{Grant, TokenStyle};
use super::records::lines_of;
use super::snapshot::{PullError, RawPage, Snapshot, request_label, words_of};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::Period;
use crate::domain::money::Currency;
use serde_json::Value;

/// The most records Halo returns on one page.
const PAGE_CAP: u32 = 100;

/// Guards against a `record_count` that is never reached.
const MAX_PAGES: u32 = 10_000;

/// Pulls the recurring invoice lines into a snapshot.
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
        Source::Halo,
        settings,
        super::BaseUrl::Required(
            "halo: set base_url in [halo], such as https://yourcompany.halopsa.com",
        ),
        &[secret.as_str()],
        timing,
        |http, base, raw, records, _seen| {
            read(
                http,
                base,
                settings,
                credentials,
                period,
                state,
                raw,
                records,
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
) -> Result<super::records::Read, PullError> {
    let base = base.trim_end_matches('/');
    let client_id = super::credential(credentials, Source::Halo, "client_id")?;
    let client_secret = super::credential(credentials, Source::Halo, "client_secret")?;
    let currency = settings
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|_| PullError::Setup("halo: [halo] currency is not an ISO code".into()))?;
    let mut token_url = settings
        .token_url
        .clone()
        .unwrap_or_else(|| format!("{base}/auth/token"));
    if let Some(tenant) = &settings.tenant {
        token_url = format!(
            "{token_url}{}tenant={}",
            if token_url.contains('?') { '&' } else { '?' },
            super::oauth::encode(tenant)
        );
    }
    let mut grant = Grant::ClientCredentials {
        token_url: &token_url,
        client_id,
        client_secret,
        style: TokenStyle::Form {
            scope: Some(settings.scope.clone().unwrap_or_else(|| "all".to_string())),
        },
    };
    let page_size = settings.page_size.unwrap_or(PAGE_CAP).clamp(1, PAGE_CAP);
    let mut invoices: Vec<Value> = Vec::new();
    for page in 1..=MAX_PAGES {
        let url = format!(
            "{base}/api/RecurringInvoice?pageinate=true&page_size={page_size}&page_no={page}&includelines=true"
        );
        let request = request_label("GET", &url);
        let call = Call::get(url.as_str()).header("Accept", "application/json");
        let answer = state.tokens.send(http, "halo", &mut grant, &call)?;
        raw.push(RawPage {
            request: request.clone(),
            status: answer.status,
            body: answer.body.clone(),
        });
        if !answer.is_success() {
            return Err(PullError::Status {
                api: "halo".into(),
                request,
                status: format!("{} {}", answer.status, super::http::reason(answer.status)),
                words: words_of(&answer.body),
            });
        }
        let body: Value =
            serde_json::from_str(&answer.body).map_err(|error| PullError::Malformed {
                api: "halo".into(),
                request: request.clone(),
                reason: format!(
                    "not JSON at line {} column {}: {error}",
                    error.line(),
                    error.column()
                ),
            })?;
        let Some(total) = body.get("record_count").and_then(Value::as_u64) else {
            return Err(PullError::Malformed {
                api: "halo".into(),
                request,
                reason: "no record_count".into(),
            });
        };
        let items = match body.get("invoices") {
            Some(Value::Array(items)) => items.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => {
                return Err(PullError::Malformed {
                    api: "halo".into(),
                    request,
                    reason: "`invoices` is not a list".into(),
                });
            }
        };
        let empty = items.is_empty();
        invoices.extend(items);
        if invoices.len() as u64 >= total {
            if invoices.len() as u64 > total {
                return Err(PullError::Paging {
                    api: "halo".into(),
                    reason: format!(
                        "read {} invoices but record_count is {total}; the snapshot is incomplete",
                        invoices.len()
                    ),
                });
            }
            *records = invoices.len();
            return lines_of("halo", Source::Halo.format(), &invoices, period, currency).map_err(
                |reason| PullError::Malformed {
                    api: "halo".into(),
                    request: "GET /api/RecurringInvoice".into(),
                    reason,
                },
            );
        }
        if empty {
            return Err(PullError::Paging {
                api: "halo".into(),
                reason: format!(
                    "page {page} came back empty after {} of {total} invoices; the snapshot is incomplete",
                    invoices.len()
                ),
            });
        }
    }
    Err(PullError::Paging {
        api: "halo".into(),
        reason: "more than 10,000 pages; the snapshot is incomplete".into(),
    })
}
