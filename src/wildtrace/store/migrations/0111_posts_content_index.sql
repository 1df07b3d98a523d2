-- Ingest: no query looks posts up by content hash (a post's identity by content is its id, the hash's
-- first 32 characters, behind the primary key), and the index on 64-character hashes was the costliest
-- part of inserting posts (a third of a columnar ingest's time).

DROP INDEX IF EXISTS posts_content;
