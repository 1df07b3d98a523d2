"""Columnar ingest: batches of JSON Lines or CSV records read, validated and converted by DuckDB.

A batch goes to DuckDB as an Arrow table (line number and line, or one column per CSV header). One SQL
statement extracts every field, checks its type, parses timestamps with their zones, fills defaults,
derives account ids and the posts' content hashes and ids; the rows that pass are inserted by SQL in
the chunk's transaction. Every other row (not JSON, a wrong type, an epoch number, a naive timestamp,
a negative amount, an image path, a key already stored with other content ...) goes to the per-record
path, which quarantines or converts it with exactly the reasons it always gives. So the SQL is
conservative: it accepts only rows the per-record path would store exactly as the SQL does.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from wildtrace.ingest._convert import NON_NEGATIVE, YEARS
from wildtrace.ingest._mapping import Mapping
from wildtrace.ingest._readers import RawRecord, parse_json_line, read_csv
from wildtrace.model import Account, Entity, PaymentAccount, Platform, Post, Shipment, Transaction
from wildtrace.store import DuckDBStore, Store, columns

FAST_MODELS: tuple[type[Entity], ...] = (Post, Account, Transaction, Shipment, PaymentAccount, Platform)
_BLOCK = 1 << 25  # bytes of JSON Lines read at a time
_ISO = r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
_INT = r"-?\d{1,18}"
_FLOAT = r"-?\d{1,15}(\.\d{1,15})?([eE][+-]?\d{1,3})?"
# What DuckDB's JSON reader takes and Python's refuses (trailing commas, inf/nan, numbers of 1,000+ digits):
# such lines, and lines with many brackets (Python's parser stops at about 1,000 levels), go per record.
_LENIENT = r",\s*[}\]]|[:,\[]\s*(?:-?(?:inf|nan)\b|-NaN)"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
MAX_BRACKETS = 900
_SPACE = np.frombuffer(b" \t\n\r\x0b\x0c", np.uint8)


def _kind(annotation: Any) -> str | None:
    """The SQL handling of a field type: str, time, int, float, enum, list; None when not handled."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        return "list"
    kinds = {str: "str", datetime: "time", int: "int", float: "float"}
    if annotation in kinds:
        return kinds[annotation]
    return "enum" if isinstance(annotation, type) and issubclass(annotation, enum.Enum) else None


def supported(model: type[Entity], mapping: Mapping, formats: list[str], store: Store) -> bool:
    """Whether ``columnar`` can take this batch: a DuckDB store, a handled model, JSON Lines or CSV, no
    timestamp formats or non-text defaults in the mapping, plain column names."""
    return (isinstance(store, DuckDBStore) and model in FAST_MODELS and set(formats) <= {"jsonl", "csv"}
            and not mapping.formats and all(isinstance(v, str) for v in mapping.defaults.values())
            and all('"' not in c and "\\" not in c for c in mapping.fields.values()))


@dataclass
class Batch:
    """A chunk of records: the Arrow table DuckDB reads, the records that must go per record, and (CSV)
    every record of the chunk as read."""

    table: pa.Table
    slow: list[RawRecord]
    count: int  # records in the chunk (fast and slow)
    records: dict[int, RawRecord] | None = None
    names: list[str] | None = None  # CSV: the header name of the table's columns v_0, v_1, ...

    def after(self, done: int) -> Batch:
        """The batch without its first ``done`` records (a resumed run whose chunks were cut elsewhere)."""
        lines = sorted([*self.table.column("lineno").to_pylist(), *(r.line for r in self.slow)])
        last = lines[done - 1]
        keep = pc.greater(self.table.column("lineno"), last)
        return Batch(self.table.filter(keep), [r for r in self.slow if r.line > last], self.count - done,
                     self.records, self.names)

    def raw(self, source: str, line: int) -> RawRecord:
        """The record at ``line``, as the per-record reader gives it."""
        if self.records is not None:
            return self.records[line]
        numbers = self.table.column("lineno").combine_chunks()  # in line order
        index = int(np.searchsorted(np.frombuffer(numbers.buffers()[1], np.int64, len(numbers), numbers.offset * 8),
                                    line))
        text = self.table.column("line")[index].as_py()
        return parse_json_line(source, line, text.encode("utf-8").rstrip(b"\r\n"))


def batches(path: Path, fmt: str, size: int) -> Iterator[Batch]:
    """Chunks of ``size`` records of one file (blank lines are not records, as per record)."""
    yield from (_json_batches(path, size) if fmt == "jsonl" else _csv_batches(path, size))


