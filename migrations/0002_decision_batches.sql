-- billgap schema, version 2. Append-only: never edit this file once it has landed; add 0003_….
-- A bulk accept (the safe band, certain mappings) is one step of the operator's history, so that
-- one undo reverses all of it. Every log entry such a step writes, and every entry of its undo
-- and redo, carries the id of the step's first entry. NULL marks an entry that is a step of its
-- own: a single decision, its undo and redo, and every entry logged before this migration.
-- Adding a column is not an UPDATE, so the append-only triggers of 0001 stay as they are.
ALTER TABLE decisions ADD COLUMN batch INTEGER REFERENCES decisions (id);
