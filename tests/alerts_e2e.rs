//! Scheduled checks end to end: real SMTP and HTTP servers that the tests start on loopback,
//! a real database, several runs. Routing per client, dedupe across runs and processes,
//! reminders, the resolved notice, retries, a server that is down, and secrets.

mod http_peer;
mod smtp_peer;
mod tui_fixture;

use billgap::alert::email::{SmtpSecurity, SmtpSettings};
use billgap::alert::webhook::{WebhookKind, WebhookSettings};
use billgap::alert::{RecordedPauses, RetryPolicy};
use billgap::domain::alerting::Cadence;
use billgap::domain::decision::Decision;
use billgap::domain::lines::SourceKey;
use billgap::store::{Origin, Recipients, Store};
use billgap::workflow::{AlertSettings, Workspace};
use chrono::NaiveDate;
use http_peer::HttpPeer;
use smtp_peer::SmtpPeer;
use std::path::{Path, PathBuf};
use std::time::Duration;

const OWNER: &str = "owner@msp.example";
const CONTOSO_PEOPLE: &str = "ana@msp.example";
const FABRIKAM_PEOPLE: &str = "raj@msp.example";

fn day(number: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, number).expect("date")
}

fn smtp(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        from: "billgap@msp.example".into(),
        username: None,
        extra_root_certificate_pem: None,
    }
}

fn settings(port: u16) -> AlertSettings {
    AlertSettings {
        owner: Some(OWNER.into()),
        cadence: Cadence::Daily,
        reminder_days: 7,
        smtp: Some(smtp(port)),
        retry: RetryPolicy {
            attempts: 3,
            first_wait: Duration::from_millis(1),
            longest_wait: Duration::from_millis(5),
        },
        ..AlertSettings::default()
    }
}

/// The fixture database with recipients for Contoso and Fabrikam; Northwind has none.
fn fixture_database(folder: &Path) -> PathBuf {
    let database = tui_fixture::build(folder);
    let store = Store::open(&database).expect("store");
    for (company, person) in [
        ("CW-CONTOSO", CONTOSO_PEOPLE),
        ("CW-FABRIKAM", FABRIKAM_PEOPLE),
    ] {
        store
            .set_recipients(
                &SourceKey::new("connectwise", company),
                &Recipients {
                    billing_owner: Some(person.into()),
                    ..Recipients::default()
                },
            )
            .expect("recipients");
    }
    database
}

fn check(
    database: &Path,
    on: NaiveDate,
    settings: &AlertSettings,
) -> billgap::workflow::CheckOutcome {
    let mut workspace = Workspace::open_as_of(database, on).expect("open");
    workspace
        .check(settings, false, &mut RecordedPauses::default())
        .expect("check")
}

/// The mails one address received.
fn mails_to(peer: &SmtpPeer, address: &str) -> Vec<String> {
    peer.messages()
        .into_iter()
        .filter(|mail| mail.to.iter().any(|to| to == address))
        .map(|mail| mail.data)
        .collect()
}

#[test]
fn each_client_is_told_only_to_its_own_people_and_the_owner_gets_the_digest() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let peer = SmtpPeer::start(false);
    let outcome = check(&database, day(2), &settings(peer.port()));
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let ana = mails_to(&peer, CONTOSO_PEOPLE);
    assert_eq!(ana.len(), 1, "one mail per recipient per run");
    assert!(ana[0].contains("Contoso"));
    assert!(!ana[0].contains("Fabrikam"), "never another client's gaps");
    let raj = mails_to(&peer, FABRIKAM_PEOPLE);
    assert_eq!(raj.len(), 1);
    assert!(raj[0].contains("Fabrikam") && !raj[0].contains("Contoso"));
    let owner = mails_to(&peer, OWNER);
    assert_eq!(owner.len(), 1, "the owner's digest is one mail");
    for client in ["Contoso", "Fabrikam", "Northwind"] {
        assert!(owner[0].contains(client), "the digest lists {client}");
    }
    assert!(
        owner[0].contains("Coverage:"),
        "coverage comes first in every alert"
    );
}

