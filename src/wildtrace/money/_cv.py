"""Cross-validation of the learned ranking, with folds that keep laundering patterns whole, against the
unsupervised ranking, an in+out degree ranking and gradient-boosted trees on eight simple statistics, all
on the same folds (average precision per fold, its mean and spread, and pooled over the folds).

Folds are grouped so that a model is never tested on a pattern whose other members it was trained on:
with pattern ids (``account, pattern`` rows), an account goes with the pattern it leads (``is_main``) or
else its first one, and every pattern's members share a fold unless they also belong to another pattern;
without them, laundering accounts that pay each other are grouped (connected components of the labelled
accounts' payments), and a component holding more than a fold's share of them (a dense ledger) is cut
into Louvain communities. Either way the output says which grouping was used and how many patterns
still straddle folds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold

from wildtrace.money._evaluate import evaluate_accounts, evaluate_pattern_members
from wildtrace.money._features import SIMPLE
from wildtrace.money._frame import Frame
from wildtrace.money._labels import account_labels
from wildtrace.money._learn import (
    MODEL_THRESHOLD,
    MoneyModel,
    account_features,
    apply_model,
    design,
    fit,
    model_features,
    own_ledger_warning,
    ties_between,
)
from wildtrace.money._pipeline import MoneyResult

SEED = 7


@dataclass
class Grouping:
    """A fold group per labelled account and how it was made."""

    groups: np.ndarray
    how: str


def pattern_groups(accounts: pd.Series, patterns: pd.DataFrame) -> Grouping:
    """Groups from pattern membership (columns ``account``, ``pattern`` and optionally ``is_main``)."""
    p = patterns.assign(account=patterns["account"].astype(str), pattern=patterns["pattern"].astype(str))
    main = (p["is_main"].astype(str).str.lower().isin(("true", "1")) if "is_main" in p
            else pd.Series(False, index=p.index))
    first = p.assign(main=main).sort_values(["account", "main", "pattern"], ascending=[True, False, True])
    one = dict(zip(first.drop_duplicates("account")["account"], first.drop_duplicates("account")["pattern"],
                   strict=True))
    groups = np.array([f"pattern:{one[a]}" if a in one else f"account:{a}" for a in accounts])
    shared = int((p.groupby("account")["pattern"].nunique() > 1).sum())
    return Grouping(groups, f"by pattern id ({p['pattern'].nunique()} patterns; {shared} accounts in more than one "
                            "go with the pattern they lead, else their first)")


def graph_groups(frame: Frame, accounts: pd.Series, y: np.ndarray, folds: int) -> Grouping:
    """Groups from the payments between labelled laundering accounts: their connected components, a
    component larger than a fold's share of them cut into Louvain communities; other accounts alone."""
    positives = pd.DataFrame({"a": accounts[y == 1].astype(str)})
    frame.con.register("_mx_pos", positives)
    edges = frame.df("SELECT DISTINCT payer, payee FROM mx_tx WHERE payer IN (SELECT a FROM _mx_pos) "
                     "AND payee IN (SELECT a FROM _mx_pos) AND payer <> payee")
    frame.con.unregister("_mx_pos")
    g = nx.Graph()
    g.add_nodes_from(positives["a"])
    g.add_edges_from(edges.itertuples(index=False, name=None))
    cap = max(1, len(positives) // folds)
    of: dict[str, str] = {}
    cut = 0
    for i, comp in enumerate(nx.connected_components(g)):
        parts = [comp]
        if len(comp) > cap:
            parts = nx.community.louvain_communities(g.subgraph(comp), seed=SEED)
            cut += 1
        for j, part in enumerate(parts):
            of.update({a: f"component:{i}.{j}" for a in part})
    groups = np.array([of.get(a, f"account:{a}") for a in accounts.astype(str)])
    n = len(set(of.values()))
    return Grouping(groups, f"no pattern ids: laundering accounts grouped by the payments between them ({n} groups"
                            + (f"; {cut} component(s) over {cap} accounts cut into Louvain communities" if cut else "")
                            + ")")


def degree(frame: Frame) -> dict[str, int]:
    """In+out payments per account: the textbook baseline ranking."""
    d = frame.df("SELECT a, count(*) AS n FROM (SELECT payer AS a FROM mx_tx UNION ALL SELECT payee FROM mx_tx) "
                 "GROUP BY a")
    return dict(zip(d["a"], d["n"], strict=True))


def cross_validate(features: pd.DataFrame, labels: pd.Series, grouping: Grouping, unsupervised: dict[str, float],
                   degrees: dict[str, int], folds: int = 5, unsupervised_threshold: float = 0.6) -> dict[str, Any]:
    """Average precision of the learned model, the unsupervised ranking, in+out degree and trees on
    :data:`SIMPLE`, per fold of ``folds`` grouped by ``grouping`` (over ``labels``' accounts, in order);
    precision and recall at each ranking's alert threshold pooled over the folds; and the out-of-fold
    learned scores (``oof``: account -> score) for evidence checks."""
    accounts = labels.index.astype(str)
    y = labels.to_numpy().astype(int)
    cols = model_features(features)
    x_all = design(features.set_index("account").reindex(accounts), cols)
    rankings = {"learned": np.zeros(len(y)), "simple_gbt": np.zeros(len(y)),
                "unsupervised": np.array([unsupervised.get(a, 0.0) for a in accounts]),
                "degree": np.array([degrees.get(a, 0) for a in accounts], dtype=float)}
    per_fold: dict[str, list[float]] = {k: [] for k in rankings}
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    fold_of = np.zeros(len(y), dtype=int)
    for k, (tr, te) in enumerate(splitter.split(x_all, y, grouping.groups)):
        fold_of[te] = k
        for name, subset in (("learned", cols), ("simple_gbt", list(SIMPLE))):
            booster = fit(x_all.iloc[tr][subset], y[tr])
            rankings[name][te] = booster.predict(x_all.iloc[te][subset])
        for name, s in rankings.items():
            per_fold[name].append(float(average_precision_score(y[te], s[te])) if y[te].any() else math.nan)
    thresholds = {"learned": MODEL_THRESHOLD, "unsupervised": unsupervised_threshold}
    out: dict[str, Any] = {"folds": folds, "grouping": grouping.how, "accounts": len(y), "positives": int(y.sum()),
                           "positives_per_fold": [int(y[fold_of == k].sum()) for k in range(folds)]}
    for name, s in rankings.items():
        aps = np.array(per_fold[name])
        row = {"average_precision": round(float(np.nanmean(aps)), 4), "std": round(float(np.nanstd(aps)), 4),
               "per_fold": [round(float(a), 4) for a in aps],
               "pooled_average_precision": round(float(average_precision_score(y, s)), 4)}
        if name in thresholds:
            p, r, f, _ = precision_recall_fscore_support(y, (s >= thresholds[name]).astype(int), average="binary",
                                                         zero_division=0)
            row.update({"threshold": thresholds[name], "precision": round(float(p), 4), "recall": round(float(r), 4),
                        "f1": round(float(f), 4)})
        out[name] = row
    best = max(("degree", "simple_gbt", "unsupervised"), key=lambda n: out[n]["average_precision"])
    margin = out["learned"]["average_precision"] - out[best]["average_precision"]
    out["verdict"] = (f"learned model {'beats' if margin > 0 else 'does NOT beat'} the best baseline ({best}) "
                      f"by {margin:+.4f} average precision on the same folds")
    out["oof"] = dict(zip(accounts, rankings["learned"].round(4), strict=True))
    return out


def evaluate_learning(frame: Frame, result: MoneyResult, labels: pd.Series, folds: int = 5,
                      patterns: pd.DataFrame | None = None, laundering: set[str] | None = None) -> dict[str, Any]:
    """Cross-validate the learned model on ``frame``'s ledger against the baselines (:func:`cross_validate`),
    with the unsupervised run ``result`` on the same frame. With ``laundering`` payment ids (transaction
    labels), also the precision and recall of the payments each ranking cites as evidence at its alert
    threshold (the learned model's: the payments between the accounts it flags out of fold; the unsupervised
    run's: the evidence of its alerts). Times feature building and training per million payments."""
    t0 = time.perf_counter()
    features = account_features(frame, result.hits, result.risk)
    seconds = time.perf_counter() - t0
    accounts = labels.index.astype(str)
    grouping = (pattern_groups(pd.Series(accounts), patterns) if patterns is not None
                else graph_groups(frame, pd.Series(accounts), labels.to_numpy(), folds))
    unsupervised = dict(zip(result.risk["subject"], result.risk["score"], strict=True))
    threshold = float(result.params.get("alert_threshold", 0.6))
    t1 = time.perf_counter()
    report = cross_validate(features, labels, grouping, unsupervised, degree(frame), folds, threshold)
    n = max(frame.counts.get("mx_tx", 0), 1)
    report["seconds_per_million_payments"] = {
        "features": round(seconds * 1e6 / n, 1),
        "training": round((time.perf_counter() - t1) * 1e6 / n / (2 * folds), 1)}
    oof = report.pop("oof")
    if laundering:
        flagged = pd.Series([a for a, s in oof.items() if s >= MODEL_THRESHOLD], dtype=str)
        learned = {e for ids in ties_between(frame, flagged).values() for e in ids}
        alerted = {e for ev, s in zip(result.risk["evidence"], result.risk["score"], strict=True) if s >= threshold
                   for e in ev}
        report["payments"] = {"laundering": len(laundering), "learned": cited_share(learned, laundering),
                              "unsupervised": cited_share(alerted, laundering)}
    return report


def cited_share(cited: set[str], laundering: set[str]) -> dict[str, float | int]:
    """How many payments were cited, and their precision and recall against the laundering payments."""
    found = len(cited & laundering)
    return {"cited": len(cited), "precision": round(found / max(1, len(cited)), 4),
            "recall": round(found / max(1, len(laundering)), 4)}


def evaluate_ledger(frame: Frame, result: MoneyResult, truth: pd.DataFrame, key_col: str, label_col: str,
                    kind: str = "account", folds: int = 0, patterns: pd.DataFrame | None = None,
                    model: MoneyModel | None = None) -> dict[str, Any]:
    """Everything ``wildtrace eval money`` reports for one labelled ledger: with ``folds`` >= 2 the
    cross-validation of :func:`evaluate_learning`; otherwise the account metrics of the unsupervised run,
    or of ``model`` applied to it (with a ``warning`` when that is the ledger it was trained on); with
    transaction labels, the payments cited as evidence as well; with typed ``patterns``, the recall of their
    accounts by the pattern hits (:func:`evaluate_pattern_members`)."""
    labels, laundering = account_labels(frame, truth, key_col, label_col, kind)
    if folds >= 2:
        return evaluate_learning(frame, result, labels, folds, patterns, laundering)
    out: dict[str, Any] = {}
    if model is not None:
        result = apply_model(frame, result, model)
        if "warning" in result.params:
            positives = int(labels.sum())
            out["warning"] = own_ledger_warning(positives, len(labels) - positives)
    threshold = model.threshold if model is not None else float(result.params.get("alert_threshold", 0.6))
    table = pd.DataFrame({"account": labels.index, "label": labels.to_numpy()})
    out.update({"ranking": "learned model" if model is not None else "unsupervised",
                **evaluate_accounts(result, table, "account", "label", threshold)})
    if laundering:
        cited = {e for a in result.alerts for e in a.evidence}
        out["payments"] = {"laundering": len(laundering), **cited_share(cited, laundering)}
    if patterns is not None and "type" in patterns:
        out["pattern_members"] = evaluate_pattern_members(result, patterns)
    return out
