"""Which account pairs Splink scores: blocking keys that stay small when a value is common.

A blocking rule compares every two accounts of a block, so its cost grows with the square of the block.
A display name or handle stem held by more than ``max_accounts`` accounts is a common name, not one
person's mark (a person holds a handful of accounts): its block is split by location, and a block still
over the cap is left out, as is an over-full "handle prefix + location" block. Pairs from a left-out block
are scored only when another rule (or a shared picture) brings them. Below the cap the keys are the plain
values, so small worlds are blocked exactly as before.
"""

from __future__ import annotations

import pandas as pd

from wildtrace.log import get_logger

log = get_logger(__name__)
BLOCK_COLUMNS = ("block_handle", "block_name", "block_prefix")
PREFIX_LENGTH = 3
MAX_BLOCK_ACCOUNTS = 20


def _within_cap(keys: pd.Series, max_accounts: int) -> pd.Series:
    """``keys`` where their block holds at most ``max_accounts`` accounts, else missing."""
    return keys.where(keys.map(keys.value_counts()) <= max_accounts)


def blocking_keys(features: pd.DataFrame, max_accounts: int) -> pd.DataFrame:
    """The :data:`BLOCK_COLUMNS` of each account (a missing key puts the account in no block of that rule).

    ``features``: name, handle_stem and location as :func:`account_features` makes them (folded, without
    separators, so the ``|`` joining a value to its location cannot occur in either)."""
    location = features["location"]
    keys = {}
    for column, value in (("block_handle", features["handle_stem"]), ("block_name", features["name"])):
        keys[column] = _within_cap(value, max_accounts).fillna(_within_cap(value + "|" + location, max_accounts))
        split, left_out = (value.notna() & (keys[column] != value)), (value.notna() & keys[column].isna())
        if split.any():
            log.info("blocking on %s: %d accounts share a value with more than %d accounts (split by location, "
                     "%d of them left out)", column, int(split.sum()), max_accounts, int(left_out.sum()))
    prefix = features["handle_stem"].str[:PREFIX_LENGTH] + "|" + location
    keys["block_prefix"] = _within_cap(prefix, max_accounts)
    left_out = int((prefix.notna() & keys["block_prefix"].isna()).sum())
    if left_out:
        log.info("blocking on handle prefix + location: %d accounts in blocks of more than %d left out", left_out,
                 max_accounts)
    return pd.DataFrame(keys, index=features.index).astype(object).where(lambda d: d.notna(), None)
