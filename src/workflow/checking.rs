//! The scheduled check: reconcile, record a ledger run, decide who must be told what, send it,
//! and log every message with the run, so that a re-run, a restart or two overlapping cron
//! runs never send twice, and a failed delivery is sent by the next run.

use super::alert_policy::{ResolvedGap, resolved_gap};
use super::workspace::{WorkflowError, Workspace};
use crate::alert::email::{EmailMessage, SmtpSettings};
use crate::alert::webhook::WebhookSettings;
use crate::alert::{DeliveryError, Pause, RetryPolicy};
use crate::domain::alerting::{
    AlertGroup, AlertReason, AlertedGap, Cadence, NotifiedKey, gap_key, is_resolved,
    reason_for_open_gap,
};
use crate::domain::ledger::TrackedGap;
use crate::domain::lines::SourceKey;
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::GapIdentity;
use crate::domain::report::Report;
use crate::store::{DueNotification, log_due_notifications};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The spacing between two posts to one webhook channel in one run.
const CHAT_POST_SPACING: std::time::Duration = std::time::Duration::from_secs(1);

/// How alerts go out: the `[alerts]`, `[smtp]` and `[[webhooks]]` settings, with the secrets
/// read from the environment or the keyring (never from the config file).
#[derive(Debug, Clone, Default)]
pub struct AlertSettings {
    /// The fallback owner: told about clients without recipients, and sent the digest of
    /// every client.
    pub owner: Option<String>,
    /// The days a check sends.
    pub cadence: Cadence,
    /// The weekday of weekly sending.
    pub weekday: Option<chrono::Weekday>,
    /// Days after which an open gap is told again (0: never).
    pub reminder_days: u32,
    /// A gap younger than this many days is not alerted yet.
    pub min_age_days: u32,
    /// Whether email recipients get a resolved notice (webhooks do unless they opt out).
    pub email_resolved: bool,
    /// SMTP, if email is configured.
    pub smtp: Option<SmtpSettings>,
    /// The SMTP password, from `BILLGAP_SMTP_PASSWORD` or the keyring.
    pub smtp_password: Option<String>,
    /// Webhooks, each with its signing secret if one is set.
    pub webhooks: Vec<(WebhookSettings, Option<String>)>,
    /// Retries within one run.
    pub retry: RetryPolicy,
    /// The default per-client threshold for checks, when the config sets one (else the stored
    /// one, set with `billgap threshold`).
    pub threshold: Option<Decimal>,
    /// Thresholds per ISO currency code (`[alerts.thresholds]`); a client's own threshold
    /// still wins.
    pub currency_thresholds: BTreeMap<String, Decimal>,
    /// What is held against the threshold: revenue not billed (default), cost or margin.
    pub measure: crate::domain::alerting::Measure,
}

/// One message a check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMessage {
    /// `email:ADDRESS` or `webhook:NAME`.
    pub channel: String,
    /// What it says: subject, plain text and HTML, rendered once when decided.
    pub rendered: crate::alert::render::RenderedAlert,
    /// The clients in it.
    pub groups: Vec<AlertGroup>,
    /// The content hash, the message's idempotency key.
    pub content_hash: String,
    /// For an owner notice (a failing source, new unmapped entries), its event name:
    /// webhooks get it as a notice instead of a client's gap alert.
    pub notice: Option<String>,
}

/// What a check did.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// The report of the run, with ledger statuses.
    pub report: Arc<Report>,
    /// False when the cadence says today is not a sending day.
    pub sending_day: bool,
    /// The messages decided.
    pub messages: Vec<PlannedMessage>,
    /// Messages delivered now.
    pub delivered: usize,
    /// Messages another run already sent or is sending (the same content on the same
    /// channel): not sent again.
    pub already_handled: usize,
    /// Deliveries that failed, with why; the next run sends them.
    pub failures: Vec<String>,
    /// True when nothing was recorded or sent (`--dry-run`).
    pub dry_run: bool,
    /// Clients over their alert threshold, under the configured measure and thresholds.
    pub clients_over_alert: usize,
}

