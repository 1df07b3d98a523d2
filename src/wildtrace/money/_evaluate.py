"""Measure the money stage on labelled data: accounts against 0/1 labels, typologies against labelled
transactions and waybills (such as the simulator's truth files, or an analyst's own)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

from wildtrace.money._pipeline import ALERT_THRESHOLD, MoneyResult
from wildtrace.money._registry import pattern_flags

# Which of our typologies find each labelled pattern (the simulator's names; a user's file may use ours).
PATTERN_DETECTORS: dict[str, tuple[str, ...]] = {
    "fan_in": ("fan_in", "gather_scatter", "funnel_from_flagged"),
    "pass_through": ("pass_through", "gather_scatter", "scatter_gather"),
    "cycle": ("cycle",),
    "sale": ("price_match", "flagged_counterparty"),
    "supply": ("flagged_counterparty",),
    "false_name": ("phone_many_names",),
    "third_party_pickup": ("third_party_pickup",),
    "direct": ("parcel_to_flagged_seller", "parcel_between_traders", "seizure_linked"),
}


def evaluate_accounts(result: MoneyResult, labels: pd.DataFrame, account_col: str, label_col: str,
                      threshold: float = ALERT_THRESHOLD) -> dict[str, float | int]:
    """Precision, recall and F1 of ``score >= threshold`` and average precision of the risk ranking, over
    the labelled accounts (an account the run never scored has risk 0)."""
    for col in (account_col, label_col):
        if col not in labels.columns:
            raise ValueError(f"labels: no column '{col}'; the file has {list(labels.columns)}")
    y = pd.to_numeric(labels[label_col], errors="coerce")
    if y.isna().any() or not set(y.unique()) <= {0, 1}:
        raise ValueError(f"labels: column '{label_col}' must hold 0 or 1 on every row")
    scores = dict(zip(result.risk["subject"], result.risk["score"], strict=True))
    s = labels[account_col].astype(str).map(lambda a: scores.get(a, 0.0)).astype(float)
    pred = (s >= threshold).astype(int)
    p, r, f, _ = precision_recall_fscore_support(y.astype(int), pred, average="binary", zero_division=0)
    ap = float(average_precision_score(y.astype(int), s)) if y.sum() else 0.0
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
            "average_precision": round(ap, 4), "n": len(labels), "positives": int(y.sum()),
            "threshold": threshold}


def evaluate_pattern_members(result: MoneyResult, patterns: pd.DataFrame) -> dict[str, dict[str, float | int]]:
    """Per labelled pattern type (``patterns``: ``account``, ``type``): how many of its accounts a pattern hit
    names (as subject or member; typologies registered as patterns), its recall, and which typologies named
    them; under ``all``, the same over every labelled pattern account, and the precision of the accounts the
    pattern hits name (the share of them in a labelled pattern)."""
    hits = result.hits[pattern_flags(result.hits)] if not result.hits.empty else result.hits
    named: dict[str, set[str]] = {}
    for h in hits.itertuples(index=False):
        members = h.members if isinstance(h.members, list) else []
        for a in {h.subject, *members}:
            named.setdefault(str(a), set()).add(str(h.typology))
    out: dict[str, dict[str, float | int]] = {}
    typed = patterns.assign(account=patterns["account"].astype(str))
    for kind, group in [*typed.groupby("type"), ("all", typed)]:
        accounts = set(group["account"])
        found = accounts & set(named)
        by: dict[str, int] = {}
        for a in found:
            for t in named[a]:
                by[t] = by.get(t, 0) + 1
        out[str(kind)] = {"accounts": len(accounts), "found": len(found),
                          "recall": round(len(found) / max(1, len(accounts)), 4),
                          **{f"by_{t}": n for t, n in sorted(by.items())}}
    out["all"]["named"] = len(named)
    out["all"]["precision"] = round(len(set(named) & set(typed["account"])) / max(1, len(named)), 4)
    return out


def evaluate_typologies(result: MoneyResult, truth_dir: str | Path) -> dict[str, dict[str, float | int]]:
    """Per labelled pattern: recall (labelled items found in the evidence of its detectors' hits), and per
    typology: hits, the share of hits whose evidence holds a labelled trade item (hit precision), and
    the false-alert rate (hits without any); and the precision and recall of the waybill alerts. Reads
    ``transactions.csv`` (id,is_trade,typology) and ``shipments.csv`` (waybill,is_trade,pattern) from
    ``truth_dir``."""
    truth_dir = Path(truth_dir)
    labelled = []
    tx = truth_dir / "transactions.csv"
    if tx.exists():
        t = pd.read_csv(tx, dtype=str)
        labelled.append(pd.DataFrame({"item": t["id"], "is_trade": t["is_trade"].astype(int),
                                      "pattern": t["typology"]}))
    shp = truth_dir / "shipments.csv"
    if shp.exists():
        s = pd.read_csv(shp, dtype=str)
        labelled.append(pd.DataFrame({"item": s["waybill"], "is_trade": s["is_trade"].astype(int),
                                      "pattern": s["pattern"]}))
    if not labelled:
        raise FileNotFoundError(f"{truth_dir}: no transactions.csv or shipments.csv")
    truth = pd.concat(labelled, ignore_index=True)
    trade = set(truth.loc[truth["is_trade"] == 1, "item"])
    found: dict[str, set[str]] = {}
    out: dict[str, dict[str, float | int]] = {}
    for name, group in result.hits.groupby("typology"):
        evidence = [set(map(str, e)) for e in group["evidence"]]
        found[str(name)] = set().union(*evidence)
        with_trade = sum(1 for e in evidence if e & trade)
        out[f"typology:{name}"] = {"hits": len(group), "hit_precision": round(with_trade / len(group), 4),
                                   "false_alert_rate": round(1 - with_trade / len(group), 4)}
    for pattern, items in truth[truth["is_trade"] == 1].groupby("pattern"):
        detectors = PATTERN_DETECTORS.get(str(pattern), (str(pattern),))
        seen = set().union(*(found.get(d, set()) for d in detectors))
        out[f"pattern:{pattern}"] = {"n": len(items), "recall": round(len(set(items["item"]) & seen) / len(items), 4),
                                     "detectors": ",".join(detectors)}  # type: ignore[dict-item]
    if shp.exists():
        out["alerts:waybill"] = _waybill_alerts(result, s)
    benign = set(truth.loc[truth["is_trade"] == 0, "item"])
    flagged = set().union(*found.values()) if found else set()
    out["overall"] = {"trade_items": len(trade), "trade_recall": round(len(trade & flagged) / max(1, len(trade)), 4),
                      "benign_items": len(benign),
                      "benign_flagged_rate": round(len(benign & flagged) / max(1, len(benign)), 4)}
    return out


def _waybill_alerts(result: MoneyResult, shipments: pd.DataFrame) -> dict[str, float | int]:
    """Precision and recall of the alerts on waybills against labelled shipments (unlabelled ones left out)."""
    label = dict(zip(shipments["waybill"], shipments["is_trade"].astype(int), strict=True))
    alerted = [label[a.subject] for a in result.alerts if a.subject_kind == "waybill" and a.subject in label]
    trade = sum(label.values())
    return {"alerts": len(alerted), "precision": round(sum(alerted) / max(1, len(alerted)), 4),
            "recall": round(sum(alerted) / max(1, trade), 4)}
