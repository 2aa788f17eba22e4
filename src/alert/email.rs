//! Email delivery through SMTP: one `multipart/alternative` message per recipient group
//! (connectors.md §5.3), sent with lettre's blocking transport under the shared retry policy.
//!
//! The settings come from the `[smtp]` table of the configuration file and never carry the
//! password: it is resolved separately (environment or keyring) and handed to [`send`], so a
//! configuration file can be shared or committed without leaking it. Errors name the host and
//! the server's reply, never the credentials.

use super::{DeliveryError, Pause, RetryPolicy, with_retries};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Duration;

/// How long one SMTP command may take (connect, each reply). Long enough for a slow relay,
/// short enough that a cron run with its retries still ends in minutes.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required: a server that does not
    /// offer it is refused rather than sent to in clear (port 587).
    StartTls,
    /// TLS from the first byte, "implicit TLS" (port 465).
    Tls,
    /// No encryption. Allowed only towards a loopback host (a local relay or a test server),
    /// because anything else would send the password and the client data in clear.
    None,
}

/// The `[smtp]` table of the configuration file.
///
/// There is deliberately no password field, and unknown fields are rejected, so that a
/// password written into the file is an error instead of a silently stored secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// The server's host name (checked against its TLS certificate) or IP address.
    pub host: String,
    /// The server's port (587 for STARTTLS, 465 for TLS, 25 for a local relay).
    pub port: u16,
    /// How the connection is protected.
    pub security: SmtpSecurity,
    /// The sender, `alerts@example.com` or `billgap <alerts@example.com>`.
    pub from: String,
    /// The login name, when the server wants AUTH; the password is passed to [`send`].
    #[serde(default)]
    pub username: Option<String>,
    /// A PEM certificate trusted as a root in addition to the built-in web PKI roots: for a
    /// relay signed by a private CA, and for tests against a self-signed server. Not read
    /// from the `[smtp]` table; the caller loads it.
    #[serde(skip)]
    pub extra_root_certificate_pem: Option<Vec<u8>>,
}

/// One email for one recipient group: every recipient sees the same message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// The recipients' addresses (`a@example.com` or `Name <a@example.com>`).
    pub to: Vec<String>,
    /// The subject line; line breaks in it are encoded, never sent as header breaks.
    pub subject: String,
    /// The plain-text part, for clients that do not render HTML.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The Message-ID, `<left@right>`: derived from the alert group and cycle (see
    /// [`message_id`]) so that a later notice can thread under it with `In-Reply-To`.
    pub message_id: String,
    /// The Message-ID of the first message of this thread (the same client on the same
    /// channel), sent as `In-Reply-To` and `References` so that mail clients show reminders,
    /// "worse" and "resolved" notices under the first alert. `None` for a first message.
    pub in_reply_to: Option<String>,
}

/// Builds a Message-ID that is always well formed: `<{hash}.billgap@{domain}>`, where the hash
/// is of `seed` (for example the group key and the cycle) and the domain is the sender's.
///
/// Hashing keeps client names and keys, which may hold any character, out of a header that
/// only allows a narrow alphabet, while the same seed still gives the same id.
pub fn message_id(seed: &str, from: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed.as_bytes());
    let hash: String = digest
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let domain = from
        .parse::<Mailbox>()
        .ok()
        .map(|mailbox| mailbox.email.domain().to_owned())
        .filter(|domain| is_dot_atom(domain))
        .unwrap_or_else(|| "billgap.invalid".to_owned());
    format!("<{hash}.billgap@{domain}>")
}

/// Sends `message` through the server in `settings`, retrying transient failures under
/// `policy` (waiting through `pause`). Returns the number of attempts made with the outcome.
///
/// Settings that cannot work (plain text to a remote host, a bad address or Message-ID, a
/// username without a password) fail with [`DeliveryError::Misconfigured`] after zero
/// attempts: nothing is connected to. SMTP 4xx replies and connection, TLS and timeout
/// failures are transient; 5xx replies are permanent. The password never appears in the
/// error.
pub fn send(
    settings: &SmtpSettings,
    password: Option<&str>,
    message: &EmailMessage,
    policy: RetryPolicy,
    pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>) {
    let secret = password.filter(|password| !password.is_empty());
    let prepared = match build_message(settings, message)
        .and_then(|email| build_transport(settings, secret).map(|transport| (email, transport)))
    {
        Ok(prepared) => prepared,
        Err(error) => return (0, Err(redact(error, secret))),
    };
    let (email, transport) = prepared;
    with_retries(policy, pause, || {
        transport
            .send(&email)
            .map(|_| ())
            .map_err(|error| redact(classify(&settings.host, &error), secret))
    })
}

