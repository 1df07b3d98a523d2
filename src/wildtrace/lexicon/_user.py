"""Analysts' edits: added terms and retired ones, kept as data in the user layer file."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from wildtrace.lexicon._load import LexiconError, load_lexicon, read_user_layer, term_from_entry
from wildtrace.lexicon._model import Term

_HEADER = (
    "# WildTrace lexicon, analysts' layer: terms added and retired with `wildtrace lexicon add/retire`.\n"
    "# Merged over the lexicon shipped in the package; keep it under version control with your cases.\n"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(_HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "_", text.lower()).strip("_") or "term"


def add_term(path: str | Path, kind: str, names: dict[str, list[str]], *, term_id: str | None = None,
             meaning: str | None = None, source: str | None = None, category: str | None = None,
             by: str = "analyst") -> Term:
    """Add a term to the user layer at ``path``; validated against the whole lexicon before it is written."""
    path = Path(path)
    doc = read_user_layer(path)
    first = next(iter(v for vs in names.values() for v in vs), "")
    entry: dict[str, Any] = {"id": term_id or f"user_{_slug(first)}", "kind": kind, "names": names}
    extra = {"meaning": meaning, "source": source,
             {"product": "category", "legality": "claim", "trade": "signal"}.get(kind, "category"): category}
    entry.update({k: v for k, v in extra.items() if v})
    entry.update(added_by=by, added_at=_now())
    term = term_from_entry(entry, None, f"{path}: new entry", origin="user")
    doc["entries"].append(entry)
    _write(path, doc)
    try:
        load_lexicon(path)
    except LexiconError:
        doc["entries"].pop()
        _write(path, doc)
        raise
    return term


def retire_term(path: str | Path, term_id: str, *, reason: str = "", by: str = "analyst") -> None:
    """Retire a term (packaged or added) by id: it stays in the files, recorded as retired, and stops matching."""
    path = Path(path)
    lexicon = load_lexicon(path)
    if term_id not in lexicon.by_id:
        known = "already retired" if term_id in lexicon.retired else "no such term"
        raise LexiconError(f"cannot retire {term_id!r}: {known}")
    doc = read_user_layer(path)
    doc["retired"].append({"id": term_id, "reason": reason, "retired_by": by, "retired_at": _now()})
    _write(path, doc)
