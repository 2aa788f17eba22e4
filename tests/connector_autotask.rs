//! The Autotask connector against a fake Autotask REST zone on loopback: the three auth
//! headers, ThresholdInformation first, POSTed queries whose `nextPageUrl` must be POSTed the
//! same body (a GET answers 405), service units joined through their contract to the company
//! and to the service's name, a 500 on page 3, a spent hourly limit and a malformed body.

mod connector_fakes;

use billgap::connectors::{ApiSettings, ConnectorState, Credentials, RecordedTiming, Source};
use connector_fakes::{FakeApi, Reply, lock};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const SECRET: &str = "autotask-S3CRET";
const ROOT: &str = "/atservicesrest/v1.0";

struct Zone {
    units: Vec<Value>,
    page: usize,
    used: u64,
    fail_page: Option<usize>,
    malformed: bool,
    /// A contract the fake does not return, though a unit names it.
    hidden_contract: Option<i64>,
}

fn unit(id: i64, contract: i64, service: i64, units: u32) -> Value {
    json!({
        "id": id, "contractID": contract, "contractServiceID": id + 1000, "serviceID": service,
        "startDate": "2026-12-01T00:00:00", "endDate": "2026-12-31T00:00:00", "units": units,
        "price": 30.5, "cost": 21.0, "internalCurrencyPrice": 30.5
    })
}

fn start(zone: Arc<Mutex<Zone>>) -> FakeApi {
    FakeApi::start(move |request, base| {
        let zone = lock(&zone);
        if request.header("ApiIntegrationCode") != Some("INTEGRATION")
            || request.header("UserName") != Some("api@msp.example")
            || request.header("Secret") != Some(SECRET)
        {
            return Reply::json(401, &json!({"errors": ["Unauthorized"]}));
        }
        let route = request.route().trim_start_matches(ROOT).to_string();
        if route == "/ThresholdInformation" {
            return Reply::json(
                200,
                &json!({"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": zone.used}),
            );
        }
        if route.ends_with("/next") && request.method != "POST" {
            return Reply::json(
                405,
                &json!({"errors": ["The requested resource does not support http method 'GET'."]}),
            );
        }
        let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
        let wanted: Vec<i64> = body["filter"][0]["value"]
            .as_array()
            .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        let items: Vec<Value> = match route.as_str() {
            "/ContractServiceUnits/query" | "/ContractServiceUnits/query/next" => {
                assert_eq!(body["filter"][0]["field"], "startDate", "the same body on every page");
                let page: usize = request.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                if zone.fail_page == Some(page) {
                    return Reply::json(500, &json!({"errors": ["Internal error"]}));
                }
                if zone.malformed {
                    return Reply::text(200, "{\"items\": [ {\"id\": 1,");
                }
                let items: Vec<Value> = zone.units.iter().skip((page - 1) * zone.page).take(zone.page).cloned().collect();
                let next = (page * zone.page < zone.units.len())
                    .then(|| format!("{base}{ROOT}/ContractServiceUnits/query/next?page={}", page + 1));
                return Reply::json(200, &json!({"items": items, "pageDetails": {"count": zone.units.len().min(zone.page), "requestCount": 500, "prevPageUrl": null, "nextPageUrl": next}}));
            }
            "/Contracts/query" => wanted.iter().filter(|id| Some(**id) != zone.hidden_contract).map(|id| json!({"id": id, "companyID": id / 10, "contractName": format!("Contract {id}")})).collect(),
            "/Companies/query" => wanted.iter().map(|id| json!({"id": id, "companyName": format!("Company {id}")})).collect(),
            "/Services/query" => wanted.iter().map(|id| json!({"id": id, "name": format!("Service {id}")})).collect(),
            _ => return Reply::json(404, &json!({"errors": ["not found"]})),
        };
        Reply::json(
            200,
            &json!({"items": items, "pageDetails": {"count": 0, "requestCount": 500, "prevPageUrl": null, "nextPageUrl": null}}),
        )
    })
}

fn zone() -> Arc<Mutex<Zone>> {
    Arc::new(Mutex::new(Zone {
        units: vec![
            unit(1, 110, 7, 10),
            unit(2, 110, 8, 3),
            unit(3, 220, 7, 4),
            unit(4, 220, 8, 1),
            unit(5, 330, 7, 6),
        ],
        page: 2,
        used: 100,
        fail_page: None,
        malformed: false,
        hidden_contract: None,
    }))
}

