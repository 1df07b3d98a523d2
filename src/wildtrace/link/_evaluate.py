"""Scoring account-to-person linkage against ground truth: pairwise and B-cubed measures, backup recall."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

TRUTH_COLUMNS = ("account_id", "person_id")


def read_truth(path: str | Path) -> pd.DataFrame:
    """A truth file: CSV with ``account_id``, ``person_id`` and optionally ``is_backup``, ``backup_of``."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in TRUTH_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = []
        for i, row in enumerate(reader, start=2):
            if not row["account_id"] or not row["person_id"]:
                raise ValueError(f"{path}: line {i}: account_id and person_id must not be empty")
            rows.append(row)
    return pd.DataFrame(rows)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def score_linkage(predicted: dict[str, str], truth: pd.DataFrame) -> dict[str, Any]:
    """Compare ``predicted`` (account -> cluster) with ``truth`` on the accounts both know.

    Pairwise: precision and recall over pairs of accounts put together. B-cubed: per account, the share of
    its predicted cluster that is the same person (precision) and of its person that is in its cluster
    (recall), averaged. Backup recall: the share of true backup accounts put with the account they back up.
    """
    df = truth[truth["account_id"].isin(predicted.keys())].copy()
    if df.empty:
        raise ValueError("no account of the truth file was linked: is it the same world as the store?")
    df["cluster"] = df["account_id"].map(predicted)
    both = df.groupby(["cluster", "person_id"]).size()
    tp = _pairs(both)
    pred_pairs = _pairs(df.groupby("cluster").size())
    true_pairs = _pairs(df.groupby("person_id").size())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    joint = both.rename("n_both").reset_index()
    joint = joint.merge(df.groupby("cluster").size().rename("n_cluster").reset_index(), on="cluster")
    joint = joint.merge(df.groupby("person_id").size().rename("n_person").reset_index(), on="person_id")
    n = len(df)
    b3p = float((joint["n_both"] ** 2 / joint["n_cluster"]).sum() / n)
    b3r = float((joint["n_both"] ** 2 / joint["n_person"]).sum() / n)
    result: dict[str, Any] = {
        "accounts": n, "persons": int(df["person_id"].nunique()), "clusters": int(df["cluster"].nunique()),
        "pairwise": {"precision": round(precision, 4), "recall": round(recall, 4),
                     "f1": round(_f1(precision, recall), 4), "true_pairs": true_pairs,
                     "predicted_pairs": pred_pairs, "correct_pairs": tp},
        "bcubed": {"precision": round(b3p, 4), "recall": round(b3r, 4), "f1": round(_f1(b3p, b3r), 4)},
    }
    if "is_trader" in df.columns:  # recall on traders' own accounts apart from everyone else's
        traders = df[_yes(df["is_trader"])]
        true_pairs = _pairs(traders.groupby("person_id").size())
        tp = _pairs(traders.groupby(["cluster", "person_id"]).size())
        result["trader_pairs"] = {"true_pairs": true_pairs, "correct_pairs": tp,
                                  "recall": round(tp / true_pairs, 4) if true_pairs else None}
    if "is_backup" in df.columns and "backup_of" in df.columns:
        backups = df[_yes(df["is_backup"])]
        backups = backups[backups["backup_of"].isin(predicted.keys())]
        found = sum(predicted[r.account_id] == predicted[r.backup_of] for r in backups.itertuples())
        result["backup"] = {"backups": len(backups), "linked_to_original": int(found),
                            "recall": round(found / len(backups), 4) if len(backups) else None}
    return result


