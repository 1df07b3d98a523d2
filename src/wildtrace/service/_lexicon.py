"""Lexicon review: code words suggested from the screened posts (``wildtrace.lexicon.suggest``), accepted into
the analysts' lexicon layer or rejected; either way they leave the list."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wildtrace.lexicon import LexiconError, add_term, load_lexicon, suggest
from wildtrace.store import Store

SAMPLE = 3000
_CJK = re.compile(r"[\u4e00-\u9fff]")


def suggestions(store: Store, layer: Path, limit: int = 30) -> list[dict[str, Any]]:
    """Suggested code words from the newest screened posts, minus those already reviewed."""
    rows = store.query("SELECT p.text, v.score FROM posts p JOIN verdicts v ON v.post_id = p.id "
                       f"ORDER BY p.posted_at DESC NULLS LAST, p.id LIMIT {SAMPLE}")
    if not rows:
        return []
    reviewed = {r["term"] for r in store.query("SELECT term FROM wb_lexicon_reviews")}
    found = suggest([r["text"] or "" for r in rows], [float(r["score"]) for r in rows], load_lexicon(layer),
                    limit=limit + len(reviewed), embeddings=False)
    return [asdict(s) for s in found if s.term not in reviewed][:limit]


def review_term(store: Store, layer: Path, term: str, decision: str, user: str, meaning: str = "") -> dict[str, Any]:
    """Accept (into the lexicon's user layer, as a code word) or reject a suggested term."""
    term = term.strip()
    if decision not in ("accept", "reject"):
        raise ValueError("decision must be accept or reject")
    if not term:
        raise ValueError("term is empty")
    if decision == "accept":
        language = "zh-Hans" if _CJK.search(term) else "en"
        try:
            add_term(layer, "code_word", {language: [term]}, meaning=meaning or None, by=user,
                     source="suggested from screened posts, accepted in the workbench")
        except LexiconError as exc:
            raise ValueError(str(exc)) from None
    now = datetime.now(UTC)
    row = {"term": term, "decision": decision, "meaning": meaning or None, "decided_by": user, "decided_at": now}
    store.upsert_rows("wb_lexicon_reviews", [row], list(row), ["term"])
    return {**row, "decided_at": now.isoformat()}
