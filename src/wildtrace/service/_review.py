"""The review queue and the post explanation: spans highlighted in the original text, decisions as labels."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from wildtrace.model import Account, Decision, DecisionKind, MediaItem, Post, Verdict
from wildtrace.service._labels import Correction, corrections, save_correction
from wildtrace.store import Store

Tier = Literal["high", "medium", "low", "none"]
QueueStatus = Literal["pending", "decided", "all"]
_TIER_RANK = "CASE v.tier WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 WHEN 'none' THEN 3 ELSE 1 END"


QueueOrder = Literal["score", "uncertain", "random"]


def queue(store: Store, tiers: list[str] | None = None, platform: str | None = None, species: str | None = None,
          status: str = "pending", limit: int = 50, offset: int = 0, order: str = "score", around: float = 0.5,
          seed: str = "") -> dict[str, Any]:
    """Screened posts (and public tips), decided ones excluded unless asked.

    ``order`` ``score``: by tier then score (tiers high and medium by default), for review. For labelling, the
    other orders sample every tier by default: ``uncertain`` nearest the cut-off ``around`` first (what the
    model is least sure of teaches it most), ``random`` in a fixed pseudo-random order per ``seed`` (an
    unbiased sample, so metrics measured on the labels hold for the whole stream)."""
    if order not in ("score", "uncertain", "random"):
        raise ValueError(f"unknown queue order {order!r} (score, uncertain or random)")
    tiers = tiers or (["high", "medium"] if order == "score" else ["high", "medium", "low", "none"])
    clauses = [f"(v.tier IN ({', '.join('?' for _ in tiers)}) OR (v.post_id IS NULL AND p.source = 'tip'))"]
    params: list[Any] = list(tiers)
    decided = "EXISTS (SELECT 1 FROM decisions d WHERE d.post_id = p.id)"
    if status == "pending":
        clauses.append(f"NOT {decided}")
    elif status == "decided":
        clauses.append(decided)
    if platform:
        clauses.append("p.platform = ?")
        params.append(platform)
    if species:
        clauses.append("v.species LIKE ?")
        params.append(f'%"{species}"%')
    where = " AND ".join(clauses)
    base = f"FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id WHERE {where}"
    orderings: dict[str, tuple[str, list[Any]]] = {
        "score": (f"{_TIER_RANK}, COALESCE(v.score, 0.5) DESC, p.id", []),
        "uncertain": ("abs(COALESCE(v.score, 0.5) - ?), p.id", [float(around)]),
        "random": ("md5(p.id || ?), p.id", [str(seed)]),
    }
    ranking, ranking_params = orderings[order]
    rows = store.query(  # the page and the count of all in one pass (the window counts before LIMIT)
        f"SELECT p.id, p.platform, p.account_id, p.posted_at, p.text, p.source, v.score, v.tier, v.species, "
        f"v.code_words, count(*) OVER () AS total {base} ORDER BY {ranking} LIMIT {int(limit)} OFFSET {int(offset)}",
        params + ranking_params)
    total = int(rows[0]["total"]) if rows else \
        0 if offset == 0 else int(store.query(f"SELECT count(*) AS n {base}", params)[0]["n"])
    items = [{
        "post_id": r["id"], "platform": r["platform"], "account_id": r["account_id"],
        "posted_at": r["posted_at"].isoformat() if r["posted_at"] else None,
        "excerpt": r["text"][:280], "score": r["score"], "tier": r["tier"] or "tip",
        "species": json.loads(r["species"]) if r["species"] else [],
        "code_words": json.loads(r["code_words"]) if r["code_words"] else [], "source": r["source"],
    } for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def segments(text: str, spans: list[Any]) -> list[dict[str, Any]]:
    """``text`` cut into plain and matched pieces, in order; overlapping spans merge into the first."""
    pieces: list[dict[str, Any]] = []
    cursor = 0
    for span in sorted((s for s in spans if getattr(s, "source", "text") == "text"), key=lambda s: (s.start, -s.end)):
        start, end = max(span.start, cursor), min(span.end, len(text))
        if end <= start:
            continue
        if start > cursor:
            pieces.append({"text": text[cursor:start], "match": None})
        pieces.append({"text": text[start:end], "match": {"term": span.term, "category": span.category,
                                                          "meaning": span.meaning}})
        cursor = end
    if cursor < len(text):
        pieces.append({"text": text[cursor:], "match": None})
    return pieces


def post_detail(store: Store, post_id: str) -> dict[str, Any] | None:
    """Everything a reviewer needs about one post: text with highlights, OCR, images, verdict, decisions."""
    post = store.get(Post, post_id)
    if post is None:
        return None
    verdict = store.get(Verdict, post_id)
    account = store.get(Account, post.account_id) if post.account_id else None
    stored = store.get_many(MediaItem, post.media)
    media = [stored[sha] for sha in post.media if sha in stored]
    spans = verdict.spans if verdict else []
    decisions = store.find(Decision, "post_id = ?", [post_id], order_by="decided_at DESC")
    fixed = corrections(store, [d.id for d in decisions])
    return {
        "post": post.model_dump(mode="json"),
        "segments": segments(post.text, spans),
        "account": account.model_dump(mode="json") if account else None,
        "media": [{"sha256": m.sha256, "mime": m.mime, "ocr_text": m.ocr_text,
                   "ocr_spans": [s.model_dump(mode="json") for s in spans if getattr(s, "media", None) == m.sha256]}
                  for m in media],
        "verdict": verdict.model_dump(mode="json") if verdict else None,
        "decisions": [{**d.model_dump(mode="json"), "correction": fixed.get(d.id)} for d in decisions],
    }


def decide(store: Store, post_id: str, decision: DecisionKind | str, user: str, note: str = "",
           correction: Correction | None = None) -> Decision:
    """Record an analyst's decision on a post (it becomes a training label), with the reviewer's correction of
    the species and products it names when that differs from the verdict's."""
    if store.get(Post, post_id) is None:
        raise LookupError(f"no post {post_id!r}")
    row = Decision(id=uuid.uuid4().hex, post_id=post_id, decision=DecisionKind(decision), decided_by=user,
                   note=note.replace("\x00", ""), decided_at=datetime.now(UTC))
    store.add([row])
    verdict = store.get(Verdict, post_id)
    named = (set(verdict.species), set(verdict.products)) if verdict else (set(), set())
    if correction is not None and (set(correction.species), set(correction.products)) != named:
        save_correction(store, row, correction)
    return row


