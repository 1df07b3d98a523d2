"""A ranking model learned from labelled accounts: gradient-boosted trees (LightGBM) over the scale-free
per-account features of :mod:`wildtrace.money._features`, saved as a folder (the booster as LightGBM's
text format and a JSON description; nothing pickled), and scores that carry their reasons: the
features that drove each account's score (its SHAP contributions, from LightGBM's ``pred_contrib``)
and the typologies that hit it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from wildtrace.money._features import build_features, describe
from wildtrace.money._frame import Frame
from wildtrace.money._pipeline import MoneyResult, draft_alerts

MODEL_FILE, META_FILE = "model.txt", "model.json"
FORMAT = 1
MODEL_THRESHOLD = 0.5
"""Alert threshold on the learned probability: an account the model finds more likely laundering than not."""
# One thread: the tables are small (one row per account) and OpenMP threads that spin while waiting are many
# times slower on a busy machine (4,000 accounts: 4.6 s on one thread, 75 s on two under load).
PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_iterations": 300, "num_leaves": 15,
    "min_data_in_leaf": 10, "bagging_fraction": 0.8, "bagging_freq": 1, "feature_fraction": 0.7,
    "lambda_l2": 1.0, "seed": 7, "deterministic": True, "num_threads": 1, "verbose": -1,
}
TOP_DRIVERS = 3


@dataclass
class MoneyModel:
    """A trained booster and what it needs to score another ledger: its feature names, alert threshold
    and a description of its training (ledger, accounts, positives, time unit, timings)."""

    booster: lgb.Booster
    features: list[str]
    threshold: float = MODEL_THRESHOLD
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / MODEL_FILE))
        (folder / META_FILE).write_text(json.dumps(
            {"format": FORMAT, "features": self.features, "threshold": self.threshold, **self.meta},
            indent=2, default=str), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> MoneyModel:
        folder = Path(folder)
        for name in (MODEL_FILE, META_FILE):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder}: no {name} (train one with `wildtrace money train`)")
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{folder / META_FILE}: {exc}") from exc
        if meta.get("format") != FORMAT or not isinstance(meta.get("features"), list):
            raise ValueError(f"{folder / META_FILE}: not a money model of format {FORMAT} with a feature list")
        booster = lgb.Booster(model_file=str(folder / MODEL_FILE))
        if booster.feature_name() != meta["features"]:
            raise ValueError(f"{folder}: the booster's features differ from {META_FILE}'s")
        features, threshold = meta.pop("features"), float(meta.pop("threshold", MODEL_THRESHOLD))
        meta.pop("format")
        return cls(booster, features, threshold, meta)

    def score(self, features: pd.DataFrame) -> pd.DataFrame:
        """``account``, ``score`` (probability) and ``drivers`` (the features that raised the score most:
        name, value, contribution in log-odds) for every row of ``features``."""
        x = design(features, self.features)
        raw = np.asarray(self.booster.predict(x, pred_contrib=True))
        contrib = raw[:, :-1]
        logit = raw.sum(axis=1)
        prob = 1.0 / (1.0 + np.exp(-logit))
        top = np.argsort(-contrib, axis=1)[:, :TOP_DRIVERS]
        values = x.to_numpy()
        drivers = [[(self.features[j], float(values[i, j]), float(contrib[i, j])) for j in top[i] if contrib[i, j] > 0]
                   for i in range(len(x))]
        return pd.DataFrame({"account": features["account"].to_numpy(), "score": prob.round(4), "drivers": drivers})


def design(features: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of ``features`` (one row per account) as floats; a typology that did not run or hit
    counts as 0, any other missing feature stays missing (NaN, which the trees route on their own)."""
    x = features.reindex(columns=columns)
    hit = [c for c in columns if c.startswith("typ_") or c in ("typology_max", "risk_score")]
    x[hit] = x[hit].fillna(0.0)
    return x.astype(float)


def fit(x: pd.DataFrame, y: np.ndarray, params: dict[str, Any] | None = None) -> lgb.Booster:
    """Gradient-boosted trees on the feature matrix ``x`` and 0/1 labels ``y``."""
    if len(np.unique(y)) < 2:
        raise ValueError("labels: need both laundering (1) and other (0) accounts to learn from")
    data = lgb.Dataset(x.astype(float), label=y, feature_name=list(x.columns), free_raw_data=True)
    return lgb.train({**PARAMS, **(params or {})}, data)


