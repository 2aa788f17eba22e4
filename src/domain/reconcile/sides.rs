//! The two sides of a comparison, grouped per (PSA company, PSA product, term, currency):
//! vendor seats reached through the mappings, and PSA seats as billed.

use super::mappings::{MappingSet, Treatment};
use super::position::Position;
use crate::domain::lines::{KeyMap, KeySet, SourceKey, Term};
use crate::domain::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// Vendor seats for one (PSA company, PSA product, term), summed over vendor customers.
#[derive(Debug, Default)]
pub(super) struct VendorSide<'a> {
    pub(super) seats: Decimal,
    /// Σ seats × unit cost, in one currency; `None` as soon as a part has no cost or a cost in
    /// another currency, because a partial or mixed cost would be a wrong number.
    pub(super) cost_total: Option<Money>,
    /// The vendor terms behind the seats, so a PSA line without a term can report the term
    /// it actually covers.
    pub(super) terms: BTreeSet<Term>,
    pub(super) sources: BTreeSet<(&'a SourceKey, &'a SourceKey)>,
}

/// PSA seats for one (PSA company, PSA product, term).
#[derive(Debug)]
pub(super) struct PsaSide<'a> {
    pub(super) company_name: &'a str,
    pub(super) product_name: &'a str,
    pub(super) seats: Decimal,
    /// The price of the line with the most seats, in its currency.
    pub(super) unit_price: Option<Money>,
    pub(super) largest_line: Decimal,
}

/// (PSA company, PSA product, term, currency).
pub(super) type GroupKey<'a> = (&'a SourceKey, &'a SourceKey, Term, &'a Currency);

impl<'a> VendorSide<'a> {
    /// Adds another vendor group compared with the same PSA line. Seats add up whatever the
    /// currency; the cost is kept only while every part has one, in one currency.
    pub(super) fn absorb(&mut self, other: &VendorSide<'a>) {
        let first = self.sources.is_empty();
        self.cost_total = match (first, &self.cost_total, &other.cost_total) {
            (true, _, cost) => cost.clone(),
            (false, Some(mine), Some(theirs)) => mine.checked_add(theirs).ok(),
            _ => None,
        };
        self.seats += other.seats;
        self.terms.extend(other.terms.iter().copied());
        self.sources.extend(other.sources.iter().copied());
    }

    /// The seats-weighted cost per seat, so that 10 annual seats at 22.00 and 2 monthly seats
    /// at 26.40 cost 22.73 each, not the price of whichever came first.
    pub(super) fn unit_cost(&self) -> Option<Money> {
        let total = self.cost_total.as_ref()?;
        if self.seats <= Decimal::ZERO {
            return None;
        }
        Some(Money::new(
            (total.amount / self.seats).round_dp(4),
            total.currency.clone(),
        ))
    }
}

/// Groups mapped vendor positions per (PSA company, PSA product, term).
///
/// Several vendor products of *one* vendor customer mapped to the same PSA product are a bundle
/// (one user holds each component), so that customer's seats are the largest component, and
/// the bundle's cost per seat is the sum of the components'. Different vendor customers (two
/// tenants of one client) add up.
///
/// Pure credits ([`Position::is_pure_credit`]) are left out even when an every-term mapping
/// reaches them: they add no seats, a one-off refund is not a change of the monthly cost per
/// seat, and their term would otherwise be counted among the terms behind a PSA line, which
/// changes the term (and so the identity) a gap is reported under.
pub(super) fn group_vendor<'a>(
    vendor: &'a [Position],
    mappings: &'a MappingSet,
    today: NaiveDate,
) -> BTreeMap<GroupKey<'a>, VendorSide<'a>> {
    type PerCustomer<'a> = BTreeMap<&'a SourceKey, (Decimal, Option<Money>)>;
    let mut per_customer: BTreeMap<(GroupKey<'a>, &'a SourceKey), PerCustomer<'a>> =
        BTreeMap::new();
    for position in vendor.iter().filter(|position| !position.is_pure_credit()) {
        let Treatment::Mapped { company, product } = mappings.treat(position, today) else {
            continue;
        };
        let group = (company, product, position.term, &position.currency);
        let entry = per_customer
            .entry((group, &position.customer))
            .or_default()
            .entry(&position.product)
            .or_insert((Decimal::ZERO, None));
        entry.0 += position.seats;
        if entry.1.is_none() {
            entry.1 = position
                .unit_cost
                .map(|cost| Money::new(cost, position.currency.clone()));
        }
    }
    let mut groups: BTreeMap<GroupKey<'a>, VendorSide<'a>> = BTreeMap::new();
    for ((group, customer), components) in per_customer {
        let term = group.2;
        let side = groups.entry(group).or_default();
        let seats = components
            .values()
            .map(|(seats, _)| *seats)
            .max()
            .unwrap_or_default();
        // A bundle seat costs the sum of its components; unknown if any component is.
        let bundle_cost = components
            .values()
            .try_fold(None::<Money>, |sum, (_, cost)| {
                let cost = cost.as_ref()?;
                match sum {
                    None => Some(Some(cost.clone())),
                    Some(sum) => sum.checked_add(cost).ok().map(Some),
                }
            })
            .flatten();
        let mut part = VendorSide {
            seats,
            // Imports bound costs and seats, so this cannot overflow on real data; if it
            // did, the spend is unknown rather than a panic.
            cost_total: bundle_cost.and_then(|cost| cost.checked_times(seats)),
            terms: BTreeSet::from([term]),
            sources: components
                .keys()
                .map(|product| (customer, *product))
                .collect(),
        };
        if side.sources.is_empty() {
            std::mem::swap(side, &mut part);
        } else {
            side.absorb(&part);
        }
    }
    groups
}

