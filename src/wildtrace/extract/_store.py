"""``extract_store``: identifiers of every post, image and profile, as AccountIdentifier rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from wildtrace.extract._identifiers import identifiers
from wildtrace.extract._vocab import Vocabulary, load_vocabulary
from wildtrace.log import get_logger
from wildtrace.model import Account, AccountIdentifier, Entity, MediaItem, Post
from wildtrace.store import Store

E = TypeVar("E", bound=Entity)
log = get_logger(__name__)


def _pages(store: Store, model: type[E], page: int) -> Iterator[list[E]]:
    offset = 0
    while True:
        rows = store.find(model, limit=page, offset=offset)
        if not rows:
            return
        yield rows
        offset += page


def _rows(account_id: str, text: str | None, seen_in: str, seen_id: str, v: Vocabulary) -> list[AccountIdentifier]:
    if not text:
        return []
    return [AccountIdentifier(account_id=account_id, kind=i.kind, value=i.value, raw=i.raw, seen_in=seen_in,
                              seen_id=seen_id) for i in identifiers(text, v)]


def extract_store(store: Store, page: int = 1000, vocabulary: Vocabulary | None = None) -> dict[str, int]:
    """Write the identifiers of every post (its text and its images' OCR text) and every account's
    display name and bio. Idempotent: rows already stored are skipped. Returns counts."""
    v = vocabulary or load_vocabulary()
    counts = {"posts": 0, "images": 0, "profiles": 0, "posts_without_account": 0, "identifiers": 0, "new": 0}
    rows: list[AccountIdentifier]
    for posts in _pages(store, Post, page):
        rows = []
        shas = sorted({sha for post in posts for sha in post.media})
        media_by_sha = store.get_many(MediaItem, shas)
        for post in posts:
            counts["posts"] += 1
            if not post.account_id:
                counts["posts_without_account"] += 1
                continue
            rows += _rows(post.account_id, post.text, "post", post.id, v)
            for sha in post.media:
                media = media_by_sha.get(sha)
                if media is not None and media.ocr_text:
                    counts["images"] += 1
                    rows += _rows(post.account_id, media.ocr_text, "image", sha, v)
        counts["identifiers"] += len(rows)
        counts["new"] += store.add(rows)
    for accounts in _pages(store, Account, page):
        rows = []
        for account in accounts:
            counts["profiles"] += 1
            profile = "\n".join(t for t in (account.display_name, account.bio) if t)
            rows += _rows(account.id, profile, "profile", account.id, v)
        counts["identifiers"] += len(rows)
        counts["new"] += store.add(rows)
    log.info("extracted %(identifiers)d identifiers (%(new)d new) from %(posts)d posts and %(profiles)d profiles",
             counts)
    return counts
