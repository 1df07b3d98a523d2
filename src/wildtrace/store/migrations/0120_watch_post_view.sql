-- Watch compares the post a page shows (text, price, contacts, pictures' hashes) rather than its bytes:
-- the last view is kept to say what an edit changed, and the last change itself.

ALTER TABLE watchlist ADD COLUMN post_view TEXT;
ALTER TABLE watchlist ADD COLUMN last_change TEXT;
