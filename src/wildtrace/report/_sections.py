"""Each section of the monitoring report: a pure function from the period's data to plain numbers.

Every section carries ``source``: the queries it read and the function that computed it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from wildtrace.extract import load_vocabulary
from wildtrace.link import picture_groups
from wildtrace.report import _queries as q
from wildtrace.report._changes import compare_around, detect_changes, detectable_drop
from wildtrace.report._data import PeriodData, Week
from wildtrace.report._stats import distribution, median_change, rate_change, share
from wildtrace.screen import squeeze
from wildtrace.share import Redactor

NIGHT_HOURS = (21, 22, 23, 0, 1, 2, 3, 4, 5)
PRODUCT_TYPES = ("raw", "semi_worked", "worked_uncarved", "worked_carved")
CRACKDOWN_DROP = 0.45  # the drop after the 2015 WeChat crackdown (docs: domain), the size a report should see
CATEGORIES = {"A": "ivory only", "B": "ivory and other endangered species", "C": "collectables including ivory",
              "D": "other business including ivory"}


def item_ids(posts: pd.DataFrame, pictures: pd.DataFrame) -> pd.Series:
    """The item each post shows: posts sharing the same picture (a copy, re-encoded or resized: linking's
    same-picture rule, without chaining through look-alike products) are one item."""
    graph = nx.Graph()
    graph.add_nodes_from(posts["id"])
    shown = {m for ms in posts["media"] for m in ms}
    canon = picture_groups(pictures[pictures["sha256"].isin(shown)])
    for post_id, media in zip(posts["id"], posts["media"], strict=True):
        for m in media:
            graph.add_edge(post_id, "img:" + canon.get(m, m))
    item = {}
    for component in nx.connected_components(graph):
        name = min(c for c in component if not c.startswith("img:"))
        item.update({c: name for c in component})
    return posts["id"].map(item)


def trend_spans(weeks: list[Week], size: int) -> tuple[list[int], list[int]]:
    """The first and the last ``size`` full weeks (indices) whose levels a change is measured between (halves of
    the full weeks when there are fewer than twice ``size``); partial weeks never count."""
    full = [w.index for w in weeks if not w.partial]
    size = min(size, len(full) // 2)
    return full[:size], full[len(full) - size:] if size else []


def _breakdown(flagged: pd.DataFrame, column: str, early: list[int], late: list[int]) -> list[dict[str, Any]]:
    """Flagged ads by the values of ``column`` (lists are exploded) with share and change between the spans."""
    frame = flagged[["week", column]].explode(column) if flagged[column].map(type).eq(list).any() else \
        flagged[["week", column]]
    frame = frame.dropna()
    rows = []
    for value, n in Counter(frame[column]).most_common():
        weeks = frame.loc[frame[column] == value, "week"]
        rows.append({"name": value, "ads": int(n), "share": round(n / len(flagged), 3) if len(flagged) else None,
                     "change": rate_change(int(weeks.isin(early).sum()), int(weeks.isin(late).sum()), len(early),
                                           len(late))})
    return rows


def volume(data: PeriodData) -> dict[str, Any]:
    """Ads per ISO week by platform, species and tier; unique items (de-duplicated by picture) against raw ads;
    each platform, species and product type with its share and its change between the first and last full weeks."""
    posts, o = data.posts, data.options
    flagged = posts[posts["flagged"]]
    items = item_ids(flagged, data.pictures) if len(flagged) else pd.Series(dtype=str)
    flagged = flagged.assign(item=items)
    calendar = o.weeks()
    early, late = trend_spans(calendar, o.baseline_weeks)
    weeks = []
    for w in calendar:
        wk, fl = posts[posts["week"] == w.index], flagged[flagged["week"] == w.index]
        weeks.append({
            "week": w.index + 1, "iso": w.iso, "start": w.start.isoformat(), "days": w.days, "partial": w.partial,
            "posts": len(wk), "flagged": len(fl), "unique_items": int(fl["item"].nunique()),
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
        "early_weeks": [calendar[i].iso for i in early], "late_weeks": [calendar[i].iso for i in late],
        "change": rate_change(int(flagged["week"].isin(early).sum()), int(flagged["week"].isin(late).sum()),
                              len(early), len(late)),
        "by_platform": _breakdown(flagged, "platform", early, late),
        "by_species": _breakdown(flagged, "species", early, late),
        "by_product_type": _breakdown(flagged, "product_type", early, late),
        "partial_weeks": [w.iso for w in calendar if w.partial],
        "source": q.source(f"{__name__}.volume", "posts_in_period", "media_hashes"),
    }


def products(data: PeriodData) -> dict[str, Any]:
    """Product-type mix of flagged ads, and price per gram per type (median, quartiles, bootstrap interval of
    the median) in CNY and USD; the median's change between the first and the second half of the full weeks."""
    flagged = data.posts[data.posts["flagged"]]
    rates = load_vocabulary()
    cny_per_usd = rates.to_cny["USD"]
    mix = Counter(flagged["product_type"])
    full = [w.index for w in data.options.weeks() if not w.partial]
    first, second = full[:len(full) // 2], full[len(full) // 2:]
    rows = []
    for ptype in [*PRODUCT_TYPES, *sorted(set(mix) - set(PRODUCT_TYPES))]:
        group = flagged[flagged["product_type"] == ptype]
        usd = group["price_per_gram_usd"].fillna(group["price_per_gram_cny"] / cny_per_usd)
        cny = group["price_per_gram_cny"]
        rows.append({"product_type": ptype, "ads": int(mix.get(ptype, 0)),
                     "share": round(mix.get(ptype, 0) / len(flagged), 3) if len(flagged) else None,
                     "carved": ptype == "worked_carved",
                     "cny_per_gram": distribution(cny), "usd_per_gram": distribution(usd),
                     "change": median_change(cny[group["week"].isin(first)], cny[group["week"].isin(second)])})
    worked = sum(mix.get(t, 0) for t in ("worked_uncarved", "worked_carved"))
    typed = sum(mix.get(t, 0) for t in PRODUCT_TYPES)
    return {"types": rows, "worked_share": round(worked / typed, 3) if typed else None,
            "all_cny_per_gram": distribution(flagged["price_per_gram_cny"]),
            "cny_per_usd": cny_per_usd, "rates_date": rates.rates_date,
            "source": q.source(f"{__name__}.products", "posts_in_period")}


def timing(data: PeriodData) -> dict[str, Any]:
    """Hour of posting in the poster's own local time and the share posted 21:00-06:00."""
    flagged = data.posts[data.posts["flagged"]]
    hours = flagged["local_hour"].dropna().astype(int)
    histogram = np.bincount(hours.to_numpy(), minlength=24).tolist() if len(hours) else [0] * 24
    return {
        "hour_histogram": histogram, "n": len(hours),
        "night_share": round(float(hours.isin(NIGHT_HOURS).mean()), 3) if len(hours) else None,
        "night": share(int(hours.isin(NIGHT_HOURS).sum()), len(hours)),
        "source": q.source(f"{__name__}.timing", "posts_in_period"),
    }


def _appeared(accounts: pd.DataFrame) -> pd.Series:
    first_seen = pd.to_datetime(accounts["first_seen"], utc=True)
    first_post = pd.to_datetime(accounts["first_post"], utc=True)
    return pd.concat([first_seen, first_post], axis=1).min(axis=1)


def _first_flagged(data: PeriodData, key: pd.Series) -> pd.Series:
    """The first flagged ad (in the store, up to the period's end) of each value of ``key`` (account -> owner)."""
    history = data.history[data.history["flagged"]].dropna(subset=["account_id"])
    owner = history["account_id"].map(key)
    return history.assign(owner=owner).dropna(subset=["owner"]).groupby("owner")["posted_at"].min()


def traders(data: PeriodData, redactor: Redactor) -> dict[str, Any]:
    """Traders (linking's, else accounts) active, new and returning; categories A-D and their shares; backup
    accounts; the top traders by flagged ads, pseudonymised for the audience."""
    start, end = data.options.bounds()
    posts = data.posts
    accounts = data.accounts[data.accounts["id"].isin(set(posts["account_id"].dropna()))]
    appeared = _appeared(accounts) if len(accounts) else pd.Series(dtype="datetime64[ns, UTC]")
    linked = data.traders is not None and not data.traders.empty
    members = data.traders if linked and data.traders is not None else pd.DataFrame(
        {"account_id": data.accounts["id"], "trader_id": data.accounts["id"]})
    owner = members.set_index("account_id")["trader_id"]
    flagged = posts[posts["flagged"]].merge(members[["account_id", "trader_id"]], on="account_id")
    active_ids = set(flagged["trader_id"])
    first = _first_flagged(data, owner)
    new = {t for t in active_ids if t in first.index and first[t] >= data.baseline_end}
    out: dict[str, Any] = {
        "active_accounts": len(accounts),
        "new_accounts": int(((appeared >= start) & (appeared < end)).sum()),
        "unit": "trader" if linked else "account", "active": len(active_ids), "new": len(new),
        "returning": len(active_ids - new), "new_since": data.baseline_end.astimezone(data.options.tz).date()
        .isoformat(), "baseline": data.has_baseline,
        "source": q.source(f"{__name__}.traders", "posts_in_period", "post_history", "accounts_of_period",
                           "trader_members"),
    }
    if not linked:
        return {**out, "available": False, "note": "no data: link the accounts first (`wildtrace link run`)"}
    active = members[members["trader_id"].isin(active_ids)].drop_duplicates("trader_id")
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
                    "share": round(float(row["ads"]) / len(flagged), 3), "accounts_posting": int(row["accounts"]),
                    "accounts": int(info.at[trader_id, "n_accounts"]), "status": info.at[trader_id, "status"],
                    "night_share": round(float(row["night"]), 3), "new": trader_id in new})
    return {
        **out, "available": True, "traders": len(active),
        "categories": [{"category": c, "meaning": CATEGORIES.get(c, "not classified"), "traders": n,
                        "share": round(n / len(active), 3)} for c, n in sorted(categories.items())],
        "backup_accounts": len(backups), "traders_with_backups": int(backups["trader_id"].nunique()),
        "top_traders": top,
    }


