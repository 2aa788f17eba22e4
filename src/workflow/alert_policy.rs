//! Alert policy beside the check: which clients are over their alert threshold under the
//! configured measure and per-currency thresholds, and how a resolved gap is rebuilt from its
//! key. Kept apart from `checking.rs` so that each file holds one concern.

use super::checking::AlertSettings;
use super::workspace::{WorkflowError, Workspace};
use crate::domain::alerting::{AlertReason, AlertThresholds, AlertedGap, clients_over};
use crate::domain::ledger::TrackedGap;
use crate::domain::lines::SourceKey;
use crate::domain::reconcile::Gap;
use rust_decimal::Decimal;
use std::collections::HashSet;

impl Workspace {
    /// The clients a check alerts about: their gaps, under `settings.measure`, exceed their
    /// threshold in some currency. Precedence: the client's stored threshold (`billgap
    /// threshold N --client X`), then `[alerts.thresholds]` for the currency, then `[alerts]
    /// threshold`, then the stored default.
    pub(super) fn clients_over_alert_threshold(
        &mut self,
        settings: &AlertSettings,
        gaps: &[TrackedGap],
    ) -> Result<HashSet<SourceKey>, WorkflowError> {
        let stored = &self.session()?.thresholds;
        let thresholds = AlertThresholds {
            default: settings.threshold.unwrap_or(stored.default),
            per_currency: settings.currency_thresholds.clone(),
            per_client: stored.per_client.clone(),
        };
        let gaps: Vec<&Gap> = gaps.iter().map(|tracked| &tracked.gap).collect();
        Ok(clients_over(&gaps, settings.measure, &thresholds)
            .into_iter()
            .collect())
    }
}

impl super::checking::CheckOutcome {
    /// A check's outcome before any delivery: nothing sent, nothing failed.
    pub(super) fn new(
        report: std::sync::Arc<crate::domain::report::Report>,
        sending_day: bool,
        dry_run: bool,
        clients_over_alert: usize,
    ) -> Self {
        Self {
            report,
            sending_day,
            messages: Vec::new(),
            delivered: 0,
            already_handled: 0,
            failures: Vec::new(),
            dry_run,
            clients_over_alert,
        }
    }

    /// Whether the check needs action: anything short of a complete comparison does, and
    /// otherwise a client over its alert threshold, under the measure and per-currency
    /// thresholds the alerts use, so the exit code and the messages always agree.
    pub fn needs_action(&self) -> bool {
        use crate::domain::reconcile::Verdict;
        match self.report.verdict {
            Verdict::NothingCompared | Verdict::IncompleteCoverage => true,
            Verdict::OverThreshold | Verdict::Clean => self.clients_over_alert > 0,
        }
    }
}

/// The email thread a message belongs to on its channel: the one client it is about (its
/// PSA key), or `digest` for a message about several clients. Messages without a client
/// (source outages) start no thread.
pub(super) fn thread_of(message: &super::checking::PlannedMessage) -> Option<String> {
    match message.groups.as_slice() {
        [] => None,
        [only] => Some(only.company.to_string()),
        _ => Some("digest".to_string()),
    }
}

/// A gap a channel was told about that is gone for good.
pub(super) struct ResolvedGap {
    /// Its PSA company.
    pub(super) company: SourceKey,
    /// The resolved notice's row.
    pub(super) gap: AlertedGap,
}

/// A resolved gap rebuilt from its key: the gap itself is gone from the run, so its words are
/// the key's (company, product, term, kind).
pub(super) fn resolved_gap(key: &str) -> Option<ResolvedGap> {
    let mut parts = key.split('|');
    let (company, product, term, kind, _currency) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let split = |text: &str| {
        text.split_once(':')
            .map(|(system, key)| SourceKey::new(system, key))
    };
    let product = split(product)?;
    Some(ResolvedGap {
        company: split(company)?,
        gap: AlertedGap {
            key: key.to_string(),
            product_name: product.key.clone(),
            product,
            term: term
                .parse()
                .unwrap_or(crate::domain::lines::Term::Unspecified),
            kind: crate::domain::reconcile::GapKind::from_stored(kind)?,
            vendor_seats: Decimal::ZERO,
            psa_seats: Decimal::ZERO,
            delta: Decimal::ZERO,
            value: None,
            age_days: 0,
            cost_to_date: None,
            reason: AlertReason::Resolved,
        },
    })
}
