//! Schema migrations: embedded at build time, applied in order on open, and append-only.
//!
//! Each applied migration's SHA-256 is recorded; if a landed migration file is edited later,
//! opening a database that already has it fails instead of silently diverging.

use super::digest::hex_sha256;
use super::error::StoreError;
use rusqlite::{Connection, OptionalExtension};

/// Every migration, in order. Append new ones; never edit or reorder.
pub(super) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    (
        "0002_decision_batches",
        include_str!("../../migrations/0002_decision_batches.sql"),
    ),
    (
        "0003_alerts",
        include_str!("../../migrations/0003_alerts.sql"),
    ),
    (
        "0004_ignore_rules_per_term",
        include_str!("../../migrations/0004_ignore_rules_per_term.sql"),
    ),
    (
        "0005_pulls",
        include_str!("../../migrations/0005_pulls.sql"),
    ),
    (
        "0007_alert_threads",
        include_str!("../../migrations/0007_alert_threads.sql"),
    ),
    (
        "0008_gap_work",
        include_str!("../../migrations/0008_gap_work.sql"),
    ),
    (
        "0009_line_chunks",
        include_str!("../../migrations/0009_line_chunks.sql"),
    ),
    (
        "0011_pull_positions",
        include_str!("../../migrations/0011_pull_positions.sql"),
    ),
    (
        "0012_positions_clustered",
        include_str!("../../migrations/0012_positions_clustered.sql"),
    ),
    (
        "0013_lookup_indexes",
        include_str!("../../migrations/0013_lookup_indexes.sql"),
    ),
    (
        "0014_party_positions",
        include_str!("../../migrations/0014_party_positions.sql"),
    ),
    (
        "0015_drop_positions",
        include_str!("../../migrations/0015_drop_positions.sql"),
    ),
    (
        "0016_compressed_chunks",
        include_str!("../../migrations/0016_compressed_chunks.sql"),
    ),
    (
        "0017_import_sizes",
        include_str!("../../migrations/0017_import_sizes.sql"),
    ),
    (
        "0018_lookup_indexes_name_first",
        include_str!("../../migrations/0018_lookup_indexes_name_first.sql"),
    ),
    (
        "0019_parties_unique_by_key",
        include_str!("../../migrations/0019_parties_unique_by_key.sql"),
    ),
];