/// True when `host` names this machine: "localhost" or a loopback address.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_end_matches('.');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let unbracketed = bare.trim_start_matches('[').trim_end_matches(']');
    match unbracketed.parse::<IpAddr>() {
        Ok(IpAddr::V4(address)) => address.is_loopback(),
        Ok(IpAddr::V6(address)) => {
            address.is_loopback()
                || address
                    .to_ipv4_mapped()
                    .is_some_and(|mapped| mapped.is_loopback())
        }
        Err(_) => false,
    }
}

/// RFC 5322 `dot-atom-text`: atoms of `atext` joined by single dots. Both halves of a
/// Message-ID must be this (or close to it), and nothing in it can break a header line.
fn is_dot_atom(text: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !text.is_empty()
        && text.len() <= 250
        && text.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        })
}

/// Checks that a Message-ID is `<left@right>` with dot-atoms on both sides, so that a caller's
/// id can neither inject a header nor produce an id that mail clients fail to thread on.
fn check_message_id(id: &str) -> Result<(), DeliveryError> {
    let inner = id.strip_prefix('<').and_then(|rest| rest.strip_suffix('>'));
    let well_formed = inner
        .and_then(|inner| inner.split_once('@'))
        .is_some_and(|(left, right)| is_dot_atom(left) && is_dot_atom(right));
    if well_formed {
        Ok(())
    } else {
        Err(DeliveryError::Misconfigured(format!(
            "the Message-ID {id:?} is not of the form <left@right>"
        )))
    }
}

fn mailbox(address: &str, role: &str) -> Result<Mailbox, DeliveryError> {
    address
        .parse::<Mailbox>()
        .map_err(|error| DeliveryError::Misconfigured(format!("{role} {address:?}: {error}")))
}

fn build_message(
    settings: &SmtpSettings,
    message: &EmailMessage,
) -> Result<Message, DeliveryError> {
    if message.to.is_empty() {
        return Err(DeliveryError::Misconfigured(
            "the email has no recipients".to_owned(),
        ));
    }
    check_message_id(&message.message_id)?;
    let mut builder = Message::builder()
        .from(mailbox(&settings.from, "the sender")?)
        .subject(message.subject.clone())
        .message_id(Some(message.message_id.clone()));
    if let Some(first) = &message.in_reply_to {
        check_message_id(first)?;
        builder = builder.in_reply_to(first.clone()).references(first.clone());
    }
    for recipient in &message.to {
        builder = builder.to(mailbox(recipient, "the recipient")?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            message.text.clone(),
            message.html.clone(),
        ))
        .map_err(|error| DeliveryError::Misconfigured(format!("cannot build the email: {error}")))
}