def _json_batches(path: Path, size: int) -> Iterator[Batch]:
    source, first, rest = str(path), 1, b""
    pending: list[tuple[np.ndarray, pa.Array]] = []
    held = 0
    with path.open("rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            data = rest + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            data, rest = data[:cut], data[cut:]
            if data:
                numbers, lines, count = _split_lines(data, first)
                first += count
                pending.append((numbers, lines))
                held += len(lines)
            while held >= size or (not block and held):
                numbers_all = np.concatenate([n for n, _ in pending])
                lines_all = pa.concat_arrays([a for _, a in pending])
                take = min(size, held)
                yield _json_batch(source, numbers_all[:take], lines_all.slice(0, take))
                pending = [(numbers_all[take:], lines_all.slice(take))] if held > take else []
                held -= take
            if not block:
                return


def _split_lines(data: bytes, first: int) -> tuple[np.ndarray, pa.Array, int]:
    """(line numbers, lines, how many lines) of a block of whole lines, blank ones left out; lines keep
    their end."""
    buf = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buf == 10) + 1
    if not len(ends) or ends[-1] != len(data):
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1]))
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    lines = pa.Array.from_buffers(pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    numbers = np.arange(first, first + len(ends), dtype=np.int64)
    # only a line that starts with white space (or is empty) can be blank: look at those closely
    spaced = np.flatnonzero((ends == starts) | np.isin(buf[np.minimum(starts, len(buf) - 1)], _SPACE))
    blank = [i for i in spaced if not data[starts[i]:ends[i]].strip()]
    if blank:
        keep = np.ones(len(ends), bool)
        keep[blank] = False
        return numbers[keep], lines.filter(pa.array(keep)), len(ends)
    return numbers, lines, len(ends)


def _json_batch(source: str, numbers: np.ndarray, lines: pa.Array) -> Batch:
    """Lines that are not UTF-8 go per record (their reason is the per-record reader's)."""
    try:
        text = lines.cast(pa.large_string())
        slow: list[RawRecord] = []
    except pa.ArrowInvalid:
        good = np.ones(len(lines), bool)
        raw = lines.to_pylist()
        for i, line in enumerate(raw):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                good[i] = False
        slow = [parse_json_line(source, int(numbers[i]), raw[i].rstrip(b"\r\n")) for i in np.flatnonzero(~good)]
        text = lines.filter(pa.array(good)).cast(pa.large_string())
        numbers = numbers[good]
    return Batch(pa.Table.from_arrays([_int64(numbers), text], names=["lineno", "line"]), slow, len(lines))


def _int64(values: np.ndarray) -> pa.Array:
    """An Arrow array over ``values`` without a copy (and without pyarrow importing pandas to look at them)."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def _csv_batches(path: Path, size: int) -> Iterator[Batch]:
    records = read_csv(path)
    while True:
        chunk = [r for _, r in zip(range(size), records, strict=False)]
        if not chunk:
            return
        good = [r.data for r in chunk if r.data is not None]
        names = list(dict.fromkeys(k for data in good for k in data))
        cols = [pa.array([r.line for r in chunk if r.data is not None], pa.int64()),
                *(pa.array([data.get(name) for data in good], pa.large_string()) for name in names)]
        table = pa.Table.from_arrays(cols, names=["lineno", *(f"v_{i}" for i in range(len(names)))])
        yield Batch(table, [r for r in chunk if r.data is None], len(chunk), {r.line: r for r in chunk}, names)


class Columnar:
    """The SQL that validates and converts a batch of ``model`` records read through ``mapping``."""

    def __init__(self, model: type[Entity], mapping: Mapping) -> None:
        self.model, self.mapping = model, mapping
        self._fields = [(name, info, _kind(info.annotation)) for name, info in model.model_fields.items()]
        self._columns = {name: mapping.fields.get(name, name) for name, _, _ in self._fields}

    def stage(self, con: duckdb.DuckDBPyConnection, batch: Batch, fmt: str, source: str) -> None:
        """Create ``_wt_stage``: one row per record with ``ok`` and the converted columns."""
        con.register("_wt_batch", batch.table)
        try:
            sql = self._json_sql(source) if fmt == "jsonl" else self._csv_sql(batch.names or [], source)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _wt_stage AS {sql}")
        finally:
            con.unregister("_wt_batch")

    def ignored(self, con: duckdb.DuckDBPyConnection, fmt: str, names: list[str] | None) -> dict[str, int]:
        """Columns of the batch's accepted records that map to no field, and in how many records."""
        used = {c.split(".", 1)[0] for c in self._columns.values()} | set(self._columns.values())
        if fmt == "jsonl":
            rows = con.execute("SELECT k, count(*) FROM (SELECT unnest(keys) AS k FROM _wt_stage WHERE ok) "
                               "GROUP BY k").fetchall()
            return {k: int(n) for k, n in rows if k not in used}
        unused = [n for n in names or [] if n not in used]
        if not unused:
            return {}
        counts = ", ".join(f"count(c_{i})" for i in range(len(unused)))
        row = con.execute(f"SELECT {counts} FROM _wt_stage WHERE ok").fetchone() or ()
        return {name: int(n) for name, n in zip(unused, row, strict=True) if n}

    # -- SQL ------------------------------------------------------------------------------------
    def _json_sql(self, source: str) -> str:
        paths, raw = [], {}
        for name, _, _ in self._fields:
            column = self._columns[name]
            paths.append(f"'$.\"{column}\"'")
            raw[name] = f"j[{len(paths)}]"
            if "." in column:  # an exact key wins over the nested path, as per record
                paths.append("'$." + ".".join(f'"{p}"' for p in column.split(".")) + "'")
                raw[name] = f"coalesce(j[{len(paths) - 1}], j[{len(paths)}])"
        long_line = "length(line) > 900"
        line_ok = (f"json_valid(line) AND starts_with(line, '{{') AND NOT regexp_matches(line, '{_LENIENT}') "
                   f"AND NOT ({long_line} AND (regexp_matches(line, '\\d{{1000}}') OR length(line) - "
                   f"length(replace(replace(line, '[', ''), '{{', '')) > {MAX_BRACKETS}))")
        parsed = (f"SELECT lineno, line_ok, CASE WHEN line_ok THEN json_extract(line, [{', '.join(paths)}]) END AS j, "
                  f"CASE WHEN line_ok THEN json_keys(line) END AS keys "
                  f"FROM (SELECT lineno, line, {line_ok} AS line_ok FROM _wt_batch)")
        fields = (f"SELECT lineno, keys, line_ok AND len(keys) = len(list_distinct(keys)) AS line_ok, "
                  f"{', '.join(f'{expr} AS r_{i}' for i, expr in enumerate(raw.values()))} FROM ({parsed})")
        values: dict[str, _Value] = {name: _JsonValue(f"r_{i}") for i, name in enumerate(raw)}
        return self._convert(values, fields, source, ["keys"])

    def _csv_sql(self, names: list[str], source: str) -> str:
        """``names`` are the header names of the columns ``v_0``, ``v_1``, ... (never put in SQL themselves)."""
        index = {n: i for i, n in enumerate(names)}
        values: dict[str, _Value] = {
            name: _CsvValue(f"v_{index[self._columns[name]]}" if self._columns[name] in index else "NULL")
            for name, _, _ in self._fields}
        used = set(self._columns.values())
        extra = [f"v_{index[n]} AS c_{i}" for i, n in enumerate(n for n in names if n not in used)]
        fields = "SELECT *, true AS line_ok FROM _wt_batch"
        return self._convert(values, fields, source, [e.split(" AS ")[1] for e in extra], extra)

    def _convert(self, values: dict[str, _Value], fields: str, source: str, keep: list[str],
                 extra: list[str] | None = None) -> str:
        """The staging query over ``fields`` (a query with ``lineno``, ``line_ok`` and what ``values`` read):
        each value read once into columns, then checked and converted, then the derived columns."""
        reads = []
        for i, (name, _, _) in enumerate(self._fields):
            default = self.mapping.defaults.get(name)
            value = values[name].defaulted(str(default)) if default is not None else values[name]
            reads += [f"{expr} AS {part}_{i}" for part, expr in value.parts().items()]
            values[name] = _Columns(i)
        exprs: dict[str, str] = {}
        checks: list[str] = []
        for name, info, kind in self._fields:
            value = values[name]
            check, converted = _field(kind, value, name, info.annotation)
            if info.is_required() and not self._derived(name):
                check = f"(NOT {value.missing} AND {check})"
            else:
                missing = _literal(info.get_default(call_default_factory=True), kind)
                converted = {k: f"CASE WHEN {value.missing} THEN {missing.get(k, 'NULL')} ELSE {v} END"
                             for k, v in converted.items()}
                check = f"({value.missing} OR {check})"
            checks.append(check)
            for key, expr in converted.items():
                exprs[f"{name}{key}"] = expr
        derived = self._derive(exprs, values, source)
        body = ", ".join(f'{expr} AS "{col}"' for col, expr in exprs.items())
        kept = "".join(f", {k}" for k in keep)
        passed = "".join(f", {k}" for k in keep if not any(e.endswith(f" AS {k}") for e in extra or []))
        read = f"SELECT lineno, line_ok{passed}, {', '.join(reads + (extra or []))} FROM ({fields})"
        staged = f"SELECT lineno{kept}, line_ok AND {' AND '.join(checks)} AS ok, {body} FROM ({read})"
        return f"SELECT * REPLACE ({derived}) FROM ({staged})" if derived else staged

    def _derived(self, name: str) -> bool:
        return (self.model is Post and name in ("id", "content_hash")) or (self.model is Account and name == "id")

    def _derive(self, exprs: dict[str, str], values: dict[str, _Value], source: str) -> str:
        """Fill in the derived columns; return a REPLACE list for those that need a column made first."""
        if self.model is Post:
            exprs["source"] = f"coalesce({exprs['source']}, {_sql_text(source)})"
            posted = (f"CASE WHEN {exprs['posted_at']} IS NULL THEN 'null' ELSE '\"' || {exprs['posted_at__iso']} "
                      "|| '\"' END")
            parts = [values["platform"].json_or_null, values["account_id"].json_or_null,
                     f"coalesce({values['text'].json}, '\"\"')", "'[]'", posted, values["url"].json_or_null]
            exprs["content_hash"] = "sha256('[' || " + " || ', ' || ".join(parts) + " || ']')"
            return 'coalesce("id", left("content_hash", 32)) AS "id"'
        if self.model is Account:
            exprs["id"] = f"coalesce({exprs['id']}, {exprs['platform']} || ':' || {exprs['handle']})"
        return ""

    def insert(self, con: duckdb.DuckDBPyConnection) -> tuple[int, int, list[int]]:
        """Insert the accepted rows whose key is new (the first of a key in the batch); return (added,
        duplicates, line numbers that must go per record: a key stored, or earlier in the batch, with
        other content)."""
        table, key = self.model.__table__, list(self.model.__key__)
        cols = columns(self.model)
        names = ", ".join(f'"{c}"' for c in cols)
        part = ", ".join(f'"{k}"' for k in key)
        accepted = int(con.execute("SELECT count(*) FROM _wt_stage WHERE ok").fetchone()[0])  # type: ignore[index]
        added = int(con.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM _wt_stage WHERE ok "
            f"QUALIFY row_number() OVER (PARTITION BY {part} ORDER BY lineno) = 1 ON CONFLICT DO NOTHING"
        ).fetchone()[0])  # type: ignore[index]
        if added == accepted:
            return added, 0, []
        on = " AND ".join(f's."{k}" = t."{k}"' for k in key)
        same = " AND ".join(f's."{c}" IS NOT DISTINCT FROM t."{c}"' for c in cols if c != "source")
        other = [int(n) for (n,) in con.execute(
            f"SELECT s.lineno FROM _wt_stage s JOIN {table} t ON {on} WHERE s.ok AND NOT ({same})").fetchall()]
        return added, accepted - added - len(other), other


