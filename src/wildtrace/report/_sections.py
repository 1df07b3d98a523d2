"""Each section of the monitoring report: a pure function from the period's data to plain numbers.

Every section carries ``source``: the queries it read and the function that computed it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from wildtrace.extract import load_vocabulary
from wildtrace.link import phash_groups
from wildtrace.report._changes import compare_around, detect_changes
from wildtrace.report._data import PeriodData
from wildtrace.share import Redactor

NIGHT_HOURS = (21, 22, 23, 0, 1, 2, 3, 4, 5)
PRODUCT_TYPES = ("raw", "semi_worked", "worked_uncarved", "worked_carved")
CATEGORIES = {"A": "ivory only", "B": "ivory and other endangered species", "C": "collectables including ivory",
              "D": "other business including ivory"}


def _source(function: str, *queries: str) -> dict[str, Any]:
    return {"function": f"wildtrace.report._sections.{function}", "queries": list(queries)}


def _stats(values: pd.Series) -> dict[str, Any]:
    v = values.dropna().to_numpy(dtype=float)
    if not len(v):
        return {"n": 0, "mean": None, "sd": None, "median": None}
    return {"n": len(v), "mean": round(float(v.mean()), 2), "sd": round(float(v.std(ddof=1)), 2) if len(v) > 1
            else 0.0, "median": round(float(np.median(v)), 2)}


def item_ids(posts: pd.DataFrame, phash: dict[str, str], distance: int) -> pd.Series:
    """The item each post shows: posts sharing a near-identical picture (perceptual hash) are one item."""
    graph = nx.Graph()
    graph.add_nodes_from(posts["id"])
    canon = phash_groups([phash[m] for ms in posts["media"] for m in ms if m in phash], distance)
    for post_id, media in zip(posts["id"], posts["media"], strict=True):
        for m in media:
            graph.add_edge(post_id, "img:" + canon.get(phash.get(m, ""), m))
    item = {}
    for component in nx.connected_components(graph):
        name = min(c for c in component if not c.startswith("img:"))
        item.update({c: name for c in component})
    return posts["id"].map(item)


def volume(data: PeriodData) -> dict[str, Any]:
    """Ads per week by platform, species and tier; unique items (de-duplicated by picture) against raw ads."""
    posts, o = data.posts, data.options
    flagged = posts[posts["flagged"]]
    items = item_ids(flagged, data.phash, o.image_distance) if len(flagged) else pd.Series(dtype=str)
    flagged = flagged.assign(item=items)
    weeks = []
    for w in range(o.n_weeks):
        start = o.start + timedelta(days=7 * w)
        days = min(7, (o.end - start).days + 1)
        wk, fl = posts[posts["week"] == w], flagged[flagged["week"] == w]
        weeks.append({
            "week": w + 1, "start": start.isoformat(), "days": days, "posts": len(wk), "flagged": len(fl),
            "unique_items": int(fl["item"].nunique()),
            "by_platform": dict(Counter(fl["platform"]).most_common()),
            "by_species": dict(Counter(s for ss in fl["species"] for s in ss).most_common()),
            "by_tier": dict(Counter(wk["tier"]).most_common()),
        })
    return {
        "weeks": weeks, "posts": len(posts), "flagged": len(flagged), "unique_items": int(flagged["item"].nunique()),
        "reposts_per_item": round(len(flagged) / flagged["item"].nunique(), 2) if len(flagged) else None,
        "platforms": dict(Counter(flagged["platform"]).most_common()),
        "species": dict(Counter(s for ss in flagged["species"] for s in ss).most_common()),
        "tiers": dict(Counter(posts["tier"]).most_common()),
        "source": _source("volume", "posts_in_period", "media_hashes"),
    }


def products(data: PeriodData) -> dict[str, Any]:
    """Product-type mix of flagged ads, and price per gram (mean +- sd) per type in CNY and USD."""
    flagged = data.posts[data.posts["flagged"]]
    rates = load_vocabulary()
    cny_per_usd = rates.to_cny["USD"]
    mix = Counter(flagged["product_type"])
    rows = []
    for ptype in [*PRODUCT_TYPES, *sorted(set(mix) - set(PRODUCT_TYPES))]:
        group = flagged[flagged["product_type"] == ptype]
        usd = group["price_per_gram_usd"].fillna(group["price_per_gram_cny"] / cny_per_usd)
        rows.append({"product_type": ptype, "ads": int(mix.get(ptype, 0)),
                     "share": round(mix.get(ptype, 0) / len(flagged), 3) if len(flagged) else None,
                     "carved": ptype == "worked_carved",
                     "cny_per_gram": _stats(group["price_per_gram_cny"]), "usd_per_gram": _stats(usd)})
    worked = sum(mix.get(t, 0) for t in ("worked_uncarved", "worked_carved"))
    typed = sum(mix.get(t, 0) for t in PRODUCT_TYPES)
    return {"types": rows, "worked_share": round(worked / typed, 3) if typed else None,
            "cny_per_usd": cny_per_usd, "rates_date": rates.rates_date,
            "source": _source("products", "posts_in_period")}


def timing(data: PeriodData) -> dict[str, Any]:
    """Hour of posting in the poster's own local time, the share posted 21:00-06:00, and time to deletion."""
    flagged = data.posts[data.posts["flagged"]]
    hours = flagged["local_hour"].dropna().astype(int)
    histogram = np.bincount(hours.to_numpy(), minlength=24).tolist() if len(hours) else [0] * 24
    deleted = flagged.dropna(subset=["deleted_at"])
    lifetime = (deleted["deleted_at"] - deleted["posted_at"]).dt.total_seconds() / 3600
    lifetime = lifetime[lifetime >= 0]
    return {
        "hour_histogram": histogram, "n": len(hours),
        "night_share": round(float(hours.isin(NIGHT_HOURS).mean()), 3) if len(hours) else None,
        "deleted": len(lifetime), "deleted_share": round(len(lifetime) / len(flagged), 3) if len(flagged) else None,
        "hours_to_deletion": {k: round(float(np.percentile(lifetime, p)), 1) if len(lifetime) else None
                              for k, p in (("p25", 25), ("median", 50), ("p75", 75))},
        "deleted_within_24h": round(float((lifetime <= 24).mean()), 3) if len(lifetime) else None,
        "source": _source("timing", "posts_in_period"),
    }


