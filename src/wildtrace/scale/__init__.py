"""Beyond one machine: Spark for batch screening and linkage, streams for real-time screening.

The PostgreSQL store lives with the other backends in :mod:`wildtrace.store`.
"""

from wildtrace.scale._spark import spark_session
from wildtrace.scale._spark_screen import screen_parquet_local, screen_parquet_spark, verdict_rows
from wildtrace.scale._stream import StreamRecord, process_stream, read_jsonl, watch_folder

__all__ = [
    "StreamRecord", "process_stream", "read_jsonl", "screen_parquet_local", "screen_parquet_spark", "spark_session",
    "verdict_rows", "watch_folder",
]