#[test]
fn an_unchanged_gap_is_told_once_then_reminded_after_the_interval() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let peer = SmtpPeer::start(false);
    let settings = settings(peer.port());
    for _ in 0..3 {
        check(&database, day(2), &settings);
    }
    assert_eq!(
        mails_to(&peer, CONTOSO_PEOPLE).len(),
        1,
        "three runs on one day"
    );
    check(&database, day(3), &settings);
    assert_eq!(
        mails_to(&peer, CONTOSO_PEOPLE).len(),
        1,
        "unchanged the next day"
    );
    check(&database, day(9), &settings);
    let mails = mails_to(&peer, CONTOSO_PEOPLE);
    assert_eq!(mails.len(), 2, "a reminder after 7 days");
    assert!(mails[1].contains("still open"));
}

#[test]
fn two_overlapping_checks_send_each_message_once() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let peer = SmtpPeer::start(false);
    let settings = settings(peer.port());
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (database, settings) = (database.clone(), settings.clone());
            std::thread::spawn(move || check(&database, day(2), &settings))
        })
        .collect();
    for run in runs {
        run.join().expect("a check thread");
    }
    assert_eq!(mails_to(&peer, CONTOSO_PEOPLE).len(), 1);
    assert_eq!(mails_to(&peer, FABRIKAM_PEOPLE).len(), 1);
    assert_eq!(mails_to(&peer, OWNER).len(), 1);
}

#[test]
fn a_refusing_server_is_retried_and_a_down_server_is_sent_to_by_the_next_run() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let refusing = SmtpPeer::start_refusing(1);
    let outcome = check(&database, day(2), &settings(refusing.port()));
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_eq!(refusing.refused(), 1, "the first DATA was refused with 451");
    assert_eq!(
        refusing.messages().len(),
        3,
        "then all three mails went through"
    );

    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let down = check(&database, day(2), &settings(closed));
    assert_eq!(
        down.failures.len(),
        3,
        "every mail failed: {:?}",
        down.failures
    );
    let peer = SmtpPeer::start(false);
    let next = check(&database, day(2), &settings(peer.port()));
    assert!(next.failures.is_empty(), "{:?}", next.failures);
    assert_eq!(
        mails_to(&peer, CONTOSO_PEOPLE).len(),
        1,
        "the next run sends what was due"
    );
}

#[test]
fn a_resolved_notice_goes_once_after_two_complete_runs_and_only_where_alerted() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    // Complete coverage: leave the unmapped customers out on purpose.
    let mut store = Store::open(&database).expect("store");
    for tenant in ["tenant-tailspin", "tenant-woodgrove"] {
        store
            .decide(
                &Decision::IgnoreCustomer {
                    vendor: SourceKey::new("microsoft", tenant),
                    reason: "not ours".into(),
                    until: None,
                },
                Origin::Manual,
            )
            .expect("ignore");
    }
    let hook = HttpPeer::start(Vec::<(u16, Vec<(&str, &str)>, &[u8])>::new());
    let peer = SmtpPeer::start(false);
    let mut settings = settings(peer.port());
    settings.email_resolved = true;
    settings.webhooks = vec![(
        WebhookSettings {
            kind: WebhookKind::Generic,
            url: hook.url("/alerts"),
            name: Some("ops".into()),
            send_resolved: None,
            root_certificate_pem: None,
        },
        None,
    )];
    let first = check(&database, day(2), &settings);
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    let told: Vec<String> = hook
        .requests()
        .iter()
        .map(|request| request.text())
        .collect();
    assert!(
        told.iter().any(|body| body.contains("CW-CONTOSO")),
        "{told:?}"
    );
    // The fix: Contoso's tenant leaves the comparison, so its unbilled gap is gone.
    store
        .decide(
            &Decision::IgnoreCustomer {
                vendor: SourceKey::new("microsoft", "tenant-contoso"),
                reason: "moved to direct billing".into(),
                until: None,
            },
            Origin::Manual,
        )
        .expect("ignore");
    let resolved_posts = |hook: &HttpPeer| {
        hook.requests()
            .iter()
            .filter(|request| request.json()["status"] == "resolved")
            .count()
    };
    check(&database, day(3), &settings);
    assert_eq!(resolved_posts(&hook), 0, "one run without it is not enough");
    check(&database, day(4), &settings);
    assert_eq!(
        resolved_posts(&hook),
        1,
        "gone in two complete runs: resolved, once"
    );
    check(&database, day(5), &settings);
    assert_eq!(resolved_posts(&hook), 1, "never repeated");
    // Contoso's people were told of the gap, and are told it is resolved, once (leaving the
    // tenant out also turned Contoso's PSA seats into an overbilled gap, told on its own).
    let subjects: Vec<String> = mails_to(&peer, CONTOSO_PEOPLE)
        .iter()
        .filter_map(|mail| {
            mail.lines()
                .find(|line| line.starts_with("Subject:"))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(
        subjects,
        [
            "Subject: [billgap] Contoso: 1 gap(s), 120.00 USD/month unbilled",
            "Subject: [billgap] Contoso: 1 gap(s), 240.00 USD/month overbilled",
            "Subject: [billgap] Contoso: 1 gap(s) resolved",
        ]
    );
}

#[test]
fn no_secret_appears_in_any_output_of_a_failing_check() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts]\nowner = \"{OWNER}\"\ncadence = \"daily\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {closed}\nsecurity = \"none\"\nfrom = \"billgap@msp.example\"\n\n[[webhooks]]\nkind = \"slack\"\nname = \"chat\"\nurl = \"http://127.0.0.1:{closed}/services/T0KEN-IN-URL\"\n"
        ),
    )
    .expect("config");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
        .args(["check", "--as-of", "2026-11-02"])
        .env("BILLGAP_DB", &database)
        .env("BILLGAP_CONFIG", &config)
        .env("BILLGAP_SMTP_PASSWORD", "s3cret-smtp-password")
        .env("BILLGAP_WEBHOOK_SECRET_CHAT", "s3cret-signing-key")
        .output()
        .expect("run billgap");
    assert_eq!(output.status.code(), Some(2), "a failed delivery exits 2");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("delivery failed"), "{all}");
    for secret in ["s3cret-smtp-password", "s3cret-signing-key", "T0KEN-IN-URL"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
}

