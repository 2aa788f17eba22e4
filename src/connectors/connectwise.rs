//! ConnectWise Manage (PSA): active agreements, and the additions of each.
//!
//! Auth is an API member's keys: `Authorization: Basic base64("{company}+{public}:{private}")`
//! plus the `clientId` header from developer.connectwise.com on every call. Paging is
//! forward-only (`pagination-type: forward-only`, `pageSize` ≤ 1000): the next page is only in
//! the `Link` header (`rel="next"`), which is followed until it is gone, and only to the
//! configured host. The agreements read are checked against `/finance/agreements/count`.
//!
//! Additions carry no company: they are joined with the agreements by the importer's own join
//! (`billgap import additions.json --with agreements.json` reads the same answers saved to
//! files the same way), and read by the `connectwise-additions` import rule (billed seats =
//! quantity − lessIncluded on billable, uncancelled additions of active agreements), so keys
//! match an export's.

use super::http::{Call, HttpClient, Timing};
use super::records::{lines_joined, text_of};
use super::snapshot::{PullError, RawPage, Snapshot, request_label};
use super::{ApiSettings, ConnectorState, Credentials, Source};
use crate::domain::lines::Period;
use crate::domain::money::Currency;
use base64::Engine;
use serde_json::Value;

/// What to do when the site is not configured.
const NO_BASE_URL: &str = "connectwise: set base_url in [connectwise], such as \
     https://api-na.myconnectwise.net/v4_6_release/apis/3.0";

/// ConnectWise's hard maximum page size.
const MAX_PAGE_SIZE: u32 = 1000;

/// Guards against a `Link` chain that never ends.
const MAX_PAGES: u32 = 10_000;

/// The condition that keeps only active agreements, URL-encoded.
const ACTIVE: &str = "agreementStatus%3D%22Active%22";

/// Pulls the agreement additions into a snapshot.
pub fn pull(
    settings: &ApiSettings,
    credentials: &Credentials,
    period: Period,
    _state: &mut ConnectorState,
    timing: &mut dyn Timing,
) -> Snapshot {
    let secrets = super::secrets_of(credentials, &["private_key", "public_key"]);
    super::pull_frame(
        Source::ConnectWise,
        settings,
        super::BaseUrl::Required(NO_BASE_URL),
        &secrets,
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
    let company = settings.company.as_deref().ok_or_else(|| {
        PullError::Setup(
            "connectwise: set company in [connectwise] (the company id typed at login)".into(),
        )
    })?;
    let public = super::credential(credentials, Source::ConnectWise, "public_key")?;
    let private = super::credential(credentials, Source::ConnectWise, "private_key")?;
    let client_id = super::credential(credentials, Source::ConnectWise, "client_id")?;
    let currency = settings
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|_| {
            PullError::Setup("connectwise: [connectwise] currency is not an ISO code".into())
        })?;
    let authorization = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{company}+{public}:{private}"))
    );
    let mut api = ConnectWise {
        http,
        base: base.trim_end_matches('/').to_string(),
        authorization,
        client_id: client_id.to_string(),
        page_size: settings
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE),
    };
    let agreements = api.all(&format!("/finance/agreements?conditions={ACTIVE}"), raw)?;
    let counted = api.get(
        &format!("{}/finance/agreements/count?conditions={ACTIVE}", api.base),
        raw,
    )?;
    if let Some(count) = counted.get("count").and_then(Value::as_u64)
        && count != agreements.len() as u64
    {
        return Err(PullError::Paging {
            api: "connectwise".into(),
            reason: format!(
                "read {} active agreements but /finance/agreements/count reports {count}; the snapshot is incomplete",
                agreements.len()
            ),
        });
    }
    let mut additions = Vec::new();
    for agreement in &agreements {
        let Some(id) = text_of(agreement, "id") else {
            continue;
        };
        additions.extend(api.all(&format!("/finance/agreements/{id}/additions?"), raw)?);
    }
    *records = additions.len();
    lines_joined(
        "connectwise",
        Source::ConnectWise.format(),
        &additions,
        &[("agreements", &agreements)],
        period,
        currency,
    )
    .map_err(|reason| PullError::Malformed {
        api: "connectwise".into(),
        request: "GET /finance/agreements/{id}/additions".into(),
        reason,
    })
}

struct ConnectWise<'h, 't> {
    http: &'h mut HttpClient<'t>,
    base: String,
    authorization: String,
    client_id: String,
    page_size: u32,
}

impl ConnectWise<'_, '_> {
    fn call(&self, url: &str) -> Call {
        Call::get(url)
            .header("Authorization", &self.authorization)
            .header("clientId", &self.client_id)
            .header("Accept", "application/vnd.connectwise.com+json")
            .header("pagination-type", "forward-only")
    }

    /// One GET; returns the parsed body and the next page's URL from the `Link` header.
    fn page(
        &mut self,
        url: &str,
        raw: &mut Vec<RawPage>,
    ) -> Result<(Value, Option<String>), PullError> {
        let answer = self.http.send(&self.call(url))?;
        let request = request_label("GET", url);
        let body = super::snapshot::json_answer(
            "connectwise",
            request,
            &answer,
            raw,
            "check the API member's keys, its security role and the clientId",
        )?;
        Ok((body, answer.header("link").and_then(next_link)))
    }

    fn get(&mut self, url: &str, raw: &mut Vec<RawPage>) -> Result<Value, PullError> {
        self.page(url, raw).map(|(body, _)| body)
    }

    /// Every record of a list, following `Link: <…>; rel="next"` on the configured host only.
    fn all(
        &mut self,
        path_and_query: &str,
        raw: &mut Vec<RawPage>,
    ) -> Result<Vec<Value>, PullError> {
        let separator = if path_and_query.ends_with('?') {
            ""
        } else {
            "&"
        };
        let mut url = format!(
            "{}{path_and_query}{separator}pageSize={}",
            self.base, self.page_size
        );
        let mut collected = Vec::new();
        for _ in 0..MAX_PAGES {
            let (body, next) = self.page(&url, raw)?;
            let Value::Array(items) = body else {
                return Err(PullError::Malformed {
                    api: "connectwise".into(),
                    request: request_label("GET", &url),
                    reason: "expected a JSON array of records".into(),
                });
            };
            collected.extend(items);
            match next {
                Some(next) => {
                    self.http.check_same_host(&next)?;
                    url = next;
                }
                None => return Ok(collected),
            }
        }
        Err(PullError::Paging {
            api: "connectwise".into(),
            reason: "more than 10,000 pages; the snapshot is incomplete".into(),
        })
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, parameters) = part.split_once(';')?;
        let is_next = parameters.split(';').any(|parameter| {
            let parameter = parameter.trim().replace(' ', "");
            parameter.eq_ignore_ascii_case("rel=\"next\"")
                || parameter.eq_ignore_ascii_case("rel=next")
        });
        let target = target.trim();
        (is_next && target.starts_with('<') && target.ends_with('>')).then(|| {
            target
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_read_among_the_others() {
        let header = "<https://cw.example/v4_6_release/apis/3.0/finance/agreements?pageSize=2&pageId=7>; rel=\"next\", <https://cw.example/v4_6_release/apis/3.0/finance/agreements?pageSize=2>; rel=\"first\"";
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://cw.example/v4_6_release/apis/3.0/finance/agreements?pageSize=2&pageId=7")
        );
        assert_eq!(next_link("<https://cw.example/x>; rel=\"first\""), None);
    }
}
