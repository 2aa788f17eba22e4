//! What a vendor pull that stopped early may still show, and what it must not.
//!
//! The rule. A pull that stopped early (a 500 on page 3, a spent budget, a timeout) read some
//! of the vendor's records, not all. Every seat on the pages it read exists, so per (customer,
//! product, term, currency) the seats it saw are a *lower bound* of the vendor's seats now.
//! Whatever follows from "the vendor has at least this many seats" is real even though the
//! snapshot is not whole:
//! - a `missing` gap: seats seen for a client and product the PSA does not bill at all;
//! - an `unbilled` gap, or a larger one: more seats seen than the PSA bills;
//! - a new unmapped vendor customer or product: it was seen, so it exists.
//!
//! Whatever needs the whole snapshot stays held back, because a record on a page that was
//! never read could be the one that changes it:
//! - an `orphan` or `overbilled` gap claims the vendor has *fewer* seats than the PSA bills;
//! - a gap that goes away, and a check that says "clean", claim that nothing is left unseen.
//!
//! So the vendor side is the last complete data raised key by key to what the incomplete pull
//! saw, never lowered ([`raise_to_seen`]): raising seats can create or grow `missing` and
//! `unbilled` gaps, and can never create an `orphan` or `overbilled` one. A gap of the last
//! complete data that the raised data no longer shows is kept as it was ([`hold_back`]), so
//! nothing resolves; the failing source also keeps the run incomplete and the verdict unclean.
//!
//! A PSA pull that stopped early shows nothing new: PSA lines on the unread pages would look
//! like seats nobody bills, a false `missing` or `unbilled`. Its last complete data stays in use
//! as a whole, and the lines it read are never kept.

use super::clients::{Thresholds, client_totals};
use super::gaps::Gap;
use super::position::Position;
use super::reconciliation::{Reconciliation, order};
use super::verdict::Verdict;
use crate::domain::lines::{Line, SourceKey, Term};
use crate::domain::money::Currency;
use crate::domain::positions::{PositionTotals, TotalsOverflow};
use std::collections::{BTreeMap, HashSet};

/// A position's key: customer, product, term and currency.
type PositionKey = (SourceKey, SourceKey, Term, Currency);

fn key_of(position: &Position) -> PositionKey {
    (
        position.customer.clone(),
        position.product.clone(),
        position.term,
        position.currency.clone(),
    )
}

/// The positions of the lines a vendor pull of `system` saw, aggregated as an import of the
/// same lines would be (the same seat and price rules). Fails when a sum overflows.
pub fn positions_seen(system: &str, lines: &[Line]) -> Result<Vec<Position>, TotalsOverflow> {
    let mut totals: BTreeMap<PositionKey, (PositionTotals, String, String)> = BTreeMap::new();
    for line in lines {
        let key = (
            SourceKey::new(system, line.customer.key.as_str()),
            SourceKey::new(system, line.product.key.as_str()),
            line.term,
            line.currency().cloned().unwrap_or_else(Currency::none),
        );
        totals
            .entry(key)
            .or_insert_with(|| {
                (
                    PositionTotals::default(),
                    line.customer.name.clone(),
                    line.product.name.clone(),
                )
            })
            .0
            .absorb(line)?;
    }
    Ok(totals
        .into_iter()
        .map(
            |((customer, product, term, currency), (totals, customer_name, product_name))| {
                Position {
                    customer,
                    customer_name,
                    product,
                    product_name,
                    term,
                    currency,
                    seats: totals.seats,
                    spend: totals.spend,
                    unit_price: totals.unit_price,
                    unit_cost: totals.unit_cost,
                }
            },
        )
        .collect())
}

/// The stored vendor positions raised to what an incomplete pull saw: per key, the seen
/// position replaces the stored one only when it has more seats, and a key only seen is
/// added. Seats are never lowered. The result is ordered by key, as the stored positions are.
pub fn raise_to_seen(stored: &[Position], seen: Vec<Position>) -> Vec<Position> {
    let mut raised: BTreeMap<PositionKey, Position> = stored
        .iter()
        .map(|position| (key_of(position), position.clone()))
        .collect();
    for position in seen {
        match raised.get_mut(&key_of(&position)) {
            Some(kept) if kept.seats >= position.seats => {}
            Some(kept) => *kept = position,
            None => {
                raised.insert(key_of(&position), position);
            }
        }
    }
    raised.into_values().collect()
}

/// The reconciliation of the raised vendor side, with every gap of the `base` reconciliation
/// (the last complete data) whose client, product, term and currency the raised one no longer
/// shows kept as it was: an incomplete pull never makes a gap go away. Client totals and an
/// otherwise clean verdict follow the gaps kept.
pub fn hold_back(
    raised: Reconciliation,
    base: &Reconciliation,
    thresholds: &Thresholds,
) -> Reconciliation {
    let cell = |gap: &Gap| {
        (
            gap.company.clone(),
            gap.product.clone(),
            gap.term,
            gap.value.as_ref().map(|value| value.currency.clone()),
        )
    };
    let shown: HashSet<_> = raised.gaps.iter().map(cell).collect();
    let held: Vec<Gap> = base
        .gaps
        .iter()
        .filter(|gap| !shown.contains(&cell(gap)))
        .cloned()
        .collect();
    if held.is_empty() {
        return raised;
    }
    let mut gaps = raised.gaps;
    gaps.extend(held);
    order(&mut gaps);
    let clients = client_totals(&gaps, thresholds);
    let verdict = match raised.verdict {
        Verdict::Clean if clients.iter().any(|client| client.over_threshold) => {
            Verdict::OverThreshold
        }
        verdict => verdict,
    };
    Reconciliation {
        gaps,
        clients,
        verdict,
        ..raised
    }
}
