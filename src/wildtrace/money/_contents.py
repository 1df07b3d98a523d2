"""Declared-contents categories with honest weight ranges (package YAML, validated on load)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_FILE = "contents.yaml"


@dataclass(frozen=True)
class ContentsCategory:
    name: str
    pattern: str
    min_g: float
    max_g: float
    cover: float = 0.0  # how surely the description is a cover for wildlife products (0: not one)


@cache
def contents_categories() -> tuple[ContentsCategory, ...]:
    text = resources.files("wildtrace.money").joinpath("data", _FILE).read_text(encoding="utf-8")
    return validate_categories(yaml.safe_load(text), _FILE)


def validate_categories(data: object, where: str) -> tuple[ContentsCategory, ...]:
    """Categories from parsed YAML; errors name the file and the entry."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ValueError(f"{where}: expected a 'categories' list")
    out = []
    for i, entry in enumerate(data["categories"]):
        label = entry.get("name", f"#{i}") if isinstance(entry, dict) else f"#{i}"
        try:
            cat = ContentsCategory(**entry)
            re.compile(cat.pattern)
        except (TypeError, re.error) as exc:
            raise ValueError(f"{where}: entry {label}: {exc}") from exc
        if not 0 <= cat.min_g < cat.max_g:
            raise ValueError(f"{where}: entry {label}: need 0 <= min_g < max_g")
        if not 0 <= float(cat.cover) <= 1:
            raise ValueError(f"{where}: entry {label}: cover must be between 0 and 1")
        out.append(cat)
    return tuple(out)


def contents_values() -> str:
    """The categories as a SQL ``VALUES`` list of (name, pattern, min_g, max_g, cover)."""
    def lit(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"
    return ", ".join(f"({lit(c.name)}, {lit('(?i)' + c.pattern)}, {float(c.min_g)}, {float(c.max_g)}, "
                     f"{float(c.cover)})" for c in contents_categories())
