"""The n-gram index a DuckDB store keeps for full-text search of its large tables (posts, accounts).

DuckDB's own ``fts`` extension is not to be had offline for DuckDB 2.0 (PyPI's builds stop at 1.4), and its
tokenizer, like PostgreSQL's text search parser, does not cut Chinese into words. So the store keeps what
pg_trgm keeps: for each row, the set of its character bigrams (and of its single non-ASCII characters, a word in
Chinese or an emoji), hashed to integers and sorted, in ``search_grams__<table>``, with the row's number and
length in ``search_docs__<table>``. A term's rows are those holding all of its grams (a superset); each candidate
is then checked against the row's live text, and the matches ranked by BM25 (``_search``). A search first
brings the index up to date when it holds another number of rows than the table (rows added or deleted since;
ingest never rewrites a stored row, and ``upsert_rows`` drops the rows it replaces from the index, so that they
are indexed again). A term of one ASCII character has no gram to look up: the other terms narrow the rows, and
a query of such terms alone scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from wildtrace.store._search import INDEXED, bm25, idf, occurrences, quoted, text_of


def indexed(table: str, key: str, columns: Sequence[str]) -> bool:
    """Whether searches of ``columns`` of ``table`` by ``key`` go through the index."""
    return INDEXED.get(table) == (key, tuple(columns))


def _grams(source: str) -> str:
    """SQL (CTEs ``_pos`` and ``_g``) for the distinct grams (hashed) of each text ``t`` of ``source`` (columns
    ``d`` and ``t``): bigrams without white space and single characters beyond ASCII."""
    return (f"_pos AS (SELECT d, t, unnest(range(1, length(t) + 1)) AS i FROM {source}), "
            "_g AS (SELECT DISTINCT d, hash(substr(t, i, 2)) AS gram FROM _pos "
            "WHERE i < length(t) AND NOT contains(substr(t, i, 2), ' ') "
            "UNION SELECT d, hash(substr(t, i, 1)) FROM _pos WHERE unicode(substr(t, i, 1)) > 127)")


def _spaced(text: str) -> str:
    """``text`` with every run of white space one space (no gram spans a space)."""
    return f"regexp_replace({text}, '\\s+', ' ', 'g')"


def term_grams(term: str) -> list[str]:
    """The grams of a search term, cut as ``_grams`` cuts a row's text (a term holds no white space)."""
    return sorted({term[i:i + 2] for i in range(len(term) - 1)} | {c for c in term if ord(c) > 127})


def _made(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the index of ``table`` has been made (by a first ``refresh``)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                            [f"search_docs__{table}"]).fetchall()[0][0])


