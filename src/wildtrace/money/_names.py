"""Names in one comparable form across scripts: Chinese to pinyin, traditional and full-width folded,
Latin transliterated, case and spacing dropped, syllables sorted (so 张三, Zhang San and "san zhang"
meet)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from normality import ascii_text
from pypinyin import lazy_pinyin

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=200_000)
def name_key(name: str | None) -> str:
    """The matching key of a person's name; empty for no name."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    if _CJK.search(text):
        text = " ".join(lazy_pinyin(text))
    text = (ascii_text(text) or "").lower()
    return " ".join(sorted(_WORD.findall(text)))
