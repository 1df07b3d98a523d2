"""Writing the world: JSON Lines and CSV files, saved pages, and the manifest with a hash per file."""

from __future__ import annotations

import csv
import hashlib
import html
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class Manifest(BaseModel):
    """What a run wrote: its seed and scale, counts per kind, and the SHA-256 of every file."""

    seed: int
    scale: float
    generator: str
    start: str
    weeks: int
    counts: dict[str, int]
    files: dict[str, str]


class Csv:
    """A CSV file written row by row (``\\n`` line ends, UTF-8) so output is byte-identical per seed."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("w", encoding="utf-8", newline="")
        self._w = csv.writer(self._f, lineterminator="\n")
        self._w.writerow(columns)
        self.rows = 0

    def row(self, values: list[Any]) -> None:
        self._w.writerow(["" if v is None else v for v in values])
        self.rows += 1

    def close(self) -> None:
        self._f.close()


class Jsonl:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("w", encoding="utf-8", newline="\n")
        self.rows = 0

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._f.close()


def saved_page(post: dict[str, Any], site: str, author_name: str) -> str:
    """A post as a saved marketplace page, with the metadata ingest reads (author, time, site, URL)."""
    e = html.escape
    imgs = "".join(f'<img src="../{e(m)}" alt="">' for m in post["media"])
    body = "".join(f"<p>{e(line)}</p>" for line in post["text"].split("\n"))
    return (
        f'<!DOCTYPE html>\n<html lang="{e(post["language"])}"><head><meta charset="utf-8">'
        f"<title>{e(post['text'][:40])}</title>"
        f'<link rel="canonical" href="{e(post["url"])}">'
        f'<meta property="og:site_name" content="{e(site)}">'
        f'<meta name="author" content="{e(post["account_id"])}">'
        f'<meta property="article:published_time" content="{e(post["posted_at"])}">'
        f"</head><body><header><span class=\"seller\">{e(author_name)}</span></header>"
        f"<article>{body}{imgs}</article></body></html>\n"
    )


def sha256_files(out: Path, paths: list[Path]) -> dict[str, str]:
    """``{path relative to out: sha256}`` for ``paths``, in path order."""
    files = {}
    for path in sorted(paths):
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        files[path.relative_to(out).as_posix()] = digest.hexdigest()
    return files
