//! Email delivery against a real SMTP server running in the test process (see `smtp_peer`):
//! what arrives (envelope and MIME), STARTTLS with a trusted test certificate and AUTH, how
//! failures are classified and retried, and that the password never shows.

mod smtp_peer;

use billgap::alert::email::{EmailMessage, SmtpSecurity, SmtpSettings, send};
use billgap::alert::{DeliveryError, RecordedPauses, RetryPolicy};
use smtp_peer::{PeerOptions, SmtpPeer};
use std::net::{IpAddr, TcpListener, UdpSocket};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Tr0ub4dor&3-s3cret";

fn plain(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port,
        security: SmtpSecurity::None,
        from: "billgap alerts <alerts@msp.example>".to_owned(),
        username: None,
        extra_root_certificate_pem: None,
    }
}

fn starttls(peer: &SmtpPeer) -> SmtpSettings {
    SmtpSettings {
        host: "localhost".to_owned(),
        security: SmtpSecurity::StartTls,
        extra_root_certificate_pem: Some(peer.certificate_pem().as_bytes().to_vec()),
        ..plain(peer.port())
    }
}

fn alert() -> EmailMessage {
    EmailMessage {
        to: vec![
            "Account Manager <am@msp.example>".to_owned(),
            "owner@msp.example".to_owned(),
        ],
        subject: "[billgap] Contoso: 2 new gaps, USD 480.00/mo unbilled".to_owned(),
        text: "Coverage: 41 of 42 vendor customers mapped.\r\nContoso: M365 Business Premium, \
               12 bought, 8 billed."
            .to_owned(),
        // Short lines, so that the HTML part goes out as 7bit and can be searched verbatim.
        html: "<p>Coverage: 41 of 42 vendor customers mapped.</p>\r\n\
               <table><tr><td>M365 Business Premium</td></tr></table>"
            .to_owned(),
        message_id: "<3f2a9c.billgap@msp.example>".to_owned(),
        in_reply_to: None,
    }
}

fn no_pauses() -> RecordedPauses {
    RecordedPauses::default()
}

/// Every error text and debug text, to search for the password.
fn shown(error: &DeliveryError) -> String {
    format!("{error} {error:?}")
}

#[test]
fn plain_smtp_on_loopback_delivers_both_parts_to_every_recipient() {
    let peer = SmtpPeer::start(false);
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &plain(peer.port()),
        None,
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    assert_eq!(result, Ok(()));
    assert_eq!(attempts, 1);
    assert!(pauses.0.is_empty());

    let mail = peer.messages();
    assert_eq!(mail.len(), 1, "one message for the whole recipient group");
    let mail = &mail[0];
    assert_eq!(mail.from, "alerts@msp.example");
    assert_eq!(mail.to, ["am@msp.example", "owner@msp.example"]);
    let data = &mail.data;
    for expected in [
        "Subject: [billgap] Contoso: 2 new gaps, USD 480.00/mo unbilled\r\n",
        "Message-ID: <3f2a9c.billgap@msp.example>\r\n",
        "From: \"billgap alerts\" <alerts@msp.example>\r\n",
        "Content-Type: multipart/alternative;",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
        "Contoso: M365 Business Premium, 12 bought, 8 billed.",
        "<table><tr><td>M365 Business Premium</td></tr></table>",
    ] {
        assert!(
            data.contains(expected),
            "{expected:?} missing from:\n{data}"
        );
    }
    let text_at = data.find("text/plain").expect("text part");
    let html_at = data.find("text/html").expect("html part");
    assert!(
        text_at < html_at,
        "the plain part comes first, so that clients prefer the HTML one"
    );
}

#[test]
fn a_line_break_in_the_subject_cannot_add_a_header_or_a_recipient() {
    let peer = SmtpPeer::start(false);
    let message = EmailMessage {
        subject: "Contoso\r\nBcc: thief@evil.example".to_owned(),
        ..alert()
    };
    let (_, result) = send(
        &plain(peer.port()),
        None,
        &message,
        RetryPolicy::default(),
        &mut no_pauses(),
    );
    assert_eq!(result, Ok(()));
    let mail = &peer.messages()[0];
    assert_eq!(mail.to, ["am@msp.example", "owner@msp.example"]);
    assert!(
        !mail.data.lines().any(|line| line.starts_with("Bcc:")),
        "{}",
        mail.data
    );
}

