"""The network around a trader, as a graph that expands node by node: traders, accounts, identifiers,
payment accounts, parcels and seizures, each edge with its reason (from the link stage's tables and the raw
transactions, shipments and seizures).

Node ids: ``trader:T``, ``account:A``, ``ident:<kind>:<value>``, ``parcel:<waybill>``, ``seizure:<id>``.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import datetime
from itertools import pairwise
from typing import Any

from wildtrace.share import Redactor
from wildtrace.store import Store

MAX_NODES = 300
MAX_PATH_NODES = 3000
_PAYMENT_KINDS = ("payment_account", "bank_card")


class Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str, str], dict[str, Any]] = {}

    def node(self, node_id: str, kind: str, label: str, **extra: Any) -> None:
        self.nodes.setdefault(node_id, {"id": node_id, "kind": kind, "label": label, **extra})

    def edge(self, a: str, b: str, kind: str, reason: str, **extra: Any) -> None:
        """An edge with its reason; ``extra`` (payments and parcels: ``first``/``last`` times, ``total`` and
        ``currency``) is kept from the edge's first reason."""
        key = (min(a, b), max(a, b), kind)
        if key in self.edges:
            if reason not in self.edges[key]["reasons"]:
                self.edges[key]["reasons"].append(reason)
        else:
            self.edges[key] = {"source": a, "target": b, "kind": kind, "reasons": [reason], **extra}

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values())}


def resolve(store: Store, subject: str) -> str | None:
    """The node id of ``subject``: a node id as is, or a bare trader id, account id, waybill or identifier value
    (a phone, messenger ID, payment account... as the store normalised it)."""
    if subject.partition(":")[0] in ("trader", "account", "ident", "parcel", "seizure") and _exists(store, subject):
        return subject
    for prefix in ("trader:", "account:", "parcel:"):
        if _exists(store, prefix + subject):
            return prefix + subject
    rows = store.query("SELECT kind FROM account_identifiers WHERE value = ? ORDER BY kind LIMIT 1", [subject])
    if rows:
        return f"ident:{rows[0]['kind']}:{subject}"
    if store.query("SELECT 1 AS x FROM transactions WHERE payer = ? OR payee = ? LIMIT 1", [subject, subject]):
        return f"ident:payment_account:{subject}"
    return None


def _exists(store: Store, node: str) -> bool:
    kind, _, key = node.partition(":")
    if kind == "trader":
        return bool(store.query("SELECT 1 AS x FROM link_traders WHERE trader_id = ?", [key]))
    if kind == "account":
        return bool(store.query("SELECT 1 AS x FROM accounts WHERE id = ?", [key]))
    if kind == "ident":
        ident_kind, _, value = key.partition(":")
        return bool(store.query("SELECT 1 AS x FROM account_identifiers WHERE kind = ? AND value = ? LIMIT 1",
                                [ident_kind, value])) or (ident_kind in _PAYMENT_KINDS and bool(store.query(
                                    "SELECT 1 AS x FROM transactions WHERE payer = ? OR payee = ? LIMIT 1",
                                    [value, value])))
    if kind == "parcel":
        return bool(store.query("SELECT 1 AS x FROM shipments WHERE waybill = ?", [key]))
    if kind == "seizure":
        return bool(store.query("SELECT 1 AS x FROM seizures WHERE id = ?", [key]))
    return False


def _account_nodes(g: Graph, store: Store, account_ids: list[str]) -> None:
    """Add account nodes (handle, platform, status, backup flag), read in one query."""
    if not account_ids:
        return
    marks = ", ".join("?" * len(account_ids))
    rows = {r["id"]: r for r in store.query(
        "SELECT a.id, a.handle, a.platform, a.status, m.is_backup FROM accounts a "
        f"LEFT JOIN link_members m ON m.account_id = a.id WHERE a.id IN ({marks})", account_ids)}
    for account_id in account_ids:
        r = rows.get(account_id) or {"handle": account_id, "platform": "", "status": "", "is_backup": False}
        g.node(f"account:{account_id}", "account", r["handle"], platform=r["platform"], status=r["status"],
               backup=bool(r["is_backup"]))


