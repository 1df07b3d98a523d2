-- Workbench triage: the history of each alert (assignments, closings with their reason, the case it went to),
-- files attached to a case (bytes in the evidence store by SHA-256; only the metadata here), and reviewers'
-- corrections of a decision's species and product (training labels next to the decision's 1/0 label).
CREATE TABLE wb_alert_events (
  event_id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, happened_at TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, status TEXT, assignee TEXT, reason TEXT NOT NULL, case_id TEXT
);
CREATE INDEX wb_alert_events_alert ON wb_alert_events (alert_id);

CREATE TABLE wb_case_attachments (
  attachment_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL,
  mime TEXT NOT NULL, size BIGINT NOT NULL, note TEXT NOT NULL, added_by TEXT NOT NULL, added_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX wb_case_attachments_case ON wb_case_attachments (case_id);

CREATE TABLE wb_review_corrections (
  decision_id TEXT PRIMARY KEY, post_id TEXT NOT NULL, species TEXT NOT NULL, products TEXT NOT NULL,
  corrected_by TEXT NOT NULL, corrected_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX wb_review_corrections_post ON wb_review_corrections (post_id);
CREATE INDEX alerts_status_score ON alerts (status, score);
