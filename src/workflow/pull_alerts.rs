//! What polling tells the owner besides gaps: a source that fails (once per outage), and vendor
//! customers and products that appear without a mapping (once each). Both go out with the
//! check's other messages, logged in its run and claimed before sending, so a re-run, an
//! overlapping run or a restart never sends them twice, and a failed delivery is retried by
//! the next run.
//!
//! A new vendor subscription of a mapped client and product shows as a `missing` gap; one of an
//! unmapped customer or product cannot be compared yet, so it is told as "new unmapped" on the
//! first poll that sees it instead of waiting for someone to open the mapping queue.

use super::checking::{AlertSettings, PlannedMessage};
use super::queue::{MappingKind, QueueEntry, QueueFilter};
use super::workspace::{WorkflowError, Workspace};
use crate::alert::render::RenderedAlert;
use crate::domain::alerting::{AlertGroup, AlertReason, AlertedGap};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::reconcile::GapKind;
use crate::domain::text::strip_control;
use crate::export::html::escape;
use crate::store::PullRow;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

/// The event name of an outage notice, as webhooks (Alertmanager `alertname`) see it.
const OUTAGE_EVENT: &str = "BillgapSourceFailing";
/// The event name of a "new unmapped" notice.
const UNMAPPED_EVENT: &str = "BillgapNewUnmapped";

/// The most entries one "new unmapped" message lists; the rest are counted.
const LISTED: usize = 50;

impl Workspace {
    /// The messages about polling: one per outage of a failing source, and one listing the
    /// vendor entries that are unmapped and not told yet, to the owner by email (with an owner
    /// and SMTP) and to every configured webhook. Each channel is told once per event: the
    /// notifications log and the told-memory are per channel.
    pub(super) fn source_health_messages(
        &mut self,
        settings: &AlertSettings,
        failing: &[PullRow],
    ) -> Result<Vec<PlannedMessage>, WorkflowError> {
        let mut channels = Vec::new();
        if let (Some(owner), Some(_)) = (&settings.owner, &settings.smtp) {
            channels.push(format!("email:{}", owner.to_lowercase()));
        }
        for (index, (hook, _)) in settings.webhooks.iter().enumerate() {
            channels.push(format!(
                "webhook:{}",
                super::checking::webhook_name(hook, index)
            ));
        }
        let mut outages = Vec::new();
        for pull in failing {
            let since = self
                .store
                .failing_since(&pull.source)?
                .unwrap_or_else(|| pull.clone());
            outages.push((pull, since));
        }
        let mut messages = Vec::new();
        for channel in &channels {
            for (pull, since) in &outages {
                messages.push(outage(channel, pull, since));
            }
            if let Some(message) = self.unmapped_message(channel)? {
                messages.push(message);
            }
        }
        Ok(messages)
    }

