-- billgap schema, version 15. Append-only: never edit this file once it has landed.
-- Every position now lives in `party_positions` (0014 moved the stored ones there).
DROP TABLE positions;
