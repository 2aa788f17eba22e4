//! Exact money: a decimal amount that always carries its currency.
//!
//! Amounts are `rust_decimal::Decimal`, never floating point, and two amounts in different
//! currencies can never be added: the attempt is an error the caller must handle, because a
//! silent sum across currencies is a wrong number on a client's bill.
//!
//! `Decimal`'s operators panic on overflow, so this module uses checked (or, where an API
//! cannot fail, saturating) arithmetic only; the lints below keep it that way. Overflow cannot
//! happen on real data: the importer refuses every amount beyond [`MAX_AMOUNT`] and every seat
//! count beyond a billion, so a sum of even a billion lines stays far inside `Decimal`'s range.

#![deny(clippy::string_slice)]
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code, stored upper-case (`USD`, `EUR`).
///
/// Invariant: exactly three upper-case ASCII letters. They are held in place rather than in
/// a `String`: every amount carries its currency, and a large import reads three a line.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// A currency code that is not three ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a three-letter currency code")]
pub struct InvalidCurrency(pub String);

impl Currency {
    /// Parses a code case-insensitively, trimming spaces; fails unless it is three ASCII letters.
    pub fn parse(code: &str) -> Result<Self, InvalidCurrency> {
        match code.trim().as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(InvalidCurrency(code.to_string())),
        }
    }

    /// ISO 4217 `XXX`, "no currency": for rows that carry no money at all, so that they can
    /// still be grouped without pretending to be in a real currency.
    pub fn none() -> Self {
        Self(*b"XXX")
    }

    /// The upper-case code.
    pub fn code(&self) -> &str {
        // Three ASCII letters by construction, so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl FromStr for Currency {
    type Err = InvalidCurrency;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::parse(code)
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidCurrency;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

// As the code alone, the way it read when the code was a `String` (and in snapshots since).
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Currency").field(&self.code()).finish()
    }
}

/// Two amounts in different currencies were combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {left} with {right}: amounts in different currencies are never added")]
pub struct CurrencyMismatch {
    /// Currency of the left operand.
    pub left: Currency,
    /// Currency of the right operand.
    pub right: Currency,
}

/// The largest amount, in absolute value, that billgap accepts from a file: 10^15, a
/// quadrillion in any currency, far beyond any real bill.
///
/// `Decimal` overflows near 7.9 × 10^28, so amounts within this bound can be summed over more
/// than 10^13 lines before a sum could overflow. Importers refuse larger cells, and larger
/// computed line amounts, as implausible; sums in this module rely on that.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// Two amounts could not be combined into one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The amounts are in different currencies.
    #[error(transparent)]
    CurrencyMismatch(#[from] CurrencyMismatch),
    /// The result does not fit in a `Decimal` (beyond about 7.9 × 10^28). Amounts within
    /// [`MAX_AMOUNT`] never get there; the error exists so that no input can cause a panic.
    #[error("the result of combining {left} and {right} is too large to count exactly")]
    Overflow {
        /// The left operand.
        left: Decimal,
        /// The right operand.
        right: Decimal,
    },
}

/// An exact amount of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The exact amount; negative for credits and refunds.
    pub amount: Decimal,
    /// The currency the amount is in.
    pub currency: Currency,
}

impl Money {
    /// An amount in a currency.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in a currency, the start of a sum.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// The sum of two amounts; fails when the currencies differ or the sum overflows.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.ensure_same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow {
                left: self.amount,
                right: other.amount,
            })?;
        Ok(Money::new(sum, self.currency.clone()))
    }

    /// The difference of two amounts; fails when the currencies differ or the difference
    /// overflows.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.ensure_same_currency(other)?;
        let difference = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow {
                left: self.amount,
                right: other.amount,
            })?;
        Ok(Money::new(difference, self.currency.clone()))
    }

    /// This amount multiplied by a quantity (unit price × seats), exact; `None` when the
    /// product does not fit in a `Decimal`, which a file can cause with absurd cells, so the
    /// caller decides whether that is an error (an import) or an unknown value (a report).
    pub fn checked_times(&self, quantity: Decimal) -> Option<Money> {
        self.amount
            .checked_mul(quantity)
            .map(|amount| Money::new(amount, self.currency.clone()))
    }

    /// The amount with its sign dropped; thresholds compare absolute values.
    pub fn abs(&self) -> Money {
        Money::new(self.amount.abs(), self.currency.clone())
    }

    /// Rounded to cents half away from zero, the rule PSAs use on invoice lines.
    pub fn round_cents(&self) -> Money {
        Money::new(
            self.amount
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
            self.currency.clone(),
        )
    }

    /// Rounded down (toward zero) to cents, Microsoft's documented ROUNDDOWN rule.
    pub fn round_cents_down(&self) -> Money {
        Money::new(
            self.amount
                .round_dp_with_strategy(2, RoundingStrategy::ToZero),
            self.currency.clone(),
        )
    }

    fn ensure_same_currency(&self, other: &Money) -> Result<(), CurrencyMismatch> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(CurrencyMismatch {
                left: self.currency.clone(),
                right: other.currency.clone(),
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} {}", self.round_cents().amount, self.currency)
    }
}

