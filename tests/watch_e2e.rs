//! `billgap watch` end to end, through the built binary: a fake Pax8 and a fake ConnectWise on
//! loopback, a real SMTP server on loopback, a real database. A subscription added on Pax8
//! between two polls raises exactly one alert, for that client, on the first poll that sees
//! it; a failing source raises one source-health alert; SIGTERM stops the long-running mode
//! cleanly. No secret ever reaches the output.

mod connector_fakes;
mod smtp_peer;

use connector_fakes::{
    CW_CLIENT_ID, CW_COMPANY, CW_PRIVATE, CW_PUBLIC, ConnectWiseState, PAX8_CLIENT_ID, PAX8_SECRET,
    Pax8State, lock, subscription,
};
use smtp_peer::SmtpPeer;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const OWNER: &str = "owner@msp.example";

struct Fixture {
    _folder: tempfile::TempDir,
    database: PathBuf,
    config: PathBuf,
    pax8_state: Arc<Mutex<Pax8State>>,
    cw_state: Arc<Mutex<ConnectWiseState>>,
    _pax8: connector_fakes::FakeApi,
    _connectwise: connector_fakes::FakeApi,
    smtp: SmtpPeer,
}

fn fixture() -> Fixture {
    let folder = tempfile::tempdir().expect("temp");
    let pax8_state = Arc::new(Mutex::new(Pax8State::sample()));
    let pax8 = connector_fakes::pax8(Arc::clone(&pax8_state));
    let cw_state = Arc::new(Mutex::new(ConnectWiseState::sample()));
    let connectwise = connector_fakes::connectwise(Arc::clone(&cw_state));
    let smtp = SmtpPeer::start(false);
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts]\nowner = \"{OWNER}\"\nthreshold = 100\ncadence = \"daily\"\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"billgap@msp.example\"\n\n\
             [pax8]\nbase_url = \"{pax8_base}\"\ntoken_url = \"{pax8_token}\"\npage_size = 1\n\n\
             [connectwise]\nbase_url = \"{cw_base}\"\ncompany = \"{CW_COMPANY}\"\ncurrency = \"USD\"\npage_size = 1\n",
            port = smtp.port(),
            pax8_base = pax8.url("/v1"),
            pax8_token = pax8.url("/v1/token"),
            cw_base = connectwise.url("/v4_6_release/apis/3.0"),
        ),
    )
    .expect("config");
    Fixture {
        database: folder.path().join("billgap.sqlite"),
        config,
        _folder: folder,
        pax8_state,
        cw_state,
        _pax8: pax8,
        _connectwise: connectwise,
        smtp,
    }
}

fn command(fixture: &Fixture, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_billgap"));
    command
        .args(args)
        .env("BILLGAP_DB", &fixture.database)
        .env("BILLGAP_CONFIG", &fixture.config)
        .env("BILLGAP_KEYRING", "none")
        .env("BILLGAP_PAX8_CLIENT_ID", PAX8_CLIENT_ID)
        .env("BILLGAP_PAX8_CLIENT_SECRET", PAX8_SECRET)
        .env("BILLGAP_CONNECTWISE_PUBLIC_KEY", CW_PUBLIC)
        .env("BILLGAP_CONNECTWISE_PRIVATE_KEY", CW_PRIVATE)
        .env("BILLGAP_CONNECTWISE_CLIENT_ID", CW_CLIENT_ID)
        .env("NO_COLOR", "1");
    command
}

