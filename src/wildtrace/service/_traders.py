"""Traders and accounts made readable. A trader: its profile from the link stage, its identifiers, its accounts
with the reason for each link, its posts over time, the money into and out of its payment accounts, and when it
posts. An account: its identifiers with where each was seen, its trader and its newest posts."""

from __future__ import annotations

import json
import re
from typing import Any

from wildtrace.link import load_profile
from wildtrace.model import Account, AccountIdentifier, Post
from wildtrace.service._identifiers import PAYMENT_KINDS, shown_identifier
from wildtrace.share import Redactor
from wildtrace.store import Store

_SHARED = re.compile(r"^shared (?P<kind>[a-z_]+) (?P<value>\S+)$")
_TOP = 10


def _reason(text: str) -> dict[str, Any]:
    """A link reason; ``shared <kind> <value>`` keeps the identifier apart so that it can be linked (and hidden)."""
    m = _SHARED.match(text)
    return {"kind": m["kind"], "value": m["value"]} if m else {"text": text}


def trader_view(store: Store, trader_id: str) -> dict[str, Any] | None:
    """The trader's profile with its identifiers, accounts' link reasons, timeline, money and posting hours."""
    profile = load_profile(store, trader_id)
    if profile is None:
        return None
    members = [r["account_id"] for r in store.query("SELECT account_id FROM link_members WHERE trader_id = ? "
                                                    "ORDER BY account_id", [trader_id])]
    marks = ", ".join("?" for _ in members) or "NULL"
    identifiers = store.query(
        "SELECT kind, value, count(DISTINCT account_id) AS n_accounts, count(*) AS n_seen FROM account_identifiers "
        f"WHERE account_id IN ({marks}) GROUP BY kind, value ORDER BY n_accounts DESC, n_seen DESC, kind, value "
        "LIMIT 200", members)
    links: dict[str, list[dict[str, Any]]] = {}
    for r in store.query(f"SELECT account_l, account_r, source, reasons, match_probability FROM link_edges WHERE "
                         f"accepted AND account_l IN ({marks}) ORDER BY account_l, account_r", members):
        reasons = json.loads(r["reasons"])
        reasons = reasons if isinstance(reasons, list) else [reasons]
        for this, other in ((r["account_l"], r["account_r"]), (r["account_r"], r["account_l"])):
            links.setdefault(this, []).append({
                "account_id": other, "source": r["source"], "match_probability": r["match_probability"],
                "reasons": [_reason(str(x)) for x in reasons]})
    accounts = [{**a, "links": links.get(a["account_id"], [])} for a in profile.get("accounts", [])]
    payments = [i["value"] for i in identifiers if i["kind"] in PAYMENT_KINDS]
    return {"profile": {k: v for k, v in profile.items() if k not in ("accounts", "identifiers")},
            "accounts": accounts, "identifiers": identifiers, "money": money(store, payments),
            "hours": hours_chart(profile.get("hour_histogram") or []),
            "timeline": timeline_chart(profile.get("timeline") or [])}


def money(store: Store, accounts: list[str]) -> dict[str, Any]:
    """Money into and out of ``accounts`` (payment identifiers) by currency, and the largest counterparties."""
    if not accounts:
        return {"in": [], "out": [], "counterparties": []}
    marks = ", ".join("?" for _ in accounts)
    flows = {}
    for side, mine, other in (("in", "payee", "payer"), ("out", "payer", "payee")):
        flows[side] = store.query(
            f"SELECT currency, count(*) AS n, sum(amount) AS amount FROM transactions WHERE {mine} IN ({marks}) "
            f"AND {other} NOT IN ({marks}) GROUP BY currency ORDER BY currency", accounts + accounts)
    counterparties = store.query(
        f"SELECT CASE WHEN payee IN ({marks}) THEN payer ELSE payee END AS account, "
        f"CASE WHEN payee IN ({marks}) THEN 'in' ELSE 'out' END AS direction, currency, count(*) AS n, "
        f"sum(amount) AS amount FROM transactions WHERE (payee IN ({marks})) <> (payer IN ({marks})) "
        f"GROUP BY 1, 2, 3 ORDER BY amount DESC, account LIMIT {_TOP}", accounts * 4)
    return {"in": flows["in"], "out": flows["out"], "counterparties": counterparties}


