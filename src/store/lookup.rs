//! Finding customers, companies and products by what a user types: a key or an exact name.

use super::connection::{Store, StoreError};
use crate::domain::lines::{Side, SourceKey};
use rusqlite::params;

impl Store {
    /// Parties of a side whose key is `text` (or `system:key`), or whose name equals `text`
    /// ignoring case and surrounding spaces, or `system:name` for a name that two vendors
    /// share. Keys win over names.
    pub fn find_parties(
        &self,
        side: Side,
        text: &str,
    ) -> Result<Vec<(SourceKey, String)>, StoreError> {
        self.find_in("parties", side, text)
    }

    /// Products of a side found the same way.
    pub fn find_products(
        &self,
        side: Side,
        text: &str,
    ) -> Result<Vec<(SourceKey, String)>, StoreError> {
        self.find_in("products", side, text)
    }

    /// Resolves a typed key or name to exactly one party, or explains why it cannot.
    pub fn resolve_party(&self, side: Side, text: &str) -> Result<(SourceKey, String), StoreError> {
        exactly_one(
            self.find_parties(side, text)?,
            side,
            "customer or company",
            text,
        )
    }

    /// Resolves a typed key or name to exactly one product.
    pub fn resolve_product(
        &self,
        side: Side,
        text: &str,
    ) -> Result<(SourceKey, String), StoreError> {
        exactly_one(self.find_products(side, text)?, side, "product", text)
    }

    fn find_in(
        &self,
        table: &str,
        side: Side,
        text: &str,
    ) -> Result<Vec<(SourceKey, String)>, StoreError> {
        let text = text.trim();
        let (system, key) = text.split_once(':').unwrap_or(("", text));
        // `table` is one of two constants above, never user input.
        let by_key = format!(
            "SELECT system, key, name FROM {table}
             WHERE side = ?1 AND (key = ?2 OR (system = ?3 AND key = ?4)) ORDER BY system, key"
        );
        let by_name = format!(
            "SELECT system, key, name FROM {table}
             WHERE side = ?1 AND lower(trim(name)) = lower(?2) ORDER BY system, key"
        );
        // The same name under two vendors ("Pinecrest" at Microsoft and at Pax8) is told
        // apart by naming the vendor: `pax8:Pinecrest Senior Living Community`.
        let by_system_and_name = format!(
            "SELECT system, key, name FROM {table}
             WHERE side = ?1 AND lower(system) = lower(?2) AND lower(trim(name)) = lower(trim(?3))
             ORDER BY system, key"
        );
        let read = |row: &rusqlite::Row<'_>| {
            Ok((
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                row.get::<_, String>(2)?,
            ))
        };
        let found: Vec<_> = self
            .connection
            .prepare_cached(&by_key)?
            .query_map(params![side.as_str(), text, system, key], read)?
            .collect::<Result<_, _>>()?;
        if !found.is_empty() {
            return Ok(found);
        }
        let found: Vec<_> = self
            .connection
            .prepare_cached(&by_name)?
            .query_map(params![side.as_str(), text], read)?
            .collect::<Result<_, _>>()?;
        if !found.is_empty() || system.is_empty() {
            return Ok(found);
        }
        Ok(self
            .connection
            .prepare_cached(&by_system_and_name)?
            .query_map(params![side.as_str(), system, key], read)?
            .collect::<Result<_, _>>()?)
    }
}

fn exactly_one(
    mut found: Vec<(SourceKey, String)>,
    side: Side,
    what: &str,
    text: &str,
) -> Result<(SourceKey, String), StoreError> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(StoreError::NotFound(format!(
            "no {side} {what} has the key or exact name '{text}'"
        ))),
        _ => Err(StoreError::NotFound(format!(
            "'{text}' matches several {side} records; use system:key or system:name to pick one: {}",
            found
                .iter()
                .map(|(key, name)| format!("{key} ({name})"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
