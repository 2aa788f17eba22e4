//! Autotask PSA: the contract service units of the month, joined through the contract to its
//! company and to the service's name.
//!
//! Auth is three headers on every call: `ApiIntegrationCode`, `UserName` and `Secret`. The
//! base URL is the zone's REST URL with its version (`https://webservicesN.autotask.net/
//! atservicesrest/v1.0`; `zoneInformation?user=` names the zone). Queries are POSTed to
//! `/{Entity}/query` with a JSON filter, at most 500 records a page; the next page is
//! `pageDetails.nextPageUrl`, which must be POSTed the same body (a GET answers 405, and a
//! client that GETs it silently loses every page after the first). It is followed only on the
//! configured host, so the secret headers never leave it.
//!
//! The database-wide limit (10,000 calls an hour, shared by every integration) is read first
//! from `/ThresholdInformation`; above half of it, the pull stops as incomplete rather than
//! slow every other integration down. The units are joined with their contracts, companies and
//! services by the importer's own join (as `billgap import units.json --with contracts.json`
//! joins the same answers saved to files), and read by the `autotask-service-units` import
//! rule: the row that covers the last day of the month is a contract service's seats.

use super::http::{Call, HttpClient, Timing};
use super::records::{field, lines_joined, text_any_case as text_of};
use super::snapshot::{PullError, RawPage, Snapshot, request_label};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::Period;
use crate::domain::money::Currency;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// What to do when the zone is not configured.
const NO_BASE_URL: &str = "autotask: set base_url in [autotask] to your zone's REST URL, \
     such as https://webservices5.autotask.net/atservicesrest/v1.0";

/// The most values one `in` filter may hold.
const IN_LIMIT: usize = 500;

/// Guards against a `nextPageUrl` chain that never ends.
const MAX_PAGES: u32 = 10_000;

/// Pulls the service units into a snapshot.
pub fn pull(
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    _state: &mut ConnectorState,
    timing: &mut dyn Timing,
) -> Snapshot {
    let secret = credentials.get("secret").cloned().unwrap_or_default();
    super::pull_frame(
        Source::Autotask,
        settings,
        super::BaseUrl::Required(NO_BASE_URL),
        &[secret.as_str()],
        timing,
        |http, base, raw, records, _seen| {
            read(http, base, settings, credentials, period, raw, records)
        },
    )
}

fn read(
    http: &mut HttpClient<'_>,
    base: &str,
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    raw: &mut Vec<RawPage>,
    records: &mut usize,
) -> Result<super::records::Read, PullError> {
    let currency = settings
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|_| PullError::Setup("autotask: [autotask] currency is not an ISO code".into()))?;
    let mut api = Autotask {
        http,
        base: base.trim_end_matches('/').to_string(),
        headers: [
            (
                "ApiIntegrationCode",
                super::credential(credentials, Source::Autotask, "integration_code")?,
            ),
            (
                "UserName",
                super::credential(credentials, Source::Autotask, "username")?,
            ),
            (
                "Secret",
                super::credential(credentials, Source::Autotask, "secret")?,
            ),
        ]
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect(),
    };
    api.check_threshold(raw)?;
    let first = period.first_day();
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(first);
    let units = api.query(
        "ContractServiceUnits",
        &json!({"filter": [
            {"op": "lte", "field": "startDate", "value": last.to_string()},
            {"op": "gte", "field": "endDate", "value": first.to_string()}
        ]}),
        raw,
    )?;
    let contracts = api.by_id("Contracts", &ids(&units, "contractID"), &[], raw)?;
    let company_ids = ids(&contracts, "companyID");
    let companies = api.by_id("Companies", &company_ids, &["id", "companyName"], raw)?;
    let services = api.by_id("Services", &ids(&units, "serviceID"), &["id", "name"], raw)?;
    *records = units.len();
    lines_joined(
        "autotask",
        Source::Autotask.format(),
        &units,
        &[
            ("contracts", &contracts),
            ("companies", &companies),
            ("services", &services),
        ],
        period,
        currency,
    )
    .map_err(|reason| PullError::Malformed {
        api: "autotask".into(),
        request: "POST /ContractServiceUnits/query".into(),
        reason,
    })
}

