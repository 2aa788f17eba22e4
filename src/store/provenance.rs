//! How and when each mapping in force was made, for the mapping review: the billing owner
//! checks the automatic ones first.

use super::connection::{Store, StoreError};
use crate::domain::lines::{SourceKey, Term};
use std::collections::HashMap;

/// How one mapping in force was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// True when an automatic accept made it (the safe band, or a certain PSA id or name);
    /// false when a person did.
    pub automatic: bool,
    /// When, as stored (RFC 3339, UTC).
    pub decided_at: String,
}

impl Provenance {
    /// The day it was made, `YYYY-MM-DD`.
    pub fn day(&self) -> &str {
        self.decided_at.get(..10).unwrap_or(&self.decided_at)
    }
}

/// The provenance of every client mapping (by vendor customer) and product mapping (by vendor
/// product and term, `None` for every term).
#[derive(Debug, Clone, Default)]
pub struct MappingProvenance {
    /// Client mappings.
    pub clients: HashMap<SourceKey, Provenance>,
    /// Product mappings.
    pub products: HashMap<(SourceKey, Option<Term>), Provenance>,
}

impl Store {
    /// How and when every mapping in force was made.
    pub fn mapping_provenance(&self) -> Result<MappingProvenance, StoreError> {
        let mut found = MappingProvenance::default();
        let mut statement = self.connection.prepare_cached(
            "SELECT vendor_system, vendor_key, origin, decided_at FROM client_mappings",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            found.clients.insert(
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                Provenance {
                    automatic: row.get::<_, String>(2)? == "automatic",
                    decided_at: row.get(3)?,
                },
            );
        }
        let mut statement = self.connection.prepare_cached(
            "SELECT vendor_system, vendor_key, term, origin, decided_at FROM product_mappings",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let term: String = row.get(2)?;
            let term = (term != "*").then(|| term.parse().unwrap_or(Term::Unspecified));
            found.products.insert(
                (
                    SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                    term,
                ),
                Provenance {
                    automatic: row.get::<_, String>(3)? == "automatic",
                    decided_at: row.get(4)?,
                },
            );
        }
        Ok(found)
    }
}
