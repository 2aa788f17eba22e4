//! Pax8 (vendor): live seats from `/subscriptions`, joined with `/companies` for the names
//! and the PSA id in `externalId`, and with `/products/{id}` for the `sku`.
//!
//! Auth is OAuth client credentials with a JSON body and the audience `https://api.pax8.com`;
//! the token lives 24 h and is cached. Pages are 0-based (`page`, `size` ≤ 200); the answer is
//! `{"content":[…],"page":{"size","totalElements","totalPages","number"}}`, and a list with no
//! results may omit `content`. Paging stops at `totalPages`, and the count collected must equal
//! `totalElements`, else the snapshot is incomplete.
//!
//! The product is keyed by `sku`, as the Pax8 import profile keys it, so a mapping confirmed on
//! an export carries over. Subscriptions are pulled without a status filter; the import
//! rule excludes cancelled ones, as it does for an export.

use super::http::{Call, HttpClient, Timing};
use super::oauth::{Grant, TokenStyle};
use super::records::{lines_of, text_of};
use super::snapshot::{PullError, RawPage, request_label, words_of};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::{Line, Period};
use serde_json::Value;
use std::collections::HashMap;

/// The token endpoint in Pax8's specification of `/token`.
pub const DEFAULT_TOKEN_URL: &str = "https://api.pax8.com/v1/token";

/// The partner API.
pub const DEFAULT_BASE_URL: &str = "https://api.pax8.com/v1";

/// The audience of the partner endpoints.
pub const DEFAULT_AUDIENCE: &str = "https://api.pax8.com";

/// The largest page the specification allows.
const MAX_PAGE_SIZE: u32 = 200;

/// Guards against an API whose `totalPages` never ends.
const MAX_PAGES: u32 = 10_000;

/// Pulls Pax8's subscriptions into a snapshot.
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
        Source::Pax8,
        settings,
        super::BaseUrl::Default(DEFAULT_BASE_URL),
        &[secret.as_str()],
        timing,
        |http, _base, raw, records, seen| {
            read(
                http,
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

use super::snapshot::Snapshot;

struct Pax8<'s, 'h, 't> {
    http: &'h mut HttpClient<'t>,
    state: &'s mut ConnectorState,
    base: String,
    token_url: String,
    audience: String,
    client_id: String,
    client_secret: String,
    page_size: u32,
}

#[allow(clippy::too_many_arguments)]
fn read(
    http: &mut HttpClient<'_>,
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    raw: &mut Vec<RawPage>,
    records: &mut usize,
    seen: &mut Vec<Line>,
) -> Result<super::records::Read, PullError> {
    let client_id = super::credential(credentials, Source::Pax8, "client_id")?.to_string();
    let client_secret = super::credential(credentials, Source::Pax8, "client_secret")?.to_string();
    let mut api = Pax8 {
        http,
        state,
        base: settings
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
            .trim_end_matches('/')
            .to_string(),
        token_url: settings
            .token_url
            .clone()
            .unwrap_or_else(|| DEFAULT_TOKEN_URL.to_string()),
        audience: settings
            .audience
            .clone()
            .unwrap_or_else(|| DEFAULT_AUDIENCE.to_string()),
        client_id,
        client_secret,
        page_size: settings
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE),
    };
    let companies = api.all("/companies", raw)?;
    let mut subscriptions = Vec::new();
    let paged = api.all_into("/subscriptions", raw, &mut subscriptions);
    *records = subscriptions.len();
    if let Err(error) = paged {
        // The subscriptions on the pages read are real; their lines may show new gaps. A
        // failure while joining them only loses that lower bound, never the pull's error.
        *seen = api
            .lines(subscriptions, &companies, period, raw)
            .map(|read| read.lines)
            .unwrap_or_default();
        return Err(error);
    }
    api.lines(subscriptions, &companies, period, raw)
}

