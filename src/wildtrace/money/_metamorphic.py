"""Metamorphic checks of the money stage: the same ledger written another way must be found the same.

A transform rewrites a labelled ledger (``id, payer, payee, amount, step``; one step a day) in a way that
changes nothing a sound detector may rely on: amounts in another currency unit, times as epoch seconds,
ISO timestamps with UTC offsets or dates, the time axis stretched or compressed (a ledger spanning two
weeks or two years), account ids hashed, rows shuffled, extra columns, other column names. Each variant is
run like any ledger (:func:`run_variant`: the unsupervised stage, and the learned model's cross-validation
when asked) and compared with the original (:func:`invariance_report`): average precision, the recall of
each labelled pattern type, and whether the hits and every account's score are the same.

``exact`` transforms write the same instants and amounts (up to a unit): their hits and scores must be
identical. Others (``jitter``: payments spread over the hours of their day) change the data a little, so
they are reported, not required to match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wildtrace.money._labels import read_patterns

DAY = 86400
ORIGIN = datetime(2023, 1, 2, tzinfo=UTC)  # step 0
OFFSETS = ("-05:00", "+00:00", "+05:30", "+08:00", "+09:45")
SEED = 11


@dataclass
class Variant:
    """A ledger written one way: its rows, the mapping of WildTrace fields to its columns and the account
    names it uses (original name -> its name), so labels and patterns follow."""

    rows: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    rename: Callable[[str], str] | None = None
    exact: bool = True
    suffix: str = ".parquet"


def _instants(steps: pd.Series, seconds_per_step: int) -> pd.Series:
    """Epoch seconds of each step from :data:`ORIGIN`."""
    return int(ORIGIN.timestamp()) + steps.astype("int64") * seconds_per_step


def _iso(epoch: pd.Series, offsets: pd.Series | str) -> list[str]:
    """Each instant as an ISO timestamp in its UTC offset (``+08:00``): the same instant, another clock."""
    out = []
    for t, off in zip(epoch, offsets if not isinstance(offsets, str) else [offsets] * len(epoch), strict=True):
        sign = -1 if off[0] == "-" else 1
        shift = sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
        local = datetime.fromtimestamp(int(t) + shift, UTC).replace(tzinfo=None)
        out.append(local.isoformat() + off)
    return out


def _hashed(name: str) -> str:
    return "acct_" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _home_offsets(payers: pd.Series) -> pd.Series:
    """A UTC offset per payer (its home zone), the same for every run."""
    return payers.map(lambda p: OFFSETS[int(hashlib.sha256(str(p).encode()).hexdigest(), 16) % len(OFFSETS)])


def _everything(rows: pd.DataFrame) -> Variant:
    """Hashed ids, shuffled rows, amounts x1000, two years of ISO timestamps in home offsets, renamed and
    extra columns: every rewrite at once."""
    rng = np.random.default_rng(SEED)
    x = rows.sample(frac=1.0, random_state=SEED).reset_index(drop=True)
    epoch = _instants(x["step"], 7 * DAY)
    out = pd.DataFrame({"reference": x["id"], "when": _iso(epoch, _home_offsets(x["payer"])),
                        "from_account": x["payer"].map(_hashed), "to_account": x["payee"].map(_hashed),
                        "value": x["amount"] * 1000, "branch": rng.integers(1, 90, len(x)),
                        "memo": "ref " + x["id"].astype(str)})
    return Variant(out, {"id": "reference", "time": "when", "payer": "from_account", "payee": "to_account",
                         "amount": "value"}, _hashed, suffix=".csv")


def _jitter(rows: pd.DataFrame) -> Variant:
    """Each payment at a random second of its day (ISO, +08:00): time of day appears where there was none,
    and the order of payments within a day changes. Not exact: reported, not required to match."""
    rng = np.random.default_rng(SEED)
    epoch = _instants(rows["step"], DAY) + rng.integers(0, DAY, len(rows))
    return Variant(rows.assign(step=_iso(epoch, "+08:00")), exact=False)


@dataclass(frozen=True)
class Transform:
    """One rewrite of a ledger: what it does, and the function from rows to :class:`Variant`."""

    what: str
    apply: Callable[[pd.DataFrame], Variant]


LEDGER_REWRITES: dict[str, Transform] = {name: Transform(what, fn) for name, (what, fn) in {
    "original": ("integer steps (one a day)", lambda r: Variant(r)),
    "amount_x1000": ("amounts x1000", lambda r: Variant(r.assign(amount=r["amount"] * 1000))),
    "amount_div100": ("amounts /100 (another currency)", lambda r: Variant(r.assign(amount=r["amount"] / 100))),
    "epoch_seconds": ("times as epoch seconds", lambda r: Variant(r.assign(step=_instants(r["step"], DAY)))),
    "epoch_ms": ("times as epoch milliseconds", lambda r: Variant(r.assign(step=_instants(r["step"], DAY) * 1000))),
    "iso_offsets": ("ISO timestamps, each payer in its own UTC offset (the same instants)",
                    lambda r: Variant(r.assign(step=_iso(_instants(r["step"], DAY), _home_offsets(r["payer"]))),
                                      suffix=".csv")),
    "dates": ("ISO dates", lambda r: Variant(r.assign(step=[d[:10] for d in _iso(_instants(r["step"], DAY),
                                                                                   "+00:00")]), suffix=".csv")),
    "steps_x7": ("integer steps x7 (one step a week of days)", lambda r: Variant(r.assign(step=r["step"] * 7))),
    "span_2_years": ("timestamps, a step = 7 days (about two years)",
                     lambda r: Variant(r.assign(step=_iso(_instants(r["step"], 7 * DAY), "+00:00")), suffix=".csv")),
    "span_2_weeks": ("epoch seconds, a step = 3 hours (about two weeks)",
                     lambda r: Variant(r.assign(step=_instants(r["step"], 3 * 3600)))),
    "hashed_ids": ("account ids hashed (another order of names)",
                   lambda r: Variant(r.assign(payer=r["payer"].map(_hashed), payee=r["payee"].map(_hashed)),
                                     rename=_hashed)),
    "shuffled_rows": ("rows shuffled", lambda r: Variant(r.sample(frac=1.0, random_state=SEED))),
    "shuffled_no_ids": ("rows shuffled, no id column (payments numbered by row)",
                        lambda r: Variant(r.drop(columns="id").sample(frac=1.0, random_state=SEED))),
    "extra_columns": ("unrelated columns added", lambda r: Variant(r.assign(
        branch=np.arange(len(r)) % 37, balance_after=r["amount"].cumsum(), note="n" + r["id"].astype(str)))),
    "column_names": ("other column names, mapped", lambda r: Variant(
        r.rename(columns={"id": "txn", "payer": "sourceNodeId", "payee": "targetNodeId", "amount": "value",
                          "step": "timestamp"}),
        {"id": "txn", "payer": "sourceNodeId", "payee": "targetNodeId", "amount": "value", "time": "timestamp"})),
    "everything": ("all of these at once (ids, rows, x1000, two years in offsets, columns)", _everything),
    "jitter": ("each payment at a random second of its day (not exact)", _jitter),
}.items()}


def ledger_rows(path: str | Path) -> pd.DataFrame:
    """The ledger's ``id, payer, payee, amount, step`` (and ``type``) as text ids, without its labels."""
    table = pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)
    keep = [c for c in ("id", "payer", "payee", "amount", "step", "type") if c in table]
    out = table[keep].copy()
    for col in ("id", "payer", "payee"):
        out[col] = out[col].astype(str)
    return out


