-- billgap schema, version 5. Append-only: never edit this file once it has landed; add 0006_….
-- API pulls: one row per pull of one source, complete or not, with what it spent.

-- A pull that stopped early (a paging error, a spent budget, an auth failure, a timeout) is
-- recorded with complete = 0 and its error; its lines are not stored as an import, so it never
-- replaces the current state, and a check that follows it is not complete.
CREATE TABLE pulls (
    id               INTEGER PRIMARY KEY,
    source           TEXT NOT NULL,                -- pax8, connectwise …
    system           TEXT NOT NULL,                -- the system its lines are stored under
    started_at       TEXT NOT NULL,                -- RFC 3339 UTC
    finished_at      TEXT NOT NULL,
    complete         INTEGER NOT NULL,
    requests         INTEGER NOT NULL,             -- calls made, token calls and retries included
    request_budget   INTEGER NOT NULL,
    waited_ms        INTEGER NOT NULL,             -- time spent waiting on rate limits
    records          INTEGER NOT NULL,
    import_id        INTEGER REFERENCES imports (id),
    created_import   INTEGER NOT NULL DEFAULT 0,   -- 1 when this pull stored new lines
    error            TEXT,                         -- what went wrong, naming no secret
    raw              TEXT                          -- the pages as received (JSON), for drill-down
);
CREATE INDEX pulls_source ON pulls (source, id);