fn pull(fake: &FakeApi) -> billgap::connectors::Snapshot {
    let settings = ApiSettings {
        base_url: Some(fake.url(ROOT)),
        currency: Some("USD".into()),
        timeout_secs: Some(5),
        ..ApiSettings::default()
    };
    let credentials: Credentials = [
        ("integration_code", "INTEGRATION"),
        ("username", "api@msp.example"),
        ("secret", SECRET),
    ]
    .into_iter()
    .map(|(field, value)| (field.to_string(), value.to_string()))
    .collect();
    billgap::connectors::pull(
        Source::Autotask,
        &settings,
        &credentials,
        "2026-12".parse().expect("period"),
        &mut ConnectorState::default(),
        &mut RecordedTiming::default(),
    )
}

#[test]
fn next_pages_are_posted_and_units_reach_their_company_through_the_contract() {
    let zone = zone();
    let fake = start(Arc::clone(&zone));
    let snapshot = pull(&fake);
    assert!(snapshot.complete, "{:?}", snapshot.problems);
    assert_eq!(snapshot.lines.len(), 5);
    let requests = fake.requests();
    let unit_pages: Vec<(String, String)> = requests
        .iter()
        .filter(|request| request.route().contains("ContractServiceUnits"))
        .map(|request| {
            (
                request.method.clone(),
                request.query("page").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        unit_pages,
        [
            ("POST".into(), String::new()),
            ("POST".into(), "2".into()),
            ("POST".into(), "3".into())
        ],
        "every next page POSTed"
    );
    assert_eq!(
        requests[0].route(),
        format!("{ROOT}/ThresholdInformation"),
        "the limit is read first"
    );
    let line = snapshot
        .lines
        .iter()
        .find(|line| line.customer.key == "33")
        .expect("contract 330 belongs to company 33");
    assert_eq!(line.customer.name, "Company 33");
    assert_eq!(line.product.key, "7");
    assert_eq!(line.product.name, "Service 7");
    assert_eq!(line.seats, rust_decimal::Decimal::from(6));
    assert_eq!(
        line.unit_price
            .as_ref()
            .map(|price| (price.amount, price.currency.code().to_string())),
        Some((rust_decimal::Decimal::new(305, 1), "USD".to_string()))
    );
}

#[test]
fn a_unit_whose_contract_is_not_returned_makes_the_snapshot_incomplete_and_names_it() {
    let zone = zone();
    lock(&zone).hidden_contract = Some(220);
    let fake = start(Arc::clone(&zone));
    let snapshot = pull(&fake);
    assert!(!snapshot.complete);
    assert!(snapshot.lines.is_empty(), "no unit is guessed a company");
    assert!(
        snapshot.problems[0].contains("contract 220, which is not in autotask-contracts.json"),
        "{:?}",
        snapshot.problems
    );
}

#[test]
fn a_500_on_page_3_makes_the_snapshot_incomplete() {
    let zone = zone();
    lock(&zone).fail_page = Some(3);
    let fake = start(Arc::clone(&zone));
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
fn a_database_past_half_its_hourly_limit_is_left_alone() {
    let zone = zone();
    lock(&zone).used = 6000;
    let fake = start(Arc::clone(&zone));
    let snapshot = pull(&fake);
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("6000 of the database's 10000"),
        "{:?}",
        snapshot.problems
    );
    assert_eq!(
        fake.requests().len(),
        1,
        "no query once the limit is half spent"
    );
}

#[test]
fn a_malformed_body_and_wrong_credentials_are_clear_errors() {
    let zone = zone();
    lock(&zone).malformed = true;
    let fake = start(Arc::clone(&zone));
    let snapshot = pull(&fake);
    assert!(!snapshot.complete);
    assert!(
        snapshot.problems[0].contains("POST /atservicesrest/v1.0/ContractServiceUnits/query")
            && snapshot.problems[0].contains("not JSON"),
        "{:?}",
        snapshot.problems
    );

    let fake = FakeApi::start(|_, _| Reply::json(401, &json!({"errors": ["Unauthorized"]})));
    let snapshot = pull(&fake);
    assert!(
        snapshot.problems[0].contains("authentication failed"),
        "{:?}",
        snapshot.problems
    );
}
