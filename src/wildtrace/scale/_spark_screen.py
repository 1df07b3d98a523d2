"""Screening at scale: the embedded screener over Parquet, on one machine or on Spark with ``mapInPandas``.

Input: Parquet of posts (at least ``id`` and ``text``). Output: Parquet of verdict rows in the store's
``verdicts`` columns. Both engines call :func:`verdict_frame` on batches of posts, so a run on Spark
and a run on one machine give identical rows; pictures are screened by the store run (``wildtrace screen``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from wildtrace.model import Verdict
from wildtrace.store import columns, to_row

VERDICT_COLUMNS = [c for c in columns(Verdict) if not c.startswith("screened_at")]
_SCHEMA = ", ".join(f"{c} {'double' if c == 'score' else 'string'}" for c in VERDICT_COLUMNS)


def verdict_rows(records: list[dict[str, Any]], screener: Any, extractor: Any) -> list[dict[str, Any]]:
    """Screen a batch of post records (``id``, ``text``): one verdict row per record, in input order."""
    from wildtrace.screen import Document, finish_verdict

    for number, record in enumerate(records):
        if record.get("id") in (None, ""):
            raise ValueError(f"post {number}: field 'id' is missing")
    docs = [Document(str(r.get("text") or "")) for r in records]
    rows = []
    for record, doc, result in zip(records, docs, screener.screen_documents(docs), strict=True):
        row = to_row(finish_verdict(str(record["id"]), doc.combined, result, extractor))
        rows.append({c: row[c] for c in VERDICT_COLUMNS})
    return rows


def verdict_frame(posts: pd.DataFrame, screener: Any, extractor: Any) -> pd.DataFrame:
    """Screen a batch of posts; one row per post, in the ``verdicts`` table's columns."""
    return pd.DataFrame(verdict_rows(posts.to_dict("records"), screener, extractor), columns=VERDICT_COLUMNS)


def screen_parquet_local(input_path: str | Path, output_path: str | Path, model: str | None = None,
                         batch_size: int = 4096) -> int:
    """The embedded run: screen a Parquet of posts in batches and write verdict rows; return the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from wildtrace.screen import Screener, default_extractor

    screener, extractor = Screener.load(model or None), default_extractor()
    count = 0
    with pq.ParquetFile(str(input_path)) as source:
        writer = None
        for batch in source.iter_batches(batch_size=batch_size, columns=["id", "text"]):
            table = pa.Table.from_pandas(verdict_frame(batch.to_pandas(), screener, extractor), preserve_index=False)
            writer = writer or pq.ParquetWriter(str(output_path), table.schema)
            writer.write_table(table)
            count += table.num_rows
        if writer is not None:
            writer.close()
    return count


def screen_parquet_spark(spark: Any, input_path: str | Path, output_path: str | Path,
                         model: str | None = None) -> int:
    """Screen a Parquet of posts on Spark and write verdict rows as Parquet; return the row count."""

    def screen_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from wildtrace.screen import Screener, default_extractor

        screener, extractor = Screener.load(model or None), default_extractor()  # once per partition
        for batch in batches:
            yield verdict_frame(batch, screener, extractor)

    posts = spark.read.parquet(str(input_path)).select("id", "text")
    verdicts = posts.mapInPandas(screen_partition, schema=_SCHEMA)
    verdicts.write.mode("overwrite").parquet(str(output_path))
    return int(spark.read.parquet(str(output_path)).count())
