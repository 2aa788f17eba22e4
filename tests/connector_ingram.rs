//! The Ingram Micro connector against a fake Cloud Marketplace API on loopback, in the shapes
//! of the Marketplace API models (`Subscription`, `SubscriptionDetails`, `SubscriptionItem`
//! with `unitPrice {amount, currency}`): Basic credentials exchanged for
//! `{token, expiresInSeconds}` with the marketplace in the body, the `X-Subscription-Key` on
//! every call, `limit`/`offset` pages with `pagination.total`, and the products of a
//! subscription from `GET /subscriptions/{id}`. Auth (token expiry mid-pull, a revoked token),
//! paging, 429 with Retry-After, a 500 on page 3, a malformed body, and the keys an export
//! gives.

mod connector_fakes;

use base64::Engine;
use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use billgap::domain::lines::Period;
use billgap::workflow::PullReceipt;
use billgap::workflow::Workspace;
use connector_fakes::{FakeApi, Reply, current_vendor_lines, import_export, lock, vendor_keys};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const USER: &str = "api-user@msp.example";
const PASSWORD: &str = "ingram-PASSWORD-do-not-print";
const KEY: &str = "ingram-KEY-do-not-print";

#[derive(Default)]
struct Faults {
    /// Answer the n-th data request (1-based) with 429 and this Retry-After, once.
    throttle_request: Option<(usize, u64)>,
    /// Refuse the current token on the n-th data request (1-based), once.
    revoke_on_request: Option<usize>,
    /// Answer this 0-based subscriptions page with 500.
    fail_subscription_page: Option<usize>,
    /// Answer this 0-based subscriptions page with a body that is not JSON.
    malformed_subscription_page: Option<usize>,
    /// Report this total instead of the truth.
    lie_about_total: Option<usize>,
}

struct State {
    customers: Vec<Value>,
    subscriptions: Vec<Value>,
    /// Products per subscription id, served by `GET /subscriptions/{id}`.
    products: std::collections::HashMap<String, Vec<Value>>,
    token_life: u64,
    tokens_issued: usize,
    valid_tokens: Vec<String>,
    data_requests: usize,
    faults: Faults,
}

fn item(mpn: &str, name: &str, quantity: u32, unit_price: &str) -> Value {
    json!({
        "mpn": mpn, "name": name, "quantity": quantity,
        "unitPrice": {"amount": unit_price, "currency": "USD"},
        "extendedPrice": {"amount": "0", "currency": "USD"}
    })
}

fn subscription(id: &str, customer: &str, status: &str) -> Value {
    json!({
        "id": id, "customerId": customer, "status": status,
        "creationDate": "2026-11-01", "renewalDate": "2027-11-01", "renewalStatus": true,
        "lastModifiedDate": "2026-11-02", "billingPeriod": {"type": "month", "duration": 1}
    })
}

fn sample() -> Arc<Mutex<State>> {
    let mut products = std::collections::HashMap::new();
    products.insert(
        "SUB-1".to_string(),
        vec![item(
            "CFQ7TTC0LCHC",
            "Microsoft 365 Business Premium",
            10,
            "22.00",
        )],
    );
    products.insert(
        "SUB-2".to_string(),
        vec![item(
            "CFQ7TTC0LH18",
            "Microsoft 365 Business Basic",
            5,
            "6.00",
        )],
    );
    products.insert(
        "SUB-3".to_string(),
        vec![item(
            "CFQ7TTC0LCHC",
            "Microsoft 365 Business Premium",
            7,
            "22.00",
        )],
    );
    Arc::new(Mutex::new(State {
        customers: vec![
            json!({"id": "1000105107", "name": "Contoso Ltd", "externalId": "CW-CONTOSO"}),
            json!({"id": "1000105108", "name": "Fabrikam Inc", "externalId": "CW-FABRIKAM"}),
        ],
        subscriptions: vec![
            subscription("SUB-1", "1000105107", "active"),
            subscription("SUB-2", "1000105108", "active"),
            subscription("SUB-3", "1000105108", "suspended"),
        ],
        products,
        token_life: 3600,
        tokens_issued: 0,
        valid_tokens: Vec::new(),
        data_requests: 0,
        faults: Faults::default(),
    }))
}

