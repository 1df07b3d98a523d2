"""Columnar ingest: JSON Lines and CSV records read, validated and converted by DuckDB.

JSON Lines go in three tiers. DuckDB's own ``read_json`` parses the whole file, one column per mapped
key, and one SQL statement checks every field's type, parses timestamps with their zones, fills
defaults and derives account ids and the posts' content hashes and ids; it takes a line only when the
scan of its bytes (:mod:`._lines`) vouches that the bulk reader saw all of it (no other key, no key
twice, no null, nothing Python's JSON refuses). The lines it does not take go, 100,000 at a time, to
the same checks over the line's text (DuckDB's JSON functions, :meth:`Columnar._line_sql`); and what
that does not take goes to the per-record path, which quarantines or converts it with exactly the
reasons it always gives. CSV goes in chunks, as an Arrow table with a column per header, to the same
checks. The SQL is conservative: it accepts only rows the per-record path would store exactly as the
SQL does. The accepted rows of a chunk are inserted by one ``INSERT ... SELECT`` in the chunk's
transaction.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from wildtrace.ingest._convert import NON_NEGATIVE, YEARS
from wildtrace.ingest._lines import Lines, scan_lines
from wildtrace.ingest._mapping import Mapping
from wildtrace.ingest._readers import RawRecord, read_csv
from wildtrace.log import get_logger
from wildtrace.model import Account, Entity, PaymentAccount, Platform, Post, Shipment, Transaction
from wildtrace.store import DuckDBStore, Store, columns

log = get_logger(__name__)
FAST_MODELS: tuple[type[Entity], ...] = (Post, Account, Transaction, Shipment, PaymentAccount, Platform)
_LINE_SLICE = 100_000  # lines given to the line-by-line SQL at a time
_ISO = r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
_INT = r"-?\d{1,18}"
_FLOAT = r"-?\d{1,15}(\.\d{1,15})?([eE][+-]?\d{1,3})?"
# What DuckDB's JSON reader takes and Python's refuses (trailing commas, inf/nan, numbers of 1,000+ digits):
# such lines, and lines with many brackets (Python's parser stops at about 1,000 levels), go per record.
_LENIENT = r",\s*[}\]]|[:,\[]\s*(?:-?(?:inf|nan)\b|-NaN)"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
MAX_BRACKETS = 900
_GLOB = frozenset("*?[{")  # read_json would take a path with these as a pattern


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
    """A staged chunk of one file's records: their line numbers, those DuckDB did not take (they go per
    record), how to read records as the per-record reader does, (CSV) the header names, and where its
    accepted rows are staged: from row ``index`` of ``_wt_bulk`` on (the bulk reader's rows, one per
    record line, None when it took none) and, with ``lined``, in ``_wt_stage`` by line number."""

    lines: np.ndarray  # ascending
    not_ok: list[int]
    read: Callable[[list[int]], list[RawRecord]]
    names: list[str] | None = None
    index: int | None = None
    lined: bool = True

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def span(self) -> tuple[int, int]:
        """The first and last line number of the chunk."""
        return int(self.lines[0]), int(self.lines[-1])

    def after(self, done: int) -> Batch:
        """The batch without its first ``done`` records (a resumed run whose chunks were cut elsewhere)."""
        last = self.lines[done - 1]
        return Batch(self.lines[done:], [n for n in self.not_ok if n > last], self.read, self.names,
                     None if self.index is None else self.index + done, self.lined)


def batches(con: duckdb.DuckDBPyConnection, sql: Columnar, path: Path, fmt: str, size: int) -> Iterator[Batch]:
    """Chunks of ``size`` records of one file (blank lines are not records, as per record), staged in
    ``_wt_stage``; a file or chunk DuckDB cannot read at all goes per record."""
    yield from (_json_batches(con, sql, path, size) if fmt == "jsonl" else _csv_batches(con, sql, path, size))


def _json_batches(con: duckdb.DuckDBPyConnection, sql: Columnar, path: Path, size: int) -> Iterator[Batch]:
    with ThreadPoolExecutor(1) as pool:  # the scan of the file's bytes runs while DuckDB reads it
        scan = pool.submit(scan_lines, path)
        try:
            bulk = sql.read_bulk(con, path)
            lines = scan.result()
            if not len(lines):
                return
            taken, lined, not_ok = sql.stage_lines(con, lines, bulk)
        except Exception as exc:  # DuckDB could not read this file at all: every record goes per record
            log.warning("DuckDB could not stage %s (%s); reading it record by record", path, exc)
            lines = scan.result()
            taken, lined, not_ok = False, False, lines.numbers
    for start in range(0, len(lines), size):
        part = lines.numbers[start:start + size]
        low, high = np.searchsorted(not_ok, [part[0], part[-1] + 1])
        yield Batch(part, not_ok[low:high].tolist(), lines.records, index=start if taken else None, lined=lined)


def _csv_batches(con: duckdb.DuckDBPyConnection, sql: Columnar, path: Path, size: int) -> Iterator[Batch]:
    records = read_csv(path)
    while chunk := list(islice(records, size)):
        good = [r.data for r in chunk if r.data is not None]
        names = list(dict.fromkeys(k for data in good for k in data))
        cols = [_int64(np.array([r.line for r in chunk if r.data is not None], np.int64)),
                *(_text([data.get(name) for data in good]) for name in names)]
        table = pa.Table.from_arrays(cols, names=["lineno", *(f"v_{i}" for i in range(len(names)))])
        by_line = {r.line: r for r in chunk}
        slow = [r.line for r in chunk if r.data is None]
        try:
            not_ok = sql.stage_csv(con, table, names, str(path))
        except Exception as exc:  # DuckDB could not read this chunk at all: every record goes per record
            log.warning("DuckDB could not stage a chunk of %s (%s); reading it record by record", path, exc)
            not_ok = [r.line for r in chunk if r.data is not None]
        yield Batch(np.array([r.line for r in chunk], np.int64), sorted(slow + not_ok), _lookup(by_line), names)


def _binary(texts: list[bytes], present: list[bool] | None = None) -> pa.Array:
    """An Arrow array of ``texts`` (NULL where not ``present``), built from buffers: ``pa.array`` would
    import pandas (seconds) to look at a list."""
    offsets = np.zeros(len(texts) + 1, np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    valid = None if present is None else pa.py_buffer(np.packbits(np.array(present, bool), bitorder="little"))
    data = pa.py_buffer(b"".join(texts))
    return pa.Array.from_buffers(pa.large_binary(), len(texts), [valid, pa.py_buffer(offsets), data])


def _text(values: list[str | None]) -> pa.Array:
    """A text column of a CSV chunk."""
    present = [v is not None for v in values]
    texts = [v.encode("utf-8") if v is not None else b"" for v in values]
    return _binary(texts, None if all(present) else present).cast(pa.large_string())


def _lookup(records: dict[int, RawRecord]) -> Callable[[list[int]], list[RawRecord]]:
    return lambda numbers: [records[n] for n in numbers]


def _utf8(text: bytes) -> bool:
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _int64(values: np.ndarray) -> pa.Array:
    """An Arrow array over ``values`` without a copy (and without pyarrow importing pandas to look at them)."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


