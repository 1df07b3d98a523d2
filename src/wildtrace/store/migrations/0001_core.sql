-- Core entities of wildtrace.model. Datetimes: a TIMESTAMPTZ instant plus <name>_tz, the original
-- UTC offset in minutes. Lists and dicts: JSON text (portable between DuckDB and PostgreSQL).
-- Migration numbers by stage: 0001-0099 core, 0100 ingest/evidence, 0200 screen, 0300 link,
-- 0400 money, 0500 workbench, 0600 report/share.

CREATE TABLE platforms (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, url TEXT
);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL, handle TEXT NOT NULL, display_name TEXT, bio TEXT,
  location TEXT, status TEXT NOT NULL,
  status_changed_at TIMESTAMPTZ, status_changed_at_tz INTEGER,
  first_seen TIMESTAMPTZ, first_seen_tz INTEGER
);

CREATE TABLE media (
  sha256 TEXT PRIMARY KEY, mime TEXT, size BIGINT NOT NULL, phash TEXT, ocr_text TEXT, path TEXT
);

CREATE TABLE posts (
  id TEXT PRIMARY KEY, platform TEXT NOT NULL, account_id TEXT, text TEXT NOT NULL, media TEXT NOT NULL,
  posted_at TIMESTAMPTZ, posted_at_tz INTEGER,
  captured_at TIMESTAMPTZ, captured_at_tz INTEGER,
  deleted_at TIMESTAMPTZ, deleted_at_tz INTEGER,
  url TEXT, source TEXT, language TEXT, content_hash TEXT NOT NULL
);
CREATE INDEX posts_account ON posts (account_id);
CREATE INDEX posts_content ON posts (content_hash);

CREATE TABLE account_identifiers (
  account_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, raw TEXT NOT NULL,
  seen_in TEXT NOT NULL, seen_id TEXT NOT NULL,
  PRIMARY KEY (account_id, kind, value, seen_in, seen_id)
);
CREATE INDEX account_identifiers_value ON account_identifiers (kind, value);

CREATE TABLE transactions (
  id TEXT PRIMARY KEY, time TIMESTAMPTZ, time_tz INTEGER, step BIGINT, payer TEXT NOT NULL,
  payee TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, currency TEXT NOT NULL, channel TEXT, memo TEXT,
  source TEXT
);

CREATE TABLE shipments (
  waybill TEXT PRIMARY KEY, time TIMESTAMPTZ, time_tz INTEGER, sender_name TEXT, sender_phone TEXT,
  receiver_name TEXT, receiver_phone TEXT, address TEXT, declared_contents TEXT,
  weight_g DOUBLE PRECISION, courier TEXT, picked_up_by TEXT, source TEXT
);

CREATE TABLE verdicts (
  post_id TEXT PRIMARY KEY, score DOUBLE PRECISION NOT NULL, tier TEXT NOT NULL, species TEXT NOT NULL,
  products TEXT NOT NULL, spans TEXT NOT NULL, code_words TEXT NOT NULL, features TEXT NOT NULL,
  extracted TEXT NOT NULL, model_version TEXT NOT NULL, screened_at TIMESTAMPTZ, screened_at_tz INTEGER
);

CREATE TABLE alerts (
  id TEXT PRIMARY KEY, subject TEXT NOT NULL, subject_kind TEXT NOT NULL, kind TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL, reasons TEXT NOT NULL, evidence TEXT NOT NULL, status TEXT NOT NULL,
  assignee TEXT, created_at TIMESTAMPTZ, created_at_tz INTEGER
);

CREATE TABLE cases (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL, created_by TEXT,
  created_at TIMESTAMPTZ, created_at_tz INTEGER, notes TEXT NOT NULL, items TEXT NOT NULL
);

CREATE TABLE decisions (
  id TEXT PRIMARY KEY, post_id TEXT NOT NULL, decision TEXT NOT NULL, decided_by TEXT NOT NULL,
  note TEXT NOT NULL, decided_at TIMESTAMPTZ NOT NULL, decided_at_tz INTEGER
);

CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY, occurred_at TIMESTAMPTZ NOT NULL, occurred_at_tz INTEGER, actor TEXT NOT NULL,
  action TEXT NOT NULL, object_kind TEXT NOT NULL, object_id TEXT NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);

CREATE TABLE captures (
  sha256 TEXT PRIMARY KEY, url TEXT NOT NULL, captured_at TIMESTAMPTZ NOT NULL, captured_at_tz INTEGER,
  collector TEXT NOT NULL, kind TEXT NOT NULL, warc_path TEXT NOT NULL, post_id TEXT,
  http_status INTEGER, version_of TEXT
);
CREATE INDEX captures_url ON captures (url);