def model_features(features: pd.DataFrame) -> list[str]:
    """The columns a model learns from: every feature but the account."""
    return [c for c in features.columns if c != "account"]


def train_model(frame: Frame, labels: pd.Series, hits: pd.DataFrame | None = None,
          risk: pd.DataFrame | None = None, params: dict[str, Any] | None = None) -> MoneyModel:
    """Build the features of every account of ``frame`` and fit a model on the accounts of ``labels``
    (account -> 0/1). ``hits`` and ``risk`` are an unsupervised run's on the same frame (typology
    strengths and its risk score become features). Timings of both steps go into the model's meta."""
    t0 = time.perf_counter()
    features = account_features(frame, hits, risk)
    t1 = time.perf_counter()
    known = features[features["account"].isin(labels.index)]
    if known.empty:
        raise ValueError("labels: none of the labelled accounts appears in the transactions")
    cols = model_features(features)
    booster = fit(design(known, cols), labels.loc[known["account"]].to_numpy())
    t2 = time.perf_counter()
    n = frame.counts.get("mx_tx", 0)
    meta = {"payments": n, "accounts": len(features), "labelled": len(known),
            "positives": int(labels.loc[known["account"]].sum()), "source": frame.source,
            "feature_seconds": round(t1 - t0, 2), "train_seconds": round(t2 - t1, 2),
            "seconds_per_million_payments": {"features": round((t1 - t0) * 1e6 / max(n, 1), 1),
                                             "training": round((t2 - t1) * 1e6 / max(n, 1), 1)},
            "top_features": _top_features(booster), "params": {**PARAMS, **(params or {})},
            "ledger_sha256": ledger_fingerprint(frame)}
    return MoneyModel(booster, cols, MODEL_THRESHOLD, meta)


def ledger_fingerprint(frame: Frame) -> str:
    """SHA-256 of the ledger's payments (time, payer, payee, amount; sorted): the same whatever the file's
    format, row order, column names or payment ids (which may be row numbers), so a model can tell the
    ledger it was trained on."""
    return str(frame.con.execute("""
        SELECT sha256(coalesce(string_agg(concat_ws('|', t, payer, payee, amount), chr(10)
                                          ORDER BY t, payer, payee, amount), '')) FROM mx_tx""").fetchall()[0][0])


def trained_on(frame: Frame, model: MoneyModel) -> bool:
    """Whether ``frame``'s ledger is the one ``model`` was trained on (an old model that recorded no fingerprint
    of its training ledger cannot tell, and says no)."""
    recorded = model.meta.get("ledger_sha256")
    return recorded is not None and recorded == ledger_fingerprint(frame)  # the ledger hashed only to compare


OWN_LEDGER = "scored on its own training ledger"


def own_ledger_warning(positives: int, negatives: int) -> str:
    """What ``eval money --model`` says of a model scored on its own training ledger, pointing to ``--cv`` when
    the labels allow two folds."""
    folds = min(5, positives, negatives)
    return (f"{OWN_LEDGER}: not a measure of quality"
            + (f"; cross-validate instead (--cv {folds}, without --model)" if folds >= 2 else ""))


def _top_features(booster: lgb.Booster, n: int = 10) -> dict[str, float]:
    """The ``n`` features the trees gained most from, with their share of the total gain."""
    gain = pd.Series(booster.feature_importance("gain"), index=booster.feature_name())
    return (gain / max(gain.sum(), 1e-12)).nlargest(n).round(3).to_dict()


