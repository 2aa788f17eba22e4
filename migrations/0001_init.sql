-- billgap schema, version 1. Append-only: never edit this file once it has landed; add 0002_….
-- Money and seats are stored as decimal TEXT so that no value ever passes through a float.

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    side          TEXT    NOT NULL CHECK (side IN ('vendor', 'psa')),
    system        TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    slice         TEXT    NOT NULL,
    period        TEXT    NOT NULL,             -- YYYY-MM
    file_name     TEXT    NOT NULL,
    sha256        TEXT    NOT NULL UNIQUE,      -- the same bytes are never imported twice
    row_count     INTEGER NOT NULL,
    line_count    INTEGER NOT NULL,
    imported_at   TEXT    NOT NULL,             -- RFC 3339, UTC
    superseded_by INTEGER REFERENCES imports (id)
);
CREATE INDEX imports_current ON imports (side, period) WHERE superseded_by IS NULL;

-- Customers (vendor side) and companies (PSA side), interned once per system and key.
CREATE TABLE parties (
    id          INTEGER PRIMARY KEY,
    side        TEXT NOT NULL,
    system      TEXT NOT NULL,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    domain      TEXT,
    external_id TEXT,
    UNIQUE (side, system, key)
);

CREATE TABLE products (
    id     INTEGER PRIMARY KEY,
    side   TEXT NOT NULL,
    system TEXT NOT NULL,
    key    TEXT NOT NULL,
    name   TEXT NOT NULL,
    UNIQUE (side, system, key)
);

-- Every imported row, kept compactly for drill-down and audit.
CREATE TABLE lines (
    import_id    INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    source_line  INTEGER NOT NULL,
    party_id     INTEGER NOT NULL REFERENCES parties (id),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    term         TEXT    NOT NULL,
    charge       TEXT    NOT NULL,
    seats        TEXT    NOT NULL,
    unit_price   TEXT,
    unit_cost    TEXT,
    amount       TEXT,
    currency     TEXT,
    period_start TEXT,
    period_end   TEXT,
    subscription TEXT
);
CREATE INDEX lines_by_party_product ON lines (party_id, product_id, import_id);

-- Seats and money per (import, party, product, term, currency), aggregated while importing so
-- that a reconcile never rereads the raw lines.
CREATE TABLE positions (
    import_id  INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    party_id   INTEGER NOT NULL REFERENCES parties (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    term       TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    seats      TEXT    NOT NULL,
    spend      TEXT    NOT NULL,
    unit_price TEXT,
    unit_cost  TEXT,
    line_count INTEGER NOT NULL,
    PRIMARY KEY (import_id, party_id, product_id, term, currency)
);

-- The operator's work. Keyed by stable source keys, never by row ids, so that no re-import
-- can orphan or lose a mapping.
CREATE TABLE client_mappings (
    vendor_system TEXT NOT NULL,
    vendor_key    TEXT NOT NULL,
    psa_system    TEXT NOT NULL,
    psa_key       TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('manual', 'automatic')),
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (vendor_system, vendor_key)
);

CREATE TABLE product_mappings (
    vendor_system TEXT NOT NULL,
    vendor_key    TEXT NOT NULL,
    term          TEXT NOT NULL,              -- a term name, or '*' for every term
    psa_system    TEXT NOT NULL,
    psa_key       TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('manual', 'automatic')),
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (vendor_system, vendor_key, term)
);

CREATE TABLE ignore_rules (
    subject    TEXT NOT NULL CHECK (subject IN ('customer', 'product')),
    system     TEXT NOT NULL,
    key        TEXT NOT NULL,
    reason     TEXT NOT NULL,
    until      TEXT,                          -- last day in force, YYYY-MM-DD; NULL for good
    decided_at TEXT NOT NULL,
    PRIMARY KEY (subject, system, key)
);

-- Suggestions the operator rejected; never suggested again.
CREATE TABLE rejections (
    subject       TEXT NOT NULL CHECK (subject IN ('client', 'product')),
    vendor_system TEXT NOT NULL,
    vendor_key    TEXT NOT NULL,
    psa_system    TEXT NOT NULL,
    psa_key       TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (subject, vendor_system, vendor_key, psa_system, psa_key)
);

-- Append-only log of every confirm, reject, ignore, unmap, undo and redo. `before` and `after`
-- are the JSON state of the one record the decision changed, so undo and redo replay exactly.
CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    decided_at TEXT NOT NULL,
    action     TEXT NOT NULL,
    step       TEXT NOT NULL CHECK (step IN ('do', 'undo', 'redo')),
    target     INTEGER REFERENCES decisions (id),
    origin     TEXT NOT NULL CHECK (origin IN ('manual', 'automatic')),
    record     TEXT NOT NULL,                 -- JSON identity of the record changed
    before     TEXT,                          -- JSON state before, NULL when absent
    after      TEXT                           -- JSON state after, NULL when removed
);
CREATE TRIGGER decisions_are_append_only_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER decisions_are_append_only_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE client_thresholds (
    psa_system TEXT NOT NULL,
    psa_key    TEXT NOT NULL,
    amount     TEXT NOT NULL,
    PRIMARY KEY (psa_system, psa_key)
);

-- Reconcile runs and their gaps: the ledger's memory.
CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    ran_at         TEXT NOT NULL,             -- RFC 3339, UTC
    ran_on         TEXT NOT NULL,             -- the local calendar day the run is dated
    vendor_period  TEXT,
    verdict        TEXT NOT NULL,
    coverage       TEXT,                      -- lowest share over currencies, 0..1
    gap_count      INTEGER NOT NULL
);

CREATE TABLE run_gaps (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    psa_system    TEXT NOT NULL,
    company_key   TEXT NOT NULL,
    company_name  TEXT NOT NULL,
    product_key   TEXT NOT NULL,
    product_name  TEXT NOT NULL,
    term          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    vendor_seats  TEXT NOT NULL,
    psa_seats     TEXT NOT NULL,
    delta         TEXT NOT NULL,
    value         TEXT,
    currency      TEXT NOT NULL,              -- of the value; '' when unpriced
    first_seen    TEXT NOT NULL,
    accumulated   TEXT NOT NULL,              -- money the gap has cost since first seen
    status        TEXT NOT NULL,
    PRIMARY KEY (run_id, psa_system, company_key, product_key, term, kind, currency)
);
CREATE INDEX run_gaps_identity
    ON run_gaps (psa_system, company_key, product_key, term, kind, currency, run_id);
