-- The watchlist: URLs re-captured on a schedule. The captures themselves live in captures (each
-- edit a new version, version_of pointing at the one before); this table keeps where each URL stands.

CREATE TABLE watchlist (
  url TEXT PRIMARY KEY, post_id TEXT, marker TEXT, added_at TIMESTAMPTZ NOT NULL,
  last_checked_at TIMESTAMPTZ, last_status INTEGER, last_capture TEXT, text_sha256 TEXT,
  versions BIGINT NOT NULL, gone BOOLEAN NOT NULL, error TEXT
);
