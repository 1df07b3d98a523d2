-- Per-source schedules: a cron expression per watched URL (NULL: the run's default interval) and when it
-- is due next (set after each check, with jitter), for `watch run --forever`.

ALTER TABLE watchlist ADD COLUMN schedule TEXT;
ALTER TABLE watchlist ADD COLUMN next_check_at TIMESTAMPTZ;
