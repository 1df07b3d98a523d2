"""Review decisions as teaching: a reviewer's correction of the species and products a post names (checked
against the lexicon; stored next to the decision, so training reads both), undoing one's own decision, and
statistics per reviewer (how many, which way, notes, corrections, undos, agreement with the model)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from wildtrace.model import Decision
from wildtrace.store import Store


@dataclass(frozen=True)
class Correction:
    """What a reviewer says the post really names: lexicon species and product ids (empty: none)."""

    species: tuple[str, ...] = ()
    products: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def _choices(layer: str, mtime: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from wildtrace.lexicon import load_lexicon

    lexicon = load_lexicon(layer or None)
    return (tuple(sorted(t.id for t in lexicon.of_kind("species"))),
            tuple(sorted(t.id for t in lexicon.of_kind("product"))))


def lexicon_choices(layer: str | Path | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(species ids, product ids) of the lexicon with the analysts' layer at ``layer``."""
    path = Path(layer) if layer else None
    return _choices(str(path or ""), path.stat().st_mtime if path and path.is_file() else 0.0)


def parse_correction(species: list[str] | str | None, products: list[str] | str | None,
                     layer: str | Path | None = None) -> Correction | None:
    """A correction from lists (or comma-separated text) of lexicon ids; None when both are absent.
    ``ValueError`` names an id the lexicon does not have."""
    def ids(value: list[str] | str | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        items = value.split(",") if isinstance(value, str) else value
        return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))

    given_species, given_products = ids(species), ids(products)
    if given_species is None and given_products is None:
        return None
    known_species, known_products = lexicon_choices(layer)
    for field_name, given, known in (("species", given_species, known_species),
                                     ("products", given_products, known_products)):
        unknown = [i for i in given or () if i not in known]
        if unknown:
            raise ValueError(f"correction.{field_name}: {unknown[0][:60]!r} is not a {field_name} id of the lexicon")
    return Correction(given_species or (), given_products or ())


def save_correction(store: Store, decision: Decision, correction: Correction) -> None:
    store.insert_rows("wb_review_corrections", [{
        "decision_id": decision.id, "post_id": decision.post_id, "species": json.dumps(list(correction.species)),
        "products": json.dumps(list(correction.products)), "corrected_by": decision.decided_by,
        "corrected_at": decision.decided_at}],
        ["decision_id", "post_id", "species", "products", "corrected_by", "corrected_at"], ["decision_id"])


def corrections(store: Store, decision_ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """The corrections of these decisions, by decision id."""
    if not decision_ids:
        return {}
    rows = store.query("SELECT decision_id, species, products FROM wb_review_corrections WHERE decision_id IN "
                       f"({', '.join('?' for _ in decision_ids)})", list(decision_ids))
    return {r["decision_id"]: {"species": json.loads(r["species"]), "products": json.loads(r["products"])}
            for r in rows}


def last_decision(store: Store, user: str) -> Decision | None:
    """``user``'s newest decision (what the review page offers to undo)."""
    rows = store.find(Decision, "decided_by = ?", [user], order_by="decided_at DESC, id DESC", limit=1)
    return rows[0] if rows else None


def undo_decision(store: Store, decision_id: str, user: str, any_user: bool = False) -> Decision:
    """Withdraw a decision (and its correction): the post is pending again and the label is gone. Only the
    reviewer who made it may undo it, unless ``any_user``; the caller audits what was withdrawn."""
    decision = store.get(Decision, decision_id)
    if decision is None:
        raise LookupError(f"no decision {decision_id!r}")
    if decision.decided_by != user and not any_user:
        raise PermissionError(f"decision {decision_id!r} was made by another reviewer; only they may undo it")
    store.execute("DELETE FROM wb_review_corrections WHERE decision_id = ?", [decision_id])
    store.execute("DELETE FROM decisions WHERE id = ?", [decision_id])
    return decision


def reviewer_stats(store: Store, since: datetime | None = None) -> dict[str, Any]:
    """Per reviewer since ``since``: decisions by kind, with a note, corrected, undone, and agreement with the
    model (a confirm or escalate on a high or medium post, a dismiss on a low or none one)."""
    since = since or datetime(1970, 1, 1, tzinfo=UTC)
    rows = store.query(
        "SELECT d.decided_by AS reviewer, count(*) AS decisions, "
        "sum(CASE WHEN d.decision = 'confirm' THEN 1 ELSE 0 END) AS confirm, "
        "sum(CASE WHEN d.decision = 'dismiss' THEN 1 ELSE 0 END) AS dismiss, "
        "sum(CASE WHEN d.decision = 'escalate' THEN 1 ELSE 0 END) AS escalate, "
        "sum(CASE WHEN d.note <> '' THEN 1 ELSE 0 END) AS with_note, "
        "sum(CASE WHEN c.decision_id IS NOT NULL THEN 1 ELSE 0 END) AS corrected, "
        "sum(CASE WHEN v.tier IS NULL THEN 0 ELSE 1 END) AS screened, "
        "sum(CASE WHEN v.tier IS NOT NULL AND (d.decision = 'dismiss') = (v.tier IN ('low', 'none')) "
        "THEN 1 ELSE 0 END) AS agree, min(d.decided_at) AS first, max(d.decided_at) AS last "
        "FROM decisions d LEFT JOIN verdicts v ON v.post_id = d.post_id "
        "LEFT JOIN wb_review_corrections c ON c.decision_id = d.id WHERE d.decided_at >= ? "
        "GROUP BY d.decided_by ORDER BY decisions DESC, reviewer", [since])
    undone = {r["actor"]: int(r["n"]) for r in store.query(
        "SELECT actor, count(*) AS n FROM audit_events WHERE action = 'decision_undone' AND occurred_at >= ? "
        "GROUP BY actor", [since])}
    counts = ("decisions", "confirm", "dismiss", "escalate", "with_note", "corrected", "screened", "agree")
    reviewers = []
    for r in rows:
        screened = int(r["screened"])
        reviewers.append({**{k: int(r[k]) for k in counts},
                          "reviewer": r["reviewer"], "undone": undone.pop(r["reviewer"], 0),
                          "agreement": round(int(r["agree"]) / screened, 3) if screened else None,
                          "first": r["first"].isoformat() if r["first"] else None,
                          "last": r["last"].isoformat() if r["last"] else None})
    # a reviewer who only undid decisions in the period: the same row, every count zero
    reviewers += [{**dict.fromkeys(counts, 0), "reviewer": name, "undone": n, "agreement": None,
                   "first": None, "last": None} for name, n in sorted(undone.items())]
    return {"since": since.isoformat(), "reviewers": reviewers,
            "total": sum(r["decisions"] for r in reviewers)}
