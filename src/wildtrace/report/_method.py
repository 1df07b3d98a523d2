"""Method and limitations: the sources watched and their coverage, what was captured, what was deleted and how
fast, how wrong the screening counts may be, and what the numbers cannot show.

Screening error is measured from the analysts' review decisions when the store holds enough of them (at least
``MIN_REVIEWS`` reviewed flagged posts and as many confirmed ones), else taken from the last evaluation of the
screening model (``data/screening_evaluation.yaml``, or the ``wildtrace eval --json`` output the analyst gives).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from wildtrace.model import Decision
from wildtrace.report import _queries as q
from wildtrace.report._data import PeriodData
from wildtrace.report._stats import corrected_count, share
from wildtrace.share import has_tables
from wildtrace.store import Store

MIN_REVIEWS = 30
COUNTS = ("tp", "fp", "fn", "tn")


class EvaluationError(ValueError):
    """An evaluation file is wrong; the message names the file and the entry."""


def parse_evaluation(data: Any, source: str) -> dict[str, Any]:
    """Validate an evaluation (the packaged YAML or ``wildtrace eval --json`` output): tp, fp, fn, tn counts."""
    if not isinstance(data, dict):
        raise EvaluationError(f"{source}: expected a mapping with tp, fp, fn and tn")
    for key in COUNTS:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise EvaluationError(f"{source}: {key}: expected a count (integer >= 0), got {value!r}")
    if data["tp"] + data["fp"] == 0 or data["tp"] + data["fn"] == 0:
        raise EvaluationError(f"{source}: no flagged or no positive posts: precision or recall is undefined")
    return {**{k: data[k] for k in COUNTS}, "model_version": data.get("model_version"),
            "measured": str(data.get("measured") or "unknown date"), "data": str(data.get("data") or source),
            "command": data.get("command"), "file": source}


@cache
def _packaged() -> dict[str, Any]:
    ref = resources.files("wildtrace.report") / "data" / "screening_evaluation.yaml"
    return parse_evaluation(yaml.safe_load(ref.read_text(encoding="utf-8")), "wildtrace/report/data/"
                            "screening_evaluation.yaml")


def load_evaluation(path: str | None = None) -> dict[str, Any]:
    """The screening evaluation a report falls back on: the JSON or YAML file ``path``, else the packaged one."""
    if path is None:
        return _packaged()
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise EvaluationError(f"{path}: cannot read the evaluation: {exc}") from exc
    return parse_evaluation(data, path)


def _reviews(store: Store, flagged_tiers: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any], int]:
    latest: dict[str, dict[str, Any]] = {}
    for r in store.query(q.review_decisions()):
        latest[r["post_id"]] = r
    flagged_hits = flagged_n = positive_flagged = positives = 0
    for r in latest.values():
        label = Decision.model_construct(decision=r["decision"]).label
        if label is None:
            continue
        is_flagged = r["tier"] in flagged_tiers
        flagged_n += is_flagged
        flagged_hits += is_flagged and label == 1
        positives += label == 1
        positive_flagged += label == 1 and is_flagged
    return share(flagged_hits, flagged_n), share(positive_flagged, positives), len(latest)


def measurement(store: Store, data: PeriodData, evaluation: dict[str, Any], flagged: int) -> dict[str, Any]:
    """Screening precision and recall with their intervals, where they come from, and what they make of the
    period's count of flagged ads (how many illegal ads it stands for)."""
    precision, recall, reviewed = _reviews(store, data.options.flagged_tiers)
    models = sorted({str(m) for m in data.posts["model_version"].dropna()})
    if precision["n"] >= MIN_REVIEWS and recall["n"] >= MIN_REVIEWS:
        origin: dict[str, Any] = {"kind": "reviews", "reviewed": reviewed}
    else:
        e = evaluation
        precision, recall = share(e["tp"], e["tp"] + e["fp"]), share(e["tp"], e["tp"] + e["fn"])
        origin = {"kind": "evaluation", "reviewed": reviewed, "measured": e["measured"], "data": e["data"],
                  "command": e["command"], "model_version": e["model_version"], "file": e["file"],
                  "same_model": all(m.partition("+")[0] == e["model_version"] for m in models)
                  if models and e["model_version"] else None}
    return {"precision": precision, "recall": recall, "origin": origin, "min_reviews": MIN_REVIEWS,
            "models": models, "flagged": flagged, "illegal_ads": corrected_count(flagged, precision, recall),
            "source": q.source(f"{__name__}.measurement", "review_decisions", "posts_in_period")}


def _hours(delta: pd.Series) -> dict[str, Any]:
    h = delta.dt.total_seconds().dropna() / 3600
    h = h[h >= 0]
    if not len(h):
        return {"n": 0, "p25": None, "median": None, "p75": None}
    p25, median, p75 = np.percentile(h, [25, 50, 75])
    return {"n": len(h), "p25": round(float(p25), 1), "median": round(float(median), 1), "p75": round(float(p75), 1)}


