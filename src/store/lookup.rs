//! Finding customers, companies and products by what a user types: a key or an exact name.

use super::connection::{Store, StoreError};
use crate::domain::lines::{Side, SourceKey};

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
        let [by_key, by_name, by_system_and_name] = lookup_queries(table);
        let read = |row: &rusqlite::Row<'_>| {
            Ok((
                SourceKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                row.get::<_, String>(2)?,
            ))
        };
        let query = |sql: &str, values: &[&dyn rusqlite::ToSql]| -> Result<Vec<_>, StoreError> {
            let mut found: Vec<(SourceKey, String)> = self
                .connection
                .prepare_cached(sql)?
                .query_map(values, read)?
                .collect::<Result<_, _>>()?;
            found.sort_by(|(left, _), (right, _)| {
                (&left.system, &left.key).cmp(&(&right.system, &right.key))
            });
            Ok(found)
        };
        let side = side.as_str();
        let found = query(&by_key, &[&side, &text, &system, &key])?;
        if !found.is_empty() {
            return Ok(found);
        }
        let found = query(&by_name, &[&side, &text])?;
        if !found.is_empty() || system.is_empty() {
            return Ok(found);
        }
        query(&by_system_and_name, &[&side, &system, &key])
    }
}

/// The three lookups of [`Store::find_in`] on `table`: by key (bare or `system:key`), by exact
/// name, and by `system:name`.
///
/// `table` is `parties` or `products`, never user input. Each query is written so that an index
/// of migration 0013 (columns reordered by 0018; the companies' by key made unique by 0019)
/// serves it: `key IN (…)` rather than an OR of two keys, and no ORDER BY, which would tempt the
/// planner to the products' (side, system, key) index and a read of every record of the side.
/// The few records found are sorted by the caller.
fn lookup_queries(table: &str) -> [String; 3] {
    [
        format!(
            "SELECT system, key, name FROM {table}
             WHERE side = ?1 AND key IN (?2, ?4) AND (key = ?2 OR system = ?3)"
        ),
        format!(
            "SELECT system, key, name FROM {table}
             WHERE side = ?1 AND lower(trim(name)) = lower(?2)"
        ),
        // The same name under two vendors ("Pinecrest" at Microsoft and at Pax8) is told
        // apart by naming the vendor: `pax8:Pinecrest Senior Living Community`.
        format!(
            "SELECT system, key, name FROM {table}
             WHERE side = ?1 AND lower(trim(name)) = lower(trim(?3)) AND lower(system) = lower(?2)"
        ),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup that reads every record of a side made a mappings file quadratic: 20,000 rows
    /// took 89 s. Each lookup must search one of the indexes made for it.
    #[test]
    fn every_lookup_searches_an_index_made_for_it() {
        let store = Store::open_in_memory().expect("store");
        for table in ["parties", "products"] {
            for sql in lookup_queries(table) {
                let mut explain = store
                    .connection
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .expect("plan");
                let values = std::iter::repeat_n("psa", explain.parameter_count());
                let plan: Vec<String> = explain
                    .query_map(rusqlite::params_from_iter(values), |row| row.get(3))
                    .expect("rows")
                    .collect::<Result<_, _>>()
                    .expect("plan rows");
                let plan = plan.join("; ");
                assert!(
                    plan.contains(&format!("USING INDEX {table}_by_"))
                        && plan.contains("AND")
                        && !plan.contains("SCAN"),
                    "{sql}\n{plan}"
                );
            }
        }
    }
}
