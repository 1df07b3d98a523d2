-- Ingest checkpoints: one row per batch (its files' content and how they are read), updated in the
-- same transaction as each chunk of entities, so a re-run after a crash resumes after the last chunk.

CREATE TABLE ingest_checkpoints (
  batch TEXT PRIMARY KEY, model TEXT NOT NULL, sources TEXT NOT NULL, records BIGINT NOT NULL,
  added BIGINT NOT NULL, duplicates BIGINT NOT NULL, quarantined BIGINT NOT NULL, media_added BIGINT NOT NULL,
  done BOOLEAN NOT NULL, updated_at TIMESTAMPTZ NOT NULL
);
