//! How lines become positions: the running totals an import keeps per (customer, product,
//! term, currency) while its rows stream in, and the merge of a period's slices into one
//! position per key.
//!
//! These are rules, not storage: the store keeps the totals in its own keyed map and writes
//! them, but what a line adds to a position is decided here, so it is tested without SQLite.

use crate::domain::lines::{ChargeKind, Line, SourceKey, Term};
use crate::domain::money::Currency;
use crate::domain::reconcile::Position;
use rust_decimal::Decimal;

/// A position's running totals while one import streams in.
///
/// The totals of two stretches of the same file merge exactly ([`PositionTotals::merge`]), so
/// an import too large to hold in memory can aggregate it piecewise. The fields beyond the
/// totals themselves record what that merge needs: which row set each price, and the prices
/// seen before any recurring row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PositionTotals {
    /// Seats of the rows that count seats (credits and prorations are money, not seats).
    pub seats: Decimal,
    /// The extended amount of every row.
    pub spend: Decimal,
    /// Price per seat, from the largest recurring row that has one.
    pub unit_price: Option<Decimal>,
    /// Cost per seat, from the largest recurring row that has one.
    pub unit_cost: Option<Decimal>,
    /// Seats of the recurring row whose prices were kept: the largest one speaks for all.
    pub priced_by: Option<Decimal>,
    /// The first price of a row before any recurring row: the price when no recurring row has
    /// one.
    pub price_before_recurring: Option<Decimal>,
    /// The first cost of a row before any recurring row, likewise.
    pub cost_before_recurring: Option<Decimal>,
    /// Seats of the recurring row that gave `unit_price`, when one did.
    pub price_set_by: Option<Decimal>,
    /// Seats of the recurring row that gave `unit_cost`, when one did.
    pub cost_set_by: Option<Decimal>,
    /// Rows absorbed.
    pub lines: i64,
}

/// A sum that left the range of exact decimals. The importers bound every amount and quantity,
/// so this only happens on input that slipped past them; the import is then refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the running total of a position is too large to compute exactly")]
pub struct TotalsOverflow;

impl PositionTotals {
    /// Adds one line. Seats count only for charges that carry seats; spend is the line's
    /// amount, or its seats times its unit cost (else price) when it has no amount. Fails
    /// instead of panicking when a sum overflows.
    pub fn absorb(&mut self, line: &Line) -> Result<(), TotalsOverflow> {
        self.lines = self.lines.checked_add(1).ok_or(TotalsOverflow)?;
        let counts_seats = line.charge.counts_seats();
        if counts_seats {
            self.seats = self.seats.checked_add(line.seats).ok_or(TotalsOverflow)?;
        }
        let spend = match (&line.amount, &line.unit_cost, &line.unit_price) {
            (Some(amount), _, _) => Some(amount.amount),
            (None, Some(cost), _) if counts_seats => cost.amount.checked_mul(line.seats),
            (None, None, Some(price)) if counts_seats => price.amount.checked_mul(line.seats),
            _ => Some(Decimal::ZERO),
        }
        .ok_or(TotalsOverflow)?;
        self.spend = self.spend.checked_add(spend).ok_or(TotalsOverflow)?;
        let price = line.unit_price.as_ref().map(|money| money.amount);
        let cost = line.unit_cost.as_ref().map(|money| money.amount);
        let is_recurring = line.charge == ChargeKind::Recurring;
        if is_recurring && self.priced_by.is_none_or(|seats| line.seats > seats) {
            self.priced_by = Some(line.seats);
            // The largest line speaks for the price, but a line without one never erases a
            // price an earlier line gave.
            if price.is_some() {
                self.unit_price = price;
                self.price_set_by = Some(line.seats);
            }
            if cost.is_some() {
                self.unit_cost = cost;
                self.cost_set_by = Some(line.seats);
            }
        } else if self.priced_by.is_none() {
            self.price_before_recurring = self.price_before_recurring.or(price);
            self.cost_before_recurring = self.cost_before_recurring.or(cost);
            self.unit_price = self.unit_price.or(price);
            self.unit_cost = self.unit_cost.or(cost);
        }
        Ok(())
    }

