-- Workbench: analysts' decisions on suggested code words (accepted ones also go to the lexicon's user layer).
CREATE TABLE wb_lexicon_reviews (
  term TEXT PRIMARY KEY, decision TEXT NOT NULL, meaning TEXT, decided_by TEXT NOT NULL,
  decided_at TIMESTAMPTZ NOT NULL
);
