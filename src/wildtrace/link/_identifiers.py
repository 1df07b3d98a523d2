"""The identifier graph: accounts tied by strong shared identifiers, with hub protection.

An identifier (phone, messenger ID, QQ, email, payment account, bank card, near-identical image)
seen on two accounts links them deterministically, unless it is a *hub*: shared by too many
accounts, or joining groups of accounts that each carry their own identifier of the same family
(a courier's service number beside each trader's own phone, a stock photo beside each trader's own
pictures, a platform support ID). Hubs are kept and reported, but never chain strangers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from wildtrace.link._components import components

STRONG_KINDS = ("phone", "messenger_id", "qq", "email", "telegram", "payment_account", "bank_card", "image_hash")
FAMILY = {
    "phone": "contact", "messenger_id": "contact", "qq": "contact", "email": "contact", "telegram": "contact",
    "payment_account": "payment", "bank_card": "payment", "image_hash": "image",
}
_NON_DIGIT = re.compile(r"\D+")
_SPACE = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class HubRules:
    """When a shared identifier counts as a hub instead of a link."""

    max_accounts: int = 8
    min_groups: int = 3


def match_key(kind: str, value: str) -> str:
    """The form two identifiers of ``kind`` are compared in (idempotent on extract's normalised values)."""
    v = _SPACE.sub("", str(value).strip().lower())
    if kind == "phone":
        digits = _NON_DIGIT.sub("", v)
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
                digits = digits[len(prefix):]
        return digits
    if kind == "bank_card":
        return _NON_DIGIT.sub("", v)
    if kind == "payment_account":
        return v.removeprefix("wallet:")
    if kind in ("messenger_id", "telegram"):  # traders reuse one handle across apps: compare without the app
        return v.rpartition(":")[2].lstrip("@")
    return v


def payment_endpoint_key(endpoint: str) -> tuple[str, str]:
    """(kind, key) of a transaction's payer or payee such as ``wallet:abc`` or ``bank:6222...``."""
    text = str(endpoint).strip()
    if text.lower().startswith("bank:"):
        return "bank_card", match_key("bank_card", text[5:])
    return "payment_account", match_key("payment_account", text)


def strong_identifiers(identifiers: pd.DataFrame) -> pd.DataFrame:
    """Rows of strong kinds with a ``key`` column; blank keys dropped, one row per (account, kind, key), except
    pictures: one per (account, same-picture group, file), the file's SHA-256 in ``raw``."""
    cols = ["account_id", "kind", "key", "value", "raw"]
    df = identifiers[identifiers["kind"].isin(STRONG_KINDS)].copy()
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["key"] = [match_key(k, v) if k != "image_hash" else str(v).lower() for k, v in zip(df["kind"], df["value"],
                                                                                          strict=True)]
    df["raw"] = df["raw"].where(df["kind"] == "image_hash") if "raw" in df.columns else None
    df = df[df["key"].str.len() > 0]
    return df.drop_duplicates(["account_id", "kind", "key", "raw"])[cols]


def find_hubs(ids: pd.DataFrame, rules: HubRules) -> pd.DataFrame:
    """Hub identifiers among ``ids`` (from :func:`strong_identifiers`): kind, key, n_accounts, n_groups, reason."""
    sizes = ids.groupby(["kind", "key"])["account_id"].nunique()
    shared = sizes[sizes >= 2]
    hubs: list[dict] = []
    for (kind, key), n in shared[shared > rules.max_accounts].items():
        hubs.append({"kind": kind, "key": key, "n_accounts": int(n), "n_groups": 0,
                     "reason": f"shared by {n} accounts (more than {rules.max_accounts})"})
    candidates = shared[(shared >= rules.min_groups) & (shared <= rules.max_accounts)]
    if not candidates.empty:
        too_big = {(h["kind"], h["key"]) for h in hubs}
        hubs.extend(_incompatible_hubs(ids, set(candidates.index), too_big, rules))
    return pd.DataFrame(hubs, columns=["kind", "key", "n_accounts", "n_groups", "reason"])


def _incompatible_hubs(ids: pd.DataFrame, candidates: set, excluded: set, rules: HubRules) -> list[dict]:
    """Candidates whose accounts fall into >= min_groups groups, each with its own same-family identifier.

    All candidates at once: per candidate, its accounts are grouped by the other identifiers they share
    (the candidate and ``excluded`` left out) in one connected-components pass over (candidate, account)
    nodes; a group is anchored when it holds a same-family identifier no other group of the candidate holds.
    """
    held = ids[["account_id", "kind", "key"]].drop_duplicates()
    keys = pd.MultiIndex.from_frame(held[["kind", "key"]])
    members = held[keys.isin(list(candidates))].rename(columns={"kind": "c_kind", "key": "c_key"})
    if members.empty:
        return []
    members = members.assign(node=members["c_kind"] + "\x00" + members["c_key"] + "\x00" + members["account_id"])
    other = members.merge(held[held["account_id"].isin(set(members["account_id"]))], on="account_id")
    other = other[(other["kind"] != other["c_kind"]) | (other["key"] != other["c_key"])]
    linking = other[~pd.MultiIndex.from_frame(other[["kind", "key"]]).isin(list(excluded))] if excluded else other
    anchor = linking.groupby(["c_kind", "c_key", "kind", "key"])["node"].transform("min")
    groups = components(members["node"], anchor, linking["node"])
    own = other.assign(kind_family=other["kind"].map(FAMILY), group=other["node"].map(groups))
    own = own[own["kind_family"] == own["c_kind"].map(FAMILY)].drop_duplicates(["c_kind", "c_key", "group", "kind",
                                                                                "key"])
    held_by = own.groupby(["c_kind", "c_key", "kind", "key"])["group"].transform("size")
    anchored = own[held_by == 1].groupby(["c_kind", "c_key"])["group"].nunique()
    n_accounts = members.groupby(["c_kind", "c_key"])["account_id"].nunique()
    hubs = []
    for (kind, key), n_groups in anchored[anchored >= rules.min_groups].sort_index().items():
        hubs.append({"kind": kind, "key": key, "n_accounts": int(n_accounts[(kind, key)]), "n_groups": int(n_groups),
                     "reason": f"joins {n_groups} groups of accounts that each have their own {FAMILY[kind]} "
                               "identifier"})
    return hubs


def identifier_edges(ids: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    """One edge per linked pair (each account to the smallest account holding the identifier), with reasons."""
    hub_keys = hubs[["kind", "key"]] if not hubs.empty else pd.DataFrame({"kind": pd.Series([], dtype=str),
                                                                         "key": pd.Series([], dtype=str)})
    with duckdb.connect() as con:
        con.register("ids", ids[["account_id", "kind", "key", "value"]].astype(str))
        con.register("hubs", hub_keys.astype(str))
        edges = con.execute("""
            WITH usable AS (
                SELECT i.*, min(account_id) OVER (PARTITION BY kind, key) AS anchor
                FROM ids i ANTI JOIN hubs h ON i.kind = h.kind AND i.key = h.key
            )
            SELECT anchor AS account_l, account_id AS account_r,
                   list_sort(list(DISTINCT 'shared ' || kind || ' ' || value)) AS reasons
            FROM usable WHERE account_id <> anchor
            GROUP BY anchor, account_id ORDER BY anchor, account_id
        """).df()
    return edges.assign(reasons=edges["reasons"].map(list))


def identifier_members(ids: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """kind, key and the sorted accounts holding each of ``keys``."""
    with duckdb.connect() as con:
        con.register("ids", ids[["account_id", "kind", "key"]].astype(str))
        con.register("keys", keys[["kind", "key"]].astype(str))
        members = con.execute("SELECT kind, key, list_sort(list(DISTINCT account_id)) AS accounts FROM ids "
                              "SEMI JOIN keys USING (kind, key) GROUP BY kind, key").df()
    return members.assign(accounts=members["accounts"].map(list))
