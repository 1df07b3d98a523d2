"""Screening on Spark: the embedded screener applied to each partition with ``mapInPandas``.

Input: Parquet of posts (at least ``id`` and ``text``; ``platform``, ``account_id``, ``posted_at`` and
``language`` are used when present). Output: Parquet of verdict rows, the same columns as the store's
``verdicts`` table, so a run on Spark and a run on one machine give identical rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from wildtrace.model import Post, Verdict
from wildtrace.store import columns, to_row

VERDICT_COLUMNS = [c for c in columns(Verdict) if not c.startswith("screened_at")]
_SCHEMA = ", ".join(f"{c} {'double' if c == 'score' else 'string'}" for c in VERDICT_COLUMNS)


def post_from_record(record: dict[str, Any]) -> Post:
    """A Post from one input row (only ``id`` and ``text`` are required)."""
    return Post(id=str(record["id"]), platform=str(record.get("platform") or "unknown"),
                account_id=record.get("account_id"), text=str(record.get("text") or ""),
                language=record.get("language"))


def verdict_frame(posts: pd.DataFrame, screener: Any) -> pd.DataFrame:
    """Screen a batch of posts; one row per post, in the ``verdicts`` table's columns."""
    rows = []
    for record in posts.to_dict("records"):
        row = to_row(screener.screen_post(post_from_record(record)))
        rows.append({c: row[c] for c in VERDICT_COLUMNS})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def screen_parquet_local(input_path: str | Path, model: str | None = None) -> pd.DataFrame:
    """The embedded run over the same input: the reference Spark's output must equal."""
    from wildtrace.screen import Screener

    return verdict_frame(pd.read_parquet(input_path), Screener.load(model or None))


def screen_parquet_spark(spark: Any, input_path: str | Path, output_path: str | Path,
                         model: str | None = None) -> int:
    """Screen a Parquet of posts on Spark and write verdict rows as Parquet; return the row count."""

    def screen_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from wildtrace.screen import Screener

        screener = Screener.load(model or None)  # once per partition, not per row
        for batch in batches:
            yield verdict_frame(batch, screener)

    posts = spark.read.parquet(str(input_path))
    verdicts = posts.mapInPandas(screen_partition, schema=_SCHEMA)
    verdicts.write.mode("overwrite").parquet(str(output_path))
    return int(spark.read.parquet(str(output_path)).count())
