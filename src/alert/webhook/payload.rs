//! The three payloads: an Adaptive Card for Teams Workflows, a Slack message, and an
//! Alertmanager-shaped JSON document; and the text helpers they share. Pure: no network.

use crate::domain::alerting::{AlertGroup, AlertReason, AlertedGap};
use crate::domain::money::Money;
use crate::domain::text::strip_control;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

/// How many characters of a client or product name a message shows: names come from files,
/// and an absurdly long one must not push a message over the channel's size limit.
pub(super) const NAME_CHARS: usize = 150;
/// Teams drops cards over about 28 KB; 25 gaps with their facts stay well under it.
pub(super) const TEAMS_MAX_GAPS: usize = 25;
/// Slack allows 50 blocks per message; 40 gaps leave room for the header, coverage, totals and
/// the footer.
pub(super) const SLACK_MAX_GAPS: usize = 40;
/// Slack header blocks take at most 150 characters.
pub(super) const SLACK_HEADER_CHARS: usize = 150;
/// The `receiver` of the generic payload: Alertmanager names the configuration that sent it.
pub(super) const GENERIC_RECEIVER: &str = "billgap";

/// Untrusted text made printable and bounded: control characters stripped, trimmed, clipped.
pub(super) fn clean(text: &str, max_chars: usize) -> String {
    clip(strip_control(text).trim(), max_chars)
}

/// At most `max_chars` characters, with an ellipsis when something was cut.
pub(super) fn clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

/// Slack mrkdwn: `&`, `<` and `>` are the only characters Slack reads as control sequences
/// (`<!channel>`, `<@U123>`, `<https://…|link>`); escaped, a name cannot mention or link.
pub(super) fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams Adaptive Card text is Markdown (bold, italic, lists and links in Teams; more in other
/// hosts): the characters that open emphasis, a link or image (`[`), code, HTML or an autolink
/// are backslash-escaped (CommonMark), and so is a list marker at the start. The set is kept
/// to what can form markup, because a host that shows escapes literally (older Teams mobile
/// clients did) then shows as few backslashes as possible.
pub(super) fn teams_escape(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let digits = characters.iter().take_while(|c| c.is_ascii_digit()).count();
    let marker_at = match characters.get(digits) {
        Some('.' | ')') if digits > 0 => Some(digits),
        Some('-' | '+') if digits == 0 => Some(0),
        _ => None,
    }
    .filter(|at| characters.get(at + 1).is_none_or(|next| *next == ' '));
    let mut escaped = String::with_capacity(text.len());
    for (at, character) in characters.iter().enumerate() {
        if matches!(character, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>')
            || marker_at == Some(at)
        {
            escaped.push('\\');
        }
        escaped.push(*character);
    }
    escaped
}

pub(super) fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

pub(super) fn money_list(amounts: &[Money]) -> String {
    amounts
        .iter()
        .map(Money::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// What the alert says in one line, after the client's name. Built only from counts, fixed
/// words and amounts, so it needs no escaping in any channel.
pub(super) fn summary(group: &AlertGroup) -> String {
    if group.gaps.is_empty() {
        return "no gap changed since the last alert".to_string();
    }
    let gaps = plural(group.gaps.len(), "gap", "gaps");
    if group.is_resolved_notice() {
        return format!("{gaps} resolved");
    }
    let reasons: Vec<String> = [
        AlertReason::New,
        AlertReason::Worse,
        AlertReason::Reminder,
        AlertReason::Resolved,
    ]
    .into_iter()
    .filter_map(|reason| {
        let count = group.gaps.iter().filter(|gap| gap.reason == reason).count();
        (count > 0).then(|| format!("{count} {}", reason.as_str()))
    })
    .collect();
    let mut line = format!("{gaps} ({})", reasons.join(", "));
    if !group.unbilled.is_empty() {
        line.push_str(&format!(
            "; {} unbilled per month",
            money_list(&group.unbilled)
        ));
    }
    if !group.overbilled.is_empty() {
        line.push_str(&format!(
            "; {} billed without cost per month",
            money_list(&group.overbilled)
        ));
    }
    line
}

pub(super) fn seats(gap: &AlertedGap) -> String {
    format!(
        "{} vendor, {} billed ({})",
        gap.vendor_seats.normalize(),
        gap.psa_seats.normalize(),
        signed(gap.delta)
    )
}

pub(super) fn signed(value: Decimal) -> String {
    let value = value.normalize();
    if value > Decimal::ZERO {
        format!("+{value}")
    } else {
        value.to_string()
    }
}

pub(super) fn per_month(value: Option<&Money>) -> String {
    value.map_or_else(|| "unpriced".to_string(), |money| format!("{money}"))
}

pub(super) fn age(days: i64) -> String {
    if days == 1 {
        "1 day".to_string()
    } else {
        format!("{days} days")
    }
}

/// A gap's facts in display order, as (label, value); values here are billgap's own words,
/// numbers and currency codes, never names.
pub(super) fn facts(gap: &AlertedGap) -> [(&'static str, String); 7] {
    [
        ("Term", gap.term.as_str().to_string()),
        ("Kind", gap.kind.as_str().to_string()),
        ("Seats", seats(gap)),
        ("Value per month", per_month(gap.value.as_ref())),
        ("Age", age(gap.age_days)),
        ("Cost to date", per_month(gap.cost_to_date.as_ref())),
        ("Reason", gap.reason.as_str().to_string()),
    ]
}

pub(super) fn more_gaps(shown: usize, total: usize) -> Option<String> {
    let hidden = total.saturating_sub(shown);
    (hidden > 0).then(|| {
        let gaps = if hidden == 1 { "gap" } else { "gaps" };
        format!("…and {hidden} more {gaps}: run `billgap report` to see them all")
    })
}

pub(super) fn footer(group: &AlertGroup, key: &str) -> String {
    format!(
        "billgap · as of {} · threshold measure: {} · ref {}",
        group.as_of,
        group.measure.as_str(),
        clean(key, 80)
    )
}

pub(super) fn teams_body(group: &AlertGroup, key: &str) -> Value {
    let client = teams_escape(&clean(&group.company_name, NAME_CHARS));
    let mut blocks = vec![
        json!({
            "type": "TextBlock",
            "text": format!("billgap: {client}"),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": true,
        }),
        json!({
            "type": "TextBlock",
            "text": teams_escape(&clean(&group.coverage, 500)),
            "wrap": true,
        }),
        json!({
            "type": "TextBlock",
            "text": teams_escape(&summary(group)),
            "wrap": true,
        }),
    ];
    for gap in group.gaps.iter().take(TEAMS_MAX_GAPS) {
        let facts: Vec<Value> = facts(gap)
            .into_iter()
            .map(|(title, value)| json!({ "title": title, "value": teams_escape(&value) }))
            .collect();
        blocks.push(json!({
            "type": "Container",
            "separator": true,
            "items": [
                {
                    "type": "TextBlock",
                    "text": teams_escape(&clean(&gap.product_name, NAME_CHARS)),
                    "weight": "Bolder",
                    "wrap": true,
                },
                { "type": "FactSet", "facts": facts },
            ],
        }));
    }
    if let Some(more) = more_gaps(TEAMS_MAX_GAPS.min(group.gaps.len()), group.gaps.len()) {
        blocks.push(json!({
            "type": "TextBlock",
            "text": teams_escape(&more),
            "wrap": true,
        }));
    }
    blocks.push(json!({
        "type": "TextBlock",
        "text": teams_escape(&footer(group, key)),
        "isSubtle": true,
        "size": "Small",
        "wrap": true,
    }));
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "body": blocks,
            },
        }],
    })
}

