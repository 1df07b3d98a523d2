"""Captures sent while browsing (the browser extension): the page's DOM, its screenshot and the selected
text, preserved in the evidence store like any capture and queued for review as a post."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Any

from wildtrace.evidence import Evidence, preserve_page
from wildtrace.model import Platform, PlatformKind, Post, content_hash

BROWSING = Platform(id="browsing", name="Captured while browsing", kind=PlatformKind.WEB)
_PNG_DATA_URL = "data:image/png;base64,"


def screenshot_bytes(data_url: str) -> bytes:
    """The PNG in a ``data:image/png;base64,...`` URL (``ValueError`` naming what is wrong)."""
    if not data_url.startswith(_PNG_DATA_URL):
        raise ValueError("field 'screenshot': expected a data:image/png;base64 URL")
    try:
        return base64.b64decode(data_url[len(_PNG_DATA_URL):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("field 'screenshot': not base64") from None


def capture_from_browser(evidence: Evidence, url: str, html: str, screenshot: bytes, selection: str, title: str,
                         user: str, screener: Any = None) -> dict[str, Any]:
    """Preserve what the extension sent and queue it as a post (its text: the selection, else the page's
    main text), screened when a screener is given so it is ranked with the rest of the queue."""
    store = evidence.store
    now = datetime.now(UTC)
    import trafilatura  # imported here: it is slow to import, and only captures need it

    text = selection.strip() or (trafilatura.extract(html, favor_recall=True) or title or url)
    post_id = f"browse-{uuid.uuid4().hex[:12]}"
    capture = preserve_page(evidence, url, screenshot, html.encode("utf-8"), f"browser extension ({user})",
                            post_id=post_id, captured_at=now, selection=selection)
    store.add([BROWSING])
    store.add([Post(id=post_id, platform=BROWSING.id, text=text, url=url, captured_at=now, source="extension",
                    content_hash=content_hash(text, url))])
    if screener is not None and text:
        store.put([screener.screen_text(text).to_verdict(post_id)])
    return {"post_id": post_id, "capture": capture.sha256, "log_seq": capture.log_seq}
