//! The ConnectWise connector against a fake ConnectWise Manage on loopback: Basic auth from
//! company+public:private with the clientId header, forward-only paging through `Link`,
//! additions joined to their agreement's company, a 500 on page 3, a 429 with Retry-After,
//! a next link to another host, and a malformed body.

mod connector_fakes;

use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use billgap::domain::lines::Period;
use connector_fakes::{
    CW_CLIENT_ID, CW_COMPANY, CW_PRIVATE, CW_PUBLIC, ConnectWiseState, addition, agreement, lock,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn settings(fake: &connector_fakes::FakeApi, page_size: u32) -> ApiSettings {
    ApiSettings {
        base_url: Some(fake.url("/v4_6_release/apis/3.0")),
        company: Some(CW_COMPANY.into()),
        page_size: Some(page_size),
        max_requests: Some(100),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    }
}

fn credentials() -> Credentials {
    [
        ("public_key", CW_PUBLIC),
        ("private_key", CW_PRIVATE),
        ("client_id", CW_CLIENT_ID),
    ]
    .into_iter()
    .map(|(field, value)| (field.to_string(), value.to_string()))
    .collect()
}

/// Three agreements, the third with two additions (one not billable).
fn state() -> Arc<Mutex<ConnectWiseState>> {
    let mut state = ConnectWiseState::sample();
    state
        .agreements
        .push(agreement(103, "CW-NORTHWIND", "Northwind Traders"));
    let mut not_billed = addition(1004, 103, "M365-BP", 3, "30.00");
    not_billed["billCustomer"] = serde_json::json!("DoNotBill");
    state.additions.insert(
        103,
        vec![addition(1003, 103, "M365-BP", 4, "30.00"), not_billed],
    );
    Arc::new(Mutex::new(state))
}

fn pull(
    fake: &connector_fakes::FakeApi,
    page_size: u32,
    timing: &mut RecordedTiming,
) -> billgap::connectors::Snapshot {
    billgap::connectors::pull(
        Source::ConnectWise,
        &settings(fake, page_size),
        &credentials(),
        "2026-12".parse::<Period>().expect("period"),
        &mut ConnectorState::default(),
        timing,
    )
}

#[test]
fn forward_only_pages_are_followed_and_additions_get_their_agreements_company() {
    let state = state();
    let fake = connector_fakes::connectwise(Arc::clone(&state));
    let snapshot = pull(&fake, 1, &mut RecordedTiming::default());
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.records, 4, "every addition of every agreement");
    assert_eq!(
        snapshot.lines.len(),
        3,
        "the DoNotBill addition is not billed"
    );
    let northwind = snapshot
        .lines
        .iter()
        .find(|line| line.customer.key == "CW-NORTHWIND")
        .expect("the company comes from the agreement");
    assert_eq!(northwind.customer.name, "Northwind Traders");
    assert_eq!(northwind.product.key, "M365-BP");
    assert_eq!(northwind.seats, rust_decimal::Decimal::from(4));
    assert_eq!(northwind.subscription.as_deref(), Some("103"));
    assert_eq!(
        northwind
            .currency()
            .map(|currency| currency.code().to_string()),
        Some("USD".to_string()),
        "the agreement's currency"
    );
    let requests = fake.requests();
    let agreement_pages: Vec<String> = requests
        .iter()
        .filter(|request| request.route().ends_with("/finance/agreements"))
        .map(|request| request.query("pageId").unwrap_or_default())
        .collect();
    assert_eq!(
        agreement_pages,
        ["", "101", "102"],
        "forward-only pageIds from the Link header"
    );
    assert!(
        requests
            .iter()
            .filter(|request| request.route().ends_with("/finance/agreements"))
            .all(|request| request.query("conditions").as_deref()
                == Some("agreementStatus%3D%22Active%22")),
        "the conditions are carried to every page"
    );
    for request in &requests {
        assert_eq!(request.header("pagination-type"), Some("forward-only"));
        assert_eq!(request.header("clientId"), Some(CW_CLIENT_ID));
    }
}