fn billgap(fixture: &Fixture, args: &[&str]) -> Output {
    let output = command(fixture, args).output().expect("run billgap");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for secret in [PAX8_SECRET, CW_PRIVATE, CW_PUBLIC] {
        assert!(
            !all.contains(secret),
            "a secret reached the output of {args:?}:\n{all}"
        );
    }
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

fn map_everything(fixture: &Fixture) {
    for args in [
        ["map", "client", "c-contoso", "CW-CONTOSO"],
        ["map", "client", "c-fabrikam", "CW-FABRIKAM"],
        ["map", "product", "MST-M365-BP-C100", "M365-BP"],
        ["map", "product", "MST-DEF-BUS-C100", "DEF-BUS"],
    ] {
        let output = billgap(fixture, &args);
        assert!(output.status.success(), "{args:?}: {}", transcript(&output));
    }
}

/// The first poll (its unmapped digest), every entry mapped, and a clean second poll.
fn mapped_and_clean(fixture: &Fixture) {
    billgap(fixture, &["watch", "--once"]);
    map_everything(fixture);
    let clean = billgap(fixture, &["watch", "--once"]);
    assert_eq!(clean.status.code(), Some(0), "{}", transcript(&clean));
}

fn mails(peer: &SmtpPeer) -> Vec<smtp_peer::ReceivedMail> {
    peer.messages()
}

#[test]
fn a_new_pax8_subscription_alerts_once_for_its_client_on_the_next_poll() {
    let fixture = fixture();
    let first = billgap(&fixture, &["watch", "--once"]);
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("pax8: 2 records gave 2 lines"),
        "{}",
        transcript(&first)
    );
    assert_eq!(
        first.status.code(),
        Some(1),
        "unmapped: coverage incomplete\n{}",
        transcript(&first)
    );
    let told = mails(&fixture.smtp);
    assert_eq!(
        told.len(),
        1,
        "one message lists what appeared unmapped: {told:?}"
    );
    assert!(told[0].data.contains("4 new unmapped"), "{}", told[0].data);
    map_everything(&fixture);
    let clean = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "mapped and billed: clean\n{}",
        transcript(&clean)
    );
    assert!(
        String::from_utf8_lossy(&clean.stderr).contains("unchanged since import"),
        "an identical pull stores nothing new\n{}",
        transcript(&clean)
    );
    assert_eq!(mails(&fixture.smtp).len(), 1, "nothing new to tell");

    lock(&fixture.pax8_state).subscriptions.push(subscription(
        "s-3",
        "c-fabrikam",
        "p-bp",
        10,
        "22.00",
        "Active",
    ));
    let alerted = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(alerted.status.code(), Some(1), "{}", transcript(&alerted));
    let received = mails(&fixture.smtp);
    assert_eq!(received.len(), 2, "exactly one new alert: {received:?}");
    let alert = &received[1];
    assert_eq!(alert.to, [OWNER]);
    assert!(alert.data.contains("Fabrikam"), "{}", alert.data);
    assert!(
        !alert.data.contains("Contoso"),
        "only the client with the new gap"
    );

    let again = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        mails(&fixture.smtp).len(),
        2,
        "the next poll does not tell it again"
    );
}

#[test]
fn a_failing_source_raises_one_source_alert_and_exits_2() {
    let fixture = fixture();
    mapped_and_clean(&fixture);
    lock(&fixture.pax8_state).faults.fail_subscription_page = Some(1);
    for _ in 0..2 {
        let failed = billgap(&fixture, &["watch", "--once"]);
        assert_eq!(failed.status.code(), Some(2), "{}", transcript(&failed));
        let stdout = String::from_utf8_lossy(&failed.stdout);
        assert!(
            stdout.contains("pax8 pull is incomplete"),
            "{}",
            transcript(&failed)
        );
        assert!(
            !stdout.contains("Verdict: Clean"),
            "never clean after a failed pull"
        );
    }
    let status = billgap(&fixture, &["pull", "--status"]);
    assert_eq!(
        status.status.code(),
        Some(1),
        "a failing source needs action"
    );
    let listed = String::from_utf8_lossy(&status.stdout);
    assert!(
        listed.contains("pax8") && listed.contains("INCOMPLETE") && listed.contains("500"),
        "{listed}"
    );
    assert!(
        listed.contains("connectwise") && listed.contains("complete"),
        "{listed}"
    );
    let received = mails(&fixture.smtp);
    assert_eq!(
        received.len(),
        2,
        "the unmapped digest of the first poll, then one source alert per outage: {received:?}"
    );
    assert!(
        received[1].data.contains("source pax8 failing"),
        "{}",
        received[1].data
    );
    assert!(!received[1].data.contains(PAX8_SECRET));
}

