"""Search hits highlighted: the part of a text around the first term found, cut into plain and matched pieces.

It works on the text as the reader is shown it (after the role's redactor), so a highlight never marks, nor
places, a value the role may not see. Matching is as the store's (case folded, a term anywhere, any script).
"""

from __future__ import annotations

import re
from typing import Any

WIDTH = 240  # characters of a snippet


def snippet(text: str, terms: list[str], width: int = WIDTH) -> list[dict[str, Any]]:
    """Pieces ``{"text", "hit"}`` of the ``width`` characters of ``text`` around the first term it holds (its
    start when it holds none), each occurrence of a term a piece with ``hit`` true; "…" where the text is cut."""
    found = [t for t in terms if t]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(found, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text) if found else None
    start = 0 if first is None else max(0, min(first.start() - width // 4, len(text) - width))
    part = text[start:start + width]
    pieces: list[dict[str, Any]] = [{"text": "…", "hit": False}] if start else []
    at = 0
    for match in pattern.finditer(part) if found else ():
        if match.start() > at:
            pieces.append({"text": part[at:match.start()], "hit": False})
        pieces.append({"text": match.group(), "hit": True})
        at = match.end()
    if at < len(part):
        pieces.append({"text": part[at:], "hit": False})
    if start + width < len(text):
        pieces.append({"text": "…", "hit": False})
    return pieces
