//! The lines every importer and connector produces, whatever the source system.
//!
//! A [`Line`] is one billing row reduced to what reconciliation needs: who, what, which term,
//! how many seats it contributes and what it costs or earns. Vendor rows and PSA rows share the
//! type; which side a line belongs to is a property of its import, not of the line.

use crate::domain::money::Money;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which side of the comparison a source feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// What the MSP buys: Microsoft Partner Center, Pax8, Sherweb, Ingram Micro.
    Vendor,
    /// What the MSP bills: ConnectWise, Autotask, HaloPSA, Syncro.
    Psa,
}

impl Side {
    /// The lower-case name used in the CLI, the database and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Vendor => "vendor",
            Side::Psa => "psa",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A side name that is neither `vendor` nor `psa`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a side: expected 'vendor' or 'psa'")]
pub struct InvalidSide(pub String);

impl FromStr for Side {
    type Err = InvalidSide;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vendor" => Ok(Side::Vendor),
            "psa" => Ok(Side::Psa),
            _ => Err(InvalidSide(text.to_string())),
        }
    }
}

/// A customer as a vendor knows it, or a company as the PSA knows it.
///
/// `key` is the source's stable id (tenant GUID, Pax8 companyId, ConnectWise company
/// identifier, Autotask CompanyID, Halo client_id). It falls back to the name only when the
/// source has no id, and the importer says so by setting `key` equal to `name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Party {
    /// Stable id in the source system.
    pub key: String,
    /// Display name, used for suggestions and screens only.
    pub name: String,
    /// A domain the party is known by (tenant domain, website), if the source has one.
    pub domain: Option<String>,
    /// An id of the *other* side carried in this record, such as the PSA id in Pax8 `externalId`.
    pub external_id: Option<String>,
}

/// A hash map keyed by source keys, or by tuples of them. A reconcile asks such maps once or
/// more for every position: hashbrown's default hasher, randomly seeded like the standard one,
/// is several times faster on these string keys than the standard SipHash.
pub type KeyMap<K, V> = std::collections::HashMap<K, V, hashbrown::DefaultHashBuilder>;

/// A hash set of source keys, hashed as [`KeyMap`] is.
pub type KeySet<K> = std::collections::HashSet<K, hashbrown::DefaultHashBuilder>;

/// A stable identity in one source system: `microsoft` + tenant GUID, `connectwise` + company
/// identifier, `pax8` + sku. Keys from different systems never collide because the system is
/// part of the identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceKey {
    /// The source system, such as `microsoft`, `pax8` or `connectwise`.
    pub system: String,
    /// The id inside that system.
    pub key: String,
}

impl SourceKey {
    /// A key in a system.
    pub fn new(system: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            system: system.into(),
            key: key.into(),
        }
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.system, self.key)
    }
}

/// A product or SKU in one source system.
///
/// `key` follows the source: `ProductId:SkuId` for Microsoft NCE (SkuId keeps its leading
/// zeros), `DurableOfferId` for legacy Microsoft, `sku` for Pax8, `product.identifier` for
/// ConnectWise, `ServiceID` for Autotask, `item_code` for Halo.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Product {
    /// Stable id in the source system.
    pub key: String,
    /// Display name.
    pub name: String,
}

/// The commitment term of a subscription or billing line.
///
/// Monthly and annual seats of the same SKU are different products for billing: they have
/// different prices and different cancellation rules, so they are never merged silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Term {
    /// Month-to-month commitment.
    Monthly,
    /// One-year commitment, whether billed monthly or yearly.
    Annual,
    /// Two-year commitment.
    TwoYear,
    /// Three-year commitment.
    ThreeYear,
    /// A free or paid trial.
    Trial,
    /// A one-time purchase with no recurring seats.
    OneTime,
    /// The source does not say; PSA lines usually do not.
    Unspecified,
}

impl Term {
    /// Every term, in display order.
    pub const ALL: [Term; 7] = [
        Term::Monthly,
        Term::Annual,
        Term::TwoYear,
        Term::ThreeYear,
        Term::Trial,
        Term::OneTime,
        Term::Unspecified,
    ];