impl Workspace {
    /// Runs a scheduled check. With `dry_run`, decides what would be sent and records and
    /// sends nothing.
    pub fn check(
        &mut self,
        settings: &AlertSettings,
        dry_run: bool,
        pause: &mut dyn Pause,
    ) -> Result<CheckOutcome, WorkflowError> {
        let inputs = self.reconcile_inputs(settings.threshold)?;
        let reconciliation = inputs.reconciliation();
        let mut tracked = self.store.track_gaps(&reconciliation, self.today)?;
        super::gap_work::attach_work(&self.store, &mut tracked.gaps)?; // snoozes hold alerts
        let failing = self.store.failing_pulls()?; // a failing source: stale, never resolves
        let complete = reconciliation.coverage.is_complete()
            && reconciliation.verdict != crate::domain::reconcile::Verdict::NothingCompared
            && failing.is_empty();
        let weekday = settings.weekday.unwrap_or(chrono::Weekday::Fri);
        let sending_day = settings.cadence.sends_on(self.today, weekday);
        let over = self.clients_over_alert_threshold(settings, &tracked.gaps)?;
        // Read once per check, not once per channel: the gaps now and in earlier complete runs
        // decide every channel's resolved notices.
        let plan_inputs = PlanInputs {
            gaps: &tracked.gaps,
            over: &over,
            coverage: reconciliation.coverage.headline(),
            measure: settings.measure,
            complete,
            current_keys: tracked
                .gaps
                .iter()
                .map(|gap| gap_key(&GapIdentity::of(&gap.gap)))
                .collect(),
            earlier_complete_runs: self.store.latest_complete_runs(
                crate::domain::alerting::RESOLVE_AFTER_COMPLETE_RUNS,
                self.store.next_run_id()?,
            )?,
        };
        let mut forget = Vec::new();
        let mut messages = self.source_health_messages(settings, &failing)?;
        if sending_day {
            messages.extend(self.plan(settings, &plan_inputs, &mut forget)?);
        }
        if dry_run {
            let report = inputs.report_of(&self.store, reconciliation, tracked)?;
            let report = Arc::new(super::pulling::with_source_warnings(report, &failing));
            let outcome = CheckOutcome::new(report, sending_day, dry_run, over.len());
            return Ok(CheckOutcome {
                messages,
                ..outcome
            });
        }
        let due: Vec<DueNotification> = messages.iter().map(due_notification).collect();
        let (run, ()) = self.store.record_run_with(
            &reconciliation,
            inputs.vendor_period(),
            self.today,
            |transaction, run_id| match failing.is_empty() {
                true => log_due_notifications(transaction, run_id, &due),
                false => log_due_notifications(transaction, run_id, &due)
                    .and_then(|()| crate::store::mark_run_incomplete(transaction, run_id)),
            },
        )?;
        let report = inputs.report_of(&self.store, reconciliation, run)?;
        let report = Arc::new(super::pulling::with_source_warnings(report, &failing));
        for (channel, key) in &forget {
            self.store.forget_told(channel, key)?;
        }
        let mut outcome = CheckOutcome::new(report, sending_day, dry_run, over.len());
        let mut previous_channel: Option<&str> = None;
        for message in &messages {
            // Chat webhooks take about one post per second per channel (Slack's documented
            // limit); posts to one channel are spaced instead of tripping 429s.
            if message.channel.starts_with("webhook:")
                && previous_channel == Some(message.channel.as_str())
            {
                pause.pause(CHAT_POST_SPACING);
            }
            previous_channel = Some(message.channel.as_str());
            self.deliver(settings, message, pause, &mut outcome)?;
        }
        outcome.messages = messages;
        self.invalidate();
        Ok(outcome)
    }

    /// Sends one logged message if this process can claim it, and records how it went.
    fn deliver(
        &mut self,
        settings: &AlertSettings,
        message: &PlannedMessage,
        pause: &mut dyn Pause,
        outcome: &mut CheckOutcome,
    ) -> Result<(), WorkflowError> {
        let Some(claimed) = self
            .store
            .claim_notification(&message.channel, &message.content_hash)?
        else {
            outcome.already_handled = outcome.already_handled.saturating_add(1);
            return Ok(());
        };
        let thread = super::alert_policy::thread_of(message);
        let root = match &thread {
            Some(thread) => self.store.thread_root(&message.channel, thread)?,
            None => None,
        };
        let (attempts, result, message_id) =
            send(settings, message, self.today, root.as_deref(), pause);
        let failure = result.as_ref().err().map(ToString::to_string);
        self.store
            .finish_notification(&claimed, self.today, attempts, failure.as_deref())?;
        if let (None, Some(thread), Some(message_id)) = (&failure, &thread, &message_id) {
            self.store.record_message_id(&claimed, thread, message_id)?;
        }
        match failure {
            Some(error) => outcome
                .failures
                .push(format!("{}: {error}", message.channel)),
            None => outcome.delivered = outcome.delivered.saturating_add(1),
        }
        Ok(())
    }