pub(super) fn group_psa(psa: &[Position]) -> BTreeMap<GroupKey<'_>, PsaSide<'_>> {
    let mut groups: BTreeMap<GroupKey<'_>, PsaSide<'_>> = BTreeMap::new();
    for position in psa {
        let key = (
            &position.customer,
            &position.product,
            position.term,
            &position.currency,
        );
        let side = groups.entry(key).or_insert_with(|| PsaSide {
            company_name: &position.customer_name,
            product_name: &position.product_name,
            seats: Decimal::ZERO,
            unit_price: None,
            largest_line: Decimal::MIN,
        });
        side.seats += position.seats;
        if position.seats > side.largest_line {
            if let Some(price) = position.unit_price {
                side.unit_price = Some(Money::new(price, position.currency.clone()));
                side.largest_line = position.seats;
            }
        }
    }
    groups
}

/// How the vendor groups met the PSA groups.
pub(super) struct Pairing<'a> {
    /// Vendor seats per PSA group they are compared with.
    pub(super) compared: BTreeMap<GroupKey<'a>, VendorSide<'a>>,
    /// Vendor seats with no PSA line at all, per (PSA company, PSA product, term), merged over
    /// currencies so that one client's two tenants give one missing gap, not two with the
    /// same identity.
    pub(super) missing: BTreeMap<(&'a SourceKey, &'a SourceKey, Term), VendorSide<'a>>,
}

/// Pairs every vendor group with the PSA group it is compared with. The gaps and a client's
/// account both read this one pairing, so the account never shows two sides the gaps did not
/// compare.
pub(super) fn pair_sides<'a>(
    vendor_groups: &BTreeMap<GroupKey<'a>, VendorSide<'a>>,
    psa_groups: &BTreeMap<GroupKey<'a>, PsaSide<'a>>,
) -> Pairing<'a> {
    let indexes = PsaIndexes::of(psa_groups);
    let mut pairing = Pairing {
        compared: BTreeMap::new(),
        missing: BTreeMap::new(),
    };
    for (vendor_key, vendor_side) in vendor_groups {
        match indexes.find(vendor_key) {
            Some(psa_key) => pairing
                .compared
                .entry(psa_key)
                .or_default()
                .absorb(vendor_side),
            None => {
                let (company, product, term, _) = vendor_key;
                pairing
                    .missing
                    .entry((company, product, *term))
                    .or_default()
                    .absorb(vendor_side);
            }
        }
    }
    pairing
}

/// The PSA groups by their whole key, and by (company, product, term) and (company, product)
/// whatever the currency, for the fallbacks, so that every lookup is one hash at thousands of
/// clients.
struct PsaIndexes<'a> {
    /// The stored key is the one returned: it names the PSA side's own records.
    by_key: KeySet<GroupKey<'a>>,
    by_line: KeyMap<(&'a SourceKey, &'a SourceKey, Term), GroupKey<'a>>,
    by_pair: KeyMap<(&'a SourceKey, &'a SourceKey), GroupKey<'a>>,
}

impl<'a> PsaIndexes<'a> {
    fn of(psa_groups: &BTreeMap<GroupKey<'a>, PsaSide<'a>>) -> Self {
        let capacity = psa_groups.len();
        let mut indexes = PsaIndexes {
            by_key: KeySet::with_capacity_and_hasher(capacity, Default::default()),
            by_line: KeyMap::with_capacity_and_hasher(capacity, Default::default()),
            by_pair: KeyMap::with_capacity_and_hasher(capacity, Default::default()),
        };
        for key in psa_groups.keys() {
            indexes.by_key.insert(*key);
            indexes.by_line.entry((key.0, key.1, key.2)).or_insert(*key);
            indexes.by_pair.entry((key.0, key.1)).or_insert(*key);
        }
        indexes
    }

    /// The PSA group a vendor group compares with, most specific first: the same term and
    /// currency; a PSA line that states no term (PSA lines rarely do) in the same currency;
    /// then the same in any currency, for an MSP that bills in another currency than it buys
    /// in.
    fn find(&self, (company, product, term, currency): &GroupKey<'a>) -> Option<GroupKey<'a>> {
        let exact_currency = [*term, Term::Unspecified].into_iter().find_map(|term| {
            self.by_key
                .get(&(*company, *product, term, *currency))
                .copied()
        });
        exact_currency
            .or_else(|| {
                [*term, Term::Unspecified]
                    .into_iter()
                    .find_map(|term| self.by_line.get(&(company, product, term)).copied())
            })
            // A PSA line that names another term still bills this product to this client:
            // comparing with it beats reporting the same seats as both missing and orphan.
            .or_else(|| self.by_pair.get(&(*company, *product)).copied())
    }
}
