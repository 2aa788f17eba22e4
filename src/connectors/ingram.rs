//! Ingram Micro Cloud Marketplace (vendor): live subscriptions, joined with their customer and,
//! when the list leaves them out, their products.
//!
//! Auth exchanges the API user's name and password (HTTP Basic) for a bearer token at
//! `{base}/token`, with the body `{"marketplace":"us"}`; the answer is
//! `{"token","expiresInSeconds"}` and the token is cached until shortly before it expires. Every
//! call, the token call included, carries the gateway key in `X-Subscription-Key`. The base is
//! regional (`https://api.cloud.im/marketplace/eu`…), so the config must name it.
//!
//! Lists page with `limit`/`offset` and answer `{"data":[…],"pagination":{"offset","limit",
//! "total"}}`; billgap reads pages until it holds `total` records, and a page that comes back
//! empty before that makes the snapshot incomplete. `GET /customers` gives the names;
//! `GET /subscriptions` the subscriptions, and `GET /subscriptions/{id}` the `products[]` (`mpn`,
//! `quantity`, `unitPrice{amount,currency}`) of one the list gives without them. Only `active`
//! subscriptions are kept (a suspended or terminated one is not billed). Each product of a
//! subscription becomes one record, read by the `ingram-micro-rde` import rule: the customer is
//! keyed by its id (the export's `Customer Account ID`) and the product by its `mpn`, which an
//! export keys the same way when it carries the MPN column.

use super::http::{Call, HttpClient, Timing};
use super::oauth::{Grant, encode};
use super::records::{lines_of, text_of};
use super::snapshot::{PullError, RawPage, Snapshot, json_answer, request_label};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::{Line, Period};
use crate::domain::money::Currency;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What to do when the Marketplace API is not configured.
const NO_BASE_URL: &str = "ingram: set base_url in [ingram] to your region's Marketplace API, such as https://api.cloud.im/marketplace/eu";

/// The records asked for per page.
const PAGE_SIZE: u32 = 100;

/// Guards against a `total` that is never reached.
const MAX_PAGES: u32 = 10_000;

/// What to check when the API refuses a call.
const AUTH_HINT: &str =
    "check the API user's name and password, its API access, and the subscription key";

/// Pulls the active subscriptions into a snapshot.
pub fn pull(
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    timing: &mut dyn Timing,
) -> Snapshot {
    let secrets = super::secrets_of(credentials, &["password", "subscription_key"]);
    super::pull_frame(
        Source::Ingram,
        settings,
        super::BaseUrl::Required(NO_BASE_URL),
        &secrets,
        timing,
        |http, base, raw, records, seen| {
            let mut pulled = Pulled { raw, records, seen };
            read(
                http,
                base,
                settings,
                credentials,
                period,
                state,
                &mut pulled,
            )
        },
    )
}

/// Where the reading puts what it gathered.
struct Pulled<'p> {
    raw: &'p mut Vec<RawPage>,
    records: &'p mut usize,
    seen: &'p mut Vec<Line>,
}

struct Ingram<'h, 't, 'g> {
    http: &'h mut HttpClient<'t>,
    grant: Grant<'g>,
    base: String,
    key: String,
    page_size: u32,
}

