//! The Sherweb connector against a fake Distributor API on loopback that serves the spec's
//! shapes (`sherweb-distributor-openapi.json`): OAuth client credentials with a form body and
//! the `distributor` scope, the `Ocp-Apim-Subscription-Key` on every call, and
//! `GET /billing/payable-charges?date=` answering `{periodFrom, periodTo, charges}`. The API
//! documents no paging, so the "500 on page 3" of other connectors is a 500 on its one page.
//! Auth (token life across pulls, a token refused mid-pull), 429 with Retry-After, a failing
//! page, a malformed body, and the keys a charges export gives.

mod connector_fakes;

use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use billgap::domain::lines::Period;
use billgap::workflow::PullReceipt;
use billgap::workflow::Workspace;
use connector_fakes::{FakeApi, Reply, current_vendor_lines, import_export, lock, vendor_keys};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENT_ID: &str = "sherweb-client";
const SECRET: &str = "sherweb-S3CRET-do-not-print";
const KEY: &str = "apim-KEY-do-not-print";

#[derive(Default)]
struct Faults {
    /// Answer the n-th data request (1-based) with 429 and this Retry-After, once.
    throttle_request: Option<(usize, u64)>,
    /// Refuse the current token on the n-th data request (1-based), once.
    revoke_on_request: Option<usize>,
    /// Answer every data request with 500.
    fail: bool,
    /// Answer with a body that is not JSON.
    malformed: bool,
    /// Answer `charges` as an object.
    charges_not_a_list: bool,
}

struct State {
    charges: Vec<Value>,
    token_life: u64,
    tokens_issued: usize,
    valid_tokens: Vec<String>,
    data_requests: usize,
    faults: Faults,
}

/// A recurring charge in the spec's shape; the customer is in its tags.
fn charge(customer: &str, name: &str, sku: &str, quantity: u32, net_price: &str) -> Value {
    let price: Value = serde_json::from_str(net_price).expect("a JSON number");
    json!({
        "productId": format!("0b9b7a1e-0000-4000-8000-{sku:0>12}").chars().take(36).collect::<String>(),
        "productName": format!("{sku} product"), "sku": sku,
        "chargeId": "5f1c3c2e-1111-4111-8111-000000000001", "chargeName": "Monthly fee",
        "chargeType": "Recurring", "billingCycleType": "Monthly",
        "periodFrom": "2026-12-01", "periodTo": "2026-12-31",
        "quantity": quantity, "listPrice": 25.0, "netPrice": price, "netPriceProrated": price,
        "subTotal": 0, "currency": "CAD", "isBilled": false, "isProratable": true,
        "deductions": [], "fees": [],
        "invoice": {"number": null, "date": "2026-12-31", "periodFrom": "2026-12-01", "periodTo": "2026-12-31"},
        "taxes": [],
        "tags": [{"name": "CustomerId", "value": customer}, {"name": "CustomerName", "value": name}]
    })
}

fn sample() -> Arc<Mutex<State>> {
    Arc::new(Mutex::new(State {
        charges: vec![
            charge("c-contoso", "Contoso Ltd", "MS-BP-M", 10, "20.90"),
            charge("c-fabrikam", "Fabrikam Inc", "MS-E3-M", 5, "33.25"),
        ],
        token_life: 3600,
        tokens_issued: 0,
        valid_tokens: Vec::new(),
        data_requests: 0,
        faults: Faults::default(),
    }))
}

fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

