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
from collections.abc import Callable
from functools import lru_cache
from itertools import chain

import numpy as np
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
    return sorted(_bio_token_set(bio or "") - common)[:limit] or None


@lru_cache(maxsize=1 << 16)
def _bio_token_set(bio: str) -> frozenset[str]:
    """All tokens of a bio (cached: backups and copied announcements repeat bios)."""
    text = _CONTACT.sub(" ", fold(bio))
    tokens = set(_WORD.findall(text))
    for run in _CJK.findall(text):
        tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(tokens)


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


@lru_cache(maxsize=1 << 12)
def location_key(location: str | None) -> str | None:
    s = _SEPARATORS.sub("", fold(location)).removesuffix("市")
    return s or None


def hour_profile(hours: list[int]) -> list[float] | None:
    """Share of posts per local hour (24 values), or None with fewer than a few posts."""
    return hour_profiles(np.zeros(len(hours), dtype=np.int64), np.asarray(hours, dtype=np.int64), 1)[0]


def hour_profiles(account: np.ndarray, hour: np.ndarray, n_accounts: int) -> list[list[float] | None]:
    """:func:`hour_profile` of every account at once, from one (account position, local hour) per post."""
    counts = np.zeros((n_accounts, 24), dtype=np.int64)
    np.add.at(counts, (account, hour % 24), 1)
    totals = counts.sum(axis=1)
    posted = counts > 0
    shares, where = np.unique(counts[posted] / np.broadcast_to(totals[:, None], counts.shape)[posted],
                              return_inverse=True)
    rounded = np.zeros(counts.shape)
    rounded[posted] = np.array([round(v, 4) for v in shares.tolist()])[where]  # Python's exact rounding
    return [row if total >= MIN_POSTS_FOR_PROFILE else None
            for row, total in zip(rounded.tolist(), totals.tolist(), strict=True)]


def style_tokens(texts: list[str], limit: int = 30) -> list[str] | None:
    """Writing habits: emoji and punctuation used more than once, and a sign-off repeated across posts."""
    seen = [_text_habits(text) for text in texts]
    habits = Counter(chain.from_iterable(used for used, _ in seen))
    endings = Counter(tail for _, tail in seen if len(tail) >= 3)
    tokens = [k for k, n in habits.items() if n >= 2] + [f"s:{k}" for k, n in endings.items() if n >= 2]
    return sorted(tokens)[:limit] or None


@lru_cache(maxsize=1 << 16)
def _text_habits(text: str) -> tuple[frozenset[str], str]:
    """The habits one post shows, and its last six characters (cached: traders repost the same text)."""
    t = unicodedata.normalize("NFKC", text).lower()
    used = {f"e:{e}" for e in _EMOJI.findall(t)} | {f"p:{p}" for p in _PUNCT.findall(t)}
    if "!!" in t or "！！" in t:
        used.add("h:double_bang")
    return frozenset(used), t.strip()[-6:]


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
    ids = pd.Index(pd.unique(accounts["id"]))
    texts: list[list[str]] = [[] for _ in range(len(ids))]
    prices: list[list[float]] = [[] for _ in range(len(ids))]
    hour_at = np.zeros(0, dtype=np.int64)
    hour_of = np.zeros(0, dtype=np.int64)
    if not posts.empty:
        at = ids.get_indexer(posts["account_id"])
        hours = pd.to_numeric(posts["local_hour"], errors="coerce").to_numpy(dtype=float)
        timed = (at >= 0) & ~np.isnan(hours)
        hour_at, hour_of = at[timed], hours[timed].astype(np.int64)
        for i, text, ppg in zip(at.tolist(), posts["text"], posts["price_per_gram"], strict=True):
            if i < 0:
                continue
            texts[i].append(text if isinstance(text, str) else "")
            if ppg is not None and ppg == ppg:
                prices[i].append(float(ppg))
    row = ids.get_indexer(accounts["id"]).tolist()  # an account listed twice gets the same features twice
    profiles = hour_profiles(hour_at, hour_of, len(ids))
    common = boilerplate_tokens(accounts["bio"], len(accounts))
    stems = _cached_stem(vocab)
    return pd.DataFrame({
        "unique_id": accounts["id"].to_numpy(),
        "platform": accounts["platform"].to_numpy(),
        "name": [stems(v, False) for v in accounts["display_name"]],
        "handle_stem": [stems(v, True) for v in accounts["handle"]],
        "handle_digits": [handle_digits(v) for v in accounts["handle"]],
        "bio_tokens": [bio_tokens(v, common) for v in accounts["bio"]],
        "location": [location_key(v) for v in accounts["location"]],
        "hours": [profiles[i] for i in row],
        "style": [style_tokens(texts[i]) for i in row],
        "price_band": [price_band(prices[i]) for i in row],
        "pictures": [pictures.get(a) or None for a in accounts["id"]],
        "picture_files": [picture_files.get(a) or None for a in accounts["id"]],
    }, columns=list(FEATURE_COLUMNS))


def _cached_stem(vocab: Vocabulary) -> Callable[[str | None, bool], str | None]:
    """:func:`stem` with ``vocab``, remembering each distinct text of one run (names and handles repeat)."""
    @lru_cache(maxsize=1 << 16)
    def cached(text: str | None, keep_digits: bool) -> str | None:
        return stem(text, vocab, keep_digits=keep_digits)
    return cached
