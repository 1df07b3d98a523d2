"""Networks: traders, their buyers and suppliers, money and parcel flows; communities, centrality and roles.

Payments and parcels reach a trader through its identifiers: a transaction's payer or payee is matched to
payment accounts and bank cards seen on the trader's accounts, a waybill's sender or receiver phone to its
phones. Counterparties no trader owns become party nodes (buyers, suppliers). An identifier several traders
share (a hub) is not resolved to any of them.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import networkx as nx
import pandas as pd

from wildtrace.link._identifiers import match_key, payment_endpoint_key
from wildtrace.link._roles import RoleRules, chain_roles, default_role_rules, trade_payments
from wildtrace.link._seizures import seizure_links

BETWEENNESS_SAMPLE = 500
# Evidence strength of a tie between two traders in community detection: each payment and parcel between them
# counts fully, an identifier both show (a co-mention) weakly.
TIE_WEIGHTS = {"payments": 1.0, "parcels": 1.0, "co_mentions": 0.2}
PAYMENT_COLUMNS = ["time", "src", "dst", "amount"]
# A sale: the buyer pays, the seller ships within days. Payment accounts tied to a trader by its parcels.
WAYBILL_WINDOW = timedelta(hours=72)
WAYBILL_MIN_SALES = 2
WAYBILL_MIN_SHARE = 0.6


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


def phone_owners(ids: pd.DataFrame, clusters: dict[str, str]) -> dict[tuple[str, str], str]:
    """("phone", key) -> the one trader whose accounts show that phone."""
    return _owners(ids, clusters, ("phone",))


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


def _waybill_owners(transactions: pd.DataFrame, shipments: pd.DataFrame, kyc: pd.DataFrame | None,
                    phone_owner: dict[tuple[str, str], str], known: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Payment accounts neither posts nor KYC attribute, tied to a trader by waybills: buyers (their phone from the
    KYC of the account they paid from) paid it, and the first parcel the buyer got within :data:`WAYBILL_WINDOW`
    came from the trader's phone; at least :data:`WAYBILL_MIN_SALES` such sales, and most of them that trader's."""
    if kyc is None or kyc.empty or shipments.empty or transactions.empty:
        return {}
    holder = {payment_endpoint_key(a): match_key("phone", ph) for a, ph in zip(
        kyc["payment_account"], kyc["holder_phone"], strict=True) if isinstance(a, str) and isinstance(ph, str)}
    parcels: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    sent_at = pd.to_datetime(shipments["time"], utc=True, errors="coerce")
    for at, sender, receiver in zip(sent_at, shipments["sender_phone"], shipments["receiver_phone"], strict=True):
        trader = phone_owner.get(("phone", match_key("phone", sender))) if isinstance(sender, str) else None
        if trader and isinstance(receiver, str) and not pd.isna(at):
            parcels.setdefault(match_key("phone", receiver), []).append((at, trader))
    votes: dict[tuple[str, str], Counter[str]] = {}
    paid_at = pd.to_datetime(transactions["time"], utc=True, errors="coerce")
    for at, payer, payee in zip(paid_at, transactions["payer"], transactions["payee"], strict=True):
        key = payment_endpoint_key(payee)
        buyer = holder.get(payment_endpoint_key(payer))
        if key in known or buyer not in parcels or pd.isna(at):
            continue
        following = [(when, t) for when, t in parcels[buyer] if at <= when <= at + WAYBILL_WINDOW]
        if following:
            votes.setdefault(key, Counter())[min(following)[1]] += 1
    owners = {}
    for key, c in votes.items():
        (trader, n), = c.most_common(1)
        if n >= WAYBILL_MIN_SALES and n >= WAYBILL_MIN_SHARE * c.total():
            owners[key] = trader
    return owners


