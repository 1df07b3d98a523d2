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
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import cache
from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa

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


@cache
def _written_apart(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Each backup word at the end of a name, written apart from it (one pattern a word, applied in turn)."""
    return tuple(re.compile(rf"(?<=\S)(?:{_SEPARATORS.pattern}|[(（])+{re.escape(word)}[)）]?[\d\s]*$")
                 for word in words)


def stem(text: str | None, vocab: Vocabulary, keep_digits: bool = False, name_char: bool = False) -> str | None:
    """Folded text without separators and trailing backup markers (and digits, unless ``keep_digits``: a
    handle's digits are often what a backup keeps, ``star23823`` -> ``star23823_new``); None when empty.
    A backup word that is also part of names (``xin``, 新) counts only when written apart from the name; with
    ``name_char`` a marker beginning with one (新号, 备用) leaves it to the name: 王小新号 -> 王小新, not 王小."""
    s = fold(text)
    for apart in _written_apart(vocab.backup_words):
        s = apart.sub("", s)
    s = _SEPARATORS.sub("", s)
    if not keep_digits:
        s = _DIGITS.sub("", s)
    changed = True
    while changed and s:
        changed = False
        for marker in vocab.backup_markers:
            if s.endswith(marker) and len(s) > len(marker) + 1:
                cut = len(marker) - (name_char and marker[0] in vocab.backup_words)
                s, changed = s[:-cut], True
                break
    return s or None


def name_stems(names: pd.Series, vocab: Vocabulary) -> np.ndarray:
    """:func:`stem` of each display name, read once per distinct name. A name ending in a marker that begins with a
    character of names is read in the light of the others: 王小新号 is 王小's new account (新号) or 王小新's account
    (号); it is 王小新 when another account is named 王小新 and none 王小, else 王小 as any marker is stripped."""
    codes, uniques = _distinct(names)
    stems = [stem(v, vocab) for v in uniques]
    ambiguous = [m for m in vocab.backup_markers if m[0] in vocab.backup_words]
    longer = [stem(v, vocab, name_char=True) if any(m in fold(v) for m in ambiguous) else short
              for v, short in zip(uniques, stems, strict=True)]
    seen = Counter(stems)
    chosen = [alt if alt != short and seen[alt] and seen[short] < 2 else short
              for short, alt in zip(stems, longer, strict=True)]
    return np.array(chosen, dtype=object)[codes]


def bio_token_set(bio: str | None) -> frozenset[str]:
    """Latin words and Chinese character pairs of the bio, without contacts (they are strong identifiers)."""
    text = _CONTACT.sub(" ", fold(bio))
    tokens = set(_WORD.findall(text))
    for run in _CJK.findall(text):
        tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(tokens)


def bio_lists(bios: pd.Series, limit: int = 40) -> pa.Array:
    """Each bio's tokens (:func:`bio_token_set`, the first ``limit`` in order) without boilerplate: tokens in more
    than ``BOILERPLATE_SHARE`` of the bios (and at least ``BOILERPLATE_MIN``), such as a backup announcement many
    traders copy. Read once per distinct bio."""
    codes, uniques = _distinct(bios)
    sets = [bio_token_set(bio) for bio in uniques]
    counts: Counter[str] = Counter()
    for tokens, n in zip(sets, np.bincount(codes, minlength=len(uniques)).tolist(), strict=True):
        for token in sorted(tokens)[:limit]:
            counts[token] += n
    cut = max(BOILERPLATE_MIN, BOILERPLATE_SHARE * len(bios))
    common = frozenset(t for t, n in counts.items() if n > cut)
    return pa.array([sorted(tokens - common)[:limit] or None for tokens in sets],
                    type=pa.list_(pa.string())).take(pa.array(codes))


def handle_digits(handle: str | None) -> str | None:
    """The longest run of four or more digits in a handle: what a backup handle usually keeps."""
    runs = _LONG_DIGITS.findall(unicodedata.normalize("NFKC", handle or ""))
    return max(runs, key=len) if runs else None


def location_key(location: str | None) -> str | None:
    s = _SEPARATORS.sub("", fold(location)).removesuffix("市")
    return s or None


def _text_habits(text: str) -> tuple[frozenset[str], str]:
    """The habits one post shows (emoji, punctuation, doubled exclamation marks), and its last six characters."""
    t = unicodedata.normalize("NFKC", text).lower()
    used = {f"e:{e}" for e in _EMOJI.findall(t)} | {f"p:{p}" for p in _PUNCT.findall(t)}
    if "!!" in t or "！！" in t:
        used.add("h:double_bang")
    return frozenset(used), t.strip()[-6:]


def account_features(accounts: pd.DataFrame, posts: pd.DataFrame, vocab: Vocabulary | None = None,
                     pictures: dict[str, list[str]] | None = None,
                     picture_files: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """One row per account with :data:`FEATURE_COLUMNS`. List columns (bio_tokens, hours, style) are Arrow lists
    (``pd.ArrowDtype``), pictures and picture_files Python lists or None.

    ``accounts``: id, platform, handle, display_name, bio, location. ``posts``: account_id, text,
    local_hour, price_per_gram (may be NaN). ``pictures``: account id -> same-picture groups it posted;
    ``picture_files``: account id -> SHA-256 of those pictures. Text work is done once per distinct value,
    the per-account counting in numpy.
    """
    pictures, picture_files = pictures or {}, picture_files or {}
    vocab = vocab or default_vocabulary()
    ids = pd.Index(pd.unique(accounts["id"]))
    at = ids.get_indexer(posts["account_id"]) if not posts.empty else np.zeros(0, dtype=np.int64)
    mine = at >= 0
    hours = pd.to_numeric(posts["local_hour"], errors="coerce").to_numpy(dtype=float) if not posts.empty else \
        np.zeros(0)
    timed = mine & ~np.isnan(hours)
    row = ids.get_indexer(accounts["id"])  # an account listed twice gets the same features twice
    profiles = _hour_array(hour_counts(at[timed], hours[timed].astype(np.int64), len(ids))).take(row)
    style = style_lists(at[mine], posts["text"][mine] if not posts.empty else pd.Series([], dtype=object),
                        len(ids)).take(row)
    prices = pd.to_numeric(posts["price_per_gram"], errors="coerce").to_numpy(dtype=float) if not posts.empty else \
        np.zeros(0)
    priced = mine & (prices > 0) & np.isfinite(prices)
    bands = price_bands(at[priced], prices[priced], len(ids))[row]
    return pd.DataFrame({
        "unique_id": accounts["id"].to_numpy(),
        "platform": accounts["platform"].to_numpy(),
        "name": name_stems(accounts["display_name"], vocab),
        "handle_stem": _per_value(accounts["handle"], lambda v: stem(v, vocab, keep_digits=True)),
        "handle_digits": _per_value(accounts["handle"], handle_digits),
        "bio_tokens": pd.arrays.ArrowExtensionArray(bio_lists(accounts["bio"])),
        "location": _per_value(accounts["location"], location_key),
        "hours": pd.arrays.ArrowExtensionArray(profiles),
        "style": pd.arrays.ArrowExtensionArray(style),
        "price_band": bands,
        "pictures": [pictures.get(a) or None for a in accounts["id"]],
        "picture_files": [picture_files.get(a) or None for a in accounts["id"]],
    }, columns=list(FEATURE_COLUMNS))


def _distinct(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """(code of each value, the distinct values with None last for the missing ones; anything but text is missing)."""
    codes, uniques = pd.factorize(values)
    return np.where(codes < 0, len(uniques), codes), [v if isinstance(v, str) else None for v in uniques] + [None]


def _per_value(values: pd.Series, fn: Callable[[str | None], str | None]) -> np.ndarray:
    """``fn`` of each value, computed once per distinct value (names, handles and places repeat)."""
    codes, uniques = _distinct(values)
    return np.array([fn(v) for v in uniques], dtype=object)[codes]


def _hour_array(profiles: np.ndarray) -> pa.Array:
    """Rows of :func:`hour_counts` as shares per hour (rounded to 4 places like Python's ``round``), NULL with
    fewer than :data:`MIN_POSTS_FOR_PROFILE` posts, as fixed-size Arrow lists of 24."""
    totals = profiles.sum(axis=1)
    posted = profiles > 0
    shares, where = np.unique(profiles[posted] / np.broadcast_to(totals[:, None], profiles.shape)[posted],
                              return_inverse=True)
    rounded = np.zeros(profiles.shape)
    rounded[posted] = np.array([round(v, 4) for v in shares.tolist()])[where]  # Python's exact rounding
    return pa.FixedSizeListArray.from_arrays(pa.array(rounded.ravel()), 24,
                                             mask=pa.array(totals < MIN_POSTS_FOR_PROFILE))


def hour_counts(account: np.ndarray, hour: np.ndarray, n_accounts: int) -> np.ndarray:
    """Posts per account (row) and local hour (column), from one (account position, local hour) per post."""
    counts = np.zeros((n_accounts, 24), dtype=np.int64)
    np.add.at(counts, (account, hour % 24), 1)
    return counts


def style_lists(account: np.ndarray, texts: pd.Series, n_accounts: int, limit: int = 30) -> pa.Array:
    """Writing habits of every account, from one (account position, text) per post: emoji and punctuation used in
    more than one post and a sign-off repeated across posts (``s:`` and the last six characters), the first
    ``limit`` in order. Each distinct text is read once; (account, habit) pairs are counted in numpy."""
    codes, distinct = _distinct(texts)
    seen = [_text_habits(t or "") for t in distinct]
    names = sorted({*chain.from_iterable(used for used, _ in seen), *(f"s:{tail}" for _, tail in seen
                                                                        if len(tail) >= 3)})
    rank = {name: i for i, name in enumerate(names)}
    used_ranks = [sorted(rank[u] for u in used) for used, _ in seen]
    lengths = np.array([len(r) for r in used_ranks], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lengths) else lengths
    flat = np.fromiter(chain.from_iterable(used_ranks), dtype=np.int64, count=int(lengths.sum()))
    tail = np.array([rank.get(f"s:{t}", -1) if len(t) >= 3 else -1 for _, t in seen], dtype=np.int64)
    per_post = lengths[codes]
    offset = np.arange(int(per_post.sum())) - np.repeat(np.cumsum(per_post) - per_post, per_post)
    signed = tail[codes] >= 0
    who = np.concatenate([np.repeat(account, per_post), account[signed]])
    what = np.concatenate([flat[np.repeat(starts[codes], per_post) + offset], tail[codes][signed]])
    pairs, count = np.unique(who * max(1, len(names)) + what, return_counts=True)
    pairs = pairs[count >= 2]
    who, what = pairs // max(1, len(names)), pairs % max(1, len(names))
    keep = np.arange(len(who)) - np.searchsorted(who, who) < limit  # sorted by account, then by token name
    who, what = who[keep], what[keep]
    sizes = np.bincount(who, minlength=n_accounts)
    offsets = pa.array(np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(names, type=pa.string()).take(pa.array(what)),
                                    mask=pa.array(sizes == 0))


def price_bands(account: np.ndarray, prices: np.ndarray, n_accounts: int) -> np.ndarray:
    """The median price per gram of every account on a ratio scale of 1.5 (None without prices), from one
    (account position, positive price per gram) per post."""
    medians = pd.Series(prices).groupby(account).median()
    bands = np.full(n_accounts, None, dtype=object)
    bands[medians.index.to_numpy()] = [str(round(math.log(m) / math.log(1.5))) for m in medians.tolist()]
    return bands