#[test]
fn wrong_keys_are_an_auth_error_that_never_shows_them() {
    let state = state();
    let fake = connector_fakes::connectwise(Arc::clone(&state));
    let mut wrong = credentials();
    wrong.insert("private_key".into(), "not-the-private-key".into());
    let snapshot = billgap::connectors::pull(
        Source::ConnectWise,
        &settings(&fake, 1000),
        &wrong,
        "2026-12".parse::<Period>().expect("period"),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    );
    assert!(!snapshot.complete);
    let problem = snapshot.problems.join(" ");
    assert!(problem.contains("authentication failed"), "{problem}");
    assert!(
        problem.contains("clientId"),
        "says what to check: {problem}"
    );
    assert!(!problem.contains("not-the-private-key"), "{problem}");
    assert_eq!(fake.requests().len(), 1, "a refused key is not retried");
}

#[test]
fn a_500_on_page_3_makes_the_snapshot_incomplete_after_bounded_retries() {
    let state = state();
    lock(&state).fail_page_id = Some(102);
    let fake = connector_fakes::connectwise(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1, &mut timing);
    assert!(!snapshot.complete);
    assert!(
        snapshot.lines.is_empty(),
        "half a snapshot is never offered as lines"
    );
    assert!(
        snapshot.problems[0].contains("500"),
        "{:?}",
        snapshot.problems
    );
    assert_eq!(timing.sleeps.len(), 3);
    assert!(
        timing.sleeps[0] >= Duration::from_secs(1) && timing.sleeps[2] >= Duration::from_secs(4)
    );
}

#[test]
fn a_next_link_to_another_host_is_refused_and_no_credentials_go_there() {
    let state = state();
    lock(&state).foreign_next = true;
    let fake = connector_fakes::connectwise(Arc::clone(&state));
    let snapshot = pull(&fake, 1, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("evil.example")
            && snapshot.problems[0].contains("no credentials were sent"),
        "{:?}",
        snapshot.problems
    );
    assert_eq!(fake.requests().len(), 1, "the fake saw only the first page");
}

#[test]
fn a_429_is_waited_out_as_retry_after_says() {
    let state = state();
    lock(&state).throttle_first = Some(12);
    let fake = connector_fakes::connectwise(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, 1000, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(timing.sleeps, [Duration::from_secs(12)]);
    assert_eq!(snapshot.budget.waited, Duration::from_secs(12));
}

#[test]
fn a_malformed_body_is_a_clear_error() {
    let fake = connector_fakes::FakeApi::start(|_, _| {
        connector_fakes::Reply::text(200, "<html>maintenance</html>")
    });
    let snapshot = pull(&fake, 1000, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    let problem = snapshot.problems.join(" ");
    assert!(
        problem.contains("GET /v4_6_release/apis/3.0/finance/agreements?conditions=")
            && problem.contains("not JSON at line 1 column 1"),
        "{problem}"
    );
}

/// F18 on the pull path: a PSA price with more digits than an f64 holds is stored as the API
/// wrote it, as an import of the same answer saved to a file would store it.
#[test]
fn pulled_money_is_stored_exactly_as_the_api_wrote_it() {
    let state = state();
    connector_fakes::lock(&state).additions.insert(
        103,
        vec![addition(1003, 103, "M365-BP", 4, "30.12345678901234567")],
    );
    let fake = connector_fakes::connectwise(Arc::clone(&state));
    let folder = tempfile::tempdir().expect("temp");
    drop(connector_fakes::workspace_with_a_pull(
        folder.path(),
        Source::ConnectWise,
        &settings(&fake, 200),
        &credentials(),
    ));
    let stored = connector_fakes::stored_money(&folder.path().join("billgap.sqlite"), "psa");
    assert!(
        stored
            .iter()
            .any(|(_, price, _)| price == "30.12345678901234567"),
        "{stored:?}"
    );
}
