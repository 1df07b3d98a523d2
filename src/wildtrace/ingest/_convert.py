"""From a raw record to a validated entity: mapping, time zones, lists, identity by content."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from wildtrace.ingest._mapping import Mapping, lookup
from wildtrace.ingest._readers import RawRecord
from wildtrace.model import ENTITIES, Account, Entity, Post, Transaction, content_hash
from wildtrace.store._rows import _is_datetime, _is_json

MODELS: dict[str, type[Entity]] = {
    **{re.sub(r"(?<!^)(?=[A-Z])", "_", m.__name__).lower(): m for m in ENTITIES},
    **{m.__table__: m for m in ENTITIES},
}

# How a saved page's metadata fills a Post when no mapping says otherwise.
HTML_POST_FIELDS = {"text": "text", "url": "url", "posted_at": "published", "platform": "site",
                    "account_id": "author", "language": "language", "media": "images"}

_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                 "%d.%m.%Y", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
                 "%a, %d %b %Y %H:%M:%S %z")
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a store column can hold and a record can plausibly say: 64-bit integers, finite numbers, years
# 1900-2199 (online trade records; a year-1 or year-9999 stamp is a broken export), JSON 64 levels deep.
INT64 = (-(2**63), 2**63 - 1)
YEARS = (1900, 2199)
MAX_DEPTH = 64
NON_NEGATIVE = frozenset({"amount", "weight_g", "quantity_kg", "size"})


class RecordError(ValueError):
    """A record that cannot be ingested; the message names file, line and field."""

    def __init__(self, source: str, line: int, field: str | None, reason: str,
                 more: list[tuple[str, str]] | None = None) -> None:
        self.source, self.line, self.field, self.reason = source, line, field, reason
        problems = [(field, reason), *(more or [])]
        text = "; ".join(f"field '{f}': {r}" if f else r for f, r in problems)
        super().__init__(f"{source}:{line}: {text}")


def model_for(name: str) -> type[Entity]:
    """The entity class named ``name`` (``post``, ``posts``, ``transaction``, ``media_item`` ...)."""
    key = name.strip().lower().replace("-", "_")
    if key in MODELS:
        return MODELS[key]
    if key.rstrip("s") in MODELS:
        return MODELS[key.rstrip("s")]
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(sorted(MODELS))}")


def parse_tz(name: str) -> tzinfo:
    """A time zone from ``+08:00``, ``-0500``, ``UTC``, ``Z`` or an IANA name such as ``Asia/Shanghai``."""
    text = name.strip()
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    match = _OFFSET.match(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}; use an offset such as +08:00 or a name such as "
                         "Asia/Shanghai") from exc


def parse_time(value: Any, fmt: str | None, assume: tzinfo | None) -> datetime:
    """A timestamp from ISO 8601 text, a common export format, ``fmt`` or epoch seconds/milliseconds.

    Epoch numbers are UTC by definition. A timestamp without a zone gets ``assume`` or is refused.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
            raise ValueError(f"epoch number of {len(str(abs(value)))} digits is out of range")
        return _from_epoch(float(value))
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
            return _from_epoch(float(text))
        parsed = _parse_text(text, fmt)
    else:
        raise ValueError(f"expected a timestamp, got {type(value).__name__}")
    if parsed.tzinfo is None:
        if assume is None:
            raise ValueError(f"timestamp {value!r} has no time zone; give an offset (+08:00, Z) or --assume-tz")
        parsed = parsed.replace(tzinfo=assume)
    return parsed


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"epoch {seconds:g} is out of range") from exc


def _parse_text(text: str, fmt: str | None) -> datetime:
    if fmt:
        try:
            return datetime.strptime(text, fmt)
        except ValueError as exc:
            raise ValueError(f"{text!r} does not match the format {fmt!r}") from exc
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for candidate in _TIME_FORMATS:
        try:
            return datetime.strptime(text, candidate)
        except ValueError:
            continue
    raise ValueError(f"{text[:60]!r} is not a timestamp (ISO 8601 such as 2026-03-14T23:30:00+08:00 expected)")