def build_network(ids: pd.DataFrame, clusters: dict[str, str], transactions: pd.DataFrame, shipments: pd.DataFrame,
                  profiles: dict[str, dict[str, Any]] | None = None, kyc: pd.DataFrame | None = None,
                  seizures: pd.DataFrame | None = None, accounts: pd.DataFrame | None = None) -> nx.DiGraph:
    """A directed graph of traders and parties; edges carry money (CNY), payments, parcels and parcel weight.
    Seizures (``seizures``, with ``accounts`` for the names they give) are nodes with an edge to each trader they
    lead to (:func:`seizure_links`), the way in ``via``.

    A payment account belongs to the one trader whose accounts show it, else to the trader whose own phone
    the platform's KYC (``kyc``: payment_account, holder_phone) gives as the holder's, else to the trader whose
    parcels follow the payments into it (:func:`_waybill_owners`)."""
    profiles = profiles or {}
    g = nx.DiGraph()
    for trader in sorted(set(clusters.values())):
        p = profiles.get(trader, {})
        g.add_node(trader, kind="trader", n_accounts=p.get("n_accounts", 0), category=p.get("category"),
                   n_flagged=p.get("n_flagged", 0))
    phone_owner = phone_owners(ids, clusters)
    attributed = [("shown on its accounts", _owners(ids, clusters, ("payment_account", "bank_card"))),
                  ("the KYC holder's phone is its own", _kyc_owners(kyc, phone_owner))]
    attributed.append(("its parcels follow the payments into it", _waybill_owners(
        transactions, shipments, kyc, phone_owner, {k for _, owners in attributed for k in owners})))
    pay_owner: dict[tuple[str, str], str] = {}
    held: dict[str, list[dict[str, Any]]] = {}
    for via, owners in attributed:  # the first way that attributes an account wins
        for key, trader in owners.items():
            if key not in pay_owner:
                pay_owner[key] = trader
                held.setdefault(trader, []).append({"kind": key[0], "account": key[1], "via": via})
    g.graph["payment_accounts"] = held

    def node(owner: str | None, label: str) -> str:
        if owner:
            return owner
        if label not in g:
            g.add_node(label, kind="party")
        return label

    between_traders = []
    for t in transactions.to_dict("records"):
        src = node(pay_owner.get(payment_endpoint_key(t["payer"])), f"pay:{t['payer']}")
        dst = node(pay_owner.get(payment_endpoint_key(t["payee"])), f"pay:{t['payee']}")
        if src != dst:
            _add_flow(g, src, dst, money=float(t["amount"] or 0.0), payments=1)
            if g.nodes[src]["kind"] == g.nodes[dst]["kind"] == "trader":
                between_traders.append((t.get("time"), src, dst, float(t["amount"] or 0.0)))
    g.graph["payments"] = pd.DataFrame(between_traders, columns=PAYMENT_COLUMNS)
    g.graph["co_mentions"] = _co_mentions(ids, clusters)
    for s in shipments.to_dict("records"):
        if not s.get("sender_phone") or not s.get("receiver_phone"):
            continue
        src = node(phone_owner.get(("phone", match_key("phone", s["sender_phone"]))), f"phone:{s['sender_phone']}")
        dst = node(phone_owner.get(("phone", match_key("phone", s["receiver_phone"]))), f"phone:{s['receiver_phone']}")
        weight = s.get("weight_g")
        if src != dst:
            _add_flow(g, src, dst, parcels=1, parcel_weight_g=float(weight) if weight and weight == weight else 0.0)
    _label_parties(g)
    links = seizure_links(seizures, shipments, phone_owner, accounts if accounts is not None else pd.DataFrame(
        columns=["id", "display_name"]), clusters) if seizures is not None else []
    for z in links:
        name = f"seizure:{z['id']}"
        g.add_node(name, kind="seizure", **{k: "" if z[k] is None else str(z[k]) for k in
                                            ("date", "place", "agency", "quantity_kg", "waybill")})
        _add_flow(g, name, z["trader"])
        g[name][z["trader"]]["via"] = "; ".join(z["via"])
    return g


def _co_mentions(ids: pd.DataFrame, clusters: dict[str, str]) -> dict[tuple[str, str], int]:
    """(trader, trader) -> how many identifiers the accounts of both show (hubs included: weak evidence)."""
    holders: dict[tuple[str, str], set[str]] = {}
    for acc, kind, key in zip(ids["account_id"], ids["kind"], ids["key"], strict=True):
        if acc in clusters:
            holders.setdefault((kind, key), set()).add(clusters[acc])
    counts: dict[tuple[str, str], int] = {}
    for traders in holders.values():
        if 1 < len(traders) <= 20:  # an identifier all the world shows ties nobody
            ordered = sorted(traders)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    counts[(a, b)] = counts.get((a, b), 0) + 1
    return counts


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


