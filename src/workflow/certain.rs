//! Mappings that need no judgement: a PSA id carried in the vendor record, or a name that
//! exactly one PSA record has.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::decision::Decision;
use crate::domain::lines::SourceKey;
use crate::store::Origin;
use std::collections::HashMap;

/// How many mappings [`map_certain`] made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CertainMappings {
    /// Vendor customers mapped because they carry the PSA company's id (Pax8 `externalId`).
    pub by_key: usize,
    /// Vendor customers mapped because exactly one PSA company has the very same name.
    pub by_exact_name: usize,
    /// Vendor products mapped because exactly one PSA product has the very same name.
    pub products_by_exact_name: usize,
}

impl Workspace {
    /// Maps what needs no judgement: a PSA id carried in the vendor record, or a name equal
    /// (ignoring case and surrounding spaces) to exactly one PSA name. Already mapped or ignored
    /// records are left alone. Each mapping is logged as automatic, so it can be reviewed and undone.
    pub fn map_certain(&mut self) -> Result<CertainMappings, WorkflowError> {
        let session = self.session()?;
        let companies = &session.psa_parties;
        let by_key = UniqueIndex::new(
            companies.iter().map(|row| (&row.key, row.key.key.as_str())),
            |key| key.trim().to_string(),
        );
        let by_name = UniqueIndex::new(
            companies
                .iter()
                .map(|row| (&row.key, row.party.name.as_str())),
            fold_name,
        );
        let mut made = CertainMappings::default();
        let mut decisions = Vec::new();
        for customer in &session.vendor_parties {
            if customer.mapped_to.is_some() || customer.ignored.is_some() {
                continue;
            }
            let carried = customer
                .party
                .external_id
                .as_deref()
                .and_then(|id| by_key.only(id));
            if let Some(company) = carried {
                made.by_key += 1;
                decisions.push(Decision::MapClient {
                    vendor: customer.key.clone(),
                    company,
                });
            } else if let Some(company) = by_name.only(&customer.party.name) {
                made.by_exact_name += 1;
                decisions.push(Decision::MapClient {
                    vendor: customer.key.clone(),
                    company,
                });
            }
        }
        let psa_products = &session.psa_products;
        let products_by_name = UniqueIndex::new(
            psa_products
                .iter()
                .map(|row| (&row.key, row.product.name.as_str())),
            fold_name,
        );
        for product in &session.vendor_products {
            if product.mapped_to.is_some() || product.ignored.is_some() {
                continue;
            }
            if let Some(psa_product) = products_by_name.only(&product.product.name) {
                made.products_by_exact_name += 1;
                decisions.push(Decision::MapProduct {
                    vendor: product.key.clone(),
                    term: Some(product.term),
                    product: psa_product,
                });
            }
        }
        self.decide_all(&decisions, Origin::Automatic)?;
        Ok(made)
    }
}

/// PSA records by a text (an id or a name) folded one way, answering only when exactly one
/// record has that text: certainty, not a guess.
struct UniqueIndex<'a> {
    records: HashMap<String, Vec<&'a SourceKey>>,
    fold: fn(&str) -> String,
}

impl<'a> UniqueIndex<'a> {
    fn new(
        entries: impl Iterator<Item = (&'a SourceKey, &'a str)>,
        fold: fn(&str) -> String,
    ) -> Self {
        let mut records: HashMap<String, Vec<&'a SourceKey>> = HashMap::new();
        for (key, text) in entries {
            let entry = records.entry(fold(text)).or_default();
            if !entry.contains(&key) {
                entry.push(key);
            }
        }
        Self { records, fold }
    }

    /// The one record with this text, folded the same way; `None` for none or several.
    fn only(&self, text: &str) -> Option<SourceKey> {
        match self.records.get(&(self.fold)(text)).map(Vec::as_slice) {
            Some([key]) => Some((*key).clone()),
            _ => None,
        }
    }
}

/// Names are equal when they differ only in case and surrounding spaces.
pub(super) fn fold_name(name: &str) -> String {
    name.trim().to_lowercase()
}
