"""Linking results in the store (tables of migration 0300) and the questions asked of them."""

from __future__ import annotations

import json
import uuid
from collections import deque
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import networkx as nx
import pandas as pd

from wildtrace.link._data import dumps, load_link_data
from wildtrace.link._evaluate import earner_ranks, score_linkage, score_traders
from wildtrace.link._identifiers import strong_identifiers
from wildtrace.link._network import analyse_network, build_network, phone_owners
from wildtrace.link._pipeline import LinkOptions, LinkResult, link_accounts
from wildtrace.link._seizures import seizure_links
from wildtrace.link._traders import trader_profiles
from wildtrace.store import Store

EDGE_COLS = ["account_l", "account_r", "source", "match_weight", "match_probability", "reasons", "accepted"]


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def save_result(store: Store, result: LinkResult, profiles: list[dict], options: LinkOptions, engine: str) -> str:
    """Replace the stored links, hubs and traders with ``result``; return the run id."""
    edges = [{**{c: _none(r[c]) for c in EDGE_COLS}, "reasons": dumps(r["reasons"]), "accepted": bool(r["accepted"])}
             for r in result.edges.to_dict("records")]
    hubs = [{"kind": h["kind"], "value": h["key"], "n_accounts": int(h["n_accounts"]), "n_groups": int(h["n_groups"]),
             "reason": h["reason"], "accounts": dumps(h["accounts"])} for h in result.hubs.to_dict("records")]
    members, traders = [], []
    for p in profiles:
        for m in p["accounts"]:
            members.append({"account_id": m["account_id"], "trader_id": p["trader_id"], "is_backup": m["is_backup"],
                            "appeared_at": m["appeared_at"], "after_block_of": m["after_block_of"]})
        traders.append({"trader_id": p["trader_id"], "n_accounts": p["n_accounts"], "platforms": dumps(p["platforms"]),
                        "category": p["category"], "status": p["status"], "n_posts": p["n_posts"],
                        "n_flagged": p["n_flagged"], "night_share": p["night_share"], "profile": dumps(p)})
    run_id = uuid.uuid4().hex[:12]
    with store.transaction():
        for table in ("link_edges", "link_hubs", "link_members", "link_traders"):
            store.execute(f"DELETE FROM {table}")
        store.insert_rows("link_edges", edges, EDGE_COLS, ["account_l", "account_r", "source"])
        store.insert_rows("link_hubs", hubs, ["kind", "value", "n_accounts", "n_groups", "reason", "accounts"],
                          ["kind", "value"])
        store.insert_rows("link_members", members,
                          ["account_id", "trader_id", "is_backup", "appeared_at", "after_block_of"], ["account_id"])
        store.insert_rows("link_traders", traders, ["trader_id", "n_accounts", "platforms", "category", "status",
                                                    "n_posts", "n_flagged", "night_share", "profile"], ["trader_id"])
        store.insert_rows("link_runs", [{
            "run_id": run_id, "finished_at": datetime.now(UTC), "engine": engine,
            "n_accounts": len(result.clusters), "n_links": int(result.edges["accepted"].astype(bool).sum()),
            "n_hubs": len(hubs), "n_traders": len(traders), "settings": dumps(asdict(options)),
        }], ["run_id", "finished_at", "engine", "n_accounts", "n_links", "n_hubs", "n_traders", "settings"], ["run_id"])
    return run_id