def account_features(frame: Frame, hits: pd.DataFrame | None, risk: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`build_features` plus the unsupervised run's total risk as ``risk_score``."""
    features = build_features(frame, hits)
    scores = dict(zip(risk["subject"], risk["score"], strict=True)) if risk is not None and not risk.empty else {}
    features["risk_score"] = features["account"].map(scores).fillna(0.0).astype(float)
    return features


def reasons_of(score: float, drivers: list[tuple[str, float, float]]) -> str:
    """One sentence: the model's score and the features that drove it, with their values."""
    parts = [f"{describe(name)} = {value:.3g} (+{c:.2f})" for name, value, c in drivers]
    return f"learned model {score:.2f}: " + ("; ".join(parts) if parts else "no feature raised it")


def apply_model(frame: Frame, result: MoneyResult, model: MoneyModel) -> MoneyResult:
    """``result`` with every account of ``frame`` scored by ``model`` instead of the unsupervised risk:
    each account's reasons start with the model's score and the features that drove it, followed by its
    typology and network reasons; its evidence is its payments with other accounts over the model's
    threshold (the money moved inside the group the model points at), then its typology evidence. Phones
    and waybills keep their unsupervised scores and alerts. On the model's own training ledger the result's
    ``params`` carry a ``warning`` (its scores there are fitted, not predicted)."""
    features = account_features(frame, result.hits, result.risk)
    scored = model.score(features)
    old = result.risk.set_index("subject")
    flagged = scored.loc[scored["score"] >= model.threshold, "account"]
    ties = ties_between(frame, flagged)
    rows = []
    for r in scored.itertuples(index=False):
        prior = old.loc[r.account] if r.account in old.index else None
        reasons = [reasons_of(r.score, r.drivers)] + (list(prior["reasons"]) if prior is not None else [])
        evidence = list(dict.fromkeys(ties.get(r.account, []) + (list(prior["evidence"]) if prior is not None else [])))
        rows.append((r.account, "account", float(r.score),
                     float(prior["typology_score"]) if prior is not None else 0.0,
                     float(prior["network_score"]) if prior is not None else 0.0, reasons, evidence,
                     list(prior["typologies"]) if prior is not None else []))
    accounts = pd.DataFrame(rows, columns=list(result.risk.columns))
    others = result.risk[~result.risk["subject"].isin(accounts["subject"])]
    risk = pd.concat([accounts, others], ignore_index=True).sort_values(["score", "subject"], ascending=[False, True],
                                                                         ignore_index=True)
    now = datetime.now(UTC)
    alerts = (draft_alerts(accounts, model.threshold, now, "learned")
              + [a for a in result.alerts if a.subject not in set(accounts["subject"])])
    alerts.sort(key=lambda a: (-a.score, a.subject))
    params = {**result.params, "model": {"threshold": model.threshold, "source": model.meta.get("source"),
                                         "features": len(model.features)}}
    if trained_on(frame, model):
        params["warning"] = (f"the model was {OWN_LEDGER}: its scores of these accounts are fitted to the labels "
                             "it learned, not predictions")
    return MoneyResult(result.run_id, result.hits, risk, alerts, result.counts, params)


def ties_between(frame: Frame, accounts: pd.Series) -> dict[str, list[str]]:
    """Per account of ``accounts``, all its payments with others of them, by time.
    Hubs (over three times the counterparties of the ledger's 99th percentile: an exchange, a payment
    processor, the outside world as one account) tie no one together, so their payments are not cited."""
    if accounts.empty:
        return {}
    frame.con.register("_mx_flag", pd.DataFrame({"a": accounts.astype(str)}))
    rows = frame.df("""
        WITH f AS (SELECT a FROM _mx_flag),
        cand AS (SELECT id, t, payer, payee FROM mx_tx WHERE payer IN (SELECT a FROM f) AND payee IN (SELECT a FROM f)
                 AND payer <> payee),
        deg AS (SELECT a, count(DISTINCT cp) AS d FROM (SELECT payer AS a, payee AS cp FROM mx_tx
                                                        UNION ALL SELECT payee, payer FROM mx_tx) GROUP BY a),
        hub AS (SELECT a FROM deg WHERE d > 3 * (SELECT quantile_disc(d, 0.99) FROM deg) AND a IN (SELECT a FROM f)),
        x AS (SELECT * FROM cand WHERE payer NOT IN (SELECT a FROM hub) AND payee NOT IN (SELECT a FROM hub))
        SELECT account, list(id ORDER BY t, id) AS ids FROM (
            SELECT payer AS account, id, t FROM x UNION ALL SELECT payee, id, t FROM x) GROUP BY account""")
    frame.con.unregister("_mx_flag")
    return {r.account: [str(i) for i in r.ids] for r in rows.itertuples(index=False)}
