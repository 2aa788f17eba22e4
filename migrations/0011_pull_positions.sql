-- billgap schema, version 11. Append-only: never edit this file once it has landed.
-- What a vendor pull that stopped early did see, per (customer, product, term, currency).

-- The seats on the pages it read are a lower bound of the vendor's seats: a check raises the
-- last complete data to them, so a new subscription on page 1 still shows as a gap while page 3
-- fails (the rule is in src/domain/reconcile/seen.rs). Only the latest pull of a source counts,
-- and only while it is failing; older rows are dropped when the source pulls again. PSA pulls
-- never write here: missing PSA lines would look like unbilled seats.
CREATE TABLE pull_positions (
    pull_id       INTEGER NOT NULL REFERENCES pulls (id) ON DELETE CASCADE,
    period        TEXT    NOT NULL,             -- YYYY-MM the pull was filed under
    customer_key  TEXT    NOT NULL,
    customer_name TEXT    NOT NULL,
    product_key   TEXT    NOT NULL,
    product_name  TEXT    NOT NULL,
    term          TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    seats         TEXT    NOT NULL,
    spend         TEXT    NOT NULL,
    unit_price    TEXT,
    unit_cost     TEXT,
    PRIMARY KEY (pull_id, customer_key, product_key, term, currency)
);