/// A fake Sherweb: the token endpoint at `/auth/oidc/connect/token`, the API at
/// `/distributor/v1`.
fn sherweb(state: Arc<Mutex<State>>) -> FakeApi {
    FakeApi::start(move |request, _base| {
        let mut state = lock(&state);
        if request.route() == "/auth/oidc/connect/token" {
            let fields = form(&request.body);
            let has = |key: &str, value: &str| fields.iter().any(|(k, v)| k == key && v == value);
            if request.method != "POST"
                || !has("grant_type", "client_credentials")
                || !has("client_id", CLIENT_ID)
                || !has("client_secret", SECRET)
                || !has("scope", "distributor")
            {
                return Reply::json(400, &json!({"error": "invalid_client"}));
            }
            state.tokens_issued += 1;
            let token = format!("token-{}", state.tokens_issued);
            state.valid_tokens.push(token.clone());
            return Reply::json(
                200,
                &json!({"access_token": token, "expires_in": state.token_life, "token_type": "Bearer"}),
            );
        }
        if request.header("Ocp-Apim-Subscription-Key") != Some(KEY) {
            return Reply::json(
                401,
                &json!({"statusCode": 401, "message": "Access denied due to missing subscription key."}),
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
            return Reply::json(
                429,
                &json!({"statusCode": 429, "message": "Rate limit is exceeded."}),
            )
            .with_header("Retry-After", &seconds.to_string());
        }
        if request.route() != "/distributor/v1/billing/payable-charges" {
            return Reply::json(404, &json!({"message": "Resource not found"}));
        }
        if state.faults.fail {
            return Reply::json(500, &json!({"message": "Internal server error"}));
        }
        if state.faults.malformed {
            return Reply::text(200, "{\"periodFrom\": \"2026-12-01\", \"charges\": [ {");
        }
        let charges = if state.faults.charges_not_a_list {
            json!({"count": 2})
        } else {
            Value::Array(state.charges.clone())
        };
        Reply::json(
            200,
            &json!({"periodFrom": "2026-12-01", "periodTo": "2026-12-31", "charges": charges}),
        )
    })
}

fn period() -> Period {
    "2026-12".parse().expect("period")
}

fn settings(fake: &FakeApi) -> ApiSettings {
    ApiSettings {
        base_url: Some(fake.url("/distributor/v1")),
        token_url: Some(fake.url("/auth/oidc/connect/token")),
        max_requests: Some(50),
        max_wait_secs: Some(300),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    }
}

fn credentials() -> Credentials {
    connector_fakes::credentials_of(&[
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
        ("subscription_key", KEY),
    ])
}

fn pull_with(
    fake: &FakeApi,
    state: &mut ConnectorState,
    timing: &mut RecordedTiming,
) -> billgap::connectors::Snapshot {
    billgap::connectors::pull(
        Source::Sherweb,
        &settings(fake),
        &credentials(),
        period(),
        state,
        timing,
    )
}

fn pull(fake: &FakeApi, timing: &mut RecordedTiming) -> billgap::connectors::Snapshot {
    pull_with(fake, &mut ConnectorState::default(), timing)
}

fn no_secret_in(snapshot: &billgap::connectors::Snapshot) {
    let all = format!("{:?} {}", snapshot.problems, snapshot.raw_json());
    assert!(!all.contains(SECRET) && !all.contains(KEY), "{all}");
}

#[test]
fn the_charges_of_the_period_are_read_with_the_key_and_keyed_like_the_export() {
    let state = sample();
    let fake = sherweb(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.records, 2);
    assert_eq!(snapshot.slice.as_deref(), Some("CAD"), "sliced by currency");
    let contoso = snapshot
        .lines
        .iter()
        .find(|line| line.customer.key == "c-contoso")
        .expect("Contoso");
    assert_eq!(
        contoso.customer.name, "Contoso Ltd",
        "the customer from the tags"
    );
    assert_eq!(contoso.product.key, "MS-BP-M", "keyed by sku");
    assert_eq!(contoso.seats, rust_decimal::Decimal::from(10));
    assert_eq!(
        contoso
            .unit_cost
            .as_ref()
            .map(|cost| cost.amount.to_string()),
        Some("20.90".to_string()),
        "netPrice is read exactly"
    );
    let requests = fake.requests();
    let data: Vec<_> = requests
        .iter()
        .filter(|request| request.route().starts_with("/distributor"))
        .collect();
    assert_eq!(data.len(), 1, "one call: the API has no paging");
    assert!(
        data[0]
            .query("date")
            .is_some_and(|date| date.starts_with("2026-12-")),
        "a day within the period: {:?}",
        data[0].path
    );
    assert_eq!(data[0].header("Ocp-Apim-Subscription-Key"), Some(KEY));
    assert_eq!(data[0].header("Authorization"), Some("Bearer token-1"));
    assert_eq!(lock(&state).tokens_issued, 1);
    assert_eq!(snapshot.budget.used, requests.len() as u32);
    assert!(timing.sleeps.is_empty());
    no_secret_in(&snapshot);
}

#[test]
fn a_token_lives_across_pulls_until_its_skew_and_one_refused_mid_pull_is_renewed_once() {
    let state = sample();
    lock(&state).token_life = 600;
    let fake = sherweb(Arc::clone(&state));
    let mut connector = ConnectorState::default();
    let mut timing = RecordedTiming::default();
    assert!(pull_with(&fake, &mut connector, &mut timing).complete);
    timing.elapsed = Duration::from_secs(539);
    assert!(pull_with(&fake, &mut connector, &mut timing).complete);
    assert_eq!(
        lock(&state).tokens_issued,
        1,
        "no token call before expires_in minus the 60 s skew"
    );
    timing.elapsed = Duration::from_secs(541);
    assert!(pull_with(&fake, &mut connector, &mut timing).complete);
    assert_eq!(lock(&state).tokens_issued, 2, "exactly one after");

    let next = lock(&state).data_requests + 1;
    lock(&state).faults.revoke_on_request = Some(next);
    let snapshot = pull_with(&fake, &mut connector, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(
        lock(&state).tokens_issued,
        3,
        "a 401 mid-pull: one new token and one retry"
    );
}

#[test]
fn a_wrong_subscription_key_is_an_auth_error_without_a_loop_or_the_key() {
    let state = sample();
    let fake = sherweb(Arc::clone(&state));
    let mut wrong = credentials();
    wrong.insert("subscription_key".into(), "wrong-key-value".into());
    let snapshot = billgap::connectors::pull(
        Source::Sherweb,
        &settings(&fake),
        &wrong,
        period(),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    );
    assert!(!snapshot.complete);
    let problem = snapshot.problems.join(" ");
    assert!(problem.contains("authentication failed"), "{problem}");
    assert!(!problem.contains("wrong-key-value"), "{problem}");
    assert_eq!(lock(&state).tokens_issued, 2, "two token calls, no loop");
}

#[test]
fn a_429_waits_as_retry_after_says() {
    let state = sample();
    lock(&state).faults.throttle_request = Some((1, 57));
    let fake = sherweb(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(timing.sleeps, [Duration::from_secs(57)]);
    assert_eq!(snapshot.budget.waited, Duration::from_secs(57));
}

fn workspace_with_a_pull(folder: &std::path::Path, fake: &FakeApi) -> Workspace {
    connector_fakes::workspace_with_a_pull(folder, Source::Sherweb, &settings(fake), &credentials())
}

fn pull_into(
    workspace: &mut Workspace,
    fake: &FakeApi,
    timing: &mut RecordedTiming,
) -> PullReceipt {
    connector_fakes::pull_into(
        workspace,
        Source::Sherweb,
        &settings(fake),
        &credentials(),
        timing,
    )
}

#[test]
fn a_failing_page_is_an_incomplete_snapshot_that_replaces_and_resolves_nothing() {
    let folder = tempfile::tempdir().expect("temp");
    let state = sample();
    let fake = sherweb(Arc::clone(&state));
    let mut workspace = workspace_with_a_pull(folder.path(), &fake);
    let database = folder.path().join("billgap.sqlite");
    let before = current_vendor_lines(&database);
    assert_eq!(before.len(), 2);
    {
        let mut state = lock(&state);
        state.charges.pop();
        state.faults.fail = true;
    }
    let mut timing = RecordedTiming::default();
    let receipt = pull_into(&mut workspace, &fake, &mut timing);
    assert!(!receipt.complete);
    assert!(
        receipt.problems[0].contains("500"),
        "{:?}",
        receipt.problems
    );
    assert_eq!(timing.sleeps.len(), 3, "a 5xx is retried three times");
    assert_eq!(current_vendor_lines(&database), before, "nothing replaced");
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
    let connection = rusqlite::Connection::open(&database).expect("open");
    let complete: i64 = connection
        .query_row(
            "SELECT complete FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("run");
    assert_eq!(complete, 0, "the run never counts toward resolving");
}

#[test]
fn a_malformed_body_is_a_clear_error_and_leaves_the_data_unchanged() {
    let folder = tempfile::tempdir().expect("temp");
    let state = sample();
    let fake = sherweb(Arc::clone(&state));
    let mut workspace = workspace_with_a_pull(folder.path(), &fake);
    let database = folder.path().join("billgap.sqlite");
    let before = current_vendor_lines(&database);
    for fault in [true, false] {
        {
            let mut state = lock(&state);
            state.faults.malformed = fault;
            state.faults.charges_not_a_list = !fault;
        }
        let receipt = pull_into(&mut workspace, &fake, &mut RecordedTiming::default());
        assert!(!receipt.complete);
        let problem = receipt.problems.join(" ");
        assert!(
            problem.contains("GET /distributor/v1/billing/payable-charges?date=2026-12-"),
            "names the request: {problem}"
        );
        let expected = if fault {
            "not JSON at line 1"
        } else {
            "`charges` is not a list"
        };
        assert!(problem.contains(expected), "{problem}");
        assert_eq!(current_vendor_lines(&database), before);
    }
}

#[test]
fn a_mapping_confirmed_on_a_sherweb_export_carries_over_to_the_pull() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("billgap.sqlite");
    let export = folder.path().join("sherweb-charges.csv");
    std::fs::write(
        &export,
        "Customer Id,Customer Name,Product Id,Product Name,SKU,Charge Type,Billing Cycle Type,Quantity,Net Price,Currency,Period From,Period To\n\
         c-contoso,Contoso Ltd,0b9b7a1e-0000-4000-8000-000000000001,Microsoft 365 Business Premium,MS-BP-M,Recurring,Monthly,10,20.90,CAD,2026-11-01,2026-11-30\n",
    )
    .expect("write");
    import_export(&database, &export);
    let state = sample();
    let fake = sherweb(Arc::clone(&state));
    let mut workspace = Workspace::open(&database).expect("open");
    let receipt = pull_into(&mut workspace, &fake, &mut RecordedTiming::default());
    assert!(receipt.complete, "{:?}", receipt.problems);
    let keys = |table: &str| vendor_keys(&database, table, "sherweb");
    assert_eq!(
        keys("products"),
        ["MS-BP-M", "MS-E3-M"],
        "the export's product and the pulled one are the same record"
    );
    assert_eq!(
        keys("parties"),
        ["c-contoso", "c-fabrikam"],
        "Contoso from the export and from the pull is one customer"
    );
}
