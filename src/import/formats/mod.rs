//! Seat rules: how a row of each format becomes a line, one module per format.
//!
//! The profile says where a value is; the rule says what it means: which charge types state
//! seats, which are deltas and which only move money, and which rows a PSA does not bill.

mod autotask;
mod connectwise;
mod generic;
mod halo;
mod invoice_row;
mod nce;
mod partner_legacy;
mod pax8;
mod rule;
mod sherweb;
mod syncro;

pub use rule::{Outcome, RuleContext, SeatRule};

use crate::import::profile::RuleSet;

/// The seat rule of a rule set.
pub fn seat_rule(rules: RuleSet, context: RuleContext) -> Box<dyn SeatRule> {
    match rules {
        RuleSet::PartnerCenterNce => Box::new(nce::NceRule::default()),
        RuleSet::PartnerCenterLegacy => Box::new(partner_legacy::LegacyRule),
        RuleSet::Pax8 => Box::new(pax8::Pax8Rule),
        RuleSet::ConnectwiseAdditions => Box::new(connectwise::AdditionRule::new(context)),
        RuleSet::AutotaskServiceUnits => Box::new(autotask::ServiceUnitRule::new(context)),
        RuleSet::HaloRecurringLines => Box::new(halo::HaloRule),
        RuleSet::Generic => Box::new(generic::GenericRule),
        RuleSet::Sherweb => Box::new(sherweb::SherwebRule),
        RuleSet::Syncro => Box::new(syncro::SyncroRule),
    }
}
