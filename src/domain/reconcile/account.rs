//! One client's whole account: every product the vendor charges for and every line the PSA
//! bills, side by side, including the ones that agree. It is what the billing owner brings to
//! the account manager, so it shows the same pairing and the same gaps as the reconcile, never
//! a comparison of its own.

use super::gaps::{Gap, GapKind, reported_term};
use super::mappings::{MappingSet, Treatment};
use super::position::Position;
use super::sides::{Pairing, group_psa, group_vendor, pair_sides};
use crate::domain::lines::{SourceKey, Term};
use crate::domain::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Where one row of an account stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "standing", content = "kinds")]
pub enum Standing {
    /// Both sides agree: nothing to do.
    Agrees,
    /// The reconcile reports these gaps on this row.
    Gaps(Vec<GapKind>),
    /// The PSA bills it and no vendor product is mapped to it: a service, a labour line or a
    /// product bought elsewhere. Not compared.
    PsaOnly,
    /// PSA seats without vendor seats that are not reported yet, because an unmapped vendor
    /// customer or product could still be behind them.
    Withheld,
    /// A vendor product of this client with no PSA product mapped for its term: not compared
    /// until it is mapped.
    Unmapped,
    /// Left out of the comparison by an ignore rule.
    Ignored,
}

impl Standing {
    /// The standing in the billing owner's words.
    pub fn words(&self) -> String {
        match self {
            Standing::Agrees => "agrees".to_string(),
            Standing::Gaps(kinds) => kinds
                .iter()
                .map(|kind| kind.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            Standing::PsaOnly => "PSA only (no vendor product mapped to it)".to_string(),
            Standing::Withheld => "held back (unmapped vendor data may be behind it)".to_string(),
            Standing::Unmapped => "not compared: product not mapped".to_string(),
            Standing::Ignored => "ignored".to_string(),
        }
    }
}

/// One product (and term) of a client's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountLine {
    /// The PSA product's name, or the vendor product's for an unmapped one.
    pub product: String,
    /// The term the row is reported under.
    pub term: Term,
    /// The currency of the row's prices.
    pub currency: Currency,
    /// Seats the vendor charges for; `None` when the vendor side has nothing here.
    pub vendor_seats: Option<Decimal>,
    /// Seats the PSA bills; `None` when no PSA line bills it.
    pub psa_seats: Option<Decimal>,
    /// The client's price per seat on the PSA line.
    pub unit_price: Option<Money>,
    /// The vendor's cost per seat.
    pub unit_cost: Option<Money>,
    /// Where the row stands.
    pub standing: Standing,
}

/// A client's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The PSA company.
    pub company: SourceKey,
    /// Its name.
    pub company_name: String,
    /// The vendor customers (tenants) mapped to it, by name.
    pub vendor_customers: Vec<String>,
    /// Every row, gaps first, then by product and term.
    pub lines: Vec<AccountLine>,
}

impl Account {
    /// Rows on which both sides agree.
    pub fn agreeing(&self) -> usize {
        self.lines
            .iter()
            .filter(|line| line.standing == Standing::Agrees)
            .count()
    }
}

