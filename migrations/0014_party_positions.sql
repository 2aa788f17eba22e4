-- billgap schema, version 14. Append-only: never edit this file once it has landed.
-- An import's positions are stored one row per party, the party's positions in one blob.

-- A PSA export has about one position per line: 1.1 million ConnectWise additions were
-- 1.1 million rows of `positions`, each with three foreign-key checks and four decimals as
-- text, which took as long to write as the whole file took to read. A party's positions are
-- always read together, so they are stored together (the format is `party_positions.rs`).
-- The rows already in `positions` are moved here by this migration's data step, in the same
-- transaction; 0015 then drops the emptied table.
CREATE TABLE party_positions (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    party_id  INTEGER NOT NULL REFERENCES parties (id),
    positions BLOB    NOT NULL,
    PRIMARY KEY (import_id, party_id)
) WITHOUT ROWID;
