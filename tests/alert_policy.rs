//! What a check holds against the thresholds, and how its emails thread, end to end: the
//! fixture database, a real SMTP server on loopback, runs on replayed days.
//!
//! The fixture's gaps (USD): Contoso 4 Business Premium seats unbilled at a PSA price of 30 and
//! a vendor cost of 22 (value 120, cost 88, margin 32); Fabrikam 5 Business Basic seats billed
//! without cost at 22, bought at 6 (value -110, cost -30, margin -80).

mod smtp_peer;
mod tui_fixture;

use billgap::alert::email::{SmtpSecurity, SmtpSettings};
use billgap::alert::{RecordedPauses, RetryPolicy};
use billgap::domain::alerting::{Cadence, Measure};
use billgap::domain::lines::SourceKey;
use billgap::store::{Recipients, Store};
use billgap::workflow::{AlertSettings, CheckOutcome, Workspace};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use smtp_peer::SmtpPeer;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CONTOSO_PEOPLE: &str = "ana@msp.example";
const FABRIKAM_PEOPLE: &str = "raj@msp.example";

fn day(number: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, number).expect("date")
}

fn settings(port: u16) -> AlertSettings {
    AlertSettings {
        cadence: Cadence::Daily,
        reminder_days: 7,
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            from: "billgap@msp.example".into(),
            username: None,
            extra_root_certificate_pem: None,
        }),
        retry: RetryPolicy {
            attempts: 2,
            first_wait: Duration::from_millis(1),
            longest_wait: Duration::from_millis(5),
        },
        ..AlertSettings::default()
    }
}

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

fn check(database: &Path, on: NaiveDate, settings: &AlertSettings, dry_run: bool) -> CheckOutcome {
    let mut workspace = Workspace::open_as_of(database, on).expect("open");
    workspace
        .check(settings, dry_run, &mut RecordedPauses::default())
        .expect("check")
}

/// Who a dry run would email, by address.
fn told(database: &Path, settings: &AlertSettings) -> Vec<String> {
    let mut channels: Vec<String> = check(database, day(2), settings, true)
        .messages
        .iter()
        .filter_map(|message| message.channel.strip_prefix("email:"))
        .map(str::to_string)
        .collect();
    channels.sort();
    channels
}

fn with(port: u16, measure: Measure, threshold: Decimal) -> AlertSettings {
    AlertSettings {
        measure,
        threshold: Some(threshold),
        ..settings(port)
    }
}

#[test]
fn the_measure_decides_who_is_over_the_threshold() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let port = 9; // dry runs never connect
    // Revenue: Contoso 120 and Fabrikam 110 are over 100.
    assert_eq!(
        told(&database, &with(port, Measure::Revenue, dec!(100))),
        [CONTOSO_PEOPLE, FABRIKAM_PEOPLE]
    );
    // Cost: Contoso 88 and Fabrikam 30 are not.
    assert!(told(&database, &with(port, Measure::Cost, dec!(100))).is_empty());
    assert_eq!(
        told(&database, &with(port, Measure::Cost, dec!(87.99))),
        [CONTOSO_PEOPLE]
    );
    // Margin: Contoso 32, Fabrikam 80.
    assert_eq!(
        told(&database, &with(port, Measure::Margin, dec!(50))),
        [FABRIKAM_PEOPLE]
    );
    let outcome = check(
        &database,
        day(2),
        &with(port, Measure::Margin, dec!(50)),
        true,
    );
    let text = &outcome.messages[0].rendered.text;
    assert!(
        text.contains("Held against the threshold: margin"),
        "{text}"
    );
}

#[test]
fn a_currency_threshold_applies_and_a_client_threshold_still_wins() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let mut settings = with(9, Measure::Revenue, dec!(100));
    settings
        .currency_thresholds
        .insert("USD".to_string(), dec!(115));
    // USD 115 replaces the default 100: Fabrikam's 110 is under it now, Contoso's 120 is not.
    assert_eq!(told(&database, &settings), [CONTOSO_PEOPLE]);
    settings
        .currency_thresholds
        .insert("USD".to_string(), dec!(130));
    assert!(told(&database, &settings).is_empty());
    let mut workspace = Workspace::open_as_of(&database, day(2)).expect("open");
    workspace
        .set_threshold(
            Some(&SourceKey::new("connectwise", "CW-FABRIKAM")),
            dec!(50),
        )
        .expect("override");
    drop(workspace);
    assert_eq!(told(&database, &settings), [FABRIKAM_PEOPLE]);
}

