-- Money: an alert keeps every item of evidence it cites (transaction ids, waybills), in order, however many
-- (alert_evidence, one row each). The alerts row keeps the first page of them (evidence, JSON list) and how many
-- there are in all (evidence_count), so lists of alerts stay small; pages and SAR drafts read alert_evidence.
ALTER TABLE alerts ADD COLUMN evidence_count BIGINT DEFAULT 0;
CREATE TABLE alert_evidence (
  alert_id TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL,
  PRIMARY KEY (alert_id, seq)
);
