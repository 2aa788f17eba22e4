//! Webhook delivery against a real HTTP server on 127.0.0.1: the payload each receiver gets,
//! the headers (idempotency key, HMAC signature), how status codes drive the retries, and that
//! no error ever shows the URL's token or the signing secret.

mod http_peer;

use billgap::alert::webhook::{self, WebhookKind, WebhookSettings};
use billgap::alert::{DeliveryError, RecordedPauses, RetryPolicy};
use billgap::domain::alerting::{AlertGroup, AlertReason, AlertedGap};
use billgap::domain::lines::{SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::domain::reconcile::GapKind;
use chrono::NaiveDate;
use hmac::{KeyInit, Mac};
use http_peer::{HttpPeer, refused_url};
use rust_decimal_macros::dec;
use std::time::Duration;

const KEY: &str = "9f2c1e0b7a6d5c4b";
const SECRET: &str = "TopSecret-HMAC-key-42";
const TOKEN: &str = "XoXbToKeN1234567890";

fn usd(amount: rust_decimal::Decimal) -> Money {
    Money::new(amount, Currency::parse("USD").expect("USD"))
}

/// Contoso: 4 Business Premium seats unbilled (new), and 5 Business Basic seats billed without
/// cost (worse).
fn contoso() -> AlertGroup {
    AlertGroup {
        company: SourceKey::new("connectwise", "19"),
        company_name: "Contoso Ltd".to_string(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        measure: billgap::domain::alerting::Measure::Revenue,
        coverage: "Coverage: 41 of 43 vendor customers mapped; Tailspin Toys is not.".to_string(),
        unbilled: vec![usd(dec!(88.00))],
        overbilled: vec![usd(dec!(30.00))],
        gaps: vec![
            AlertedGap {
                key: "connectwise:19|microsoft:CFQ7TTC0LCHC:0002|annual|unbilled|USD".to_string(),
                product: SourceKey::new("connectwise", "M365-BP"),
                product_name: "Microsoft 365 Business Premium".to_string(),
                term: Term::Annual,
                kind: GapKind::Unbilled,
                vendor_seats: dec!(12),
                psa_seats: dec!(8),
                delta: dec!(4),
                value: Some(usd(dec!(88.00))),
                age_days: 14,
                cost_to_date: Some(usd(dec!(41.07))),
                reason: AlertReason::New,
            },
            AlertedGap {
                key: "connectwise:19|microsoft:CFQ7TTC0LH18:0001|monthly|overbilled|USD"
                    .to_string(),
                product: SourceKey::new("connectwise", "M365-BB"),
                product_name: "Microsoft 365 Business Basic".to_string(),
                term: Term::Monthly,
                kind: GapKind::Overbilled,
                vendor_seats: dec!(20),
                psa_seats: dec!(25),
                delta: dec!(-5),
                value: Some(usd(dec!(-30.00))),
                age_days: 40,
                cost_to_date: Some(usd(dec!(-39.45))),
                reason: AlertReason::Worse,
            },
        ],
    }
}

fn settings(kind: WebhookKind, url: String) -> WebhookSettings {
    WebhookSettings {
        kind,
        url,
        name: None,
        send_resolved: None,
        root_certificate_pem: None,
    }
}

fn deliver(
    kind: WebhookKind,
    url: String,
    secret: Option<&str>,
) -> (u32, Result<(), DeliveryError>, RecordedPauses) {
    let mut pauses = RecordedPauses::default();
    let (attempts, result) = webhook::send(
        &settings(kind, url),
        secret,
        &contoso(),
        KEY,
        RetryPolicy::default(),
        &mut pauses,
    );
    (attempts, result, pauses)
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("a key");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[test]
fn teams_gets_an_adaptive_card_on_both_workflows_url_shapes() {
    for path in [
        "/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf123",
        "/powerautomate/automations/direct/workflows/0a1b2c3d/triggers/manual/paths/invoke?api-version=1&sig=AbCdEf123",
    ] {
        // Workflows answer 202 Accepted: that is a delivery.
        let peer = HttpPeer::start(vec![(202, vec![], "")]);
        let (attempts, result, _) = deliver(WebhookKind::Teams, peer.url(path), None);
        assert_eq!(result, Ok(()));
        assert_eq!(attempts, 1);
        let requests = peer.requests();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, path, "the URL is posted to as configured");
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("Idempotency-Key"), Some(KEY));
        assert_eq!(
            request.header("X-Billgap-Signature"),
            None,
            "no secret, no signature"
        );
        let card = request.json();
        assert_eq!(card["type"], "message");
        let attachment = &card["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(attachment["content"]["type"], "AdaptiveCard");
        assert_eq!(attachment["content"]["version"], "1.4");
        let blocks = attachment["content"]["body"]
            .as_array()
            .expect("a card body");
        assert_eq!(blocks[0]["text"], "billgap: Contoso Ltd");
        assert_eq!(
            blocks[1]["text"], "Coverage: 41 of 43 vendor customers mapped; Tailspin Toys is not.",
            "coverage comes first"
        );
        assert_eq!(
            blocks[3]["items"][0]["text"],
            "Microsoft 365 Business Premium"
        );
        assert_eq!(blocks[3]["items"][1]["type"], "FactSet");
    }
}

#[test]
fn slack_gets_text_and_blocks() {
    let peer = HttpPeer::start(vec![(200, vec![("Content-Type", "text/plain")], "ok")]);
    let (attempts, result, _) = deliver(
        WebhookKind::Slack,
        peer.url("/services/T0001/B0001/abc"),
        None,
    );
    assert_eq!((attempts, result), (1, Ok(())));
    let request = &peer.requests()[0];
    assert_eq!(request.header("Idempotency-Key"), Some(KEY));
    let message = request.json();
    let text = message["text"].as_str().expect("a text fallback");
    assert!(
        text.starts_with("billgap: Contoso Ltd: 2 gaps (1 new, 1 worse)"),
        "{text}"
    );
    assert!(text.contains("88.00 USD unbilled per month"), "{text}");
    let blocks = message["blocks"].as_array().expect("blocks");
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
    assert!(
        blocks[1]["text"]["text"]
            .as_str()
            .expect("coverage")
            .starts_with("Coverage:")
    );
    assert_eq!(
        blocks[4]["text"]["text"],
        "*Microsoft 365 Business Premium*"
    );
}

#[test]
fn generic_gets_the_alertmanager_shape_with_exact_amounts() {
    let peer = HttpPeer::always_ok();
    let (attempts, result, _) = deliver(WebhookKind::Generic, peer.url("/billgap"), None);
    assert_eq!((attempts, result), (1, Ok(())));
    let request = &peer.requests()[0];
    assert_eq!(request.header("Idempotency-Key"), Some(KEY));
    let document = request.json();
    assert_eq!(document["version"], "4");
    assert_eq!(document["status"], "firing");
    assert_eq!(document["receiver"], "billgap");
    assert_eq!(document["idempotencyKey"], KEY);
    assert_eq!(document["groupLabels"]["client"], "Contoso Ltd");
    assert_eq!(document["commonLabels"]["client"], "Contoso Ltd");
    assert_eq!(document["commonLabels"]["source"], "billgap");
    let alerts = document["alerts"].as_array().expect("alerts");
    assert_eq!(alerts.len(), 2);
    let overbilled = &alerts[1];
    assert_eq!(overbilled["status"], "firing");
    assert_eq!(overbilled["labels"]["kind"], "overbilled");
    assert_eq!(overbilled["labels"]["term"], "monthly");
    assert_eq!(overbilled["labels"]["currency"], "USD");
    assert_eq!(overbilled["labels"]["source"], "billgap");
    assert_eq!(overbilled["annotations"]["amount_monthly"], "-30.00");
    assert_eq!(overbilled["annotations"]["cost_to_date"], "-39.45");
    assert_eq!(overbilled["annotations"]["age_days"], "40");
    assert_eq!(overbilled["startsAt"], "2026-09-23T00:00:00Z");
    // The raw text proves no amount was written as a JSON number.
    assert!(request.text().contains(r#""amount_monthly":"88.00""#));
}

#[test]
fn the_signature_is_the_hmac_of_the_exact_body_received() {
    for kind in [WebhookKind::Teams, WebhookKind::Slack, WebhookKind::Generic] {
        let peer = HttpPeer::always_ok();
        let (_, result, _) = deliver(kind, peer.url("/hook"), Some(SECRET));
        assert_eq!(result, Ok(()));
        let request = &peer.requests()[0];
        let expected = format!("sha256={}", hmac_hex(SECRET, &request.body));
        assert_eq!(
            request.header("X-Billgap-Signature"),
            Some(expected.as_str())
        );
        assert_ne!(
            Some(format!("sha256={}", hmac_hex("another secret", &request.body)).as_str()),
            request.header("X-Billgap-Signature"),
            "the signature depends on the secret"
        );
        assert_eq!(
            request.body,
            serde_json::to_vec(&webhook::body(kind, &contoso(), KEY)).expect("json"),
            "what was signed and sent is the rendered body"
        );
    }
}

#[test]
fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let peer = HttpPeer::start(vec![
        (429, vec![("Retry-After", "7")], "rate_limited"),
        (200, vec![], "ok"),
    ]);
    let (attempts, result, pauses) = deliver(WebhookKind::Slack, peer.url("/hook"), None);
    assert_eq!(result, Ok(()));
    assert_eq!(attempts, 2);
    assert_eq!(pauses.0, [Duration::from_secs(7)]);
    let requests = peer.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "a retry sends the same bytes"
    );
    assert_eq!(requests[1].header("Idempotency-Key"), Some(KEY));
}

#[test]
fn two_server_errors_are_retried_with_the_growing_wait() {
    let peer = HttpPeer::start(vec![
        (500, vec![], "boom"),
        (502, vec![], "bad gateway"),
        (200, vec![], ""),
    ]);
    let (attempts, result, pauses) = deliver(WebhookKind::Generic, peer.url("/hook"), None);
    assert_eq!(result, Ok(()));
    assert_eq!(attempts, 3);
    assert_eq!(pauses.0, [Duration::from_secs(2), Duration::from_secs(4)]);
    assert_eq!(peer.requests().len(), 3);
}

#[test]
fn a_retry_after_date_falls_back_to_the_policy_wait() {
    let peer = HttpPeer::start(vec![(
        503,
        vec![("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")],
        "",
    )]);
    let (attempts, result, pauses) = deliver(WebhookKind::Generic, peer.url("/hook"), None);
    assert_eq!((attempts, result), (2, Ok(())));
    assert_eq!(pauses.0, [Duration::from_secs(2)]);
}

#[test]
fn a_404_is_permanent_and_tried_once() {
    let peer = HttpPeer::start(vec![(404, vec![], "no_service")]);
    let (attempts, result, pauses) = deliver(WebhookKind::Slack, peer.url("/hook"), None);
    assert_eq!(attempts, 1);
    assert_eq!(
        result,
        Err(DeliveryError::Refused {
            receiver: "127.0.0.1".to_string(),
            reason: "404 Not Found: no_service".to_string(),
            transient: false,
            retry_after: None,
        })
    );
    assert!(pauses.0.is_empty());
    assert_eq!(peer.requests().len(), 1);
}

#[test]
fn a_redirect_is_not_followed() {
    let peer = HttpPeer::start(vec![(302, vec![("Location", "/elsewhere")], "")]);
    let (attempts, result, _) = deliver(WebhookKind::Generic, peer.url("/hook"), None);
    assert_eq!(attempts, 1);
    let Err(DeliveryError::Refused {
        transient, reason, ..
    }) = result
    else {
        panic!("a redirect is a refusal, got {result:?}");
    };
    assert!(!transient);
    assert!(reason.starts_with("302 Found"), "{reason}");
    assert_eq!(peer.requests().len(), 1, "the Location was not requested");
}

#[test]
fn a_refused_connection_is_unreachable_and_transient() {
    let (attempts, result, pauses) = deliver(WebhookKind::Teams, refused_url("/hook"), None);
    let Err(DeliveryError::Unreachable { receiver, reason }) = &result else {
        panic!("expected Unreachable, got {result:?}");
    };
    assert_eq!(receiver, "127.0.0.1");
    assert!(reason.contains("refused"), "{reason}");
    assert_eq!(
        attempts,
        RetryPolicy::default().attempts,
        "unreachable is retried"
    );
    assert_eq!(pauses.0.len(), 2);
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_any_request() {
    let peer = HttpPeer::always_ok();
    // On Linux, 0.0.0.0 connects to this machine: were the URL accepted, the peer would see it.
    let through_any = format!("http://0.0.0.0:{}/hook", peer.address().port());
    for url in [
        through_any,
        "http://hooks.slack.test/services/T0001/B0001/abc".to_string(),
    ] {
        let (attempts, result, pauses) = deliver(WebhookKind::Slack, url.clone(), None);
        assert_eq!(attempts, 0, "{url}");
        assert!(
            matches!(result, Err(DeliveryError::Misconfigured(_))),
            "{url}: {result:?}"
        );
        assert!(pauses.0.is_empty());
    }
    assert!(peer.requests().is_empty());
}

#[test]
fn no_error_shows_the_url_token_or_the_secret() {
    let path = format!("/services/T0001/B0001/{TOKEN}");
    let echo = format!("invalid_token for {path} signed with {SECRET}");
    let refused = HttpPeer::start(vec![(403, vec![], echo.as_str())]);
    let failing = HttpPeer::start(vec![
        (500, vec![], echo.as_str()),
        (500, vec![], echo.as_str()),
        (500, vec![], echo.as_str()),
    ]);
    let cases = [
        (
            refused.url(&path),
            "a refusal that echoes the URL and secret",
        ),
        (failing.url(&path), "server errors that echo them"),
        (refused_url(&path), "a refused connection"),
        (
            format!("http://hooks.slack.test{path}"),
            "a URL that is not https",
        ),
        (format!("https://hooks slack.test{path}"), "an invalid URL"),
    ];
    for (url, case) in cases {
        let (_, result, _) = deliver(WebhookKind::Slack, url, Some(SECRET));
        let error = result.expect_err(case);
        for shown in [format!("{error}"), format!("{error:?}")] {
            assert!(!shown.contains(TOKEN), "{case}: {shown}");
            assert!(!shown.contains(SECRET), "{case}: {shown}");
            assert!(!shown.contains("/services/"), "{case}: {shown}");
        }
    }
}

#[test]
fn teams_and_slack_payloads_read_as_intended() {
    for (name, kind) in [("teams", WebhookKind::Teams), ("slack", WebhookKind::Slack)] {
        let payload = webhook::body(kind, &contoso(), KEY);
        insta::assert_snapshot!(
            format!("{name}_payload"),
            serde_json::to_string_pretty(&payload).expect("json")
        );
    }
}