def _appeared(accounts: pd.DataFrame) -> pd.Series:
    first_seen = pd.to_datetime(accounts["first_seen"], utc=True)
    first_post = pd.to_datetime(accounts["first_post"], utc=True)
    return pd.concat([first_seen, first_post], axis=1).min(axis=1)


def traders(data: PeriodData, redactor: Redactor) -> dict[str, Any]:
    """Trader categories A-D and their shares, new and backup accounts, top traders (linking stage)."""
    start, end = data.options.bounds()
    posts = data.posts
    accounts = data.accounts[data.accounts["id"].isin(set(posts["account_id"].dropna()))]
    appeared = _appeared(accounts) if len(accounts) else pd.Series(dtype="datetime64[ns, UTC]")
    out: dict[str, Any] = {
        "active_accounts": len(accounts),
        "new_accounts": int(((appeared >= start) & (appeared < end)).sum()),
        "source": _source("traders", "posts_in_period", "accounts_of_period", "trader_members"),
    }
    if data.traders is None or data.traders.empty:
        return {**out, "available": False, "note": "no data: link the accounts first (`wildtrace link run`)"}
    members = data.traders
    flagged = posts[posts["flagged"]].merge(members[["account_id", "trader_id"]], on="account_id")
    active = members[members["trader_id"].isin(set(flagged["trader_id"]))].drop_duplicates("trader_id")
    categories = Counter(active["category"].fillna("unclassified"))
    appeared_at = pd.to_datetime(members["appeared_at"], utc=True)
    backups = members[members["is_backup"].astype(bool) & (appeared_at >= start) & (appeared_at < end)]
    per_trader = flagged.groupby("trader_id").agg(ads=("id", "size"), accounts=("account_id", "nunique"),
                                                  night=("local_hour", lambda h: h.isin(NIGHT_HOURS).mean()))
    info = active.set_index("trader_id")
    top = []
    ranked = per_trader.sort_values(["ads", "accounts"], ascending=False).head(data.options.top)
    for trader_id, row in ranked.iterrows():
        top.append({"trader": redactor.field("trader", "trader_id", trader_id),
                    "category": info.at[trader_id, "category"], "ads": int(row["ads"]),
                    "share": round(row["ads"] / len(flagged), 3), "accounts_posting": int(row["accounts"]),
                    "accounts": int(info.at[trader_id, "n_accounts"]), "status": info.at[trader_id, "status"],
                    "night_share": round(float(row["night"]), 3)})
    return {
        **out, "available": True, "traders": len(active),
        "categories": [{"category": c, "meaning": CATEGORIES.get(c, "not classified"), "traders": n,
                        "share": round(n / len(active), 3)} for c, n in sorted(categories.items())],
        "backup_accounts": len(backups), "traders_with_backups": int(backups["trader_id"].nunique()),
        "top_traders": top,
    }


def changes(data: PeriodData, volume_section: dict[str, Any]) -> dict[str, Any]:
    """Change points of weekly flagged-ad volume (a crackdown's drop, the rebound), dated and sized."""
    o = data.options
    weeks = volume_section["weeks"]
    series = [w["flagged"] * 7 / w["days"] for w in weeks]
    found = detect_changes(series, min_change=o.min_change)
    for c in found:
        back = c.pop("recovered_index")
        c.update(week=c["index"] + 1, date=weeks[c["index"]]["start"],
                 recovered_week=None if back is None else back + 1,
                 recovered_date=None if back is None else weeks[back]["start"])
    events = []
    for event in o.events:
        index = (event - o.start).days // 7
        events.append({"event": event.isoformat(), "week": index + 1, **compare_around(series, index, o.event_weeks)})
    return {"series": [round(s, 2) for s in series], "changes": found, "events": events,
            "method": "PELT (ruptures), L2 cost on Anscombe-transformed weekly counts, BIC-like penalty; "
                      f"changes under {o.min_change:.0%} or with Mann-Whitney p > 0.1 merged; a drop has recovered "
                      "when 3 weeks average 95% of the level before it; partial weeks scaled to 7 days",
            "source": _source("changes", "posts_in_period")}


def code_words(data: PeriodData) -> dict[str, Any]:
    """Code words seen in the period's posts; those never seen before the period are marked new."""
    posts = data.posts
    seen: dict[str, dict[str, Any]] = {}
    for words, posted in zip(posts["code_words"], posts["posted_at"], strict=True):
        for w in set(words):
            entry = seen.setdefault(w, {"term": w, "posts": 0, "first_seen": posted})
            entry["posts"] += 1
            entry["first_seen"] = min(entry["first_seen"], posted)
    rows = [{**e, "first_seen": e["first_seen"].date().isoformat(), "new": e["term"] not in data.code_words_before}
            for e in sorted(seen.values(), key=lambda e: (-e["posts"], e["term"]))]
    return {"words": rows, "new": sum(r["new"] for r in rows),
            "source": _source("code_words", "posts_in_period", "code_words_before")}
