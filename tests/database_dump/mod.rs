//! Every row of every table of a database, to compare its content before and after a failure.

use std::path::Path;

/// Every row of every table, table by table in name order, each table in rowid order (a table
/// clustered on its key, such as `party_positions`, in key order).
pub fn every_row(database: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).expect("open");
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    let mut rows = Vec::new();
    for table in tables {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .or_else(|_| connection.prepare(&format!("SELECT * FROM \"{table}\"")))
            .expect("select");
        let columns = statement.column_count();
        let mut query = statement.query([]).expect("query");
        while let Some(row) = query.next().expect("row") {
            let values: Vec<String> = (0..columns)
                .map(|index| format!("{:?}", row.get_ref(index).expect("value")))
                .collect();
            rows.push(format!("{table}: {}", values.join("|")));
        }
    }
    rows
}
