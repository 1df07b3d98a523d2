"""Networks: traders, their buyers and suppliers, money and parcel flows; communities, centrality and roles.

Payments and parcels reach a trader through its identifiers: a transaction's payer or payee is matched to
payment accounts and bank cards seen on the trader's accounts, a waybill's sender or receiver phone to its
phones. Counterparties no trader owns become party nodes (buyers, suppliers). An identifier several traders
share (a hub) is not resolved to any of them.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pandas as pd

from wildtrace.link._identifiers import match_key, payment_endpoint_key

RAW_PRODUCTS = ("raw", "semi_worked")
WORKED_PRODUCTS = ("worked_uncarved", "worked_carved")
AGENT_PASS_THROUGH = 0.7
AGENT_MAX_OWN_ADS = 3
BETWEENNESS_SAMPLE = 500


def _owners(ids: pd.DataFrame, clusters: dict[str, str], kinds: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """(kind, key) -> trader, for identifiers held by exactly one trader."""
    df = ids[ids["kind"].isin(kinds)]
    owners: dict[tuple[str, str], set[str]] = {}
    for acc, kind, key in zip(df["account_id"], df["kind"], df["key"], strict=True):
        if acc in clusters:
            owners.setdefault((kind, key), set()).add(clusters[acc])
    return {k: next(iter(v)) for k, v in owners.items() if len(v) == 1}


def _add_flow(g: nx.DiGraph, src: str, dst: str, **amounts: float) -> None:
    if not g.has_edge(src, dst):
        g.add_edge(src, dst, money=0.0, payments=0, parcels=0, parcel_weight_g=0.0)
    for name, value in amounts.items():
        g[src][dst][name] += value


def _kyc_owners(kyc: pd.DataFrame | None, phone_owner: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """(kind, key) of each payment account -> the trader whose own phone the platform's KYC names as holder's."""
    if kyc is None or kyc.empty:
        return {}
    owners: dict[tuple[str, str], str] = {}
    for account, phone in zip(kyc["payment_account"], kyc["holder_phone"], strict=True):
        trader = phone_owner.get(("phone", match_key("phone", phone))) if isinstance(phone, str) and phone else None
        if trader and isinstance(account, str) and account:
            owners[payment_endpoint_key(account)] = trader
    return owners


def build_network(ids: pd.DataFrame, clusters: dict[str, str], transactions: pd.DataFrame, shipments: pd.DataFrame,
                  profiles: dict[str, dict[str, Any]] | None = None, kyc: pd.DataFrame | None = None) -> nx.DiGraph:
    """A directed graph of traders and parties; edges carry money (CNY), payments, parcels and parcel weight.

    A payment account belongs to the one trader whose accounts show it, else to the trader whose own phone
    the platform's KYC (``kyc``: payment_account, holder_phone) gives as the holder's."""
    profiles = profiles or {}
    g = nx.DiGraph()
    for trader in sorted(set(clusters.values())):
        p = profiles.get(trader, {})
        g.add_node(trader, kind="trader", n_accounts=p.get("n_accounts", 0), category=p.get("category"),
                   n_flagged=p.get("n_flagged", 0))
    phone_owner = _owners(ids, clusters, ("phone",))
    pay_owner = {**_kyc_owners(kyc, phone_owner), **_owners(ids, clusters, ("payment_account", "bank_card"))}

    def node(owner: str | None, label: str) -> str:
        if owner:
            return owner
        if label not in g:
            g.add_node(label, kind="party")
        return label

    for t in transactions.to_dict("records"):
        src = node(pay_owner.get(payment_endpoint_key(t["payer"])), f"pay:{t['payer']}")
        dst = node(pay_owner.get(payment_endpoint_key(t["payee"])), f"pay:{t['payee']}")
        if src != dst:
            _add_flow(g, src, dst, money=float(t["amount"] or 0.0), payments=1)
    for s in shipments.to_dict("records"):
        if not s.get("sender_phone") or not s.get("receiver_phone"):
            continue
        src = node(phone_owner.get(("phone", match_key("phone", s["sender_phone"]))), f"phone:{s['sender_phone']}")
        dst = node(phone_owner.get(("phone", match_key("phone", s["receiver_phone"]))), f"phone:{s['receiver_phone']}")
        weight = s.get("weight_g")
        if src != dst:
            _add_flow(g, src, dst, parcels=1, parcel_weight_g=float(weight) if weight and weight == weight else 0.0)
    _label_parties(g)
    return g


def _label_parties(g: nx.DiGraph) -> None:
    """Parties that pay traders or receive their parcels are buyers; those paid by traders or sending them
    parcels are suppliers."""
    for n, data in g.nodes(data=True):
        if data["kind"] != "party":
            continue
        buys = any(g.nodes[v]["kind"] == "trader" and e["money"] > 0 for _, v, e in g.out_edges(n, data=True)) or any(
            g.nodes[u]["kind"] == "trader" and e["parcels"] > 0 for u, _, e in g.in_edges(n, data=True))
        sells = any(g.nodes[u]["kind"] == "trader" and e["money"] > 0 for u, _, e in g.in_edges(n, data=True)) or any(
            g.nodes[v]["kind"] == "trader" and e["parcels"] > 0 for _, v, e in g.out_edges(n, data=True))
        data["party_role"] = "buyer and supplier" if buys and sells else "buyer" if buys else \
            "supplier" if sells else "other"


def analyse_network(g: nx.DiGraph, profiles: dict[str, dict[str, Any]] | None = None, seed: int = 0) -> pd.DataFrame:
    """Per node: community, money received/sent/net, PageRank (money-weighted), betweenness, chain role."""
    profiles = profiles or {}
    cols = ["node", "kind", "community", "money_received", "money_sent", "net", "pagerank", "betweenness", "role",
            "role_evidence"]
    if g.number_of_nodes() == 0:
        return pd.DataFrame(columns=cols)
    undirected = nx.Graph()
    undirected.add_nodes_from(g.nodes)
    for u, v, e in g.edges(data=True):
        w = math.log1p(e["money"]) + e["parcels"]
        if undirected.has_edge(u, v):
            undirected[u][v]["weight"] += w
        else:
            undirected.add_edge(u, v, weight=w)
    communities = nx.community.louvain_communities(undirected, weight="weight", seed=seed)
    community_of = {n: i for i, members in enumerate(sorted(communities, key=lambda c: (-len(c), min(c))))
                    for n in members}
    for _, _, e in g.edges(data=True):
        e["flow"] = e["money"] + 1.0 * e["parcels"]
    pagerank = nx.pagerank(g, weight="flow") if g.number_of_edges() else {n: 1 / len(g) for n in g}
    k = min(BETWEENNESS_SAMPLE, len(g))
    betweenness = nx.betweenness_centrality(undirected, k=k if k < len(g) else None, seed=seed)
    rows = []
    for n, data in g.nodes(data=True):
        received = sum(e["money"] for _, _, e in g.in_edges(n, data=True))
        sent = sum(e["money"] for _, _, e in g.out_edges(n, data=True))
        role, evidence = chain_role(g, n, profiles) if data["kind"] == "trader" else (
            data.get("party_role", "other"), [])
        rows.append({"node": n, "kind": data["kind"], "community": community_of[n],
                     "money_received": round(received, 2), "money_sent": round(sent, 2),
                     "net": round(received - sent, 2),
                     "pagerank": round(pagerank[n], 6), "betweenness": round(betweenness[n], 6), "role": role,
                     "role_evidence": evidence})
    return pd.DataFrame(rows, columns=cols).sort_values(["money_received", "pagerank"], ascending=False,
                                                        ignore_index=True)


def _product_mix(profile: dict[str, Any]) -> tuple[int, int]:
    products = profile.get("products", {})
    return (sum(products.get(p, 0) for p in RAW_PRODUCTS), sum(products.get(p, 0) for p in WORKED_PRODUCTS))


def chain_role(g: nx.DiGraph, trader: str, profiles: dict[str, dict[str, Any]]) -> tuple[str, list[str]]:
    """Role in the chain where the evidence supports one (else ``unknown``), with the evidence.

    Agent: passes most money it receives on and posts few ads itself. Raw trader: mostly raw or semi-worked
    pieces. Processor: buys from a raw trader, sells worked pieces. Wholesaler: sells worked pieces to other
    traders. Retailer: sells worked pieces, no trader among its customers.
    """
    profile = profiles.get(trader, {})
    received = sum(e["money"] for _, _, e in g.in_edges(trader, data=True))
    sent = sum(e["money"] for _, _, e in g.out_edges(trader, data=True))
    raw, worked = _product_mix(profile)
    own_ads = profile.get("n_flagged", 0)
    if received > 0 and sent >= AGENT_PASS_THROUGH * received and own_ads < AGENT_MAX_OWN_ADS:
        return "agent", [f"passes on {sent / received:.0%} of the {received:,.0f} CNY it receives",
                         f"{own_ads} own flagged ads"]

    def trader_nbrs(edges: Any) -> set[str]:
        return {x for x in edges if g.nodes[x]["kind"] == "trader"}
    customers = trader_nbrs(v for _, v, e in g.out_edges(trader, data=True) if e["parcels"]) | trader_nbrs(
        u for u, _, e in g.in_edges(trader, data=True) if e["money"])
    suppliers = trader_nbrs(u for u, _, e in g.in_edges(trader, data=True) if e["parcels"]) | trader_nbrs(
        v for _, v, e in g.out_edges(trader, data=True) if e["money"])
    if raw and raw >= worked:
        return "raw_trader", [f"{raw} ads for raw or semi-worked pieces against {worked} worked"]
    if worked and suppliers and any(_product_mix(profiles.get(s, {}))[0] for s in suppliers):
        return "processor", [f"buys from raw traders {sorted(suppliers)[:3]} and sells worked pieces"]
    if worked and customers:
        return "wholesaler", [f"sells worked pieces to {len(customers)} other trader(s)"]
    if worked:
        return "retailer", [f"{worked} ads for worked pieces, no trader among its customers"]
    return "unknown", []