/// A migration's data step: run after its SQL, in the same transaction, for a change SQL alone
/// cannot make (stored data re-encoded).
type DataStep = fn(&rusqlite::Transaction<'_>) -> Result<(), StoreError>;

/// The data step of the migration `name`, if it has one.
fn data_step(name: &str) -> Option<DataStep> {
    match name {
        "0014_party_positions" => Some(super::party_positions::move_rows_of_positions),
        _ => None,
    }
}

/// Runs migration `name`: its SQL, then its data step, in the caller's transaction.
fn run(transaction: &rusqlite::Transaction<'_>, name: &str, sql: &str) -> Result<(), StoreError> {
    transaction.execute_batch(sql)?;
    if let Some(step) = data_step(name) {
        step(transaction)?;
    }
    Ok(())
}

pub(super) fn apply(connection: &mut Connection) -> Result<(), StoreError> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             name       TEXT PRIMARY KEY,
             sha256     TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let known: Vec<&str> = MIGRATIONS.iter().map(|(name, _)| *name).collect();
    let applied: Vec<String> = {
        let mut statement = connection.prepare("SELECT name FROM schema_migrations")?;
        statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?
    };
    if let Some(unknown) = applied.iter().find(|name| !known.contains(&name.as_str())) {
        return Err(StoreError::UnknownMigration {
            name: unknown.clone(),
        });
    }
    for (name, sql) in MIGRATIONS {
        let digest = hex_sha256(sql);
        let recorded: Option<String> = connection
            .query_row(
                "SELECT sha256 FROM schema_migrations WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()?;
        match recorded {
            Some(recorded) if recorded == digest => continue,
            Some(_) => {
                return Err(StoreError::MigrationChanged {
                    name: name.to_string(),
                });
            }
            None => {
                // A migration may rebuild a table that others refer to, which SQLite does with
                // foreign keys off (a setting honoured only outside a transaction); every
                // reference is checked before the migration commits instead.
                let checking: bool =
                    connection.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
                connection.pragma_update(None, "foreign_keys", false)?;
                let applied = apply_one(connection, name, sql, &digest);
                // Restored whatever happened; the migration's own failure is the one to report.
                let restored = connection.pragma_update(None, "foreign_keys", checking);
                applied?;
                restored?;
            }
        }
    }
    Ok(())
}

/// Applies migration `name` and records it, in one transaction that commits only when every
/// reference in the database is whole.
fn apply_one(
    connection: &mut Connection,
    name: &str,
    sql: &str,
    digest: &str,
) -> Result<(), StoreError> {
    let transaction = connection.transaction()?;
    // A reference broken before (by a hand edit, or a tool that did not check) is not this
    // migration's doing, and must not keep the user's database from opening.
    let broken_before = broken_references(&transaction)?;
    run(&transaction, name, sql)?;
    let broken_now = broken_references(&transaction)?;
    if let Some((table, row, parent)) = broken_now
        .into_iter()
        .find(|reference| !broken_before.contains(reference))
    {
        let row = row.map_or_else(|| "a row".to_string(), |row| format!("row {row}"));
        return Err(StoreError::Corrupt {
            column: "a foreign key",
            value: format!(
                "migration {name} would leave {row} of {table} referring to a missing {parent} \
                 record; nothing was changed"
            ),
        });
    }
    transaction.execute(
        "INSERT INTO schema_migrations (name, sha256, applied_at) VALUES (?1, ?2, ?3)",
        [name, digest, super::values::now_text().as_str()],
    )?;
    transaction.commit()?;
    Ok(())
}

/// A row that refers to a missing record: its table, its row id (null in a table without row
/// ids) and the table it refers to.
type BrokenReference = (String, Option<i64>, String);

/// Every reference in the database that points nowhere; none, in a database billgap kept.
fn broken_references(
    transaction: &rusqlite::Transaction<'_>,
) -> Result<Vec<BrokenReference>, StoreError> {
    let mut check = transaction.prepare("PRAGMA foreign_key_check")?;
    let broken = check
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(broken)
}

/// A database as billgap left it before migration `next` existed: every migration before it
/// applied and recorded, as an older billgap did. For tests of a migration's effect on data.
#[cfg(test)]
pub(super) fn database_before(next: &str) -> Connection {
    let connection = Connection::open_in_memory().expect("memory db");
    connection
        .execute_batch(
            "CREATE TABLE schema_migrations (
                 name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .expect("schema_migrations");
    for (name, sql) in MIGRATIONS.iter().take_while(|(name, _)| *name != next) {
        let transaction = connection.unchecked_transaction().expect("transaction");
        run(&transaction, name, sql).expect("old migration");
        transaction.commit().expect("old migration committed");
        connection
            .execute(
                "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-10-01T00:00:00Z')",
                [*name, hex_sha256(sql).as_str()],
            )
            .expect("record migration");
    }
    connection
}

#[cfg(test)]
mod tests {
    use super::super::party_positions::{PartyPosition, positions_at};
    use super::*;
    use crate::domain::lines::Term;
    use rust_decimal::Decimal;

    /// The digest of every migration as it landed. A failure here means a landed migration was
    /// edited: put the change in a new migration instead.
    const LANDED: &[(&str, &str)] = &[
        (
            "0001_init",
            "b778e9b34faba47161dcac3e27bbbe893b8edef3f5cdb1a21af1ca3ca5d526d4",
        ),
        (
            "0002_decision_batches",
            "b088ec1d13e8b85bb9ee8a6b55de298f5589c53231482c527aa0576241162f51",
        ),
        (
            "0003_alerts",
            "5cf502a1305c3ddadfbe443d6704ad5d16760f228accd2b1080c5893d8ade294",
        ),
        (
            "0004_ignore_rules_per_term",
            "afe311b2591c69ee736c26347ab8797970c83bf74e04a41ccccfdeedf26bc1a7",
        ),
        (
            "0005_pulls",
            "925065f785de2169652fc2389806ab47bb26cfa13e95978869ebc532b6c999af",
        ),
        (
            "0007_alert_threads",
            "8f82da78989fd47b3e5558b1563351fd466a19d8f19fd56d2542c53d71c4650e",
        ),
        (
            "0008_gap_work",
            "23909ce6676555af2b6f789024dc5727d27131c9fa76fe065c5b0376ede041a0",
        ),
        (
            "0009_line_chunks",
            "fffdc68adc8cf074cf755e587d727411ec301592a650d088130cf505b89bb467",
        ),
        (
            "0011_pull_positions",
            "0d08d0587f668b7774c19c5a9b631d39b03ea19bf589a766c2851c606e8fcdda",
        ),
        (
            "0012_positions_clustered",
            "6035e4d8f44f2d32ba4a17e3f004af4a304e23a84946e22d75f086060922a081",
        ),
        (
            "0013_lookup_indexes",
            "7b97911359c8345f452ab08925c53ada712c664352fa5d83d496068ed2730046",
        ),
        (
            "0014_party_positions",
            "96e4fee1ddd20d81a83cf2cc95c80ba3395faeca95a7baaf0b20472bcddfc795",
        ),
        (
            "0015_drop_positions",
            "e702bc70eb3f8e02c18951e8d0104a57973dddc83e5d5dfc6f31a6fc309cf835",
        ),
        (
            "0016_compressed_chunks",
            "dffbdb523cebd2141cb961db1d793677ba5f800dc75914a85e238f7a1eb952af",
        ),
        (
            "0017_import_sizes",
            "9cdfa843d738f64f6886c279301847b4a485efb6601bf74b38c863e7113efb33",
        ),
        (
            "0018_lookup_indexes_name_first",
            "91af24682d6bb0e07d05901ada1f21ae8b7a8d26ba1da494e9f4d7a1a4417524",
        ),
        (
            "0019_parties_unique_by_key",
            "631f3f45cafaedd21b3ee2aa9454a42da476cc92476187e72bb12730eb71ec76",
        ),
    ];

    #[test]
    fn landed_migrations_are_never_edited() {
        for (name, digest) in LANDED {
            let (_, sql) = MIGRATIONS
                .iter()
                .find(|(known, _)| known == name)
                .unwrap_or_else(|| panic!("landed migration {name} was removed"));
            assert_eq!(&hex_sha256(sql), digest, "migration {name} was edited");
        }
    }

    /// Positions stored by an older billgap are clustered (0012), then moved into one blob per
    /// import and party (0014), exactly: the same totals, counts and line ordinals.
    #[test]
    fn stored_positions_survive_every_later_migration() {
        let mut connection = database_before("0012_positions_clustered");
        connection
            .execute_batch(
                "INSERT INTO imports (id, side, system, format, slice, period, file_name, sha256,
                                      row_count, line_count, imported_at)
                 VALUES (1, 'vendor', 'pc', 'nce', 'all', '2026-10', 'a.csv', 'x', 2, 2, 't');
                 INSERT INTO parties (id, side, system, key, name) VALUES (7, 'vendor', 'pc', 'k', 'K');
                 INSERT INTO parties (id, side, system, key, name) VALUES (8, 'vendor', 'pc', 'l', 'L');
                 INSERT INTO products (id, side, system, key, name) VALUES (9, 'vendor', 'pc', 'p', 'P');
                 INSERT INTO positions VALUES (1, 7, 9, 'monthly', 'USD', '3', '45.00', '15.00',
                                               '12.00', 2, x'0102');
                 INSERT INTO positions VALUES (1, 7, 9, 'annual', 'USD', '1.5', '0', NULL, NULL,
                                               1, NULL);
                 INSERT INTO positions VALUES (1, 8, 9, 'annual', 'EUR', '-2', '-0.10', NULL,
                                               '0.05', 1, x'05');",
            )
            .expect("an older database with positions");
        apply(&mut connection).expect("migrated");
        let gone: i64 = connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'positions'",
                [],
                |row| row.get(0),
            )
            .expect("schema");
        assert_eq!(gone, 0, "the emptied table is dropped");
        let mut statement = connection
            .prepare("SELECT import_id, party_id, positions FROM party_positions")
            .expect("select");
        let mut rows = statement.query([]).expect("rows");
        let mut moved = Vec::new();
        while let Some(row) = rows.next().expect("row") {
            let key: (i64, i64) = (row.get(0).expect("import"), row.get(1).expect("party"));
            moved.push((key, positions_at(row, 2).expect("decodes")));
        }
        let position = |term: Term, currency: &str, totals: [&str; 4], lines, ordinals| {
            let decimal = |text: &str| text.parse::<Decimal>().ok();
            PartyPosition {
                product_id: 9,
                term,
                currency: currency.to_string(),
                seats: decimal(totals[0]).expect("seats"),
                spend: decimal(totals[1]).expect("spend"),
                unit_price: decimal(totals[2]),
                unit_cost: decimal(totals[3]),
                line_count: lines,
                ordinals,
            }
        };
        assert_eq!(
            moved,
            vec![
                (
                    (1, 7),
                    vec![
                        position(Term::Annual, "USD", ["1.5", "0", "", ""], 1, None),
                        position(
                            Term::Monthly,
                            "USD",
                            ["3", "45", "15", "12"],
                            2,
                            Some(vec![1, 2])
                        ),
                    ]
                ),
                (
                    (1, 8),
                    vec![position(
                        Term::Annual,
                        "EUR",
                        ["-2", "-0.1", "", "0.05"],
                        1,
                        Some(vec![5])
                    )]
                ),
            ]
        );
    }

    #[test]
    fn migrations_apply_once_and_detect_edits() {
        let mut connection = Connection::open_in_memory().expect("memory db");
        apply(&mut connection).expect("first apply");
        apply(&mut connection).expect("second apply is a no-op");
        connection
            .execute(
                "UPDATE schema_migrations SET sha256 = 'edited' WHERE name = '0001_init'",
                [],
            )
            .expect("tamper");
        assert!(matches!(
            apply(&mut connection),
            Err(StoreError::MigrationChanged { .. })
        ));
    }

    /// Companies rebuilt by 0019 keep their ids and values, so every position still names
    /// its company; one unique index by key replaces the constraint and the look-up index.
    #[test]
    fn companies_keep_their_ids_and_stay_unique_after_0019() {
        let mut connection = database_before("0019_parties_unique_by_key");
        connection
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 INSERT INTO imports (id, side, system, format, slice, period, file_name, sha256,
                                      row_count, line_count, imported_at)
                 VALUES (1, 'psa', 'cw', 'additions', 'all', '2026-10', 'a.csv', 'x', 2, 2, 't');
                 INSERT INTO parties (id, side, system, key, name, domain, external_id)
                 VALUES (7, 'psa', 'cw', 'k', 'K', 'k.example', NULL),
                        (8, 'psa', 'cw', 'l', 'L', NULL, 'x-8'),
                        (12, 'vendor', 'pc', 'k', 'K at the vendor', NULL, NULL);
                 INSERT INTO party_positions VALUES (1, 7, x'00'), (1, 12, x'01');",
            )
            .expect("an older database with companies");
        let companies = |connection: &Connection| -> Vec<String> {
            let mut statement = connection
                .prepare(
                    "SELECT id || '|' || side || '|' || system || '|' || key || '|' || name
                                 || '|' || ifnull(domain, '-') || '|' || ifnull(external_id, '-')
                          FROM parties ORDER BY id",
                )
                .expect("companies");
            statement
                .query_map([], |row| row.get(0))
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("values")
        };
        let before = companies(&connection);
        apply(&mut connection).expect("migrated");
        assert_eq!(companies(&connection), before);
        let indexes: Vec<(String, Option<String>)> = connection
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'parties' ORDER BY name")
            .expect("indexes")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("names");
        assert_eq!(
            indexes,
            [
                (
                    "parties_by_key".to_string(),
                    Some(
                        "CREATE UNIQUE INDEX parties_by_key ON parties (key, side, system)"
                            .to_string()
                    )
                ),
                (
                    "parties_by_name".to_string(),
                    Some(
                        "CREATE INDEX parties_by_name ON parties (lower(trim(name)), side)"
                            .to_string()
                    )
                ),
            ]
        );
        let checking: bool = connection
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .expect("setting");
        assert!(
            checking,
            "foreign keys are checked again after the migrations"
        );
        let duplicate = connection.execute(
            "INSERT INTO parties (side, system, key, name) VALUES ('psa', 'cw', 'k', 'again')",
            [],
        );
        assert!(
            duplicate.is_err(),
            "a company's key stays unique per side and system"
        );
        let orphan = connection.execute("DELETE FROM parties WHERE id = 7", []);
        assert!(orphan.is_err(), "positions still hold their companies");
    }

    /// A migration that would leave a reference pointing nowhere is rolled back whole, and
    /// says which table it would have broken; a reference broken before it does not stop it.
    #[test]
    fn a_migration_that_breaks_a_reference_is_refused_and_changes_nothing() {
        let mut connection = Connection::open_in_memory().expect("memory db");
        connection
            .execute_batch(
                "CREATE TABLE schema_migrations (
                     name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL);
                 CREATE TABLE holder (id INTEGER PRIMARY KEY);
                 CREATE TABLE held (holder_id INTEGER NOT NULL REFERENCES holder (id));
                 INSERT INTO holder VALUES (1);
                 INSERT INTO held VALUES (1);
                 PRAGMA foreign_keys = OFF;",
            )
            .expect("a database with a reference, its keys unchecked as `apply` runs a migration");
        let refused = apply_one(
            &mut connection,
            "9999_break",
            "DELETE FROM holder",
            "digest",
        );
        match refused {
            Err(StoreError::Corrupt { value, .. }) => {
                assert!(
                    value.contains("9999_break") && value.contains("held"),
                    "{value}"
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let holders: i64 = connection
            .query_row("SELECT count(*) FROM holder", [], |row| row.get(0))
            .expect("count");
        let recorded: i64 = connection
            .query_row("SELECT count(*) FROM schema_migrations", [], |row| {
                row.get(0)
            })
            .expect("count");
        assert_eq!((holders, recorded), (1, 0));

        // A reference broken before the migration is not its doing: the migration applies.
        connection
            .execute("INSERT INTO held VALUES (2)", [])
            .expect("an orphan written with keys unchecked");
        apply_one(
            &mut connection,
            "9998_harmless",
            "CREATE TABLE more (id INTEGER)",
            "d",
        )
        .expect("a migration that breaks nothing applies");
        let recorded: i64 = connection
            .query_row("SELECT count(*) FROM schema_migrations", [], |row| {
                row.get(0)
            })
            .expect("count");
        assert_eq!(recorded, 1);
    }
}
