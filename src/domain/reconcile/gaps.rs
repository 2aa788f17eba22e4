//! Gap rows: where vendor seats and billed seats disagree, and what that is worth.

use super::mappings::{MappingSet, Treatment};
use super::position::Position;
use super::sides::{GroupKey, Pairing, VendorSide, group_psa, group_vendor, pair_sides};
use crate::domain::lines::{KeyMap, SourceKey, Term};
use crate::domain::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What kind of disagreement a gap is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapKind {
    /// More vendor seats than billed seats: revenue not billed.
    Unbilled,
    /// More billed seats than vendor seats: the client pays for seats no longer bought.
    Overbilled,
    /// Vendor seats with no PSA line at all for that company and product.
    Missing,
    /// A PSA licence line with no vendor seats behind it.
    Orphan,
    /// The PSA unit price is below the vendor unit cost: negative margin on every seat.
    Price,
}

impl GapKind {
    /// Every kind, in display order.
    pub const ALL: [GapKind; 5] = [
        GapKind::Unbilled,
        GapKind::Overbilled,
        GapKind::Missing,
        GapKind::Orphan,
        GapKind::Price,
    ];

    /// The stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Unbilled => "unbilled",
            GapKind::Overbilled => "overbilled",
            GapKind::Missing => "missing",
            GapKind::Orphan => "orphan",
            GapKind::Price => "price",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(text: &str) -> Option<GapKind> {
        GapKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// What the gap means and what to do about it, for a billing owner (help screens, report
    /// legends).
    pub fn advice(self) -> &'static str {
        match self {
            GapKind::Unbilled => {
                "the vendor charges you for more seats than the PSA bills: raise the PSA quantity"
            }
            GapKind::Overbilled => {
                "the PSA bills more seats than the vendor charges you: lower the PSA quantity, or find the missing subscription, before the client notices"
            }
            GapKind::Missing => {
                "vendor seats with no PSA line at all: add the product to the client's agreement"
            }
            GapKind::Orphan => {
                "a PSA licence line with no vendor subscription behind it: remove the line, or find the subscription"
            }
            GapKind::Price => {
                "the PSA price is below the vendor cost: every seat loses money; update the price"
            }
        }
    }

    /// True when the client is billed less than it should be (money the MSP is losing), false
    /// when billed more (a refund and trust risk).
    pub fn is_under_billing(self) -> bool {
        matches!(self, GapKind::Unbilled | GapKind::Missing | GapKind::Price)
    }
}

/// Which unit price valued a gap, so the report can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriceBasis {
    /// The client's own PSA price for this product.
    ClientPrice,
    /// The most common PSA price of this product at other clients (missing lines).
    OtherClientsPrice,
    /// No client is billed for the product: valued at vendor cost.
    VendorCost,
    /// The per-seat margin lost (price gaps).
    MarginLoss,
    /// No price was available on either side.
    Unpriced,
}

/// One disagreement for a (PSA company, PSA product, term).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The PSA company.
    pub company: SourceKey,
    /// Its display name.
    pub company_name: String,
    /// The PSA product (for missing gaps: the product the mapping points to).
    pub product: SourceKey,
    /// Its display name.
    pub product_name: String,
    /// The commitment term; `Unspecified` when the PSA line covers every term.
    pub term: Term,
    /// The kind of gap.
    pub kind: GapKind,
    /// Seats the vendor charges for.
    pub vendor_seats: Decimal,
    /// Seats the PSA bills.
    pub psa_seats: Decimal,
    /// Vendor seats minus PSA seats.
    pub delta: Decimal,
    /// The PSA unit price used to value the gap.
    pub unit_price: Option<Money>,
    /// The vendor unit cost per seat.
    pub unit_cost: Option<Money>,
    /// Monthly value: delta × unit price (positive when under-billed, negative when over-billed).
    pub value: Option<Money>,
    /// Monthly cost not recovered: delta × vendor unit cost.
    pub cost: Option<Money>,
    /// Which price valued the gap.
    pub price_basis: PriceBasis,
    /// The vendor customers and products behind the gap, for drill-down.
    pub vendor_sources: Vec<(SourceKey, SourceKey)>,
}

impl Gap {
    /// The absolute value used for ordering and thresholds; unpriced gaps count as zero.
    pub fn magnitude(&self) -> Decimal {
        self.value
            .as_ref()
            .map(|value| value.amount.abs())
            .unwrap_or_default()
    }
}

/// What identifies a gap from run to run: the ledger keys a gap's history by it, and a
/// reconcile reports each identity once (see [`super::reconcile`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct GapIdentity {
    /// The PSA company billed.
    pub company: SourceKey,
    /// The PSA product billed.
    pub product: SourceKey,
    /// The commitment term the gap is reported under.
    pub term: Term,
    /// Unbilled, overbilled, missing, orphan or price: a gap that changes kind is a new gap,
    /// because what the operator must do about it changed.
    pub kind: GapKind,
    /// The currency of the gap's value; a client billed in two currencies has one gap per
    /// currency, since their amounts are never added. `None` for an unpriced gap.
    pub currency: Option<Currency>,
}