def _expand(g: Graph, store: Store, node: str) -> list[str]:
    """Add ``node``'s neighbours and edges to ``g``; return the neighbours' ids."""
    kind, _, key = node.partition(":")
    found: list[str] = []
    if kind == "trader":
        rows = store.query("SELECT n_flagged, category, profile FROM link_traders WHERE trader_id = ?", [key])
        if rows:
            g.node(node, "trader", key, flagged=int(rows[0]["n_flagged"]), category=rows[0]["category"])
            for z in json.loads(rows[0]["profile"] or "{}").get("seizures", []):  # the link stage's seizure links
                target = f"seizure:{z['id']}"
                g.node(target, "seizure", f"{z['date']} {z.get('agency') or ''}".strip(),
                       quantity_kg=z.get("quantity_kg"), species=z.get("species"))
                g.edge(node, target, "seizure", "; ".join(z["via"]), **_when(_day(z["date"])))
                found.append(target)
        members = store.query("SELECT account_id, is_backup FROM link_members WHERE trader_id = ? ORDER BY account_id",
                              [key])
        _account_nodes(g, store, [m["account_id"] for m in members])
        for m in members:
            target = f"account:{m['account_id']}"
            reason = "backup account of this trader" if m["is_backup"] else "account of this trader"
            g.edge(node, target, "member", reason)
            found.append(target)
    elif kind == "account":
        _account_nodes(g, store, [key])
        for m in store.query("SELECT trader_id FROM link_members WHERE account_id = ?", [key]):
            target = f"trader:{m['trader_id']}"
            g.node(target, "trader", m["trader_id"])
            g.edge(node, target, "member", "account of this trader")
            found.append(target)
        for r in store.query("SELECT kind, value, seen_in, seen_id FROM account_identifiers WHERE account_id = ? "
                             "ORDER BY kind, value", [key]):
            target = f"ident:{r['kind']}:{r['value']}"
            g.node(target, "identifier", r["value"], identifier_kind=r["kind"])
            g.edge(node, target, "identifier", f"{r['kind']} seen in {r['seen_in']} {r['seen_id']}".strip())
            found.append(target)
        links = store.query("SELECT account_l, account_r, source, reasons FROM link_edges WHERE accepted AND "
                            "(account_l = ? OR account_r = ?)", [key, key])
        others = [r["account_r"] if r["account_l"] == key else r["account_l"] for r in links]
        _account_nodes(g, store, others)
        for r, other in zip(links, others, strict=True):
            reasons = json.loads(r["reasons"])
            text = "; ".join(map(str, reasons)) if isinstance(reasons, list) else str(reasons)
            g.edge(node, f"account:{other}", "link", f"{r['source']}: {text}")
            found.append(f"account:{other}")
    elif kind == "ident":
        ident_kind, _, value = key.partition(":")
        g.node(node, "identifier", value, identifier_kind=ident_kind)
        holders = store.query("SELECT DISTINCT account_id, seen_in FROM account_identifiers "
                              "WHERE kind = ? AND value = ? ORDER BY account_id", [ident_kind, value])
        _account_nodes(g, store, sorted({r["account_id"] for r in holders}))
        for r in holders:
            g.edge(node, f"account:{r['account_id']}", "identifier", f"{ident_kind} seen in {r['seen_in']}")
            found.append(f"account:{r['account_id']}")
        if ident_kind in _PAYMENT_KINDS:
            found += _payments(g, store, node, value)
        if ident_kind == "phone":
            found += _parcels_of_phone(g, store, node, value)
    elif kind == "seizure":
        found += _seizure(g, store, node, key)
    elif kind == "parcel":
        rows = store.query("SELECT * FROM shipments WHERE waybill = ?", [key])
        if rows:
            s = rows[0]
            g.node(node, "parcel", key, courier=s["courier"], declared=s["declared_contents"])
            for role in ("sender", "receiver"):
                if s[f"{role}_phone"]:
                    target = f"ident:phone:{s[f'{role}_phone']}"
                    g.node(target, "identifier", s[f"{role}_phone"], identifier_kind="phone")
                    g.edge(node, target, "parcel", f"{role} phone on waybill {key}", **_when(s["time"]))
                    found.append(target)
    return found


def _payments(g: Graph, store: Store, node: str, value: str) -> list[str]:
    rows = store.query(
        "SELECT CASE WHEN payer = ? THEN payee ELSE payer END AS other, CASE WHEN payer = ? THEN 'paid' ELSE "
        "'received from' END AS direction, count(*) AS n, sum(amount) AS total, min(currency) AS currency, "
        "min(time) AS first, max(time) AS last "
        "FROM transactions WHERE payer = ? OR payee = ? GROUP BY 1, 2 ORDER BY 4 DESC LIMIT 50",
        [value, value, value, value])
    found = []
    for r in rows:
        target = f"ident:payment_account:{r['other']}"
        g.node(target, "identifier", r["other"], identifier_kind="payment_account")
        g.edge(node, target, "payment", f"{r['direction']}: {r['n']} payments, {r['total']:.2f} {r['currency']}",
               total=float(r["total"]), currency=r["currency"], n=int(r["n"]), **_when(r["first"], r["last"]))
        found.append(target)
    return found


def _when(first: datetime | None, last: datetime | None = None) -> dict[str, str]:
    """An edge's time span as ISO text (``first``, ``last``), for the view's time filter; empty when undated."""
    last = last or first
    return {"first": first.isoformat(), "last": last.isoformat()} if first and last else {}


