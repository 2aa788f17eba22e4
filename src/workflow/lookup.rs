//! Naming records the way a person types them: a key, `system:key`, or an exact name.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::lines::{Side, SourceKey};
use std::collections::BTreeSet;

/// A PSA product named for a mapping, and whether any imported PSA line bills it yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedProduct {
    /// The product's key.
    pub key: SourceKey,
    /// True when no import has it: a catalogue product that no agreement bills yet.
    pub catalogue_only: bool,
}

impl Workspace {
    /// The one party of a side that the text names, or an error that says why none or several.
    pub fn find_party(&self, side: Side, text: &str) -> Result<SourceKey, WorkflowError> {
        Ok(self.store.resolve_party(side, text)?.0)
    }

    /// The one product of a side that the text names.
    pub fn find_product(&self, side: Side, text: &str) -> Result<SourceKey, WorkflowError> {
        Ok(self.store.resolve_product(side, text)?.0)
    }

    /// A PSA product by key or name. A product no agreement bills yet (so no import has it)
    /// may still be named by its id, because mapping to it is how a missing line is priced and
    /// found; with one PSA system imported the bare id is enough, otherwise `system:key`.
    pub fn find_psa_product_or_catalogue(&self, text: &str) -> Result<NamedProduct, WorkflowError> {
        match self.store.find_products(Side::Psa, text)?.as_slice() {
            [(key, _)] => {
                return Ok(NamedProduct {
                    key: key.clone(),
                    catalogue_only: false,
                });
            }
            // Several matches: resolving explains which, and how to pick one.
            [_, _, ..] => {
                return Ok(NamedProduct {
                    key: self.find_product(Side::Psa, text)?,
                    catalogue_only: false,
                });
            }
            [] => {}
        }
        let systems: BTreeSet<String> = self
            .store
            .sources()?
            .into_iter()
            .filter(|source| source.side == Side::Psa)
            .map(|source| source.system)
            .collect();
        let key = match (text.split_once(':'), systems.iter().next()) {
            (Some((system, key)), _) => SourceKey::new(system, key),
            (None, Some(system)) if systems.len() == 1 => SourceKey::new(system.as_str(), text),
            (None, _) => {
                return Err(WorkflowError::Refused(format!(
                    "no PSA product has the key or exact name '{text}'; name it as system:key (PSA systems imported: {})",
                    systems.into_iter().collect::<Vec<_>>().join(", ")
                )));
            }
        };
        Ok(NamedProduct {
            key,
            catalogue_only: true,
        })
    }
}
