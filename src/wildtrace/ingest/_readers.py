"""Readers: JSON Lines, CSV and saved HTML pages, one raw record at a time with its file and line.

A reader never raises on bad input: a line that is not JSON, not UTF-8 or not an object becomes a
:class:`RawRecord` with an ``error`` and the raw text (or bytes) kept for the quarantine.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html

FORMATS = ("jsonl", "csv", "html")
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


def detect_format(path: Path) -> str:
    """The format of ``path`` from its suffix (``.jsonl``, ``.csv``, ``.html`` ...)."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: cannot tell the format from the suffix; give --format {'|'.join(FORMATS)}")
    return fmt


def read_file(path: Path, fmt: str) -> Iterator[RawRecord]:
    """Raw records of one file in format ``fmt``."""
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "csv":
        return read_csv(path)
    if fmt == "html":
        return iter([read_html(path)])
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def read_jsonl(path: Path) -> Iterator[RawRecord]:
    """Records of a JSON Lines file (blank lines skipped)."""
    source = str(path)
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            raw = line.rstrip(b"\r\n")
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RawRecord(source, number, None, f"not UTF-8 text (byte {exc.start})", raw)
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRecord(source, number, None, f"not JSON: {exc.msg} at column {exc.colno}", text)
                continue
            if not isinstance(data, dict):
                yield RawRecord(source, number, None, f"expected a JSON object, got {type(data).__name__}", text)
                continue
            yield RawRecord(source, number, data)


def read_csv(path: Path) -> Iterator[RawRecord]:
    """Rows of a CSV file (delimiter ``,`` ``;`` tab or ``|``) with a header line, as ``{column: text}``;
    empty cells left out."""
    source = str(path)
    with path.open("rb") as bfh:
        header_line = bfh.readline(1 << 20).decode("utf-8", errors="replace")
    # The header tells the delimiter: the most frequent candidate in it (cell contents may hold any of them).
    delimiter = max(",;\t|", key=header_line.count) if any(c in header_line for c in ",;\t|") else ","
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            bad = next((c for c in row if _has_surrogates(c)), None)
            if bad is not None:
                raw = bad.encode("utf-8", errors="surrogateescape")
                yield RawRecord(source, line, None, "not UTF-8 text", raw)
                continue
            if len(row) != len(header):
                yield RawRecord(source, line, None,
                                f"has {len(row)} cells, the header has {len(header)}", _csv_line(row))
                continue
            yield RawRecord(source, line, {h: c for h, c in zip(header, row, strict=True) if c != ""})


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
        "images": _local_images(tree, path.parent),
    }
    return RawRecord(source, 1, {k: v for k, v in data.items() if v}, page=page)


def _local_images(tree: Any, folder: Path) -> list[str]:
    """``<img src>`` paths of images saved beside the page (remote images are not fetched here)."""
    found = []
    for src in tree.xpath("//img/@src"):
        src = str(src).strip()
        if src and "://" not in src and not src.startswith(("data:", "//")) and (folder / src).is_file():
            found.append(src)
    return list(dict.fromkeys(found))


def _first(tree: Any, xpaths: tuple[str, ...]) -> str | None:
    for xpath in xpaths:
        found = [str(v).strip() for v in tree.xpath(xpath) if str(v).strip()]
        if found:
            return found[0]
    return None
