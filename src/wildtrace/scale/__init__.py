"""Beyond one machine: Spark for batch screening and linkage, streams for real-time screening.

The PostgreSQL store lives with the other backends in :mod:`wildtrace.store`.
"""

from wildtrace.scale._spark import spark_session
from wildtrace.scale._stream import StreamRecord, process_stream, read_jsonl, watch_folder

__all__ = ["StreamRecord", "process_stream", "read_jsonl", "spark_session", "watch_folder"]