    /// Decides every message of this run: per email recipient (that client's people, or the
    /// owner for a client without any), the owner's digest, and one post per client per
    /// webhook.
    /// Resolved gaps of a channel that takes no resolved notices go into `forget`, so that the
    /// gap counts as new if it comes back.
    fn plan(
        &mut self,
        settings: &AlertSettings,
        inputs: &PlanInputs<'_>,
        forget: &mut Vec<(String, String)>,
    ) -> Result<Vec<PlannedMessage>, WorkflowError> {
        let recipients = self.store.recipients()?;
        let alertable: Vec<&TrackedGap> = inputs
            .gaps
            .iter()
            .filter(|gap| inputs.over.contains(&gap.gap.company))
            .filter(|gap| gap.age_days >= i64::from(settings.min_age_days))
            .filter(|gap| !gap.work.as_ref().is_some_and(|w| w.snoozed_on(self.today)))
            .collect();
        let mut clients_of: BTreeMap<String, Vec<SourceKey>> = BTreeMap::new();
        let companies: HashSet<&SourceKey> = alertable.iter().map(|gap| &gap.gap.company).collect();
        let mut companies: Vec<&SourceKey> = companies.into_iter().collect();
        companies.sort();
        for company in companies {
            let people = recipients
                .get(company)
                .map(crate::store::Recipients::addresses)
                .unwrap_or_default();
            let people = if people.is_empty() {
                settings.owner.iter().cloned().collect()
            } else {
                people
            };
            for address in people {
                clients_of
                    .entry(format!("email:{}", address.to_lowercase()))
                    .or_default()
                    .push(company.clone());
            }
            if let Some(owner) = &settings.owner {
                let channel = format!("email:{}", owner.to_lowercase());
                let clients = clients_of.entry(channel).or_default();
                if !clients.contains(company) {
                    clients.push(company.clone());
                }
            }
        }
        // A channel whose gaps are all fixed has no open gap to bring it here, yet its
        // resolved notices are due: every address that could have been told is planned.
        let everyone = recipients
            .values()
            .flat_map(crate::store::Recipients::addresses);
        for address in everyone.chain(settings.owner.clone()) {
            let channel = format!("email:{}", address.to_lowercase());
            clients_of.entry(channel).or_default();
        }
        let mut messages = Vec::new();
        if settings.smtp.is_some() {
            for (channel, companies) in &clients_of {
                let takes_resolved = settings.email_resolved;
                let groups = self.groups_for(
                    channel,
                    companies,
                    &alertable,
                    inputs,
                    (takes_resolved, settings.reminder_days),
                    forget,
                )?;
                if !groups.is_empty() {
                    messages.push(message(channel, groups, self.today));
                }
            }
        }
        for (index, (hook, _)) in settings.webhooks.iter().enumerate() {
            let channel = format!("webhook:{}", webhook_name(hook, index));
            let mut companies: Vec<SourceKey> = alertable
                .iter()
                .map(|gap| gap.gap.company.clone())
                .collect();
            companies.sort();
            companies.dedup();
            let groups = self.groups_for(
                &channel,
                &companies,
                &alertable,
                inputs,
                (hook.sends_resolved(), settings.reminder_days),
                forget,
            )?;
            for group in groups {
                messages.push(message(&channel, vec![group], self.today));
            }
        }
        Ok(messages)
    }

