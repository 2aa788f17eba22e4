//! The Pax8 connector against a fake Pax8 on loopback that serves the spec's shapes: OAuth
//! client credentials with a JSON body, 0-based pages of `{content, page}`, products by id.
//! Auth (token expiry mid-pull, a revoked token, refused credentials), paging, 429 with
//! Retry-After, a 500 on page 3, a malformed body, and the keys a CSV import gives.

mod connector_fakes;

use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use billgap::domain::lines::Period;
use billgap::workflow::Workspace;
use connector_fakes::{
    PAX8_CLIENT_ID, PAX8_SECRET, Pax8State, current_vendor_lines, lock, subscription,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn period() -> Period {
    "2026-12".parse().expect("period")
}

fn settings(fake: &connector_fakes::FakeApi, page_size: u32) -> ApiSettings {
    ApiSettings {
        base_url: Some(fake.url("/v1")),
        token_url: Some(fake.url("/v1/token")),
        page_size: Some(page_size),
        max_requests: Some(100),
        max_wait_secs: Some(300),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    }
}

fn credentials() -> Credentials {
    [
        ("client_id".to_string(), PAX8_CLIENT_ID.to_string()),
        ("client_secret".to_string(), PAX8_SECRET.to_string()),
    ]
    .into_iter()
    .collect()
}

fn three_subscriptions() -> Arc<Mutex<Pax8State>> {
    let mut state = Pax8State::sample();
    state.subscriptions.push(subscription(
        "s-3",
        "c-contoso",
        "p-def",
        10,
        "3.00",
        "Active",
    ));
    Arc::new(Mutex::new(state))
}

fn pull(
    fake: &connector_fakes::FakeApi,
    page_size: u32,
    timing: &mut RecordedTiming,
) -> billgap::connectors::Snapshot {
    billgap::connectors::pull(
        Source::Pax8,
        &settings(fake, page_size),
        &credentials(),
        period(),
        &mut ConnectorState::default(),
        timing,
    )
}

#[test]
fn every_page_is_read_from_zero_and_records_are_keyed_like_the_export() {
    let state = three_subscriptions();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.records, 3);
    assert_eq!(snapshot.lines.len(), 3);
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter(|request| request.route() == "/v1/subscriptions")
        .map(|request| request.query("page").unwrap_or_default())
        .collect();
    assert_eq!(pages, ["0", "1", "2"], "0-based pages until totalPages");
    let contoso_bp = snapshot
        .lines
        .iter()
        .find(|line| line.subscription.as_deref() == Some("s-1"))
        .expect("s-1");
    assert_eq!(contoso_bp.product.key, "MST-M365-BP-C100", "keyed by sku");
    assert_eq!(contoso_bp.customer.key, "c-contoso");
    assert_eq!(contoso_bp.customer.name, "Contoso Ltd");
    assert_eq!(
        contoso_bp.customer.external_id.as_deref(),
        Some("CW-CONTOSO")
    );
    assert_eq!(contoso_bp.seats, rust_decimal::Decimal::from(10));
    assert_eq!(
        contoso_bp
            .unit_cost
            .as_ref()
            .map(|cost| cost.amount.to_string()),
        Some("22.00".to_string()),
        "partnerCost is read exactly"
    );
    assert_eq!(
        lock(&state).tokens_issued,
        1,
        "one token for the whole pull"
    );
    assert!(
        fake.requests()
            .iter()
            .filter(|request| request.route() != "/v1/token")
            .all(|request| request.header("Authorization") == Some("Bearer token-1"))
    );
    assert_eq!(
        snapshot.budget.used,
        fake.requests().len() as u32,
        "every call is counted"
    );
    assert!(timing.sleeps.is_empty());
}

#[test]
fn a_429_waits_as_retry_after_says_and_a_token_that_expires_meanwhile_is_renewed_once() {
    let state = three_subscriptions();
    {
        let mut state = lock(&state);
        state.token_life = 60;
        state.faults.throttle_request = Some((3, Some(57)));
    }
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(
        timing.sleeps,
        [Duration::from_secs(57)],
        "slept exactly Retry-After"
    );
    assert_eq!(snapshot.budget.waited, Duration::from_secs(57));
    assert_eq!(
        lock(&state).tokens_issued,
        2,
        "the 60 s token is renewed after the 57 s wait (10% skew), once"
    );
    let tokens: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|request| request.header("Authorization").map(str::to_string))
        .collect();
    assert_eq!(tokens.first().map(String::as_str), Some("Bearer token-1"));
    assert_eq!(tokens.last().map(String::as_str), Some("Bearer token-2"));
}

