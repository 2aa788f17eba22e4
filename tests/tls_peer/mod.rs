//! A TLS front for the loopback test servers: it accepts implicit-TLS connections on its own
//! port with a freshly generated self-signed certificate (rcgen) and relays the plain bytes to
//! a plain server behind it (the SMTP peer for SMTPS on "port 465", the HTTP peer for HTTPS).
//!
//! mailin-embedded only speaks STARTTLS and tiny_http is built without TLS here, so the
//! handshake is done by rustls in this helper: the client under test (lettre, ureq) still
//! meets a real TLS server that it must verify, and the server behind still sees the real
//! protocol.
//!
//! Each connection is relayed on its own thread, polling both sides with short read timeouts
//! (a rustls stream cannot be split into halves), and ends when either side closes.
//!
//! Use it with `mod tls_peer;` in a test file.

#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one relayed connection may live.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(30);

/// A running TLS front.
pub struct TlsFront {
    port: u16,
    certificate_pem: String,
}

impl TlsFront {
    /// Starts a TLS front on a free loopback port that relays to `127.0.0.1:backend_port`.
    pub fn start(backend_port: u16) -> TlsFront {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("self-signed certificate");
        let certificate_pem = certified.cert.pem();
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .expect("server certificate");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
        let port = listener.local_addr().expect("local address").port();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let config = Arc::clone(&config);
                std::thread::spawn(move || relay(config, client, backend_port));
            }
        });
        TlsFront {
            port,
            certificate_pem,
        }
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The PEM of its self-signed certificate, for the client to trust.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }
}

fn would_block(error: &std::io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Relays one connection until either side closes, an error, or the lifetime ends.
fn relay(config: Arc<rustls::ServerConfig>, client: TcpStream, backend_port: u16) {
    let Ok(mut backend) = TcpStream::connect(("127.0.0.1", backend_port)) else {
        return;
    };
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let tick = Some(Duration::from_millis(10));
    if client.set_read_timeout(tick).is_err() || backend.set_read_timeout(tick).is_err() {
        return;
    }
    let mut tls = rustls::StreamOwned::new(connection, client);
    let started = Instant::now();
    let mut buffer = [0u8; 16 * 1024];
    while started.elapsed() < CONNECTION_LIFETIME {
        match tls.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => {
                if backend.write_all(&buffer[..read]).is_err() {
                    break;
                }
            }
            Err(error) if would_block(&error) => {}
            Err(_) => break,
        }
        // Plain bytes can only go out once the handshake is done; until then the server's
        // greeting waits in the backend socket.
        if tls.conn.is_handshaking() {
            continue;
        }
        match backend.read(&mut buffer) {
            Ok(0) => {
                tls.conn.send_close_notify();
                let _ = tls.flush();
                break;
            }
            Ok(read) => {
                if tls
                    .write_all(&buffer[..read])
                    .and_then(|()| tls.flush())
                    .is_err()
                {
                    break;
                }
            }
            Err(error) if would_block(&error) => {}
            Err(_) => break,
        }
    }
}
