"""Which account pairs Splink scores: blocking keys that stay small when a value is common.

A blocking rule compares every two accounts of a block, so its cost grows with the square of the block.
A display name or handle stem held by more than ``max_accounts`` accounts is a common name, not one
person's mark (a person holds a handful of accounts): its block is split by location, and a block still
over the cap is left out, as is an over-full "handle prefix + location" block. Pairs from a left-out block
are scored only when another rule (or a shared picture) brings them. Below the cap the keys are the plain
values, so small worlds are blocked exactly as before. The keys are SQL over the feature table (DuckDB and
Spark alike); ``name``, ``handle_stem`` and ``location`` are folded without separators, so the ``|`` that
joins a value to its location occurs in neither.
"""

from __future__ import annotations

BLOCK_COLUMNS = ("block_handle", "block_name", "block_prefix")
PREFIX_LENGTH = 3
MAX_BLOCK_ACCOUNTS = 20


def _block_size(alias: str, expression: str) -> str:
    """A join to the number of accounts sharing ``expression`` (written over ``f``), as ``alias.n``."""
    inner = expression.replace("f.", "")
    return f"LEFT JOIN (SELECT {inner} AS k, count(*) AS n FROM f GROUP BY {inner}) {alias} ON {expression} = {alias}.k"


def blocking_query(source: str, max_accounts: int) -> str:
    """Every column of ``source`` (a table, or a query in brackets) and the :data:`BLOCK_COLUMNS` (NULL: the
    account is in no block of that rule). Block sizes come from GROUP BY counts joined back (DuckDB and Spark)."""
    n = max_accounts
    handle, name = "f.handle_stem", "f.name"
    prefix = f"substr(f.handle_stem, 1, {PREFIX_LENGTH}) || '|' || f.location"
    return f"""
        WITH f AS (SELECT * FROM {source})
        SELECT f.*,
            CASE WHEN h.n <= {n} THEN {handle} WHEN hl.n <= {n} THEN {handle} || '|' || f.location END AS block_handle,
            CASE WHEN nm.n <= {n} THEN {name} WHEN nl.n <= {n} THEN {name} || '|' || f.location END AS block_name,
            CASE WHEN p.n <= {n} THEN {prefix} END AS block_prefix
        FROM f
        {_block_size("h", handle)}
        {_block_size("hl", f"{handle} || '|' || f.location")}
        {_block_size("nm", name)}
        {_block_size("nl", f"{name} || '|' || f.location")}
        {_block_size("p", prefix)}
    """


def blocking_summary_sql(table: str) -> str:
    """How many accounts each rule split by location or left out (for the log)."""
    return (f"SELECT count(*) FILTER (WHERE block_handle IS DISTINCT FROM handle_stem), "
            f"count(*) FILTER (WHERE block_name IS DISTINCT FROM name), "
            f"count(*) FILTER (WHERE block_prefix IS NULL AND handle_stem IS NOT NULL AND location IS NOT NULL) "
            f"FROM {table}")