def hours_chart(histogram: list[int], width: int = 480, height: int = 120) -> dict[str, Any]:
    """Bars of posts by hour of day (local time of the posts), for an SVG chart."""
    top = max(histogram, default=0) or 1
    step = width / 24
    bars = [{"hour": h, "n": int(n), "x": round(h * step, 1), "w": round(step * 0.8, 1),
             "h": round(height * n / top, 1), "y": round(height - height * n / top, 1),
             "night": h < 6 or h >= 22} for h, n in enumerate(histogram[:24])]
    return {"width": width, "height": height, "bars": bars, "total": sum(histogram)}


def timeline_chart(weeks: list[dict[str, Any]], width: int = 720, height: int = 120) -> dict[str, Any]:
    """Bars of posts by week (the flagged part darker), for an SVG chart."""
    top = max((int(w.get("posts", 0)) for w in weeks), default=0) or 1
    step = width / max(len(weeks), 1)
    bars = []
    for i, w in enumerate(weeks):
        posts, flagged = int(w.get("posts", 0)), int(w.get("flagged", 0))
        bars.append({"week": str(w.get("week", "")), "posts": posts, "flagged": flagged, "x": round(i * step, 1),
                     "w": round(max(step * 0.8, 1), 1), "h": round(height * posts / top, 1),
                     "y": round(height - height * posts / top, 1), "fh": round(height * flagged / top, 1),
                     "fy": round(height - height * flagged / top, 1)})
    return {"width": width, "height": height, "bars": bars,
            "first": bars[0]["week"] if bars else "", "last": bars[-1]["week"] if bars else ""}


def present_trader_view(view: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """A trader view as ``redactor``'s audience may see it: identifiers (in link reasons too) as the audience is
    shown them (withheld ones dropped), everything else through the policy's rules."""
    def idents(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shown = [{**r, "value": shown_identifier(redactor, r["kind"], r["value"])} for r in rows]
        return [r for r in shown if r["value"] is not None]

    def reasons(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for r in items:
            if "text" in r:
                out.append({"text": redactor.scrub(r["text"]) if not redactor.open else r["text"]})
            else:
                value = shown_identifier(redactor, r["kind"], r["value"])
                out.append({"kind": r["kind"], "value": value} if value else {"text": f"shared {r['kind']}"})
        return out

    accounts = [{**redactor.document({k: v for k, v in a.items() if k != "links"}, "account"),
                 "links": [{**redactor.document({k: v for k, v in link.items() if k != "reasons"}, "link"),
                            "reasons": reasons(link["reasons"])} for link in a["links"]]}
                for a in view["accounts"]]
    cash = view["money"]
    return {"profile": redactor.document(view["profile"], "trader"), "accounts": accounts,
            "identifiers": idents(view["identifiers"]),
            "money": {"in": cash["in"], "out": cash["out"], "counterparties": [
                {**c, "account": shown_identifier(redactor, "payment_account", c["account"])}
                for c in cash["counterparties"]]},
            "hours": view["hours"], "timeline": view["timeline"]}


def account_view(store: Store, account_id: str, limit: int = 50) -> dict[str, Any] | None:
    """An account with its identifiers (each with where it was seen), its trader and its newest posts."""
    found = store.get(Account, account_id)
    if found is None:
        return None
    idents = store.find(AccountIdentifier, "account_id = ?", [found.id], order_by="kind, value, seen_in, seen_id")
    posts = store.find(Post, "account_id = ?", [found.id], order_by="posted_at DESC NULLS LAST, id", limit=limit)
    member = store.query("SELECT trader_id, is_backup FROM link_members WHERE account_id = ?", [found.id])
    return {"account": found.model_dump(mode="json"), "identifiers": [i.model_dump(mode="json") for i in idents],
            "trader_id": member[0]["trader_id"] if member else None,
            "is_backup": bool(member and member[0]["is_backup"]),
            "posts": [{"id": p.id, "posted_at": p.posted_at.isoformat() if p.posted_at else None, "text": p.text[:280]}
                      for p in posts]}