def write_variant(variant: Variant, folder: Path, name: str) -> tuple[Path, dict[str, str]]:
    """The variant as a file; its path and the mapping for ``open_frame``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}{variant.suffix}"
    if variant.suffix == ".csv":
        variant.rows.to_csv(path, index=False)
    else:
        variant.rows.to_parquet(path, index=False)
    columns = variant.columns or {"time": "step"}
    return path, columns


@dataclass
class VariantRun:
    """What one variant gave, with account names mapped back to the original's."""

    name: str
    metrics: dict[str, Any]
    scores: dict[str, float]
    hits: set[tuple[str, str, float]]
    profile: dict[str, Any]
    exact: bool = True
    cv: dict[str, Any] | None = None


def run_variant(name: str, rows: pd.DataFrame, accounts: pd.DataFrame, patterns: pd.DataFrame | None,
                folder: Path, folds: int = 0) -> VariantRun:
    """Write ``rows`` transformed by ``LEDGER_REWRITES[name]``, run the unsupervised stage on it and evaluate it
    against ``accounts`` (``account``, ``is_sar``) and typed ``patterns`` (``account``, ``pattern``, ``type``),
    names renamed as the variant renames them; with ``folds`` >= 2 also cross-validate the learned model."""
    from wildtrace.money import analyse, evaluate_ledger, open_frame  # through the package: built-ins registered

    variant = LEDGER_REWRITES[name].apply(rows)
    path, columns = write_variant(variant, folder, name)
    rename = variant.rename or str
    back = {rename(a): a for a in set(rows["payer"]) | set(rows["payee"])}
    truth = accounts.assign(account=accounts["account"].astype(str).map(rename))
    groups = patterns.assign(account=patterns["account"].astype(str).map(rename)) if patterns is not None else None
    frame = open_frame(transactions=path, columns=columns)
    try:
        result = analyse(frame=frame)
        metrics = evaluate_ledger(frame, result, truth, "account", "is_sar", patterns=groups)
        cv = evaluate_ledger(frame, result, truth, "account", "is_sar", folds=folds, patterns=groups) \
            if folds >= 2 else None
        profile = frame.profile.as_dict()
    finally:
        frame.close()
        path.unlink()
    scores = {back.get(s, s): float(v) for s, v in zip(result.risk["subject"], result.risk["score"], strict=True)}
    hits = {(str(t), back.get(s, s), round(float(v), 4))
            for t, s, v in zip(result.hits["typology"], result.hits["subject"], result.hits["score"], strict=True)}
    return VariantRun(name, metrics, scores, hits, profile, variant.exact, cv)


