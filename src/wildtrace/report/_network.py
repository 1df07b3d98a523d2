"""Networks and money of the period: the largest trader networks, who received the most, and seizures that lead
back to online sellers; every person shown by the pseudonym (or the role) the audience may see."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from wildtrace.link import load_network, match_key
from wildtrace.report import _queries as q
from wildtrace.report._data import PeriodData
from wildtrace.share import Redactor
from wildtrace.store import Store

LIBRARY = "wildtrace.link.load_network"  # payments and parcels of the period, traders from the linking stage


def _label(node: str, row: dict[str, Any], redactor: Redactor) -> str:
    """A network node as the audience may see it: a trader's pseudonym, a counterparty's payment account or phone
    as the policy shows it (hashed, kept) or "not disclosed"."""
    if row["kind"] == "trader":
        return str(redactor.field("trader", "trader_id", node))
    scheme, _, value = node.partition(":")
    shown = redactor.field("transaction", "payee", value) if scheme == "pay" else \
        redactor.field("shipment", "receiver_phone", value)
    return str(shown) if shown else "not disclosed"


def networks(store: Store, data: PeriodData, redactor: Redactor) -> dict[str, Any]:
    """The largest trader networks of the period (communities of the payment and parcel network, ranked by the
    traders they hold, then money) and the nodes that received the most money in the period."""
    o = data.options
    source = q.source(f"{__name__}.networks", "trader_members", "posts_in_period", library=LIBRARY)
    if data.traders is None or data.traders.empty:
        return {"available": False, "note": "no data: link the accounts first (`wildtrace link run`)",
                "networks": [], "receivers": [], "source": source}
    graph, table = load_network(store, o.bounds())
    owner = data.traders.set_index("account_id")["trader_id"]
    flagged = data.posts[data.posts["flagged"]]
    ads = Counter(flagged["account_id"].map(owner).dropna())
    rows = table.set_index("node").to_dict("index")
    community_of = {n: r["community"] for n, r in rows.items() if r["kind"] == "trader"}
    flows: dict[int, Counter[str]] = {}
    for u, v, e in graph.edges(data=True):  # one pass: each edge counts for the networks of the traders it touches
        for c in {community_of[x] for x in (u, v) if x in community_of}:
            flows.setdefault(c, Counter()).update(edges=1, payments=e["payments"], parcels=e["parcels"])
        if v in community_of:
            flows.setdefault(community_of[v], Counter())["money"] += e["money"]
    groups: list[dict[str, Any]] = []
    for community, members in table.groupby("community"):
        traders = members[members["kind"] == "trader"]
        if traders.empty:
            continue
        flow = flows.get(int(community), Counter())
        n_ads = sum(ads.get(t, 0) for t in traders["node"])
        if not flow["edges"] and not n_ads:
            continue
        roles = Counter(members.loc[members["kind"] == "party", "role"])
        top = traders.sort_values(["money_received", "pagerank"], ascending=False).head(3)
        groups.append({"community": int(community), "traders": len(traders), "parties": len(members) - len(traders),
                       "buyers": roles.get("buyer", 0) + roles.get("buyer and supplier", 0),
                       "suppliers": roles.get("supplier", 0) + roles.get("buyer and supplier", 0),
                       "money_to_traders": round(flow["money"]), "payments": flow["payments"],
                       "parcels": flow["parcels"], "flagged_ads": n_ads,
                       "central": [_label(t, rows[t], redactor) for t in top["node"]]})
    groups.sort(key=lambda g: (-g["traders"], -g["money_to_traders"], -g["flagged_ads"]))
    receivers = [{"who": _label(n, rows[n], redactor), "kind": rows[n]["kind"], "role": rows[n]["role"],
                  "received": round(rows[n]["money_received"]), "sent": round(rows[n]["money_sent"]),
                  "net": round(rows[n]["net"])}
                 for n in table.loc[table["money_received"] > 0, "node"].head(o.top)]
    trader_money = sum(e["money"] for u, v, e in graph.edges(data=True)
                       if "trader" in (graph.nodes[u]["kind"], graph.nodes[v]["kind"]))
    return {"available": True, "networks": [{"rank": i + 1, **g} for i, g in enumerate(groups[:5])],
            "n_networks": len(groups), "receivers": receivers, "trader_money": round(trader_money),
            "payments": sum(e["payments"] for _, _, e in graph.edges(data=True)),
            "parcels": sum(e["parcels"] for _, _, e in graph.edges(data=True)), "source": source}


def _phones(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    items = json.loads(value) if isinstance(value, str) and value.startswith("[") else [value]
    return [match_key("phone", str(p)) for p in items if p]


def seizure_links(store: Store, data: PeriodData) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Seizures dated in the period, each with the sellers (trader, else account) it leads to and how: a phone of
    the seizure record (``named``), or of the seized parcel's ``sender`` or ``receiver``, that is also on a
    seller's account (profile, post or picture)."""
    o = data.options
    phone_accounts: dict[str, set[str]] = {}
    for r in store.query(q.phone_identifiers()):
        phone_accounts.setdefault(match_key("phone", r["value"]), set()).add(r["account_id"])
    owner = data.traders.set_index("account_id")["trader_id"].to_dict() if data.traders is not None else {}
    out = []
    for r in sorted(store.query(q.seizures_of_period(), [o.start, o.end]), key=lambda r: (str(r["date"]), r["id"])):
        via: dict[str, str] = {}
        for how, phones in (("sender", _phones(r["sender_phone"])), ("receiver", _phones(r["receiver_phone"])),
                            ("named", _phones(r["phones"]))):
            for phone in phones:
                for account in sorted(phone_accounts.get(phone, ())):
                    via.setdefault(owner.get(account, account), how)
        out.append((r, via))
    return out


def seizures(links: list[tuple[dict[str, Any], dict[str, str]]], data: PeriodData,
             redactor: Redactor) -> dict[str, Any]:
    """The seizures of the period (:func:`seizure_links`) and the online sellers they lead to, as the audience may
    see them, with whether each seller posted flagged ads in the period."""
    owner = data.traders.set_index("account_id")["trader_id"].to_dict() if data.traders is not None else {}
    active = set(data.posts.loc[data.posts["flagged"], "account_id"].dropna().map(lambda a: owner.get(a, a)))
    out = []
    for r, via in links:
        public = redactor.record("seizure", {"id": r["id"], "date": str(r["date"]), "agency": r["agency"],
                                             "species": r["species"], "quantity_kg": r["quantity_kg"]})
        species = public.get("species")
        out.append({**public, "species": json.loads(species) if isinstance(species, str) and
                    species.startswith("[") else species,
                    "sellers": [{"seller": redactor.field("trader", "trader_id", seller), "via": how,
                                 "posted_in_period": seller in active} for seller, how in sorted(via.items())]})
    linked = [s for s in out if s["sellers"]]
    return {"n": len(out), "linked": len(linked), "rows": out,
            "sellers": len({x["seller"] for s in linked for x in s["sellers"]}),
            "kg": round(sum(float(s.get("quantity_kg") or 0) for s in out), 2),
            "source": q.source(f"{__name__}.seizures", "seizures_of_period", "phone_identifiers", "trader_members")}
