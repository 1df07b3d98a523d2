-- The real-time post check matches the contacts a text writes, case folded, against identifiers' values and
-- raw texts: lower(value) = ? and lower(raw) = ?, one equality per contact (DuckDB reads an expression index
-- for an equality, not for an IN list). Without these indexes each check read the whole table (32 ms of CPU
-- over a million identifiers); with them about 0.1 ms per contact (docs/workbench.md#performance).

CREATE INDEX account_identifiers_value_lower ON account_identifiers (lower(value));
CREATE INDEX account_identifiers_raw_lower ON account_identifiers (lower(raw));
