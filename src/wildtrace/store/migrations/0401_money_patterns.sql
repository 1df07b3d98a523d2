-- Money: a pattern hit keeps every member account (JSON list, the subject first); members inherit its risk.
ALTER TABLE money_hits ADD COLUMN members TEXT;
