//! Stateful fake vendor and PSA APIs on 127.0.0.1, for the connector and watch tests.
//!
//! Each fake implements the documented behaviour of its API, ugly parts included: Pax8's
//! 0-based pages with `content`/`page` and a JSON token call; ConnectWise's Basic auth with a
//! `clientId` header and forward-only paging through the `Link` header. A test can change the
//! data between pulls (add a subscription) and inject faults (a 429 with `Retry-After`, a 500
//! on one page, a malformed body, a revoked token). Every request is recorded.
//!
//! Bounded like tests/http_peer: the thread stops when the fake is dropped or after 60 s.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The value of a query parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        let (_, query) = self.path.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }
}

/// An answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A fake API server with a handler.
pub struct FakeApi {
    address: std::net::SocketAddr,
    received: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeApi {
    pub fn start(mut handler: impl FnMut(&Seen, &str) -> Reply + Send + 'static) -> FakeApi {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = server.server_addr().to_ip().expect("an IP address");
        let base = format!("http://{address}");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let received = Arc::clone(&received);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    let mut request = match server.recv_timeout(Duration::from_millis(20)) {
                        Ok(Some(request)) => request,
                        Ok(None) => continue,
                        Err(_) => break,
                    };
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let seen = Seen {
                        method: request.method().to_string(),
                        path: request.url().to_string(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.to_string()))
                            .collect(),
                        body,
                    };
                    received.lock().expect("lock").push(seen.clone());
                    let reply = handler(&seen, &base);
                    let mut response =
                        tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
                    for (name, value) in reply.headers {
                        response = response.with_header(
                            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                                .expect("header"),
                        );
                    }
                    let _ = request.respond(response);
                }
            })
        };
        FakeApi {
            address,
            received,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.received.lock().expect("lock").clone()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub const PAX8_CLIENT_ID: &str = "pax8-client-id";
pub const PAX8_SECRET: &str = "pax8-S3CRET-do-not-print";

/// Faults a Pax8 fake injects.
#[derive(Debug, Default)]
pub struct Pax8Faults {
    /// Answer 429 with this Retry-After to the n-th data request (1-based), once.
    pub throttle_request: Option<(usize, Option<u64>)>,
    /// Answer every request for this 0-based subscriptions page with 500.
    pub fail_subscription_page: Option<u32>,
    /// Answer this 0-based subscriptions page with a body that is not JSON.
    pub malformed_subscription_page: Option<u32>,
    /// Refuse the current token (401) on the n-th data request (1-based), once.
    pub revoke_on_request: Option<usize>,
    /// Refuse every token on data requests.
    pub refuse_all_tokens: bool,
    /// Report this totalElements instead of the truth.
    pub lie_about_total: Option<u64>,
}

/// The data and behaviour of a fake Pax8.
#[derive(Debug)]
pub struct Pax8State {
    pub companies: Vec<Value>,
    pub subscriptions: Vec<Value>,
    pub products: HashMap<String, Value>,
    /// Pages are capped at this size whatever is asked.
    pub page_cap: usize,
    pub token_life: u64,
    pub tokens_issued: usize,
    pub valid_tokens: Vec<String>,
    pub data_requests: usize,
    pub faults: Pax8Faults,
}

impl Pax8State {
    /// Two companies (Contoso, Fabrikam) and two products, in the spec's field names.
    pub fn sample() -> Pax8State {
        let mut products = HashMap::new();
        for (id, sku, name) in [
            ("p-bp", "MST-M365-BP-C100", "Microsoft 365 Business Premium"),
            (
                "p-def",
                "MST-DEF-BUS-C100",
                "Microsoft Defender for Business",
            ),
        ] {
            products.insert(
                id.to_string(),
                json!({"id": id, "name": name, "vendorName": "Microsoft", "sku": sku, "vendorSku": "0001"}),
            );
        }
        Pax8State {
            companies: vec![
                company("c-contoso", "Contoso Ltd", "CW-CONTOSO"),
                company("c-fabrikam", "Fabrikam Inc", "CW-FABRIKAM"),
            ],
            subscriptions: vec![
                subscription("s-1", "c-contoso", "p-bp", 10, "22.00", "Active"),
                subscription("s-2", "c-fabrikam", "p-def", 5, "3.00", "Active"),
            ],
            products,
            page_cap: 200,
            token_life: 86_400,
            tokens_issued: 0,
            valid_tokens: Vec::new(),
            data_requests: 0,
            faults: Pax8Faults::default(),
        }
    }
}

pub fn company(id: &str, name: &str, external: &str) -> Value {
    json!({
        "id": id, "name": name, "status": "Active", "externalId": external,
        "website": format!("{}.example", id), "selfServiceAllowed": true,
        "billOnBehalfOfEnabled": false, "updatedDate": "2026-11-11T11:33:12.314-0600",
        "address": {"street": "1 Main St", "city": "Dayton", "postalCode": "82691", "country": "US"}
    })
}

/// A subscription in the spec's shape; `partner_cost` is a decimal string kept exact as a JSON
/// number.
pub fn subscription(
    id: &str,
    company: &str,
    product: &str,
    quantity: u32,
    partner_cost: &str,
    status: &str,
) -> Value {
    let cost: Value = serde_json::from_str(partner_cost).expect("a JSON number");
    json!({
        "id": id, "companyId": company, "productId": product, "quantity": quantity,
        "startDate": "2026-11-01T08:30:00Z", "createdDate": "2026-11-01", "billingStart": "2026-11-01",
        "status": status, "price": 30, "partnerCost": cost, "currencyCode": "USD",
        "billingTerm": "Monthly", "vendorSubscriptionId": format!("ms-{id}")
    })
}

/// A fake Pax8 at `/v1`, with its token endpoint at `/v1/token`.
pub fn pax8(state: Arc<Mutex<Pax8State>>) -> FakeApi {
    FakeApi::start(move |request, _base| {
        let mut state = lock(&state);
        if request.route() == "/v1/token" {
            let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
            if request.method != "POST"
                || body["client_id"] != PAX8_CLIENT_ID
                || body["client_secret"] != PAX8_SECRET
                || body["audience"] != "https://api.pax8.com"
                || body["grant_type"] != "client_credentials"
            {
                return Reply::json(
                    401,
                    &json!({"error": "access_denied", "error_description": "Unauthorized"}),
                );
            }
            state.tokens_issued += 1;
            let token = format!("token-{}", state.tokens_issued);
            state.valid_tokens.push(token.clone());
            return Reply::json(
                200,
                &json!({"access_token": token, "expires_in": state.token_life, "token_type": "Bearer"}),
            );
        }
        state.data_requests += 1;
        let number = state.data_requests;
        let bearer = request
            .header("Authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_string);
        if state.faults.revoke_on_request == Some(number) {
            state.valid_tokens.clear();
        }
        if state.faults.refuse_all_tokens
            || !bearer.is_some_and(|token| state.valid_tokens.contains(&token))
        {
            return Reply::json(401, &json!({"message": "Unauthorized"}));
        }
        if let Some((at, retry_after)) = state.faults.throttle_request
            && at == number
        {
            let reply = Reply::json(429, &json!({"message": "Too Many Requests"}));
            return match retry_after {
                Some(seconds) => reply.with_header("Retry-After", &seconds.to_string()),
                None => reply,
            };
        }
        let route = request.route().to_string();
        if let Some(id) = route.strip_prefix("/v1/products/") {
            return match state.products.get(id) {
                Some(product) => Reply::json(200, product),
                None => Reply::json(404, &json!({"message": "Not Found"})),
            };
        }
        let page: usize = request
            .query("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let size: usize = request
            .query("size")
            .and_then(|s| s.parse().ok())
            .unwrap_or(10)
            .min(state.page_cap);
        let records = match route.as_str() {
            "/v1/companies" => state.companies.clone(),
            "/v1/subscriptions" => {
                if state.faults.fail_subscription_page == Some(page as u32) {
                    return Reply::json(500, &json!({"message": "Internal Server Error"}));
                }
                if state.faults.malformed_subscription_page == Some(page as u32) {
                    return Reply::text(200, "{\"content\": [ {\"id\": \"s-9\", ");
                }
                state.subscriptions.clone()
            }
            _ => return Reply::json(404, &json!({"message": "Not Found"})),
        };
        let total = records.len();
        let pages = total.div_ceil(size).max(1);
        let content: Vec<Value> = records.into_iter().skip(page * size).take(size).collect();
        let reported = state.faults.lie_about_total.unwrap_or(total as u64);
        let mut body = json!({"page": {"size": size, "totalElements": reported, "totalPages": pages, "number": page}});
        // Pax8 leaves `content` out of an empty list.
        if !content.is_empty() {
            body["content"] = Value::Array(content);
        }
        Reply::json(200, &body)
    })
}

pub const CW_COMPANY: &str = "msp";
pub const CW_PUBLIC: &str = "cw-public-key";
pub const CW_PRIVATE: &str = "cw-PRIVATE-do-not-print";
pub const CW_CLIENT_ID: &str = "8f9c1e2a-0000-4000-8000-client";

/// The data and behaviour of a fake ConnectWise Manage.
#[derive(Debug)]
pub struct ConnectWiseState {
    pub agreements: Vec<Value>,
    /// Additions per agreement id.
    pub additions: HashMap<i64, Vec<Value>>,
    pub page_cap: usize,
    /// Answer every request for the page after this `pageId` with 500.
    pub fail_page_id: Option<i64>,
    /// Make the next links point to another host.
    pub foreign_next: bool,
    /// Answer the first request with 429 and this Retry-After.
    pub throttle_first: Option<u64>,
    pub requests: usize,
}

impl ConnectWiseState {
    /// Contoso bills 10 Business Premium seats; Fabrikam 5 Defender seats.
    pub fn sample() -> ConnectWiseState {
        let mut additions = HashMap::new();
        additions.insert(101, vec![addition(1001, 101, "M365-BP", 10, "30.00")]);
        additions.insert(102, vec![addition(1002, 102, "DEF-BUS", 5, "5.00")]);
        ConnectWiseState {
            agreements: vec![
                agreement(101, "CW-CONTOSO", "Contoso Ltd"),
                agreement(102, "CW-FABRIKAM", "Fabrikam Inc"),
            ],
            additions,
            page_cap: 1000,
            fail_page_id: None,
            foreign_next: false,
            throttle_first: None,
            requests: 0,
        }
    }
}

pub fn agreement(id: i64, company: &str, name: &str) -> Value {
    json!({
        "id": id, "name": format!("{name} managed services"),
        "type": {"id": 1, "name": "Managed Services"},
        "company": {"id": id * 10, "identifier": company, "name": name},
        "agreementStatus": "Active", "cancelledFlag": false, "startDate": "2026-01-01T00:00:00Z",
        "currency": {"id": 1, "symbol": "$", "currencyCode": "USD", "name": "US Dollars"}
    })
}

/// An addition in the API's shape: no company, as the real one.
pub fn addition(id: i64, agreement: i64, product: &str, quantity: u32, unit_price: &str) -> Value {
    let price: Value = serde_json::from_str(unit_price).expect("a JSON number");
    json!({
        "id": id, "agreementId": agreement,
        "product": {"id": id + 5000, "identifier": product},
        "quantity": quantity, "lessIncluded": 0, "unitPrice": price, "unitCost": 20,
        "billCustomer": "Billable", "effectiveDate": "2026-01-01T00:00:00Z",
        "description": format!("{product} seats"), "agreementStatus": "Active"
    })
}

/// A fake ConnectWise at `/v4_6_release/apis/3.0`, with forward-only paging.
pub fn connectwise(state: Arc<Mutex<ConnectWiseState>>) -> FakeApi {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{CW_COMPANY}+{CW_PUBLIC}:{CW_PRIVATE}"))
    );
    FakeApi::start(move |request, base| {
        let mut state = lock(&state);
        state.requests += 1;
        if request.header("Authorization") != Some(expected.as_str())
            || request.header("clientId") != Some(CW_CLIENT_ID)
        {
            return Reply::json(
                401,
                &json!({"code": "Unauthorized", "message": "Authentication failed"}),
            );
        }
        if let Some(seconds) = state.throttle_first.take() {
            return Reply::json(429, &json!({"code": "TooManyRequests"}))
                .with_header("Retry-After", &seconds.to_string());
        }
        let page_id = request.query("pageId").and_then(|p| p.parse::<i64>().ok());
        if page_id.is_some() && state.fail_page_id == page_id {
            return Reply::json(500, &json!({"code": "ServerError"}));
        }
        let route = request
            .route()
            .trim_start_matches("/v4_6_release/apis/3.0")
            .to_string();
        if route == "/finance/agreements/count" {
            return Reply::json(200, &json!({"count": state.agreements.len()}));
        }
        let records: Vec<Value> = if route == "/finance/agreements" {
            state.agreements.clone()
        } else if let Some(id) = route
            .strip_prefix("/finance/agreements/")
            .and_then(|rest| rest.strip_suffix("/additions"))
            .and_then(|id| id.parse::<i64>().ok())
        {
            state.additions.get(&id).cloned().unwrap_or_default()
        } else {
            return Reply::json(404, &json!({"code": "NotFound"}));
        };
        let size: usize = request
            .query("pageSize")
            .and_then(|s| s.parse().ok())
            .unwrap_or(25)
            .min(state.page_cap);
        let after: i64 = request
            .query("pageId")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let page: Vec<Value> = records
            .into_iter()
            .filter(|record| record["id"].as_i64().unwrap_or(0) > after)
            .take(size + 1)
            .collect();
        let more = page.len() > size;
        let page: Vec<Value> = page.into_iter().take(size).collect();
        let mut reply = Reply::json(200, &Value::Array(page.clone()));
        if more {
            let last = page
                .last()
                .and_then(|record| record["id"].as_i64())
                .unwrap_or(0);
            let host = if state.foreign_next {
                "http://evil.example".to_string()
            } else {
                base.to_string()
            };
            let conditions = request
                .query("conditions")
                .map(|c| format!("conditions={c}&"))
                .unwrap_or_default();
            reply = reply.with_header(
                "Link",
                &format!("<{host}{}?{conditions}pageSize={size}&pageId={last}>; rel=\"next\", <{base}{}?pageSize={size}>; rel=\"first\"", request.route(), request.route()),
            );
        }
        reply
    })
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The (customer, product, seats) of every current vendor line: what a failed pull must leave
/// exactly as it was.
pub fn current_vendor_lines(database: &std::path::Path) -> Vec<(String, String, String)> {
    let store = billgap::store::Store::open(database).expect("store");
    let mut lines = Vec::new();
    for source in store.sources().expect("sources") {
        if source.superseded_by.is_some() || source.side.as_str() != "vendor" {
            continue;
        }
        for audit in store.import_lines_stored(source.id).expect("lines") {
            lines.push((
                audit.customer.key,
                audit.product.key,
                audit.line.seats.to_string(),
            ));
        }
    }
    lines.sort();
    lines
}

/// The keys of the vendor `parties` or `products` of one system, sorted: an export and a pull
/// of the same records give one key each.
pub fn vendor_keys(database: &std::path::Path, table: &str, system: &str) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).expect("open");
    connection
        .prepare(&format!(
            "SELECT key FROM {table} WHERE side = 'vendor' AND system = ?1 ORDER BY key"
        ))
        .expect("prepare")
        .query_map([system], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Imports an export file into the database, as `billgap import` does.
pub fn import_export(database: &std::path::Path, export: &std::path::Path) {
    let mut store = billgap::store::Store::open(database).expect("store");
    store
        .import_file(
            export,
            &billgap::import::ImportOptions::default(),
            &mut |_| {},
        )
        .expect("import");
}

/// One pull of `source` into the workspace, with a fresh connector state and recorded time.
pub fn pull_into(
    workspace: &mut billgap::workflow::Workspace,
    source: billgap::connectors::Source,
    settings: &billgap::connectors::ApiSettings,
    credentials: &billgap::connectors::Credentials,
    timing: &mut billgap::connectors::RecordedTiming,
) -> billgap::workflow::PullReceipt {
    workspace
        .pull(
            source,
            settings,
            credentials,
            &mut billgap::connectors::ConnectorState::default(),
            timing,
        )
        .expect("a pull is recorded, complete or not")
}

/// A workspace dated 2026-12-02 in `folder`/billgap.sqlite with one complete pull stored.
pub fn workspace_with_a_pull(
    folder: &std::path::Path,
    source: billgap::connectors::Source,
    settings: &billgap::connectors::ApiSettings,
    credentials: &billgap::connectors::Credentials,
) -> billgap::workflow::Workspace {
    let mut workspace = billgap::workflow::Workspace::open_as_of(
        &folder.join("billgap.sqlite"),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("day"),
    )
    .expect("open");
    let receipt = pull_into(
        &mut workspace,
        source,
        settings,
        credentials,
        &mut billgap::connectors::RecordedTiming::default(),
    );
    assert!(receipt.complete, "{:?}", receipt.problems);
    workspace
}

/// Credentials from (field, value) pairs.
pub fn credentials_of(pairs: &[(&str, &str)]) -> billgap::connectors::Credentials {
    pairs
        .iter()
        .map(|(field, value)| (field.to_string(), value.to_string()))
        .collect()
}

/// The (product, unit price, unit cost) of every current line of `side`, as the store gives
/// them back to the drill-down: what a pull must keep digit for digit.
pub fn stored_money(database: &std::path::Path, side: &str) -> Vec<(String, String, String)> {
    let store = billgap::store::Store::open(database).expect("store");
    let text = |amount: &Option<rust_decimal::Decimal>| {
        amount.map(|amount| amount.to_string()).unwrap_or_default()
    };
    let mut lines = Vec::new();
    for source in store.sources().expect("sources") {
        if source.superseded_by.is_some() || source.side.as_str() != side {
            continue;
        }
        for audit in store.import_lines_stored(source.id).expect("lines") {
            lines.push((
                audit.product.key,
                text(&audit.line.unit_price),
                text(&audit.line.unit_cost),
            ));
        }
    }
    lines.sort();
    lines
}