#[test]
fn alert_test_reaches_every_channel_and_doctor_names_what_is_missing() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let peer = SmtpPeer::start(false);
    let hook = HttpPeer::start(Vec::<(u16, Vec<(&str, &str)>, &[u8])>::new());
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts]\nowner = \"{OWNER}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"billgap@msp.example\"\n\n[[webhooks]]\nkind = \"teams\"\nname = \"billing\"\nurl = \"{}\"\n",
            peer.port(),
            hook.url("/workflows/abc")
        ),
    )
    .expect("config");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_billgap"))
            .args(args)
            .env("BILLGAP_DB", &database)
            .env("BILLGAP_CONFIG", &config)
            .output()
            .expect("run billgap")
    };
    let tested = run(&["alert", "test"]);
    assert_eq!(
        tested.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&tested.stdout)
    );
    assert_eq!(mails_to(&peer, OWNER).len(), 1);
    assert!(mails_to(&peer, OWNER)[0].contains("Sample client"));
    assert_eq!(hook.requests().len(), 1);
    let doctor = run(&["doctor"]);
    assert_eq!(
        doctor.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&doctor.stdout)
    );
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"billgap@msp.example\"\nusername = \"billgap\"\n",
            peer.port()
        ),
    )
    .expect("config");
    let missing = run(&["doctor"]);
    assert_eq!(missing.status.code(), Some(2));
    let shown = String::from_utf8_lossy(&missing.stdout);
    assert!(
        shown.contains("missing: set BILLGAP_SMTP_PASSWORD"),
        "{shown}"
    );
}

#[test]
fn posts_to_one_chat_channel_are_spaced_a_second_apart() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let hook = HttpPeer::start(Vec::<(u16, Vec<(&str, &str)>, &[u8])>::new());
    let mut settings = settings(SmtpPeer::start(false).port());
    settings.smtp = None;
    settings.webhooks = vec![(
        WebhookSettings {
            kind: WebhookKind::Slack,
            url: hook.url("/services/abc"),
            name: Some("chat".into()),
            send_resolved: None,
            root_certificate_pem: None,
        },
        None,
    )];
    let mut pauses = RecordedPauses::default();
    let mut workspace = Workspace::open_as_of(&database, day(2)).expect("open");
    let outcome = workspace
        .check(&settings, false, &mut pauses)
        .expect("check");
    let posts = hook.requests().len();
    assert!(
        posts >= 2,
        "one post per client over its threshold: {posts}"
    );
    assert_eq!(outcome.delivered, posts);
    let spacings = pauses
        .0
        .iter()
        .filter(|pause| **pause == Duration::from_secs(1))
        .count();
    assert_eq!(spacings, posts - 1, "{:?}", pauses.0);
}
