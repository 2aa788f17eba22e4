//! What a scheduled check tells people, decided from the ledger: the data of an alert, and the
//! rules that keep alerts few and right (connectors.md §5.2).
//!
//! Pure: no clock (the day is passed in), no I/O. The application core reads the history of
//! past notifications from the store, asks these rules what is due, and logs what it sent.

use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::{Money, MoneyByCurrency};
use crate::domain::reconcile::{Gap, GapKind};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Why a gap is in an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertReason {
    /// First seen over the threshold.
    New,
    /// Larger than when it was last alerted.
    Worse,
    /// Still open after the reminder interval.
    Reminder,
    /// Gone in two consecutive complete runs, after it was alerted.
    Resolved,
}

impl AlertReason {
    /// The stable name, for logs and payloads.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertReason::New => "new",
            AlertReason::Worse => "worse",
            AlertReason::Reminder => "reminder",
            AlertReason::Resolved => "resolved",
        }
    }
}

/// One gap as an alert shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertedGap {
    /// The gap's stable key (company, product, term, kind, currency), the same in every run:
    /// dedupe, reminders and resolved notices are keyed on it.
    pub key: String,
    /// The PSA product.
    pub product: SourceKey,
    /// Its display name.
    pub product_name: String,
    /// The term.
    pub term: Term,
    /// The kind of gap.
    pub kind: GapKind,
    /// Vendor seats.
    pub vendor_seats: Decimal,
    /// PSA billed seats.
    pub psa_seats: Decimal,
    /// Vendor minus PSA seats.
    pub delta: Decimal,
    /// Value per month (signed: negative when overbilled); `None` when unpriced.
    pub value: Option<Money>,
    /// Days since first seen.
    pub age_days: i64,
    /// Money it has cost since first seen, in the value's currency.
    pub cost_to_date: Option<Money>,
    /// Why it is in this alert.
    pub reason: AlertReason,
}

/// One client's alert: the gaps that changed or are due again, with coverage first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertGroup {
    /// The PSA company.
    pub company: SourceKey,
    /// Its display name.
    pub company_name: String,
    /// The day of the run.
    pub as_of: NaiveDate,
    /// The measure held against the client's threshold, said in every alert.
    pub measure: Measure,
    /// Coverage in one sentence, said first in every alert: "no gaps" is never said.
    pub coverage: String,
    /// Revenue not billed per month, per currency (sum of the positive values).
    pub unbilled: Vec<Money>,
    /// Billed without cost per month, per currency (a refund risk; the absolute values).
    pub overbilled: Vec<Money>,
    /// The gaps, largest value first.
    pub gaps: Vec<AlertedGap>,
}

impl AlertGroup {
    /// True when every gap in the group is a resolved notice.
    pub fn is_resolved_notice(&self) -> bool {
        !self.gaps.is_empty()
            && self
                .gaps
                .iter()
                .all(|gap| gap.reason == AlertReason::Resolved)
    }
}

/// What a check holds against a client's threshold (`[alerts] measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Revenue not billed: the gap's value (seat difference × PSA price).
    #[default]
    Revenue,
    /// The vendor cost of the seat difference (seat difference × vendor unit cost).
    Cost,
    /// Margin: value minus vendor cost.
    Margin,
}

impl Measure {
    /// The config word.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Revenue => "revenue",
            Measure::Cost => "cost",
            Measure::Margin => "margin",
        }
    }

    /// The sentence an alert uses to say what was compared.
    pub fn describe(self) -> &'static str {
        match self {
            Measure::Revenue => "revenue not billed (seats × PSA price)",
            Measure::Cost => "vendor cost of the seat difference (seats × vendor cost)",
            Measure::Margin => "margin (revenue not billed minus vendor cost)",
        }
    }

    /// One gap's monthly amount under this measure (signed like the gap's value). `None` when
    /// it cannot be known: no price, no cost, or value and cost in different currencies
    /// (amounts are never added or subtracted across currencies).
    pub fn of(self, gap: &Gap) -> Option<Money> {
        match self {
            Measure::Revenue => gap.value.clone(),
            Measure::Cost => gap.cost.clone(),
            Measure::Margin => {
                let (value, cost) = (gap.value.as_ref()?, gap.cost.as_ref()?);
                value.checked_sub(cost).ok()
            }
        }
    }
}

