"""CSV for spreadsheets: one file per record kind, UTF-8 with a byte-order mark (Excel), formulas defused."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from wildtrace.share._dataset import KINDS, Dataset

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as a spreadsheet cell: lists joined by '; ', text that a spreadsheet would run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(data: Dataset, out: str | Path) -> list[Path]:
    """Write ``<kind>.csv`` for every kind with records into directory ``out``; return the files."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        rows = data[kind]
        if not rows:
            continue
        columns = list(dict.fromkeys(c for r in rows for c in r))
        path = folder / f"{kind}s.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows([cell(r.get(c)) for c in columns] for r in rows)
        written.append(path)
    return written