impl GapIdentity {
    /// The identity of a gap.
    pub fn of(gap: &Gap) -> Self {
        Self {
            company: gap.company.clone(),
            product: gap.product.clone(),
            term: gap.term,
            kind: gap.kind,
            currency: gap.value.as_ref().map(|value| value.currency.clone()),
        }
    }
}

/// Gaps, plus how many orphan lines were withheld because unmapped vendor data could still be
/// behind them.
pub(super) fn find_gaps(
    vendor: &[Position],
    psa: &[Position],
    mappings: &MappingSet,
    today: NaiveDate,
) -> (Vec<Gap>, usize) {
    let company_names: KeyMap<&SourceKey, &str> = psa
        .iter()
        .map(|position| (&position.customer, position.customer_name.as_str()))
        .collect();
    let vendor_groups = group_vendor(vendor, mappings, today);
    let psa_groups = group_psa(psa);
    let reference_prices = most_common_prices(psa);
    // PSA names first; a product no PSA line bills yet is named after the vendor product
    // mapped to it.
    let mut product_names: KeyMap<&SourceKey, &str> = KeyMap::default();
    for position in vendor {
        if let Some(psa_product) = mappings.product_for(&position.product, position.term) {
            product_names.insert(psa_product, position.product_name.as_str());
        }
    }
    for position in psa {
        product_names.insert(&position.product, position.product_name.as_str());
    }

    // The vendor terms mapped to each PSA product: a PSA product with any is a licence product.
    let mut licence_terms: KeyMap<&SourceKey, BTreeSet<Term>> = KeyMap::default();
    for ((_, term), psa_product) in &mappings.products {
        licence_terms
            .entry(psa_product)
            .or_default()
            .insert(term.unwrap_or(Term::Unspecified));
    }
    let mut gaps = Vec::new();
    let mut matched_psa: BTreeSet<GroupKey> = BTreeSet::new();
    let Pairing { compared, missing } = pair_sides(&vendor_groups, &psa_groups);
    for ((company, product, term), vendor_side) in &missing {
        let (unit_price, price_basis) = match reference_prices.get(*product) {
            Some(price) => (Some(price.clone()), PriceBasis::OtherClientsPrice),
            None => match vendor_side.unit_cost() {
                Some(cost) => (Some(cost), PriceBasis::VendorCost),
                None => (None, PriceBasis::Unpriced),
            },
        };
        if vendor_side.seats > Decimal::ZERO {
            gaps.push(seat_gap(SeatGap {
                company,
                company_name: company_names.get(company).copied().unwrap_or(&company.key),
                product,
                product_name: product_names.get(product).copied().unwrap_or(&product.key),
                term: *term,
                kind: GapKind::Missing,
                vendor: vendor_side,
                psa_seats: Decimal::ZERO,
                unit_price,
                price_basis,
            }));
        }
    }
    for (psa_key, vendor_side) in &compared {
        matched_psa.insert(*psa_key);
        let psa_side = &psa_groups[psa_key];
        let (company, product, term, _) = psa_key;
        let delta = vendor_side.seats - psa_side.seats;
        let kind = if delta > Decimal::ZERO {
            Some(GapKind::Unbilled)
        } else if delta < Decimal::ZERO {
            Some(if vendor_side.seats > Decimal::ZERO {
                GapKind::Overbilled
            } else {
                GapKind::Orphan
            })
        } else {
            None
        };
        let shared = SeatGap {
            company,
            company_name: psa_side.company_name,
            product,
            product_name: psa_side.product_name,
            term: reported_term(*term, &vendor_side.terms),
            kind: GapKind::Unbilled,
            vendor: vendor_side,
            psa_seats: psa_side.seats,
            unit_price: psa_side.unit_price.clone(),
            price_basis: PriceBasis::ClientPrice,
        };
        if let Some(price_gap) = price_gap(&shared) {
            gaps.push(price_gap);
        }
        if let Some(kind) = kind {
            gaps.push(seat_gap(SeatGap { kind, ..shared }));
        }
    }
    let doubt = OrphanDoubt::measure(vendor, mappings, today);
    let mut withheld = 0;
    for (key, psa_side) in &psa_groups {
        if matched_psa.contains(key) || psa_side.seats <= Decimal::ZERO {
            continue;
        }
        let (company, product, term, _) = key;
        let Some(mapped_terms) = licence_terms.get(product) else {
            continue;
        };
        if doubt.covers(company) {
            withheld += 1;
            continue;
        }
        gaps.push(seat_gap(SeatGap {
            company,
            company_name: psa_side.company_name,
            product,
            product_name: psa_side.product_name,
            term: reported_term(*term, mapped_terms),
            kind: GapKind::Orphan,
            vendor: &VendorSide::default(),
            psa_seats: psa_side.seats,
            unit_price: psa_side.unit_price.clone(),
            price_basis: PriceBasis::ClientPrice,
        }));
    }
    (gaps, withheld)
}

