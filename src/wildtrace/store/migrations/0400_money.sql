-- Money stage: seizures and payment-account KYC (entities of wildtrace.model), typology hits, account risk
-- and watchlist entries. JSON as TEXT, as in 0001.

CREATE TABLE seizures (
  id TEXT PRIMARY KEY, date DATE, place TEXT, agency TEXT, species TEXT NOT NULL, quantity_kg DOUBLE PRECISION,
  waybill TEXT, phones TEXT NOT NULL, names TEXT NOT NULL, source TEXT
);
CREATE INDEX seizures_waybill ON seizures (waybill);

CREATE TABLE payment_accounts (
  payment_account TEXT PRIMARY KEY, holder_name TEXT, holder_phone TEXT, bank TEXT,
  opened_at TIMESTAMPTZ, opened_at_tz INTEGER, source TEXT
);
CREATE INDEX payment_accounts_phone ON payment_accounts (holder_phone);

-- One row per detector finding: the subject (account, waybill, phone), the typology, its score and the
-- evidence (transaction ids or waybills, JSON list), from one run.
CREATE TABLE money_hits (
  run_id TEXT NOT NULL, typology TEXT NOT NULL, subject TEXT NOT NULL, subject_kind TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL,
  PRIMARY KEY (run_id, typology, subject)
);
CREATE INDEX money_hits_subject ON money_hits (subject);

-- Account risk of one run: typology part, network part, total, and the reasons (JSON list).
CREATE TABLE money_risk (
  run_id TEXT NOT NULL, subject TEXT NOT NULL, subject_kind TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
  typology_score DOUBLE PRECISION NOT NULL, network_score DOUBLE PRECISION NOT NULL, reasons TEXT NOT NULL,
  PRIMARY KEY (run_id, subject)
);

CREATE TABLE money_runs (
  run_id TEXT PRIMARY KEY, finished_at TIMESTAMPTZ NOT NULL, n_transactions BIGINT NOT NULL,
  n_shipments BIGINT NOT NULL, n_hits BIGINT NOT NULL, n_alerts BIGINT NOT NULL, params TEXT NOT NULL
);

-- Watchlist entities as loaded (FollowTheMoney JSON kept whole in data), with the names and identifiers
-- used for screening.
CREATE TABLE watchlist_entries (
  list_name TEXT NOT NULL, entity_id TEXT NOT NULL, schema TEXT NOT NULL, caption TEXT NOT NULL,
  names TEXT NOT NULL, identifiers TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (list_name, entity_id)
);
