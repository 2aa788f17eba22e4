-- What the billing owner is doing about a gap, keyed by the gap's stable key so that it stays
-- with the gap across reviews. Written and undone through the decision log.
CREATE TABLE gap_work (
    gap_key    TEXT PRIMARY KEY,
    label      TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('acknowledged', 'fixed-in-psa', 'snoozed')),
    note       TEXT NOT NULL,
    until      TEXT,
    decided_at TEXT NOT NULL
);
