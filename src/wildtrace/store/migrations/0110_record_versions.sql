-- Ingest: a record whose key is already stored with other content is kept here as a version of it
-- (the stored row stays as it was), never dropped silently. One row per (entity, key, content).

CREATE TABLE record_versions (
  entity TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, record TEXT NOT NULL,
  differs TEXT NOT NULL, source TEXT, line BIGINT, batch TEXT NOT NULL, ingested_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (entity, key, fingerprint)
);
ALTER TABLE ingest_checkpoints ADD COLUMN versions BIGINT DEFAULT 0;