    /// Adds the totals of the lines that came after this one's in the same file, giving
    /// exactly what absorbing all of them one by one gives. Fails when a sum overflows.
    ///
    /// Prices follow the rows: a row before any recurring row fills a missing price, and a
    /// recurring row larger than every earlier one replaces it. So `later`'s rows before its
    /// first recurring row count only when this stretch had no recurring row, and `later`'s
    /// price survives only when the recurring row that gave it beats this stretch's largest.
    pub fn merge(&mut self, later: &PositionTotals) -> Result<(), TotalsOverflow> {
        self.lines = self.lines.checked_add(later.lines).ok_or(TotalsOverflow)?;
        self.seats = self.seats.checked_add(later.seats).ok_or(TotalsOverflow)?;
        self.spend = self.spend.checked_add(later.spend).ok_or(TotalsOverflow)?;
        let earlier_largest = self.priced_by;
        let beats = |seats: Decimal| earlier_largest.is_none_or(|largest| seats > largest);
        if earlier_largest.is_none() {
            self.price_before_recurring =
                self.price_before_recurring.or(later.price_before_recurring);
            self.cost_before_recurring = self.cost_before_recurring.or(later.cost_before_recurring);
        }
        if let Some(seats) = later.price_set_by.filter(|seats| beats(*seats)) {
            self.price_set_by = Some(seats);
            self.unit_price = later.unit_price;
        } else if self.price_set_by.is_none() {
            self.unit_price = self.price_before_recurring;
        }
        if let Some(seats) = later.cost_set_by.filter(|seats| beats(*seats)) {
            self.cost_set_by = Some(seats);
            self.unit_cost = later.unit_cost;
        } else if self.cost_set_by.is_none() {
            self.unit_cost = self.cost_before_recurring;
        }
        if later.priced_by.is_some_and(beats) {
            self.priced_by = later.priced_by;
        }
        Ok(())
    }
}

/// Merges the positions of a period's current imports (its slices, such as one Partner Center
/// invoice per currency or two Pax8 accounts) into one position per (customer, product, term,
/// currency). Seats and spend add up; the first slice that has a price or cost gives it.
/// The result is ordered by key, so every face lists it the same way.
pub fn merge_slices(
    positions: impl IntoIterator<Item = Position>,
) -> Result<Vec<Position>, TotalsOverflow> {
    let mut positions: Vec<Position> = positions.into_iter().collect();
    // Sorted in place rather than into a map of cloned keys: at 200,000 positions the clones
    // were most of reading a side. The sort is stable, so positions of one key stay in slice
    // order and the first slice still gives the price.
    positions.sort_by(|a, b| slice_key(a).cmp(&slice_key(b)));
    let mut merged: Vec<Position> = Vec::with_capacity(positions.len());
    for position in positions {
        match merged.last_mut() {
            Some(existing) if slice_key(existing) == slice_key(&position) => {
                existing.seats = existing
                    .seats
                    .checked_add(position.seats)
                    .ok_or(TotalsOverflow)?;
                existing.spend = existing
                    .spend
                    .checked_add(position.spend)
                    .ok_or(TotalsOverflow)?;
                existing.unit_price = existing.unit_price.or(position.unit_price);
                existing.unit_cost = existing.unit_cost.or(position.unit_cost);
            }
            _ => merged.push(position),
        }
    }
    Ok(merged)
}

