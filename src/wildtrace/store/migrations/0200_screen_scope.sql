-- Screening: the rule that put a post in or out of the flagged tiers (the model's score, or a scope rule).
ALTER TABLE verdicts ADD COLUMN decided_by TEXT DEFAULT '';
