//! The Partner Center connector against a fake Partner Center on loopback: an app-only token
//! (client credentials, form, the `.default` scope), unbilled reconciliation line items paged
//! by `links.next` with its `MS-ContinuationToken` header, a 429 with `Retry-After: 57` (the
//! throttling example of Microsoft's guidance), a 500 on page 3, and a malformed body.

mod connector_fakes;

use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use connector_fakes::{FakeApi, Reply, lock};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "mspc-S3CRET";
const TENANT_PATH: &str = "/partner-tenant/oauth2/v2.0/token";

#[derive(Default)]
struct Center {
    tokens: usize,
    throttle_page: Option<usize>,
    revoke_page: Option<usize>,
    fail_page: Option<usize>,
    malformed: bool,
}

/// A line in the shape of Microsoft's unbilled recon example: numbers as strings, SkuId with
/// its leading zeros.
fn line(customer: &str, name: &str, product: &str, sku: &str, quantity: u32) -> Value {
    json!({
        "partnerId": "934f3416-bc2f-47f3-b492-77e517d4e572", "customerId": customer, "customerName": name,
        "customerDomainName": format!("{}.onmicrosoft.com", name.to_lowercase()), "invoiceNumber": "",
        "productId": product, "skuId": sku, "availabilityId": "CFQ7TTC0K5RQ",
        "productName": "Microsoft 365 Business Premium", "skuName": "Microsoft 365 Business Premium",
        "productQualifiers": [], "chargeType": "new", "unitPrice": "22", "effectiveUnitPrice": "19.8",
        "quantity": quantity.to_string(), "subtotal": (198 * quantity / 10).to_string(), "currency": "USD",
        "subscriptionId": format!("sub-{customer}"), "chargeStartDate": "2026-12-01T00:00:00Z",
        "chargeEndDate": "2026-12-31T00:00:00Z", "termAndBillingCycle": "One-Year commitment for monthly/yearly billing",
        "billableQuantity": quantity.to_string(), "pcToBCExchangeRate": "1", "pricingCurrency": "USD"
    })
}

fn start(state: Arc<Mutex<Center>>) -> FakeApi {
    FakeApi::start(move |request, _| {
        let mut state = lock(&state);
        if request.route() == TENANT_PATH {
            if !(request.body.contains("grant_type=client_credentials")
                && request.body.contains(&format!("client_secret={SECRET}"))
                && request
                    .body
                    .contains("scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2F.default"))
            {
                return Reply::json(401, &json!({"error": "invalid_client"}));
            }
            state.tokens += 1;
            return Reply::json(
                200,
                &json!({"token_type": "Bearer", "expires_in": 3599, "access_token": format!("pc-{}", state.tokens)}),
            );
        }
        let page = match request.header("MS-ContinuationToken") {
            None => 1,
            Some("continue-2") => 2,
            Some("continue-3") => 3,
            Some(_) => return Reply::json(400, &json!({"description": "bad continuation token"})),
        };
        if state.revoke_page == Some(page) {
            state.revoke_page = None;
            state.tokens += 100;
        }
        if request.header("Authorization") != Some(&format!("Bearer pc-{}", state.tokens)) {
            return Reply::json(401, &json!({"code": 401, "description": "token expired"}));
        }
        if page > 1 && request.query("seekOperation").as_deref() != Some("Next") {
            return Reply::json(400, &json!({"description": "seekOperation missing"}));
        }
        if state.throttle_page == Some(page) {
            state.throttle_page = None;
            return Reply::json(429, &json!({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}))
                .with_header("Retry-After", "57");
        }
        if state.fail_page == Some(page) {
            return Reply::json(500, &json!({"description": "server error"}));
        }
        if state.malformed {
            return Reply::text(200, "{ \"totalCount\": 2, \"items\": [ { {\"partnerId\": ");
        }
        let items = match page {
            1 => vec![
                line("c-1", "Contoso", "CFQ7TTC0LCHC", "0002", 10),
                line("c-2", "Fabrikam", "CFQ7TTC0LCHC", "0002", 4),
            ],
            2 => vec![line("c-3", "Northwind", "CFQ7TTC0LH18", "0001", 7)],
            _ => vec![line("c-4", "Tailspin", "CFQ7TTC0LH18", "0001", 2)],
        };
        let mut links = json!({"self": {"uri": "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd&period=current&size=2000", "method": "GET", "headers": []}});
        if page < 3 {
            links["next"] = json!({
                "uri": "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd&period=current&size=2000&seekOperation=Next",
                "method": "GET",
                "headers": [{"key": "MS-ContinuationToken", "value": format!("continue-{}", page + 1)}]
            });
        }
        let count = items.len();
        Reply::json(
            200,
            &json!({"totalCount": count, "items": items, "links": links, "attributes": {"objectType": "Collection"}}),
        )
    })
}

