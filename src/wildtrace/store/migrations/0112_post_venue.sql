-- Ingest: where a post was seen (the group, channel or chat), whom it was forwarded from, and the post it
-- replies to. Not part of the content hash: a post's id and hash stay what they were.

ALTER TABLE posts ADD COLUMN venue TEXT;
ALTER TABLE posts ADD COLUMN forwarded_from TEXT;
ALTER TABLE posts ADD COLUMN reply_to TEXT;
