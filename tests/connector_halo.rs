//! The HaloPSA connector against a fake Halo on loopback: a form-encoded client-credentials
//! token with `scope=all` and `?tenant=`, RecurringInvoice pages from 1 with `record_count`,
//! a server that caps pages below what was asked, a revoked token, a page that comes back
//! empty too early, a 500 on page 3, and a malformed body.

mod connector_fakes;

use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use connector_fakes::{FakeApi, Reply, lock};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const SECRET: &str = "halo-S3CRET-value";

#[derive(Default)]
struct Halo {
    invoices: Vec<Value>,
    cap: usize,
    tokens: usize,
    revoke_on_page: Option<usize>,
    fail_page: Option<usize>,
    empty_from_page: Option<usize>,
    malformed: bool,
}

fn invoice(id: i64, client: i64, name: &str, item: &str, quantity: u32) -> Value {
    json!({
        "id": id, "client_id": client, "client_name": name, "period": 1, "currency_code": "USD",
        "nextcreationdate": "2026-12-31T00:00:00",
        "lines": [
            {"id": id * 10, "_itemid": 77, "item_code": item, "item_shortdescription": format!("{item} licences"),
             "qty_order": quantity, "unit_price": 30.0, "unit_cost": 21.5, "net_amount": 30 * quantity,
             "recurring_invoice_id": id, "isinactive": false},
            {"id": id * 10 + 1, "_itemid": 78, "item_code": "OLD-ITEM", "item_shortdescription": "retired",
             "qty_order": 2, "unit_price": 10, "unit_cost": 5, "recurring_invoice_id": id, "isinactive": true}
        ]
    })
}

fn start(state: Arc<Mutex<Halo>>) -> FakeApi {
    FakeApi::start(move |request, _| {
        let mut state = lock(&state);
        if request.route() == "/auth/token" {
            let ok = request.query("tenant").as_deref() == Some("acme")
                && request.body.contains("grant_type=client_credentials")
                && request.body.contains("client_id=halo-client")
                && request.body.contains(&format!("client_secret={SECRET}"))
                && request.body.contains("scope=all");
            if !ok {
                return Reply::json(401, &json!({"error": "invalid_client"}));
            }
            state.tokens += 1;
            return Reply::json(
                200,
                &json!({"access_token": format!("halo-{}", state.tokens), "token_type": "Bearer", "expires_in": 3600}),
            );
        }
        let page: usize = request
            .query("page_no")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        if state.revoke_on_page == Some(page) {
            state.revoke_on_page = None;
            return Reply::json(401, &json!({"message": "token expired"}));
        }
        if request.header("Authorization") != Some(&format!("Bearer halo-{}", state.tokens)) {
            return Reply::json(401, &json!({"message": "unauthorised"}));
        }
        if state.fail_page == Some(page) {
            return Reply::json(500, &json!({"message": "oops"}));
        }
        if state.malformed {
            return Reply::text(200, "{\"record_count\": 3, \"invoices\": [");
        }
        let asked: usize = request
            .query("page_size")
            .and_then(|s| s.parse().ok())
            .unwrap_or(50);
        // Halo caps every page whatever page_size asks for.
        let size = asked.min(state.cap);
        let rows: Vec<Value> = if state.empty_from_page.is_some_and(|from| page >= from) {
            Vec::new()
        } else {
            state
                .invoices
                .iter()
                .skip((page - 1) * size)
                .take(size)
                .cloned()
                .collect()
        };
        Reply::json(
            200,
            &json!({"page_size": size, "record_count": state.invoices.len(), "invoices": rows}),
        )
    })
}

fn five_invoices() -> Arc<Mutex<Halo>> {
    Arc::new(Mutex::new(Halo {
        invoices: (1..=5)
            .map(|n| invoice(n, 100 + n, &format!("Client {n}"), "M365-BP", n as u32))
            .collect(),
        cap: 2,
        ..Halo::default()
    }))
}

fn pull(fake: &FakeApi) -> billgap::connectors::Snapshot {
    let settings = ApiSettings {
        base_url: Some(fake.url("")),
        tenant: Some("acme".into()),
        page_size: Some(100),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    };
    let credentials: Credentials = [("client_id", "halo-client"), ("client_secret", SECRET)]
        .into_iter()
        .map(|(field, value)| (field.to_string(), value.to_string()))
        .collect();
    billgap::connectors::pull(
        Source::Halo,
        &settings,
        &credentials,
        "2026-12".parse().expect("period"),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    )
}

#[test]
fn pages_are_read_until_record_count_even_when_the_server_caps_them() {
    let state = five_invoices();
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.records, 5);
    assert_eq!(snapshot.lines.len(), 5, "inactive lines are not billed");
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter(|request| request.route() == "/api/RecurringInvoice")
        .map(|request| request.query("page_no").unwrap_or_default())
        .collect();
    assert_eq!(
        pages,
        ["1", "2", "3"],
        "100 asked, 2 served: three pages, none lost"
    );
    let third = snapshot
        .lines
        .iter()
        .find(|line| line.customer.key == "103")
        .expect("client 103");
    assert_eq!(
        third.customer.name, "Client 3",
        "the invoice's client is on its lines"
    );
    assert_eq!(third.product.key, "M365-BP");
    assert_eq!(third.seats, rust_decimal::Decimal::from(3));
    assert_eq!(lock(&state).tokens, 1);
}

#[test]
fn an_expired_token_is_renewed_once() {
    let state = five_invoices();
    lock(&state).revoke_on_page = Some(2);
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(lock(&state).tokens, 2);
}

#[test]
fn a_page_that_ends_too_early_or_fails_makes_the_snapshot_incomplete() {
    let state = five_invoices();
    lock(&state).empty_from_page = Some(2);
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake);
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("after 2 of 5"),
        "{:?}",
        snapshot.problems
    );

    let state = five_invoices();
    lock(&state).fail_page = Some(3);
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake);
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("500"),
        "{:?}",
        snapshot.problems
    );
    assert!(!snapshot.problems[0].contains(SECRET));
}

#[test]
fn a_malformed_body_is_a_clear_error() {
    let state = five_invoices();
    lock(&state).malformed = true;
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake);
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("GET /api/RecurringInvoice?pageinate=true")
            && snapshot.problems[0].contains("not JSON"),
        "{:?}",
        snapshot.problems
    );
}