/// A Slack mrkdwn text object. `verbatim` stops Slack from turning bare URLs, `#channels` and
/// `@here` in a name into links and mentions; escaping handles the `<…>` forms.
pub(super) fn mrkdwn(text: String) -> Value {
    json!({ "type": "mrkdwn", "text": text, "verbatim": true })
}

pub(super) fn slack_body(group: &AlertGroup, key: &str) -> Value {
    let client = clean(&group.company_name, NAME_CHARS);
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(&format!("billgap: {client}"), SLACK_HEADER_CHARS),
                "emoji": false,
            },
        }),
        json!({ "type": "section", "text": mrkdwn(slack_escape(&clean(&group.coverage, 500))) }),
        json!({ "type": "section", "text": mrkdwn(slack_escape(&summary(group))) }),
        json!({ "type": "divider" }),
    ];
    for gap in group.gaps.iter().take(SLACK_MAX_GAPS) {
        let fields: Vec<Value> = facts(gap)
            .into_iter()
            .map(|(title, value)| mrkdwn(format!("*{title}*\n{}", slack_escape(&value))))
            .collect();
        blocks.push(json!({
            "type": "section",
            "text": mrkdwn(format!("*{}*", slack_escape(&clean(&gap.product_name, NAME_CHARS)))),
            "fields": fields,
        }));
    }
    if let Some(more) = more_gaps(SLACK_MAX_GAPS.min(group.gaps.len()), group.gaps.len()) {
        blocks.push(json!({ "type": "context", "elements": [mrkdwn(slack_escape(&more))] }));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [mrkdwn(slack_escape(&footer(group, key)))],
    }));
    json!({
        "text": slack_escape(&format!("billgap: {client}: {}", summary(group))),
        "blocks": blocks,
    })
}

