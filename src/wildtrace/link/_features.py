"""Weak evidence per account, in the columns the Splink model compares.

``name`` and ``handle_stem``: folded (NFKC, lower case, simplified Chinese), separators and trailing
backup markers removed (names lose their digits too). ``bio_tokens``: words and Chinese character
pairs of the bio, without contacts or boilerplate. ``handle_digits``: the handle's longest digit run.
``hours``: the posting-hour profile (local time, 24 shares). ``style``: writing habits (emoji,
punctuation, a repeated sign-off). ``price_band``: the median price per gram on a ratio scale of 1.5.
``pictures``: the same-picture groups the account posted (see ``_images.py``); ``picture_files``: the
SHA-256 of those pictures (the very same file).
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter

import pandas as pd

from wildtrace.link._vocab import Vocabulary, default_vocabulary, fold

FEATURE_COLUMNS = ("unique_id", "platform", "name", "handle_stem", "handle_digits", "bio_tokens", "location", "hours",
                   "style", "price_band", "pictures", "picture_files")
_LONG_DIGITS = re.compile(r"\d{4,}")
MIN_POSTS_FOR_PROFILE = 3
BOILERPLATE_SHARE = 0.005
BOILERPLATE_MIN = 3
_SEPARATORS = re.compile(r"[\s._\-·•|/\\]+")
_DIGITS = re.compile(r"\d+")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z]{3,}")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_PUNCT = re.compile(r"[!！?？~～。，,.…【】\[\]()（）★☆❤♥→]")
_CONTACT = re.compile(r"[a-z0-9_@.\-+]*\d{5,}[a-z0-9_@.\-]*")


def stem(text: str | None, vocab: Vocabulary, keep_digits: bool = False) -> str | None:
    """Folded text without separators and trailing backup markers (and digits, unless ``keep_digits``: a
    handle's digits are often what a backup keeps, ``star23823`` -> ``star23823_new``); None when empty."""
    s = _SEPARATORS.sub("", fold(text))
    if not keep_digits:
        s = _DIGITS.sub("", s)
    changed = True
    while changed and s:
        changed = False
        for marker in vocab.backup_markers:
            if s.endswith(marker) and len(s) > len(marker) + 1:
                s, changed = s[: -len(marker)], True
                break
    return s or None


def bio_tokens(bio: str | None, common: frozenset[str] = frozenset(), limit: int = 40) -> list[str] | None:
    """Latin words and Chinese character pairs of the bio, without contacts (they are strong identifiers) and
    without ``common`` tokens (boilerplate such as a backup announcement many traders copy)."""
    text = _CONTACT.sub(" ", fold(bio))
    tokens = set(_WORD.findall(text))
    for run in _CJK.findall(text):
        tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(tokens - common)[:limit] or None


def boilerplate_tokens(bios: pd.Series, n_accounts: int) -> frozenset[str]:
    """Bio tokens in more than ``BOILERPLATE_SHARE`` of bios (and at least ``BOILERPLATE_MIN`` of them)."""
    counts: Counter[str] = Counter()
    for bio in bios:
        counts.update(bio_tokens(bio) or [])
    cut = max(BOILERPLATE_MIN, BOILERPLATE_SHARE * n_accounts)
    return frozenset(t for t, n in counts.items() if n > cut)


def handle_digits(handle: str | None) -> str | None:
    """The longest run of four or more digits in a handle: what a backup handle usually keeps."""
    runs = _LONG_DIGITS.findall(unicodedata.normalize("NFKC", handle or ""))
    return max(runs, key=len) if runs else None


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


def account_features(accounts: pd.DataFrame, posts: pd.DataFrame, vocab: Vocabulary | None = None,
                     pictures: dict[str, list[str]] | None = None,
                     picture_files: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """One row per account with :data:`FEATURE_COLUMNS` (list columns hold Python lists or None).

    ``accounts``: id, platform, handle, display_name, bio, location. ``posts``: account_id, text,
    local_hour, price_per_gram (may be NaN). ``pictures``: account id -> same-picture groups it posted;
    ``picture_files``: account id -> SHA-256 of those pictures.
    """
    pictures, picture_files = pictures or {}, picture_files or {}
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
    common = boilerplate_tokens(accounts["bio"], len(accounts))
    empty: tuple[list, list, list] = ([], [], [])
    rows = []
    for acc in accounts.itertuples(index=False):
        hours, texts, ppg = per_account.get(acc.id, empty)
        rows.append({
            "unique_id": acc.id,
            "platform": acc.platform,
            "name": stem(acc.display_name, vocab),
            "handle_stem": stem(acc.handle, vocab, keep_digits=True),
            "handle_digits": handle_digits(acc.handle),
            "bio_tokens": bio_tokens(acc.bio, common),
            "location": location_key(acc.location),
            "hours": hour_profile(hours),
            "style": style_tokens(texts),
            "price_band": price_band(ppg),
            "pictures": pictures.get(acc.id) or None,
            "picture_files": picture_files.get(acc.id) or None,
        })
    return pd.DataFrame(rows, columns=list(FEATURE_COLUMNS))