#[test]
fn a_new_customer_with_a_new_product_is_told_as_unmapped_once() {
    let fixture = fixture();
    billgap(&fixture, &["watch", "--once"]);
    map_everything(&fixture);
    billgap(&fixture, &["watch", "--once"]);
    assert_eq!(mails(&fixture.smtp).len(), 1);
    {
        let mut state = lock(&fixture.pax8_state);
        state.companies.push(connector_fakes::company(
            "c-tailspin",
            "Tailspin Toys",
            "CW-TAILSPIN",
        ));
        state.products.insert(
            "p-teams".into(),
            serde_json::json!({"id": "p-teams", "name": "Teams Premium", "sku": "MST-TEAMS-PREM"}),
        );
        state.subscriptions.push(subscription(
            "s-9",
            "c-tailspin",
            "p-teams",
            25,
            "7.00",
            "Active",
        ));
    }
    for _ in 0..2 {
        billgap(&fixture, &["watch", "--once"]);
    }
    let received = mails(&fixture.smtp);
    assert_eq!(
        received.len(),
        2,
        "told once, not on every poll: {received:?}"
    );
    let told = &received[1].data;
    assert!(told.contains("2 new unmapped"), "{told}");
    assert!(
        told.contains("Tailspin Toys") && told.contains("MST-TEAMS-PREM"),
        "{told}"
    );
    assert!(!told.contains("Contoso"), "only what is new: {told}");
}

#[test]
fn a_new_subscription_on_page_1_of_a_pull_that_fails_on_page_3_alerts_once() {
    let fixture = fixture();
    mapped_and_clean(&fixture);
    assert_eq!(
        mails(&fixture.smtp).len(),
        1,
        "the first poll's unmapped digest"
    );
    {
        // One subscription per page: page 1 holds the new one, page 3 (Fabrikam's Defender,
        // already stored) fails, so the snapshot is incomplete.
        let mut state = lock(&fixture.pax8_state);
        state.subscriptions.insert(
            0,
            subscription("s-3", "c-fabrikam", "p-bp", 10, "22.00", "Active"),
        );
        state.faults.fail_subscription_page = Some(2);
    }
    let partial = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(partial.status.code(), Some(2), "{}", transcript(&partial));
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert!(
        stderr.contains("INCOMPLETE") && stderr.contains("lower bound"),
        "{}",
        transcript(&partial)
    );
    let received = mails(&fixture.smtp);
    assert_eq!(
        received.len(),
        3,
        "one source alert for the outage and exactly one gap alert: {received:?}"
    );
    let (outage, alert): (Vec<_>, Vec<_>) = received[1..]
        .iter()
        .partition(|mail| mail.data.contains("source pax8 failing"));
    assert_eq!(outage.len(), 1, "{received:?}");
    let alert = &alert[0].data;
    assert!(alert.contains("Fabrikam"), "{alert}");
    assert!(
        !alert.contains("Contoso"),
        "nothing about the client whose seats did not change: {alert}"
    );
    assert!(
        !alert.contains("orphan") && !alert.contains("Defender"),
        "the unread page makes nothing look gone: {alert}"
    );
    let stdout = String::from_utf8_lossy(&partial.stdout);
    assert!(!stdout.contains("Verdict: Clean"), "{stdout}");

    let again = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        mails(&fixture.smtp).len(),
        3,
        "neither the gap nor the outage is told twice"
    );
}

#[test]
fn a_new_customer_on_page_1_of_a_pull_that_fails_on_page_3_is_told_as_unmapped() {
    let fixture = fixture();
    mapped_and_clean(&fixture);
    {
        let mut state = lock(&fixture.pax8_state);
        state.companies.push(connector_fakes::company(
            "c-tailspin",
            "Tailspin Toys",
            "CW-TAILSPIN",
        ));
        state.subscriptions.insert(
            0,
            subscription("s-9", "c-tailspin", "p-bp", 25, "22.00", "Active"),
        );
        state.faults.fail_subscription_page = Some(2);
    }
    let partial = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(partial.status.code(), Some(2), "{}", transcript(&partial));
    let received = mails(&fixture.smtp);
    assert_eq!(received.len(), 3, "{received:?}");
    let unmapped: Vec<_> = received[1..]
        .iter()
        .filter(|mail| mail.data.contains("new unmapped"))
        .collect();
    assert_eq!(unmapped.len(), 1, "{received:?}");
    assert!(
        unmapped[0].data.contains("Tailspin Toys") && !unmapped[0].data.contains("Contoso"),
        "{}",
        unmapped[0].data
    );
}