#[test]
fn starttls_delivers_when_the_test_certificate_is_trusted() {
    let peer = SmtpPeer::start(true);
    let (attempts, result) = send(
        &starttls(&peer),
        None,
        &alert(),
        RetryPolicy::default(),
        &mut no_pauses(),
    );
    assert_eq!(result, Ok(()));
    assert_eq!(attempts, 1);
    let mail = peer.messages();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0]
            .data
            .contains("Message-ID: <3f2a9c.billgap@msp.example>")
    );
}

#[test]
fn starttls_refuses_a_certificate_it_does_not_trust() {
    let peer = SmtpPeer::start(true);
    let settings = SmtpSettings {
        extra_root_certificate_pem: None,
        ..starttls(&peer)
    };
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &settings,
        None,
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    assert!(
        matches!(&result, Err(DeliveryError::Unreachable { reason, .. }) if reason.contains("certificate")),
        "{result:?}"
    );
    assert_eq!(attempts, 3);
    assert!(peer.messages().is_empty());
}

#[test]
fn starttls_is_required_not_opportunistic() {
    // A server (or a man in the middle) that does not offer STARTTLS gets nothing in clear.
    let peer = SmtpPeer::start(false);
    let settings = SmtpSettings {
        security: SmtpSecurity::StartTls,
        ..plain(peer.port())
    };
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &settings,
        None,
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    assert!(
        matches!(&result, Err(DeliveryError::Misconfigured(reason)) if reason.contains("STARTTLS")),
        "{result:?}"
    );
    assert_eq!(attempts, 1, "retrying cannot help");
    assert!(pauses.0.is_empty());
    assert!(peer.messages().is_empty());
}

#[test]
fn auth_over_starttls_logs_in_with_the_password() {
    let peer = SmtpPeer::start_with(PeerOptions {
        tls: true,
        login: Some(("alerts".to_owned(), PASSWORD.to_owned())),
        ..PeerOptions::default()
    });
    let settings = SmtpSettings {
        username: Some("alerts".to_owned()),
        ..starttls(&peer)
    };
    let (_, result) = send(
        &settings,
        Some(PASSWORD),
        &alert(),
        RetryPolicy::default(),
        &mut no_pauses(),
    );
    assert_eq!(result, Ok(()));
    assert_eq!(peer.logins(), ["alerts"]);
    assert_eq!(peer.messages().len(), 1);
}

