-- Lines are stored in file order, a chunk of up to 256 lines per row (src/store/line_codec.rs),
-- and each position lists the ordinals of its own lines within its import: an import of a
-- million rows writes a few thousand appended blobs instead of a million indexed rows.
-- The lines of imports made before this migration stay in `lines`, which nothing writes any
-- more; their positions have no ordinals, and the drill-down reads them from there.
CREATE TABLE line_chunks (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    chunk     INTEGER NOT NULL,        -- the ordinal of its first line, divided by 256
    data      BLOB    NOT NULL,
    PRIMARY KEY (import_id, chunk)
);

ALTER TABLE positions ADD COLUMN line_ordinals BLOB;
