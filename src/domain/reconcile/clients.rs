//! Per-client totals: each client's gaps summed per currency and held against its threshold.

use super::gaps::Gap;
use crate::domain::lines::SourceKey;
use crate::domain::money::MoneyByCurrency;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The threshold rules: a client needs action when the sum of the absolute values of its
/// gaps, in one currency, exceeds its threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// Applies to every client without an override. The domain default is 100 a month.
    pub default: Decimal,
    /// Per PSA company overrides.
    pub per_client: HashMap<SourceKey, Decimal>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            default: Decimal::ONE_HUNDRED,
            per_client: HashMap::new(),
        }
    }
}

impl Thresholds {
    /// The threshold of one client.
    pub fn for_client(&self, company: &SourceKey) -> Decimal {
        self.per_client
            .get(company)
            .copied()
            .unwrap_or(self.default)
    }
}

/// One client's gaps against its threshold, per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientTotal {
    /// The PSA company.
    pub company: SourceKey,
    /// Its display name.
    pub company_name: String,
    /// Sum of the absolute values of the client's gaps, per currency.
    pub absolute_value: MoneyByCurrency,
    /// Sum of the signed values (unbilled positive, overbilled negative), per currency.
    pub net_value: MoneyByCurrency,
    /// The threshold that applies to this client.
    pub threshold: Decimal,
    /// True when any currency's absolute total exceeds the threshold, or when a gap could not
    /// be priced: an unknown amount is never assumed to be small.
    pub over_threshold: bool,
    /// Gaps with a seat difference but no price on either side.
    pub unpriced_gaps: usize,
    /// How many gap rows the client has.
    pub gap_count: usize,
}

/// One total per client with gaps: those over threshold first, then by largest absolute value.
pub(super) fn client_totals(gaps: &[Gap], thresholds: &Thresholds) -> Vec<ClientTotal> {
    let mut by_client: BTreeMap<SourceKey, ClientTotal> = BTreeMap::new();
    for gap in gaps {
        let total = by_client
            .entry(gap.company.clone())
            .or_insert_with(|| ClientTotal {
                company: gap.company.clone(),
                company_name: gap.company_name.clone(),
                absolute_value: MoneyByCurrency::default(),
                net_value: MoneyByCurrency::default(),
                threshold: thresholds.for_client(&gap.company),
                over_threshold: false,
                unpriced_gaps: 0,
                gap_count: 0,
            });
        total.gap_count += 1;
        match &gap.value {
            Some(value) => {
                total.absolute_value.add(&value.abs());
                total.net_value.add(value);
            }
            None if !gap.delta.is_zero() => total.unpriced_gaps += 1,
            None => {}
        }
    }
    let mut clients: Vec<ClientTotal> = by_client
        .into_values()
        .map(|mut total| {
            total.over_threshold = total.unpriced_gaps > 0
                || total
                    .absolute_value
                    .iter()
                    .any(|money| money.amount > total.threshold);
            total
        })
        .collect();
    clients.sort_by(|a, b| {
        b.over_threshold
            .cmp(&a.over_threshold)
            .then_with(|| {
                b.absolute_value
                    .largest_amount()
                    .cmp(&a.absolute_value.largest_amount())
            })
            .then_with(|| a.company.cmp(&b.company))
    });
    clients
}
