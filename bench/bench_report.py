"""Monitoring report and export over growing stores (a labelled world with a crackdown, 20 weeks).

``report``: the report's data (every section, change detection, unique items by picture) and the HTML page
with its charts, against the bare SQL aggregation of posts per week, platform and tier on the same store.
``export_ftm``: the partner export as FollowTheMoney entities (redaction, entity building, validation),
against reading and redacting the same records without building entities. ``export_stix``: the platform
export as a STIX 2.1 bundle (objects built, serialised and parsed back), against the same reading.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path

from tests.report.world import make_world

from bench.harness import Benchmark
from wildtrace.report import ReportOptions, build_report, render_html
from wildtrace.report._queries import weekly_counts_sql
from wildtrace.share import ExportOptions, collect, export
from wildtrace.store import open_store

WEEKS = 20


def prepare(n: int, workdir: Path) -> dict:
    path = workdir / "report.duckdb"
    store = open_store(str(path))
    world = make_world(store, seed=11, weeks=WEEKS, base=max(10, round(n / (WEEKS * 1.35))))
    posts = store.query("SELECT count(*) AS n FROM posts")[0]["n"]
    store.close()
    return {"db": str(path), "start": world.start.isoformat(), "end": world.end.isoformat(), "posts": posts,
            "bytes": path.stat().st_size}


def _options(ctx: dict) -> ReportOptions:
    return ReportOptions(date.fromisoformat(ctx["start"]), date.fromisoformat(ctx["end"]))


def run_report(ctx: dict) -> int:
    with open_store(ctx["db"]) as store:
        render_html(build_report(store, _options(ctx), key=b"bench"))
    return int(ctx["posts"])


def bare_sql(ctx: dict) -> int:
    options = _options(ctx)
    start = datetime.combine(options.start, time(0), UTC)
    with open_store(ctx["db"]) as store:
        store.query(weekly_counts_sql(), [start, start + timedelta(weeks=WEEKS)])
    return int(ctx["posts"])


def run_export(ctx: dict, fmt: str, audience: str) -> int:
    with open_store(ctx["db"]) as store:
        export(store, fmt, Path(ctx["db"]).with_suffix(f".{fmt}.json"), ExportOptions(audience=audience), key=b"b")
    return int(ctx["posts"])


def collect_only(ctx: dict, audience: str) -> int:
    with open_store(ctx["db"]) as store:
        collect(store, ExportOptions(audience=audience), key=b"b")
    return int(ctx["posts"])


BENCHMARKS = [
    Benchmark("report", "posts", [5000, 10000, 20000], prepare, run_report, bare_sql, "bare SQL weekly aggregation",
              notes="report data + HTML with 6 charts (no PDF)", quick_sizes=[1000]),
    Benchmark("export_ftm", "posts", [5000, 10000, 20000], prepare, partial(run_export, fmt="ftm", audience="partner"),
              partial(collect_only, audience="partner"), "read + redact only",
              notes="partner audience, FtM entities built and validated", quick_sizes=[1000]),
    Benchmark("export_stix", "posts", [5000, 10000, 20000], prepare,
              partial(run_export, fmt="stix", audience="platform"), partial(collect_only, audience="platform"),
              "read + redact only", notes="platform audience, STIX 2.1 bundle built, serialised and parsed back",
              quick_sizes=[1000]),
]
