//! Owner notices (a failing source, new unmapped vendor entries) reach the configured webhooks
//! as well as the owner's email, once per event, through the built binary: a fake Pax8 and a
//! fake ConnectWise on loopback, a real SMTP server and a real HTTP receiver on loopback.

mod connector_fakes;
mod http_peer;
mod smtp_peer;

use connector_fakes::{
    CW_CLIENT_ID, CW_COMPANY, CW_PRIVATE, CW_PUBLIC, ConnectWiseState, PAX8_CLIENT_ID, PAX8_SECRET,
    Pax8State, lock,
};
use http_peer::HttpPeer;
use smtp_peer::SmtpPeer;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const OWNER: &str = "owner@msp.example";

fn run(database: &std::path::Path, config: &std::path::Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(args)
        .env("BILLGAP_DB", database)
        .env("BILLGAP_CONFIG", config)
        .env("BILLGAP_KEYRING", "none")
        .env("BILLGAP_PAX8_CLIENT_ID", PAX8_CLIENT_ID)
        .env("BILLGAP_PAX8_CLIENT_SECRET", PAX8_SECRET)
        .env("BILLGAP_CONNECTWISE_PUBLIC_KEY", CW_PUBLIC)
        .env("BILLGAP_CONNECTWISE_PRIVATE_KEY", CW_PRIVATE)
        .env("BILLGAP_CONNECTWISE_CLIENT_ID", CW_CLIENT_ID)
        .env("NO_COLOR", "1")
        .output()
        .expect("run billgap");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains(PAX8_SECRET), "a secret reached the output");
    output
}

fn transcript(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The JSON bodies one webhook path received, in order.
fn posts(peer: &HttpPeer, path: &str) -> Vec<serde_json::Value> {
    peer.requests()
        .into_iter()
        .filter(|request| request.path == path)
        .map(|request| serde_json::from_slice(&request.body).expect("a JSON body"))
        .collect()
}

#[test]
fn outage_and_unmapped_notices_reach_every_webhook_once_per_event() {
    let folder = tempfile::tempdir().expect("temp");
    let pax8_state = Arc::new(Mutex::new(Pax8State::sample()));
    let pax8 = connector_fakes::pax8(Arc::clone(&pax8_state));
    let connectwise =
        connector_fakes::connectwise(Arc::new(Mutex::new(ConnectWiseState::sample())));
    let smtp = SmtpPeer::start(false);
    let hooks = HttpPeer::always_ok();
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts]\nowner = \"{OWNER}\"\nthreshold = 100\ncadence = \"daily\"\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"billgap@msp.example\"\n\n\
             [[webhooks]]\nkind = \"generic\"\nname = \"ops\"\nurl = \"{ops}\"\n\n\
             [[webhooks]]\nkind = \"slack\"\nname = \"chat\"\nurl = \"{chat}\"\n\n\
             [pax8]\nbase_url = \"{pax8_base}\"\ntoken_url = \"{pax8_token}\"\npage_size = 1\n\n\
             [connectwise]\nbase_url = \"{cw_base}\"\ncompany = \"{CW_COMPANY}\"\ncurrency = \"USD\"\npage_size = 1\n",
            port = smtp.port(),
            ops = hooks.url("/ops"),
            chat = hooks.url("/chat"),
            pax8_base = pax8.url("/v1"),
            pax8_token = pax8.url("/v1/token"),
            cw_base = connectwise.url("/v4_6_release/apis/3.0"),
        ),
    )
    .expect("config");
    let database = folder.path().join("billgap.sqlite");
    let billgap = |args: &[&str]| run(&database, &config, args);

    // First poll: everything is unmapped; every channel hears it once.
    billgap(&["watch", "--once"]);
    billgap(&["watch", "--once"]);
    let ops = posts(&hooks, "/ops");
    assert_eq!(ops.len(), 1, "told once, not on every poll: {ops:?}");
    assert_eq!(ops[0]["commonLabels"]["alertname"], "BillgapNewUnmapped");
    let description = ops[0]["commonAnnotations"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains("c-contoso") || description.contains("Contoso"),
        "{description}"
    );
    let chat = posts(&hooks, "/chat");
    assert_eq!(chat.len(), 1);
    assert!(
        chat[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("new unmapped")
    );
    assert_eq!(smtp.messages().len(), 1, "and the owner's email, once");

    for args in [
        ["map", "client", "c-contoso", "CW-CONTOSO"],
        ["map", "client", "c-fabrikam", "CW-FABRIKAM"],
        ["map", "product", "MST-M365-BP-C100", "M365-BP"],
        ["map", "product", "MST-DEF-BUS-C100", "DEF-BUS"],
    ] {
        let output = billgap(&args);
        assert!(output.status.success(), "{args:?}: {}", transcript(&output));
    }
    billgap(&["watch", "--once"]);

    // A source fails on two polls: one outage notice per channel.
    lock(&pax8_state).faults.fail_subscription_page = Some(1);
    for _ in 0..2 {
        let failed = billgap(&["watch", "--once"]);
        assert_eq!(failed.status.code(), Some(2), "{}", transcript(&failed));
    }
    let ops = posts(&hooks, "/ops");
    assert_eq!(ops.len(), 2, "one outage notice for one outage: {ops:?}");
    assert_eq!(ops[1]["commonLabels"]["alertname"], "BillgapSourceFailing");
    assert!(
        ops[1]["commonAnnotations"]["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("source pax8 failing")
    );
    let chat = posts(&hooks, "/chat");
    assert_eq!(chat.len(), 2);
    assert!(
        chat[1]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("source pax8 failing")
    );
    assert_eq!(smtp.messages().len(), 2, "the owner's email too, once");
    for request in hooks.requests() {
        assert!(
            request
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("Idempotency-Key")),
            "every post carries its idempotency key"
        );
    }
}