#[test]
fn a_gap_younger_than_the_minimum_age_waits() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let peer = SmtpPeer::start(false);
    let settings = AlertSettings {
        min_age_days: 3,
        ..settings(peer.port())
    };
    check(&database, day(2), &settings, false);
    check(&database, day(4), &settings, false);
    assert!(peer.messages().is_empty(), "2 days old: not yet");
    check(&database, day(5), &settings, false);
    let to_ana = peer
        .messages()
        .into_iter()
        .filter(|mail| mail.to.iter().any(|to| to == CONTOSO_PEOPLE))
        .count();
    assert_eq!(to_ana, 1, "3 days old: told");
}

/// A header's value in a raw message (unfolded), if present.
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next().unwrap_or_default();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

#[test]
fn follow_ups_about_a_client_reply_to_its_first_message() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let peer = SmtpPeer::start(false);
    let settings = settings(peer.port());
    let mails_to = |address: &str| -> Vec<String> {
        peer.messages()
            .into_iter()
            .filter(|mail| mail.to.iter().any(|to| to == address))
            .map(|mail| mail.data)
            .collect()
    };
    check(&database, day(2), &settings, false);
    check(&database, day(9), &settings, false); // a reminder
    check(&database, day(16), &settings, false); // another
    let ana = mails_to(CONTOSO_PEOPLE);
    assert_eq!(ana.len(), 3, "first alert and two reminders");
    let first = header(&ana[0], "Message-ID").expect("a Message-ID");
    assert_eq!(
        header(&ana[0], "In-Reply-To"),
        None,
        "the first starts the thread"
    );
    for reminder in &ana[1..] {
        assert_eq!(header(reminder, "In-Reply-To").as_ref(), Some(&first));
        assert_eq!(header(reminder, "References").as_ref(), Some(&first));
        assert_ne!(header(reminder, "Message-ID").as_ref(), Some(&first));
    }
    let raj = mails_to(FABRIKAM_PEOPLE);
    let fabrikam_first = header(&raj[0], "Message-ID").expect("a Message-ID");
    assert_ne!(fabrikam_first, first, "another client, another thread");
    assert_eq!(header(&raj[1], "In-Reply-To"), Some(fabrikam_first));
    let stored: String = logged_thread(&database, &first);
    assert_eq!(stored, "connectwise:CW-CONTOSO");
}

/// The thread the notifications log holds for a Message-ID.
fn logged_thread(database: &Path, message_id: &str) -> String {
    let store = Store::open(database).expect("store");
    store
        .thread_of_message(message_id)
        .expect("query")
        .expect("logged")
}

/// The cells of each `<tr>` of an HTML table, as written (`<th>` or `<td>` content).
fn table_rows(html: &str) -> Vec<Vec<String>> {
    html.split("<tr")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap_or(row.len())];
            row.split("<t")
                .skip(1)
                .filter(|cell| cell.starts_with('d') || cell.starts_with('h'))
                .filter_map(|cell| {
                    let start = cell.find('>')? + 1;
                    let end = cell.find("</t")?;
                    Some(cell[start..end].to_string())
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_alert_email_shows_a_gap_as_the_html_report_does() {
    let folder = tempfile::tempdir().expect("temp");
    let database = fixture_database(folder.path());
    let outcome = check(&database, day(2), &settings(9), true);
    let page = billgap::export::html::render(&outcome.report);
    let contoso = outcome
        .messages
        .iter()
        .find(|message| message.channel == format!("email:{CONTOSO_PEOPLE}"))
        .expect("Contoso's alert");
    let email_rows = table_rows(&contoso.rendered.html);
    assert_eq!(email_rows.len(), 2, "a header and Contoso's one gap");
    let email_header = &email_rows[0];
    assert!(email_header.contains(&"Value / month".to_string()));
    // The report's gap tables: their header, then Contoso's row.
    let report_rows = table_rows(&page);
    let report_header = report_rows
        .iter()
        .find(|row| row.first().map(String::as_str) == Some("Client") && row.len() == 13)
        .expect("a gap table header");
    let report_row = report_rows
        .iter()
        .find(|row| row.len() == report_header.len() && row[0] == "Contoso")
        .expect("Contoso's gap in the report");
    for email_row in &email_rows[1..] {
        for (column, cell) in email_header.iter().zip(email_row) {
            let index = report_header
                .iter()
                .position(|header| header == column)
                .unwrap_or_else(|| panic!("the report has a {column} column"));
            assert_eq!(&report_row[index], cell, "{column}");
        }
    }
    assert!(
        contoso.rendered.html.contains("<style>"),
        "the report's style"
    );
}
