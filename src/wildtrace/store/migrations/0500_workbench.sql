-- Workbench: users with roles and argon2 password hashes, server-side sessions (the cookie only carries a
-- signed session id), API tokens (stored as SHA-256), case notes, public tips.
CREATE TABLE wb_users (
  username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, disabled BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE wb_sessions (
  session_id TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE wb_tokens (
  token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, name TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
  revoked BOOLEAN NOT NULL
);

CREATE TABLE wb_case_notes (
  case_id TEXT NOT NULL, written_at TIMESTAMPTZ NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL,
  note_id TEXT PRIMARY KEY
);
CREATE INDEX wb_case_notes_case ON wb_case_notes (case_id);

CREATE TABLE wb_tips (
  id TEXT PRIMARY KEY, submitted_at TIMESTAMPTZ NOT NULL, url TEXT, text TEXT NOT NULL, note TEXT NOT NULL,
  contact TEXT, post_id TEXT NOT NULL, status TEXT NOT NULL
);

CREATE INDEX decisions_post ON decisions (post_id);
CREATE INDEX verdicts_score ON verdicts (score);
