"""Spark for the firehose: a local or cluster session with WildTrace's Python on the workers."""

from __future__ import annotations

import os
import sys
from typing import Any


def spark_session(master: str = "local[2]", app_name: str = "wildtrace") -> Any:
    """A SparkSession whose Python workers run this interpreter (so they see WildTrace's packages)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("the Spark engine needs pyspark and Java 17: pip install 'wildtrace[spark]'") from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
