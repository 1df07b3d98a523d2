-- Sharing: entities imported from partners (FollowTheMoney or STIX) that have no table of their own in the
-- domain model (persons, links, indicators, sightings...), kept as they came so that they are shared on.
CREATE TABLE share_entities (
  format TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, payload TEXT NOT NULL,
  imported_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (format, id)
);
