"""Trader profiles: the accounts of one cluster, what and when they sell, and whether they came back."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from wildtrace.link._vocab import Vocabulary, default_vocabulary, fold

FLAGGED = ("high", "medium")
NIGHT_HOURS = frozenset({21, 22, 23, 0, 1, 2, 3, 4, 5})
CLOSED = ("blocked", "deleted")


def _time(value: Any) -> datetime | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def _mentions(text: str, terms: tuple[str, ...]) -> bool:
    return any(t in text for t in terms)


def member_accounts(accounts: pd.DataFrame, posts: pd.DataFrame) -> list[dict]:
    """The cluster's accounts in order of appearance, each marked as a backup when it appeared after a sibling
    was blocked or deleted (``after_block_of`` names the sibling whose block came last before it)."""
    first_post = posts.groupby("account_id")["posted_at"].min().to_dict() if not posts.empty else {}
    rows = []
    for a in accounts.to_dict("records"):
        appeared = [t for t in (_time(a.get("first_seen")), _time(first_post.get(a["id"]))) if t is not None]
        rows.append({"account_id": a["id"], "platform": a["platform"], "handle": a["handle"],
                     "display_name": a.get("display_name"), "status": str(a.get("status") or "active"),
                     "status_changed_at": _time(a.get("status_changed_at")),
                     "appeared_at": min(appeared) if appeared else None, "is_backup": False, "after_block_of": None})
    rows.sort(key=lambda r: (r["appeared_at"] is None, r["appeared_at"] or datetime.min, r["account_id"]))
    for row in rows:
        if row["appeared_at"] is None:
            continue
        blocks = [(s["status_changed_at"], s["account_id"]) for s in rows
                  if s is not row and s["status"] in CLOSED and s["status_changed_at"] is not None
                  and s["status_changed_at"] <= row["appeared_at"]]
        if blocks:
            row["is_backup"], row["after_block_of"] = True, max(blocks)[1]
    return rows


def _post_texts(posts: pd.DataFrame) -> list[str]:
    """Each post as one folded text: its words, the text read in its pictures and the species screening named."""
    ocr = posts["ocr_text"] if "ocr_text" in posts.columns else [""] * len(posts)
    return [fold(" ".join([str(t or ""), str(o or "")] + [str(s) for s in (sp or [])]))
            for t, o, sp in zip(posts["text"], ocr, posts["species"], strict=True)]


def side_line(text: str, vocab: Vocabulary) -> str | None:
    """What a post naming no wildlife sells: ``collectables``, ``other_business`` (everyday goods and services,
    or an offer of anything that is not a collectable), or None (no offer: a greeting, a picture's caption)."""
    if _mentions(text, vocab.collectables):
        return "collectables"
    return "other_business" if _mentions(text, vocab.other_business) else None


def _other_species(text: str, species: list[str] | None, vocab: Vocabulary) -> bool:
    """Whether a post names an endangered species other than ivory: in its words or pictures, or screening found
    one (any species screening names that is not an ivory species)."""
    return _mentions(text, vocab.other_endangered) or any(not _mentions(fold(s), vocab.ivory) for s in species or [])


def trader_category(posts: pd.DataFrame, vocab: Vocabulary) -> tuple[str | None, str]:
    """A-D by what a trader offers (TRAFFIC): ivory only; + other endangered species; + collectables; + other
    business. Only traders have one. The species come from its flagged ads (their words, the text read in their
    pictures, the species screening found); the side business from its posts screening did not flag and that name
    no wildlife: C or D by which of the two they mostly sell, from ``min_side_posts`` such posts. A cluster
    without flagged ads gets none, nor does one that posts nothing: its money and parcels may put it in the trade
    (its chain role), but they show whom it deals with, not what it sells."""
    if posts.empty:
        return None, "posts nothing: what it sells is unknown"
    texts = _post_texts(posts)
    flagged = posts["tier"].isin(FLAGGED).tolist()
    offers = [(t, sp) for t, sp, f in zip(texts, posts["species"], flagged, strict=True) if f]
    if not offers:
        return None, "no flagged ads: not a trader"
    ivory = sum(_mentions(t, vocab.ivory) for t, _ in offers)
    others = sum(_other_species(t, sp, vocab) for t, sp in offers)
    if not ivory and not others:
        return None, "no ivory or other endangered species in its flagged ads"
    if others:
        return "B", f"{ivory} flagged ads for ivory and {others} for other endangered species"
    lines = Counter(side_line(t, vocab) for t, f in zip(texts, flagged, strict=True)
                    if not f and not _mentions(t, vocab.ivory) and not _mentions(t, vocab.other_endangered))
    collect, other = lines["collectables"], lines["other_business"]
    if collect + other >= vocab.min_side_posts:
        line = "C" if collect >= other else "D"
        return line, f"{ivory} flagged ivory ads; other posts: {collect} for collectables, {other} other business"
    return "A", f"{ivory} flagged ads, ivory only" + (f" ({collect + other} other post)" if collect + other else "")


def _price_stats(values: list[float]) -> dict[str, float] | None:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], dtype=float)
    if not len(v):
        return None
    return {"n": len(v), "mean": round(float(v.mean()), 2), "sd": round(float(v.std(ddof=1)) if len(v) > 1
            else 0.0, 2), "median": round(float(np.median(v)), 2), "min": round(float(v.min()), 2),
            "max": round(float(v.max()), 2)}