def deletions(store: Store, data: PeriodData) -> dict[str, Any]:
    """What was deleted and how fast. From the watch timeline when the period's posts were watched: a deletion
    happened after the last capture that still showed the post and by the capture that found it gone, so hours
    to deletion come as a range (at least, at most); else from the deletion times the posts were recorded with."""
    start, end = data.options.bounds()
    posts = data.posts
    flagged = posts[posts["flagged"]]
    out: dict[str, Any] = {"flagged": len(flagged), "deleted": int(flagged["deleted_at"].notna().sum()),
                           "deleted_share": share(int(flagged["deleted_at"].notna().sum()), len(flagged)),
                           "recorded_hours": _hours(flagged["deleted_at"] - flagged["posted_at"]), "watched": 0,
                           "watch_deleted": 0,
                           "source": q.source(f"{__name__}.deletions", "posts_in_period", "captures_of_period",
                                              "watched_posts")}
    if not has_tables(store, "watchlist"):
        return out
    watched = pd.DataFrame(store.query(q.watched_posts(), [start, end]),
                           columns=["post_id", "added_at", "last_checked_at", "gone"])
    caps = pd.DataFrame(store.query(q.captures_of_period(), [start, end]),
                        columns=["post_id", "captured_at", "removed", "kind", "version_of"])
    watched = watched[watched["post_id"].isin(set(flagged["id"]))]
    out["watched"] = len(watched)
    if watched.empty:
        return out
    caps = caps[caps["post_id"].isin(set(watched["post_id"]))].assign(
        captured_at=lambda c: pd.to_datetime(c["captured_at"], utc=True), removed=lambda c: c["removed"].fillna(False))
    gone = caps[caps["removed"].astype(bool)].groupby("post_id")["captured_at"].min().rename("found_gone")
    seen = caps[~caps["removed"].astype(bool)].merge(gone, on="post_id")
    seen = seen[seen["captured_at"] < seen["found_gone"]].groupby("post_id")["captured_at"].max().rename("last_seen")
    timeline = flagged.set_index("id")[["posted_at"]].join(gone, how="inner").join(seen)
    out.update(watch_deleted=len(timeline), watch_share=share(len(timeline), len(watched)),
               at_least_hours=_hours(timeline["last_seen"] - timeline["posted_at"]),
               at_most_hours=_hours(timeline["found_gone"] - timeline["posted_at"]),
               within_24h=share(int(((timeline["found_gone"] - timeline["posted_at"]).dt.total_seconds()
                                     <= 86400).sum()), len(timeline)))
    return out


def sources(store: Store, data: PeriodData) -> dict[str, Any]:
    """The platforms watched, and per platform: posts, accounts, pictures, captures and coverage (the share of the
    period's full weeks with at least one post captured)."""
    start, end = data.options.bounds()
    full = {w.index for w in data.options.weeks() if not w.partial}
    posts = data.posts
    rows = []
    for r in store.query(q.sources_watched(), [start, end]):
        mine = posts[posts["platform"] == r["id"]]
        weeks = set(mine["week"]) & full
        rows.append({"platform": r["id"], "name": r["name"], "kind": r["kind"], "posts": r["posts"],
                     "accounts": r["accounts"], "flagged": int(mine["flagged"].sum()),
                     "pictures": int(mine["media"].map(len).sum()),
                     "coverage": round(len(weeks) / len(full), 3) if full else None})
    rows.sort(key=lambda r: -r["posts"])
    captures = store.query(q.captures_of_period(), [start, end])
    return {"platforms": rows, "posts": len(posts), "pictures": int(posts["media"].map(len).sum()),
            "captured": int(posts["captured_at"].notna().sum()), "evidence_captures": len(captures),
            "accounts": int(posts["account_id"].nunique()),
            "source": q.source(f"{__name__}.sources", "sources_watched", "posts_in_period", "captures_of_period")}


def limitations(report: dict[str, Any]) -> list[str]:
    """What the numbers cannot show, written from this report's own figures."""
    s = report["sections"]
    m, ch, tr = s["measurement"], s["changes"], s["traders"]
    platforms = len([p for p in s["sources"]["platforms"] if p["posts"]])
    out = [f"Only the {platforms} platforms listed were watched, and only their public posts: closed groups and "
           "private chats, where sellers take their buyers, are not seen. The counts are of ads, not of animals "
           "or of sales; an ad is an asking price, not a paid one."]
    p, r = m["precision"]["share"], m["recall"]["share"]
    if p is not None and r is not None:
        origin = ("as measured on this store's review decisions" if m["origin"]["kind"] == "reviews" else
                  f"by its last evaluation ({m['origin']['measured']}) on {m['origin']['data']}")
        out.append(f"Counts are of ads the screener flagged. It is right {p:.0%} of the time and finds {r:.0%} of "
                   f"illegal ads, {origin}; the figures carry that error, and the screener may do better or worse on "
                   "other platforms and other years.")
    if not ch["can_tell"]:
        drop = ch["detectable_drop"]
        size = f"a drop smaller than {drop:.0%}" if drop else "even a drop of 80%"
        out.append(f"With {ch['mean_per_week']} flagged ads a week, weekly counts are too thin to show {size} (4 "
                   "times in 5): a crackdown of the size seen in 2015 (about 45%) could go unseen.")
    if report["sections"]["volume"]["partial_weeks"]:
        out.append("Weeks only partly inside the period ({}) are shown but left out of every trend."
                   .format(", ".join(report["sections"]["volume"]["partial_weeks"])))
    if tr.get("available"):
        out.append("Traders are accounts linked by shared phones, payment accounts, pictures and similar profiles: "
                   "a seller whose accounts share nothing counts twice, and a wrong link merges two sellers.")
    out.append("Unique items are counted by near-identical pictures; the same item photographed anew counts again.")
    if s["networks"].get("available"):
        out.append("Money and parcels are those in the payment and courier records the store holds; they are a "
                   "sample of the trade's flows, not its turnover, and cash does not appear.")
    return out
