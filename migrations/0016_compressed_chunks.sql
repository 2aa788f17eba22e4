-- billgap schema, version 16. Append-only: never edit this file once it has landed.
-- A chunk of lines may be stored compressed (see src/store/chunk_codec.rs): codec 1 is its
-- length, four bytes little-endian, then one LZ4 block; codec 0, every chunk stored before,
-- is the bytes as they are.
ALTER TABLE line_chunks ADD COLUMN codec INTEGER NOT NULL DEFAULT 0;
