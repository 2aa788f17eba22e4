//! Sherweb (vendor): the payable charges of the current billing period, from the Distributor
//! API.
//!
//! Auth is OAuth client credentials with a form body at
//! `https://api.sherweb.com/auth/oidc/connect/token` and the scope `distributor`; every API
//! call also carries the API-management subscription key in `Ocp-Apim-Subscription-Key`.
//! `GET {base}/billing/payable-charges?date=YYYY-MM-DD` answers
//! `{"periodFrom","periodTo","charges":[Charge]}` for the billing period that holds that day.
//! The spec documents no paging: one answer is the whole period, so there is no page to lose,
//! and an answer whose `charges` is not a list is refused. The charges are read by the
//! `sherweb-charges` import rule, so products are keyed by `sku` and customers by their
//! customer tag, exactly as for a charges export, and the slice is the currency.

use super::http::{Call, HttpClient, Timing};
use super::oauth::{Grant, TokenStyle};
use super::records::lines_of;
use super::snapshot::{PullError, RawPage, Snapshot, json_answer, request_label};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::Period;
use serde_json::Value;

/// The Distributor API.
pub const DEFAULT_BASE_URL: &str = "https://api.sherweb.com/distributor/v1";

/// Sherweb's token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://api.sherweb.com/auth/oidc/connect/token";

/// The scope of the Distributor API.
pub const DEFAULT_SCOPE: &str = "distributor";

/// What to check when Sherweb refuses a call.
const AUTH_HINT: &str = "check the client id and secret (scope distributor) and the subscription key from Sherweb's API portal";

/// Pulls the payable charges of the billing period into a snapshot.
pub fn pull(
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    timing: &mut dyn Timing,
) -> Snapshot {
    let secrets = super::secrets_of(credentials, &["client_secret", "subscription_key"]);
    super::pull_frame(
        Source::Sherweb,
        settings,
        super::BaseUrl::Default(DEFAULT_BASE_URL),
        &secrets,
        timing,
        |http, base, raw, records, _seen| {
            read(
                http,
                base,
                settings,
                credentials,
                period,
                state,
                raw,
                records,
            )
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn read(
    http: &mut HttpClient<'_>,
    base: &str,
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    state: &mut ConnectorState,
    raw: &mut Vec<RawPage>,
    records: &mut usize,
) -> Result<super::records::Read, PullError> {
    let base = base.trim_end_matches('/');
    let client_id = super::credential(credentials, Source::Sherweb, "client_id")?;
    let client_secret = super::credential(credentials, Source::Sherweb, "client_secret")?;
    let key = super::credential(credentials, Source::Sherweb, "subscription_key")?;
    let token_url = settings
        .token_url
        .clone()
        .unwrap_or_else(|| DEFAULT_TOKEN_URL.to_string());
    let mut grant = Grant::ClientCredentials {
        token_url: &token_url,
        client_id,
        client_secret,
        style: TokenStyle::Form {
            scope: Some(
                settings
                    .scope
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SCOPE.to_string()),
            ),
        },
    };
    let url = format!(
        "{base}/billing/payable-charges?date={}",
        day_within(period, chrono::Utc::now().date_naive())
    );
    let call = Call::get(url.as_str())
        .header("Accept", "application/json")
        .header("Ocp-Apim-Subscription-Key", key);
    let answer = state.tokens.send(http, "sherweb", &mut grant, &call)?;
    let request = request_label("GET", &url);
    let body = json_answer("sherweb", request.clone(), &answer, raw, AUTH_HINT)?;
    let charges = match body.get("charges") {
        Some(Value::Array(charges)) => charges.clone(),
        // The spec lets `charges` be null: a period without charges, which the frame refuses
        // to read as "no seats".
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(PullError::Malformed {
                api: "sherweb".into(),
                request,
                reason: "`charges` is not a list".into(),
            });
        }
    };
    *records = charges.len();
    lines_of("sherweb", Source::Sherweb.format(), &charges, period, None).map_err(|reason| {
        PullError::Malformed {
            api: "sherweb".into(),
            request,
            reason,
        }
    })
}

/// The day sent as `date`: today when the period pulled is the current one (the spec's own
/// default, so a billing period that does not start on the 1st is still the current one), else
/// the period's first day.
pub fn day_within(period: Period, today: chrono::NaiveDate) -> chrono::NaiveDate {
    if Period::containing(today) == period {
        today
    } else {
        period.first_day()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_is_today_in_the_current_period_else_its_first_day() {
        let period: Period = "2026-12".parse().expect("period");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 17).expect("day");
        assert_eq!(day_within(period, today), today);
        let later = chrono::NaiveDate::from_ymd_opt(2027, 1, 3).expect("day");
        assert_eq!(day_within(period, later), period.first_day());
    }
}
