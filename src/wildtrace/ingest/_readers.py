"""Readers: JSON Lines, CSV, saved HTML pages and Telegram exports, one raw record at a time with its file and line.

A reader never raises on bad input: a line that is not JSON, not UTF-8 or not an object becomes a
:class:`RawRecord` with an ``error`` and the raw text (or bytes) kept for the quarantine.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html

from wildtrace.model import Account

FORMATS = ("jsonl", "csv", "html", "telegram")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv",
             ".html": "html", ".htm": "html", ".xhtml": "html"}

csv.field_size_limit(sys.maxsize)  # a 10 MB text field is data, not an error


@dataclass(frozen=True)
class RawRecord:
    """One record as read: ``data`` when it parsed, else ``error`` and the ``raw`` text or bytes."""

    source: str
    line: int
    data: dict[str, Any] | None
    error: str | None = None
    raw: str | bytes | None = None
    page: bytes | None = None  # the saved page itself, for HTML records
    skipped: str | None = None  # why this is not a record to ingest (a Telegram service message), counted
    accounts: tuple[Account, ...] = ()  # accounts the record names (a Telegram message's sender)


def detect_format(path: Path) -> str:
    """The format of ``path`` from its suffix (``.jsonl``, ``.csv``, ``.html`` ...); a ``.json`` file that is
    a Telegram Desktop export (one object holding ``messages`` or ``chats``) is ``telegram``."""
    from wildtrace.ingest._telegram import is_telegram_export  # it imports RawRecord from here

    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: cannot tell the format from the suffix; give --format {'|'.join(FORMATS)}")
    return "telegram" if path.suffix.lower() == ".json" and is_telegram_export(path) else fmt


def read_file(path: Path, fmt: str) -> Iterator[RawRecord]:
    """Raw records of one file in format ``fmt``."""
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "csv":
        return read_csv(path)
    if fmt == "html":
        return iter([read_html(path)])
    if fmt == "telegram":
        from wildtrace.ingest._telegram import read_telegram  # it imports RawRecord from here

        return read_telegram(path)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def read_jsonl(path: Path) -> Iterator[RawRecord]:
    """Records of a JSON Lines file (blank lines skipped)."""
    source = str(path)
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            raw = line.rstrip(b"\r\n")
            if raw.strip():
                yield parse_json_line(source, number, raw)


def parse_json_line(source: str, number: int, raw: bytes) -> RawRecord:
    """One line of JSON Lines as a record, or as an error that names why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RawRecord(source, number, None, f"not UTF-8 text (byte {exc.start})", raw)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RawRecord(source, number, None, f"not JSON: {exc.msg} at column {exc.colno}", text)
    except RecursionError:
        return RawRecord(source, number, None, "not JSON that can be read: nested too deeply", text)
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        return RawRecord(source, number, None, f"not JSON that can be read: {exc}", text)
    if not isinstance(data, dict):
        return RawRecord(source, number, None, f"expected a JSON object, got {type(data).__name__}", text)
    return RawRecord(source, number, data)


class _Lines:
    """The physical lines of a text file, numbered, with the lines of the record being read kept so that
    a reader can go back to the line after a record's first one (after an unclosed quote)."""

    def __init__(self, fh: Iterator[str]) -> None:
        self._fh, self._pending, self.taken = fh, deque[tuple[int, str]](), list[str]()
        self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.number, line = self._pending.popleft() if self._pending else (self.number + 1, next(self._fh))
        self.taken.append(line)
        return line

    def start_record(self) -> int:
        """Forget the lines read so far; return the number of the next record's first line."""
        self.taken = []
        return self.number + 1

    def replay_after_first(self, first: int) -> None:
        """Give back every line taken since the record starting at line ``first``, except that line."""
        self._pending.extendleft(reversed(list(enumerate(self.taken[1:], start=first + 1))))
        self.number = first