#[test]
fn a_wrong_password_is_a_permanent_refusal_that_does_not_show_the_password() {
    let peer = SmtpPeer::start_with(PeerOptions {
        tls: true,
        login: Some(("alerts".to_owned(), "the-right-one".to_owned())),
        ..PeerOptions::default()
    });
    let settings = SmtpSettings {
        username: Some("alerts".to_owned()),
        ..starttls(&peer)
    };
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &settings,
        Some(PASSWORD),
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    let error = result.expect_err("wrong password");
    assert!(
        matches!(&error, DeliveryError::Refused { transient: false, reason, .. } if reason.contains("535")),
        "{error:?}"
    );
    assert_eq!(attempts, 1);
    assert!(pauses.0.is_empty());
    assert!(!shown(&error).contains(PASSWORD), "{}", shown(&error));
    assert!(peer.messages().is_empty());
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[test]
fn a_server_that_is_not_listening_is_unreachable_after_every_attempt() {
    let mut pauses = no_pauses();
    let policy = RetryPolicy::default();
    let (attempts, result) = send(&plain(closed_port()), None, &alert(), policy, &mut pauses);
    let error = result.expect_err("nothing listens");
    assert!(
        matches!(&error, DeliveryError::Unreachable { receiver, .. } if receiver == "127.0.0.1"),
        "{error:?}"
    );
    assert!(error.is_transient());
    assert_eq!(attempts, policy.attempts);
    assert_eq!(
        pauses.0,
        [Duration::from_secs(2), Duration::from_secs(4)],
        "the policy's growing waits, recorded instead of slept"
    );
}

#[test]
fn a_temporary_refusal_is_retried_and_then_delivered() {
    let peer = SmtpPeer::start_refusing(1);
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &plain(peer.port()),
        None,
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    assert_eq!(result, Ok(()));
    assert_eq!(attempts, 2);
    assert_eq!(pauses.0, [Duration::from_secs(2)]);
    assert_eq!(peer.refused(), 1);
    assert_eq!(peer.messages().len(), 1, "delivered once, not twice");
}

#[test]
fn temporary_refusals_past_the_policy_end_the_run_as_a_transient_failure() {
    let peer = SmtpPeer::start_refusing(10);
    let policy = RetryPolicy {
        attempts: 2,
        first_wait: Duration::from_secs(1),
        longest_wait: Duration::from_secs(60),
    };
    let mut pauses = no_pauses();
    let (attempts, result) = send(&plain(peer.port()), None, &alert(), policy, &mut pauses);
    assert!(
        matches!(&result, Err(DeliveryError::Refused { transient: true, reason, .. }) if reason.contains("451")),
        "{result:?}"
    );
    assert_eq!(attempts, 2);
    assert_eq!(pauses.0, [Duration::from_secs(1)]);
    assert_eq!(peer.refused(), 2);
    assert!(peer.messages().is_empty());
}

#[test]
fn a_permanent_refusal_is_not_retried() {
    let peer = SmtpPeer::start_with(PeerOptions {
        reject_all: true,
        ..PeerOptions::default()
    });
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &plain(peer.port()),
        None,
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    assert!(
        matches!(&result, Err(DeliveryError::Refused { transient: false, reason, .. }) if reason.contains("554")),
        "{result:?}"
    );
    assert_eq!(attempts, 1);
    assert!(pauses.0.is_empty());
    assert_eq!(peer.refused(), 1);
}

/// An address of this machine that is not loopback, if it has one: where a socket towards a
/// documentation address would leave from (UDP connect sends nothing).
fn own_non_loopback_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn plain_smtp_to_a_host_that_is_not_loopback_is_refused_without_connecting() {
    // A listener on every interface, reached through this machine's own non-loopback address:
    // had `send` connected, the connection would be waiting here.
    let listener = TcpListener::bind("0.0.0.0:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let host =
        own_non_loopback_address().map_or_else(|| "192.0.2.1".to_owned(), |ip| ip.to_string());
    let settings = SmtpSettings {
        host: host.clone(),
        ..plain(listener.local_addr().expect("address").port())
    };
    let started = Instant::now();
    let mut pauses = no_pauses();
    let (attempts, result) = send(
        &settings,
        None,
        &alert(),
        RetryPolicy::default(),
        &mut pauses,
    );
    assert!(
        matches!(&result, Err(DeliveryError::Misconfigured(reason)) if reason.contains(&host)),
        "{result:?}"
    );
    assert_eq!(attempts, 0);
    assert!(pauses.0.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        listener.accept().map(|_| ()).map_err(|error| error.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "nothing connected"
    );
}

#[test]
fn the_password_never_appears_in_an_error() {
    let mut errors = Vec::new();
    let with_user = |settings: SmtpSettings| SmtpSettings {
        username: Some("alerts".to_owned()),
        ..settings
    };
    // Nothing listening.
    let (_, result) = send(
        &with_user(plain(closed_port())),
        Some(PASSWORD),
        &alert(),
        RetryPolicy::default(),
        &mut no_pauses(),
    );
    errors.push(result.expect_err("unreachable"));
    // A server that offers no AUTH at all.
    let peer = SmtpPeer::start(false);
    let (_, result) = send(
        &with_user(plain(peer.port())),
        Some(PASSWORD),
        &alert(),
        RetryPolicy::default(),
        &mut no_pauses(),
    );
    errors.push(result.expect_err("no AUTH offered"));
    // Plain text to a remote host.
    let (_, result) = send(
        &with_user(SmtpSettings {
            host: "smtp.msp.example".to_owned(),
            ..plain(587)
        }),
        Some(PASSWORD),
        &alert(),
        RetryPolicy::default(),
        &mut no_pauses(),
    );
    errors.push(result.expect_err("misconfigured"));
    // A refusal with the server's own words.
    let refusing = SmtpPeer::start_refusing(10);
    let (_, result) = send(
        &plain(refusing.port()),
        Some(PASSWORD),
        &alert(),
        RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        },
        &mut no_pauses(),
    );
    errors.push(result.expect_err("refused"));

    assert_eq!(errors.len(), 4);
    for error in &errors {
        let text = shown(error);
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.is_empty());
    }
}