    /// The client groups one channel is told this run: open gaps that are new, worse or due
    /// again, and resolved gaps the channel was told about (when it takes resolved notices).
    fn groups_for(
        &mut self,
        channel: &str,
        companies: &[SourceKey],
        alertable: &[&TrackedGap],
        inputs: &PlanInputs<'_>,
        (takes_resolved, reminder_days): (bool, u32),
        forget: &mut Vec<(String, String)>,
    ) -> Result<Vec<AlertGroup>, WorkflowError> {
        let told = self.store.notified_keys(channel)?;
        let mut per_client: BTreeMap<SourceKey, Vec<AlertedGap>> = BTreeMap::new();
        for tracked in alertable {
            if !companies.contains(&tracked.gap.company) {
                continue;
            }
            let key = gap_key(&GapIdentity::of(&tracked.gap));
            let value = tracked.gap.value.as_ref().map(|money| money.amount);
            if let Some(reason) =
                reason_for_open_gap(told.get(&key), value, self.today, reminder_days)
            {
                per_client
                    .entry(tracked.gap.company.clone())
                    .or_default()
                    .push(alerted(tracked, key, reason));
            }
        }
        for resolved in resolved_keys(&told, inputs) {
            if takes_resolved {
                per_client
                    .entry(resolved.company)
                    .or_default()
                    .push(resolved.gap);
            } else {
                forget.push((channel.to_string(), resolved.gap.key));
            }
        }
        let names: HashMap<&SourceKey, &str> = inputs
            .gaps
            .iter()
            .map(|gap| (&gap.gap.company, gap.gap.company_name.as_str()))
            .collect();
        Ok(per_client
            .into_iter()
            .map(|(company, mut gaps)| {
                gaps.sort_by_key(|gap| {
                    std::cmp::Reverse(gap.value.as_ref().map_or(Decimal::ZERO, |v| v.amount.abs()))
                });
                let (unbilled, overbilled) = money_split(&gaps);
                AlertGroup {
                    company_name: names
                        .get(&company)
                        .map_or_else(|| company.to_string(), |name| (*name).to_string()),
                    company,
                    as_of: self.today,
                    measure: inputs.measure,
                    coverage: inputs.coverage.clone(),
                    unbilled,
                    overbilled,
                    gaps,
                }
            })
            .collect())
    }
}

/// Keys a channel was told about that are gone for good: absent now and in the previous
/// complete run, counting only complete runs.
fn resolved_keys(told: &HashMap<String, NotifiedKey>, inputs: &PlanInputs<'_>) -> Vec<ResolvedGap> {
    let (current, earlier) = (&inputs.current_keys, &inputs.earlier_complete_runs);
    let mut resolved = Vec::new();
    for key in told.keys() {
        let mut absent = Vec::new();
        if inputs.complete {
            absent.push(!current.contains(key));
        }
        absent.extend(earlier.iter().map(|run| !run.contains(key)));
        if is_resolved(&absent)
            && let Some(gap) = resolved_gap(key)
        {
            resolved.push(gap);
        }
    }
    resolved.sort_by(|a, b| a.gap.key.cmp(&b.gap.key));
    resolved
}

/// What planning reads of the run.
struct PlanInputs<'a> {
    gaps: &'a [TrackedGap],
    over: &'a HashSet<SourceKey>,
    coverage: String,
    /// What was held against the thresholds.
    measure: crate::domain::alerting::Measure,
    complete: bool,
    /// The key of every gap of this run.
    current_keys: HashSet<String>,
    /// The gap keys of the latest complete runs before this one, newest first.
    earlier_complete_runs: Vec<HashSet<String>>,
}

/// A webhook's channel name: its configured name, else its place in the config.
pub(super) fn webhook_name(hook: &WebhookSettings, index: usize) -> String {
    hook.name.clone().unwrap_or_else(|| format!("{index}"))
}

fn alerted(tracked: &TrackedGap, key: String, reason: AlertReason) -> AlertedGap {
    let gap = &tracked.gap;
    AlertedGap {
        key,
        product: gap.product.clone(),
        product_name: gap.product_name.clone(),
        term: gap.term,
        kind: gap.kind,
        vendor_seats: gap.vendor_seats,
        psa_seats: gap.psa_seats,
        delta: gap.delta,
        value: gap.value.clone(),
        age_days: tracked.age_days,
        cost_to_date: gap
            .value
            .as_ref()
            .map(|value| Money::new(tracked.accumulated, value.currency.clone())),
        reason,
    }
}

