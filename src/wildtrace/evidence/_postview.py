"""What watch compares: the post a page shows (its main text, price, contacts and the hashes of its
pictures), not the page's bytes, so rotating ads, view counters and render times are not edits; and
the sentence saying what an edit changed (price up, contact changed, picture swapped).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree

MAX_PICTURES = 20


def post_view(url: str, body: bytes, content_type: str, picture: Callable[[str], bytes | None]) -> dict[str, Any]:
    """The post shown by a page: ``text`` (main text, ads and page furniture left out), ``price`` and
    ``currency``, ``contacts`` (normalised identifiers) and ``pictures`` (SHA-256 of each picture in the
    main text, fetched with ``picture(url)``). Anything but HTML is its bytes' hash."""
    if "html" not in content_type:
        return {"sha256": hashlib.sha256(body).hexdigest()}
    from wildtrace.extract import extract_fields

    xml = trafilatura.extract(body, output_format="xml", include_images=True, favor_recall=True,
                              include_comments=False)
    if not xml:
        return {"sha256": hashlib.sha256(body).hexdigest()}
    main = etree.fromstring(xml.encode()).find("main")
    text = "\n".join(" ".join(t.split()) for t in (main.itertext() if main is not None else []) if t.strip())
    fields = extract_fields(text)
    sources = [g.get("src") for g in (main.iter("graphic") if main is not None else []) if g.get("src")]
    pictures = []
    for src in list(dict.fromkeys(sources))[:MAX_PICTURES]:
        data = picture(urljoin(url, str(src)))
        pictures.append(hashlib.sha256(data).hexdigest() if data is not None else f"unfetched:{src}")
    return {"text": text, "price": fields.get("price"), "currency": fields.get("currency"),
            "contacts": sorted({c["value"] for c in fields.get("contacts") or []}), "pictures": sorted(pictures)}


def view_signature(view: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(view, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def describe_change(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed between two views of a post, one phrase each."""
    if old is None or "text" not in old or "text" not in new:
        return ["content changed"]
    changes = []
    if old["price"] != new["price"]:
        if old["price"] is None or new["price"] is None:
            changes.append(f"price {'added' if old['price'] is None else 'removed'}: "
                           f"{new['price'] if old['price'] is None else old['price']:g}")
        else:
            way = "up" if new["price"] > old["price"] else "down"
            changes.append(f"price {way} from {old['price']:g} to {new['price']:g} {new['currency'] or ''}".rstrip())
    gone = sorted(set(old["contacts"]) - set(new["contacts"]))
    came = sorted(set(new["contacts"]) - set(old["contacts"]))
    if gone and came:
        changes.append(f"contact changed: {', '.join(gone)} -> {', '.join(came)}")
    elif gone or came:
        changes.append(f"contact {'removed' if gone else 'added'}: {', '.join(gone or came)}")
    before, after = set(old["pictures"]), set(new["pictures"])
    if before != after:
        more = len(after) - len(before)
        way = "added" if more > 0 else "removed"
        changes.append(f"{abs(more)} picture(s) {way}" if more else "picture swapped")
    if not changes and old["text"] != new["text"]:
        changes.append("text changed")
    return changes
