//! ConnectWise Manage agreement additions.
//!
//! Billed seats are `quantity − lessIncluded` (never below zero) on additions that are
//! `Billable`, belong to an `Active` agreement (or one whose status the file does not give),
//! took effect by the cut-off day and were not cancelled by it. The cut-off is the last day of
//! the named period, or today when none is named. Every other row is a valid addition that is
//! not billed: it is excluded and counted, not rejected.

use super::rule::{Outcome, RuleContext, SeatRule, fold, last_day};
use crate::domain::lines::{ChargeKind, Line, Term};
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The additions seat rule, holding its cut-off day.
pub struct AdditionRule {
    cutoff: NaiveDate,
}

impl AdditionRule {
    /// A rule that bills what is in force on the period's last day (or today).
    pub fn new(context: RuleContext) -> Self {
        Self {
            cutoff: context.period.map(last_day).unwrap_or(context.today),
        }
    }
}

impl SeatRule for AdditionRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId], &[Role::ProductName])?;
        let quantity = row.quantity(Role::Quantity)?.unwrap_or_default();
        let included = row.quantity(Role::LessIncluded)?.unwrap_or_default();
        let currency = row.currency()?;
        let unit_price = row.money(Role::UnitPrice, &currency)?;
        let unit_cost = row.money(Role::UnitCost, &currency)?;
        let effective = row.date(Role::EffectiveDate)?;
        let cancelled = row.date(Role::CancelledDate)?;
        // An unknown value (a typo such as `Billabel`) would silently drop a billed line.
        let billable = match row.text(Role::BillCustomer).map(|bill| (bill, fold(bill))) {
            Some((_, folded)) if folded == "billable" => true,
            Some((_, folded)) if folded == "donotbill" || folded == "nocharge" => false,
            Some((bill, _)) => {
                return Err(row.invalid(
                    Role::BillCustomer,
                    "Billable, DoNotBill or NoCharge",
                    bill,
                ));
            }
            None => false,
        };
        if included < Decimal::ZERO {
            row.note(
                Some(Role::LessIncluded),
                "rows with a negative Less Included, read as is",
            );
        }
        let active = row
            .text(Role::Status)
            .is_none_or(|status| fold(status) == "active");
        let started = effective.is_none_or(|date| date <= self.cutoff);
        let cancelled = cancelled.is_some_and(|date| date <= self.cutoff);
        if !billable || !active || !started || cancelled {
            return Ok(Outcome::Excluded);
        }
        // Both are within the seat bound, so the difference cannot saturate.
        let seats = quantity.saturating_sub(included).max(Decimal::ZERO);
        let amount = unit_price
            .as_ref()
            .map(|price| row.extended(Role::UnitPrice, price, seats))
            .transpose()?;
        Ok(Outcome::Line(Box::new(Line {
            source_line,
            customer,
            product,
            term: Term::Unspecified,
            charge: ChargeKind::Recurring,
            seats,
            amount,
            unit_price,
            unit_cost,
            period_start: None,
            period_end: None,
            subscription: row
                .name(Role::AgreementId)
                .or_else(|| row.name(Role::AgreementName)),
            line_id: row.name(Role::LineId),
        })))
    }
}
