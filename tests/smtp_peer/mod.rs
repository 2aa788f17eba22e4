//! A real SMTP server in the test process, for tests that send email: it listens on
//! 127.0.0.1 on a free port, records the envelope and the raw DATA of every message it
//! accepts, and can be told to refuse the first messages with a temporary 451 (to exercise
//! retries), to offer STARTTLS with a self-signed certificate for "localhost" and 127.0.0.1,
//! or to require AUTH (mailin only offers AUTH once STARTTLS is done).
//!
//! Built on mailin-embedded, which serves forever on its own thread: each peer's thread lives
//! until the test process ends. That is harmless in a test binary and keeps the helper small.
//!
//! Use it with `mod smtp_peer;` in a test file.
//!
//! # STARTTLS needs a crypto provider picked
//!
//! In test builds rustls has both the `ring` (from lettre) and `aws-lc-rs` (from
//! mailin-embedded's default rustls features) backends, so mailin's `ServerConfig::builder()`
//! would panic with "Could not automatically determine the process-level CryptoProvider". A TLS
//! peer installs `ring` as the process default first (the rustls dev-dependency).

#![allow(dead_code)]

use mailin_embedded::response::{AUTH_OK, INVALID_CREDENTIALS, OK};
use mailin_embedded::{AuthMechanism, Handler, Response, Server, SslConfig};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};

/// One message the peer accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (MAIL FROM).
    pub from: String,
    /// The envelope recipients (RCPT TO), in the order sent.
    pub to: Vec<String>,
    /// The DATA as received (headers and MIME body, dot-unstuffed, CRLF line ends).
    pub data: String,
}

#[derive(Debug, Default)]
struct Shared {
    accepted: Vec<ReceivedMail>,
    refuse_remaining: u32,
    reject_all: bool,
    refused: u32,
    logins: Vec<String>,
}

#[derive(Clone)]
struct Capture {
    shared: Arc<Mutex<Shared>>,
    login: Option<(String, String)>,
    current: Option<ReceivedMail>,
}

impl Capture {
    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check_login(&mut self, username: &str, password: &str) -> Response {
        self.shared().logins.push(username.to_owned());
        match &self.login {
            Some((user, pass)) if user == username && pass == password => AUTH_OK,
            _ => INVALID_CREDENTIALS,
        }
    }
}

impl Handler for Capture {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        let mut shared = self.shared();
        if shared.reject_all {
            shared.refused += 1;
            return Response::custom(554, "5.7.1 Message rejected".to_owned());
        }
        if shared.refuse_remaining > 0 {
            shared.refuse_remaining -= 1;
            shared.refused += 1;
            return Response::custom(451, "4.3.0 Try again later".to_owned());
        }
        drop(shared);
        self.current = Some(ReceivedMail {
            from: from.to_owned(),
            to: to.to_vec(),
            data: String::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            self.shared().accepted.push(mail);
        }
        OK
    }

    fn auth_plain(
        &mut self,
        _authorization_id: &str,
        authentication_id: &str,
        password: &str,
    ) -> Response {
        self.check_login(authentication_id, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> Response {
        self.check_login(username, password)
    }
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct PeerOptions {
    /// Offer STARTTLS with a fresh self-signed certificate.
    pub tls: bool,
    /// Refuse this many messages (at DATA, with 451) before accepting.
    pub refuse_first: u32,
    /// Refuse every message for good (at DATA, with 554).
    pub reject_all: bool,
    /// Require AUTH (PLAIN or LOGIN) with this username and password; needs `tls`.
    pub login: Option<(String, String)>,
}

/// A running in-process SMTP server.
pub struct SmtpPeer {
    port: u16,
    shared: Arc<Mutex<Shared>>,
    certificate_pem: Option<String>,
}

impl SmtpPeer {
    /// Starts a peer that accepts every message; with `tls`, it offers STARTTLS.
    pub fn start(tls: bool) -> SmtpPeer {
        SmtpPeer::start_with(PeerOptions {
            tls,
            ..PeerOptions::default()
        })
    }

    /// Starts a plain peer that answers 451 to the DATA of the first `first_n` messages.
    pub fn start_refusing(first_n: u32) -> SmtpPeer {
        SmtpPeer::start_with(PeerOptions {
            refuse_first: first_n,
            ..PeerOptions::default()
        })
    }

    /// Starts a peer as `options` says.
    pub fn start_with(options: PeerOptions) -> SmtpPeer {
        assert!(
            options.login.is_none() || options.tls,
            "mailin offers AUTH only after STARTTLS: a login needs tls"
        );
        let shared = Arc::new(Mutex::new(Shared {
            refuse_remaining: options.refuse_first,
            reject_all: options.reject_all,
            ..Shared::default()
        }));
        let handler = Capture {
            shared: Arc::clone(&shared),
            login: options.login.clone(),
            current: None,
        };
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
        let port = listener.local_addr().expect("local address").port();
        let mut server = Server::new(handler);
        server.with_name("localhost").with_tcp_listener(listener);
        let certificate_pem = if options.tls {
            let certified = rcgen::generate_simple_self_signed(vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
            ])
            .expect("self-signed certificate");
            let dir = tempfile::tempdir().expect("tempdir");
            let cert_path = dir.path().join("cert.pem");
            let key_path = dir.path().join("key.pem");
            let certificate_pem = certified.cert.pem();
            std::fs::write(&cert_path, &certificate_pem).expect("write certificate");
            std::fs::write(&key_path, certified.signing_key.serialize_pem()).expect("write key");
            // mailin reads both files here, so the directory may go when this returns. A second
            // peer finds the provider installed already, which is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
            server
                .with_ssl(SslConfig::SelfSigned {
                    cert_path: cert_path.to_string_lossy().into_owned(),
                    key_path: key_path.to_string_lossy().into_owned(),
                })
                .expect("STARTTLS configuration");
            Some(certificate_pem)
        } else {
            None
        };
        if options.login.is_some() {
            server
                .with_auth(AuthMechanism::Plain)
                .with_auth(AuthMechanism::Login);
        }
        std::thread::spawn(move || {
            // Its error is not Send, so it is reported here rather than returned.
            if let Err(error) = server.serve() {
                eprintln!("smtp peer on port {port} stopped: {error}");
            }
        });
        SmtpPeer {
            port,
            shared,
            certificate_pem,
        }
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address it listens on.
    pub fn ip(&self) -> IpAddr {
        IpAddr::from([127, 0, 0, 1])
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.lock().accepted.clone()
    }

    /// How many messages it refused (451 or 554).
    pub fn refused(&self) -> u32 {
        self.lock().refused
    }

    /// The usernames of every AUTH attempt, right or wrong (never the passwords).
    pub fn logins(&self) -> Vec<String> {
        self.lock().logins.clone()
    }

    /// The PEM of its self-signed certificate, for the client to trust. Panics for a peer
    /// started without TLS, since a test asking for it has made a mistake.
    pub fn certificate_pem(&self) -> &str {
        self.certificate_pem
            .as_deref()
            .expect("the peer was started without TLS")
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