def trader_communities(g: nx.DiGraph, trade: pd.DataFrame, members: set[str], seed: int = 0) -> dict[str, int]:
    """Louvain communities of the traders in the trade (``members``), ties weighted by evidence (:data:`TIE_WEIGHTS`):
    their trade payments (``trade``: src, dst), parcels and co-mentioned identifiers. Every other node joins the
    community of the trader it exchanged most with, else one of its own."""
    ties = nx.Graph()
    ties.add_nodes_from(sorted(members))

    def tie(a: str, b: str, weight: float) -> None:
        ties.add_edge(a, b, weight=ties.get_edge_data(a, b, {"weight": 0.0})["weight"] + weight)

    for a, b in zip(trade["src"], trade["dst"], strict=True):
        tie(a, b, TIE_WEIGHTS["payments"])
    for u, v, e in g.edges(data=True):
        if u in members and v in members and e["parcels"]:
            tie(u, v, TIE_WEIGHTS["parcels"] * e["parcels"])
    for (a, b), n in g.graph.get("co_mentions", {}).items():
        if a in members and b in members:
            tie(a, b, TIE_WEIGHTS["co_mentions"] * n)
    found = nx.community.louvain_communities(ties, weight="weight", seed=seed) if len(ties) else []
    community = {n: i for i, c in enumerate(sorted(found, key=lambda c: (-len(c), min(c)))) for n in c}
    following = len(found)
    for n in sorted(g.nodes):
        if n in community:
            continue
        strength: dict[int, float] = {}
        adjacent = [(v, e) for _, v, e in g.out_edges(n, data=True)] + [(u, e) for u, _, e in g.in_edges(n, data=True)]
        for x, e in adjacent:
            if x in members:
                strength[community[x]] = strength.get(community[x], 0.0) + e["payments"] + e["parcels"]
        if strength:
            community[n] = max(sorted(strength), key=lambda c: strength[c])
        else:
            community[n], following = following, following + 1
    return community


def analyse_network(g: nx.DiGraph, profiles: dict[str, dict[str, Any]] | None = None, seed: int = 0,
                    rules: RoleRules | None = None) -> pd.DataFrame:
    """Per node: community, money received/sent/net, PageRank (money-weighted), betweenness, chain role with its
    confidence and evidence (parties: buyer / supplier; seizures: seizure)."""
    profiles = profiles or {}
    cols = ["node", "kind", "community", "money_received", "money_sent", "net", "pagerank", "betweenness", "role",
            "role_confidence", "role_evidence"]
    if g.number_of_nodes() == 0:
        return pd.DataFrame(columns=cols)
    rules = rules or default_role_rules()
    traders = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "trader")
    payments = g.graph.get("payments", pd.DataFrame(columns=PAYMENT_COLUMNS))
    roles = chain_roles(payments, profiles, traders, rules)
    flagged = {t for t in traders if profiles.get(t, {}).get("n_flagged", 0) > 0}
    trade = trade_payments(payments.assign(amount=payments["amount"].astype(float)), flagged, rules)
    community_of = trader_communities(g, trade.payments, trade.members | flagged, seed)
    undirected = nx.Graph()
    undirected.add_nodes_from(g.nodes)
    undirected.add_edges_from(g.edges)
    for _, _, e in g.edges(data=True):
        e["flow"] = e["money"] + 1.0 * e["parcels"]
    pagerank = nx.pagerank(g, weight="flow") if g.number_of_edges() else {n: 1 / len(g) for n in g}
    k = min(BETWEENNESS_SAMPLE, len(g))
    betweenness = nx.betweenness_centrality(undirected, k=k if k < len(g) else None, seed=seed)
    rows = []
    for n, data in g.nodes(data=True):
        received = sum(e["money"] for _, _, e in g.in_edges(n, data=True))
        sent = sum(e["money"] for _, _, e in g.out_edges(n, data=True))
        role = roles.get(n) or {"role": data.get("party_role", data["kind"]), "confidence": None, "reasons": []}
        rows.append({"node": n, "kind": data["kind"], "community": community_of[n],
                     "money_received": round(received, 2), "money_sent": round(sent, 2),
                     "net": round(received - sent, 2),
                     "pagerank": round(pagerank[n], 6), "betweenness": round(betweenness[n], 6), "role": role["role"],
                     "role_confidence": role["confidence"], "role_evidence": role["reasons"]})
    return pd.DataFrame(rows, columns=cols).sort_values(["money_received", "pagerank"], ascending=False,
                                                        ignore_index=True)