#[test]
fn a_psa_pull_that_stops_early_raises_no_false_gap_and_resolves_nothing() {
    let fixture = fixture();
    // Fabrikam also has 4 Business Premium seats, billed on a second addition of its agreement.
    lock(&fixture.pax8_state).subscriptions.push(subscription(
        "s-4",
        "c-fabrikam",
        "p-bp",
        4,
        "22.00",
        "Active",
    ));
    lock(&fixture.cw_state)
        .additions
        .get_mut(&102)
        .expect("Fabrikam's agreement")
        .push(connector_fakes::addition(1003, 102, "M365-BP", 4, "30.00"));
    mapped_and_clean(&fixture);
    lock(&fixture.pax8_state).subscriptions[0]["quantity"] = serde_json::json!(15);
    let gap = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(gap.status.code(), Some(1), "{}", transcript(&gap));
    assert_eq!(
        mails(&fixture.smtp).len(),
        2,
        "Contoso's 5 unbilled seats told"
    );
    {
        // The PSA is fixed for Contoso, but the pull fails on the page of Fabrikam's additions
        // that holds its Business Premium line. Read as a partial snapshot, it would resolve
        // Contoso's gap from half the data and show Fabrikam's 4 billed seats as missing.
        let mut state = lock(&fixture.cw_state);
        state.additions.insert(
            101,
            vec![connector_fakes::addition(1001, 101, "M365-BP", 15, "30.00")],
        );
        state.fail_page_id = Some(1002);
    }
    for _ in 0..2 {
        let failed = billgap(&fixture, &["watch", "--once"]);
        assert_eq!(failed.status.code(), Some(2), "{}", transcript(&failed));
        let stdout = String::from_utf8_lossy(&failed.stdout);
        assert!(
            stdout.contains("connectwise pull is incomplete"),
            "{stdout}"
        );
        assert!(
            stdout.contains("clients over threshold"),
            "Contoso's gap stays open: {stdout}"
        );
    }
    let received = mails(&fixture.smtp);
    assert_eq!(
        received.len(),
        3,
        "only the outage: no missing gap for Fabrikam, nothing about Contoso: {received:?}"
    );
    assert!(received[2].data.contains("source connectwise failing"));

    lock(&fixture.cw_state).fail_page_id = None;
    let whole = billgap(&fixture, &["watch", "--once"]);
    assert_eq!(
        whole.status.code(),
        Some(0),
        "once the PSA pulls whole, the fix shows: {}",
        transcript(&whole)
    );
}

#[test]
fn pull_stores_one_source_and_says_what_it_spent() {
    let fixture = fixture();
    let output = billgap(&fixture, &["pull", "connectwise"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("connectwise: 2 records gave 2 lines"),
        "{stdout}"
    );
    assert!(stdout.contains("requests"), "the budget is shown: {stdout}");
    let unconfigured = billgap(&fixture, &["pull", "sherweb"]);
    assert_eq!(unconfigured.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unconfigured.stderr).contains("no [sherweb] table"),
        "{}",
        transcript(&unconfigured)
    );
    let unknown = billgap(&fixture, &["pull", "tdsynnex"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not a source billgap can pull"));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_long_running_watch_cleanly_between_polls() {
    use std::io::{BufRead, BufReader};
    let fixture = fixture();
    let mut child = command(&fixture, &["watch", "--every", "1h"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        let done = line.contains("recorded the run");
        seen.push(line);
        if done {
            break;
        }
    }
    assert!(
        seen.iter().any(|line| line.contains("recorded the run")),
        "{seen:?}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = std::time::Instant::now();
    let exit = child.wait().expect("wait");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(exit.code(), Some(0), "a clean stop");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter()
            .any(|line| line.contains("stopped between polls")),
        "{rest:?}"
    );
    let connection = rusqlite::Connection::open(&fixture.database).expect("open");
    let pulls: i64 = connection
        .query_row("SELECT count(*) FROM pulls WHERE complete = 1", [], |row| {
            row.get(0)
        })
        .expect("count");
    assert_eq!(pulls, 2, "both pulls of the first poll are stored whole");
}