class _Value:
    """How one field's value is read from a row: SQL for missing, is-text, the text, a number's text, whether
    its JSON form has escapes, and that JSON form."""

    missing: str
    is_text: str
    text: str
    escaped: str
    json: str

    def parts(self) -> dict[str, str]:
        return {"m": self.missing, "t": self.is_text, "s": self.text, "e": self.escaped, "j": self.json}

    @property
    def json_or_null(self) -> str:
        return f"coalesce({self.json}, 'null')"

    def defaulted(self, default: str) -> _Value:
        out = _Value()
        lit = _sql_text(default)
        out.missing, out.escaped = "false", f"(NOT {self.missing} AND {self.escaped})"
        out.is_text = f"({self.missing} OR {self.is_text})"
        out.text = f"CASE WHEN {self.missing} THEN {lit} ELSE {self.text} END"
        out.json = (f"CASE WHEN {self.missing} THEN {_sql_text(json.dumps(default, ensure_ascii=False))} "
                    f"ELSE {self.json} END")
        return out


class _Columns(_Value):
    """A value already read into the columns ``m_i``, ``t_i``, ``s_i``, ``e_i``, ``j_i``."""

    def __init__(self, i: int) -> None:
        self.missing, self.is_text, self.text = f"m_{i}", f"t_{i}", f"s_{i}"
        self.escaped, self.json = f"e_{i}", f"j_{i}"


