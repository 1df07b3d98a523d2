"""Column mappings: how the fields of someone else's export become the fields of a WildTrace entity.

A mapping file is JSON, either flat (``{"text": "Content", "posted_at": "Publish Time"}``) or with
sections::

    {"fields": {"text": "Content", "account_id": "user.handle"},
     "defaults": {"platform": "weibo"},
     "formats": {"posted_at": "%d/%m/%Y %H:%M"},
     "timezone": "+08:00",
     "list_separator": ";"}

``fields`` maps an entity field to a source column (a dotted path reaches into nested JSON objects);
``defaults`` gives constant values for fields the export lacks; ``formats`` gives ``strptime`` formats
for timestamps; ``timezone`` is the zone of naive timestamps in this export (like ``--assume-tz``);
``negative_amounts`` is the export's sign convention for payments: ``refuse`` (default: a negative
amount is quarantined) or ``reverse`` (a negative amount is a payment from payee to payer).
Columns that already carry an entity field's name pass through unmapped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SECTIONS = {"fields", "defaults", "formats", "timezone", "list_separator", "negative_amounts"}
SIGN_CONVENTIONS = ("refuse", "reverse")


@dataclass(frozen=True)
class Mapping:
    """Field -> column mapping plus defaults, timestamp formats and the export's time zone."""

    fields: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None
    list_separator: str = ";"
    negative_amounts: str = "refuse"

    def merged(self, other: Mapping) -> Mapping:
        """This mapping with ``other``'s entries on top (flags over a mapping file)."""
        return Mapping(
            fields={**self.fields, **other.fields},
            defaults={**self.defaults, **other.defaults},
            formats={**self.formats, **other.formats},
            timezone=other.timezone or self.timezone,
            list_separator=other.list_separator if other.list_separator != ";" else self.list_separator,
            negative_amounts=other.negative_amounts if other.negative_amounts != "refuse" else self.negative_amounts,
        )


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; errors name the file and the entry."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping must be a JSON object")
    if not set(data) & _SECTIONS:
        data = {"fields": data}
    unknown = set(data) - _SECTIONS
    if unknown:
        raise ValueError(f"{path}: unknown section(s) {sorted(unknown)}; expected {sorted(_SECTIONS)}")
    for section in ("fields", "defaults", "formats"):
        if not isinstance(data.get(section, {}), dict):
            raise ValueError(f"{path}: '{section}' must be an object")
    for name, column in {**data.get("fields", {}), **data.get("formats", {})}.items():
        if not isinstance(column, str) or not column:
            raise ValueError(f"{path}: entry '{name}' must be a non-empty string, got {column!r}")
    if data.get("negative_amounts", "refuse") not in SIGN_CONVENTIONS:
        raise ValueError(f"{path}: 'negative_amounts' must be one of {', '.join(SIGN_CONVENTIONS)}")
    return Mapping(
        fields=dict(data.get("fields", {})),
        defaults=dict(data.get("defaults", {})),
        formats=dict(data.get("formats", {})),
        timezone=data.get("timezone"),
        list_separator=data.get("list_separator", ";"),
        negative_amounts=data.get("negative_amounts", "refuse"),
    )


def parse_pairs(pairs: Iterable[str], what: str = "--map") -> dict[str, str]:
    """``["field=column", ...]`` -> ``{field: column}``; errors name the bad pair."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value:
            raise ValueError(f"{what} {pair!r}: expected field=value")
        out[name.strip()] = value
    return out


def lookup(record: dict[str, Any], column: str) -> tuple[bool, Any]:
    """(found, value) of ``column`` in ``record``; a dotted path reaches into nested objects."""
    if column in record:
        return True, record[column]
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value
