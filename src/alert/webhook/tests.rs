//! Unit tests of the payloads, the signature and the status mapping.

use super::payload::*;
use super::*;
use crate::domain::alerting::{AlertReason, AlertedGap};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::Currency;
use crate::domain::money::Money;
use crate::domain::reconcile::GapKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::parse("USD").expect("USD"))
}

fn gap(product: &str, reason: AlertReason) -> AlertedGap {
    AlertedGap {
        key: format!("contoso|{product}|annual|unbilled|USD"),
        product: SourceKey::new("connectwise", product),
        product_name: product.to_string(),
        term: Term::Annual,
        kind: GapKind::Unbilled,
        vendor_seats: dec!(12),
        psa_seats: dec!(8),
        delta: dec!(4),
        value: Some(usd(dec!(88.00))),
        age_days: 14,
        cost_to_date: Some(usd(dec!(41.07))),
        reason,
    }
}

fn group(name: &str, gaps: Vec<AlertedGap>) -> AlertGroup {
    AlertGroup {
        company: SourceKey::new("connectwise", "19"),
        company_name: name.to_string(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        measure: crate::domain::alerting::Measure::Revenue,
        coverage: "Coverage: 41 of 43 vendor customers mapped (95%).".to_string(),
        unbilled: vec![usd(dec!(412.00))],
        overbilled: Vec::new(),
        gaps,
    }
}

fn settings(toml_text: &str) -> Result<WebhookSettings, toml::de::Error> {
    toml::from_str(toml_text)
}

#[test]
fn settings_read_a_webhooks_table_and_resolved_notices_default_on() {
    let teams =
        settings("kind = \"teams\"\nurl = \"https://example.test/hook\"").expect("valid settings");
    assert_eq!(teams.kind, WebhookKind::Teams);
    assert_eq!(teams.name, None);
    assert!(teams.sends_resolved());

    let slack = settings(
            "kind = \"slack\"\nurl = \"https://hooks.slack.test/x\"\nname = \"ops\"\nsend_resolved = false",
        )
        .expect("valid settings");
    assert_eq!(slack.kind, WebhookKind::Slack);
    assert!(!slack.sends_resolved());
    assert_eq!(slack.receiver(), "ops");
}

#[test]
fn settings_refuse_a_secret_an_unknown_key_and_an_unknown_kind() {
    assert!(settings("kind = \"generic\"\nurl = \"https://a.test/\"\nsecret = \"s\"").is_err());
    assert!(
        settings("kind = \"generic\"\nurl = \"https://a.test/\"\nsend_resolve = true").is_err()
    );
    assert!(settings("kind = \"discord\"\nurl = \"https://a.test/\"").is_err());
}

#[test]
fn settings_never_print_the_url_token() {
    let slack = settings(
        "kind = \"slack\"\nurl = \"https://hooks.slack.test/services/T000/B000/SeCrEtToKeN42\"",
    )
    .expect("valid settings");
    let debug = format!("{slack:?}");
    assert!(!debug.contains("SeCrEtToKeN42"), "{debug}");
    assert!(debug.contains("hooks.slack.test"), "{debug}");
    assert_eq!(slack.receiver(), "hooks.slack.test");
}

#[test]
fn only_https_or_loopback_http_is_accepted() {
    for url in [
        "https://hooks.slack.test/x",
        "HTTPS://Example.test:8443/x",
        "http://127.0.0.1:8080/x",
        "http://127.9.8.7/x",
        "http://localhost:1/x",
        "http://[::1]:9/x",
    ] {
        assert!(Endpoint::parse(url).is_ok(), "{url} should be accepted");
    }
    for url in [
        "http://hooks.slack.test/x",
        "http://127.0.0.1.evil.test/x",
        "http://localhost.evil.test/x",
        "http://10.0.0.1/x",
        "ftp://127.0.0.1/x",
        "hooks.slack.test/x",
        "not a url",
    ] {
        assert!(
            matches!(Endpoint::parse(url), Err(DeliveryError::Misconfigured(_))),
            "{url} should be refused"
        );
    }
    let endpoint = Endpoint::parse("http://[::1]:9/x").expect("loopback");
    assert_eq!(endpoint.host, "::1");
    assert!(endpoint.loopback);
}

#[test]
fn the_signature_is_hmac_sha256_in_hex() {
    // RFC 4231, test case 2.
    assert_eq!(
        signature("Jefe", b"what do ya want for nothing?").expect("a key"),
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn retry_after_reads_seconds_and_ignores_dates() {
    assert_eq!(retry_after(Some("7")), Some(Duration::from_secs(7)));
    assert_eq!(retry_after(Some(" 120 ")), Some(Duration::from_secs(120)));
    assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
    assert_eq!(retry_after(Some("-1")), None);
    assert_eq!(retry_after(None), None);
}

#[test]
fn the_receivers_words_lose_the_token_the_secret_and_control_characters() {
    let url = "https://hooks.slack.test/services/T000/B000/SeCrEtToKeN42?sig=AbCdEfGhIjKl";
    let echoed =
        "no_service\u{1b}[2J for /services/T000/B000/SeCrEtToKeN42 (sig AbCdEfGhIjKl) key hunter22";
    let words = receivers_words(echoed, url, Some("hunter22"));
    assert!(!words.contains("SeCrEtToKeN42"), "{words}");
    assert!(!words.contains("AbCdEfGhIjKl"), "{words}");
    assert!(!words.contains("hunter22"), "{words}");
    assert!(!words.contains('\u{1b}'), "{words}");
    assert!(words.starts_with("no_service"), "{words}");
    assert!(
        receivers_words(&"x".repeat(5000), url, None)
            .chars()
            .count()
            <= WORDS_CHARS
    );
}

#[test]
fn teams_is_an_adaptive_card_with_coverage_first() {
    let card = body(
        WebhookKind::Teams,
        &group("Contoso", vec![gap("Business Premium", AlertReason::New)]),
        "k1",
    );
    assert_eq!(card["type"], "message");
    let attachment = &card["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let content = &attachment["content"];
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    let blocks = content["body"].as_array().expect("a body");
    assert_eq!(blocks[0]["text"], "billgap: Contoso");
    assert_eq!(
        blocks[1]["text"],
        "Coverage: 41 of 43 vendor customers mapped (95%)."
    );
    let facts = blocks[3]["items"][1]["facts"].as_array().expect("facts");
    let value = |title: &str| {
        facts
            .iter()
            .find(|fact| fact["title"] == title)
            .map(|fact| fact["value"].clone())
    };
    assert_eq!(value("Value per month"), Some(json!("88.00 USD")));
    assert_eq!(value("Cost to date"), Some(json!("41.07 USD")));
    assert_eq!(value("Seats"), Some(json!("12 vendor, 8 billed (+4)")));
    assert_eq!(value("Age"), Some(json!("14 days")));
    assert_eq!(value("Reason"), Some(json!("new")));
}

#[test]
fn teams_text_cannot_carry_markdown_links_images_or_html() {
    let hostile = "1. [click](javascript:alert(1)) ![t](http://evil.test/p.png) <img src=x> **b** _i_ `c` \\*\u{1b}[31m";
    let card = body(
        WebhookKind::Teams,
        &group(hostile, vec![gap(hostile, AlertReason::New)]),
        "k",
    );
    let title = card["attachments"][0]["content"]["body"][0]["text"]
        .as_str()
        .expect("text")
        .to_string();
    let product = card["attachments"][0]["content"]["body"][3]["items"][0]["text"]
        .as_str()
        .expect("text")
        .to_string();
    for text in [&title, &product] {
        assert!(!text.contains('\u{1b}'), "{text}");
        // Every special character is preceded by a backslash that is not itself escaped.
        let characters: Vec<char> = text.chars().collect();
        for (at, character) in characters.iter().enumerate() {
            if matches!(character, '[' | ']' | '<' | '>' | '*' | '_' | '`') {
                let backslashes = characters[..at]
                    .iter()
                    .rev()
                    .take_while(|c| **c == '\\')
                    .count();
                assert!(backslashes % 2 == 1, "unescaped {character:?} in {text}");
            }
        }
    }
    assert!(product.starts_with("1\\. "), "{product}");
}

#[test]
fn teams_list_markers_are_escaped_only_where_they_start_a_list() {
    assert_eq!(teams_escape("1. Contoso"), "1\\. Contoso");
    assert_eq!(teams_escape("12) Contoso"), "12\\) Contoso");
    assert_eq!(teams_escape("- Contoso"), "\\- Contoso");
    assert_eq!(teams_escape("+ Contoso"), "\\+ Contoso");
    assert_eq!(teams_escape("88.00 USD"), "88.00 USD");
    assert_eq!(teams_escape("-30.00 USD"), "-30.00 USD");
    assert_eq!(
        teams_escape("Contoso 2. Ltd - East"),
        "Contoso 2. Ltd - East"
    );
    assert_eq!(teams_escape("a\\*b*"), "a\\\\\\*b\\*");
}

#[test]
fn slack_escapes_mentions_and_links_and_keeps_names_verbatim() {
    let hostile = "Evil <!channel> & <https://evil.test|click> @here\u{7}";
    let message = body(
        WebhookKind::Slack,
        &group(hostile, vec![gap("<@U123> Premium", AlertReason::Worse)]),
        "k",
    );
    let text = message["text"].as_str().expect("text");
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
    assert!(text.contains("&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;"));
    assert!(!text.contains('\u{7}'));
    let blocks = message["blocks"].as_array().expect("blocks");
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[1]["text"]["verbatim"], true);
    assert_eq!(
        blocks[1]["text"]["text"],
        "Coverage: 41 of 43 vendor customers mapped (95%)."
    );
    let product = blocks[4]["text"]["text"].as_str().expect("product");
    assert_eq!(product, "*&lt;@U123&gt; Premium*");
    let fields = blocks[4]["fields"].as_array().expect("fields");
    assert!(fields.iter().all(|field| field["verbatim"] == true));
    assert!(
        fields
            .iter()
            .any(|field| field["text"] == "*Value per month*\n88.00 USD")
    );
}

#[test]
fn long_alerts_stay_within_slack_and_teams_limits() {
    let gaps: Vec<AlertedGap> = (0..100)
        .map(|n| {
            gap(
                &format!("Product {n} {}", "x".repeat(500)),
                AlertReason::New,
            )
        })
        .collect();
    let group = group(&"C".repeat(1000), gaps);
    let slack = body(WebhookKind::Slack, &group, "k");
    let blocks = slack["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    assert!(slack.to_string().contains("…and 60 more gaps"));
    assert!(
        blocks[0]["text"]["text"]
            .as_str()
            .expect("header")
            .chars()
            .count()
            <= SLACK_HEADER_CHARS
    );
    let teams = body(WebhookKind::Teams, &group, "k").to_string();
    assert!(teams.len() < 28_000, "{} bytes", teams.len());
    assert!(teams.contains("…and 75 more gaps"));
}

#[test]
fn generic_is_alertmanager_shaped_with_money_as_exact_strings() {
    let mut unpriced = gap("Exchange Online", AlertReason::New);
    unpriced.value = None;
    unpriced.cost_to_date = None;
    let document = body(
        WebhookKind::Generic,
        &group(
            "Contoso\u{1b}[31m",
            vec![gap("Business Premium", AlertReason::New), unpriced],
        ),
        "content-hash-1",
    );
    assert_eq!(document["version"], "4");
    assert_eq!(document["status"], "firing");
    assert_eq!(document["receiver"], "billgap");
    assert_eq!(document["groupKey"], "billgap:connectwise:19");
    assert_eq!(document["idempotencyKey"], "content-hash-1");
    assert_eq!(document["groupLabels"]["client"], "Contoso[31m");
    assert_eq!(
        document["commonLabels"],
        json!({"client": "Contoso[31m", "term": "annual", "kind": "unbilled", "source": "billgap"})
    );
    let alert = &document["alerts"][0];
    assert_eq!(alert["status"], "firing");
    assert_eq!(
        alert["labels"],
        json!({
            "client": "Contoso[31m",
            "product": "Business Premium",
            "term": "annual",
            "kind": "unbilled",
            "currency": "USD",
            "source": "billgap",
        })
    );
    assert_eq!(alert["annotations"]["amount_monthly"], "88.00");
    assert_eq!(alert["annotations"]["cost_to_date"], "41.07");
    assert_eq!(alert["annotations"]["age_days"], "14");
    assert_eq!(alert["startsAt"], "2026-10-19T00:00:00Z");
    assert_eq!(alert["endsAt"], ZERO_TIME);
    let fingerprint = alert["fingerprint"].as_str().expect("fingerprint");
    assert_eq!(fingerprint.len(), 16);
    assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    let unpriced = &document["alerts"][1];
    assert!(unpriced["annotations"].get("amount_monthly").is_none());
    assert!(unpriced["labels"].get("currency").is_none());
}

#[test]
fn a_resolved_notice_is_resolved_with_an_end_and_the_same_fingerprint() {
    let firing = body(
        WebhookKind::Generic,
        &group("Contoso", vec![gap("Business Premium", AlertReason::New)]),
        "a",
    );
    let resolved = body(
        WebhookKind::Generic,
        &group(
            "Contoso",
            vec![gap("Business Premium", AlertReason::Resolved)],
        ),
        "b",
    );
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["alerts"][0]["status"], "resolved");
    assert_eq!(resolved["alerts"][0]["endsAt"], "2026-11-02T00:00:00Z");
    assert_eq!(
        resolved["alerts"][0]["fingerprint"],
        firing["alerts"][0]["fingerprint"]
    );
    assert_eq!(
        resolved["commonAnnotations"]["summary"],
        "Contoso: 1 gap resolved"
    );
}