def changes(data: PeriodData, volume_section: dict[str, Any]) -> dict[str, Any]:
    """Change points of weekly flagged-ad volume over the full weeks (a crackdown's drop, the rebound), dated and
    sized; and, when none is found, whether the data could have shown one (the smallest drop it would see)."""
    o = data.options
    weeks = [w for w in volume_section["weeks"] if not w["partial"]]
    series = [float(w["flagged"]) for w in weeks]
    found = detect_changes(series, min_change=o.min_change)
    for c in found:
        back = c.pop("recovered_index")
        c.update(week=weeks[c["index"]]["week"], iso=weeks[c["index"]]["iso"], date=weeks[c["index"]]["start"],
                 recovered_week=None if back is None else weeks[back]["week"],
                 recovered_iso=None if back is None else weeks[back]["iso"],
                 recovered_date=None if back is None else weeks[back]["start"])
    detectable = detectable_drop(series, min_change=o.min_change)
    events = []
    position = {w["week"] - 1: i for i, w in enumerate(weeks)}
    for event in o.events:
        index = position.get(o.week_of(event))
        if index is None:
            raise ValueError(f"the event {event} falls in a partial week or outside the period's full weeks")
        events.append({"event": event.isoformat(), "week": weeks[index]["week"], "iso": weeks[index]["iso"],
                       **compare_around(series, index, o.event_weeks)})
    mean = float(np.mean(series)) if series else 0.0
    return {"series": series, "full_weeks": len(series), "changes": found, "events": events,
            "mean_per_week": round(mean, 1), "detectable_drop": detectable, "min_change": o.min_change,
            "can_tell": detectable is not None and detectable <= CRACKDOWN_DROP,
            "method": "PELT (ruptures), L2 cost on Anscombe-transformed weekly counts of full ISO weeks, BIC-like "
                      f"penalty; changes under {o.min_change:.0%} or with Mann-Whitney p > 0.1 merged; a drop has "
                      "recovered when 3 weeks average 95% of the level before it; partial weeks left out. The "
                      "smallest detectable drop is found by simulating series as long, high and noisy as this one "
                      "(detected 4 times in 5, dated within a week)",
            "source": q.source(f"{__name__}.changes", "posts_in_period")}