#[test]
fn a_revoked_token_is_refreshed_once_and_a_refused_one_is_an_auth_error_without_a_loop() {
    let state = three_subscriptions();
    lock(&state).faults.revoke_on_request = Some(2);
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let snapshot = pull(&fake, 1, &mut RecordedTiming::default());
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(lock(&state).tokens_issued, 2, "one refresh after the 401");

    let state = three_subscriptions();
    lock(&state).faults.refuse_all_tokens = true;
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let snapshot = pull(&fake, 1, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert_eq!(
        lock(&state).tokens_issued,
        2,
        "exactly two token calls, no loop"
    );
    let problem = snapshot.problems.join(" ");
    assert!(problem.contains("authentication failed"), "{problem}");
    assert!(!problem.contains(PAX8_SECRET));
}

#[test]
fn wrong_credentials_give_an_auth_error_that_never_repeats_the_secret() {
    let state = three_subscriptions();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut wrong = credentials();
    wrong.insert("client_secret".into(), "wrong-secret-value".into());
    let snapshot = billgap::connectors::pull(
        Source::Pax8,
        &settings(&fake, 200),
        &wrong,
        period(),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    );
    assert!(!snapshot.complete);
    let problem = snapshot.problems.join(" ");
    assert!(problem.contains("token endpoint answered 401"), "{problem}");
    assert!(
        problem.contains("access_denied"),
        "the API's own words: {problem}"
    );
    assert!(!problem.contains("wrong-secret-value"), "{problem}");
    assert!(!snapshot.raw_json().contains("wrong-secret-value"));
}

#[test]
fn a_429_past_the_waiting_budget_stops_the_pull_as_incomplete() {
    let state = three_subscriptions();
    lock(&state).faults.throttle_request = Some((2, Some(3600)));
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1, &mut timing);
    assert!(!snapshot.complete);
    assert!(timing.sleeps.is_empty(), "no wait past the budget");
    assert!(
        snapshot.problems[0].contains("429"),
        "{:?}",
        snapshot.problems
    );

    let state = three_subscriptions();
    lock(&state).faults.throttle_request = Some((2, None));
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    assert!(pull(&fake, 1, &mut timing).complete);
    assert_eq!(timing.sleeps.len(), 1);
    assert!(
        timing.sleeps[0] >= Duration::from_secs(1)
            && timing.sleeps[0] <= Duration::from_millis(1500),
        "without Retry-After: 1 s backoff plus at most half again of jitter, got {:?}",
        timing.sleeps
    );
}

#[test]
fn a_spent_request_budget_stops_the_pull_as_incomplete() {
    let state = three_subscriptions();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut small = settings(&fake, 1);
    small.max_requests = Some(4);
    let snapshot = billgap::connectors::pull(
        Source::Pax8,
        &small,
        &credentials(),
        period(),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    );
    assert!(!snapshot.complete);
    assert_eq!(fake.requests().len(), 4, "never past the budget");
    assert!(
        snapshot.problems[0].contains("budget of 4"),
        "{:?}",
        snapshot.problems
    );
}

#[test]
fn a_total_that_disagrees_with_the_pages_makes_the_snapshot_incomplete() {
    let state = three_subscriptions();
    lock(&state).faults.lie_about_total = Some(1000);
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let snapshot = pull(&fake, 200, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("reports 1000"),
        "{:?}",
        snapshot.problems
    );
}

#[test]
fn a_list_without_content_is_empty_and_an_empty_pull_is_never_complete() {
    let state = three_subscriptions();
    lock(&state).subscriptions.clear();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let snapshot = pull(&fake, 200, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("no billable records"),
        "a missing content is an empty list, and empty is never 'no seats': {:?}",
        snapshot.problems
    );
}

/// A database with one complete Pax8 pull stored.
fn database_with_a_pull(folder: &std::path::Path, fake: &connector_fakes::FakeApi) -> Workspace {
    connector_fakes::workspace_with_a_pull(folder, Source::Pax8, &settings(fake, 1), &credentials())
}

