//! The operator's decisions as reconciliation sees them: which vendor customer is which PSA
//! company, which vendor product is which PSA product, and what to leave out.

use super::position::Position;
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

/// What the mappings in force say about one vendor position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment<'a> {
    /// Its customer or product is ignored: left out on purpose.
    Ignored,
    /// Both are mapped: compared against this PSA company and product.
    Mapped {
        /// The PSA company.
        company: &'a SourceKey,
        /// The PSA product.
        product: &'a SourceKey,
    },
    /// Not compared, because the customer, the product (for its term) or both are unmapped.
    Unmapped {
        /// The PSA company, when the customer is mapped and only the product is not.
        company: Option<&'a SourceKey>,
        /// True when the product has no mapping for the position's term.
        product_unmapped: bool,
    },
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

    /// How a vendor position is treated on `today`: the one rule that coverage, grouping and
    /// the orphan check all follow, so they can never disagree.
    pub fn treat(&self, position: &Position, today: NaiveDate) -> Treatment<'_> {
        if self.customer_ignored(&position.customer, today)
            || self.product_ignored(&position.product, today)
        {
            return Treatment::Ignored;
        }
        let company = self.company_for(&position.customer);
        match (company, self.product_for(&position.product, position.term)) {
            (Some(company), Some(product)) => Treatment::Mapped { company, product },
            (company, product) => Treatment::Unmapped {
                company,
                product_unmapped: product.is_none(),
            },
        }
    }

    /// True when the vendor customer is ignored on `today`.
    pub fn customer_ignored(&self, customer: &SourceKey, today: NaiveDate) -> bool {
        self.customer_rule_on(customer, today).is_some()
    }

    /// True when the vendor product is ignored on `today`.
    pub fn product_ignored(&self, product: &SourceKey, today: NaiveDate) -> bool {
        self.product_rule_on(product, today).is_some()
    }

    /// The customer's ignore rule if it is in force on `today`. An expired rule is no rule:
    /// the record is back in the mapping queue, exactly as coverage already counts it.
    pub fn customer_rule_on(&self, customer: &SourceKey, today: NaiveDate) -> Option<&IgnoreRule> {
        self.ignored_customers
            .get(customer)
            .filter(|rule| rule.applies_on(today))
    }

    /// The product's ignore rule if it is in force on `today` (see [`Self::customer_rule_on`]).
    pub fn product_rule_on(&self, product: &SourceKey, today: NaiveDate) -> Option<&IgnoreRule> {
        self.ignored_products
            .get(product)
            .filter(|rule| rule.applies_on(today))
    }
}