def _status(members: list[dict], last_post: datetime | None, data_end: datetime | None) -> str:
    open_ = [m for m in members if m["status"] not in CLOSED]
    if not open_:
        return "blocked"
    if any(m["is_backup"] for m in open_):
        return "returned after block"
    if last_post and data_end and (data_end - last_post).days > 30:
        return "dormant"
    return "active"


def trader_profile(trader: str, accounts: pd.DataFrame, posts: pd.DataFrame, data_end: datetime | None = None,
                   vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The profile of one trader from its accounts and their posts (posts carry tier, species, products,
    local_hour, posted_at, price_per_gram)."""
    vocab = vocab or default_vocabulary()
    members = member_accounts(accounts, posts)
    flagged = posts[posts["tier"].isin(FLAGGED)] if not posts.empty else posts
    hours = posts["local_hour"].dropna().astype(int).tolist() if not posts.empty else []
    histogram = np.bincount(np.asarray(hours, dtype=int), minlength=24).tolist() if hours else [0] * 24
    times = [t for t in (_time(x) for x in posts["posted_at"]) if t is not None] if not posts.empty else []
    timeline = Counter(t.strftime("%G-W%V") for t in times)
    flagged_weeks = Counter(t.strftime("%G-W%V") for t in (_time(x) for x in flagged["posted_at"]) if t is not None) \
        if not flagged.empty else Counter()
    category, basis = trader_category(posts, vocab)
    products: Counter[str] = Counter()
    for col in ("species", "products"):
        for items in flagged[col] if not flagged.empty else []:
            products.update(items or [])
    product_types: Counter[str] = Counter()
    for items in flagged["product_types"] if "product_types" in flagged.columns else []:
        product_types.update(items if isinstance(items, list) else [])
    return {
        "trader_id": trader,
        "platforms": sorted({m["platform"] for m in members}),
        "accounts": members,
        "n_accounts": len(members),
        "category": category,
        "category_basis": basis,
        "products": dict(products.most_common()),
        "product_types": dict(product_types.most_common()),
        "price_per_gram": _price_stats(flagged["price_per_gram"].tolist() if not flagged.empty else []),
        "hour_histogram": histogram,
        "night_share": round(sum(1 for h in hours if h in NIGHT_HOURS) / len(hours), 3) if hours else None,
        "n_posts": len(posts),
        "n_flagged": len(flagged),
        "first_post": min(times) if times else None,
        "last_post": max(times) if times else None,
        "timeline": [{"week": w, "posts": n, "flagged": flagged_weeks.get(w, 0)} for w, n in sorted(timeline.items())],
        "status": _status(members, max(times) if times else None, data_end),
    }


def trader_profiles(clusters: pd.Series, accounts: pd.DataFrame, posts: pd.DataFrame) -> list[dict[str, Any]]:
    """Profiles of every trader in ``clusters`` (account id -> trader id)."""
    accounts = accounts.assign(trader_id=accounts["id"].map(clusters))
    posts = posts.assign(trader_id=posts["account_id"].map(clusters)) if not posts.empty else posts.assign(
        trader_id=[])
    times = [t for t in (_time(x) for x in posts["posted_at"]) if t is not None] if not posts.empty else []
    data_end = max(times) if times else None
    by_trader_posts = dict(tuple(posts.groupby("trader_id"))) if not posts.empty else {}
    empty = posts.iloc[0:0]
    return [trader_profile(t, group, by_trader_posts.get(t, empty), data_end)
            for t, group in accounts.groupby("trader_id", sort=True)]