impl Pax8<'_, '_, '_> {
    /// A GET with the bearer token, refreshed once on a 401; an error status is an error.
    fn get(&mut self, url: &str, raw: &mut Vec<RawPage>) -> Result<Value, PullError> {
        let mut grant = Grant::ClientCredentials {
            token_url: &self.token_url,
            client_id: &self.client_id,
            client_secret: &self.client_secret,
            style: TokenStyle::Json {
                audience: self.audience.clone(),
            },
        };
        let call = Call::get(url).header("Accept", "application/json");
        let answer = self
            .state
            .tokens
            .send(self.http, "pax8", &mut grant, &call)?;
        let request = request_label("GET", url);
        raw.push(RawPage {
            request: request.clone(),
            status: answer.status,
            body: answer.body.clone(),
        });
        if !answer.is_success() {
            return Err(PullError::Status {
                api: "pax8".into(),
                request,
                status: format!("{} {}", answer.status, super::http::reason(answer.status)),
                words: words_of(&answer.body),
            });
        }
        serde_json::from_str(&answer.body).map_err(|error| PullError::Malformed {
            api: "pax8".into(),
            request,
            reason: format!(
                "not JSON at line {} column {}: {error}",
                error.line(),
                error.column()
            ),
        })
    }

    /// Subscriptions joined with their company and product, read as the export's lines.
    fn lines(
        &mut self,
        subscriptions: Vec<Value>,
        companies: &[Value],
        period: Period,
        raw: &mut Vec<RawPage>,
    ) -> Result<super::records::Read, PullError> {
        let companies: HashMap<String, &Value> = companies
            .iter()
            .filter_map(|company| text_of(company, "id").map(|id| (id, company)))
            .collect();
        let mut joined = Vec::with_capacity(subscriptions.len());
        for mut subscription in subscriptions {
            let Some(product_id) = text_of(&subscription, "productId") else {
                return Err(PullError::Malformed {
                    api: "pax8".into(),
                    request: "GET /subscriptions".into(),
                    reason: format!(
                        "subscription {} has no productId",
                        text_of(&subscription, "id").unwrap_or_default()
                    ),
                });
            };
            let (sku, name) = self.product(&product_id, raw)?;
            let company =
                text_of(&subscription, "companyId").and_then(|id| companies.get(&id).copied());
            if let Value::Object(fields) = &mut subscription {
                fields.insert("sku".into(), Value::String(sku));
                if !fields.contains_key("productName") {
                    fields.insert("productName".into(), Value::String(name));
                }
                if let Some(company) = company {
                    for (from, to) in [("name", "companyName"), ("externalId", "externalId")] {
                        if let Some(value) = company.get(from) {
                            fields.insert(to.into(), value.clone());
                        }
                    }
                }
            }
            joined.push(subscription);
        }
        lines_of("pax8", Source::Pax8.format(), &joined, period, None).map_err(|reason| {
            PullError::Malformed {
                api: "pax8".into(),
                request: "GET /subscriptions".into(),
                reason,
            }
        })
    }

    /// Every record of a paged list, checked against the reported total.
    fn all(&mut self, path: &str, raw: &mut Vec<RawPage>) -> Result<Vec<Value>, PullError> {
        let mut collected = Vec::new();
        self.all_into(path, raw, &mut collected)?;
        Ok(collected)
    }

    /// [`Self::all`] into `collected`, which keeps the records of the pages read when a
    /// later page fails.
    fn all_into(
        &mut self,
        path: &str,
        raw: &mut Vec<RawPage>,
        collected: &mut Vec<Value>,
    ) -> Result<(), PullError> {
        let mut page = 0_u32;
        loop {
            let url = format!("{}{path}?page={page}&size={}", self.base, self.page_size);
            let body = self.get(&url, raw)?;
            let malformed = |reason: &str| PullError::Malformed {
                api: "pax8".into(),
                request: request_label("GET", &url),
                reason: reason.to_string(),
            };
            match body.get("content") {
                Some(Value::Array(items)) => collected.extend(items.iter().cloned()),
                // Pax8 leaves `content` out of a list with no results.
                None | Some(Value::Null) => {}
                Some(_) => return Err(malformed("`content` is not a list")),
            }
            let number = |field: &str| {
                body.get("page")
                    .and_then(|page| page.get(field))
                    .and_then(Value::as_u64)
            };
            let (Some(total_pages), Some(total)) = (number("totalPages"), number("totalElements"))
            else {
                return Err(malformed("no `page` with totalPages and totalElements"));
            };
            let current = number("number").unwrap_or(u64::from(page));
            if current.saturating_add(1) >= total_pages {
                if collected.len() as u64 != total {
                    return Err(PullError::Paging {
                        api: "pax8".into(),
                        reason: format!(
                            "{path}: read {} records but the API reports {total}; the snapshot is incomplete",
                            collected.len()
                        ),
                    });
                }
                return Ok(());
            }
            page = page.saturating_add(1);
            if page >= MAX_PAGES {
                return Err(malformed("more than 10,000 pages"));
            }
        }
    }

    /// A product's sku and name, from the cache or `/products/{id}`.
    fn product(&mut self, id: &str, raw: &mut Vec<RawPage>) -> Result<(String, String), PullError> {
        if let Some(known) = self.state.products.get(id) {
            return Ok(known.clone());
        }
        let url = format!("{}/products/{}", self.base, super::oauth::encode(id));
        let body = self.get(&url, raw)?;
        let Some(sku) = text_of(&body, "sku").filter(|sku| !sku.trim().is_empty()) else {
            return Err(PullError::Malformed {
                api: "pax8".into(),
                request: request_label("GET", &url),
                reason: "the product has no sku".into(),
            });
        };
        let name = text_of(&body, "name").unwrap_or_else(|| sku.clone());
        self.state
            .products
            .insert(id.to_string(), (sku.clone(), name.clone()));
        Ok((sku, name))
    }
}
