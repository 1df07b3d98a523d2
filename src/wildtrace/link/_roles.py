"""Chain roles from behaviour: what a trader posts, whom it pays, who pays it, and where it sits in the flow.

Roles (``data/roles.yaml`` holds the thresholds): ``agent`` (passes the money it receives on to another trader
within hours), ``wholesaler`` (the collector of its neighbourhood: most trade payments received), ``raw_trader``
(supplier or poacher: raw or semi-worked pieces, or raw prices per gram, or paid by traders without selling
worked pieces), ``processor`` (carver: paid by a wholesaler or paying a raw trader, and selling worked pieces),
``retailer`` (sells to the end market), ``buyer`` (pays traders, advertises nothing). Each comes with its reasons
and a confidence;
``unknown`` only when a trader neither advertises nor trades.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from wildtrace.link._vocab import read_data_file

RAW_TYPES = ("raw", "semi_worked")
WORKED_TYPES = ("worked_uncarved", "worked_carved")
ROLES = ("raw_trader", "processor", "wholesaler", "retailer", "agent", "buyer", "unknown")


@dataclass(frozen=True)
class RoleRules:
    """Thresholds of :func:`chain_roles` (see ``data/roles.yaml``)."""

    min_trade_payment: float
    min_pair_payments: int
    min_flagged_partners: int
    min_flagged_share: float
    forward_hours: float
    forward_min_amount_share: float
    agent_min_forwards: int
    agent_min_forward_share: float
    wholesaler_min_payers: int
    raw_min_share: float
    raw_max_price_per_gram: float
    processor_min_payments: int


def load_role_rules(path: str | Path | None = None) -> RoleRules:
    """Load and validate the thresholds (``path``, or the packaged file): every field present, a number >= 0."""
    name, text = read_data_file("roles.yaml", path)
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping of thresholds")
    names = {f.name: f.type for f in fields(RoleRules)}
    unknown = set(data) - set(names) - {"version"}
    if unknown:
        raise ValueError(f"{name}: unknown entries {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, kind in names.items():
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{name}: '{key}' must be a number >= 0, got {value!r}")
        values[key] = int(value) if kind == "int" else float(value)
    return RoleRules(**values)


@lru_cache(maxsize=1)
def default_role_rules() -> RoleRules:
    return load_role_rules()


@dataclass
class _Trade:
    """The trade payments between traders (both ends in the trade) and who is in the trade."""

    payments: pd.DataFrame  # time, src, dst, amount
    members: set[str]


def trade_payments(payments: pd.DataFrame, flagged: set[str], rules: RoleRules) -> _Trade:
    """Payments of at least ``min_trade_payment`` between pairs of traders that exchange several of them, among
    traders with flagged ads and those trading mostly with several of them (not a shop paying everyone wages)."""
    p = payments[payments["amount"] >= rules.min_trade_payment]
    pair = [(a, b) if a < b else (b, a) for a, b in zip(p["src"], p["dst"], strict=True)]
    counts = Counter(pair)
    keep = [counts[x] >= rules.min_pair_payments for x in pair]
    p = p[pd.Series(keep, index=p.index, dtype=bool)]
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in {x for x, k in zip(pair, keep, strict=True) if k}:
        partners[a].add(b)
        partners[b].add(a)
    members = {t for t, ps in partners.items() if t in flagged or (
        len(ps & flagged) >= rules.min_flagged_partners and len(ps & flagged) >= rules.min_flagged_share * len(ps))}
    p = p[p["src"].isin(members) & p["dst"].isin(members)]
    return _Trade(p.sort_values("time", kind="stable").reset_index(drop=True), members)


def _forwards(received: pd.DataFrame, sent: pd.DataFrame, rules: RoleRules) -> int:
    """How many received payments the trader passed on: paid most of the amount to another trader within hours."""
    window = timedelta(hours=rules.forward_hours)
    n = 0
    for time, src, amount in zip(received["time"], received["src"], received["amount"], strict=True):
        later = sent[(sent["time"] >= time) & (sent["time"] <= time + window) & (sent["dst"] != src)]
        n += bool(((later["amount"] >= rules.forward_min_amount_share * amount) & (later["amount"] <= amount)).any())
    return n


def _offers(profile: dict[str, Any]) -> tuple[int, int, float | None]:
    types = profile.get("product_types") or {}
    ppg = profile.get("price_per_gram") or {}
    return (sum(types.get(t, 0) for t in RAW_TYPES), sum(types.get(t, 0) for t in WORKED_TYPES), ppg.get("median"))


def _upstream_payments(these: pd.DataFrame, side: str, back: pd.DataFrame, back_side: str, first: dict[str, str],
                       role: str) -> int:
    """How many of ``these`` payments (received from, or paid to, traders of ``role``: ``side`` names the other end)
    go the way money flows up the chain: counted only when they carry more money than the ``back`` payments between
    the same traders the other way. A processor is paid by a wholesaler for its pieces more than it pays it; a
    retailer that pays its wholesaler and now and then receives a payment from one is downstream of it."""
    mine = these[side].map(lambda x: first.get(x) == role)
    theirs = back[back_side].map(lambda x: first.get(x) == role)
    return int(mine.sum()) if these.loc[mine, "amount"].sum() > back.loc[theirs, "amount"].sum() else 0


def chain_roles(payments: pd.DataFrame, profiles: dict[str, dict[str, Any]], traders: list[str],
                rules: RoleRules | None = None) -> dict[str, dict[str, Any]]:
    """Role, confidence (0-1) and reasons of each of ``traders``.

    ``payments``: time, src, dst, amount of payments whose both ends are traders. ``profiles``: trader profiles
    (``n_flagged``, ``product_types``, ``price_per_gram``)."""
    rules = rules or default_role_rules()
    flagged = {t for t in traders if profiles.get(t, {}).get("n_flagged", 0) > 0}
    payments = payments.assign(time=pd.to_datetime(payments["time"], utc=True), amount=payments["amount"].astype(float))
    trade = trade_payments(payments, flagged, rules)
    p = trade.payments
    received = {t: g for t, g in p.groupby("dst")}
    sent = {t: g for t, g in p.groupby("src")}
    empty = p.iloc[0:0]
    n_in = Counter(p["dst"])
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in zip(p["src"], p["dst"], strict=True):
        neighbours[a].add(b)
        neighbours[b].add(a)
    out: dict[str, dict[str, Any]] = {}

    def assign(t: str, role: str, confidence: float, *reasons: str) -> None:
        out[t] = {"role": role, "confidence": round(min(0.95, max(0.05, confidence)), 2), "reasons": list(reasons)}

    for t in traders:  # first pass: what a trader's own behaviour says
        raw, worked, ppg = _offers(profiles.get(t, {}))
        got, paid = received.get(t, empty), sent.get(t, empty)
        payers = set(got["src"])
        forwards = _forwards(got, paid, rules) if len(got) and len(paid) else 0
        if forwards >= rules.agent_min_forwards and forwards >= rules.agent_min_forward_share * len(got):
            share = forwards / len(got)
            assign(t, "agent", 0.5 + share, f"passed on {forwards} of the {len(got)} trade payments it received "
                   f"(≥{rules.forward_min_amount_share:.0%} of the amount within {rules.forward_hours:g} h)")
        elif len(payers) >= rules.wholesaler_min_payers and n_in[t] >= max((n_in[x] for x in neighbours[t]), default=0):
            assign(t, "wholesaler", 0.5 + 0.1 * len(payers), f"collects from {len(payers)} traders "
                   f"({n_in[t]} payments, the most among its trade partners)")
        elif raw + worked and raw >= rules.raw_min_share * (raw + worked):
            assign(t, "raw_trader", 0.5 + 0.5 * raw / (raw + worked), f"{raw} ads for raw or semi-worked pieces "
                   f"against {worked} worked")
        elif not raw + worked and ppg is not None and ppg <= rules.raw_max_price_per_gram:
            assign(t, "raw_trader", 0.6, f"median price {ppg:g} CNY/g, a raw-material price")
        elif not worked and t in trade.members and got["amount"].sum() > paid["amount"].sum() > 0:
            assign(t, "raw_trader", 0.5, f"paid {got['amount'].sum():,.0f} CNY by {len(payers)} traders, more than it "
                   "pays them, and offers no worked pieces")
    first = {t: r["role"] for t, r in out.items()}
    for t in traders:  # second pass: position relative to the raw traders and wholesalers found
        raw, worked, _ = _offers(profiles.get(t, {}))
        got, paid = received.get(t, empty), sent.get(t, empty)
        from_wholesaler = _upstream_payments(got, "src", paid, "dst", first, "wholesaler")
        to_supplier = _upstream_payments(paid, "dst", got, "src", first, "raw_trader")
        if first.get(t) == "raw_trader" and min(from_wholesaler, to_supplier) >= rules.processor_min_payments:
            # between a raw trader it pays and a wholesaler that pays it: a processor offering its rough stock
            assign(t, "processor", 0.4 + 0.05 * (from_wholesaler + to_supplier),
                   f"paid {from_wholesaler} times by a wholesaler", f"pays a raw trader {to_supplier} times",
                   f"{raw} ads for raw or semi-worked pieces against {worked} worked")
            continue
        if t in out:
            continue
        n_flagged = profiles.get(t, {}).get("n_flagged", 0)
        if n_flagged and max(from_wholesaler, to_supplier) >= rules.processor_min_payments:
            reasons = [f"paid {from_wholesaler} times by a wholesaler"] if from_wholesaler else []
            reasons += [f"pays a raw trader {to_supplier} times"] if to_supplier else []
            assign(t, "processor", 0.4 + 0.05 * (from_wholesaler + to_supplier), *reasons,
                   f"{worked} ads for worked pieces")
        elif n_flagged:
            confidence = 0.5 + 0.4 * worked / (raw + worked) if raw + worked else 0.4
            assign(t, "retailer", confidence, f"{n_flagged} flagged ads ({worked} for worked pieces); no trader "
                   "supplies through it")
        elif len(paid) and t in trade.members:
            assign(t, "buyer", 0.5, f"pays {paid['dst'].nunique()} traders ({len(paid)} payments), advertises nothing")
        else:
            out[t] = {"role": "unknown", "confidence": 0.0, "reasons": ["no flagged ads and no trade with traders"]}
    return out