#[test]
fn a_500_on_page_3_is_an_incomplete_snapshot_that_replaces_nothing_and_makes_the_check_incomplete()
{
    let folder = tempfile::tempdir().expect("temp");
    let state = three_subscriptions();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut workspace = database_with_a_pull(folder.path(), &fake);
    let database = folder.path().join("billgap.sqlite");
    let before = current_vendor_lines(&database);
    assert_eq!(before.len(), 3);
    {
        let mut state = lock(&state);
        state.subscriptions[0]["quantity"] = serde_json::json!(99);
        state.faults.fail_subscription_page = Some(2);
    }
    let mut timing = RecordedTiming::default();
    let receipt = workspace
        .pull(
            Source::Pax8,
            &settings(&fake, 1),
            &credentials(),
            &mut ConnectorState::default(),
            &mut timing,
        )
        .expect("a failed pull is recorded, not an error");
    assert!(!receipt.complete);
    assert!(receipt.import.is_none());
    assert_eq!(
        receipt.seen, 2,
        "the subscriptions of pages 1 and 2 are kept as a lower bound of the seats"
    );
    assert!(
        receipt.sentence().contains("INCOMPLETE"),
        "{}",
        receipt.sentence()
    );
    assert!(
        receipt.problems[0].contains("500"),
        "{:?}",
        receipt.problems
    );
    assert_eq!(
        timing.sleeps.len(),
        3,
        "a 5xx is retried three times: {:?}",
        timing.sleeps
    );
    assert_eq!(
        current_vendor_lines(&database),
        before,
        "the stored state is unchanged"
    );
    let failing = workspace.failing_sources().expect("failing");
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0].source, "pax8");

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
    assert!(
        outcome
            .report
            .warnings
            .iter()
            .any(|warning| warning.contains("pax8 pull is incomplete")),
        "{:?}",
        outcome.report.warnings
    );
    let connection = rusqlite::Connection::open(&database).expect("open");
    let complete: i64 = connection
        .query_row(
            "SELECT complete FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("run");
    assert_eq!(
        complete, 0,
        "a run after a failing source never counts toward resolving"
    );
    let pages: String = connection
        .query_row(
            "SELECT raw FROM pulls ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("raw");
    assert!(
        pages.contains("GET /v1/subscriptions?page=1&size=1"),
        "the pages read before the failure are kept for drill-down"
    );
}

#[test]
fn a_malformed_body_is_a_clear_error_and_leaves_the_data_unchanged() {
    let folder = tempfile::tempdir().expect("temp");
    let state = three_subscriptions();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut workspace = database_with_a_pull(folder.path(), &fake);
    let database = folder.path().join("billgap.sqlite");
    let before = current_vendor_lines(&database);
    lock(&state).faults.malformed_subscription_page = Some(1);
    let receipt = workspace
        .pull(
            Source::Pax8,
            &settings(&fake, 1),
            &credentials(),
            &mut ConnectorState::default(),
            &mut RecordedTiming::default(),
        )
        .expect("recorded");
    assert!(!receipt.complete);
    let problem = receipt.problems.join(" ");
    assert!(
        problem.contains("GET /v1/subscriptions?page=1&size=1")
            && problem.contains("not JSON at line 1"),
        "names the request and where the body broke: {problem}"
    );
    assert_eq!(current_vendor_lines(&database), before);
}

#[test]
fn a_mapping_confirmed_on_a_pax8_export_carries_over_to_the_pull() {
    let folder = tempfile::tempdir().expect("temp");
    let database = folder.path().join("billgap.sqlite");
    let export = folder.path().join("pax8-invoice.csv");
    std::fs::write(
        &export,
        "companyId,companyName,sku,productName,quantity,type,costTotal,currencyCode,startPeriod,endPeriod\n\
         c-contoso,Contoso Ltd,MST-M365-BP-C100,Microsoft 365 Business Premium,10,subscription,220.00,USD,2026-11-01,2026-11-30\n",
    )
    .expect("write");
    let mut store = billgap::store::Store::open(&database).expect("store");
    store
        .import_file(
            &export,
            &billgap::import::ImportOptions::default(),
            &mut |_| {},
        )
        .expect("import");
    drop(store);
    let state = three_subscriptions();
    let fake = connector_fakes::pax8(Arc::clone(&state));
    let mut workspace = Workspace::open(&database).expect("open");
    let receipt = workspace
        .pull(
            Source::Pax8,
            &settings(&fake, 200),
            &credentials(),
            &mut ConnectorState::default(),
            &mut RecordedTiming::default(),
        )
        .expect("pull");
    assert!(receipt.complete, "{:?}", receipt.problems);
    let connection = rusqlite::Connection::open(&database).expect("open");
    let keys: Vec<String> = connection
        .prepare("SELECT key FROM products WHERE side = 'vendor' AND system = 'pax8' ORDER BY key")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        keys,
        ["MST-DEF-BUS-C100", "MST-M365-BP-C100"],
        "the export's product and the pulled one are the same record"
    );
    let customers: i64 = connection
        .query_row(
            "SELECT count(*) FROM parties WHERE side = 'vendor' AND system = 'pax8'",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(
        customers, 2,
        "Contoso from the export and from the pull is one customer"
    );
}

/// F18 on the pull path: a cost with more digits than an f64 holds is stored as the API wrote
/// it. Through f64, 12.34567890123456789 would come back as 12.345678901234567.
#[test]
fn pulled_money_is_stored_exactly_as_the_api_wrote_it() {
    let mut state = Pax8State::sample();
    state.subscriptions.push(subscription(
        "s-9",
        "c-contoso",
        "p-def",
        3,
        "12.34567890123456789",
        "Active",
    ));
    let fake = connector_fakes::pax8(Arc::new(Mutex::new(state)));
    let folder = tempfile::tempdir().expect("temp");
    drop(connector_fakes::workspace_with_a_pull(
        folder.path(),
        Source::Pax8,
        &settings(&fake, 200),
        &credentials(),
    ));
    let stored = connector_fakes::stored_money(&folder.path().join("billgap.sqlite"), "vendor");
    assert!(
        stored
            .iter()
            .any(|(_, _, cost)| cost == "12.34567890123456789"),
        "{stored:?}"
    );
}
