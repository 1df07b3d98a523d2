"""Real-time checks for platforms that decide at the moment of posting, paying or shipping: one post, payment
or shipment in, a risk, a tier and the reasons out (code words, a linked flagged trader, an open alert)."""

from __future__ import annotations

import re
from typing import Any, Protocol

from wildtrace.link import match_key
from wildtrace.store import Store

_CONTACT = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{4,}|\+?\d[\d\-]{6,}\d")


class TextScreener(Protocol):
    """What the check needs of the screening stage (``wildtrace.screen.Screener`` fits)."""

    def screen_text(self, text: str) -> Any: ...


def tier_of(score: float) -> str:
    return "high" if score >= 0.8 else "medium" if score >= 0.5 else "low" if score >= 0.2 else "none"


def _lookup(store: Store, matches: list[tuple[str, list[Any]]], subjects: list[str]
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The identifiers that one of ``matches`` (condition on ``account_identifiers``, parameters) finds, and the
    five highest open alerts on one of ``subjects``: one query. Each part of it has one condition on one column,
    so that DuckDB can read it from that column's index (it scans an index only for a lone condition: a second
    one, such as the kind of an identifier or the status of an alert, is checked here instead)."""
    parts = [("SELECT 'identifier' AS found, account_id AS ref, kind, value, CAST(NULL AS DOUBLE PRECISION) AS score, "
              f"CAST(NULL AS TEXT) AS status FROM account_identifiers WHERE {where}", params)
             for where, params in matches]
    if subjects:
        parts.append((f"SELECT 'alert', id, kind, subject, score, status FROM alerts "
                      f"WHERE subject IN ({', '.join('?' for _ in subjects)})", subjects))
    if not parts:
        return [], []
    rows = store.query(" UNION ALL ".join(sql for sql, _ in parts), [p for _, params in parts for p in params])
    found = [r for r in rows if r["found"] == "identifier"]
    alerts = sorted((r for r in rows if r["found"] == "alert" and r["status"] != "closed"),
                    key=lambda r: (-float(r["score"]), r["ref"]))[:5]
    return found, [{"id": a["ref"], "subject": a["value"], "kind": a["kind"], "score": a["score"]} for a in alerts]


def _flagged_traders(store: Store, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The five traders with the most flagged posts owning one of the identifiers ``found`` (most checks find
    none and cost nothing here)."""
    accounts = sorted({r["ref"] for r in found})
    if not accounts:
        return []
    marks = ", ".join("?" for _ in accounts)
    traders = {r["account_id"]: r for r in store.query(
        "SELECT m.account_id, t.trader_id, t.n_flagged FROM link_members m JOIN link_traders t "
        f"ON t.trader_id = m.trader_id WHERE t.n_flagged > 0 AND m.account_id IN ({marks})", accounts)}
    hits = {(traders[r["ref"]]["trader_id"], traders[r["ref"]]["n_flagged"], r["kind"], r["value"])
            for r in found if r["ref"] in traders}
    return [{"trader_id": t, "n_flagged": n, "kind": k, "value": v}
            for t, n, k, v in sorted(hits, key=lambda h: (-h[1], h[0], h[2], h[3]))[:5]]


def _reasons(traders: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> list[str]:
    return [f"{r['kind']} {r['value']} belongs to trader {r['trader_id']} ({r['n_flagged']} flagged posts)"
            for r in traders] + [f"open alert {a['id']} ({a['kind']}) on {a['subject']}" for a in alerts]


def _result(score: float, reasons: list[str], **extra: Any) -> dict[str, Any]:
    score = round(min(max(score, 0.0), 1.0), 4)
    return {"risk": score, "tier": tier_of(score), "reasons": reasons, **extra}


def contact_matches(text: str) -> list[tuple[str, list[Any]]]:
    """Conditions on ``account_identifiers`` for the contacts ``text`` writes (at most 20, case folded), each an
    equality on ``lower(value)`` or ``lower(raw)``: one per contact and column, as DuckDB reads an expression
    index for an equality but not for an IN list (migration ``0530_identifier_lower``)."""
    contacts = list(dict.fromkeys(m.group(0).lower() for m in _CONTACT.finditer(text)))[:20]
    return [(f"lower({column}) = ?", [c]) for c in contacts for column in ("value", "raw")]


def check_post(store: Store, screener: TextScreener, text: str, account_id: str | None = None) -> dict[str, Any]:
    """Screen one text; raise the risk when a contact in it or its account belongs to a flagged trader."""
    verdict = screener.screen_text(text)
    reasons = [f"code word {c}" for c in verdict.code_words]
    reasons += [f"species {s}" for s in verdict.species if not any(s in r for r in reasons)]
    score = float(verdict.score)
    matches = contact_matches(text)
    if account_id:
        matches.append(("account_id = ?", [account_id]))
    found, alerts = _lookup(store, matches, [account_id] if account_id else [])
    hits = _flagged_traders(store, found)
    reasons += _reasons(hits, alerts)
    if hits:
        score = max(score, 0.8)
    return _result(score, reasons, screening_tier=verdict.tier, spans=[
        {"start": s.start, "end": s.end, "text": s.text, "term": s.term, "category": s.category, "meaning": s.meaning}
        for s in verdict.spans])


def check_payment(store: Store, payer: str, payee: str) -> dict[str, Any]:
    """A payment is risky when either side belongs to a flagged trader or has an open alert."""
    found, alerts = _lookup(store, [("value IN (?, ?)", [payer, payee]), ("raw IN (?, ?)", [payer, payee])],
                            [payer, payee])
    hits = _flagged_traders(store, found)
    reasons = _reasons(hits, alerts)
    score = max([0.85 if hits else 0.0] + [float(a["score"]) for a in alerts])
    return _result(score, reasons)


def _phone_subject(phone: str) -> str:
    """The subject of a phone's alerts in the money stage: ``phone:`` and its digits, a mainland China country
    code dropped (linking's match key, the key the money stage joins phones on in ``money._frame._phone_sql``)."""
    return f"phone:{match_key('phone', phone)}"


def check_shipment(store: Store, sender_phone: str | None, receiver_phone: str | None) -> dict[str, Any]:
    """A parcel is risky when a phone on it belongs to a flagged trader or has an open alert."""
    phones = [p for p in (sender_phone, receiver_phone) if p]
    if not phones:
        return _result(0.0, [])
    marks = ", ".join("?" for _ in phones)
    subjects = list(dict.fromkeys([*phones, *(_phone_subject(p) for p in phones)]))
    found, alerts = _lookup(store, [(f"value IN ({marks})", phones), (f"raw IN ({marks})", phones)], subjects)
    hits = _flagged_traders(store, [r for r in found if r["kind"] == "phone"])
    reasons = _reasons(hits, alerts)
    score = max([0.85 if hits else 0.0] + [float(a["score"]) for a in alerts])
    return _result(score, reasons)
