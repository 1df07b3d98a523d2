-- Evidence: captures gain the body's hash, its content type, a removed flag and their place in the
-- hash-chained capture log (sequence number and entry hash, the anchor that reveals a cut-off log).

ALTER TABLE captures ADD COLUMN payload_sha256 TEXT DEFAULT '';
ALTER TABLE captures ADD COLUMN content_type TEXT;
ALTER TABLE captures ADD COLUMN removed BOOLEAN DEFAULT FALSE;
ALTER TABLE captures ADD COLUMN log_seq BIGINT;
ALTER TABLE captures ADD COLUMN log_hash TEXT DEFAULT '';
CREATE INDEX captures_post ON captures (post_id);
CREATE INDEX captures_payload ON captures (payload_sha256);
