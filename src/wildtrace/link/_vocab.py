"""The linking stage's curated words (``data/vocabulary.yaml``), validated on load."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

LISTS = ("backup_markers", "backup_words", "ivory", "other_endangered", "collectables", "other_business")


def _t2s_table() -> dict[int, str]:
    """Character-level traditional-to-simplified table from OpenCC's dictionary (``str.translate`` is fast)."""
    text = (resources.files("opencc") / "dictionary" / "TSCharacters.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            table[ord(parts[0])] = parts[1].split(" ")[0]
    return table


_T2S = _t2s_table()


@dataclass(frozen=True)
class Vocabulary:
    backup_markers: tuple[str, ...]
    backup_words: tuple[str, ...]
    ivory: tuple[str, ...]
    other_endangered: tuple[str, ...]
    collectables: tuple[str, ...]
    other_business: tuple[str, ...]
    min_side_posts: int = 2


def fold(text: str | None) -> str:
    """NFKC, lower case, traditional to simplified Chinese: the form every comparison uses."""
    return _fold(text or "")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_T2S)


def read_data_file(filename: str, path: str | Path | None = None) -> tuple[str, str]:
    """(name, text) of ``path``, or of the packaged ``data/<filename>`` when no path is given."""
    if path:
        return str(path), Path(path).read_text(encoding="utf-8")
    item = resources.files("wildtrace.link") / "data" / filename
    return str(item), item.read_text(encoding="utf-8")


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load and validate the vocabulary (``path``, or the packaged file)."""
    return _parse(*read_data_file("vocabulary.yaml", path))


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return load_vocabulary()


def _parse(name: str, text: str) -> Vocabulary:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping of lists")
    unknown = set(data) - set(LISTS) - {"version", "min_side_posts"}
    if unknown:
        raise ValueError(f"{name}: unknown entries {sorted(unknown)}")
    values = {}
    for key in LISTS:
        terms = data.get(key)
        if not isinstance(terms, list) or not terms:
            raise ValueError(f"{name}: entry '{key}' must be a non-empty list of terms")
        for i, term in enumerate(terms):
            if not isinstance(term, str | int) or not str(term).strip():
                raise ValueError(f"{name}: entry '{key}' item {i} must be a non-empty string, got {term!r}")
        values[key] = tuple(sorted({fold(str(t)).strip() for t in terms}, key=lambda t: (-len(t), t)))
    side = data.get("min_side_posts", 2)
    if not isinstance(side, int) or isinstance(side, bool) or side < 1:
        raise ValueError(f"{name}: entry 'min_side_posts' must be a whole number of at least 1, got {side!r}")
    return Vocabulary(**values, min_side_posts=side)