fn pull(fake: &FakeApi, timing: &mut RecordedTiming) -> billgap::connectors::Snapshot {
    let settings = ApiSettings {
        base_url: Some(fake.url("/v1")),
        token_url: Some(fake.url(TENANT_PATH)),
        currency: Some("USD".into()),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    };
    let credentials: Credentials = [("client_id", "app-id"), ("client_secret", SECRET)]
        .into_iter()
        .map(|(field, value)| (field.to_string(), value.to_string()))
        .collect();
    billgap::connectors::pull(
        Source::PartnerCenter,
        &settings,
        &credentials,
        "2026-12".parse().expect("period"),
        &mut ConnectorState::default(),
        timing,
    )
}

#[test]
fn continuation_tokens_are_followed_and_lines_are_keyed_as_the_recon_file() {
    let state = Arc::new(Mutex::new(Center::default()));
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake, &mut RecordedTiming::default());
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.records, 4);
    assert_eq!(snapshot.lines.len(), 4);
    assert_eq!(
        snapshot.slice.as_deref(),
        Some("934f3416-bc2f-47f3-b492-77e517d4e572/USD"),
        "partner and currency, as an import of the recon file"
    );
    let northwind = snapshot
        .lines
        .iter()
        .find(|line| line.customer.key == "c-3")
        .expect("c-3");
    assert_eq!(
        northwind.product.key, "CFQ7TTC0LH18:0001",
        "ProductId:SkuId with its leading zeros"
    );
    assert_eq!(northwind.seats, rust_decimal::Decimal::from(7));
    let tokens: Vec<Option<String>> = fake
        .requests()
        .iter()
        .filter(|request| request.route() == "/v1/invoices/unbilled/lineitems")
        .map(|request| request.header("MS-ContinuationToken").map(str::to_string))
        .collect();
    assert_eq!(
        tokens,
        [None, Some("continue-2".into()), Some("continue-3".into())]
    );
    assert_eq!(lock(&state).tokens, 1);
}

#[test]
fn a_429_waits_57_seconds_as_microsoft_asks() {
    let state = Arc::new(Mutex::new(Center {
        throttle_page: Some(2),
        ..Center::default()
    }));
    let fake = start(Arc::clone(&state));
    let mut timing = RecordedTiming::default();
    let snapshot = pull(&fake, &mut timing);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(timing.sleeps, [Duration::from_secs(57)]);
}

#[test]
fn a_500_on_page_3_or_a_malformed_body_makes_the_snapshot_incomplete() {
    let state = Arc::new(Mutex::new(Center {
        fail_page: Some(3),
        ..Center::default()
    }));
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert!(snapshot.lines.is_empty());
    assert!(
        !snapshot.seen.is_empty(),
        "the line items of pages 1 and 2 are kept as a lower bound of the seats"
    );
    assert!(
        snapshot.problems[0].contains("500"),
        "{:?}",
        snapshot.problems
    );

    let state = Arc::new(Mutex::new(Center {
        malformed: true,
        ..Center::default()
    }));
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake, &mut RecordedTiming::default());
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("GET /v1/invoices/unbilled/lineitems?provider=onetime")
            && snapshot.problems[0].contains("not JSON"),
        "{:?}",
        snapshot.problems
    );
    assert!(!snapshot.problems[0].contains(SECRET));
}

#[test]
fn a_token_that_expires_mid_pull_is_renewed_once_and_the_page_retried() {
    let state = Arc::new(Mutex::new(Center {
        revoke_page: Some(2),
        ..Center::default()
    }));
    let fake = start(Arc::clone(&state));
    let snapshot = pull(&fake, &mut RecordedTiming::default());
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.lines.len(), 4, "no page lost to the expiry");
    let token_calls = fake
        .requests()
        .iter()
        .filter(|request| request.route() == TENANT_PATH)
        .count();
    assert_eq!(token_calls, 2);
}