class Columnar:
    """The SQL that validates and converts ``model`` records read through ``mapping``."""

    def __init__(self, model: type[Entity], mapping: Mapping) -> None:
        self.model, self.mapping = model, mapping
        self._fields = [(name, info, _kind(info.annotation)) for name, info in model.model_fields.items()]
        self._columns = {name: mapping.fields.get(name, name) for name, _, _ in self._fields}

    def read_bulk(self, con: duckdb.DuckDBPyConnection, path: Path) -> bool:
        """Stage what DuckDB's bulk reader reads of a JSON Lines file in ``_wt_bulk``, one row per record line
        in file order; False when it cannot be used."""
        bulk = self._bulk_sql(path.resolve(), str(path))
        if bulk is not None:  # in parallel (a join on the scan's line numbers would read the file on one thread)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _wt_bulk AS {bulk}")
        return bulk is not None

    def stage_lines(self, con: duckdb.DuckDBPyConnection, lines: Lines, bulk: bool) -> tuple[bool, bool, np.ndarray]:
        """Keep in ``_wt_bulk`` (after :meth:`read_bulk`) the records the scan vouches for, with their line
        numbers in ``_wt_index``, and stage the others the line-by-line SQL takes in ``_wt_stage``. Return
        (whether ``_wt_bulk`` holds rows, whether ``_wt_stage`` does, the line numbers of the records neither
        took, ascending)."""
        redo, unread, taken = lines.numbers, np.zeros(0, np.int64), False
        if bulk:
            read = con.execute("SELECT rowid, coalesce(ok, false) AS ok, nread FROM _wt_bulk").fetchnumpy()
            # one row per record line, numbered from 0 in file order (a line with no mapped key read goes per record)
            order = np.argsort(np.asarray(read["rowid"]), kind="stable")
            if np.array_equal(np.asarray(read["rowid"])[order], np.arange(len(lines))):
                ok, nread = np.asarray(read["ok"])[order], np.asarray(read["nread"])[order]
                vouched = lines.plain & (lines.keys > 0) & (lines.keys == nread)
                bad = np.flatnonzero(~(ok & vouched))
                redo, unread = lines.numbers[bad[nread[bad] > 0]], lines.numbers[bad[nread[bad] == 0]]
                self._stage_index(con, "DELETE FROM _wt_bulk WHERE rowid IN (SELECT idx FROM _wt_rows)", bad)
                self._stage_index(con, "CREATE OR REPLACE TEMP TABLE _wt_index AS SELECT idx, lineno FROM _wt_rows",
                                  np.arange(len(lines), dtype=np.int64), lines.numbers)
                taken = len(bad) < len(lines)
            else:  # read_json saw other rows than the lines: it cannot be trusted with this file
                log.warning("DuckDB's reader saw %d rows in %s, which has %d record lines; reading it line by line",
                            len(read["rowid"]), lines.path, len(lines))
            if not taken:
                con.execute("DROP TABLE _wt_bulk")
        source = str(lines.path)
        not_ok = [unread]
        for start in range(0, len(redo), _LINE_SLICE):
            not_ok.append(self._stage_line_by_line(con, lines, redo[start:start + _LINE_SLICE], source, not start))
        return taken, len(redo) > 0, np.sort(np.concatenate(not_ok))

    @staticmethod
    def _stage_index(con: duckdb.DuckDBPyConnection, statement: str, idx: np.ndarray,
                     numbers: np.ndarray | None = None) -> None:
        """Run ``statement`` over ``_wt_rows``: row indexes (``idx``) and their line numbers (``lineno``)."""
        arrays = [_int64(idx)] if numbers is None else [_int64(idx), _int64(numbers)]
        con.register("_wt_rows", pa.Table.from_arrays(arrays, names=["idx", "lineno"][:len(arrays)]))
        try:
            con.execute(statement)
        finally:
            con.unregister("_wt_rows")

    def _stage_line_by_line(self, con: duckdb.DuckDBPyConnection, lines: Lines, numbers: np.ndarray,
                            source: str, create: bool) -> np.ndarray:
        """Stage ``numbers`` through the line-by-line SQL (into a new ``_wt_stage`` with ``create``); return
        those it did not take (a line that is not UTF-8 is not given to it)."""
        texts, given = lines.texts(numbers.tolist()), numbers
        try:
            text = _binary(texts).cast(pa.large_string())
        except pa.ArrowInvalid:
            good = [i for i, t in enumerate(texts) if _utf8(t)]
            given, text = numbers[good], _binary([texts[i] for i in good]).cast(pa.large_string())
        table = pa.Table.from_arrays([_int64(given), text], names=["lineno", "line"])
        con.register("_wt_batch", table)
        try:
            into = "CREATE OR REPLACE TEMP TABLE _wt_stage AS" if create else "INSERT INTO _wt_stage BY NAME"
            con.execute(f"{into} {self._line_sql(source)}")
        finally:
            con.unregister("_wt_batch")
        taken = {n for (n,) in con.execute(
            f"SELECT lineno FROM _wt_stage WHERE ok AND lineno BETWEEN {int(numbers[0])} AND {int(numbers[-1])}")
            .fetchall()}
        return np.array([n for n in numbers.tolist() if n not in taken], np.int64)

    def stage_csv(self, con: duckdb.DuckDBPyConnection, table: pa.Table, names: list[str], source: str) -> list[int]:
        """Create ``_wt_stage`` for a chunk of CSV rows; return the line numbers of those DuckDB did not take."""
        con.register("_wt_batch", table)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _wt_stage AS {self._csv_sql(names, source)}")
        finally:
            con.unregister("_wt_batch")
        return [int(n) for (n,) in con.execute("SELECT lineno FROM _wt_stage WHERE NOT coalesce(ok, false)")
                .fetchall()]

    def ignored(self, con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, int]:
        """Columns of the batch's accepted records that map to no field, and in how many records."""
        if not batch.lined:  # the bulk reader takes only lines holding mapped keys alone
            return {}
        used = {c.split(".", 1)[0] for c in self._columns.values()} | set(self._columns.values())
        first, last = batch.span
        rows = f"_wt_stage WHERE ok AND lineno BETWEEN {first} AND {last}"
        if batch.names is None:
            found = con.execute(f"SELECT k, count(*) FROM (SELECT unnest(keys) AS k FROM {rows}) GROUP BY k").fetchall()
            return {k: int(n) for k, n in found if k not in used}
        unused = [n for n in batch.names if n not in used]
        if not unused:
            return {}
        counts = ", ".join(f"count(c_{i})" for i in range(len(unused)))
        row = con.execute(f"SELECT {counts} FROM {rows}").fetchone() or ()
        return {name: int(n) for name, n in zip(unused, row, strict=True) if n}

    # -- SQL ------------------------------------------------------------------------------------
    def _bulk_sql(self, path: Path, source: str) -> str | None:
        """The staging query over DuckDB's ``read_json`` of the whole file, or None when it cannot be used
        (a dotted column, a path read_json would take as a pattern)."""
        keys = list(dict.fromkeys(self._columns.values()))
        if any("." in k for k in keys) or _GLOB & set(str(path)):
            return None
        spec = "{" + ", ".join(f"{_sql_text(k)}: 'JSON'" for k in keys) + "}"
        names = [f"r_{i}" for i in range(len(keys))]
        read = (f"SELECT * FROM read_json({_sql_text(str(path))}, format='newline_delimited', "
                f"records=true, ignore_errors=true, compression='none', columns={spec}) AS t({', '.join(names)})")
        present = " + ".join(f"({n} IS NOT NULL)::INTEGER" for n in names)
        fields = f"SELECT true AS line_ok, {present} AS nread, {', '.join(names)} FROM ({read})"
        values: dict[str, _Value] = {name: _JsonValue(f"r_{keys.index(self._columns[name])}")
                                     for name, _, _ in self._fields}
        return self._convert(values, fields, source, ["nread"])

    def _line_sql(self, source: str) -> str:
        """The staging query over ``_wt_batch`` (line number, line): DuckDB's JSON functions on each line."""
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
        return self._convert(values, fields, source, ["lineno", "keys"])

    def _csv_sql(self, names: list[str], source: str) -> str:
        """``names`` are the header names of the columns ``v_0``, ``v_1``, ... (never put in SQL themselves)."""
        index = {n: i for i, n in enumerate(names)}
        values: dict[str, _Value] = {
            name: _CsvValue(f"v_{index[self._columns[name]]}" if self._columns[name] in index else "NULL")
            for name, _, _ in self._fields}
        used = set(self._columns.values())
        extra = [f"v_{index[n]} AS c_{i}" for i, n in enumerate(n for n in names if n not in used)]
        fields = "SELECT *, true AS line_ok FROM _wt_batch"
        return self._convert(values, fields, source, ["lineno", *(e.split(" AS ")[1] for e in extra)], extra)

    def _convert(self, values: dict[str, _Value], fields: str, source: str, keep: list[str],
                 extra: list[str] | None = None) -> str:
        """The staging query over ``fields`` (a query with ``line_ok``, what ``values`` read and the columns to
        ``keep``, or make with ``extra``): each value read once into columns, then checked and converted, then
        the derived columns."""
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
        body = ", ".join(f'{expr} AS "{col}"' for col, expr in exprs.items()
                        if not col.endswith("__iso"))  # a time's ISO form is only hashed
        passed = "".join(f", {k}" for k in keep if not any(e.endswith(f" AS {k}") for e in extra or []))
        read = f"SELECT line_ok{passed}, {', '.join(reads + (extra or []))} FROM ({fields})"
        staged = f"SELECT {', '.join(keep)}, line_ok AND {' AND '.join(checks)} AS ok, {body} FROM ({read})"
        return f"SELECT * REPLACE ({derived}) FROM ({staged})" if derived else staged

    def _derived(self, name: str) -> bool:
        return (self.model is Post and name in ("id", "content_hash")) or (self.model is Account and name == "id")

    def _derive(self, exprs: dict[str, str], values: dict[str, _Value], source: str) -> str:
        """Fill in the derived columns; return a REPLACE list for those that need a column made first."""
        if self.model is Post:
            exprs["source"] = f"coalesce({exprs['source']}, {_sql_text(source)})"
            # the ISO form is NULL when the time is missing; the hash of a row whose time is not valid is never kept
            posted = f"coalesce('\"' || {exprs['posted_at__iso']} || '\"', 'null')"
            parts = [values["platform"].json_or_null, values["account_id"].json_or_null,
                     f"coalesce({values['text'].json}, '\"\"')", "'[]'", posted, values["url"].json_or_null]
            # one concat() of the parts (none NULL): a chain of || builds every prefix of the string
            exprs["content_hash"] = "sha256(concat('[', " + ", ', ', ".join(parts) + ", ']'))"
            return 'coalesce("id", left("content_hash", 32)) AS "id"'
        if self.model is Account:
            exprs["id"] = f"coalesce({exprs['id']}, {exprs['platform']} || ':' || {exprs['handle']})"
        return ""

    def _rows(self, batch: Batch, lineno: bool = False) -> str:
        """A query for the batch's accepted rows (the table's columns, and ``lineno`` if asked), wherever staged."""
        cols = ", ".join(f'"{c}"' for c in columns(self.model))
        parts = []
        if batch.index is not None:
            low, high = batch.index, batch.index + batch.count - 1
            parts.append(f"SELECT i.lineno, b.* FROM _wt_bulk b JOIN _wt_index i ON b.rowid = i.idx "
                         f"WHERE b.rowid BETWEEN {low} AND {high} AND i.idx BETWEEN {low} AND {high}" if lineno else
                         f"SELECT * FROM _wt_bulk WHERE rowid BETWEEN {low} AND {high}")
        if batch.lined:
            first, last = batch.span
            parts.append(f"SELECT * FROM _wt_stage WHERE ok AND lineno BETWEEN {first} AND {last}")
        return " UNION ALL ".join(f"SELECT {'lineno, ' if lineno else ''}{cols} FROM ({p})" for p in parts)

    def insert(self, con: duckdb.DuckDBPyConnection, batch: Batch) -> tuple[int, int, list[int]]:
        """Insert the batch's accepted rows whose key is new (the first of a key in the batch); return (added,
        duplicates, line numbers that must go per record: a key stored, or earlier in the batch, with
        other content)."""
        table, key = self.model.__table__, list(self.model.__key__)
        cols = columns(self.model)
        names = ", ".join(f'"{c}"' for c in cols)
        part = ", ".join(f'"{k}"' for k in key)
        rows = f"({self._rows(batch)})"
        accepted, keys = con.execute(f"SELECT count(*), count(DISTINCT ({part})) FROM {rows}").fetchone() or (0, 0)
        on = " AND ".join(f's."{k}" = t."{k}"' for k in key)
        if keys != accepted:  # a key twice in the batch: the first in line order is inserted
            first = f"QUALIFY row_number() OVER (PARTITION BY {part} ORDER BY lineno) = 1"
            rows = f"(SELECT * FROM ({self._rows(batch, lineno=True)}) {first})"
        added = int(con.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {rows} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {on})").fetchone()[0])  # type: ignore[index]
        if added == accepted:
            return added, 0, []
        same = " AND ".join(f's."{c}" IS NOT DISTINCT FROM t."{c}"' for c in cols if c != "source")
        other = [int(n) for (n,) in con.execute(
            f"SELECT s.lineno FROM ({self._rows(batch, lineno=True)}) s JOIN {table} t ON {on} WHERE NOT ({same}) "
            "ORDER BY s.lineno").fetchall()]
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
        # a string without a backslash holds no quote: dropping its two quotes is cheaper than a slice (which
        # counts characters)
        self.text = (f"CASE WHEN starts_with({raw}, '\"') THEN CASE WHEN contains({raw}, '\\') THEN {raw}->>'$' "
                     f"ELSE replace({raw}, '\"', '') END END")
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
        iso = (f"substr({text}, 1, 10) || 'T' || substr({text}, 12, 8) || CASE WHEN NOT contains({text}, '.') "
               f"OR {fraction} = '000000' THEN '' ELSE '.' || {fraction} END || CASE WHEN ends_with({text}, 'Z') "
               f"THEN '+00:00' ELSE {zone} END")
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
