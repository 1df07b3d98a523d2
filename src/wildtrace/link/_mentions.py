"""Identifiers one account shows with a cue, written bare by another account.

The extract stage takes an ID written without a cue only when it looks like a handle on its own (an
underscore, or a word run on into five or more digits: wx_lotus62745, lantern24814), so that model
numbers and prices stay out. A shorter one (pine8817) is still that ID when the very same token is a
messenger ID or Telegram handle some account shows with a cue: the account writing it shows the ID, as
it would with "V:" before it, and the identifier graph (hub rules included) treats it so.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from wildtrace.link._identifiers import match_key

MENTION_KINDS = ("messenger_id", "telegram")
MIN_LENGTH = 6
_COLUMNS = ["account_id", "kind", "value", "raw", "seen_in", "seen_id"]


def bare_mentions(identifiers: pd.DataFrame, posts: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Identifier rows (account_id, kind, value, raw, seen_in, seen_id) for every post text or bio holding, as a
    whole token (letters, digits, ``_`` and ``-``, case folded), the key of a messenger ID or Telegram handle of at
    least :data:`MIN_LENGTH` characters with letters and digits that some account shows."""
    known = identifiers[identifiers["kind"].isin(MENTION_KINDS)][["kind", "value"]].drop_duplicates()
    if known.empty:
        return pd.DataFrame(columns=_COLUMNS)
    known = known.assign(key=[match_key(k, v) for k, v in zip(known["kind"], known["value"], strict=True)])
    known = known[(known["key"].str.len() >= MIN_LENGTH) & known["key"].str.contains(r"[a-z]")
                  & known["key"].str.contains(r"\d")].drop_duplicates("key")
    if known.empty:
        return pd.DataFrame(columns=_COLUMNS)
    texts = pd.concat([
        pd.DataFrame({"account_id": posts["account_id"], "text": posts["text"], "seen_in": "post",
                      "seen_id": posts["id"] if "id" in posts.columns else ""}),
        pd.DataFrame({"account_id": accounts["id"], "text": accounts["bio"], "seen_in": "profile",
                      "seen_id": accounts["id"]}),
    ], ignore_index=True).dropna(subset=["account_id", "text"])
    with duckdb.connect() as con:
        con.register("texts", texts.astype(str))
        con.register("known", known.astype(str))
        return con.execute("""
            SELECT DISTINCT t.account_id, k.kind, k.value, t.token AS raw, t.seen_in, t.seen_id
            FROM (SELECT account_id, seen_in, seen_id, unnest(regexp_extract_all(lower(text), '[a-z0-9_-]+')) AS token
                  FROM texts WHERE regexp_matches(text, '[0-9]')) t
            JOIN known k ON t.token = k.key
            ORDER BY ALL
        """).df()[_COLUMNS]
