-- billgap schema, version 17. Append-only: never edit this file once it has landed.
-- The size in bytes of the file an import read (NULL for an API pull, and for every import
-- made before): a file of the size of one imported before is hashed before its rows are read,
-- so an unchanged export imported again answers "already imported" in the time of the hash.
ALTER TABLE imports ADD COLUMN byte_count INTEGER;
