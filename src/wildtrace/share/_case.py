"""A closed case as a redacted case study: timeline, modus operandi, code words, typologies, how it was detected.

This is the form in which agencies share lessons without compromising cases: for an audience that may not see
record ids, accounts become pseudonyms, text is scrubbed and dates become days since the case's first event.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np

from wildtrace.model import Account, Alert, Case, Decision, Entity, Post, Transaction, Verdict
from wildtrace.share._redact import Redactor
from wildtrace.store import Store

NIGHT = {21, 22, 23, 0, 1, 2, 3, 4, 5}


def _items(case: Case) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ref in case.items:
        kind, _, key = ref.partition(":")
        out.setdefault(kind, []).append(key)
    return out


def _load(store: Store, model: type[Entity], keys: list[str]) -> list[Any]:
    found = store.get_many(model, keys)
    return [found[k] for k in keys if k in found]


def case_study(store: Store, case_id: str, redactor: Redactor, force: bool = False) -> dict[str, Any]:
    """The case study of ``case_id`` for ``redactor``'s audience (the case must be closed unless ``force``)."""
    case = store.get(Case, case_id)
    if case is None:
        raise ValueError(f"case {case_id!r} not found")
    if case.status != "closed" and not force:
        raise ValueError(f"case {case_id!r} is {case.status}: only closed cases become case studies (or force)")
    return study_of_case(store, case, redactor)


def study_of_case(store: Store, case: Case, redactor: Redactor) -> dict[str, Any]:
    """The case study of ``case``, stored or not (a report makes one of a seller a seizure leads to)."""
    items = _items(case)
    posts = _load(store, Post, items.get("post", []))
    account_ids = set(items.get("account", [])) | {p.account_id for p in posts if p.account_id}
    accounts = _load(store, Account, sorted(account_ids))
    txs = _load(store, Transaction, items.get("transaction", []))
    verdicts = {v.post_id: v for v in _load(store, Verdict, [p.id for p in posts])}
    alerts = _load(store, Alert, items.get("alert", [])) + [
        a for a in store.find(Alert) if a.subject in account_ids and a.id not in items.get("alert", [])]
    decisions = [d for d in store.find(Decision) if d.post_id in {p.id for p in posts}]
    events: list[tuple[datetime, str]] = []
    name = {a.id: redactor.field("account", "id", a.id) or "an account" for a in accounts}
    for p in posts:
        v = verdicts.get(p.id)
        if p.posted_at:
            events.append((p.posted_at, f"{name.get(p.account_id or '', 'an account')} posted on {p.platform}"
                                        + (f" (screened {v.tier})" if v else "")))
        if p.deleted_at:
            events.append((p.deleted_at, f"post of {name.get(p.account_id or '', 'an account')} deleted"))
    events += [(a.status_changed_at, f"{name[a.id]} {a.status}") for a in accounts if a.status_changed_at]
    if redactor.receives("transaction"):  # a dated payment with its amount is a payment record
        events += [(t.time, f"payment of {t.amount:.0f} {t.currency} by {t.channel or 'transfer'}")
                   for t in txs if t.time]
    events += [(a.created_at, f"alert: {a.kind}") for a in alerts if a.created_at]
    events += [(d.decided_at, f"analyst decision: {d.decision}") for d in decisions]
    events.sort(key=lambda e: e[0])
    first = events[0][0] if events else None
    dated = redactor.policy.audience(redactor.audience).actions["record_ref"] == "keep"
    timeline = [{"when": t.date().isoformat() if dated or first is None else f"day {(t - first).days}", "event": e}
                for t, e in events]
    hours = [p.posted_at.hour for p in posts if p.posted_at]
    lifetimes = [(p.deleted_at - p.posted_at).total_seconds() / 3600 for p in posts if p.deleted_at and p.posted_at]
    prices = [float(v.extracted["price_per_gram_cny"]) for v in verdicts.values()
              if isinstance(v.extracted.get("price_per_gram_cny"), int | float)]
    extracted = [v.extracted for v in verdicts.values()]
    strongest = max(verdicts.values(), key=lambda v: v.score) if verdicts else None
    return {
        "case": redactor.field("alert", "id", case.id), "title": redactor.scrub(case.title),
        "audience": redactor.audience,
        "summary": {"posts": len(posts), "accounts": len(accounts), "payments": len(txs), "alerts": len(alerts),
                    "platforms": sorted({p.platform for p in posts})},
        "timeline": timeline,
        "modus_operandi": {
            "night_share": round(float(np.mean([h in NIGHT for h in hours])), 2) if hours else None,
            "median_hours_to_deletion": round(float(np.median(lifetimes)), 1) if lifetimes else None,
            "price_per_gram_cny": [round(min(prices), 1), round(max(prices), 1)] if prices else None,
            "product_types": dict(Counter(e.get("product_type") for e in extracted if e.get("product_type"))),
            "payment_methods": sorted({m for e in extracted for m in e.get("payment_methods", [])}
                                      | {t.channel for t in txs if t.channel}),
            "delivery_methods": sorted({m for e in extracted for m in e.get("delivery_methods", [])}),
            "accounts_blocked": sum(a.status != "active" for a in accounts),
        },
        "code_words": sorted({w for v in verdicts.values() for w in v.code_words}),
        "typologies": sorted({a.kind for a in alerts}),
        "reasons": sorted({redactor.scrub(r) for a in alerts for r in a.reasons}),
        "detected_by": None if strongest is None else {
            "tier": strongest.tier, "score": round(strongest.score, 2),
            "signals": [s.term for s in strongest.spans][:10], "features": [f for f, _ in strongest.features][:10],
            "alerts": sorted({a.kind for a in alerts})},
        "notes": redactor.scrub(case.notes),
    }


def _escaped(value: Any) -> Any:
    """Every string in ``value`` with HTML escaped (Markdown viewers render inline HTML)."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def case_markdown(study: dict[str, Any]) -> str:
    """The case study as Markdown."""
    study = _escaped(study)
    mo = study["modus_operandi"]
    lines = [f"# Case study: {study['title']}", "", f"Audience: {study['audience']}.", "",
             "## Summary", "", *(f"- {k}: {v}" for k, v in study["summary"].items()), "",
             "## Timeline", "", *(f"- {e['when']}: {e['event']}" for e in study["timeline"]), "",
             "## Modus operandi", "",
             *(f"- {k.replace('_', ' ')}: {v}" for k, v in mo.items() if v not in (None, [], {})), "",
             "## Code words", "", ", ".join(study["code_words"]) or "none", "",
             "## Typologies", "", *(f"- {t}" for t in study["typologies"]),
             *(f"- reason: {r}" for r in study["reasons"]), "", "## How it was detected", ""]
    d = study["detected_by"]
    lines.append(f"screening tier {d['tier']} (score {d['score']}); signals: {', '.join(d['signals']) or 'none'}; "
                 f"alerts: {', '.join(d['alerts']) or 'none'}" if d else "not recorded")
    return "\n".join(lines) + "\n"
