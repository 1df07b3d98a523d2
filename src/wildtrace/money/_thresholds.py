"""Reporting thresholds per currency (package YAML, validated on load)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

_FILE = "thresholds.yaml"


@cache
def default_thresholds() -> dict[str, tuple[float, ...]]:
    """``{currency: (amount, ...)}`` from ``money/data/thresholds.yaml``; errors name file and entry."""
    text = resources.files("wildtrace.money").joinpath("data", _FILE).read_text(encoding="utf-8")
    return validate_thresholds(yaml.safe_load(text), _FILE)


def validate_thresholds(data: object, where: str) -> dict[str, tuple[float, ...]]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping of currency to a list of amounts")
    out: dict[str, tuple[float, ...]] = {}
    for currency, amounts in data.items():
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            raise ValueError(f"{where}: entry {currency!r}: not a three-letter currency code")
        if not isinstance(amounts, list) or not amounts or not all(
                isinstance(a, int | float) and a > 0 for a in amounts):
            raise ValueError(f"{where}: entry {currency}: expected a list of positive amounts, got {amounts!r}")
        out[currency.upper()] = tuple(float(a) for a in amounts)
    return out


def thresholds_values(thresholds: dict | None = None) -> str:
    """The thresholds as a SQL ``VALUES`` list of (currency, threshold)."""
    table = validate_thresholds(thresholds, "thresholds parameter") if thresholds else default_thresholds()
    return ", ".join(f"('{c}', {a})" for c, amounts in sorted(table.items()) for a in amounts)
