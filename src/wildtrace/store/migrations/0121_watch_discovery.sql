-- Discovery: a watched listing or search page (discover = a regular expression of post URLs) adds the
-- posts it links to on the same host; each such entry names the listing it was found on.

ALTER TABLE watchlist ADD COLUMN discover TEXT;
ALTER TABLE watchlist ADD COLUMN discovered_from TEXT;
