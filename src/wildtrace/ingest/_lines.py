"""Where the records of a JSON Lines file are, and which lines DuckDB's bulk reader may judge alone.

DuckDB's ``read_json`` parses a whole file at its own pace but gives no line numbers: it yields one row
per line that is not blank (a line it cannot parse is a row of NULLs), so the n-th row is the n-th
record line found here. Read with a fixed set of columns, it says nothing of the other keys of a line,
of a key given twice, or of a key whose value is null (it is NULL, as a missing key), and it takes what
Python's ``json`` refuses (a trailing comma, a bare ``nan``). :func:`scan_lines` therefore looks at the
bytes of every line (numpy, over the whole file) and keeps, for each, the number of keys it holds at
any depth (``keys``: every ``":`` that is not inside a string) and whether it is ``plain``: an object
from its first byte to its last, no comma or white space before the closing brace, and no colon after
white space (a key written ``"k" :`` would not be counted). A plain line whose ``keys`` equals the
number of read columns that are not NULL holds those keys once each, none null, nothing nested and
nothing else; its values are checked by type (a bare ``nan`` is not a string, a timestamp or a number
the SQL takes), so the bulk reader reads it as Python's ``json`` does. Any other line goes to the
line-by-line SQL, and from there per record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from wildtrace.ingest._readers import RawRecord, parse_json_line

_BLOCK = 1 << 25  # bytes of JSON Lines scanned at a time


def _table(chars: bytes) -> np.ndarray:
    """A lookup table: ``table[byte]`` says whether the byte is one of ``chars``."""
    table = np.zeros(256, bool)
    table[list(chars)] = True
    return table


_SPACE = _table(b" \t\n\r\x0b\x0c")
_WHITE = _table(b" \t\r")  # white space inside a line
_QUOTE_OR_WHITE = _table(b'" \t\r')
_NOT_BEFORE_BRACE = _table(b", \t\r")  # a trailing comma, or white space that may hide one


@dataclass
class Lines:
    """The record lines of one file (blank lines are not records): number, byte offset, length (line end
    included), key count and whether the line is plain."""

    path: Path
    numbers: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    keys: np.ndarray
    plain: np.ndarray

    def __len__(self) -> int:
        return len(self.numbers)

    def records(self, numbers: list[int]) -> list[RawRecord]:
        """The records at line ``numbers`` (ascending), as the per-record reader gives them."""
        index = np.searchsorted(self.numbers, numbers)
        out = []
        with self.path.open("rb") as fh:
            for number, i in zip(numbers, index.tolist(), strict=True):
                raw = _read_at(fh, int(self.offsets[i]), int(self.lengths[i])).rstrip(b"\r\n")
                out.append(parse_json_line(str(self.path), number, raw))
        return out

    def texts(self, numbers: list[int]) -> list[bytes]:
        """The lines at ``numbers`` (ascending), line end included."""
        index = np.searchsorted(self.numbers, numbers)
        with self.path.open("rb") as fh:
            return [_read_at(fh, int(self.offsets[i]), int(self.lengths[i])) for i in index.tolist()]


def _read_at(fh: BinaryIO, offset: int, length: int) -> bytes:
    fh.seek(offset)
    return fh.read(length)


def scan_lines(path: Path) -> Lines:
    """Number, place, count the keys of and check every record line of ``path``."""
    parts: list[tuple[np.ndarray, ...]] = []
    first, base, held = 1, 0, 0
    buf = bytearray(_BLOCK)  # whole lines are scanned, the start of the next one moved to the front
    with path.open("rb") as fh:
        while True:
            if held == len(buf):  # a line longer than the buffer
                buf.extend(bytes(len(buf)))
            got = fh.readinto(memoryview(buf)[held:])
            end = held + got
            cut = end if not got else buf.rfind(b"\n", 0, end) + 1
            if cut:
                numbers, starts, lengths, keys, plain, count = _scan_block(memoryview(buf)[:cut], first)
                parts.append((numbers, starts + base, lengths, keys, plain))
                first, base = first + count, base + cut
                buf[:end - cut] = buf[cut:end]
            held = end - cut
            if not got:
                break
    if not parts:
        parts = [(*(np.zeros(0, np.int64) for _ in range(4)), np.zeros(0, bool))]
    numbers, offsets, lengths, keys, plain = (np.concatenate([p[k] for p in parts]) for k in range(5))
    return Lines(path, numbers, offsets, lengths, keys, plain)


def _scan_block(data: memoryview, first: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(numbers, starts, lengths, keys, plain) of the record lines of a block of whole lines, and how many
    lines it has (blank ones included)."""
    buf = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buf == 10) + 1
    if not len(ends) or ends[-1] != len(buf):
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1]))
    lengths = ends - starts
    numbers = np.arange(first, first + len(ends), dtype=np.int64)
    heads = buf[np.minimum(starts, len(buf) - 1)]
    plain = (heads == ord("{")) & _closed(buf, starts, ends)
    keys, odd = _keys(buf)
    counts = np.bincount(_lines_of(ends, keys), minlength=len(ends))
    plain[_lines_of(ends, odd)] = False
    # only a line that starts with white space (or is empty) can be blank: look at those closely
    spaced = np.flatnonzero(_SPACE[heads] | (lengths == 0))
    blank = [i for i in spaced if not bytes(data[starts[i]:ends[i]]).strip()]
    if blank:
        keep = np.ones(len(ends), bool)
        keep[blank] = False
        return numbers[keep], starts[keep], lengths[keep], counts[keep], plain[keep], len(ends)
    return numbers, starts, lengths, counts, plain, len(ends)


def _closed(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each line ends with a ``}`` (before its ``\\r\\n`` or ``\\n``) right after a value."""
    last = ends - 1
    last -= buf[np.maximum(last, 0)] == ord("\n")
    last -= buf[np.maximum(last, 0)] == ord("\r")
    before = buf[np.maximum(last - 1, 0)]
    return (last > starts) & (buf[np.maximum(last, 0)] == ord("}")) & ~_NOT_BEFORE_BRACE[before]


def _keys(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the colons that end a key, positions of colons that may end a key written otherwise:
    after white space, or after a quote that may be escaped)."""
    colon = np.flatnonzero(buf == ord(":"))
    colon = colon[(colon >= 3)]
    colon = colon[_QUOTE_OR_WHITE[buf[colon - 1]]]  # (colons in text, times and URLs are left out early)
    before, back = buf[colon - 1], buf[colon - 2] == ord("\\")
    quoted = before == ord('"')
    escaped = back & (buf[colon - 3] != ord("\\"))  # \": inside a string
    return colon[quoted & ~escaped], colon[_WHITE[before] | (quoted & back & ~escaped)]


def _lines_of(ends: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return np.searchsorted(ends, positions, side="right")
