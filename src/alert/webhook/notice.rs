//! Owner notices for webhooks: a source that keeps failing, and vendor entries that appeared
//! without a mapping. They are not about one client's gaps, so they get their own small
//! payloads: a titled Adaptive Card, a Slack header and section, and an Alertmanager-shaped
//! document with one alert named after the event. Pure: no network.

use super::WebhookKind;
use super::payload::{GENERIC_RECEIVER, clean, clip, fingerprint, slack_escape, teams_escape};
use serde_json::{Value, json};

/// The most characters of a notice's text a chat message shows (Slack section texts take
/// 3,000); the full text is in the owner's email.
const TEXT_CHARS: usize = 2_900;

/// One owner notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What happened, in the Alertmanager `alertname` style: `BillgapSourceFailing` or
    /// `BillgapNewUnmapped`.
    pub event: String,
    /// The one-line title (the email subject).
    pub title: String,
    /// The plain text (the email's text part).
    pub text: String,
    /// The day it was decided, `YYYY-MM-DD`.
    pub as_of: chrono::NaiveDate,
}

/// The JSON document a webhook of `kind` receives for `notice`.
pub fn body(kind: WebhookKind, notice: &Notice, key: &str) -> Value {
    let title = clean(&notice.title, 300);
    // Line breaks are kept (each line cleaned on its own): an outage's error reads line by
    // line. Teams markdown needs a blank line to break one.
    let lines: Vec<String> = notice
        .text
        .lines()
        .map(crate::domain::text::strip_control)
        .collect();
    let text = clip(&lines.join("\n"), TEXT_CHARS);
    let teams_text = clip(&lines.join("\n\n"), TEXT_CHARS);
    let footer = format!("billgap · as of {} · ref {}", notice.as_of, clean(key, 80));
    match kind {
        WebhookKind::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "msteams": { "width": "Full" },
                    "body": [
                        { "type": "TextBlock", "text": teams_escape(&title), "weight": "Bolder", "size": "Medium", "wrap": true },
                        { "type": "TextBlock", "text": teams_escape(&teams_text), "wrap": true },
                        { "type": "TextBlock", "text": teams_escape(&footer), "isSubtle": true, "size": "Small", "wrap": true },
                    ],
                },
            }],
        }),
        WebhookKind::Slack => json!({
            "text": slack_escape(&title),
            "blocks": [
                { "type": "header", "text": { "type": "plain_text", "text": clip(&title, 150), "emoji": false } },
                { "type": "section", "text": { "type": "mrkdwn", "text": slack_escape(&text), "verbatim": true } },
                { "type": "context", "elements": [{ "type": "mrkdwn", "text": slack_escape(&footer), "verbatim": true }] },
            ],
        }),
        WebhookKind::Generic => {
            let event = clean(&notice.event, 80);
            let labels = json!({ "alertname": event, "source": "billgap" });
            json!({
                "version": "4",
                "groupKey": format!("billgap:{event}"),
                "idempotencyKey": crate::domain::text::strip_control(key),
                "truncatedAlerts": 0,
                "status": "firing",
                "receiver": GENERIC_RECEIVER,
                "groupLabels": { "alertname": event },
                "commonLabels": labels,
                "commonAnnotations": { "summary": title, "description": text },
                "alerts": [{
                    "status": "firing",
                    "labels": labels,
                    "annotations": { "summary": title, "description": text },
                    "startsAt": format!("{}T00:00:00Z", notice.as_of.format("%Y-%m-%d")),
                    "endsAt": super::payload::ZERO_TIME,
                    "fingerprint": fingerprint(key),
                }],
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            event: "BillgapSourceFailing".to_string(),
            title: "[billgap] source pax8 failing since 2026-11-01".to_string(),
            text: "The pax8 pull has failed.\n<!channel> *bold*\u{1b}[31m".to_string(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        }
    }

    #[test]
    fn each_kind_carries_the_title_and_text_without_mentions_or_controls() {
        let generic = body(WebhookKind::Generic, &notice(), "k1");
        assert_eq!(generic["commonLabels"]["alertname"], "BillgapSourceFailing");
        assert_eq!(generic["alerts"][0]["status"], "firing");
        assert!(
            generic["commonAnnotations"]["description"]
                .as_str()
                .is_some_and(|text| text.starts_with("The pax8 pull has failed."))
        );
        let slack = body(WebhookKind::Slack, &notice(), "k1").to_string();
        assert!(slack.contains("source pax8 failing"));
        assert!(!slack.contains("<!channel>"), "{slack}");
        let teams = body(WebhookKind::Teams, &notice(), "k1").to_string();
        assert!(teams.contains("AdaptiveCard") && teams.contains("source pax8 failing"));
        for text in [generic.to_string(), slack, teams] {
            assert!(!text.contains('\u{1b}'), "{text}");
        }
    }
}