/// The account of one PSA company, from the positions the reconcile used and the gaps it found.
pub fn account(
    company: &SourceKey,
    vendor: &[Position],
    psa: &[Position],
    mappings: &MappingSet,
    gaps: &[Gap],
    today: NaiveDate,
) -> Account {
    let mine: Vec<Position> = vendor
        .iter()
        .filter(|position| mappings.company_for(&position.customer) == Some(company))
        .cloned()
        .collect();
    let billed: Vec<Position> = psa
        .iter()
        .filter(|position| position.customer == *company)
        .cloned()
        .collect();
    let mut vendor_customers: Vec<String> = mine.iter().map(|p| p.customer_name.clone()).collect();
    vendor_customers.sort();
    vendor_customers.dedup();
    let company_name = billed
        .first()
        .map(|position| position.customer_name.clone())
        .or_else(|| {
            gaps.iter()
                .find(|gap| gap.company == *company)
                .map(|gap| gap.company_name.clone())
        })
        .unwrap_or_else(|| company.key.clone());
    let gaps_here: Vec<&Gap> = gaps.iter().filter(|gap| gap.company == *company).collect();
    let kinds_of = |product: &SourceKey, term: Term| -> Vec<GapKind> {
        let mut kinds: Vec<GapKind> = gaps_here
            .iter()
            .filter(|gap| gap.product == *product && gap.term == term)
            .map(|gap| gap.kind)
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };

    let vendor_groups = group_vendor(&mine, mappings, today);
    let psa_groups = group_psa(&billed);
    let Pairing { compared, missing } = pair_sides(&vendor_groups, &psa_groups);
    // PSA products some vendor product maps to, once: the mappings are the whole MSP's, the
    // rows only this client's.
    let licence_products: BTreeSet<&SourceKey> = mappings.products.values().collect();
    let mut lines = Vec::new();
    for (key, psa_side) in &psa_groups {
        let (_, product, term, currency) = key;
        let vendor_side = compared.get(key);
        let mapped = licence_products.contains(*product);
        let mut shown_term = vendor_side.map_or(*term, |side| reported_term(*term, &side.terms));
        let mut kinds = kinds_of(product, shown_term);
        if kinds.is_empty() && vendor_side.is_none() && *term == Term::Unspecified {
            // An orphan on a line without a term is reported under the one mapped term.
            if let Some(orphan) = gaps_here
                .iter()
                .find(|gap| gap.product == **product && gap.kind == GapKind::Orphan)
            {
                shown_term = orphan.term;
                kinds = vec![GapKind::Orphan];
            }
        }
        let standing = if !kinds.is_empty() {
            Standing::Gaps(kinds)
        } else if vendor_side.is_none() && !mapped {
            Standing::PsaOnly
        } else if vendor_side.is_some_and(|side| side.seats == psa_side.seats) {
            Standing::Agrees
        } else if vendor_side.is_none() && psa_side.seats > Decimal::ZERO {
            Standing::Withheld
        } else {
            // Seats differ by nothing the reconcile reports (a zero-seat PSA line): agree.
            Standing::Agrees
        };
        lines.push(AccountLine {
            product: psa_side.product_name.to_string(),
            term: shown_term,
            currency: (*currency).clone(),
            vendor_seats: vendor_side.map(|side| side.seats),
            psa_seats: Some(psa_side.seats),
            unit_price: psa_side.unit_price.clone(),
            unit_cost: vendor_side.and_then(|side| side.unit_cost()),
            standing,
        });
    }
    for ((_, product, term), vendor_side) in &missing {
        let any = vendor_groups
            .iter()
            .find(|(key, _)| key.1 == *product && key.2 == *term);
        let Some(((_, _, _, currency), _)) = any else {
            continue;
        };
        let name = gaps_here
            .iter()
            .find(|gap| gap.product == **product)
            .map_or_else(|| product.key.clone(), |gap| gap.product_name.clone());
        let kinds = kinds_of(product, *term);
        lines.push(AccountLine {
            product: name,
            term: *term,
            currency: (*currency).clone(),
            vendor_seats: Some(vendor_side.seats),
            psa_seats: None,
            unit_price: None,
            unit_cost: vendor_side.unit_cost(),
            standing: if kinds.is_empty() {
                Standing::Agrees
            } else {
                Standing::Gaps(kinds)
            },
        });
    }
    lines.extend(uncompared(&mine, mappings, today));
    lines.sort_by(|a, b| {
        rank(&a.standing)
            .cmp(&rank(&b.standing))
            .then_with(|| a.product.cmp(&b.product))
            .then_with(|| a.term.cmp(&b.term))
    });
    Account {
        company: company.clone(),
        company_name,
        vendor_customers,
        lines,
    }
}

/// The client's vendor positions that are not compared: products without a mapping for their
/// term, and ignored ones, summed per product, term and currency. Pure credits follow the
/// position they credit and are not rows of their own.
fn uncompared(mine: &[Position], mappings: &MappingSet, today: NaiveDate) -> Vec<AccountLine> {
    // (product name, term, currency, ignored) → (seats, cost per seat).
    type Uncompared<'a> = BTreeMap<(&'a str, Term, &'a Currency, bool), (Decimal, Option<Decimal>)>;
    let mut rows: Uncompared = BTreeMap::new();
    for position in mine.iter().filter(|position| !position.is_pure_credit()) {
        let ignored = match mappings.treat(position, today) {
            Treatment::Mapped { .. } => continue,
            Treatment::Ignored => true,
            Treatment::Unmapped { .. } => false,
        };
        let row = rows
            .entry((
                position.product_name.as_str(),
                position.term,
                &position.currency,
                ignored,
            ))
            .or_insert((Decimal::ZERO, None));
        row.0 += position.seats;
        row.1 = row.1.or(position.unit_cost);
    }
    rows.into_iter()
        .map(
            |((product, term, currency, ignored), (seats, cost))| AccountLine {
                product: product.to_string(),
                term,
                currency: currency.clone(),
                vendor_seats: Some(seats),
                psa_seats: None,
                unit_price: None,
                unit_cost: cost.map(|cost| Money::new(cost, currency.clone())),
                standing: if ignored {
                    Standing::Ignored
                } else {
                    Standing::Unmapped
                },
            },
        )
        .collect()
}

/// Gaps first (what to talk about), then what is not compared yet, then what agrees.
fn rank(standing: &Standing) -> u8 {
    match standing {
        Standing::Gaps(_) => 0,
        Standing::Unmapped => 1,
        Standing::Withheld => 2,
        Standing::Agrees => 3,
        Standing::PsaOnly => 4,
        Standing::Ignored => 5,
    }
}