def run_link(store: Store, options: LinkOptions | None = None, spark: Any = None) -> dict[str, Any]:
    """Link every account in the store, build trader profiles, save them; return a summary of the run."""
    options = options or LinkOptions()
    data = load_link_data(store)
    if data.accounts.empty:
        raise ValueError("no accounts in the store: ingest posts and accounts first")
    result = link_accounts(data, options, spark=spark)
    profiles = trader_profiles(result.clusters, data.accounts, data.posts)
    clusters = result.clusters.to_dict()
    seized: dict[str, list[dict[str, Any]]] = {}
    for z in seizure_links(data.seizures, data.shipments, phone_owners(result.identifiers, clusters), data.accounts,
                           clusters):
        seized.setdefault(z["trader"], []).append({k: z[k] for k in ("id", "date", "place", "agency", "species",
                                                                     "quantity_kg", "waybill", "via")})
    for p in profiles:
        p["seizures"] = seized.get(p["trader_id"], [])
    run_id = save_result(store, result, profiles, options, options.engine)
    accepted = result.edges[result.edges["accepted"].astype(bool)]
    return {"run_id": run_id, "engine": options.engine, "accounts": len(result.clusters),
            "traders": result.n_traders, "multi_account_traders": sum(p["n_accounts"] > 1 for p in profiles),
            "identifier_links": int(accepted["source"].eq("identifier").sum()),
            "probabilistic_links": int(accepted["source"].eq("splink").sum()), "hubs": len(result.hubs),
            "backup_accounts": sum(m["is_backup"] for p in profiles for m in p["accounts"]),
            "traders_with_seizures": len(seized)}


def stored_clusters(store: Store) -> dict[str, str]:
    """Account id -> trader id from the last run."""
    return {r["account_id"]: r["trader_id"] for r in store.query("SELECT account_id, trader_id FROM link_members")}