/// The distinct values of an id field.
fn ids(records: &[Value], field: &str) -> BTreeSet<String> {
    records
        .iter()
        .filter_map(|record| text_of(record, field))
        .collect()
}

struct Autotask<'h, 't> {
    http: &'h mut HttpClient<'t>,
    base: String,
    headers: Vec<(String, String)>,
}

impl Autotask<'_, '_> {
    fn send(&mut self, call: Call, raw: &mut Vec<RawPage>) -> Result<Value, PullError> {
        let method = if call.body.is_some() { "POST" } else { "GET" };
        let request = request_label(method, &call.url);
        let mut call = call
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        for (name, value) in &self.headers {
            call = call.header(name, value);
        }
        let answer = self.http.send(&call)?;
        super::snapshot::json_answer(
            "autotask",
            request,
            &answer,
            raw,
            "check the API user's integration code, user name and secret, and its security level",
        )
    }

    /// Stops the pull when the database's hourly limit is more than half used.
    fn check_threshold(&mut self, raw: &mut Vec<RawPage>) -> Result<(), PullError> {
        let body = self.send(
            Call::get(format!("{}/ThresholdInformation", self.base)),
            raw,
        )?;
        let number = |name: &str| field(&body, name).and_then(Value::as_u64);
        if let (Some(limit), Some(used)) = (
            number("externalRequestThreshold"),
            number("currentTimeframeRequestCount"),
        ) && limit > 0
            && used.saturating_mul(2) > limit
        {
            return Err(PullError::Paging {
                api: "autotask".into(),
                reason: format!(
                    "{used} of the database's {limit} API calls this hour are used; billgap waits for the next poll rather than slow every integration down"
                ),
            });
        }
        Ok(())
    }

    /// Every record of a query, POSTing the same body to each `nextPageUrl`.
    fn query(
        &mut self,
        entity: &str,
        body: &Value,
        raw: &mut Vec<RawPage>,
    ) -> Result<Vec<Value>, PullError> {
        let bytes = body.to_string().into_bytes();
        let mut url = format!("{}/{entity}/query", self.base);
        let mut collected = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.send(Call::post(url.as_str(), bytes.clone()), raw)?;
            match field(&page, "items") {
                Some(Value::Array(items)) => collected.extend(items.iter().cloned()),
                _ => {
                    return Err(PullError::Malformed {
                        api: "autotask".into(),
                        request: request_label("POST", &url),
                        reason: "no `items` list".into(),
                    });
                }
            }
            match field(&page, "pageDetails")
                .and_then(|details| field(details, "nextPageUrl"))
                .and_then(Value::as_str)
                .filter(|next| !next.is_empty())
            {
                Some(next) => {
                    self.http.check_same_host(next)?;
                    url = next.to_string();
                }
                None => return Ok(collected),
            }
        }
        Err(PullError::Paging {
            api: "autotask".into(),
            reason: "more than 10,000 pages; the snapshot is incomplete".into(),
        })
    }

    /// The records of an entity with these ids, 500 to a query; every id must come back.
    fn by_id(
        &mut self,
        entity: &str,
        wanted: &BTreeSet<String>,
        fields: &[&str],
        raw: &mut Vec<RawPage>,
    ) -> Result<Vec<Value>, PullError> {
        let wanted: Vec<Value> = wanted
            .iter()
            .map(|id| {
                id.parse::<i64>()
                    .map_or_else(|_| Value::String(id.clone()), Value::from)
            })
            .collect();
        let mut found = Vec::new();
        for chunk in wanted.chunks(IN_LIMIT) {
            let mut body = json!({"filter": [{"op": "in", "field": "id", "value": chunk}]});
            if !fields.is_empty() {
                body["IncludeFields"] = json!(fields);
            }
            found.extend(self.query(entity, &body, raw)?);
        }
        Ok(found)
    }
}