class _JsonValue(_Value):
    def __init__(self, raw: str) -> None:
        self.missing = f"({raw} IS NULL OR {raw} = 'null')"
        self.is_text = f"starts_with({raw}, '\"')"
        self.escaped = f"contains({raw}, '\\')"
        self.text = (f"CASE WHEN starts_with({raw}, '\"') THEN CASE WHEN contains({raw}, '\\') THEN {raw}->>'$' "
                     f"ELSE {raw}[2:-2] END END")
        self.json = f"CASE WHEN NOT {self.missing} THEN {raw} END"


class _CsvValue(_Value):
    def __init__(self, cell: str) -> None:
        self.missing = f"({cell} IS NULL)"
        self.is_text, self.escaped, self.text = "true", "true", cell
        self.json = f"to_json({cell})::VARCHAR"


def _field(kind: str | None, v: _Value, name: str, annotation: Any) -> tuple[str, dict[str, str]]:
    """(check, {column suffix: converted value}) for a present value of ``kind``."""
    text = v.text
    if kind == "str":
        control = f"CASE WHEN {v.escaped} THEN regexp_matches({text}, '{_CONTROL}') ELSE false END"
        return f"({v.is_text} AND {text} <> '' AND NOT {control})", {"": text}
    if kind == "enum":
        members = next(a for a in (*typing.get_args(annotation), annotation)
                       if isinstance(a, type) and issubclass(a, enum.Enum))
        allowed = ", ".join(_sql_text(str(m.value)) for m in members)
        return f"({v.is_text} AND {text} IN ({allowed}))", {"": text}
    if kind == "time":
        stamp = f"try_cast({text} AS TIMESTAMPTZ)"
        year = f"try_cast(left({text}, 4) AS INTEGER)"
        check = (f"({v.is_text} AND regexp_full_match({text}, '{_ISO}') AND {stamp} IS NOT NULL "
                 f"AND {year} BETWEEN {YEARS[0]} AND {YEARS[1]})")
        zone = f"right({text}, 6)"
        minutes = f"try_cast(substr({zone}, 2, 2) AS INTEGER) * 60 + try_cast(substr({zone}, 5, 2) AS INTEGER)"
        offset = (f"CASE WHEN ends_with({text}, 'Z') THEN 0 ELSE (CASE WHEN starts_with({zone}, '-') THEN -1 ELSE 1 "
                  f"END) * ({minutes}) END")
        fraction = f"rpad(regexp_extract({text}, '\\.(\\d+)', 1), 6, '0')"
        iso = (f"substr({text}, 1, 10) || 'T' || substr({text}, 12, 8) || CASE WHEN {fraction} = '000000' THEN '' "
               f"ELSE '.' || {fraction} END || CASE WHEN ends_with({text}, 'Z') THEN '+00:00' ELSE {zone} END")
        return check, {"": stamp, "_tz": offset, "__iso": iso}
    if kind == "int":
        number = f"CASE WHEN {v.is_text} THEN {v.text} ELSE {v.json} END"
        return f"regexp_full_match({number}, '{_INT}')", {"": f"try_cast({number} AS BIGINT)"}
    if kind == "float":
        digits = f"CASE WHEN {v.is_text} THEN {v.text} ELSE {v.json} END"
        number = f"try_cast({digits} AS DOUBLE)"
        floor = f" AND {number} >= 0" if name in NON_NEGATIVE else ""
        return f"(regexp_full_match({digits}, '{_FLOAT}') AND isfinite({number}){floor})", {"": number}
    if kind == "list":
        return f"(NOT {v.is_text} AND regexp_full_match({v.json}, '\\[\\s*\\]'))", {"": "'[]'"}
    return "false", {"": "NULL"}


def _literal(value: Any, kind: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, enum.Enum):
        value = value.value
    if kind == "list":
        return {"": _sql_text(json.dumps(value))}
    if isinstance(value, str):
        return {"": _sql_text(value)}
    if isinstance(value, bool | int | float):
        return {"": repr(value)}
    return {}


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