    /// The stable name stored in the database and shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            Term::Monthly => "monthly",
            Term::Annual => "annual",
            Term::TwoYear => "2-year",
            Term::ThreeYear => "3-year",
            Term::Trial => "trial",
            Term::OneTime => "one-time",
            Term::Unspecified => "unspecified",
        }
    }

    /// Reads the free-text terms of every source: Microsoft `TermAndBillingCycle`
    /// ("One-Year commitment for monthly/yearly billing", "One-Month commitment for trial"),
    /// Pax8 `billingTerm`/`term` ("Annual", "3-Year", "3 Year", "One-time"), Sherweb and PSA
    /// cycles. Anything unrecognised is `Unspecified` rather than an error, because terms are an
    /// open set in the wild.
    pub fn parse_lenient(text: &str) -> Term {
        // One pass over the words, without allocating: this runs for every row of an export.
        // Words are runs of ASCII letters and digits, compared case-insensitively.
        let mut words = Words::default();
        // "One-Year commitment for monthly billing": the commitment decides the term, the
        // billing frequency after it does not; "trial" anywhere still means a trial.
        let mut committed = false;
        for word in text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
        {
            if word.eq_ignore_ascii_case("trial") {
                return Term::Trial;
            }
            if word.eq_ignore_ascii_case("commitment") {
                committed = true;
            } else if !committed {
                words.note(word);
            }
        }
        let has = |word: TermWord| words.0 & (1 << word as u32) != 0;
        use TermWord::*;
        if has(Three) {
            Term::ThreeYear
        } else if has(Two) {
            Term::TwoYear
        } else if has(One) && (has(Month) || has(Monthly)) || has(P1m) {
            Term::Monthly
        } else if has(Year) {
            Term::Annual
        } else if has(Monthly) || has(Month) {
            Term::Monthly
        } else if has(OneTime) || (has(One) && has(Time)) {
            Term::OneTime
        } else {
            Term::Unspecified
        }
    }
}

/// The words of a free-text term that decide it; synonyms share one.
#[derive(Clone, Copy)]
enum TermWord {
    Three,
    Two,
    One,
    Month,
    Monthly,
    P1m,
    Year,
    OneTime,
    Time,
}

/// The set of [`TermWord`]s seen, one bit each.
#[derive(Default)]
struct Words(u32);

impl Words {
    fn note(&mut self, word: &str) {
        const VOCABULARY: [(&str, TermWord); 19] = [
            ("three", TermWord::Three),
            ("3", TermWord::Three),
            ("triennial", TermWord::Three),
            ("triennially", TermWord::Three),
            ("two", TermWord::Two),
            ("2", TermWord::Two),
            ("biennial", TermWord::Two),
            ("biennially", TermWord::Two),
            ("one", TermWord::One),
            ("month", TermWord::Month),
            ("monthly", TermWord::Monthly),
            ("p1m", TermWord::P1m),
            ("annual", TermWord::Year),
            ("annually", TermWord::Year),
            ("yearly", TermWord::Year),
            ("year", TermWord::Year),
            ("p1y", TermWord::Year),
            ("onetime", TermWord::OneTime),
            ("once", TermWord::OneTime),
        ];
        if word.eq_ignore_ascii_case("time") {
            self.0 |= 1 << TermWord::Time as u32;
            return;
        }
        if let Some((_, found)) = VOCABULARY
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(word))
        {
            self.0 |= 1 << *found as u32;
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Term {
    type Err = std::convert::Infallible;
    /// Exact stored names first, then the lenient reading of free text.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Term::ALL
            .into_iter()
            .find(|term| term.as_str() == text)
            .unwrap_or_else(|| Term::parse_lenient(text)))
    }
}

/// What a row does to the seat count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChargeKind {
    /// States the recurring seats of a subscription for the period (NCE New/Renew/cycle,
    /// legacy "Cycle fee", Pax8 `subscription`, every PSA recurring line).
    Recurring,
    /// A seat change inside the period (NCE addQuantity/removeQuantity/Cancel, legacy prorate
    /// rows): its signed seats adjust the count, its money is a proration.
    Change,
    /// A credit, refund, rebate or discount: money only, never seats.
    Credit,
    /// Metered usage (Azure): money only.
    Usage,
    /// A one-time charge: money only.
    OneTime,
}

