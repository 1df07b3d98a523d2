"""Screening at scale: the embedded screener over Parquet, on one machine or on Spark with ``mapInPandas``.

Input: Parquet of posts (at least ``id`` and ``text``; with ``image_root``, an ``images`` column lists each
post's image files relative to it, separated by ``;``, and their OCR text is screened with the post).
Output: Parquet of verdict rows in the store's ``verdicts`` columns. Both engines call :func:`verdict_frame`
on batches of posts, so a run on Spark and a run on one machine give identical rows. On a cluster,
``image_root`` and ``ocr_cache`` must be on storage every executor reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from wildtrace.log import get_logger
from wildtrace.model import Verdict
from wildtrace.store import columns, to_row

log = get_logger(__name__)
VERDICT_COLUMNS = [c for c in columns(Verdict) if not c.startswith("screened_at")]
_SCHEMA = ", ".join(f"{c} {'double' if c == 'score' else 'string'}" for c in VERDICT_COLUMNS)


def verdict_rows(records: list[dict[str, Any]], screener: Any, extractor: Any, images: Any = None,
                 image_root: str | Path = ".") -> list[dict[str, Any]]:
    """Screen a batch of post records (``id``, ``text``, optional ``images``): one verdict row per record, in
    input order. ``images`` is an ImageReader: without it, image files are counted but not read."""
    from wildtrace.screen import document_of, finish_verdict

    for number, record in enumerate(records):
        if record.get("id") in (None, ""):
            raise ValueError(f"post {number}: field 'id' is missing")
    docs = []
    for record in records:
        doc, missing = document_of(str(record.get("text") or ""), record.get("images"), image_root, images)
        for path in missing:
            log.warning("post %s, field images: no image %s (text kept)", record["id"], path)
        docs.append(doc)
    rows = []
    for record, doc, result in zip(records, docs, screener.screen_documents(docs), strict=True):
        row = to_row(finish_verdict(str(record["id"]), doc.combined, result, extractor))
        rows.append({c: row[c] for c in VERDICT_COLUMNS})
    return rows


def verdict_frame(posts: pd.DataFrame, screener: Any, extractor: Any, images: Any = None,
                  image_root: str | Path = ".") -> pd.DataFrame:
    """Screen a batch of posts; one row per post, in the ``verdicts`` table's columns."""
    rows = verdict_rows(posts.to_dict("records"), screener, extractor, images, image_root)
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def _reader(image_root: str | Path | None, ocr_cache: str | Path | None) -> Any:
    from wildtrace.screen import ImageReader

    return ImageReader(ocr_cache or Path(image_root or ".") / ".wildtrace-ocr") if image_root else None


def _columns(names: list[str], image_root: str | Path | None) -> list[str]:
    return ["id", "text"] + (["images"] if image_root and "images" in names else [])


def screen_parquet_local(input_path: str | Path, output_path: str | Path, model: str | None = None,
                         batch_size: int = 4096, image_root: str | Path | None = None,
                         ocr_cache: str | Path | None = None, scope: str | None = None) -> int:
    """The embedded run: screen a Parquet of posts in batches and write verdict rows; return the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from wildtrace.screen import Screener, default_extractor

    screener, extractor = Screener.load(model or None, scope=scope), default_extractor()
    images = _reader(image_root, ocr_cache)
    count = 0
    with pq.ParquetFile(str(input_path)) as source:
        writer = None
        columns = _columns(source.schema_arrow.names, image_root)
        for batch in source.iter_batches(batch_size=batch_size, columns=columns):
            frame = verdict_frame(batch.to_pandas(), screener, extractor, images, image_root or ".")
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(str(output_path), table.schema)
            writer.write_table(table)
            count += table.num_rows
        if writer is not None:
            writer.close()
    return count


def screen_parquet_spark(spark: Any, input_path: str | Path, output_path: str | Path,
                         model: str | None = None, image_root: str | Path | None = None,
                         ocr_cache: str | Path | None = None, scope: str | None = None) -> int:
    """Screen a Parquet of posts on Spark and write verdict rows as Parquet; return the row count."""

    def screen_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from wildtrace.screen import Screener, default_extractor

        screener, extractor = Screener.load(model or None, scope=scope), default_extractor()  # once per partition
        images = _reader(image_root, ocr_cache)
        for batch in batches:
            yield verdict_frame(batch, screener, extractor, images, image_root or ".")

    posts = spark.read.parquet(str(input_path))
    posts = posts.select(*_columns(posts.columns, image_root))
    verdicts = posts.mapInPandas(screen_partition, schema=_SCHEMA)
    verdicts.write.mode("overwrite").parquet(str(output_path))
    return int(spark.read.parquet(str(output_path)).count())
