"""Weak evidence per account, in the columns the Splink model compares.

``name`` and ``handle_stem`` are folded (NFKC, lower case, simplified Chinese) with separators, trailing
digits and backup markers removed; ``bio_tokens`` are words and Chinese character pairs of the bio
without contacts; ``hours`` is the posting-hour profile (local time, 24 shares); ``style`` holds
writing habits (emoji, punctuation, repeated sign-off); ``price_band`` is the median price per gram
on a ratio scale of 1.5.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter

import pandas as pd

from wildtrace.link._vocab import Vocabulary, default_vocabulary, fold

FEATURE_COLUMNS = ("unique_id", "platform", "name", "handle_stem", "bio_tokens", "location", "hours", "style",
                   "price_band")
MIN_POSTS_FOR_PROFILE = 3
_SEPARATORS = re.compile(r"[\s._\-·•|/\\]+")
_DIGITS = re.compile(r"\d+")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z]{3,}")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_PUNCT = re.compile(r"[!！?？~～。，,.…【】\[\]()（）★☆❤♥→]")
_CONTACT = re.compile(r"[a-z0-9_@.\-+]*\d{5,}[a-z0-9_@.\-]*")


def stem(text: str | None, vocab: Vocabulary) -> str | None:
    """Folded text with separators, digits and trailing backup markers removed; None when nothing is left."""
    s = _SEPARATORS.sub("", fold(text))
    changed = True
    while changed and s:
        changed = False
        s2 = _DIGITS.sub("", s)
        for marker in vocab.backup_markers:
            if s2.endswith(marker) and len(s2) > len(marker) + 1:
                s2 = s2[: -len(marker)]
                break
        if s2 != s:
            s, changed = s2, True
    return s or None


def bio_tokens(bio: str | None, limit: int = 40) -> list[str] | None:
    """Latin words and Chinese character pairs of the bio, contacts removed (they are strong identifiers)."""
    text = _CONTACT.sub(" ", fold(bio))
    tokens = set(_WORD.findall(text))
    for run in _CJK.findall(text):
        tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(tokens)[:limit] or None


def location_key(location: str | None) -> str | None:
    s = _SEPARATORS.sub("", fold(location)).removesuffix("市")
    return s or None


def hour_profile(hours: list[int]) -> list[float] | None:
    """Share of posts per local hour (24 values), or None with fewer than a few posts."""
    if len(hours) < MIN_POSTS_FOR_PROFILE:
        return None
    counts = [0] * 24
    for h in hours:
        counts[h % 24] += 1
    return [round(c / len(hours), 4) for c in counts]


def style_tokens(texts: list[str], limit: int = 30) -> list[str] | None:
    """Writing habits: emoji and punctuation used more than once, and a sign-off repeated across posts."""
    habits: Counter[str] = Counter()
    endings: Counter[str] = Counter()
    for text in texts:
        t = unicodedata.normalize("NFKC", text).lower()
        habits.update(f"e:{e}" for e in set(_EMOJI.findall(t)))
        habits.update(f"p:{p}" for p in set(_PUNCT.findall(t)))
        if "!!" in t or "！！" in t:
            habits["h:double_bang"] += 1
        tail = t.strip()[-6:]
        if len(tail) >= 3:
            endings[tail] += 1
    tokens = [k for k, n in habits.items() if n >= 2] + [f"s:{k}" for k, n in endings.items() if n >= 2]
    return sorted(tokens)[:limit] or None


def price_band(prices_per_gram: list[float]) -> str | None:
    values = [p for p in prices_per_gram if p and p > 0 and math.isfinite(p)]
    if not values:
        return None
    return str(round(math.log(statistics.median(values)) / math.log(1.5)))


def account_features(accounts: pd.DataFrame, posts: pd.DataFrame, vocab: Vocabulary | None = None) -> pd.DataFrame:
    """One row per account with :data:`FEATURE_COLUMNS` (list columns hold Python lists or None).

    ``accounts``: id, platform, handle, display_name, bio, location. ``posts``: account_id, text,
    local_hour, price_per_gram (may be NaN).
    """
    vocab = vocab or default_vocabulary()
    per_account: dict[str, tuple[list, list, list]] = {}
    if not posts.empty:
        for acc, hour, text, ppg in zip(posts["account_id"], posts["local_hour"], posts["text"],
                                        posts["price_per_gram"], strict=True):
            hours, texts, prices = per_account.setdefault(acc, ([], [], []))
            if hour is not None and hour == hour:
                hours.append(int(hour))
            texts.append(text if isinstance(text, str) else "")
            if ppg is not None and ppg == ppg:
                prices.append(float(ppg))
    empty: tuple[list, list, list] = ([], [], [])
    rows = []
    for acc in accounts.itertuples(index=False):
        hours, texts, ppg = per_account.get(acc.id, empty)
        rows.append({
            "unique_id": acc.id,
            "platform": acc.platform,
            "name": stem(acc.display_name, vocab),
            "handle_stem": stem(acc.handle, vocab),
            "bio_tokens": bio_tokens(acc.bio),
            "location": location_key(acc.location),
            "hours": hour_profile(hours),
            "style": style_tokens(texts),
            "price_band": price_band(ppg),
        })
    return pd.DataFrame(rows, columns=list(FEATURE_COLUMNS))
