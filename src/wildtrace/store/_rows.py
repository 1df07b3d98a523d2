"""Pure mapping between domain entities and table rows (shared by every backend)."""

from __future__ import annotations

import functools
import json
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel

from wildtrace.model import Entity


def _is_datetime(annotation: Any) -> bool:
    if annotation is datetime:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_datetime(a) for a in typing.get_args(annotation))
    return False


def _is_json(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_json(a) for a in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


@functools.cache
def _kinds(model: type[Entity]) -> tuple[tuple[str, bool, bool], ...]:
    """(field, is datetime, is JSON) for each field of ``model``, worked out once per model."""
    return tuple((n, _is_datetime(i.annotation), _is_json(i.annotation)) for n, i in model.model_fields.items())


def columns(model: type[Entity]) -> list[str]:
    """Column names of ``model``'s table, in field order."""
    cols: list[str] = []
    for name, info in model.model_fields.items():
        cols.append(name)
        if _is_datetime(info.annotation):
            cols.append(f"{name}_tz")
    return cols


def to_row(entity: Entity) -> dict[str, Any]:
    """Flatten an entity into a row: datetimes to (UTC instant, offset minutes), lists to JSON."""
    data = entity.model_dump(mode="python")
    row: dict[str, Any] = {}
    for name, is_datetime, is_json in _kinds(type(entity)):
        value = data[name]
        if is_datetime:
            offset = value.utcoffset() if value is not None else None
            row[name] = value.astimezone(UTC) if value is not None else None
            row[f"{name}_tz"] = int(offset.total_seconds() // 60) if offset is not None else None
        elif is_json:
            row[name] = json.dumps(entity.model_dump(mode="json", include={name})[name], ensure_ascii=False)
        else:
            row[name] = value
    return row


def from_row(model: type[Entity], row: dict[str, Any]) -> Entity:
    """Rebuild an entity from a row written by :func:`to_row`."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        value = row.get(name)
        if _is_datetime(info.annotation) and value is not None:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            minutes = row.get(f"{name}_tz")
            if minutes is not None:
                value = value.astimezone(timezone(timedelta(minutes=minutes)))
        elif _is_json(info.annotation) and isinstance(value, str):
            value = json.loads(value)
        values[name] = value
    return model.model_validate(values)