fn build_transport(
    settings: &SmtpSettings,
    password: Option<&str>,
) -> Result<SmtpTransport, DeliveryError> {
    let tls = match settings.security {
        SmtpSecurity::None if is_loopback(&settings.host) => Tls::None,
        SmtpSecurity::None => {
            return Err(DeliveryError::Misconfigured(format!(
                "smtp security \"none\" is only allowed for a loopback host, not {}; use \
                 \"starttls\" or \"tls\"",
                settings.host
            )));
        }
        SmtpSecurity::StartTls => Tls::Required(tls_parameters(settings)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(settings)?),
    };
    let mut builder = SmtpTransport::builder_dangerous(settings.host.as_str())
        .port(settings.port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    match (&settings.username, password) {
        (Some(username), Some(password)) => {
            builder = builder.credentials(Credentials::new(username.clone(), password.to_owned()));
        }
        (Some(username), None) => {
            // Sending without AUTH would only earn a 530 from the server after connecting;
            // saying which secret is missing is more useful.
            return Err(DeliveryError::Misconfigured(format!(
                "smtp username {username:?} is set but no SMTP password was found"
            )));
        }
        (None, _) => {}
    }
    Ok(builder.build())
}

fn tls_parameters(settings: &SmtpSettings) -> Result<TlsParameters, DeliveryError> {
    let mut builder = TlsParameters::builder(settings.host.clone());
    if let Some(pem) = &settings.extra_root_certificate_pem {
        // lettre reads a PEM without any certificate in it as an empty list, which would
        // silently trust nothing extra; that is a mistake worth saying before connecting.
        let marker: &[u8] = b"-----BEGIN CERTIFICATE-----";
        if !pem.windows(marker.len()).any(|window| window == marker) {
            return Err(DeliveryError::Misconfigured(
                "the extra root certificate holds no PEM certificate".to_owned(),
            ));
        }
        let certificate = Certificate::from_pem(pem).map_err(|error| {
            DeliveryError::Misconfigured(format!("the extra root certificate: {error}"))
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build_rustls()
        .map_err(|error| DeliveryError::Misconfigured(format!("TLS settings: {error}")))
}

/// Sorts a lettre error into the delivery contract: a 4xx reply may pass later, a 5xx reply
/// will not; a connection that could not be made or kept (refused, timed out, TLS, a reply cut
/// short) may work on the next attempt; a client-side refusal (no STARTTLS offered, no AUTH
/// mechanism in common) needs the settings changed.
fn classify(host: &str, error: &lettre::transport::smtp::Error) -> DeliveryError {
    let reason = error.to_string();
    if error.is_transient() || error.is_permanent() {
        DeliveryError::Refused {
            receiver: host.to_owned(),
            reason,
            transient: error.is_transient(),
            retry_after: None,
        }
    } else if error.is_client() {
        DeliveryError::Misconfigured(format!("{host}: {reason}"))
    } else if error.is_timeout() {
        DeliveryError::Unreachable {
            receiver: host.to_owned(),
            reason: format!("timed out: {reason}"),
        }
    } else {
        DeliveryError::Unreachable {
            receiver: host.to_owned(),
            reason,
        }
    }
}

/// Removes the password from an error's text. lettre does not put it there, but a server may
/// echo what it was sent, and the error ends up in logs and on screen.
fn redact(error: DeliveryError, password: Option<&str>) -> DeliveryError {
    let Some(password) = password else {
        return error;
    };
    let scrub = |text: String| text.replace(password, "[redacted]");
    match error {
        DeliveryError::Refused {
            receiver,
            reason,
            transient,
            retry_after,
        } => DeliveryError::Refused {
            receiver: scrub(receiver),
            reason: scrub(reason),
            transient,
            retry_after,
        },
        DeliveryError::Unreachable { receiver, reason } => DeliveryError::Unreachable {
            receiver: scrub(receiver),
            reason: scrub(reason),
        },
        DeliveryError::Misconfigured(reason) => DeliveryError::Misconfigured(scrub(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::RecordedPauses;

    fn settings(host: &str, security: SmtpSecurity) -> SmtpSettings {
        SmtpSettings {
            host: host.to_owned(),
            port: 25,
            security,
            from: "billgap <alerts@msp.example>".to_owned(),
            username: None,
            extra_root_certificate_pem: None,
        }
    }

    fn message() -> EmailMessage {
        EmailMessage {
            to: vec!["am@msp.example".to_owned()],
            subject: "[billgap] Contoso: 1 new gap".to_owned(),
            text: "text".to_owned(),
            html: "<p>html</p>".to_owned(),
            message_id: "<abc.billgap@msp.example>".to_owned(),
            in_reply_to: None,
        }
    }

    #[test]
    fn the_smtp_table_reads_lowercase_security_names_and_rejects_a_password() {
        let parsed: SmtpSettings = toml::from_str(
            "host = \"smtp.example\"\nport = 587\nsecurity = \"starttls\"\n\
             from = \"alerts@msp.example\"\nusername = \"alerts\"\n",
        )
        .expect("valid table");
        assert_eq!(parsed.security, SmtpSecurity::StartTls);
        assert_eq!(parsed.username.as_deref(), Some("alerts"));
        assert_eq!(parsed.extra_root_certificate_pem, None);
        for (name, expected) in [("tls", SmtpSecurity::Tls), ("none", SmtpSecurity::None)] {
            let table =
                format!("host = \"h\"\nport = 1\nsecurity = \"{name}\"\nfrom = \"a@b.example\"\n");
            let parsed: SmtpSettings = toml::from_str(&table).expect("valid table");
            assert_eq!(parsed.security, expected);
        }
        let with_password = "host = \"h\"\nport = 1\nsecurity = \"tls\"\nfrom = \"a@b.example\"\n\
                             password = \"hunter2\"\n";
        assert!(toml::from_str::<SmtpSettings>(with_password).is_err());
        let capitalised =
            "host = \"h\"\nport = 1\nsecurity = \"StartTls\"\nfrom = \"a@b.example\"\n";
        assert!(toml::from_str::<SmtpSettings>(capitalised).is_err());
    }

    #[test]
    fn loopback_is_localhost_and_the_loopback_ranges_only() {
        for host in [
            "localhost",
            "LOCALHOST.",
            "127.0.0.1",
            "127.45.6.7",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback(host), "{host} is loopback");
        }
        for host in [
            "smtp.example",
            "10.0.0.1",
            "128.0.0.1",
            "::2",
            "localhost.example",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(host), "{host} is not loopback");
        }
    }

    #[test]
    fn a_message_id_must_be_angle_bracketed_dot_atoms() {
        for good in [
            "<a@b>",
            "<abc.billgap@msp.example>",
            "<x+y=z@host-1.example>",
        ] {
            assert_eq!(check_message_id(good), Ok(()), "{good}");
        }
        for bad in [
            "abc@msp.example",
            "<abc>",
            "<@msp.example>",
            "<abc@>",
            "<a b@msp.example>",
            "<a@b@c>",
            "<a..b@c>",
            "<a@b>\r\nBcc: x@evil.example",
            "<a<b@c>",
        ] {
            assert!(
                matches!(check_message_id(bad), Err(DeliveryError::Misconfigured(_))),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn a_built_message_id_is_well_formed_and_stable() {
        let id = message_id(
            "contoso|new|2026-11-02\r\n<evil>",
            "billgap <alerts@msp.example>",
        );
        assert_eq!(check_message_id(&id), Ok(()));
        assert!(id.ends_with("@msp.example>"), "{id}");
        assert_eq!(
            id,
            message_id("contoso|new|2026-11-02\r\n<evil>", "alerts@msp.example")
        );
        assert_ne!(
            id,
            message_id("contoso|new|2026-11-03", "alerts@msp.example")
        );
        let fallback = message_id("k", "not an address");
        assert!(fallback.ends_with("@billgap.invalid>"), "{fallback}");
    }

    #[test]
    fn settings_that_cannot_work_fail_before_any_attempt() {
        let cases = [
            (
                settings("smtp.example", SmtpSecurity::None),
                message(),
                None,
            ),
            (
                SmtpSettings {
                    username: Some("alerts".into()),
                    ..settings("127.0.0.1", SmtpSecurity::None)
                },
                message(),
                None,
            ),
            (
                settings("127.0.0.1", SmtpSecurity::None),
                EmailMessage {
                    to: Vec::new(),
                    ..message()
                },
                None,
            ),
            (
                settings("127.0.0.1", SmtpSecurity::None),
                EmailMessage {
                    to: vec!["not an address".into()],
                    ..message()
                },
                None,
            ),
            (
                settings("127.0.0.1", SmtpSecurity::None),
                EmailMessage {
                    message_id: "no-brackets".into(),
                    ..message()
                },
                None,
            ),
            (
                SmtpSettings {
                    extra_root_certificate_pem: Some(b"not a certificate".to_vec()),
                    ..settings("smtp.example", SmtpSecurity::StartTls)
                },
                message(),
                Some("s3cret-Pa55"),
            ),
        ];
        for (settings, message, password) in cases {
            let mut pauses = RecordedPauses::default();
            let (attempts, result) = send(
                &settings,
                password,
                &message,
                RetryPolicy::default(),
                &mut pauses,
            );
            assert_eq!(attempts, 0, "{settings:?} {message:?}");
            assert!(
                matches!(result, Err(DeliveryError::Misconfigured(_))),
                "{result:?}"
            );
            assert!(pauses.0.is_empty());
        }
    }

    #[test]
    fn redaction_removes_the_password_from_every_field() {
        let error = DeliveryError::Refused {
            receiver: "smtp.example".into(),
            reason: "535 bad credentials for alerts:s3cret-Pa55".into(),
            transient: false,
            retry_after: None,
        };
        let redacted = redact(error, Some("s3cret-Pa55"));
        assert!(!format!("{redacted} {redacted:?}").contains("s3cret-Pa55"));
        assert!(redacted.to_string().contains("[redacted]"));
    }
}