def _yes(flags: pd.Series) -> pd.Series:
    return flags.astype(str).str.lower().isin(("1", "true", "yes"))


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _accuracy(pairs: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Accuracy of (truth, predicted) pairs, with the confusion counts (``truth -> predicted``); a pair without a
    prediction (``unknown``) counts as wrong."""
    confusion: dict[str, int] = {}
    for truth, predicted in pairs:
        key = f"{truth} -> {predicted or '-'}"
        confusion[key] = confusion.get(key, 0) + 1
    right = sum(t == p for t, p in pairs)
    return {"accuracy": round(right / len(pairs), 4) if pairs else None, "n": len(pairs), "right": right,
            "unknown": sum(not p for _, p in pairs), "confusion": dict(sorted(confusion.items()))}


def _category_accuracy(pairs: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Category accuracy of (true category, profile of the account's trader) pairs. A trader that posts nothing
    offers nothing to read a category from (its money and parcels say whom it deals with, not what): its accounts
    are counted apart (``posting_nothing``, with their true categories), and ``accuracy_all`` counts them wrong."""
    silent = [c for c, p in pairs if not p.get("n_posts")]
    out = _accuracy([(c, p.get("category")) for c, p in pairs if p.get("n_posts")])
    out["posting_nothing"] = {"accounts": len(silent), "true_categories": dict(sorted(Counter(silent).items()))}
    out["accuracy_all"] = round(out["right"] / len(pairs), 4) if pairs else None
    return out


def score_traders(clusters: dict[str, str], table: pd.DataFrame, profiles: dict[str, dict[str, Any]],
                  truth: pd.DataFrame) -> dict[str, Any]:
    """Categories on trader accounts (:func:`_category_accuracy`), chain roles on network members with a known role,
    and communities against the true networks (adjusted Rand index), each per account of the truth (``is_trader``,
    ``category``, ``role``, ``network_id`` columns; absent columns are skipped)."""
    from sklearn.metrics import adjusted_rand_score

    node = table.set_index("node")
    known = truth[truth["account_id"].isin(clusters.keys())]
    trader_of = known["account_id"].map(clusters)
    out: dict[str, Any] = {}
    if {"is_trader", "category"} <= set(known.columns):
        traders = _yes(known["is_trader"])
        out["category"] = _category_accuracy([(c, profiles.get(t, {})) for c, t in
                                              zip(known.loc[traders, "category"], trader_of[traders], strict=True)])
    if {"role", "network_id"} <= set(known.columns):
        members = known["network_id"].fillna("").astype(bool) & known["role"].fillna("").astype(bool)
        out["role"] = _accuracy([(r, node["role"].get(t)) for r, t in
                                 zip(known.loc[members, "role"], trader_of[members], strict=True)])
        in_network = known["network_id"].fillna("").astype(bool)
        communities = [node["community"].get(t, f"alone:{t}") for t in trader_of[in_network]]
        out["communities"] = {
            "ari": round(float(adjusted_rand_score(known.loc[in_network, "network_id"], [str(c) for c in communities])),
                         4) if in_network.any() else None,
            "accounts": int(in_network.sum()), "networks": int(known.loc[in_network, "network_id"].nunique()),
            "communities": len(set(communities))}
    return out


def earner_ranks(ranking: list[str], clusters: dict[str, str], truth: pd.DataFrame, payment_truth: pd.DataFrame,
                 transactions: pd.DataFrame, top: int = 3) -> list[dict[str, Any]]:
    """The ``top`` persons who received most on their payment accounts (``payment_truth``: payment_account,
    person_id) and the rank of their trader in ``ranking`` (trader ids, most money first; None when absent)."""
    owner = dict(zip(payment_truth["payment_account"], payment_truth["person_id"], strict=True))
    received: dict[str, float] = {}
    for payee, amount in zip(transactions["payee"], transactions["amount"], strict=True):
        if payee in owner:
            received[owner[payee]] = received.get(owner[payee], 0.0) + float(amount or 0.0)
    rank = {t: i + 1 for i, t in enumerate(ranking)}
    accounts = truth.groupby("person_id")["account_id"].apply(list).to_dict()
    rows = []
    for person in sorted(received, key=lambda p: -received[p])[:top]:
        ranks = [rank[clusters[a]] for a in accounts.get(person, []) if clusters.get(a) in rank]
        rows.append({"person_id": person, "received": round(received[person], 2),
                     "rank": min(ranks) if ranks else None})
    return rows
