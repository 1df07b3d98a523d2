"""Public tips: anyone may report a URL or a post with a note; each tip becomes a post in the review queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from wildtrace.model import Platform, PlatformKind, Post, content_hash
from wildtrace.store import Store

TIP_PLATFORM = Platform(id="tip", name="Public tip line", kind=PlatformKind.WEB)


def submit_tip(store: Store, text: str, url: str | None = None, note: str = "", contact: str | None = None,
               screener: Any = None) -> dict[str, Any]:
    """Store a tip and queue it for review as a post from the ``tip`` platform (screened when a screener is
    given, so it is ranked with the rest of the queue)."""
    now = datetime.now(UTC)
    tip_id = f"tip-{uuid.uuid4().hex[:12]}"
    body = text.strip() or (url or "")
    post = Post(id=tip_id, platform=TIP_PLATFORM.id, text=body, url=url, captured_at=now, source="tip",
                content_hash=content_hash(body, url))
    store.add([TIP_PLATFORM])
    store.add([post])
    if screener is not None and body:
        store.put([screener.screen_text(body).to_verdict(tip_id)])
    store.insert_rows("wb_tips", [{"id": tip_id, "submitted_at": now, "url": url, "text": text, "note": note,
                                   "contact": contact, "post_id": tip_id, "status": "queued"}],
                      ["id", "submitted_at", "url", "text", "note", "contact", "post_id", "status"], ["id"])
    return {"id": tip_id, "post_id": tip_id, "status": "queued"}


def list_tips(store: Store, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    rows = store.query(f"SELECT * FROM wb_tips ORDER BY submitted_at DESC, id LIMIT {int(limit)} OFFSET {int(offset)}")
    return [{**r, "submitted_at": r["submitted_at"].isoformat()} for r in rows]
