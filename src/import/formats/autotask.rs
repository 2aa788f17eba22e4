//! Autotask contract service units.
//!
//! Autotask writes one `ContractServiceUnits` row per billing period of a contract service, and
//! a new row from the effective date of every unit adjustment. The seats of a contract service
//! are the `Units` of the row whose `StartDate ≤ reference ≤ EndDate`, where the reference day
//! is the last day of the named period, or, when none is named, the latest `EndDate` in the
//! file. When rows overlap, the one that starts last wins (the latest adjustment). Rows that do
//! not cover the reference day are excluded. Contract services are told apart by
//! `ContractServiceID`, else by contract and service. `Price` and `Cost` are read as per-unit
//! amounts (inferred from the API field names).
//!
//! Only one candidate row per contract service is held while the file streams: with a named
//! period a row either covers its last day or not; without one, only rows ending on the latest
//! `EndDate` so far can cover the final reference day.

use super::rule::{Outcome, RuleContext, SeatRule, last_day};
use crate::domain::lines::{ChargeKind, Line, Period, Term};
use crate::import::profile::Role;
use crate::import::row::{CellError, Row};
use chrono::NaiveDate;
use std::collections::HashMap;

struct Candidate {
    line: Line,
    start: NaiveDate,
    end: NaiveDate,
}

/// The service-units rule: the best row per contract service, picked when the file ends.
pub struct ServiceUnitRule {
    reference: Option<NaiveDate>,
    latest_end: Option<NaiveDate>,
    candidates: HashMap<(String, String), Candidate>,
    held: u64,
    released: u64,
    chosen: Option<Period>,
}

impl ServiceUnitRule {
    /// A rule for the named period, or for the file's latest end date.
    pub fn new(context: RuleContext) -> Self {
        Self {
            reference: context.period.map(last_day),
            latest_end: None,
            candidates: HashMap::new(),
            held: 0,
            released: 0,
            chosen: context.period,
        }
    }

    fn better(&self, new: &Candidate, old: &Candidate) -> bool {
        if self.reference.is_none() && new.end != old.end {
            return new.end > old.end;
        }
        (new.start, new.line.source_line) > (old.start, old.line.source_line)
    }
}

impl SeatRule for ServiceUnitRule {
    fn read(&mut self, row: &Row, source_line: u64) -> Result<Outcome, CellError> {
        let customer = row.party(Role::CustomerId, Role::CustomerName)?;
        let product = row.product(&[Role::ProductId], &[Role::ProductName])?;
        let start = row
            .date(Role::Start)?
            .ok_or_else(|| row.invalid(Role::Start, "a start date", ""))?;
        let end = row
            .date(Role::End)?
            .ok_or_else(|| row.invalid(Role::End, "an end date", ""))?;
        let seats = row.quantity(Role::Quantity)?.unwrap_or_default();
        let currency = row.currency()?;
        let unit_price = row.money(Role::UnitPrice, &currency)?;
        let amount = unit_price
            .as_ref()
            .map(|price| row.extended(Role::UnitPrice, price, seats))
            .transpose()?;
        let service = match row.text(Role::ContractServiceId) {
            Some(id) => id.to_string(),
            None => format!(
                "{}/{}",
                row.text(Role::ContractId).unwrap_or_default(),
                product.key
            ),
        };
        let candidate = Candidate {
            line: Line {
                source_line,
                term: Term::Unspecified,
                charge: ChargeKind::Recurring,
                seats,
                amount,
                unit_price,
                unit_cost: row.money(Role::UnitCost, &currency)?,
                period_start: Some(start),
                period_end: Some(end),
                subscription: row.name(Role::ContractId),
                line_id: row.name(Role::ContractServiceId),
                customer,
                product,
            },
            start,
            end,
        };
        if let Some(reference) = self.reference {
            if !(start <= reference && reference <= end) {
                return Ok(Outcome::Excluded);
            }
        }
        self.latest_end = self.latest_end.max(Some(end));
        self.held = self.held.saturating_add(1);
        let key = (candidate.line.customer.key.clone(), service);
        let replace = self
            .candidates
            .get(&key)
            .is_none_or(|old| self.better(&candidate, old));
        if replace {
            self.candidates.insert(key, candidate);
        }
        Ok(Outcome::Held)
    }

    fn finish(&mut self) -> Vec<Line> {
        let Some(reference) = self.reference.or(self.latest_end) else {
            return Vec::new();
        };
        self.chosen = Some(Period::containing(reference));
        let mut lines: Vec<Line> = std::mem::take(&mut self.candidates)
            .into_values()
            .filter(|c| c.start <= reference && reference <= c.end)
            .map(|c| c.line)
            .collect();
        lines.sort_by_key(|line| line.source_line);
        self.released = u64::try_from(lines.len()).unwrap_or(u64::MAX);
        lines
    }

    fn dropped(&self) -> u64 {
        // Every released line was held first.
        self.held.saturating_sub(self.released)
    }

    fn period(&self) -> Option<Period> {
        self.chosen
    }
}
