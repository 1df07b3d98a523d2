"""The scale-out ways of ``wildtrace screen``: Parquet in batches (embedded or Spark) and a live stream."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from wildtrace.cli._common import fail


def screen_parquet(engine: str, source: str, output: str | None, model: str | None, master: str,
                   image_root: str | None = None, ocr_cache: Path | None = None, scope: str | None = None
                   ) -> dict[str, Any]:
    """Screen a Parquet of posts (``id``, ``text``; with ``image_root``, ``images``) into a Parquet of verdict
    rows, on ``engine``."""
    from wildtrace.scale import screen_parquet_local, screen_parquet_spark, spark_session

    if not Path(source).exists():
        fail(f"--input {source}: no such file")
    if not output:
        fail("--output is needed with --input: where the verdict Parquet goes")
    if image_root and not Path(image_root).is_dir():
        fail(f"--image-root {image_root}: not a folder")
    if engine == "local":
        count = screen_parquet_local(source, output, model, image_root=image_root, ocr_cache=ocr_cache, scope=scope)
    elif engine == "spark":
        spark = spark_session(master)
        try:
            count = screen_parquet_spark(spark, source, output, model, image_root=image_root, ocr_cache=ocr_cache,
                                         scope=scope)
        finally:
            spark.stop()
    else:
        fail(f"--engine {engine!r}: expected local or spark")
    return {"engine": engine, "input": source, "output": output, "verdicts": count}


def screen_follow(folder: str | None, model: str | None, idle_exit: float | None, scope: str | None = None
                  ) -> dict[str, Any]:
    """Screen posts as they arrive (JSON Lines on stdin, or files renamed into ``folder``): one verdict
    JSON line per post on stdout, flushed at once; bad lines are named on stderr and the stream goes on."""
    from wildtrace.scale import process_stream, read_jsonl, verdict_rows, watch_folder
    from wildtrace.screen import Screener, default_extractor

    screener, extractor = Screener.load(model, scope=scope), default_extractor()
    if folder:
        if not Path(folder).is_dir():
            fail(f"--folder {folder}: not a folder")
        records = watch_folder(Path(folder), idle_exit=idle_exit)
    else:
        records = read_jsonl(sys.stdin)
    processed, failed = process_stream(records, lambda r: verdict_rows([r], screener, extractor)[0],
                                       sys.stdout, sys.stderr)
    return {"screened": processed, "failed": failed}