/// A fake Marketplace API at `/marketplace/eu`, its token endpoint at `/marketplace/eu/token`.
fn ingram(state: Arc<Mutex<State>>) -> FakeApi {
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    FakeApi::start(move |request, _base| {
        let mut state = lock(&state);
        if request.header("X-Subscription-Key") != Some(KEY) {
            return Reply::json(
                401,
                &json!({"statusCode": 401, "message": "Access denied due to invalid subscription key."}),
            );
        }
        let route = request
            .route()
            .trim_start_matches("/marketplace/eu")
            .to_string();
        if route == "/token" {
            let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
            if request.method != "POST"
                || request.header("Authorization") != Some(basic.as_str())
                || body["marketplace"] != "us"
            {
                return Reply::json(
                    401,
                    &json!({"code": "AUTH_FAILED", "message": "Invalid credentials"}),
                );
            }
            state.tokens_issued += 1;
            let token = format!("token-{}", state.tokens_issued);
            state.valid_tokens.push(token.clone());
            return Reply::json(
                200,
                &json!({"token": token, "expiresInSeconds": state.token_life}),
            );
        }
        state.data_requests += 1;
        let number = state.data_requests;
        if state.faults.revoke_on_request == Some(number) {
            state.valid_tokens.clear();
        }
        let bearer = request
            .header("Authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_string);
        if !bearer.is_some_and(|token| state.valid_tokens.contains(&token)) {
            return Reply::json(401, &json!({"message": "Unauthorized"}));
        }
        if let Some((at, seconds)) = state.faults.throttle_request
            && at == number
        {
            return Reply::json(429, &json!({"message": "Too many requests"}))
                .with_header("Retry-After", &seconds.to_string());
        }
        if let Some(id) = route.strip_prefix("/subscriptions/") {
            let Some(products) = state.products.get(id) else {
                return Reply::json(404, &json!({"message": "Not found"}));
            };
            let listed = state
                .subscriptions
                .iter()
                .find(|subscription| subscription["id"] == id)
                .cloned()
                .unwrap_or(Value::Null);
            let mut details = listed;
            details["products"] = Value::Array(products.clone());
            details["totalPrice"] = json!({"amount": "0", "currency": "USD"});
            return Reply::json(200, &details);
        }
        let limit: usize = request
            .query("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(10);
        let offset: usize = request
            .query("offset")
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        let records = match route.as_str() {
            "/customers" => state.customers.clone(),
            "/subscriptions" => {
                let page = offset / limit.max(1);
                if state.faults.fail_subscription_page == Some(page) {
                    return Reply::json(500, &json!({"message": "Internal error"}));
                }
                if state.faults.malformed_subscription_page == Some(page) {
                    return Reply::text(200, "{\"data\": [ {\"id\": \"SUB-9\", ");
                }
                state.subscriptions.clone()
            }
            _ => return Reply::json(404, &json!({"message": "Not found"})),
        };
        let total = state.faults.lie_about_total.unwrap_or(records.len());
        let data: Vec<Value> = records.into_iter().skip(offset).take(limit).collect();
        Reply::json(
            200,
            &json!({"data": data, "pagination": {"offset": offset, "limit": limit, "total": total}}),
        )
    })
}

fn period() -> Period {
    "2026-12".parse().expect("period")
}

fn settings(fake: &FakeApi, page_size: u32) -> ApiSettings {
    ApiSettings {
        base_url: Some(fake.url("/marketplace/eu")),
        marketplace: Some("us".into()),
        page_size: Some(page_size),
        max_requests: Some(100),
        max_wait_secs: Some(300),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    }
}

fn credentials() -> Credentials {
    connector_fakes::credentials_of(&[
        ("username", USER),
        ("password", PASSWORD),
        ("subscription_key", KEY),
    ])
}

fn pull(
    fake: &FakeApi,
    page_size: u32,
    timing: &mut RecordedTiming,
) -> billgap::connectors::Snapshot {
    billgap::connectors::pull(
        Source::Ingram,
        &settings(fake, page_size),
        &credentials(),
        period(),
        &mut ConnectorState::default(),
        timing,
    )
}

#[test]
fn every_page_is_read_by_offset_and_active_products_are_keyed_like_the_export() {
    let state = sample();
    let fake = ingram(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.records, 3);
    assert_eq!(
        snapshot.lines.len(),
        2,
        "the suspended subscription is not billed"
    );
    let offsets: Vec<String> = fake
        .requests()
        .iter()
        .filter(|request| request.route() == "/marketplace/eu/subscriptions")
        .map(|request| request.query("offset").unwrap_or_default())
        .collect();
    assert_eq!(offsets, ["0", "1", "2"], "offset pages until the total");
    let contoso = snapshot
        .lines
        .iter()
        .find(|line| line.customer.key == "1000105107")
        .expect("Contoso");
    assert_eq!(contoso.customer.name, "Contoso Ltd");
    assert_eq!(contoso.product.key, "CFQ7TTC0LCHC", "keyed by mpn");
    assert_eq!(contoso.subscription.as_deref(), Some("SUB-1"));
    assert_eq!(contoso.seats, rust_decimal::Decimal::from(10));
    assert_eq!(
        contoso
            .unit_cost
            .as_ref()
            .map(|cost| (cost.amount.to_string(), cost.currency.code().to_string())),
        Some(("22.00".to_string(), "USD".to_string())),
        "unitPrice is read exactly, with its currency"
    );
    assert_eq!(contoso.term, billgap::domain::lines::Term::Monthly);
    let requests = fake.requests();
    let token = requests
        .iter()
        .find(|request| request.route() == "/marketplace/eu/token")
        .expect("a token call");
    assert_eq!(token.method, "POST");
    assert_eq!(
        lock(&state).tokens_issued,
        1,
        "one token for the whole pull"
    );
    assert!(
        requests
            .iter()
            .all(|request| request.header("X-Subscription-Key") == Some(KEY)),
        "the gateway key on every call"
    );
    assert_eq!(snapshot.budget.used, requests.len() as u32);
    let all = format!("{:?} {}", snapshot.problems, snapshot.raw_json());
    assert!(!all.contains(PASSWORD) && !all.contains(KEY));
}

#[test]
fn a_429_waits_as_retry_after_says_and_a_token_that_expires_meanwhile_is_renewed_once() {
    let state = sample();
    {
        let mut state = lock(&state);
        state.token_life = 60;
        state.faults.throttle_request = Some((3, 57));
    }
    let fake = ingram(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(timing.sleeps, [Duration::from_secs(57)]);
    assert_eq!(
        lock(&state).tokens_issued,
        2,
        "the 60 s token is renewed after the 57 s wait, once"
    );

    let state = sample();
    lock(&state).faults.revoke_on_request = Some(2);
    let fake = ingram(Arc::clone(&state));
    assert!(pull(&fake, 1, &mut RecordedTiming::default()).complete);
    assert_eq!(lock(&state).tokens_issued, 2, "one refresh after a 401");
}

#[test]
fn wrong_credentials_give_an_auth_error_that_never_repeats_the_password() {
    let state = sample();
    let fake = ingram(Arc::clone(&state));
    let mut wrong = credentials();
    wrong.insert("password".into(), "wrong-password-value".into());
    let snapshot = billgap::connectors::pull(
        Source::Ingram,
        &settings(&fake, 100),
        &wrong,
        period(),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    );
    assert!(!snapshot.complete);
    let problem = snapshot.problems.join(" ");
    assert!(problem.contains("token endpoint answered 401"), "{problem}");
    assert!(!problem.contains("wrong-password-value"), "{problem}");
}

#[test]
fn a_total_that_disagrees_with_the_pages_makes_the_snapshot_incomplete() {
    let state = sample();
    lock(&state).faults.lie_about_total = Some(50);
    let fake = ingram(Arc::clone(&state));
    let snapshot = pull(&fake, 100, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("came back empty"),
        "{:?}",
        snapshot.problems
    );
}

fn workspace_with_a_pull(folder: &std::path::Path, fake: &FakeApi) -> Workspace {
    connector_fakes::workspace_with_a_pull(
        folder,
        Source::Ingram,
        &settings(fake, 1),
        &credentials(),
    )
}

fn pull_into(
    workspace: &mut Workspace,
    settings: &ApiSettings,
    timing: &mut RecordedTiming,
) -> PullReceipt {
    connector_fakes::pull_into(workspace, Source::Ingram, settings, &credentials(), timing)
}

#[test]
fn a_500_on_page_3_is_incomplete_replaces_nothing_and_keeps_what_it_read_as_a_lower_bound() {
    let folder = tempfile::tempdir().expect("temp");
    let state = sample();
    let fake = ingram(Arc::clone(&state));
    let mut workspace = workspace_with_a_pull(folder.path(), &fake);
    let database = folder.path().join("billgap.sqlite");
    let before = current_vendor_lines(&database);
    assert_eq!(before.len(), 2);
    {
        let mut state = lock(&state);
        state.products.get_mut("SUB-1").expect("SUB-1")[0]["quantity"] = json!(12);
        state.faults.fail_subscription_page = Some(2);
    }
    let mut timing = RecordedTiming::default();
    let receipt = pull_into(&mut workspace, &settings(&fake, 1), &mut timing);
    assert!(!receipt.complete);
    assert!(
        receipt.problems[0].contains("500"),
        "{:?}",
        receipt.problems
    );
    assert_eq!(timing.sleeps.len(), 3, "a 5xx is retried three times");
    assert_eq!(current_vendor_lines(&database), before, "nothing replaced");
    assert_eq!(
        receipt.seen, 2,
        "the two subscriptions on the pages read are kept as a lower bound"
    );
    assert!(
        receipt.sentence().contains("lower bound"),
        "{}",
        receipt.sentence()
    );
    let report = workspace.report(None, false).expect("report");
    assert!(
        report
            .warnings
            .iter()
            .any(|warning| warning.contains("stopped early")),
        "{:?}",
        report.warnings
    );
    let outcome = workspace
        .check(
            &billgap::workflow::AlertSettings::default(),
            false,
            &mut billgap::alert::RecordedPauses::default(),
        )
        .expect("check");
    assert_ne!(
        outcome.report.verdict,
        billgap::domain::reconcile::Verdict::Clean
    );
    assert!(outcome.report.resolved.is_empty());
}

#[test]
fn a_malformed_body_is_a_clear_error_and_leaves_the_data_unchanged() {
    let folder = tempfile::tempdir().expect("temp");
    let state = sample();
    let fake = ingram(Arc::clone(&state));
    let mut workspace = workspace_with_a_pull(folder.path(), &fake);
    let database = folder.path().join("billgap.sqlite");
    let before = current_vendor_lines(&database);
    lock(&state).faults.malformed_subscription_page = Some(1);
    let receipt = pull_into(
        &mut workspace,
        &settings(&fake, 1),
        &mut RecordedTiming::default(),
    );
    assert!(!receipt.complete);
    let problem = receipt.problems.join(" ");
    assert!(
        problem.contains("GET /marketplace/eu/subscriptions?limit=1&offset=1")
            && problem.contains("not JSON at line 1"),
        "names the request and where the body broke: {problem}"
    );
    assert_eq!(current_vendor_lines(&database), before);
}

#[test]
fn a_mapping_confirmed_on_an_ingram_export_carries_over_to_the_pull() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("billgap.sqlite");
    let export = folder.path().join("ingram-rde.csv");
    std::fs::write(
        &export,
        "Reseller ID,Reseller Company Name,Customer Account ID,End Customer Name,Subscription ID,\
         Subscription Name,Subscription Expiration Date,Plan ID,MPN,Plan Name,Quantity,Unit Price,Net Price,Currency\n\
         R1,Our MSP,1000105107,Contoso Ltd,SUB-1,M365 BP,2027-11-01,P-9,CFQ7TTC0LCHC,M365 Business Premium,10,22.00,220.00,USD\n",
    )
    .expect("write");
    import_export(&database, &export);
    let state = sample();
    let fake = ingram(Arc::clone(&state));
    let mut with_reseller = settings(&fake, 100);
    with_reseller.reseller_id = Some("R1".into());
    let snapshot = billgap::connectors::pull(
        Source::Ingram,
        &with_reseller,
        &credentials(),
        period(),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    );
    assert_eq!(
        snapshot.slice.as_deref(),
        Some("R1/USD"),
        "the export's slice, so one replaces the other"
    );
    let mut workspace = Workspace::open(&database).expect("open");
    let receipt = pull_into(
        &mut workspace,
        &with_reseller,
        &mut RecordedTiming::default(),
    );
    assert!(receipt.complete, "{:?}", receipt.problems);
    let keys = |table: &str| vendor_keys(&database, table, "ingram");
    assert_eq!(
        keys("products"),
        ["CFQ7TTC0LCHC", "CFQ7TTC0LH18"],
        "the export's product (by its MPN) and the pulled one are the same record"
    );
    assert_eq!(
        keys("parties"),
        ["1000105107", "1000105108"],
        "Contoso from the export and from the pull is one customer"
    );
}
