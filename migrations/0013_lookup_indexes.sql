-- billgap schema, version 13. Append-only: never edit this file once it has landed.
-- Records are found by key alone and by exact name without reading every record of a side.

-- A typed key (`map client 1042 …`, a mappings file's psa_id) names no system, so the unique
-- (side, system, key) index could not serve it, and an exact name had no index at all: each
-- lookup read every party of the side. A mappings file of 20,000 rows against 20,000
-- companies took 89 s that way, and one of 198,000 rows did not finish in 13 minutes.
CREATE INDEX parties_by_key ON parties (side, key);
CREATE INDEX products_by_key ON products (side, key);

-- The same expression as the lookup's `lower(trim(name)) = lower(?)`, so the index serves it.
CREATE INDEX parties_by_name ON parties (side, lower(trim(name)));
CREATE INDEX products_by_name ON products (side, lower(trim(name)));