def list_traders(store: Store, category: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Traders of the last run, most flagged posts first; ``category`` A, B, C or D (either case) keeps one."""
    if category and category.upper() not in ("A", "B", "C", "D"):
        raise ValueError(f"trader category {category!r}: use A, B, C or D")
    where, params = ("WHERE category = ?", [category.upper()]) if category else ("", [])
    rows = store.query(
        f"SELECT trader_id, n_accounts, platforms, category, status, n_posts, n_flagged, night_share FROM link_traders "
        f"{where} ORDER BY n_flagged DESC, n_accounts DESC, trader_id LIMIT {int(limit)}", params)
    return [{**r, "platforms": json.loads(r["platforms"])} for r in rows]


def trader_of(store: Store, subject: str) -> str | None:
    """The trader id of ``subject`` (a trader id or an account id)."""
    if store.query("SELECT 1 AS x FROM link_traders WHERE trader_id = ?", [subject]):
        return subject
    rows = store.query("SELECT trader_id FROM link_members WHERE account_id = ?", [subject])
    return rows[0]["trader_id"] if rows else None


def load_profile(store: Store, subject: str) -> dict[str, Any] | None:
    trader = trader_of(store, subject)
    if trader is None:
        return None
    row = store.query("SELECT profile FROM link_traders WHERE trader_id = ?", [trader])
    return json.loads(row[0]["profile"]) if row else None


def list_hubs(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    rows = store.query(f"SELECT * FROM link_hubs ORDER BY n_accounts DESC, kind, value LIMIT {int(limit)}")
    return [{**r, "accounts": json.loads(r["accounts"])} for r in rows]


def _edge_view(row: dict) -> dict[str, Any]:
    return {"from": row["account_l"], "to": row["account_r"], "source": row["source"],
            "match_weight": row["match_weight"], "match_probability": row["match_probability"],
            "accepted": bool(row["accepted"]), "reasons": json.loads(row["reasons"])}


def explain_link(store: Store, a: str, b: str) -> dict[str, Any]:
    """Why ``a`` and ``b`` are (or are not) the same trader: the direct evidence between them, the chain of
    accepted links joining them, and any hub identifier they share (which was not used)."""
    clusters = store.query("SELECT account_id, trader_id FROM link_members WHERE account_id IN (?, ?)", [a, b])
    traders = {r["account_id"]: r["trader_id"] for r in clusters}
    for acc in (a, b):
        if acc not in traders:
            raise ValueError(f"account {acc!r} is not linked yet (run `wildtrace link run`, or check the id)")
    direct = store.query("SELECT * FROM link_edges WHERE (account_l = ? AND account_r = ?) OR "
                         "(account_l = ? AND account_r = ?)", [a, b, b, a])
    shared_hubs = [h for h in list_hubs(store, limit=1_000_000) if a in h["accounts"] and b in h["accounts"]]
    same = traders[a] == traders[b]
    path = _path(store, traders[a], a, b) if same else []
    return {"a": a, "b": b, "same_trader": same, "trader_a": traders[a], "trader_b": traders[b],
            "direct": [_edge_view(r) for r in direct], "path": path,
            "hubs_not_used": [{"kind": h["kind"], "value": h["value"], "reason": h["reason"]} for h in shared_hubs]}


def _path(store: Store, trader: str, a: str, b: str) -> list[dict[str, Any]]:
    """The shortest chain of accepted links from ``a`` to ``b`` inside their trader (breadth first)."""
    rows = store.query(
        "SELECT e.* FROM link_edges e JOIN link_members m ON m.account_id = e.account_l "
        "WHERE m.trader_id = ? AND e.accepted", [trader])
    neighbours: dict[str, list[dict]] = {}
    for r in rows:
        neighbours.setdefault(r["account_l"], []).append(r)
        neighbours.setdefault(r["account_r"], []).append(r)
    previous: dict[str, dict | None] = {a: None}
    queue = deque([a])
    while queue:
        node = queue.popleft()
        if node == b:
            break
        for r in neighbours.get(node, []):
            other = r["account_r"] if r["account_l"] == node else r["account_l"]
            if other not in previous:
                previous[other] = r
                queue.append(other)
    chain, node = [], b
    while (step := previous.get(node)) is not None:
        chain.append(_edge_view(step))
        node = step["account_l"] if step["account_r"] == node else step["account_r"]
    return list(reversed(chain))


def _profiles(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.query("SELECT trader_id, profile FROM link_traders")
    return {r["trader_id"]: json.loads(r["profile"]) for r in rows}


def load_network(store: Store, period: tuple[datetime, datetime] | None = None) -> tuple[nx.DiGraph, pd.DataFrame]:
    """The network of the last linking run with money and parcel flows (those in [start, end) of ``period``
    when given), and its per-node analysis."""
    clusters = stored_clusters(store)
    if not clusters:
        raise ValueError("no traders yet: run `wildtrace link run` first")
    data = load_link_data(store)
    profiles = _profiles(store)
    transactions, shipments = data.transactions, data.shipments
    if period is not None:
        paid, sent = (pd.to_datetime(f["time"], utc=True) for f in (transactions, shipments))
        transactions = transactions[(paid >= period[0]) & (paid < period[1])]
        shipments = shipments[(sent >= period[0]) & (sent < period[1])]
    graph = build_network(strong_identifiers(data.identifiers), clusters, transactions, shipments, profiles,
                          kyc=data.payment_accounts, seizures=data.seizures, accounts=data.accounts)
    return graph, analyse_network(graph, profiles)


def top_traders(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """Traders ranked by money received (then money-weighted PageRank): who profits most, with the payment accounts
    the money was counted on and how each was attributed to the trader."""
    graph, table = load_network(store)
    profiles = _profiles(store)
    held = graph.graph.get("payment_accounts", {})
    rows = table[table["kind"] == "trader"].head(limit).to_dict("records")
    for r in rows:
        trader = r.pop("node")
        p = profiles.get(trader, {})
        r.update(trader_id=trader, n_accounts=p.get("n_accounts"), category=p.get("category"),
                 platforms=p.get("platforms"), status=p.get("status"), payment_accounts=held.get(trader, []))
    return rows


def evaluate_link(store: Store, truth: pd.DataFrame, payment_truth: pd.DataFrame | None = None) -> dict[str, Any]:
    """The last run against a truth (:func:`score_linkage`, :func:`score_traders`) and, given who holds which
    payment account (``payment_truth``), the rank of the top 3 earners among who profits most."""
    clusters = stored_clusters(store)
    if not clusters:
        raise ValueError("no linking run in the store: run `wildtrace link run` first")
    result = score_linkage(clusters, truth)
    _, table = load_network(store)
    result.update(score_traders(clusters, table, _profiles(store), truth))
    if payment_truth is not None:
        ranking = table.loc[table["kind"] == "trader", "node"].tolist()
        transactions = pd.DataFrame(store.query("SELECT payee, amount FROM transactions"), columns=["payee", "amount"])
        result["top_earners"] = earner_ranks(ranking, clusters, truth, payment_truth, transactions)
    return result