@dataclass
class Converter:
    """Turns raw records of one export into entities of ``model`` (see :meth:`prepare`, :meth:`build`)."""

    model: type[Entity]
    mapping: Mapping
    assume_tz: tzinfo | None = None
    html: bool = False

    def __post_init__(self) -> None:
        fields = self.model.model_fields
        unknown = sorted((set(self.mapping.fields) | set(self.mapping.defaults)) - set(fields))
        if unknown:
            raise ValueError(f"mapping names field(s) {unknown} that {self.model.__name__} does not have; "
                             f"its fields are {', '.join(fields)}")
        base = HTML_POST_FIELDS if self.html and self.model is Post else {}
        columns = {**base, **self.mapping.fields}
        self._plan = [(name, columns.get(name, name)) for name in fields]
        self._times = {n for n, f in fields.items() if _is_datetime(f.annotation)}
        self._json = {n for n, f in fields.items() if _is_json(f.annotation)}
        self.ignored: dict[str, int] = {}

    def prepare(self, raw: RawRecord) -> dict[str, Any]:
        """The record's values under the entity's field names, timestamps parsed, lists split."""
        assert raw.data is not None
        values: dict[str, Any] = {}
        used = set()
        for name, column in self._plan:
            exact = column in raw.data
            found, value = (True, raw.data[column]) if exact else lookup(raw.data, column)
            if found:
                used.add(column if exact else column.split(".", 1)[0])
            if value is not None and value != "":
                values[name] = value
            elif name in self.mapping.defaults:
                values[name] = self.mapping.defaults[name]
        if len(used) < len(raw.data) and not self.html:
            for column in raw.data.keys() - used:
                self.ignored[column] = self.ignored.get(column, 0) + 1
        for name, value in values.items():
            values[name] = self._coerce(raw, name, value)
        if self.html and self.model is Post:
            _html_account(values)
        if self.model is Account and "id" not in values and {"platform", "handle"} <= values.keys():
            values["id"] = Account.make_id(str(values["platform"]), str(values["handle"]))
        return values

    def build(self, raw: RawRecord, values: dict[str, Any]) -> Entity:
        """Validate ``values`` as the model; a Post gets its content hash and, if missing, an id from it."""
        if self.model is Post:
            values.setdefault("source", raw.source)
            values["content_hash"] = post_hash(values)
            values.setdefault("id", values["content_hash"][:32])
        try:
            entity = self.model.model_validate(values)
        except ValidationError as exc:
            problems = [(".".join(str(p) for p in e["loc"]), e["msg"])
                        for e in exc.errors(include_url=False, include_input=False)]
            raise RecordError(raw.source, raw.line, *problems[0], more=problems[1:]) from None
        except Exception as exc:  # a validator tripping on a value it was not written for
            raise RecordError(raw.source, raw.line, None, f"cannot be read as a {self.model.__name__}: "
                              f"{type(exc).__name__}: {exc}") from None
        for name in self.model.model_fields:
            reason = _unstorable(name, getattr(entity, name))
            if reason:
                raise RecordError(raw.source, raw.line, name, reason)
        if isinstance(entity, Transaction) and entity.amount < 0:
            entity = self._signed(raw, entity)
        return entity

    def _signed(self, raw: RawRecord, tx: Transaction) -> Transaction:
        """A negative amount read by the mapping's sign convention, or refused when it has none."""
        if self.mapping.negative_amounts == "reverse":
            return tx.model_copy(update={"payer": tx.payee, "payee": tx.payer, "amount": -tx.amount})
        raise RecordError(raw.source, raw.line, "amount", f"{tx.amount:g} is negative; the mapping must say "
                          "what a negative amount means (\"negative_amounts\": \"reverse\" for a payment the "
                          "other way)")

    def _coerce(self, raw: RawRecord, name: str, value: Any) -> Any:
        reason = check_value(value)
        if reason:
            raise RecordError(raw.source, raw.line, name, reason)
        try:
            if name in self._times:
                tz = parse_tz(self.mapping.timezone) if self.mapping.timezone else self.assume_tz
                return parse_time(value, self.mapping.formats.get(name), tz)
            if name in self._json and isinstance(value, str):
                text = value.strip()
                if text.startswith(("[", "{")):
                    return _checked(json.loads(text))
                return [p.strip() for p in text.split(self.mapping.list_separator) if p.strip()]
        except Exception as exc:  # ValueError, TypeError, OverflowError, RecursionError ...: the value is bad
            raise RecordError(raw.source, raw.line, name, str(exc) or type(exc).__name__) from None
        return value


def check_value(value: Any, depth: int = 0) -> str | None:
    """Why a raw value cannot be stored (NUL, lone surrogate, huge integer, NaN/infinity, deep nesting), or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "contains NUL characters (binary data?)"
        if _SURROGATE.search(value):
            return "contains a lone surrogate (not valid Unicode text)"
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            return "integer out of the 64-bit range"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return f"{value} is not a finite number"
    elif isinstance(value, list | dict):
        if depth >= MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        return next((r for r in (check_value(v, depth + 1) for v in items) if r), None)
    return None


def _checked(value: Any) -> Any:
    reason = check_value(value)
    if reason:
        raise ValueError(reason)
    return value


def _unstorable(name: str, value: Any) -> str | None:
    """Why a validated field value cannot be stored as it is, or None."""
    if isinstance(value, date) and not YEARS[0] <= value.year <= YEARS[1]:
        return f"year {value.year} is outside {YEARS[0]}-{YEARS[1]}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        reason = check_value(value)
        if reason:
            return reason
        if name in NON_NEGATIVE and value < 0 and name != "amount":
            return f"{value:g} is negative"
    return None


def post_hash(post: Post | dict[str, Any]) -> str:
    """The identity of a post by its content: platform, account, text, media, time and URL."""
    fields = dict(post) if isinstance(post, Post) else post
    posted = fields.get("posted_at")
    return content_hash(fields.get("platform"), fields.get("account_id"), fields.get("text", ""),
                        fields.get("media", []), posted.isoformat() if isinstance(posted, datetime) else posted,
                        fields.get("url"))


def _html_account(values: dict[str, Any]) -> None:
    author, platform = values.get("account_id"), values.get("platform")
    if isinstance(author, str) and platform and ":" not in author:
        values["account_id"] = Account.make_id(str(platform), author)
