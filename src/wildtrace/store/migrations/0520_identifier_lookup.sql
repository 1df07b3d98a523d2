-- Workbench real-time checks look identifiers up by value or by raw text, and alerts by subject. DuckDB reads
-- an index only for a lone condition on its one column, so the (kind, value) index served no query there
-- (checks filter the kind afterwards); one index per column does. Over a million identifiers: a payment
-- check's lookup 24 -> 1 ms of CPU; writing the rows costs 12% more CPU and the table 24% more disk than with
-- the (kind, value) index (docs/workbench.md#performance). PostgreSQL uses the value index for kind and value.

DROP INDEX IF EXISTS account_identifiers_value;
CREATE INDEX account_identifiers_value ON account_identifiers (value);
CREATE INDEX account_identifiers_raw ON account_identifiers (raw);
CREATE INDEX alerts_subject ON alerts (subject);
