//! Tests of the stored lines: the drill-down and the audit, over every way lines were stored.

use super::super::migrate;
use super::*;
use crate::domain::lines::{Line, Party, Product};
use crate::import::SourceInfo;
use rusqlite::Connection;
use rust_decimal_macros::dec;

/// A database as billgap left it before migration 0009: one vendor import whose lines are
/// rows of `lines`, written as the importer wrote them then.
fn database_before_chunks() -> Connection {
    let connection = migrate::database_before("0009_line_chunks");
    connection
        .execute_batch(
            "INSERT INTO imports VALUES (1, 'vendor', 'microsoft', 'nce', 'p/USD', '2026-10',
                 'old.csv', 'abc', 2, 2, '2026-10-02T00:00:00Z', NULL);
             INSERT INTO parties VALUES (1, 'vendor', 'microsoft', 't1', 'Tenant', NULL, NULL);
             INSERT INTO products VALUES (1, 'vendor', 'microsoft', 'BP', 'Business Premium');
             INSERT INTO lines VALUES (1, 3, 1, 1, 'annual', 'recurring', '10', NULL, '22.00',
                 '220.00', 'USD', '2026-10-01', '2026-10-31', 'sub-1');
             INSERT INTO lines VALUES (1, 2, 1, 1, 'annual', 'change', '-1', NULL, NULL,
                 NULL, NULL, NULL, NULL, NULL);
             INSERT INTO positions VALUES (1, 1, 1, 'annual', 'USD', '9', '220', NULL, '22', 2);",
        )
        .expect("old import");
    connection
}

/// A vendor import of Microsoft's October 2026, of `slice`.
fn october_microsoft(slice: &str) -> SourceInfo {
    SourceInfo {
        format: "pull".into(),
        system: "microsoft".into(),
        side: Side::Vendor,
        slice: slice.into(),
        period: "2026-10".parse().ok(),
    }
}

fn line(source_line: u64, seats: Decimal) -> Line {
    Line {
        source_line,
        customer: Party {
            key: "t1".into(),
            name: "Tenant".into(),
            domain: None,
            external_id: None,
        },
        product: Product {
            key: "BP".into(),
            name: "Business Premium".into(),
        },
        term: Term::Annual,
        charge: ChargeKind::Recurring,
        seats,
        unit_price: None,
        unit_cost: Some(Money::new(
            dec!(22.00),
            Currency::parse("USD").expect("usd"),
        )),
        amount: None,
        period_start: None,
        period_end: None,
        subscription: Some("sub-2".into()),
        line_id: None,
    }
}

#[test]
fn lines_of_an_import_made_before_0009_still_drill_down_beside_new_ones() {
    let mut connection = database_before_chunks();
    migrate::apply(&mut connection).expect("migrate to 0009");
    let mut store = Store {
        connection,
        path: None,
        positions_in_memory: crate::store::position_runs::POSITIONS_IN_MEMORY,
    };
    let tenant = SourceKey::new("microsoft", "t1");
    let product = SourceKey::new("microsoft", "BP");
    let old = store
        .lines_of(Side::Vendor, Some("2026-10"), &tenant, &product)
        .expect("old lines");
    let seen: Vec<(i64, String, Option<String>)> = old
        .iter()
        .map(|line| {
            let amount = line.amount.as_ref().map(|money| money.to_string());
            (line.source_line, line.seats.to_string(), amount)
        })
        .collect();
    assert_eq!(
        seen,
        [
            (2, "-1".to_string(), None),
            (3, "10".to_string(), Some("220.00 USD".to_string()))
        ]
    );
    assert_eq!(old[1].file_name, "old.csv");
    assert_eq!(old[1].subscription.as_deref(), Some("sub-1"));
    let audit = store.import_lines_stored(1).expect("old audit");
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[1].line.unit_cost, Some(dec!(22.00)));
    assert_eq!(
        audit[1].line.period_end.map(|d| d.to_string()).as_deref(),
        Some("2026-10-31")
    );

    // A new slice of the same period is stored in chunks; the drill-down reads both.
    store
        .import_lines(
            &october_microsoft("p/EUR"),
            "pull",
            vec![line(5, dec!(4)), line(1, dec!(7.50))],
        )
        .expect("new import");
    let both = store
        .lines_of(Side::Vendor, Some("2026-10"), &tenant, &product)
        .expect("both");
    let order: Vec<(String, i64, String)> = both
        .iter()
        .map(|line| {
            (
                line.file_name.clone(),
                line.source_line,
                line.seats.to_string(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("old.csv".to_string(), 2, "-1".to_string()),
            ("old.csv".to_string(), 3, "10".to_string()),
            ("pull".to_string(), 1, "7.50".to_string()),
            ("pull".to_string(), 5, "4".to_string()),
        ]
    );
    assert_eq!(
        both[2]
            .unit_amount
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("22.00 USD")
    );
    assert_eq!(both[2].subscription.as_deref(), Some("sub-2"));
}

#[test]
fn chunks_stored_plain_before_schema_16_read_as_the_compressed_ones_do() {
    let mut store = Store::open_in_memory().expect("store");
    // Three chunks, the last one short, so both the whole-import and the one-chunk
    // readings cross chunk bounds.
    let lines: Vec<Line> = (1..=600).map(|n| line(n, Decimal::from(n % 7))).collect();
    store
        .import_lines(&october_microsoft("p/USD"), "pull", lines)
        .expect("imported");
    let import_id: i64 = store
        .connection
        .query_row("SELECT id FROM imports", [], |row| row.get(0))
        .expect("import id");
    let (tenant, product) = (
        SourceKey::new("microsoft", "t1"),
        SourceKey::new("microsoft", "BP"),
    );
    let read = |store: &Store| {
        let audit = store.import_lines_stored(import_id).expect("audit");
        let drill = store
            .lines_of(Side::Vendor, Some("2026-10"), &tenant, &product)
            .expect("drill-down");
        (audit, drill)
    };
    let stored: Vec<(i64, Vec<u8>, i64)> = store
        .connection
        .prepare("SELECT chunk, data, codec FROM line_chunks ORDER BY chunk")
        .expect("prepare")
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("chunks");
    let codecs: Vec<i64> = stored.iter().map(|(_, _, codec)| *codec).collect();
    assert_eq!(codecs, [super::super::chunk_codec::LZ4; 3]);
    let compressed = read(&store);
    assert_eq!(compressed.0.len(), 600);
    assert_eq!(compressed.1.len(), 600);
    // Every chunk rewritten as an older billgap stored it.
    for (chunk, data, codec) in stored {
        let plain = chunk_bytes(data, codec).expect("decompresses");
        store
            .connection
            .execute(
                "UPDATE line_chunks SET data = ?1, codec = 0 WHERE import_id = ?2 AND chunk = ?3",
                params![plain, import_id, chunk],
            )
            .expect("rewritten plain");
    }
    assert_eq!(read(&store), compressed);
}
