//! The operator's decisions as reconciliation sees them: which vendor customer is which PSA
//! company, which vendor product is which PSA product, and what to leave out.

use crate::domain::lines::{SourceKey, Term};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Why something is left out of the comparison, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoreRule {
    /// The operator's reason, shown wherever the ignore has an effect.
    pub reason: String,
    /// Last day the rule applies; `None` means for good.
    pub until: Option<NaiveDate>,
}

impl IgnoreRule {
    /// True while the rule is in force on `today`.
    pub fn applies_on(&self, today: NaiveDate) -> bool {
        self.until.is_none_or(|until| today <= until)
    }
}

/// All confirmed mappings and ignore rules.
///
/// Many vendor customers may map to one PSA company (a client with two tenants) and many vendor
/// products to one PSA product (bundles). A product mapping is per term, or for every term when
/// the term is `None`; a term-specific mapping wins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MappingSet {
    /// Vendor customer → PSA company.
    pub clients: HashMap<SourceKey, SourceKey>,
    /// (Vendor product, term or every term) → PSA product.
    pub products: HashMap<(SourceKey, Option<Term>), SourceKey>,
    /// Vendor customers left out, with why.
    pub ignored_customers: HashMap<SourceKey, IgnoreRule>,
    /// Vendor products left out, with why.
    pub ignored_products: HashMap<SourceKey, IgnoreRule>,
}

impl MappingSet {
    /// The PSA company a vendor customer maps to.
    pub fn company_for(&self, customer: &SourceKey) -> Option<&SourceKey> {
        self.clients.get(customer)
    }

    /// The PSA product a vendor product of a term maps to; a term-specific mapping wins over
    /// one for every term.
    pub fn product_for(&self, product: &SourceKey, term: Term) -> Option<&SourceKey> {
        self.products
            .get(&(product.clone(), Some(term)))
            .or_else(|| self.products.get(&(product.clone(), None)))
    }

    /// True when the vendor customer is ignored on `today`.
    pub fn customer_ignored(&self, customer: &SourceKey, today: NaiveDate) -> bool {
        self.ignored_customers
            .get(customer)
            .is_some_and(|rule| rule.applies_on(today))
    }

    /// True when the vendor product is ignored on `today`.
    pub fn product_ignored(&self, product: &SourceKey, today: NaiveDate) -> bool {
        self.ignored_products
            .get(product)
            .is_some_and(|rule| rule.applies_on(today))
    }
}
