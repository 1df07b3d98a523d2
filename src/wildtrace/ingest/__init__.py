"""Ingest: JSON Lines, CSV (with a column mapping) and saved HTML pages into the store.

>>> from wildtrace.ingest import ingest_records                      # doctest: +SKIP
>>> ingest_records(store, "posts.jsonl", "post", assume_tz="+08:00")  # doctest: +SKIP

Every record is validated; a bad one is quarantined with a reason naming file, line and field, and
the rest of the batch goes on. Re-ingesting the same data adds nothing; a crashed run resumes. A
record whose key is stored with other content is kept as a version (:func:`versions_of`). Image
paths in records are read only under the media roots.
"""

from __future__ import annotations

from wildtrace.ingest._convert import MODELS, RecordError, model_for, parse_time, parse_tz, post_hash
from wildtrace.ingest._mapping import Mapping, load_mapping, parse_pairs
from wildtrace.ingest._quarantine import read_quarantine
from wildtrace.ingest._readers import FORMATS, RawRecord, detect_format, read_csv, read_html, read_jsonl
from wildtrace.ingest._run import IngestResult, ingest_records, list_sources
from wildtrace.ingest._versions import ON_CONFLICT, versions_of

__all__ = [
    "FORMATS", "MODELS", "ON_CONFLICT", "IngestResult", "Mapping", "RawRecord", "RecordError", "detect_format",
    "ingest_records", "list_sources", "load_mapping", "model_for", "parse_pairs", "parse_time", "parse_tz", "post_hash",
    "read_csv", "read_html", "read_jsonl", "read_quarantine", "versions_of",
]