def stale(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the index of ``table`` may miss rows or hold gone ones: it holds another number of rows than the
    table (two counts, no reading of rows; a row replaced by ``upsert_rows`` has been dropped from it)."""
    if not _made(con, table):
        return True
    n_rows, n_docs = con.execute(f"SELECT (SELECT count(*) FROM {table}), "
                                 f"(SELECT count(*) FROM search_docs__{table})").fetchall()[0]
    return bool(n_rows != n_docs)


def refresh(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Index the rows of ``table`` that are not in its index yet, drop those gone from the table; return how many
    were indexed. Call inside a transaction."""
    key, columns = INDEXED[table]
    docs, grams = f"search_docs__{table}", f"search_grams__{table}"
    con.execute(f"CREATE TABLE IF NOT EXISTS {docs} (doc INTEGER, key TEXT, len INTEGER)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {grams} (gram UBIGINT, doc INTEGER)")
    gone = f"SELECT doc FROM {docs} x WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE r.{quoted(key)} = x.key)"
    if con.execute(f"SELECT count(*) FROM ({gone})").fetchall()[0][0]:
        con.execute(f"DELETE FROM {grams} WHERE doc IN ({gone})")
        con.execute(f"DELETE FROM {docs} WHERE doc IN ({gone})")
    con.execute("CREATE OR REPLACE TEMP TABLE _wt_new_docs AS "
                f"SELECT (SELECT coalesce(max(doc), 0) FROM {docs}) + row_number() OVER (ORDER BY r.{quoted(key)}) "
                f"AS d, r.{quoted(key)} AS key, {text_of(columns, 'r')} AS t FROM {table} r "
                f"WHERE NOT EXISTS (SELECT 1 FROM {docs} x WHERE x.key = r.{quoted(key)})")
    try:
        added = int(con.execute("SELECT count(*) FROM _wt_new_docs").fetchall()[0][0])
        if added:
            con.execute(f"INSERT INTO {docs} SELECT d, key, length(t) FROM _wt_new_docs")
            con.execute(f"INSERT INTO {grams} WITH _src AS (SELECT d, {_spaced('t')} AS t FROM _wt_new_docs), "
                        f"{_grams('_src')} SELECT gram, d FROM _g ORDER BY gram, d")
    finally:
        con.execute("DROP TABLE IF EXISTS _wt_new_docs")
    return added


def forget(con: duckdb.DuckDBPyConnection, table: str, keys: list[Any]) -> None:
    """Drop rows of ``table`` from its index (they were replaced), so that the next search indexes them anew."""
    if keys and _made(con, table):
        gone = f"(SELECT doc FROM search_docs__{table} WHERE key IN (SELECT unnest(?::VARCHAR[])))"
        con.execute(f"DELETE FROM search_grams__{table} WHERE doc IN {gone}", [[str(k) for k in keys]])
        con.execute(f"DELETE FROM search_docs__{table} WHERE key IN (SELECT unnest(?::VARCHAR[]))",
                    [[str(k) for k in keys]])


def search(con: duckdb.DuckDBPyConnection, table: str, terms: list[str], limit: int) -> list[Any] | None:
    """The keys of the rows of ``table`` holding every term, best first; None when no term has a gram (scan).

    One query after hashing the terms' grams: the rows holding every gram of each term (per term, their number
    is its document frequency, an upper bound of the rows holding the term itself), those holding every term's
    grams, each checked against its text and scored."""
    key, columns = INDEXED[table]
    docs, grams = f"search_docs__{table}", f"search_grams__{table}"
    cut = {i: parts for i, t in enumerate(terms) if (parts := term_grams(t))}
    if not cut:
        return None
    pieces = sorted({g for grams_of in cut.values() for g in grams_of})
    hashed = dict(con.execute("SELECT g, hash(g) FROM unnest(?::VARCHAR[]) t(g)", [pieces]).fetchall())
    # the hashes go into the SQL as numbers (DuckDB made them): a constant filter prunes the sorted gram table
    wanted = ", ".join(f"({i}, {int(hashed[g])}::UBIGINT, {len(gs)})" for i, gs in cut.items() for g in gs)
    lookup = ", ".join(f"{int(hashed[g])}::UBIGINT" for g in pieces)
    tfs = ", ".join(f"{occurrences('t', f'${i + 1}')} AS tf{i}" for i in range(len(terms)))
    n_rows = f"(SELECT count(*) FROM {docs})"
    weights = [idf(n_rows, f"(SELECT df FROM _df WHERE term = {i})" if i in cut else n_rows) for i in range(len(terms))]
    score = bm25([f"tf{i}" for i in range(len(terms))], weights, "len", f"(SELECT avg(len) FROM {docs})")
    holds = " AND ".join(f"strpos(t, ${i + 1}) > 0" for i in range(len(terms)))
    rows = con.execute(
        f"WITH _q(term, gram, n) AS (VALUES {wanted}), "
        f"_hit AS (SELECT q.term, s.doc FROM (SELECT gram, doc FROM {grams} WHERE gram IN ({lookup})) s "
        "JOIN _q q USING (gram) GROUP BY q.term, s.doc HAVING count(*) = any_value(q.n)), "
        "_df AS (SELECT term, count(*) AS df FROM _hit GROUP BY term), "
        f"_cand AS (SELECT doc FROM _hit GROUP BY doc HAVING count(*) = {len(cut)}), "
        # materialised: the check of each candidate's text must not become a filter on the scan of every row
        f"_r AS MATERIALIZED (SELECT r.{quoted(key)} AS k, {text_of(columns, 'r')} AS t, x.len FROM _cand c "
        f"JOIN {docs} x ON x.doc = c.doc JOIN {table} r ON r.{quoted(key)} = x.key), "
        f"_m AS (SELECT k, {tfs}, len FROM _r WHERE {holds}) "
        f"SELECT k, {score} AS score FROM _m ORDER BY score DESC, k LIMIT {int(limit)}", terms).fetchall()
    return [k for k, _ in rows]
