-- billgap schema, version 12. Append-only: never edit this file once it has landed.
-- Positions are kept in their primary key's order, without a separate row id.

-- A rowid table with a composite primary key is two B-trees: the rows, and the key's index.
-- An import writes every position into both, a million of them for a large PSA export. Clustered
-- on its key, the table is one B-tree: the import writes each position once, in key order, and
-- a reconcile reads an import's positions as one range of it.
CREATE TABLE positions_clustered (
    import_id     INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    party_id      INTEGER NOT NULL REFERENCES parties (id),
    product_id    INTEGER NOT NULL REFERENCES products (id),
    term          TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    seats         TEXT    NOT NULL,
    spend         TEXT    NOT NULL,
    unit_price    TEXT,
    unit_cost     TEXT,
    line_count    INTEGER NOT NULL,
    line_ordinals BLOB,
    PRIMARY KEY (import_id, party_id, product_id, term, currency)
) WITHOUT ROWID;

INSERT INTO positions_clustered
    (import_id, party_id, product_id, term, currency, seats, spend, unit_price, unit_cost,
     line_count, line_ordinals)
SELECT import_id, party_id, product_id, term, currency, seats, spend, unit_price, unit_cost,
       line_count, line_ordinals
FROM positions;

DROP TABLE positions;
ALTER TABLE positions_clustered RENAME TO positions;