fn read(
    http: &mut HttpClient<'_>,
    base: &str,
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    pulled: &mut Pulled<'_>,
) -> Result<super::records::Read, PullError> {
    let base = base.trim_end_matches('/');
    let username = super::credential(credentials, Source::Ingram, "username")?;
    let password = super::credential(credentials, Source::Ingram, "password")?;
    let key = super::credential(credentials, Source::Ingram, "subscription_key")?;
    let Some(marketplace) = settings.marketplace.as_deref() else {
        return Err(PullError::Setup(
            "ingram: set marketplace in [ingram] (the marketplace code of your account, such as us or eu)".into(),
        ));
    };
    let currency = settings
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|_| PullError::Setup("ingram: [ingram] currency is not an ISO code".into()))?;
    let token_url = settings
        .token_url
        .clone()
        .unwrap_or_else(|| format!("{base}/token"));
    let mut api = Ingram {
        http,
        grant: Grant::BasicExchange {
            token_url: &token_url,
            username,
            password,
            headers: vec![("X-Subscription-Key".to_string(), key.to_string())],
            body: serde_json::json!({ "marketplace": marketplace }).to_string(),
        },
        base: base.to_string(),
        key: key.to_string(),
        page_size: settings.page_size.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE),
    };
    let customers = api.all("/customers", state, pulled.raw)?;
    let names: HashMap<String, Value> = customers
        .iter()
        .filter_map(|customer| {
            Some((
                text_of(customer, "id")?,
                customer.get("name").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect();
    let mut subscriptions = Vec::new();
    let paged = api.all_into("/subscriptions", state, pulled.raw, &mut subscriptions);
    *pulled.records = subscriptions.len();
    let mut items = Vec::new();
    let joined = api.items(&subscriptions, &names, state, pulled.raw, &mut items);
    if let Some(reseller) = &settings.reseller_id {
        for item in &mut items {
            item.insert("resellerId".into(), Value::String(reseller.clone()));
        }
    }
    let items: Vec<Value> = items.into_iter().map(Value::Object).collect();
    let read = lines_of("ingram", Source::Ingram.format(), &items, period, currency);
    match paged.and(joined) {
        Ok(()) => read.map_err(|reason| PullError::Malformed {
            api: "ingram".into(),
            request: "GET /subscriptions".into(),
            reason,
        }),
        Err(error) => {
            // The subscriptions read before the pull stopped are real seats: keep their lines
            // as a lower bound.
            *pulled.seen = read.map(|read| read.lines).unwrap_or_default();
            Err(error)
        }
    }
}

impl Ingram<'_, '_, '_> {
    /// A GET with the bearer token and the gateway key, refreshed once on a 401.
    fn get(
        &mut self,
        url: &str,
        state: &mut ConnectorState,
        raw: &mut Vec<RawPage>,
    ) -> Result<Value, PullError> {
        let call = Call::get(url)
            .header("Accept", "application/json")
            .header("X-Subscription-Key", &self.key);
        let answer = state
            .tokens
            .send(self.http, "ingram", &mut self.grant, &call)?;
        json_answer("ingram", request_label("GET", url), &answer, raw, AUTH_HINT)
    }

    fn all(
        &mut self,
        path: &str,
        state: &mut ConnectorState,
        raw: &mut Vec<RawPage>,
    ) -> Result<Vec<Value>, PullError> {
        let mut collected = Vec::new();
        self.all_into(path, state, raw, &mut collected)?;
        Ok(collected)
    }

    /// Every record of a list, by `limit`/`offset` until `pagination.total`; `collected`
    /// keeps the records of the pages read when a later page fails.
    fn all_into(
        &mut self,
        path: &str,
        state: &mut ConnectorState,
        raw: &mut Vec<RawPage>,
        collected: &mut Vec<Value>,
    ) -> Result<(), PullError> {
        for _ in 0..MAX_PAGES {
            let url = format!(
                "{}{path}?limit={}&offset={}",
                self.base,
                self.page_size,
                collected.len()
            );
            let body = self.get(&url, state, raw)?;
            let malformed = |reason: &str| PullError::Malformed {
                api: "ingram".into(),
                request: request_label("GET", &url),
                reason: reason.to_string(),
            };
            let items = match body.get("data") {
                Some(Value::Array(items)) => items.clone(),
                None | Some(Value::Null) => Vec::new(),
                Some(_) => return Err(malformed("`data` is not a list")),
            };
            let Some(total) = body
                .get("pagination")
                .and_then(|pagination| pagination.get("total"))
                .and_then(Value::as_u64)
            else {
                return Err(malformed("no `pagination` with a total"));
            };
            let empty = items.is_empty();
            collected.extend(items);
            let read = collected.len() as u64;
            if read >= total {
                if read > total {
                    return Err(PullError::Paging {
                        api: "ingram".into(),
                        reason: format!(
                            "{path}: read {read} records but pagination.total is {total}; the snapshot is incomplete"
                        ),
                    });
                }
                return Ok(());
            }
            if empty {
                return Err(PullError::Paging {
                    api: "ingram".into(),
                    reason: format!(
                        "{path}: a page came back empty after {read} of {total} records; the snapshot is incomplete"
                    ),
                });
            }
        }
        Err(PullError::Paging {
            api: "ingram".into(),
            reason: format!("{path}: more than 10,000 pages; the snapshot is incomplete"),
        })
    }

    /// One record per product of each active subscription, with the subscription's customer,
    /// status and term. Stops at the first detail call that fails, keeping what it joined.
    fn items(
        &mut self,
        subscriptions: &[Value],
        names: &HashMap<String, Value>,
        state: &mut ConnectorState,
        raw: &mut Vec<RawPage>,
        items: &mut Vec<Map<String, Value>>,
    ) -> Result<(), PullError> {
        for subscription in subscriptions {
            let status = text_of(subscription, "status").unwrap_or_default();
            if !status.is_empty() && !status.trim().eq_ignore_ascii_case("active") {
                continue;
            }
            let Some(id) = text_of(subscription, "id") else {
                return Err(PullError::Malformed {
                    api: "ingram".into(),
                    request: "GET /subscriptions".into(),
                    reason: "a subscription has no id".into(),
                });
            };
            let details;
            let products = match subscription.get("products") {
                Some(Value::Array(products)) => products,
                _ => {
                    let url = format!("{}/subscriptions/{}", self.base, encode(&id));
                    details = self.get(&url, state, raw)?;
                    match details.get("products") {
                        Some(Value::Array(products)) => products,
                        _ => {
                            return Err(PullError::Malformed {
                                api: "ingram".into(),
                                request: request_label("GET", &url),
                                reason: "the subscription has no `products` list".into(),
                            });
                        }
                    }
                }
            };
            let customer = text_of(subscription, "customerId").unwrap_or_default();
            for product in products {
                let Value::Object(fields) = product else {
                    continue;
                };
                let mut item = fields.clone();
                item.insert("subscriptionId".into(), Value::String(id.clone()));
                item.insert("customerId".into(), Value::String(customer.clone()));
                if let Some(name) = names.get(&customer) {
                    item.insert("customerName".into(), name.clone());
                }
                if let Some(name) = item.remove("name") {
                    item.insert("productName".into(), name);
                }
                if let Some(term) = term_of(subscription) {
                    item.insert("term".into(), Value::String(term));
                }
                items.push(item);
            }
        }
        Ok(())
    }
}

/// The term in the words the import rule reads, from `billingPeriod` (as the export's
/// "Billing Period" column), else `subscriptionPeriod`: a text as given, or a `{type,
/// duration}` period (`month`/1 is Monthly, `year`/1 Annual, `year`/3 three years).
pub fn term_of(subscription: &Value) -> Option<String> {
    ["billingPeriod", "subscriptionPeriod"]
        .iter()
        .find_map(|field| match subscription.get(*field)? {
            Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
            Value::Object(period) => {
                let kind = period.get("type")?.as_str()?.to_ascii_lowercase();
                let duration = period.get("duration").and_then(Value::as_u64).unwrap_or(1);
                let months = match kind.trim_end_matches('s') {
                    "month" => duration,
                    "year" => duration.saturating_mul(12),
                    _ => return None,
                };
                match months {
                    1 => Some("Monthly".to_string()),
                    12 => Some("Annual".to_string()),
                    36 => Some("3 Year".to_string()),
                    _ => None,
                }
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terms_are_read_from_text_or_from_a_period() {
        let term = |value: Value| term_of(&value);
        assert_eq!(
            term(json!({"billingPeriod": {"type": "month", "duration": 1}})).as_deref(),
            Some("Monthly")
        );
        assert_eq!(
            term(json!({"subscriptionPeriod": {"type": "year", "duration": 3}})).as_deref(),
            Some("3 Year")
        );
        assert_eq!(
            term(json!({"billingPeriod": "Annual"})).as_deref(),
            Some("Annual")
        );
        assert_eq!(term(json!({"billingPeriod": {"type": "day"}})), None);
    }
}