/// What makes positions of two slices the same position.
fn slice_key(position: &Position) -> (&SourceKey, &SourceKey, Term, &Currency) {
    (
        &position.customer,
        &position.product,
        position.term,
        &position.currency,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lines::{Party, Product};
    use crate::domain::money::Money;
    use rust_decimal_macros::dec;

    fn line(charge: ChargeKind, seats: Decimal, price: Option<Decimal>) -> Line {
        let usd = Currency::parse("USD").expect("USD");
        Line {
            source_line: 2,
            customer: Party {
                key: "c".into(),
                name: "C".into(),
                domain: None,
                external_id: None,
            },
            product: Product {
                key: "p".into(),
                name: "P".into(),
            },
            term: Term::Monthly,
            charge,
            seats,
            unit_price: price.map(|amount| Money::new(amount, usd.clone())),
            unit_cost: None,
            amount: None,
            period_start: None,
            period_end: None,
            subscription: None,
            line_id: None,
        }
    }

    #[test]
    fn the_largest_recurring_line_sets_the_price_and_credits_add_no_seats() {
        let mut totals = PositionTotals::default();
        totals
            .absorb(&line(ChargeKind::Recurring, dec!(2), Some(dec!(10))))
            .expect("absorb");
        totals
            .absorb(&line(ChargeKind::Recurring, dec!(8), Some(dec!(9))))
            .expect("absorb");
        totals
            .absorb(&line(ChargeKind::Credit, dec!(-3), Some(dec!(9))))
            .expect("absorb");
        assert_eq!(totals.seats, dec!(10));
        assert_eq!(totals.unit_price, Some(dec!(9)));
        assert_eq!(totals.spend, dec!(92));
        assert_eq!(totals.lines, 3);
    }

    #[test]
    fn an_overflowing_sum_is_an_error_not_a_panic() {
        let mut totals = PositionTotals::default();
        let huge = line(ChargeKind::Recurring, Decimal::MAX, Some(Decimal::MAX));
        assert_eq!(totals.absorb(&huge), Err(TotalsOverflow));
    }

    fn priced(charge: ChargeKind, seats: i64, price: Option<i64>, cost: Option<i64>) -> Line {
        let usd = Currency::parse("USD").expect("USD");
        let mut line = line(charge, Decimal::from(seats), price.map(Decimal::from));
        line.unit_cost = cost.map(|cost| Money::new(Decimal::new(cost, 1), usd));
        line
    }

    fn absorbed(lines: &[Line]) -> PositionTotals {
        let mut totals = PositionTotals::default();
        for line in lines {
            totals.absorb(line).expect("absorb");
        }
        totals
    }

    #[test]
    fn a_later_stretch_without_recurring_rows_keeps_the_earlier_price() {
        // Sequentially, the credit's price fills nothing: the recurring row had set it.
        let lines = [
            priced(ChargeKind::Credit, -1, Some(20), None),
            priced(ChargeKind::Recurring, 4, None, Some(7)),
            priced(ChargeKind::Credit, -1, Some(30), Some(8)),
            priced(ChargeKind::Recurring, 9, None, None),
        ];
        for split in 0..=lines.len() {
            let mut merged = absorbed(&lines[..split]);
            merged.merge(&absorbed(&lines[split..])).expect("merge");
            assert_eq!(merged, absorbed(&lines), "split at {split}");
        }
    }

    proptest::proptest! {
        #[test]
        fn merged_stretches_equal_one_pass(
            rows in proptest::collection::vec(
                (0_u8..3, 0_i64..6, proptest::option::of(1_i64..4), proptest::option::of(1_i64..4)),
                0..12,
            ),
            cuts in proptest::collection::vec(0_usize..12, 0..4),
        ) {
            let charges = [ChargeKind::Recurring, ChargeKind::Credit, ChargeKind::Change];
            let lines: Vec<Line> = rows
                .iter()
                .map(|&(charge, seats, price, cost)| {
                    priced(charges[usize::from(charge)], seats, price, cost)
                })
                .collect();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(lines.len())).collect();
            cuts.push(lines.len());
            cuts.sort_unstable();
            let mut merged = PositionTotals::default();
            let mut start = 0;
            for cut in cuts {
                merged.merge(&absorbed(&lines[start..cut])).expect("merge");
                start = cut;
            }
            proptest::prop_assert_eq!(merged, absorbed(&lines));
        }
    }

    #[test]
    fn slices_of_one_period_add_up_per_key() {
        let usd = Currency::parse("USD").expect("USD");
        let position = |seats: Decimal, price: Option<Decimal>| Position {
            customer: SourceKey::new("pax8", "c"),
            customer_name: "C".into(),
            product: SourceKey::new("pax8", "p"),
            product_name: "P".into(),
            term: Term::Monthly,
            currency: usd.clone(),
            seats,
            spend: seats,
            unit_price: price,
            unit_cost: None,
        };
        let merged =
            merge_slices([position(dec!(3), None), position(dec!(4), Some(dec!(5)))]).expect("ok");
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].seats, dec!(7));
        assert_eq!(merged[0].unit_price, Some(dec!(5)));
    }
}