def fold_code_word(raw: str) -> tuple[str, str, str | None]:
    """(key, surface, meaning) of a verdict's code word (``"X.Y = elephant"`` or ``"XY"``): the key is the
    screener's own normalisation (:func:`wildtrace.screen.squeeze`), so XY, xy and X.Y are one word."""
    surface, _, meaning = raw.partition(" = ")
    return squeeze(surface), surface.strip(), meaning.strip() or None


def code_words(data: PeriodData) -> dict[str, Any]:
    """Code words of the period's flagged ads, variants folded to one entry, with the first time each was seen in
    the store; "new" = first seen in this period (after the baseline weeks when monitoring began in it)."""
    start, _ = data.options.bounds()
    first_seen: dict[str, Any] = {}
    history = data.history[data.history["flagged"]]
    for words, posted in zip(history["code_words"], history["posted_at"], strict=True):
        for key in {fold_code_word(w)[0] for w in words}:
            if key and (key not in first_seen or posted < first_seen[key]):
                first_seen[key] = posted
    entries: dict[str, dict[str, Any]] = {}
    flagged = data.posts[data.posts["flagged"]]
    for words, species in zip(flagged["code_words"], flagged["species"], strict=True):
        seen_here = set()
        for raw in words:
            key, surface, meaning = fold_code_word(raw)
            if not key:
                continue
            entry = entries.setdefault(key, {"key": key, "variants": Counter(), "meanings": Counter(), "posts": 0,
                                             "species": Counter()})
            entry["variants"][surface] += 1
            if meaning:
                entry["meanings"][meaning] += 1
            if key not in seen_here:
                entry["posts"] += 1
                entry["species"].update(species)
                seen_here.add(key)
    baseline = data.baseline_end
    rows = []
    for e in sorted(entries.values(), key=lambda e: (-e["posts"], e["key"])):
        first = first_seen.get(e["key"])
        rows.append({"term": e["variants"].most_common(1)[0][0], "key": e["key"],
                     "variants": [v for v, _ in e["variants"].most_common()],
                     "meanings": [m for m, _ in e["meanings"].most_common()],
                     "species": [sp for sp, _ in e["species"].most_common(3)], "posts": e["posts"],
                     "first_seen": first.tz_convert(data.options.tz).date().isoformat() if first is not None else None,
                     "new": first is not None and first >= baseline})
    return {"words": rows, "new": sum(r["new"] for r in rows), "variants_folded": sum(len(r["variants"]) for r in rows),
            "new_since": baseline.astimezone(data.options.tz).date().isoformat(),
            "baseline": data.has_baseline, "period_start": start.astimezone(data.options.tz).date().isoformat(),
            "source": q.source(f"{__name__}.code_words", "posts_in_period", "post_history", "monitoring_span")}