/// Sums of money kept apart per currency, for totals that may span currencies.
///
/// Invariant: at most one entry per currency, ordered by currency code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyByCurrency(std::collections::BTreeMap<Currency, Decimal>);

impl MoneyByCurrency {
    /// Adds an amount to the running total of its own currency.
    ///
    /// This cannot fail, so it cannot report overflow. A total of imported line amounts never
    /// overflows: each is within [`MAX_AMOUNT`], so more than 10^13 lines would be needed.
    /// Computed values (a gap's seat delta × price) are larger, and an absurd file within the
    /// import bounds could in theory push their total to `Decimal`'s limit; the total then
    /// saturates there instead of panicking, still far beyond any threshold.
    pub fn add(&mut self, money: &Money) {
        self.add_amount(&money.currency, money.amount);
    }

    /// [`MoneyByCurrency::add`] of an amount and its currency, without building the money. The
    /// currency is copied only the first time it is seen: totals over 200,000 positions
    /// copied it for every one.
    pub fn add_amount(&mut self, currency: &Currency, amount: Decimal) {
        match self.0.get_mut(currency) {
            Some(total) => *total = total.saturating_add(amount),
            None => {
                self.0.insert(currency.clone(), amount);
            }
        }
    }

    /// The total of one currency, zero when none was added.
    pub fn get(&self, currency: &Currency) -> Money {
        Money::new(
            self.0.get(currency).copied().unwrap_or_default(),
            currency.clone(),
        )
    }

    /// The totals, one per currency, ordered by code.
    pub fn iter(&self) -> impl Iterator<Item = Money> + '_ {
        self.0
            .iter()
            .map(|(currency, amount)| Money::new(*amount, currency.clone()))
    }

    /// The largest single-currency amount: how clients and products with totals in several
    /// currencies are ordered, since their totals cannot be added.
    pub fn largest_amount(&self) -> Decimal {
        self.0.values().copied().max().unwrap_or_default()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for MoneyByCurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("0");
        }
        let parts: Vec<String> = self.iter().map(|money| money.to_string()).collect();
        f.write_str(&parts.join(" + "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::parse("usd").expect("valid code"))
    }

    #[test]
    fn adding_the_same_currency_is_exact() {
        let sum = usd(dec!(0.1))
            .checked_add(&usd(dec!(0.2)))
            .expect("same currency");
        assert_eq!(sum.amount, dec!(0.3));
    }

    #[test]
    fn adding_two_currencies_is_an_error() {
        let eur = Money::new(dec!(1), Currency::parse("EUR").expect("valid code"));
        let error = usd(dec!(1))
            .checked_add(&eur)
            .expect_err("mixed currencies");
        let MoneyError::CurrencyMismatch(mismatch) = error else {
            panic!("expected a currency mismatch, got {error}");
        };
        assert_eq!(mismatch.left.code(), "USD");
        assert_eq!(mismatch.right.code(), "EUR");
    }

    #[test]
    fn currency_codes_are_validated() {
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        assert_eq!(Currency::parse(" gbp ").expect("valid").code(), "GBP");
    }

    #[test]
    fn rounding_follows_each_source_rule() {
        assert_eq!(usd(dec!(2.345)).round_cents().amount, dec!(2.35));
        assert_eq!(usd(dec!(2.349)).round_cents_down().amount, dec!(2.34));
        assert_eq!(usd(dec!(-2.349)).round_cents_down().amount, dec!(-2.34));
    }

    #[test]
    fn the_amount_bound_is_ten_to_the_fifteen() {
        assert_eq!(MAX_AMOUNT, Decimal::from(10_i64.pow(15)));
    }

    #[test]
    fn overflow_is_a_value_never_a_panic() {
        let huge = usd(Decimal::MAX);
        assert_eq!(huge.checked_times(dec!(2)), None);
        assert_eq!(
            usd(dec!(2.5))
                .checked_times(dec!(4))
                .map(|money| money.amount),
            Some(dec!(10))
        );
        assert!(matches!(
            huge.checked_add(&usd(dec!(1))),
            Err(MoneyError::Overflow { .. })
        ));
        assert!(matches!(
            usd(Decimal::MIN).checked_sub(&usd(dec!(1))),
            Err(MoneyError::Overflow { .. })
        ));
        let mut totals = MoneyByCurrency::default();
        totals.add(&huge);
        totals.add(&huge);
        assert_eq!(totals.get(&huge.currency).amount, Decimal::MAX);
    }

    #[test]
    fn totals_stay_apart_per_currency() {
        let mut totals = MoneyByCurrency::default();
        totals.add(&usd(dec!(5)));
        totals.add(&Money::new(dec!(3), Currency::parse("EUR").expect("valid")));
        totals.add(&usd(dec!(2.5)));
        assert_eq!(totals.to_string(), "3.00 EUR + 7.50 USD");
    }
}