/// Revenue not billed and billed without cost, per currency.
fn money_split(gaps: &[AlertedGap]) -> (Vec<Money>, Vec<Money>) {
    let (mut unbilled, mut overbilled) = (MoneyByCurrency::default(), MoneyByCurrency::default());
    for gap in gaps
        .iter()
        .filter(|gap| gap.reason != AlertReason::Resolved)
    {
        if let Some(value) = &gap.value {
            if value.amount.is_sign_negative() {
                overbilled.add(&value.abs());
            } else {
                unbilled.add(value);
            }
        }
    }
    (unbilled.iter().collect(), overbilled.iter().collect())
}

fn message(channel: &str, groups: Vec<AlertGroup>, today: chrono::NaiveDate) -> PlannedMessage {
    let rendered = crate::alert::render::render(&groups);
    let mut hasher = Sha256::new();
    hasher.update(channel.as_bytes());
    hasher.update(today.to_string().as_bytes());
    for group in &groups {
        for gap in &group.gaps {
            hasher.update(gap.key.as_bytes());
            hasher.update(gap.reason.as_str().as_bytes());
            hasher.update(
                gap.value
                    .as_ref()
                    .map(|value| value.amount.abs().to_string())
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
    }
    let content_hash = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    PlannedMessage {
        channel: channel.to_string(),
        rendered,
        groups,
        content_hash,
        notice: None,
    }
}

fn due_notification(message: &PlannedMessage) -> DueNotification {
    DueNotification {
        channel: message.channel.clone(),
        content_hash: message.content_hash.clone(),
        subject: message.rendered.subject.clone(),
        gap_keys: message
            .groups
            .iter()
            .flat_map(|group| group.gaps.iter())
            .map(|gap| {
                (
                    gap.key.clone(),
                    gap.reason.as_str().to_string(),
                    gap.value
                        .as_ref()
                        .map(|value| value.amount.abs().to_string()),
                )
            })
            .collect(),
    }
}

/// Delivers one message on its channel.
fn send(
    settings: &AlertSettings,
    message: &PlannedMessage,
    today: chrono::NaiveDate,
    thread_root: Option<&str>,
    pause: &mut dyn Pause,
) -> (u32, Result<(), DeliveryError>, Option<String>) {
    if let Some(address) = message.channel.strip_prefix("email:") {
        let Some(smtp) = &settings.smtp else {
            return (
                0,
                Err(DeliveryError::Misconfigured(
                    "email alerts need an [smtp] section in the config".to_string(),
                )),
                None,
            );
        };
        let rendered = message.rendered.clone();
        let email = EmailMessage {
            to: vec![address.to_string()],
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: crate::alert::email::message_id(
                &format!("{}.{today}", message.content_hash),
                &smtp.from,
            ),
            in_reply_to: thread_root.map(str::to_string),
        };
        let (attempts, result) = crate::alert::email::send(
            smtp,
            settings.smtp_password.as_deref(),
            &email,
            settings.retry,
            pause,
        );
        return (attempts, result, Some(email.message_id));
    }
    let name = message.channel.strip_prefix("webhook:").unwrap_or_default();
    let hook = settings
        .webhooks
        .iter()
        .enumerate()
        .find(|(index, (hook, _))| webhook_name(hook, *index) == name);
    if let (Some((_, (hook, secret))), Some(event)) = (hook, &message.notice) {
        let notice = crate::alert::webhook::Notice {
            event: event.clone(),
            title: message.rendered.subject.clone(),
            text: message.rendered.text.clone(),
            as_of: today,
        };
        let (attempts, result) = crate::alert::webhook::send_notice(
            hook,
            secret.as_deref(),
            &notice,
            &message.content_hash,
            settings.retry,
            pause,
        );
        return (attempts, result, None);
    }
    let (Some((_, (hook, secret))), Some(group)) = (hook, message.groups.first()) else {
        return (
            0,
            Err(DeliveryError::Misconfigured(format!(
                "no webhook named {name} is configured"
            ))),
            None,
        );
    };
    let (attempts, result) = crate::alert::webhook::send(
        hook,
        secret.as_deref(),
        group,
        &message.content_hash,
        settings.retry,
        pause,
    );
    (attempts, result, None)
}