def overview(store: Store, days: int = 60) -> dict[str, Any]:
    """Volumes by day, platform, species and tier, and the newest high-tier posts."""
    by_day = store.query(
        "SELECT CAST(p.posted_at AS DATE) AS day, p.platform, COALESCE(v.tier, 'unscreened') AS tier, count(*) AS n "
        "FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id WHERE p.posted_at IS NOT NULL "
        f"GROUP BY 1, 2, 3 ORDER BY 1 DESC, 2, 3 LIMIT {int(days) * 50}")
    by_tier = store.query("SELECT tier, count(*) AS n FROM verdicts GROUP BY tier ORDER BY tier")
    by_platform = store.query("SELECT platform, count(*) AS n FROM posts GROUP BY platform ORDER BY n DESC, platform")
    species: dict[str, int] = {}
    for r in store.query("SELECT species FROM verdicts WHERE tier IN ('high', 'medium')"):
        for sp in json.loads(r["species"]):
            species[sp] = species.get(sp, 0) + 1
    newest = store.query(
        "SELECT p.id, p.platform, p.posted_at, v.score, substr(p.text, 1, 140) AS excerpt FROM posts p "
        "JOIN verdicts v ON v.post_id = p.id WHERE v.tier = 'high' ORDER BY p.posted_at DESC NULLS LAST, p.id LIMIT 10")
    return {
        "by_day": [{**r, "day": str(r["day"])} for r in by_day],
        "by_tier": by_tier, "by_platform": by_platform,
        "by_species": [{"species": k, "n": v} for k, v in sorted(species.items(), key=lambda t: -t[1])],
        "newest_high": [{"post_id": r["id"], "platform": r["platform"], "score": r["score"], "excerpt": r["excerpt"],
                         "posted_at": r["posted_at"].isoformat() if r["posted_at"] else None} for r in newest],
        "decisions": store.query("SELECT decision, count(*) AS n FROM decisions GROUP BY decision ORDER BY decision"),
    }
