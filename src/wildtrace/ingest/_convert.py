"""From a raw record to a validated entity: mapping, time zones, lists, identity by content."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from wildtrace.ingest._mapping import Mapping, lookup
from wildtrace.ingest._readers import RawRecord
from wildtrace.model import ENTITIES, Account, Entity, Post, content_hash
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
    except (OverflowError, OSError) as exc:
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
            found, value = (True, raw.data[column]) if column in raw.data else lookup(raw.data, column)
            if found:
                used.add(column.split(".", 1)[0])
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
        return entity

    def _coerce(self, raw: RawRecord, name: str, value: Any) -> Any:
        if _contains_nul(value):
            raise RecordError(raw.source, raw.line, name, "contains NUL characters (binary data?)")
        try:
            if name in self._times:
                tz = parse_tz(self.mapping.timezone) if self.mapping.timezone else self.assume_tz
                return parse_time(value, self.mapping.formats.get(name), tz)
            if name in self._json and isinstance(value, str):
                text = value.strip()
                if text.startswith(("[", "{")):
                    return json.loads(text)
                return [p.strip() for p in text.split(self.mapping.list_separator) if p.strip()]
        except (ValueError, TypeError) as exc:
            raise RecordError(raw.source, raw.line, name, str(exc)) from None
        return value


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


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    return False