impl std::str::FromStr for Measure {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "revenue" => Ok(Measure::Revenue),
            "cost" => Ok(Measure::Cost),
            "margin" => Ok(Measure::Margin),
            other => Err(format!(
                "unknown measure '{other}': use revenue, cost or margin"
            )),
        }
    }
}

/// The thresholds alerts use: a client's own (set with `billgap threshold --client`) wins,
/// then the one for the amount's currency, then the default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertThresholds {
    /// Applies when nothing more specific does.
    pub default: Decimal,
    /// Per ISO currency code (`[alerts.thresholds]`).
    pub per_currency: BTreeMap<String, Decimal>,
    /// Per PSA company, from the store.
    pub per_client: HashMap<crate::domain::lines::SourceKey, Decimal>,
}

impl AlertThresholds {
    /// The threshold for one client's amounts in one currency.
    pub fn for_client(&self, company: &crate::domain::lines::SourceKey, currency: &str) -> Decimal {
        self.per_client
            .get(company)
            .or_else(|| self.per_currency.get(currency))
            .copied()
            .unwrap_or(self.default)
    }
}

/// The clients whose gaps call for an alert: per currency, the sum of the absolute amounts
/// under `measure` exceeds the client's threshold for that currency; or a gap with a seat
/// difference has no amount under `measure` (an unknown amount is never assumed small).
pub fn clients_over(
    gaps: &[&Gap],
    measure: Measure,
    thresholds: &AlertThresholds,
) -> BTreeSet<crate::domain::lines::SourceKey> {
    let mut totals: BTreeMap<&crate::domain::lines::SourceKey, MoneyByCurrency> = BTreeMap::new();
    let mut over = BTreeSet::new();
    for gap in gaps {
        match measure.of(gap) {
            Some(amount) => totals.entry(&gap.company).or_default().add(&amount.abs()),
            None if !gap.delta.is_zero() => {
                over.insert(gap.company.clone());
            }
            None => {}
        }
    }
    for (company, total) in totals {
        if total
            .iter()
            .any(|money| money.amount > thresholds.for_client(company, money.currency.code()))
        {
            over.insert(company.clone());
        }
    }
    over
}

/// The stable text key of a gap identity, the same in every run and every process.
pub fn gap_key(identity: &crate::domain::reconcile::GapIdentity) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        identity.company,
        identity.product,
        identity.term.as_str(),
        identity.kind.as_str(),
        identity
            .currency
            .as_ref()
            .map_or("", |currency| currency.code())
    )
}

/// How often a check sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    /// Daily in the first and last seven days of the month (when invoices land and billing
    /// runs), weekly on the configured weekday in between: the rule MSPs use.
    #[default]
    Smart,
    /// Every run may send.
    Daily,
    /// Only on the configured weekday.
    Weekly,
}

impl Cadence {
    /// True when a run on `today` may send alerts.
    pub fn sends_on(self, today: NaiveDate, weekday: chrono::Weekday) -> bool {
        use chrono::Datelike;
        match self {
            Cadence::Daily => true,
            Cadence::Weekly => today.weekday() == weekday,
            Cadence::Smart => {
                let day = today.day();
                let last = last_day_of_month(today);
                day <= 7 || day.saturating_add(7) > last || today.weekday() == weekday
            }
        }
    }
}

impl std::str::FromStr for Cadence {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "smart" => Ok(Cadence::Smart),
            "daily" => Ok(Cadence::Daily),
            "weekly" => Ok(Cadence::Weekly),
            other => Err(format!(
                "unknown cadence '{other}': use smart, daily or weekly"
            )),
        }
    }
}

/// The last day of `date`'s month.
fn last_day_of_month(date: NaiveDate) -> u32 {
    use chrono::Datelike;
    let (year, month) = if date.month() == 12 {
        (date.year().saturating_add(1), 1)
    } else {
        (date.year(), date.month().saturating_add(1))
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|first| first.pred_opt())
        .map_or(28, |last| last.day())
}

/// What was last told on one channel about one gap key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifiedKey {
    /// The day it was last notified.
    pub last_notified: NaiveDate,
    /// The gap's absolute monthly value when last notified (`None` when unpriced).
    pub last_value: Option<Decimal>,
}

