-- billgap schema, version 3. Append-only: never edit this file once it has landed; add 0004_….
-- Scheduled checks and their alerts.

-- A run is complete when every vendor position was compared or deliberately ignored and
-- something was compared. Only complete runs may resolve a gap: "no data" is never "fixed".
ALTER TABLE runs ADD COLUMN complete INTEGER NOT NULL DEFAULT 0;

-- The PSA product's own system (a mapping may name another PSA system than the company's).
-- NULL in rows written before this migration: read them as the company's system, as before.
ALTER TABLE run_gaps ADD COLUMN product_system TEXT;

-- Who is told about one PSA company's gaps.
CREATE TABLE recipients (
    psa_system       TEXT NOT NULL,
    psa_key          TEXT NOT NULL,
    billing_owner    TEXT,
    account_manager  TEXT,
    extra            TEXT NOT NULL DEFAULT '',     -- further addresses, comma separated
    PRIMARY KEY (psa_system, psa_key)
);

-- What each channel was last told about each gap: the memory behind "new", "worse",
-- reminders and the one resolved notice. A channel is 'email:ADDRESS' or 'webhook:NAME'.
CREATE TABLE alert_keys (
    gap_key          TEXT NOT NULL,
    channel          TEXT NOT NULL,
    first_notified   TEXT NOT NULL,                -- YYYY-MM-DD
    last_notified    TEXT NOT NULL,
    last_value       TEXT,                         -- absolute monthly value when last told
    PRIMARY KEY (gap_key, channel)
);

-- Every message due, with its delivery: written in the same transaction as the run that
-- decided it, so a crash between deciding and sending leaves it due, and a second process
-- that decides the same message finds it here and does not send it twice.
CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id),
    channel          TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    subject          TEXT NOT NULL,
    gap_keys         TEXT NOT NULL,                -- JSON: [[key, reason, value], ...]
    created_at       TEXT NOT NULL,
    status           TEXT NOT NULL,                -- due | sending | sent | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    sent_at          TEXT,
    UNIQUE (channel, content_hash)
);
CREATE INDEX notifications_status ON notifications (status);