/// Where a PSA line without vendor seats might still have them: an unmapped vendor customer
/// could be any company, and an unmapped product of a mapped customer could be any product of
/// that customer's company. Reporting such a line as an orphan would invent a finding.
struct OrphanDoubt {
    any_unmapped_customer: bool,
    companies: BTreeSet<SourceKey>,
}

impl OrphanDoubt {
    fn measure(vendor: &[Position], mappings: &MappingSet, today: NaiveDate) -> Self {
        let mut doubt = OrphanDoubt {
            any_unmapped_customer: false,
            companies: BTreeSet::new(),
        };
        for position in vendor.iter().filter(|p| p.seats > Decimal::ZERO) {
            match mappings.treat(position, today) {
                Treatment::Unmapped { company: None, .. } => doubt.any_unmapped_customer = true,
                Treatment::Unmapped {
                    company: Some(company),
                    ..
                } => {
                    doubt.companies.insert(company.clone());
                }
                Treatment::Ignored | Treatment::Mapped { .. } => {}
            }
        }
        doubt
    }

    fn covers(&self, company: &SourceKey) -> bool {
        self.any_unmapped_customer || self.companies.contains(company)
    }
}

/// The term a gap is reported under: the PSA line's own term, or, when the PSA line states
/// none, the one vendor term behind it (several terms stay `Unspecified`).
pub(super) fn reported_term(psa_term: Term, vendor_terms: &BTreeSet<Term>) -> Term {
    match (psa_term, vendor_terms.len()) {
        (Term::Unspecified, 1) => vendor_terms.iter().next().copied().unwrap_or(psa_term),
        _ => psa_term,
    }
}

/// The most common PSA unit price of each PSA product, counted by lines. Ties go to the first
/// currency by code, then to the lower price, so that an estimate never overstates a gap and
/// the choice is the same on every run.
fn most_common_prices(psa: &[Position]) -> KeyMap<SourceKey, Money> {
    let mut counts: KeyMap<&SourceKey, BTreeMap<(Currency, Decimal), usize>> = KeyMap::default();
    for position in psa {
        if let Some(price) = position.unit_price {
            *counts
                .entry(&position.product)
                .or_default()
                .entry((position.currency.clone(), price.normalize()))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(product, prices)| {
            let best_count = prices.values().copied().max()?;
            let ((currency, price), _) =
                prices.into_iter().find(|(_, count)| *count == best_count)?;
            Some((product.clone(), Money::new(price, currency)))
        })
        .collect()
}

#[derive(Clone)]
struct SeatGap<'a> {
    company: &'a SourceKey,
    company_name: &'a str,
    product: &'a SourceKey,
    product_name: &'a str,
    term: Term,
    kind: GapKind,
    vendor: &'a VendorSide<'a>,
    psa_seats: Decimal,
    unit_price: Option<Money>,
    price_basis: PriceBasis,
}

fn seat_gap(gap: SeatGap<'_>) -> Gap {
    let delta = gap.vendor.seats - gap.psa_seats;
    let price_basis = if gap.unit_price.is_none() {
        PriceBasis::Unpriced
    } else {
        gap.price_basis
    };
    Gap {
        company: gap.company.clone(),
        company_name: gap.company_name.to_string(),
        product: gap.product.clone(),
        product_name: gap.product_name.to_string(),
        term: gap.term,
        kind: gap.kind,
        vendor_seats: gap.vendor.seats,
        psa_seats: gap.psa_seats,
        delta,
        // Imports bound prices and seats, so these products cannot overflow on real data; if
        // one did, the gap is shown unvalued (like an unpriced one) rather than panicking.
        value: gap
            .unit_price
            .as_ref()
            .and_then(|price| price.checked_times(delta))
            .map(|value| value.round_cents()),
        cost: gap
            .vendor
            .unit_cost()
            .and_then(|cost| cost.checked_times(delta))
            .map(|cost| cost.round_cents()),
        unit_price: gap.unit_price,
        unit_cost: gap.vendor.unit_cost(),
        price_basis,
        vendor_sources: gap
            .vendor
            .sources
            .iter()
            .map(|(customer, product)| ((*customer).clone(), (*product).clone()))
            .collect(),
    }
}

/// A price gap when the PSA price is below the vendor cost in the same currency: the margin
/// lost on every billed seat each month. Prices in different currencies are not compared.
fn price_gap(gap: &SeatGap<'_>) -> Option<Gap> {
    let price = gap.unit_price.as_ref()?;
    let loss_per_seat = gap.vendor.unit_cost()?.checked_sub(price).ok()?;
    let billed = gap.psa_seats.min(gap.vendor.seats);
    if loss_per_seat.amount <= Decimal::ZERO || billed <= Decimal::ZERO {
        return None;
    }
    // The same row as a seat gap of this line, valued by the margin lost instead.
    Some(Gap {
        // Unvalued rather than a panic should the product overflow; see `seat_gap`.
        value: loss_per_seat
            .checked_times(billed)
            .map(|loss| loss.round_cents()),
        cost: None,
        price_basis: PriceBasis::MarginLoss,
        ..seat_gap(SeatGap {
            kind: GapKind::Price,
            ..gap.clone()
        })
    })
}