/// The rule that decides whether one open gap goes into this run's alert on one channel.
///
/// - never notified: `New`;
/// - larger than when last notified: `Worse`;
/// - notified at least `reminder_days` ago: `Reminder` (0 turns reminders off);
/// - otherwise silence: an unchanged gap is not repeated.
pub fn reason_for_open_gap(
    previous: Option<&NotifiedKey>,
    value: Option<Decimal>,
    today: NaiveDate,
    reminder_days: u32,
) -> Option<AlertReason> {
    let Some(previous) = previous else {
        return Some(AlertReason::New);
    };
    let now = value.map(|value| value.abs());
    let worse = match (now, previous.last_value) {
        (Some(now), Some(before)) => now > before,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if worse {
        return Some(AlertReason::Worse);
    }
    let days = today
        .signed_duration_since(previous.last_notified)
        .num_days();
    (reminder_days > 0 && days >= i64::from(reminder_days)).then_some(AlertReason::Reminder)
}

/// How many consecutive complete runs a gap must be absent from before it counts as resolved:
/// one run without it may be an export that has not arrived yet.
pub const RESOLVE_AFTER_COMPLETE_RUNS: usize = 2;

/// True when a gap alerted before may be told resolved: it is absent from each of the latest
/// [`RESOLVE_AFTER_COMPLETE_RUNS`] complete runs (`absent_in_latest_complete_runs`, newest
/// first, holds for each of those runs whether the gap was absent). An incomplete run never
/// counts: "no data" is not "resolved".
pub fn is_resolved(absent_in_latest_complete_runs: &[bool]) -> bool {
    absent_in_latest_complete_runs.len() >= RESOLVE_AFTER_COMPLETE_RUNS
        && absent_in_latest_complete_runs
            .iter()
            .take(RESOLVE_AFTER_COMPLETE_RUNS)
            .all(|absent| *absent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use rust_decimal_macros::dec;

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).expect("date")
    }

    #[test]
    fn smart_cadence_is_daily_at_the_month_ends_and_weekly_between() {
        let friday = Weekday::Fri;
        assert!(Cadence::Smart.sends_on(day(11, 3), friday), "first week");
        assert!(
            Cadence::Smart.sends_on(day(11, 28), friday),
            "last week of a 30-day month"
        );
        assert!(
            !Cadence::Smart.sends_on(day(11, 23), friday),
            "Monday 23rd, mid-month"
        );
        assert!(Cadence::Smart.sends_on(day(11, 20), friday), "Friday 20th");
        assert!(
            Cadence::Smart.sends_on(day(2, 22), friday),
            "February ends on the 28th"
        );
        assert!(!Cadence::Weekly.sends_on(day(11, 3), friday));
        assert!(Cadence::Daily.sends_on(day(11, 23), friday));
    }

    #[test]
    fn an_open_gap_is_told_when_new_worse_or_due_again_and_never_otherwise() {
        let told = NotifiedKey {
            last_notified: day(11, 2),
            last_value: Some(dec!(150)),
        };
        assert_eq!(
            reason_for_open_gap(None, Some(dec!(150)), day(11, 2), 7),
            Some(AlertReason::New)
        );
        assert_eq!(
            reason_for_open_gap(Some(&told), Some(dec!(-150)), day(11, 3), 7),
            None,
            "same size, one day later: silence"
        );
        assert_eq!(
            reason_for_open_gap(Some(&told), Some(dec!(300)), day(11, 3), 7),
            Some(AlertReason::Worse)
        );
        assert_eq!(
            reason_for_open_gap(Some(&told), Some(dec!(150)), day(11, 9), 7),
            Some(AlertReason::Reminder)
        );
        assert_eq!(
            reason_for_open_gap(Some(&told), Some(dec!(150)), day(11, 9), 0),
            None,
            "reminders off"
        );
    }

    #[test]
    fn a_gap_resolves_only_after_two_complete_runs_without_it() {
        assert!(!is_resolved(&[]));
        assert!(!is_resolved(&[true]), "one run may be a late export");
        assert!(!is_resolved(&[true, false]));
        assert!(is_resolved(&[true, true]));
    }

    fn gap(company: &str, currency: &str, value: Option<Decimal>, cost: Option<Decimal>) -> Gap {
        let money = |amount: Decimal| {
            Money::new(
                amount,
                crate::domain::money::Currency::parse(currency).expect("currency"),
            )
        };
        Gap {
            company: crate::domain::lines::SourceKey::new("psa", company),
            company_name: company.to_string(),
            product: crate::domain::lines::SourceKey::new("psa", "M365"),
            product_name: "M365".to_string(),
            term: Term::Monthly,
            kind: GapKind::Unbilled,
            vendor_seats: dec!(10),
            psa_seats: dec!(0),
            delta: dec!(10),
            unit_price: None,
            unit_cost: None,
            value: value.map(money),
            cost: cost.map(money),
            price_basis: crate::domain::reconcile::PriceBasis::ClientPrice,
            vendor_sources: Vec::new(),
        }
    }

    fn names(over: &BTreeSet<crate::domain::lines::SourceKey>) -> Vec<&str> {
        over.iter().map(|key| key.key.as_str()).collect()
    }

    #[test]
    fn the_measure_decides_which_amount_meets_the_threshold() {
        // 10 seats at 22 a seat billed price, 15 vendor cost: 220 revenue, 150 cost, 70 margin.
        let gaps = [gap("A", "USD", Some(dec!(220)), Some(dec!(150)))];
        let refs: Vec<&Gap> = gaps.iter().collect();
        let at = |default| AlertThresholds {
            default,
            ..AlertThresholds::default()
        };
        assert_eq!(
            names(&clients_over(&refs, Measure::Revenue, &at(dec!(200)))),
            ["A"]
        );
        assert!(clients_over(&refs, Measure::Cost, &at(dec!(200))).is_empty());
        assert_eq!(
            names(&clients_over(&refs, Measure::Cost, &at(dec!(149)))),
            ["A"]
        );
        assert!(clients_over(&refs, Measure::Margin, &at(dec!(70))).is_empty());
        assert_eq!(
            names(&clients_over(&refs, Measure::Margin, &at(dec!(69.99)))),
            ["A"]
        );
        assert_eq!(
            Measure::Margin.of(&gaps[0]).map(|m| m.amount),
            Some(dec!(70))
        );
    }

    #[test]
    fn an_unknown_amount_under_the_measure_is_never_assumed_small() {
        let gaps = [gap("A", "USD", Some(dec!(5)), None)];
        let refs: Vec<&Gap> = gaps.iter().collect();
        let thresholds = AlertThresholds {
            default: dec!(100),
            ..AlertThresholds::default()
        };
        assert!(clients_over(&refs, Measure::Revenue, &thresholds).is_empty());
        assert_eq!(
            names(&clients_over(&refs, Measure::Cost, &thresholds)),
            ["A"]
        );
        assert_eq!(
            names(&clients_over(&refs, Measure::Margin, &thresholds)),
            ["A"]
        );
    }

    #[test]
    fn each_currency_has_its_threshold_and_a_client_override_wins() {
        let gaps = [
            gap("A", "USD", Some(dec!(120)), None),
            gap("B", "CAD", Some(dec!(120)), None),
            gap("C", "EUR", Some(dec!(120)), None),
            gap("D", "CAD", Some(dec!(120)), None),
        ];
        let refs: Vec<&Gap> = gaps.iter().collect();
        let thresholds = AlertThresholds {
            default: dec!(110),
            per_currency: [
                ("USD".to_string(), dec!(100)),
                ("CAD".to_string(), dec!(150)),
            ]
            .into_iter()
            .collect(),
            per_client: [(crate::domain::lines::SourceKey::new("psa", "D"), dec!(50))]
                .into_iter()
                .collect(),
        };
        // A: 120 USD > 100; B: 120 CAD ≤ 150; C: EUR falls back to 110; D: its own 50 wins.
        assert_eq!(
            names(&clients_over(&refs, Measure::Revenue, &thresholds)),
            ["A", "C", "D"]
        );
    }

    #[test]
    fn measures_read_their_config_words() {
        assert_eq!("Margin".parse::<Measure>(), Ok(Measure::Margin));
        assert!("profit".parse::<Measure>().is_err());
        assert_eq!(Measure::default(), Measure::Revenue);
    }
}