def _day(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _seizure(g: Graph, store: Store, node: str, key: str) -> list[str]:
    """A seizure, its seized parcel and the phones it names; the traders it leads to hang off their own nodes."""
    rows = store.query("SELECT * FROM seizures WHERE id = ?", [key])
    if not rows:
        return []
    z = rows[0]
    g.node(node, "seizure", f"{z['date']} {z['agency'] or ''}".strip(), quantity_kg=z["quantity_kg"])
    found = []
    if z["waybill"] and store.query("SELECT 1 AS x FROM shipments WHERE waybill = ?", [z["waybill"]]):
        target = f"parcel:{z['waybill']}"
        g.node(target, "parcel", z["waybill"])
        g.edge(node, target, "seizure", f"seized parcel {z['waybill']}", **_when(_day(z["date"])))
        found.append(target)
    phones = json.loads(z["phones"]) if isinstance(z["phones"], str) else list(z["phones"] or [])
    for phone in phones:
        target = f"ident:phone:{phone}"
        g.node(target, "identifier", phone, identifier_kind="phone")
        g.edge(node, target, "seizure", f"phone {phone} named in the seizure", **_when(_day(z["date"])))
        found.append(target)
    return found


def _parcels_of_phone(g: Graph, store: Store, node: str, phone: str) -> list[str]:
    found = []
    for s in store.query("SELECT waybill, time, sender_phone, courier, declared_contents FROM shipments "
                         "WHERE sender_phone = ? OR receiver_phone = ? ORDER BY waybill LIMIT 50", [phone, phone]):
        target = f"parcel:{s['waybill']}"
        g.node(target, "parcel", s["waybill"], courier=s["courier"], declared=s["declared_contents"])
        role = "sender" if s["sender_phone"] == phone else "receiver"
        g.edge(node, target, "parcel", f"{role} phone on waybill {s['waybill']}", **_when(s["time"]))
        found.append(target)
    return found


def network(store: Store, subject: str, depth: int = 1) -> dict[str, Any] | None:
    """The graph within ``depth`` steps of ``subject`` (at most ``MAX_NODES`` nodes); None if unknown."""
    start = resolve(store, subject)
    if start is None:
        return None
    g = Graph()
    seen, frontier = {start}, deque([(start, 0)])
    while frontier and len(g.nodes) < MAX_NODES:
        node, d = frontier.popleft()
        for nxt in _expand(g, store, node):
            if nxt not in seen and d + 1 < depth:
                seen.add(nxt)
                frontier.append((nxt, d + 1))
    return {"root": start, "depth": depth, "truncated": len(g.nodes) >= MAX_NODES, **g.as_dict()}


def network_path(store: Store, source: str, target: str, people: bool = True,
                 max_nodes: int = MAX_PATH_NODES) -> dict[str, Any]:
    """The shortest chain of reasoned edges from ``source`` to ``target``, breadth first with at most
    ``max_nodes`` nodes explored: ``nodes`` in path order and the ``edges`` between them (both empty when there
    is none so near). With ``people=False`` only traders and accounts are walked (for audiences that see
    pseudonyms, whose graph has nothing else)."""
    start, goal = resolve(store, source), resolve(store, target)
    if start is None or goal is None:
        raise LookupError(f"nothing called {source if start is None else target!r} in the network")
    g = Graph()
    parent: dict[str, str] = {start: start}
    frontier = deque([start])
    while frontier and goal not in parent and len(parent) < max_nodes:
        node = frontier.popleft()
        for nxt in _expand(g, store, node):
            if nxt not in parent and (people or nxt.partition(":")[0] in ("trader", "account")):
                parent[nxt] = node
                frontier.append(nxt)
    chain = [goal] if goal in parent else []
    while chain and chain[-1] != start:
        chain.append(parent[chain[-1]])
    chain.reverse()
    edges = [next(e for (a, b, _), e in g.edges.items() if {a, b} == {x, y}) for x, y in pairwise(chain)]
    nodes = [g.nodes.get(n) or {"id": n, "kind": n.partition(":")[0], "label": n.partition(":")[2]} for n in chain]
    return {"root": start, "target": goal, "found": bool(chain), "explored": len(parent), "nodes": nodes,
            "edges": edges}


def real_subject(redactor: Redactor, subject: str) -> str | None:
    """The network node a user means: as given for audiences that see everything; for others a trader or account
    named by its pseudonym (``trader:h:...``, ``account:h:...`` or bare)."""
    if redactor.open:
        return subject
    kind, _, key = subject.partition(":") if subject.startswith(("trader:", "account:")) else ("", "", subject)
    real = redactor.unmask(key)
    return None if real is None else f"{kind}:{real}" if kind else real


def pseudonymous_network(graph: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """Traders and accounts only (identifiers, payment accounts and parcels are personal data), named by their
    pseudonyms (``trader:h:...``, which expand again); edges keep their (scrubbed) reasons."""
    def hide(node: str) -> str:
        kind, _, key = node.partition(":")
        return f"{kind}:{redactor.pseudonym(key)}"

    keep = {n["id"] for n in graph["nodes"] if n["kind"] in ("trader", "account")}
    nodes = [{"id": hide(n["id"]), "kind": n["kind"], "label": hide(n["id"]), "backup": n.get("backup", False)}
             for n in graph["nodes"] if n["id"] in keep]
    edges = [{**e, "source": hide(e["source"]), "target": hide(e["target"])} for e in graph["edges"]
             if e["source"] in keep and e["target"] in keep]
    return {**graph, "root": hide(graph["root"]), "nodes": nodes, "edges": edges}
