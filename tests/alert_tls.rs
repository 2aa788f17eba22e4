//! Implicit TLS for email ("tls", the port-465 style) and HTTPS for webhooks, against loopback
//! servers that this test starts behind a TLS front with a freshly generated certificate.

mod http_peer;
mod smtp_peer;
mod tls_peer;

use billgap::alert::email::{self, EmailMessage, SmtpSecurity, SmtpSettings};
use billgap::alert::webhook::{self, WebhookKind, WebhookSettings};
use billgap::alert::{DeliveryError, RecordedPauses, RetryPolicy};
use billgap::domain::alerting::{AlertGroup, AlertReason, AlertedGap, Measure};
use billgap::domain::lines::{SourceKey, Term};
use billgap::domain::money::{Currency, Money};
use billgap::domain::reconcile::GapKind;
use chrono::NaiveDate;
use http_peer::HttpPeer;
use rust_decimal_macros::dec;
use smtp_peer::SmtpPeer;
use std::time::Duration;
use tls_peer::TlsFront;

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 1,
        first_wait: Duration::from_millis(1),
        longest_wait: Duration::from_millis(1),
    }
}

fn mail() -> EmailMessage {
    EmailMessage {
        to: vec!["ana@msp.example".to_owned()],
        subject: "[billgap] Contoso: 1 gap(s), 120.00 USD/month unbilled".to_owned(),
        text: "Coverage first.".to_owned(),
        html: "<p>Coverage first.</p>".to_owned(),
        message_id: "<a1b2.billgap@msp.example>".to_owned(),
        in_reply_to: None,
    }
}

fn smtps(front: &TlsFront, trusted: bool) -> SmtpSettings {
    SmtpSettings {
        host: "localhost".to_owned(),
        port: front.port(),
        security: SmtpSecurity::Tls,
        from: "billgap@msp.example".to_owned(),
        username: None,
        extra_root_certificate_pem: trusted.then(|| front.certificate_pem().as_bytes().to_vec()),
    }
}

#[test]
fn implicit_tls_delivers_to_a_server_whose_certificate_is_trusted() {
    let peer = SmtpPeer::start(false);
    let front = TlsFront::start(peer.port());
    let (_, result) = email::send(
        &smtps(&front, true),
        None,
        &mail(),
        quick(),
        &mut RecordedPauses::default(),
    );
    assert_eq!(result, Ok(()));
    let received = peer.messages();
    assert_eq!(received.len(), 1);
    assert!(
        received[0]
            .data
            .contains("Message-ID: <a1b2.billgap@msp.example>")
    );
}

#[test]
fn implicit_tls_refuses_a_certificate_it_does_not_trust() {
    let peer = SmtpPeer::start(false);
    let front = TlsFront::start(peer.port());
    let (_, result) = email::send(
        &smtps(&front, false),
        None,
        &mail(),
        quick(),
        &mut RecordedPauses::default(),
    );
    assert!(
        result.is_err(),
        "a self-signed certificate is not trusted by default"
    );
    assert!(peer.messages().is_empty(), "nothing went out unprotected");
}

#[test]
fn implicit_tls_is_not_plain_smtp() {
    // The client speaks TLS first: to a plain server that fails instead of falling back.
    let peer = SmtpPeer::start(false);
    let settings = SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port: peer.port(),
        ..smtps(&TlsFront::start(peer.port()), true)
    };
    let (_, result) = email::send(
        &settings,
        None,
        &mail(),
        quick(),
        &mut RecordedPauses::default(),
    );
    assert!(result.is_err());
    assert!(peer.messages().is_empty());
}

fn group() -> AlertGroup {
    let usd = |amount| Money::new(amount, Currency::parse("USD").expect("USD"));
    AlertGroup {
        company: SourceKey::new("connectwise", "CW-CONTOSO"),
        company_name: "Contoso".to_owned(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        measure: Measure::Cost,
        coverage: "Coverage: 95%".to_owned(),
        unbilled: vec![usd(dec!(120))],
        overbilled: Vec::new(),
        gaps: vec![AlertedGap {
            key: "connectwise:CW-CONTOSO|connectwise:M365-BP|unspecified|unbilled|USD".to_owned(),
            product: SourceKey::new("connectwise", "M365-BP"),
            product_name: "M365 Business Premium".to_owned(),
            term: Term::Unspecified,
            kind: GapKind::Unbilled,
            vendor_seats: dec!(12),
            psa_seats: dec!(8),
            delta: dec!(4),
            value: Some(usd(dec!(120))),
            age_days: 0,
            cost_to_date: None,
            reason: AlertReason::New,
        }],
    }
}

fn https_hook(front: &TlsFront, trusted: bool) -> WebhookSettings {
    WebhookSettings {
        kind: WebhookKind::Generic,
        url: format!("https://127.0.0.1:{}/alerts", front.port()),
        name: Some("ops".to_owned()),
        send_resolved: None,
        root_certificate_pem: trusted.then(|| front.certificate_pem().as_bytes().to_vec()),
    }
}

/// The port of a loopback peer's URL.
fn port_of(url: &str) -> u16 {
    url.trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("a loopback URL with a port")
}

#[test]
fn an_https_webhook_posts_through_tls_to_a_trusted_receiver() {
    let peer = HttpPeer::always_ok();
    let front = TlsFront::start(port_of(&peer.url("/")));
    let (attempts, result) = webhook::send(
        &https_hook(&front, true),
        None,
        &group(),
        "key-1",
        quick(),
        &mut RecordedPauses::default(),
    );
    assert_eq!(result, Ok(()));
    assert_eq!(attempts, 1);
    let requests = peer.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/alerts");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    assert_eq!(body["commonAnnotations"]["measure"], "cost");
}

#[test]
fn an_https_webhook_refuses_an_untrusted_certificate() {
    let peer = HttpPeer::always_ok();
    let front = TlsFront::start(port_of(&peer.url("/")));
    let (_, result) = webhook::send(
        &https_hook(&front, false),
        None,
        &group(),
        "key-1",
        quick(),
        &mut RecordedPauses::default(),
    );
    let error: DeliveryError = result.expect_err("an untrusted certificate fails the handshake");
    assert!(!error.to_string().is_empty());
    assert!(peer.requests().is_empty(), "nothing reached the receiver");
}
