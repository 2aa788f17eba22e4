//! The operator's decisions, as values: what a face asks the application to record. The
//! store writes each one with an entry in the append-only decision log.

use crate::domain::lines::{SourceKey, Term};
use chrono::NaiveDate;

/// One thing the operator decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// This vendor customer is this PSA company.
    MapClient {
        /// Vendor customer.
        vendor: SourceKey,
        /// PSA company.
        company: SourceKey,
    },
    /// Remove a vendor customer's mapping.
    UnmapClient {
        /// Vendor customer.
        vendor: SourceKey,
    },
    /// This vendor product (of one term, or every term) is this PSA product.
    MapProduct {
        /// Vendor product.
        vendor: SourceKey,
        /// The term, or `None` for every term.
        term: Option<Term>,
        /// PSA product.
        product: SourceKey,
    },
    /// Remove a vendor product's mapping for a term (or the every-term mapping).
    UnmapProduct {
        /// Vendor product.
        vendor: SourceKey,
        /// The term, or `None` for the every-term mapping.
        term: Option<Term>,
    },
    /// This suggested PSA company is not this vendor customer; never suggest it again.
    RejectClient {
        /// Vendor customer.
        vendor: SourceKey,
        /// The rejected PSA company.
        company: SourceKey,
    },
    /// This suggested PSA product is not this vendor product.
    RejectProduct {
        /// Vendor product.
        vendor: SourceKey,
        /// The rejected PSA product.
        product: SourceKey,
    },
    /// Leave a vendor customer out of the comparison.
    IgnoreCustomer {
        /// Vendor customer.
        vendor: SourceKey,
        /// Why, shown wherever the rule has an effect.
        reason: String,
        /// Last day in force, or for good.
        until: Option<NaiveDate>,
    },
    /// Leave a vendor product of one term, or of every term, out of the comparison (free and
    /// viral SKUs). A mapping of the same product and term wins over it, so the workflow
    /// refuses it while one exists (see `MappingSet::mapping_over_ignore`).
    IgnoreProduct {
        /// Vendor product.
        vendor: SourceKey,
        /// The term, or `None` for every term (the only kind of product ignore before terms
        /// were recorded, so older rules read back as every-term ones).
        term: Option<Term>,
        /// Why.
        reason: String,
        /// Last day in force, or for good.
        until: Option<NaiveDate>,
    },
    /// Lift a customer's ignore rule.
    UnignoreCustomer {
        /// Vendor customer.
        vendor: SourceKey,
    },
    /// Lift a product's ignore rule for a term (or the every-term rule).
    UnignoreProduct {
        /// Vendor product.
        vendor: SourceKey,
        /// The term, or `None` for the every-term rule.
        term: Option<Term>,
    },
    /// Record what is being done about a gap (acknowledged, fixed in the PSA, snoozed).
    WorkGap {
        /// The gap's stable key (`domain::alerting::gap_key`).
        gap: String,
        /// Its display name ("Contoso · M365 E3 (annual) unbilled"), for the log.
        label: String,
        /// The work.
        work: crate::domain::gap_work::GapWork,
    },
    /// Clear the work recorded on a gap.
    ClearGapWork {
        /// The gap's stable key.
        gap: String,
        /// Its display name, for the log.
        label: String,
    },
}
