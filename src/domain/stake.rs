//! The money at stake: what the open gaps are worth per month and per year, split into revenue
//! not billed and refund risk, per currency (amounts in two currencies are never added).

use crate::domain::money::{Currency, MoneyByCurrency};
use crate::domain::report::Report;
use rust_decimal::Decimal;

/// The money at stake in one currency, per month: revenue not billed (unbilled, missing and
/// price gaps) and refund risk (overbilled and orphan gaps), both as absolute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stake {
    /// The currency; never mixed with another.
    pub currency: Currency,
    /// Revenue not billed per month.
    pub revenue_not_billed: Decimal,
    /// Refund risk per month.
    pub refund_risk: Decimal,
}

impl Stake {
    /// Both together, per month: the absolute value at stake.
    pub fn total(&self) -> Decimal {
        self.revenue_not_billed.saturating_add(self.refund_risk)
    }

    /// A monthly amount over a year (twelve months), exact.
    pub fn yearly(monthly: Decimal) -> Decimal {
        monthly.saturating_mul(Decimal::from(12))
    }
}

/// The money at stake per currency, ordered by currency code, from the current gaps.
pub fn money_at_stake(report: &Report) -> Vec<Stake> {
    let mut revenue = MoneyByCurrency::default();
    let mut refund = MoneyByCurrency::default();
    for tracked in &report.gaps {
        if let Some(value) = &tracked.gap.value {
            if tracked.gap.kind.is_under_billing() {
                revenue.add(&value.abs());
            } else {
                refund.add(&value.abs());
            }
        }
    }
    let currencies: std::collections::BTreeSet<Currency> = revenue
        .iter()
        .chain(refund.iter())
        .map(|money| money.currency)
        .collect();
    currencies
        .into_iter()
        .map(|currency| Stake {
            revenue_not_billed: revenue.get(&currency).amount,
            refund_risk: refund.get(&currency).amount,
            currency,
        })
        .collect()
}
