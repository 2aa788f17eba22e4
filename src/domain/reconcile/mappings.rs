//! The operator's decisions as reconciliation sees them: which vendor customer is which PSA
//! company, which vendor product is which PSA product, and what to leave out.

use super::position::Position;
use crate::domain::lines::{KeyMap, SourceKey, Term};
use chrono::NaiveDate;
use serde::Serialize;
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

/// The value of a (product, term) key, looked up without cloning the product's key: coverage,
/// grouping and the queue ask this for every vendor position, and two cloned strings per
/// question were a large share of reading 200,000 positions.
pub(crate) fn by_term<'m, V>(
    map: &'m KeyMap<(SourceKey, Option<Term>), V>,
    product: &SourceKey,
    term: Option<Term>,
) -> Option<&'m V> {
    map.get(&(product, term) as &dyn TermedKey)
}

/// A (product, term) key, owned or borrowed, so a map keyed by the owned pair can be asked with
/// a borrowed one. It hashes and compares exactly as the owned tuple does.
pub(crate) trait TermedKey {
    fn product(&self) -> &SourceKey;
    fn term(&self) -> Option<Term>;
}

impl TermedKey for (SourceKey, Option<Term>) {
    fn product(&self) -> &SourceKey {
        &self.0
    }
    fn term(&self) -> Option<Term> {
        self.1
    }
}

impl TermedKey for (&SourceKey, Option<Term>) {
    fn product(&self) -> &SourceKey {
        self.0
    }
    fn term(&self) -> Option<Term> {
        self.1
    }
}

impl<'a> Borrow<dyn TermedKey + 'a> for (SourceKey, Option<Term>) {
    fn borrow(&self) -> &(dyn TermedKey + 'a) {
        self
    }
}

impl Hash for dyn TermedKey + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // A tuple hashes its fields in order; so must its borrowed form.
        self.product().hash(state);
        self.term().hash(state);
    }
}

impl PartialEq for dyn TermedKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.product() == other.product() && self.term() == other.term()
    }
}

impl Eq for dyn TermedKey + '_ {}

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
/// the term is `None`; a term-specific mapping wins. A product ignore rule is keyed the same
/// way, so that ignoring one row of the mapping queue (a product *and* its term) leaves the
/// product's other terms alone.
///
/// **A confirmed mapping always wins over a product ignore rule.** An ignore only acts on a
/// (product, term) that no mapping covers. The operator confirmed the mapping about exactly
/// that product and term, while an every-term ignore (all there was before ignores had a term)
/// may have been meant for another row: letting it win would silently turn billed seats into
/// orphans, with coverage still at 100 %. The workflow refuses to record an ignore that a
/// mapping would override (see [`MappingSet::mapping_over_ignore`]), so a rule that exists but
/// does not act can only come from a database written before this rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MappingSet {
    /// Vendor customer → PSA company.
    pub clients: KeyMap<SourceKey, SourceKey>,
    /// (Vendor product, term or every term) → PSA product.
    pub products: KeyMap<(SourceKey, Option<Term>), SourceKey>,
    /// Vendor customers left out, with why.
    pub ignored_customers: KeyMap<SourceKey, IgnoreRule>,
    /// (Vendor product, term or every term) left out, with why. A term-specific rule wins over
    /// the every-term one, as for mappings.
    pub ignored_products: KeyMap<(SourceKey, Option<Term>), IgnoreRule>,
}

impl MappingSet {
    /// The PSA company a vendor customer maps to.
    pub fn company_for(&self, customer: &SourceKey) -> Option<&SourceKey> {
        self.clients.get(customer)
    }

    /// The PSA product a vendor product of a term maps to; a term-specific mapping wins over
    /// one for every term.
    pub fn product_for(&self, product: &SourceKey, term: Term) -> Option<&SourceKey> {
        by_term(&self.products, product, Some(term))
            .or_else(|| by_term(&self.products, product, None))
    }

    /// How a vendor position is treated on `today`: the one rule that coverage, grouping and
    /// the orphan check all follow, so they can never disagree.
    ///
    /// In order: an ignored customer is left out; a product mapped for the position's term is
    /// compared (a mapping wins over any product ignore, see [`MappingSet`]); a product ignored
    /// for that term, or for every term, is left out; anything else is unmapped.
    pub fn treat(&self, position: &Position, today: NaiveDate) -> Treatment<'_> {
        if self.customer_ignored(&position.customer, today) {
            return Treatment::Ignored;
        }
        let product = self.product_for(&position.product, position.term);
        if product.is_none()
            && self
                .product_rule_on(&position.product, position.term, today)
                .is_some()
        {
            return Treatment::Ignored;
        }
        let company = self.company_for(&position.customer);
        match (company, product) {
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

    /// True when an ignore rule for the vendor product of `term` is in force on `today` and no
    /// mapping overrides it: what [`MappingSet::treat`] does with the product.
    pub fn product_ignored(&self, product: &SourceKey, term: Term, today: NaiveDate) -> bool {
        self.product_for(product, term).is_none()
            && self.product_rule_on(product, term, today).is_some()
    }

    /// The customer's ignore rule if it is in force on `today`. An expired rule is no rule:
    /// the record is back in the mapping queue, exactly as coverage already counts it.
    pub fn customer_rule_on(&self, customer: &SourceKey, today: NaiveDate) -> Option<&IgnoreRule> {
        self.ignored_customers
            .get(customer)
            .filter(|rule| rule.applies_on(today))
    }

    /// The ignore rule for the vendor product of `term` in force on `today`, with the term it
    /// names (`None`: the every-term rule): the term-specific rule if it is in force, else the
    /// every-term one. Whether a mapping overrides it is not considered here; see
    /// [`MappingSet::product_ignored`].
    pub fn product_rule_on(
        &self,
        product: &SourceKey,
        term: Term,
        today: NaiveDate,
    ) -> Option<(Option<Term>, &IgnoreRule)> {
        [Some(term), None].into_iter().find_map(|scope| {
            by_term(&self.ignored_products, product, scope)
                .filter(|rule| rule.applies_on(today))
                .map(|rule| (scope, rule))
        })
    }

    /// The mapping that would override an ignore of `product` for `term` (`None`: every term),
    /// as the term it covers and the PSA product, or `None` when the ignore would act. For an
    /// every-term ignore this is any mapping of the product, the every-term one first, then by
    /// term, so the answer is the same on every run.
    ///
    /// The workflow refuses such an ignore: recording it would tell the operator "ignored"
    /// while the mapping keeps the product compared.
    pub fn mapping_over_ignore(
        &self,
        product: &SourceKey,
        term: Option<Term>,
    ) -> Option<(Option<Term>, &SourceKey)> {
        match term {
            Some(term) => [Some(term), None].into_iter().find_map(|scope| {
                self.products
                    .get(&(product.clone(), scope))
                    .map(|target| (scope, target))
            }),
            None => self
                .products
                .iter()
                .filter(|((key, _), _)| key == product)
                .map(|((_, scope), target)| (*scope, target))
                // `None` sorts first: the every-term mapping, then the terms in order.
                .min_by_key(|(scope, _)| *scope),
        }
    }
}
