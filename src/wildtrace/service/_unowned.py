"""Identifiers written in posts that have no account: tips, pages captured while browsing, exports without an
author. The extraction stage keeps identifiers per account (``account_identifiers``), so a phone, messenger ID or
wallet that only such a post writes would have no page, and no pseudonym a redacted role could follow. They are
read here (the extraction stage's own reading, ``wildtrace.extract.identifiers``, of the text and of the text in
its pictures), once per post, into ``wb_post_identifiers`` (migration ``0531_unowned_identifiers``): the
identifier pages find them there, and a pseudonym is resolved against them.

Reading happens when an identifier page is asked for, so nothing has to run after ingest, a tip or a capture:
the posts added since are read (at most ``MAX_READ`` a call, the rest on later calls), at most every
``REFRESH_SECONDS`` (finding that nothing is new reads the posts' account column: 16-30 ms of CPU at a million
posts on DuckDB), and always when a page or a pseudonym was not found (the post may have just arrived).
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from wildtrace.extract import identifiers, load_vocabulary
from wildtrace.model import MediaItem, Post
from wildtrace.store import Store

MAX_READ = 5000
REFRESH_SECONDS = 10.0
COLUMNS = ["post_id", "kind", "value", "raw", "seen_in", "seen_id"]
_last: weakref.WeakKeyDictionary[Store, float] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_UNREAD = ("account_id IS NULL AND NOT EXISTS (SELECT 1 FROM wb_post_identifier_reads r "
           "WHERE r.post_id = posts.id)")


def read_unowned_posts(store: Store, limit: int = MAX_READ) -> int:
    """Read the identifiers of up to ``limit`` posts without an account not read yet; return how many rows
    were added."""
    ids = [r["id"] for r in store.query(f"SELECT id FROM posts WHERE {_UNREAD} ORDER BY id LIMIT {int(limit)}")]
    if not ids:
        return 0
    posts = list(store.get_many(Post, ids).values())
    vocabulary = load_vocabulary()
    pictures = store.get_many(MediaItem, sorted({sha for p in posts for sha in p.media}))
    rows: list[dict[str, Any]] = []
    for post in posts:
        texts = [("post", post.id, post.text)] + [("image", sha, pictures[sha].ocr_text) for sha in post.media
                                                   if sha in pictures and pictures[sha].ocr_text]
        rows += [{"post_id": post.id, "kind": str(i.kind), "value": i.value, "raw": i.raw, "seen_in": seen_in,
                  "seen_id": seen_id}
                 for seen_in, seen_id, text in texts if text for i in identifiers(text, vocabulary)
                 if str(i.kind) != "url"]
    added = store.insert_rows("wb_post_identifiers", rows, COLUMNS, COLUMNS[:3] + COLUMNS[4:])
    store.insert_rows("wb_post_identifier_reads", [{"post_id": p.id} for p in posts], ["post_id"], ["post_id"])
    return added


def catch_up(store: Store, now: bool = False) -> int:
    """``read_unowned_posts`` if ``now`` or if it last ran over ``REFRESH_SECONDS`` ago for ``store``; the rows
    added."""
    with _lock:
        due = now or time.monotonic() - _last.get(store, -float("inf")) >= REFRESH_SECONDS
        if due:
            _last[store] = time.monotonic()
    return read_unowned_posts(store) if due else 0


def unowned_count(store: Store) -> int:
    """How many identifier rows of posts without an account are read (a pseudonym index is rebuilt when this
    changes)."""
    return int(store.query("SELECT count(*) AS n FROM wb_post_identifiers")[0]["n"])
