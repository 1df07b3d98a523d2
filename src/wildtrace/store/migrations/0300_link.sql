-- Linking: account-to-account links with their reasons, hub identifiers, traders and their accounts.
CREATE TABLE link_edges (
  account_l TEXT NOT NULL, account_r TEXT NOT NULL, source TEXT NOT NULL,
  match_weight DOUBLE PRECISION, match_probability DOUBLE PRECISION,
  reasons TEXT NOT NULL, accepted BOOLEAN NOT NULL,
  PRIMARY KEY (account_l, account_r, source)
);
CREATE INDEX link_edges_right ON link_edges (account_r);

CREATE TABLE link_hubs (
  kind TEXT NOT NULL, value TEXT NOT NULL, n_accounts BIGINT NOT NULL, n_groups BIGINT NOT NULL,
  reason TEXT NOT NULL, accounts TEXT NOT NULL,
  PRIMARY KEY (kind, value)
);

CREATE TABLE link_members (
  account_id TEXT PRIMARY KEY, trader_id TEXT NOT NULL, is_backup BOOLEAN NOT NULL,
  appeared_at TIMESTAMPTZ, after_block_of TEXT
);
CREATE INDEX link_members_trader ON link_members (trader_id);

CREATE TABLE link_traders (
  trader_id TEXT PRIMARY KEY, n_accounts BIGINT NOT NULL, platforms TEXT NOT NULL, category TEXT,
  status TEXT NOT NULL, n_posts BIGINT NOT NULL, n_flagged BIGINT NOT NULL, night_share DOUBLE PRECISION,
  profile TEXT NOT NULL
);

CREATE TABLE link_runs (
  run_id TEXT PRIMARY KEY, finished_at TIMESTAMPTZ NOT NULL, engine TEXT NOT NULL, n_accounts BIGINT NOT NULL,
  n_links BIGINT NOT NULL, n_hubs BIGINT NOT NULL, n_traders BIGINT NOT NULL, settings TEXT NOT NULL
);
