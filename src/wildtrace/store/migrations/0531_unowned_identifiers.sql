-- Identifiers written in posts that have no account (tips, captures, exports without an author), read by the
-- workbench (service/_unowned.py) so that each has an identifier page and a pseudonym that resolves. The reads
-- table lists the posts read, those that wrote no identifier too.

CREATE TABLE wb_post_identifiers (
  post_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, raw TEXT NOT NULL, seen_in TEXT NOT NULL,
  seen_id TEXT NOT NULL,
  PRIMARY KEY (post_id, kind, value, seen_in, seen_id)
);
CREATE INDEX wb_post_identifiers_value ON wb_post_identifiers (value);

CREATE TABLE wb_post_identifier_reads (post_id TEXT PRIMARY KEY);