pub(super) fn generic_body(group: &AlertGroup, key: &str) -> Value {
    let client = clean(&group.company_name, NAME_CHARS);
    let alerts: Vec<Value> = group
        .gaps
        .iter()
        .map(|gap| generic_alert(group, gap, &client))
        .collect();
    let mut common_labels = Map::new();
    common_labels.insert("client".into(), Value::String(client.clone()));
    common_labels.insert("source".into(), Value::String("billgap".into()));
    if let Some(first) = alerts.first().and_then(|alert| alert["labels"].as_object()) {
        common_labels = first
            .iter()
            .filter(|(name, value)| alerts.iter().all(|alert| &alert["labels"][name] == *value))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
    }
    json!({
        "version": "4",
        "groupKey": format!(
            "billgap:{}",
            strip_control(&group.company.to_string())
        ),
        "idempotencyKey": strip_control(key),
        "truncatedAlerts": 0,
        "status": if group.is_resolved_notice() { "resolved" } else { "firing" },
        "receiver": GENERIC_RECEIVER,
        "groupLabels": { "client": client },
        "commonLabels": common_labels,
        "commonAnnotations": {
            "summary": format!("{client}: {}", summary(group)),
            "coverage": clean(&group.coverage, 1000),
            "measure": group.measure.as_str(),
            "measureDescription": group.measure.describe(),
        },
        "alerts": alerts,
    })
}

/// One gap as an Alertmanager alert. Amounts are exact decimal strings, never JSON numbers: a
/// receiver that parses numbers as floats would otherwise change them.
pub(super) fn generic_alert(group: &AlertGroup, gap: &AlertedGap, client: &str) -> Value {
    let product = clean(&gap.product_name, NAME_CHARS);
    let mut labels = Map::new();
    labels.insert("client".into(), client.into());
    labels.insert("product".into(), product.clone().into());
    labels.insert("term".into(), gap.term.as_str().into());
    labels.insert("kind".into(), gap.kind.as_str().into());
    if let Some(money) = gap.value.as_ref().or(gap.cost_to_date.as_ref()) {
        labels.insert("currency".into(), money.currency.code().into());
    }
    labels.insert("source".into(), "billgap".into());

    let mut annotations = Map::new();
    annotations.insert(
        "summary".into(),
        format!(
            "{product} ({}): {} gap, {}, {} per month",
            gap.term.as_str(),
            gap.kind.as_str(),
            seats(gap),
            per_month(gap.value.as_ref())
        )
        .into(),
    );
    annotations.insert("reason".into(), gap.reason.as_str().into());
    if let Some(value) = &gap.value {
        annotations.insert("amount_monthly".into(), value.amount.to_string().into());
    }
    annotations.insert("age_days".into(), gap.age_days.to_string().into());
    if let Some(cost) = &gap.cost_to_date {
        annotations.insert("cost_to_date".into(), cost.amount.to_string().into());
    }
    annotations.insert(
        "vendor_seats".into(),
        gap.vendor_seats.normalize().to_string().into(),
    );
    annotations.insert(
        "psa_seats".into(),
        gap.psa_seats.normalize().to_string().into(),
    );
    annotations.insert(
        "seats_delta".into(),
        gap.delta.normalize().to_string().into(),
    );

    let resolved = gap.reason == AlertReason::Resolved;
    let first_seen = chrono::TimeDelta::try_days(gap.age_days)
        .and_then(|age| group.as_of.checked_sub_signed(age))
        .unwrap_or(group.as_of);
    json!({
        "status": if resolved { "resolved" } else { "firing" },
        "labels": labels,
        "annotations": annotations,
        "startsAt": timestamp(first_seen),
        "endsAt": if resolved { timestamp(group.as_of) } else { ZERO_TIME.to_string() },
        "fingerprint": fingerprint(&gap.key),
    })
}

/// Alertmanager's "no end yet" (Go's zero time), which its receivers expect on firing alerts.
pub(super) const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

pub(super) fn timestamp(day: NaiveDate) -> String {
    format!("{}T00:00:00Z", day.format("%Y-%m-%d"))
}

/// 16 hex digits, Alertmanager's fingerprint shape, derived from the gap's stable key so that a
/// receiver can pair a "resolved" with the "firing" it ends.
pub(super) fn fingerprint(key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    hex(digest.get(..8).unwrap_or_default())
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
