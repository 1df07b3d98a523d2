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


def _capped(value: str, max_accounts: int, split_by_location: bool) -> str:
    within = f"WHEN count(*) OVER (PARTITION BY {value}) <= {max_accounts} THEN {value}"
    by_location = (f" WHEN count(*) OVER (PARTITION BY {value}, location) <= {max_accounts} "
                   f"THEN {value} || '|' || location" if split_by_location else "")
    return f"CASE {within}{by_location} END"


def blocking_sql(max_accounts: int) -> str:
    """The select list of the :data:`BLOCK_COLUMNS` (NULL: the account is in no block of that rule)."""
    prefix = f"substr(handle_stem, 1, {PREFIX_LENGTH}) || '|' || location"
    return ", ".join([
        f"{_capped('handle_stem', max_accounts, True)} AS block_handle",
        f"{_capped('name', max_accounts, True)} AS block_name",
        f"{_capped(f'({prefix})', max_accounts, False)} AS block_prefix",
    ])


def blocking_summary_sql(table: str) -> str:
    """How many accounts each rule split by location or left out (for the log)."""
    return (f"SELECT count(*) FILTER (WHERE block_handle IS DISTINCT FROM handle_stem), "
            f"count(*) FILTER (WHERE block_name IS DISTINCT FROM name), "
            f"count(*) FILTER (WHERE block_prefix IS NULL AND handle_stem IS NOT NULL AND location IS NOT NULL) "
            f"FROM {table}")
