"""Real-time checks for platforms that decide at the moment of posting, paying or shipping: one post, payment
or shipment in, a risk, a tier and the reasons out (code words, a linked flagged trader, an open alert)."""

from __future__ import annotations

import re
from typing import Any, Protocol

from wildtrace.store import Store

_CONTACT = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{4,}|\+?\d[\d\-]{6,}\d")


class TextScreener(Protocol):
    """What the check needs of the screening stage (``wildtrace.screen.Screener`` fits)."""

    def screen_text(self, text: str) -> Any: ...


def tier_of(score: float) -> str:
    return "high" if score >= 0.8 else "medium" if score >= 0.5 else "low" if score >= 0.2 else "none"


def _flagged_traders(store: Store, where: str, params: list[Any]) -> list[dict[str, Any]]:
    """Traders with flagged posts owning an identifier or account that matches ``where``."""
    return store.query(
        "SELECT DISTINCT t.trader_id, t.n_flagged, i.kind, i.value FROM account_identifiers i "
        "JOIN link_members m ON m.account_id = i.account_id JOIN link_traders t ON t.trader_id = m.trader_id "
        f"WHERE t.n_flagged > 0 AND ({where}) ORDER BY t.n_flagged DESC LIMIT 5", params)


def _alerts(store: Store, subjects: list[str]) -> list[dict[str, Any]]:
    if not subjects:
        return []
    marks = ", ".join("?" for _ in subjects)
    return store.query(f"SELECT id, subject, kind, score FROM alerts WHERE status <> 'closed' AND subject IN ({marks}) "
                       "ORDER BY score DESC LIMIT 5", subjects)


def _trader_reasons(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{r['kind']} {r['value']} belongs to trader {r['trader_id']} ({r['n_flagged']} flagged posts)"
            for r in rows]


def _result(score: float, reasons: list[str], **extra: Any) -> dict[str, Any]:
    score = round(min(max(score, 0.0), 1.0), 4)
    return {"risk": score, "tier": tier_of(score), "reasons": reasons, **extra}


def check_post(store: Store, screener: TextScreener, text: str, account_id: str | None = None) -> dict[str, Any]:
    """Screen one text; raise the risk when a contact in it or its account belongs to a flagged trader."""
    verdict = screener.screen_text(text)
    reasons = [f"code word {c}" for c in verdict.code_words]
    reasons += [f"species {s}" for s in verdict.species if not any(s in r for r in reasons)]
    score = float(verdict.score)
    contacts = list(dict.fromkeys(m.group(0).lower() for m in _CONTACT.finditer(text)))[:20]
    hits = []
    if contacts:
        marks = ", ".join("?" for _ in contacts)
        hits = _flagged_traders(store, f"lower(i.value) IN ({marks}) OR lower(i.raw) IN ({marks})", contacts * 2)
    if account_id:
        hits += _flagged_traders(store, "i.account_id = ?", [account_id])
    if hits:
        reasons += list(dict.fromkeys(_trader_reasons(hits)))
        score = max(score, 0.8)
    alerts = _alerts(store, [account_id] if account_id else [])
    reasons += [f"open alert {a['id']} ({a['kind']}) on {a['subject']}" for a in alerts]
    return _result(score, reasons, screening_tier=verdict.tier, spans=[
        {"start": s.start, "end": s.end, "text": s.text, "term": s.term, "category": s.category, "meaning": s.meaning}
        for s in verdict.spans])


def check_payment(store: Store, payer: str, payee: str) -> dict[str, Any]:
    """A payment is risky when either side belongs to a flagged trader or has an open alert."""
    hits = _flagged_traders(store, "i.value IN (?, ?) OR i.raw IN (?, ?)", [payer, payee, payer, payee])
    alerts = _alerts(store, [payer, payee])
    reasons = _trader_reasons(hits) + [f"open alert {a['id']} ({a['kind']}) on {a['subject']}" for a in alerts]
    score = max([0.85 if hits else 0.0] + [float(a["score"]) for a in alerts])
    return _result(score, reasons)


def check_shipment(store: Store, sender_phone: str | None, receiver_phone: str | None) -> dict[str, Any]:
    """A parcel is risky when a phone on it belongs to a flagged trader or has an open alert."""
    phones = [p for p in (sender_phone, receiver_phone) if p]
    if not phones:
        return _result(0.0, [])
    marks = ", ".join("?" for _ in phones)
    hits = _flagged_traders(store, f"i.kind = 'phone' AND (i.value IN ({marks}) OR i.raw IN ({marks}))", phones * 2)
    alerts = _alerts(store, phones)
    reasons = _trader_reasons(hits) + [f"open alert {a['id']} ({a['kind']}) on {a['subject']}" for a in alerts]
    score = max([0.85 if hits else 0.0] + [float(a["score"]) for a in alerts])
    return _result(score, reasons)