    /// One message listing the unmapped vendor customers and products of polled sources that
    /// this channel was not told about. Entries of sources only ever imported from files are
    /// left to the mapping queue: they did not just appear.
    fn unmapped_message(&mut self, channel: &str) -> Result<Option<PlannedMessage>, WorkflowError> {
        let polled: Vec<&'static str> = self
            .store
            .latest_pulls()?
            .iter()
            .filter_map(|pull| crate::connectors::Source::parse(&pull.source).ok())
            .map(crate::connectors::Source::system)
            .collect();
        if polled.is_empty() {
            return Ok(None);
        }
        let told = self.store.notified_keys(channel)?;
        let mut fresh: Vec<(String, &'static str, QueueEntry)> = Vec::new();
        for (kind, word) in [
            (MappingKind::Client, "customer"),
            (MappingKind::Product, "product"),
        ] {
            for entry in self.queue(kind, QueueFilter::Unmapped)? {
                if !polled.contains(&entry.key.system.as_str()) {
                    continue;
                }
                let key = unmapped_key(word, &entry);
                if !told.contains_key(&key) {
                    fresh.push((key, word, entry));
                }
            }
        }
        if fresh.is_empty() {
            return Ok(None);
        }
        fresh.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hasher = Sha256::new();
        hasher.update(b"unmapped");
        for (key, _, _) in &fresh {
            hasher.update(key.as_bytes());
        }
        let subject = format!(
            "[billgap] {} new unmapped vendor customer(s) or product(s): map them to compare their seats",
            fresh.len()
        );
        let mut text = String::from(
            "These vendor customers and products appeared without a mapping, so their seats are not compared yet.\nMap or ignore them (billgap map / billgap ignore, or the workbench).\n\n",
        );
        let mut rows = String::new();
        for (_, word, entry) in fresh.iter().take(LISTED) {
            let spend = entry
                .spend
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            text.push_str(&format!(
                "- {word} {} ({}): {} seats, {}\n",
                strip_control(&entry.name),
                strip_control(&entry.key.to_string()),
                entry.seats,
                spend
            ));
            rows.push_str(&format!(
                "<tr><td>{word}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&entry.name),
                escape(&entry.key.to_string()),
                entry.seats,
                escape(&spend)
            ));
        }
        if fresh.len() > LISTED {
            text.push_str(&format!("… and {} more.\n", fresh.len() - LISTED));
        }
        // The keys ride in the message's one group, so that a delivered message marks each
        // entry as told and a failed one leaves it to the next run.
        let group = AlertGroup {
            company: SourceKey::new("billgap", "unmapped"),
            company_name: "New unmapped vendor entries".to_string(),
            as_of: self.today,
            measure: crate::domain::alerting::Measure::Revenue,
            coverage: String::new(),
            unbilled: Vec::new(),
            overbilled: Vec::new(),
            gaps: fresh
                .iter()
                .map(|(key, _, entry)| AlertedGap {
                    key: key.clone(),
                    product: entry.key.clone(),
                    product_name: entry.name.clone(),
                    term: entry.term.unwrap_or(Term::Unspecified),
                    kind: GapKind::Missing,
                    vendor_seats: entry.seats,
                    psa_seats: Decimal::ZERO,
                    delta: entry.seats,
                    value: None,
                    age_days: 0,
                    cost_to_date: None,
                    reason: AlertReason::New,
                })
                .collect(),
        };
        Ok(Some(PlannedMessage {
            channel: channel.to_string(),
            rendered: RenderedAlert {
                subject: strip_control(&subject),
                text,
                html: format!(
                    "<p>These vendor customers and products appeared without a mapping, so their seats are not compared yet.</p><table border=\"1\" cellpadding=\"4\"><tr><th>What</th><th>Name</th><th>Key</th><th>Seats</th><th>Spend</th></tr>{rows}</table>"
                ),
            },
            groups: vec![group],
            content_hash: hex(hasher),
            notice: Some(UNMAPPED_EVENT.to_string()),
        }))
    }
}

/// The told-memory key of an unmapped entry. It has fewer than five `|` parts, so the gap
/// ledger never reads it as a gap identity.
fn unmapped_key(word: &str, entry: &QueueEntry) -> String {
    match entry.term {
        Some(term) => format!("unmapped|{word}|{}|{}", entry.key, term.as_str()),
        None => format!("unmapped|{word}|{}", entry.key),
    }
}

/// The message about one outage, keyed by the outage's first failed pull.
fn outage(channel: &str, pull: &PullRow, since: &PullRow) -> PlannedMessage {
    let subject = format!(
        "[billgap] source {} failing since {}: resolves held back",
        pull.source,
        since.started_at.chars().take(10).collect::<String>()
    );
    let error = pull
        .error
        .clone()
        .unwrap_or_else(|| "no error recorded".to_string());
    let consequence = "Until it pulls completely again, its last complete data stays in use, no gap is marked resolved and no check reports clean.";
    let text = format!(
        "The {} pull has failed since {} (latest: {}).\n\n{}\n\n{consequence}\n",
        strip_control(&pull.source),
        strip_control(&since.started_at),
        strip_control(&pull.started_at),
        strip_control(&error)
    );
    let html = format!(
        "<p>The <b>{}</b> pull has failed since {} (latest: {}).</p><p>{}</p><p>{consequence}</p>",
        escape(&pull.source),
        escape(&since.started_at),
        escape(&pull.started_at),
        escape(&error)
    );
    let mut hasher = Sha256::new();
    hasher.update(format!("source-health|{}|{}", pull.source, since.id).as_bytes());
    PlannedMessage {
        channel: channel.to_string(),
        rendered: RenderedAlert {
            subject: strip_control(&subject),
            text,
            html,
        },
        groups: Vec::new(),
        content_hash: hex(hasher),
        notice: Some(OUTAGE_EVENT.to_string()),
    }
}

fn hex(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