def _by_typology(hits: set[tuple[str, str, float]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for typology, _, _ in hits:
        out[typology] = out.get(typology, 0) + 1
    return dict(sorted(out.items()))


def compare(base: VariantRun, other: VariantRun) -> dict[str, Any]:
    """How ``other`` differs from ``base``: average precision (and its change), the recall per labelled
    pattern type, hits gained and lost, and the largest change of any account's score."""
    names = set(base.scores) | set(other.scores)
    diff = max((abs(base.scores.get(a, 0.0) - other.scores.get(a, 0.0)) for a in names), default=0.0)
    changed = sum(abs(base.scores.get(a, 0.0) - other.scores.get(a, 0.0)) > 1e-6 for a in names)
    ap, ap0 = other.metrics["average_precision"], base.metrics["average_precision"]
    row: dict[str, Any] = {
        "average_precision": ap, "delta_ap": round(ap - ap0, 4),
        "recall": {k: v["recall"] for k, v in other.metrics.get("pattern_members", {}).items()},
        "hits_lost": _by_typology(base.hits - other.hits), "hits_new": _by_typology(other.hits - base.hits),
        "accounts_rescored": int(changed), "max_score_change": round(diff, 4),
        "unit": other.profile.get("unit"), "span": other.profile.get("span"),
        "time_of_day": other.profile.get("time_of_day")}
    if other.cv is not None and base.cv is not None:
        row["learned_ap"] = other.cv["learned"]["average_precision"]
        row["delta_learned_ap"] = round(other.cv["learned"]["average_precision"]
                                        - base.cv["learned"]["average_precision"], 4)
    return row


def invariance_report(ledger: str | Path, names: list[str] | None = None, folds: int = 0,
                      work: str | Path | None = None) -> dict[str, Any]:
    """Every transform (or ``names``) of the labelled ledger folder ``ledger`` (``transactions.parquet``,
    ``accounts.csv``, ``patterns.csv``, as AMLGentex writes them) against the original; ``work`` holds the
    variants while they run (a temporary folder by default)."""
    import tempfile

    folder = Path(ledger)
    unknown = set(names or []) - set(LEDGER_REWRITES)
    if unknown:
        raise ValueError(f"unknown transform(s) {sorted(unknown)}; known: {', '.join(LEDGER_REWRITES)}")
    rows = ledger_rows(folder / "transactions.parquet")
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str)
    pattern_file = folder / "patterns.csv"
    patterns = read_patterns(pattern_file, "account", "pattern_id") if pattern_file.exists() else None
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        base = run_variant("original", rows, accounts, patterns, Path(tmp), folds)
        report: dict[str, Any] = {"ledger": str(folder), "payments": len(rows), "transforms": {}}
        for name in names or [n for n in LEDGER_REWRITES if n != "original"]:
            run = base if name == "original" else run_variant(name, rows, accounts, patterns, Path(tmp), folds)
            report["transforms"][name] = {"what": LEDGER_REWRITES[name].what, "exact": run.exact, **compare(base, run)}
    report["original"] = {"average_precision": base.metrics["average_precision"],
                          "recall": {k: v["recall"] for k, v in base.metrics.get("pattern_members", {}).items()},
                          **({"learned_ap": base.cv["learned"]["average_precision"]} if base.cv else {})}
    return report