def read_csv(path: Path) -> Iterator[RawRecord]:
    """Rows of a CSV file (delimiter ``,`` ``;`` tab or ``|``) with a header line, as ``{column: text}``;
    empty cells left out.

    A quote error (a stray quote, or a quote still open where the row should end) quarantines the
    line where the quote opened, and reading goes on from the next line: an unclosed quote never
    swallows the rows after it.
    """
    source = str(path)
    with path.open("rb") as bfh:
        header_line = bfh.readline(1 << 20).decode("utf-8", errors="replace")
    # The header tells the delimiter: the most frequent candidate in it (cell contents may hold any of them).
    delimiter = max(",;\t|", key=header_line.count) if any(c in header_line for c in ",;\t|") else ","
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        lines = _Lines(fh)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error:
            header = None
        if header is None:
            return
        header = [h.strip() for h in header]
        while True:
            start = lines.start_record()
            try:
                row = next(reader)
                problem = None if lines.number == start or len(row) == len(header) else (
                    f"the quote opened on line {start} is not closed where the row ends (it would take in "
                    f"lines {start + 1}-{lines.number}); the rows after line {start} are read on their own")
            except StopIteration:
                return
            except csv.Error as exc:
                row, problem = [], f"CSV quote error: the quote opened on line {start} is not closed properly ({exc})"
            if problem is not None:
                first = lines.taken[0].rstrip("\r\n") if lines.taken else ""
                yield RawRecord(source, start, None, problem, first.encode("utf-8", errors="surrogateescape")
                                if _has_surrogates(first) else first)
                lines.replay_after_first(start)
                reader = csv.reader(lines, delimiter=delimiter, strict=True)
                continue
            if any(cell.strip() for cell in row):
                yield _csv_record(source, start, header, row)


def _csv_record(source: str, line: int, header: list[str], row: list[str]) -> RawRecord:
    bad = next((c for c in row if _has_surrogates(c)), None)
    if bad is not None:
        return RawRecord(source, line, None, "not UTF-8 text", bad.encode("utf-8", errors="surrogateescape"))
    if len(row) != len(header):
        return RawRecord(source, line, None, f"has {len(row)} cells, the header has {len(header)}", _csv_line(row))
    return RawRecord(source, line, {h: c for h, c in zip(header, row, strict=True) if c != ""})


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_line(row: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(row)
    return buf.getvalue().rstrip("\r\n")


_DATE_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@property='og:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//meta[@name='pubdate' or @name='publishdate' or @name='date']/@content",
    "//time[@datetime]/@datetime",
)
_AUTHOR_XPATHS = (
    "//meta[@name='author']/@content",
    "//meta[@property='article:author']/@content",
    "//*[@itemprop='author']//@content",
)
_SITE_XPATHS = ("//meta[@property='og:site_name']/@content", "//meta[@name='application-name']/@content")
_URL_XPATHS = ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")


def read_html(path: Path) -> RawRecord:
    """A saved web page as one record: the main text (trafilatura) and its metadata.

    Scripts and styles are never run: trafilatura reads the page as a tree and drops them from the
    text; the page itself is kept as bytes for the evidence store.
    """
    source = str(path)
    page = path.read_bytes()
    if not page.strip():
        return RawRecord(source, 1, None, "empty page", b"")
    try:
        tree = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError) as exc:
        return RawRecord(source, 1, None, f"not an HTML page: {exc}", page)
    import trafilatura  # imported here: only pages need it, and it is slow to import

    doc = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False)
    meta: dict[str, Any] = doc if isinstance(doc, dict) else doc.as_dict() if doc is not None else {}
    text = (meta.get("text") or "").strip()
    title = (meta.get("title") or "").strip()
    if title and " ".join(title.split()) not in " ".join(text.split()):
        text = f"{title}\n{text}".strip()
    data: dict[str, Any] = {
        "text": text,
        "title": title or None,
        "url": _first(tree, _URL_XPATHS) or meta.get("url"),
        "author": _first(tree, _AUTHOR_XPATHS) or meta.get("author"),
        "published": _first(tree, _DATE_XPATHS) or meta.get("date"),
        "site": _first(tree, _SITE_XPATHS) or meta.get("hostname") or meta.get("sitename"),
        "hostname": meta.get("hostname"),
        "language": tree.get("lang") or meta.get("language"),
        "description": meta.get("description"),
        "images": _local_images(tree),
    }
    return RawRecord(source, 1, {k: v for k, v in data.items() if v}, page=page)


def _local_images(tree: Any) -> list[str]:
    """``<img src>`` references of a page that may be files saved with it (remote images are not fetched
    here; ingest reads a referenced file only inside the media roots)."""
    sources = [str(src).strip() for src in tree.xpath("//img/@src")]
    return list(dict.fromkeys(s for s in sources if s and "://" not in s and not s.startswith(("data:", "//"))))


def _first(tree: Any, xpaths: tuple[str, ...]) -> str | None:
    for xpath in xpaths:
        found = [str(v).strip() for v in tree.xpath(xpath) if str(v).strip()]
        if found:
            return found[0]
    return None
