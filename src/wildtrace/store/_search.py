"""Full-text search the store backends share: the terms of a query, the text a row is searched by, and BM25.

A row matches when every term occurs in it (a substring, case folded, in any script: Chinese has no spaces to
cut words at, and handles, phones and wallets are searched by their parts). Matches are ranked by BM25 over
those occurrences: a term that few rows hold weighs more, and a short row that holds it twice ranks above a
long one that holds it once. Backends differ only in how they find the candidate rows: a scan (DuckDB, for
small tables), an n-gram index kept by the store (DuckDB, ``_grams``), a trigram index (PostgreSQL, pg_trgm).
"""

from __future__ import annotations

from collections.abc import Sequence

K1 = 1.2  # BM25's usual constants: how fast repeated occurrences stop adding, how much length counts
B = 0.75
MAX_TERMS = 8
# The large tables searched by text, with their key and searched columns (the workbench's search of posts and
# accounts): indexed ahead of the first search by ``Store.refresh_search_index``.
INDEXED: dict[str, tuple[str, tuple[str, ...]]] = {
    "posts": ("id", ("text",)),
    "accounts": ("id", ("id", "handle", "display_name", "bio")),
}


def search_terms(query: str) -> list[str]:
    """The distinct terms of a search, lower case (at most eight, each at most 100 characters)."""
    return list(dict.fromkeys(t.lower()[:100] for t in query.split()))[:MAX_TERMS]


def quoted(name: str) -> str:
    return f'"{name}"'


def text_of(columns: Sequence[str], alias: str = "") -> str:
    """SQL for the lower-case text a row is searched by: its ``columns`` joined by a space. One expression on
    both backends (immutable on PostgreSQL, so that an index can be built on it)."""
    prefix = f"{alias}." if alias else ""
    return "lower(" + " || ' ' || ".join(f"COALESCE(CAST({prefix}{quoted(c)} AS TEXT), '')" for c in columns) + ")"


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape ``\\``) for rows holding ``term`` anywhere."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def occurrences(text: str, term: str = "CAST(? AS TEXT)") -> str:
    """SQL for how often ``term`` (SQL: by default a ``?`` parameter, then given twice) occurs in ``text``."""
    return f"((length({text}) - length(replace({text}, {term}, ''))) / length({term}))"


def idf(n_rows: str, df: str) -> str:
    """SQL for BM25's inverse document frequency of a term that ``df`` of ``n_rows`` rows hold (never negative)."""
    return f"ln(1 + (({n_rows}) - ({df}) + 0.5) / (({df}) + 0.5))"


def bm25(tfs: Sequence[str], idfs: Sequence[str], length: str, avg_length: str) -> str:
    """SQL for the BM25 score of a row whose term frequencies are ``tfs`` and the terms' weights ``idfs`` (SQL),
    of ``length`` characters."""
    norm = f"({K1} * ({1 - B} + {B} * {length} / greatest({avg_length}, 1.0)))"
    return " + ".join(f"({w} * {tf} * {K1 + 1} / ({tf} + {norm}))" for tf, w in zip(tfs, idfs, strict=True))
