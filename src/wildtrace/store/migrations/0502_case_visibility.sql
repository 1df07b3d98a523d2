-- Workbench: who may open a case and in which view. The owner (its creator), a team of user names and roles
-- may open it in their role's view; users an investigator has shared it with get the full view. Lists are
-- JSON text. A case without a row belongs to its creator (investigators and admins open every case).
CREATE TABLE wb_case_access (
  case_id TEXT PRIMARY KEY, owner TEXT NOT NULL, team TEXT NOT NULL, roles TEXT NOT NULL, shared TEXT NOT NULL,
  changed_by TEXT, changed_at TIMESTAMPTZ
);
