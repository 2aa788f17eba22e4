-- billgap schema, version 4. Append-only: never edit this file once it has landed; add 0005_….
-- A product ignore rule may name one term, as a product mapping does: ignoring the one-time
-- row of a product must leave its monthly seats compared. The term is a term name, or '*' for
-- every term, exactly as in product_mappings. '*' rather than NULL, because a NULL cannot be
-- part of a primary key (two NULLs are never equal, so two every-term rules could coexist),
-- and a mapping table needs one. Every rule written before this migration is for every term.
-- A customer rule always covers every term. SQLite cannot change a primary key in place, so
-- the table is rebuilt; nothing references it.
CREATE TABLE ignore_rules_per_term (
    subject    TEXT NOT NULL CHECK (subject IN ('customer', 'product')),
    system     TEXT NOT NULL,
    key        TEXT NOT NULL,
    term       TEXT NOT NULL DEFAULT '*' CHECK (term <> '' AND (subject = 'product' OR term = '*')),
    reason     TEXT NOT NULL,
    until      TEXT,                          -- last day in force, YYYY-MM-DD; NULL for good
    decided_at TEXT NOT NULL,
    PRIMARY KEY (subject, system, key, term)
);
INSERT INTO ignore_rules_per_term (subject, system, key, term, reason, until, decided_at)
    SELECT subject, system, key, '*', reason, until, decided_at FROM ignore_rules;
DROP TABLE ignore_rules;
ALTER TABLE ignore_rules_per_term RENAME TO ignore_rules;