impl ChargeKind {
    /// The stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::Recurring => "recurring",
            ChargeKind::Change => "change",
            ChargeKind::Credit => "credit",
            ChargeKind::Usage => "usage",
            ChargeKind::OneTime => "one-time",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(text: &str) -> Option<ChargeKind> {
        [
            ChargeKind::Recurring,
            ChargeKind::Change,
            ChargeKind::Credit,
            ChargeKind::Usage,
            ChargeKind::OneTime,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }

    /// True when the row's seats count toward the seat total.
    pub fn counts_seats(self) -> bool {
        matches!(self, ChargeKind::Recurring | ChargeKind::Change)
    }
}

/// One billing row, normalised.
///
/// Invariants: `seats` is signed and zero for rows that only move money; every `Money` on one
/// line is in the same currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// 1-based line in the source file (or record index in an API pull), for drill-down.
    pub source_line: u64,
    /// Who the row is for.
    pub customer: Party,
    /// What the row is for.
    pub product: Product,
    /// The commitment term.
    pub term: Term,
    /// What the row does to the seat count.
    pub charge: ChargeKind,
    /// Signed seats this row contributes; zero unless `charge.counts_seats()`.
    pub seats: Decimal,
    /// Price per seat charged to the client (PSA price, or a vendor's suggested retail).
    pub unit_price: Option<Money>,
    /// Cost per seat to the MSP (vendor cost, or the PSA's recorded cost).
    pub unit_cost: Option<Money>,
    /// The row's extended amount: vendor spend on the vendor side, billed amount on the PSA side.
    pub amount: Option<Money>,
    /// First day the row covers, if the source says.
    pub period_start: Option<NaiveDate>,
    /// Last day the row covers (inclusive), if the source says.
    pub period_end: Option<NaiveDate>,
    /// The source's subscription, agreement or contract id, for drill-down.
    pub subscription: Option<String>,
    /// The source's own id of this row, where it has one: the ConnectWise addition, the
    /// Autotask contract service, the Halo or Syncro line. It names the record to correct.
    pub line_id: Option<String>,
}

impl Line {
    /// The currency of the line: that of its amount, else its cost, else its price.
    pub fn currency(&self) -> Option<&crate::domain::money::Currency> {
        self.amount
            .as_ref()
            .or(self.unit_cost.as_ref())
            .or(self.unit_price.as_ref())
            .map(|money| &money.currency)
    }
}

/// A billing month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    /// Calendar year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
}

/// A period that is not `YYYY-MM` with a month from 01 to 12.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a billing period: expected YYYY-MM, for example 2026-11")]
pub struct InvalidPeriod(pub String);

impl Period {
    /// The period that contains a date.
    pub fn containing(date: NaiveDate) -> Period {
        use chrono::Datelike;
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The first day of the period.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
}

impl FromStr for Period {
    type Err = InvalidPeriod;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidPeriod(text.to_string());
        let (year, month) = text.trim().split_once('-').ok_or_else(invalid)?;
        let year: i32 = year.parse().map_err(|_| invalid())?;
        let month: u32 = month.parse().map_err(|_| invalid())?;
        if year < 1900 || !(1..=12).contains(&month) {
            return Err(invalid());
        }
        Ok(Period { year, month })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_read_from_every_source_spelling() {
        let cases = [
            (
                "One-Year commitment for monthly/yearly billing",
                Term::Annual,
            ),
            ("One-Month commitment for monthly billing", Term::Monthly),
            ("One-Month commitment for trial", Term::Trial),
            ("Three-Year commitment for yearly billing", Term::ThreeYear),
            ("1 Year Subscription", Term::Annual),
            ("Monthly", Term::Monthly),
            ("Annual", Term::Annual),
            ("3-Year", Term::ThreeYear),
            ("3 Year", Term::ThreeYear),
            ("2-Year", Term::TwoYear),
            ("One-Time", Term::OneTime),
            ("One-time", Term::OneTime),
            ("Trial", Term::Trial),
            ("Yearly", Term::Annual),
            ("", Term::Unspecified),
            ("Arrears", Term::Unspecified),
        ];
        for (text, expected) in cases {
            assert_eq!(Term::parse_lenient(text), expected, "{text}");
        }
    }

    #[test]
    fn stored_term_names_round_trip() {
        for term in Term::ALL {
            assert_eq!(term.as_str().parse::<Term>(), Ok(term));
        }
    }

    #[test]
    fn periods_parse_strictly() {
        assert_eq!(
            "2026-11".parse::<Period>(),
            Ok(Period {
                year: 2026,
                month: 11
            })
        );
        assert!("2026-13".parse::<Period>().is_err());
        assert!("11/2026".parse::<Period>().is_err());
        assert_eq!(
            Period {
                year: 2026,
                month: 1
            }
            .to_string(),
            "2026-01"
        );
    }
}
