//! A real HTTP server on 127.0.0.1 for tests that deliver or fetch over HTTP (webhooks, and
//! later the vendor and PSA connectors).
//!
//! Why a real socket instead of a trait-level fake: what can go wrong in delivery (headers,
//! status codes, `Retry-After`, refused connections, the exact bytes that were signed) only
//! shows on the wire. The server is scripted: it answers requests in order with the given
//! responses, then with `200` and an empty body, and records every request for assertions.
//!
//! It is bounded so that a failing test can never hang the suite: its thread stops after
//! [`MAX_REQUESTS`] requests, after [`LIFETIME`], or when the `HttpPeer` is dropped, whichever
//! comes first.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The most requests one peer answers before its thread stops by itself.
pub const MAX_REQUESTS: usize = 64;

/// How long one peer lives at most.
pub const LIFETIME: Duration = Duration::from_secs(30);

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// `GET`, `POST`…
    pub method: String,
    /// The path with its query string, as sent.
    pub path: String,
    /// Every header, in the order received, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body bytes, exactly as received.
    pub body: Vec<u8>,
}

impl Received {
    /// The value of a header, its name matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("the body is UTF-8")
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// One scripted answer: the status, the headers as (name, value), and the body.
pub type Reply<'a, B> = (u16, Vec<(&'a str, &'a str)>, B);

type Script = Vec<(u16, Vec<(String, String)>, Vec<u8>)>;

/// A scripted HTTP server on 127.0.0.1 with a random port, running on its own thread.
pub struct HttpPeer {
    address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpPeer {
    /// Starts a server that answers the n-th request with the n-th `(status, headers, body)`,
    /// and every later request with `200` and an empty body.
    pub fn start<B: AsRef<[u8]>>(responses: Vec<Reply<'_, B>>) -> HttpPeer {
        let script: Script = responses
            .into_iter()
            .map(|(status, headers, body)| {
                let headers = headers
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect();
                (status, headers, body.as_ref().to_vec())
            })
            .collect();
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = server
            .server_addr()
            .to_ip()
            .expect("an IP listener has an IP address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let received = Arc::clone(&received);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(&server, script, &received, &stop))
        };
        HttpPeer {
            address,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// Starts a server that answers every request with `200` and an empty body.
    pub fn always_ok() -> HttpPeer {
        HttpPeer::start(Vec::<Reply<'_, &str>>::new())
    }

    /// The URL of `path` on this server, such as `http://127.0.0.1:41234/hooks/abc`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// The server's address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every request received so far, in order. A request is recorded before it is answered,
    /// so once a client has its response, its request is here.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("the recorder lock").clone()
    }
}

impl Drop for HttpPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread already failed the test through its assertions;
            // joining only makes sure the thread is gone.
            let _ = thread.join();
        }
    }
}

fn serve(
    server: &tiny_http::Server,
    script: Script,
    received: &Mutex<Vec<Received>>,
    stop: &AtomicBool,
) {
    let deadline = Instant::now() + LIFETIME;
    let mut script = script.into_iter();
    let mut served = 0_usize;
    while served < MAX_REQUESTS && !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        let mut request = match server.recv_timeout(Duration::from_millis(50)) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(_) => break,
        };
        served += 1;
        let mut body = Vec::new();
        // A body that cannot be read is recorded as what arrived; the assertions say the rest.
        let _ = request.as_reader().read_to_end(&mut body);
        let headers = request
            .headers()
            .iter()
            .map(|header| (header.field.to_string(), header.value.to_string()))
            .collect();
        received.lock().expect("the recorder lock").push(Received {
            method: request.method().to_string(),
            path: request.url().to_string(),
            headers,
            body,
        });
        let (status, headers, body) = script.next().unwrap_or((200, Vec::new(), Vec::new()));
        let mut response = tiny_http::Response::from_data(body).with_status_code(status);
        for (name, value) in headers {
            let header = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                .expect("a valid scripted header");
            response = response.with_header(header);
        }
        // The client may have given up (a timeout test); that is its business, not the server's.
        let _ = request.respond(response);
    }
}

/// A loopback URL on which nothing listens, so that connecting is refused: the port was just
/// free and is closed again when this returns.
pub fn refused_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let address = listener.local_addr().expect("a bound address");
    drop(listener);
    format!("http://{address}{path}")
}
