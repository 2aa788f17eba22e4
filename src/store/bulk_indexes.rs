//! Many records inserted into a table with indexes: the indexes are built afresh after, once,
//! rather than written at a random place per record.

use super::connection::StoreError;
use rusqlite::Transaction;

/// The secondary indexes of a table, dropped while many records are inserted into it and
/// created again after.
///
/// A PSA export names two hundred thousand companies, in no order of their names: inserting
/// each into the name index is a write at a random place of it, and cost a third of the copy.
/// Building the index afresh sorts the names once. It is worth it when the records certain to
/// be inserted (a system's first import: every company it names is new) are at least as many
/// as those already there.
///
/// A unique index made by its own statement (the companies' key, 0019) is dropped and built
/// again too: building it checks that its keys are unique, so a duplicate inserted meanwhile
/// fails the import's transaction as it would have failed its insert.
pub(super) struct IndexesRebuilt {
    /// Each index dropped, with the statement that created it, as the migrations wrote it.
    dropped: Vec<(String, String)>,
}

/// Fewer records than this go into the indexes one by one, whatever the table holds.
const FEWEST_TO_REBUILD: u64 = 1000;

impl IndexesRebuilt {
    /// Drops the secondary indexes of `table` when `inserting` records, each certain to be
    /// inserted, are worth building them afresh for; otherwise drops none. `table` is one of
    /// the store's own names, never input.
    pub(super) fn when_worth_it(
        transaction: &Transaction<'_>,
        table: &str,
        inserting: u64,
    ) -> Result<Self, StoreError> {
        let none = Self {
            dropped: Vec::new(),
        };
        // Checked before counting, which reads a whole index: most imports insert few records.
        if inserting < FEWEST_TO_REBUILD {
            return Ok(none);
        }
        let present: i64 =
            transaction.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })?;
        if inserting < u64::try_from(present).unwrap_or_default() {
            return Ok(none);
        }
        // Indexes a constraint made have no statement, and cannot be dropped.
        let mut statement = transaction.prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name",
        )?;
        let dropped: Vec<(String, String)> = statement
            .query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, _) in &dropped {
            transaction.execute(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")), [])?;
        }
        Ok(Self { dropped })
    }

    /// Creates again, with their own statements, the indexes that were dropped.
    pub(super) fn recreate(self, transaction: &Transaction<'_>) -> Result<(), StoreError> {
        for (_, sql) in &self.dropped {
            transaction.execute(sql, [])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::connection::Store;

    fn party_indexes(transaction: &Transaction<'_>) -> Vec<String> {
        let mut statement = transaction
            .prepare(
                "SELECT name FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = 'parties' AND sql IS NOT NULL ORDER BY name",
            )
            .expect("indexes");
        statement
            .query_map([], |row| row.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("names")
    }

    /// The indexes are dropped only for enough certain inserts, no fewer than the rows already
    /// there, and come back under the same names.
    #[test]
    fn indexes_are_rebuilt_only_for_many_inserts_into_a_table_no_larger() {
        let mut store = Store::open_in_memory().expect("store");
        let transaction = store.connection.transaction().expect("transaction");
        let all = party_indexes(&transaction);
        assert!(all.contains(&"parties_by_name".to_string()), "{all:?}");

        let few = IndexesRebuilt::when_worth_it(&transaction, "parties", FEWEST_TO_REBUILD - 1)
            .expect("few");
        assert_eq!(party_indexes(&transaction), all);
        few.recreate(&transaction).expect("nothing to recreate");

        let many = IndexesRebuilt::when_worth_it(&transaction, "parties", FEWEST_TO_REBUILD)
            .expect("many");
        assert!(party_indexes(&transaction).is_empty());
        many.recreate(&transaction).expect("recreated");
        assert_eq!(party_indexes(&transaction), all);

        // A table holding more rows than are coming keeps its indexes.
        for number in 0..=FEWEST_TO_REBUILD {
            transaction
                .execute(
                    "INSERT INTO parties (side, system, key, name) VALUES ('psa', 'cw', ?1, ?1)",
                    [number.to_string()],
                )
                .expect("insert");
        }
        let outnumbered = IndexesRebuilt::when_worth_it(&transaction, "parties", FEWEST_TO_REBUILD)
            .expect("outnumbered");
        assert_eq!(party_indexes(&transaction), all);
        outnumbered
            .recreate(&transaction)
            .expect("nothing to recreate");
    }

    /// The companies' unique key index is dropped with the others; building it again checks
    /// uniqueness, so a key inserted twice meanwhile fails the rebuild, and with it the import.
    #[test]
    fn a_key_inserted_twice_while_the_indexes_are_away_fails_their_rebuild() {
        let mut store = Store::open_in_memory().expect("store");
        let transaction = store.connection.transaction().expect("transaction");
        let all = party_indexes(&transaction);
        assert!(all.contains(&"parties_by_key".to_string()), "{all:?}");
        let many = IndexesRebuilt::when_worth_it(&transaction, "parties", FEWEST_TO_REBUILD)
            .expect("many");
        assert!(party_indexes(&transaction).is_empty());
        for name in ["first", "second"] {
            transaction
                .execute(
                    "INSERT INTO parties (side, system, key, name) VALUES ('psa', 'cw', 'k', ?1)",
                    [name],
                )
                .expect("inserted while no index checks it");
        }
        let rebuilt = many.recreate(&transaction);
        assert!(
            rebuilt.is_err(),
            "the unique index refuses the duplicate key as it is built"
        );
    }
}
