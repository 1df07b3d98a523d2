"""Where a columnar ingest spends its CPU: each phase of ``ingest_posts_jsonl`` run on its own, one after the
other (in the real run the byte scan overlaps the staging query), against the same run's baseline.

    python -m bench.bench_ingest_phases [N]      # N posts (default 250,000), the input bench_ingest builds

Prints a Markdown table of CPU seconds (the process with all its threads) and wall seconds. Not part of
``make bench``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from bench.bench_ingest import prepare


def phases(n: int, workdir: Path) -> dict[str, tuple[float, float]]:
    from wildtrace.evidence import sha256_file
    from wildtrace.ingest import Mapping, ingest_records
    from wildtrace.ingest._columnar import Batch, Columnar
    from wildtrace.ingest._lines import scan_lines
    from wildtrace.model import Post
    from wildtrace.store import open_store

    path = Path(prepare(n, workdir)["path"])
    cpu: dict[str, tuple[float, float]] = {}

    @contextmanager
    def timed(name: str) -> Iterator[None]:
        start, wall = time.process_time(), time.perf_counter()
        yield
        cpu[name] = time.process_time() - start, time.perf_counter() - wall

    with timed("baseline: CREATE TABLE AS SELECT * FROM read_json(...), close"):
        con = duckdb.connect(str(workdir / "baseline.duckdb"))
        con.execute(f"CREATE TABLE posts AS SELECT * FROM read_json('{path}', format='newline_delimited', "
                    "ignore_errors=true)")
        con.close()
    with timed("(its parse alone: SELECT count(*) FROM read_json(...))"):
        duckdb.connect().execute(f"SELECT count(*) FROM read_json('{path}', format='newline_delimited', "
                                 "ignore_errors=true)").fetchall()
    for name, statements in _floor(path).items():
        with timed(name):
            con = duckdb.connect(str(workdir / f"floor{len(cpu)}.duckdb"))
            for statement in statements:
                con.execute(statement)
            con.close()
    with timed("open a new store (its migrations)"):
        store = open_store(str(workdir / "phases.duckdb"))
    con = store.connection
    sql = Columnar(Post, Mapping())
    with timed("file hash (the batch's identity, for resuming)"):
        sha256_file(path)
    with timed("byte scan (numpy; in a thread beside the staging query)"):
        lines = scan_lines(path)
    with timed("staging query: read_json, checks, conversions, content hash"):
        bulk = sql.read_bulk(con, path)
    with timed("the rows the scan vouches for (numpy), the others deleted"):
        taken, lined, not_ok = sql.stage_lines(con, lines, bulk)
    batch = Batch(lines.numbers, not_ok.tolist(), lines.records, index=0 if taken else None, lined=lined)
    con.execute("BEGIN")
    with timed("insert into posts (anti-join, primary key and account index)"):
        sql.insert(con, batch)
    with timed("commit"):
        con.execute("COMMIT")
    with timed("close (checkpoint)"):
        store.close()
    with timed("ingest_records in all (a new store opened and closed)"), \
            open_store(str(workdir / "ingest.duckdb")) as fresh:
        ingest_records(fresh, path, "post", data_dir=workdir / "data")
    return cpu


def _floor(path: Path) -> dict[str, list[str]]:
    """The baseline plus only what any ingest into the store's posts table must add, nothing checked: the
    SHA-256 of each post's content, then also a unique index on the id (the primary key) and the account index."""
    read = f"read_json('{path}', format='newline_delimited', ignore_errors=true)"
    hashed = (f"SELECT *, sha256(concat('[', to_json(platform), ', ', to_json(account_id), ', ', to_json(text), "
              f"', [], ', to_json(posted_at), ', ', to_json(url), ']')) AS content_hash FROM {read}")
    return {
        "(floor) baseline + a SHA-256 content hash column, close": [f"CREATE TABLE posts AS {hashed}"],
        "(floor) the same + a unique index on id and the account index, close": [
            f"CREATE TABLE posts AS {hashed} LIMIT 0", "CREATE UNIQUE INDEX posts_id ON posts (id)",
            "CREATE INDEX posts_account ON posts (account_id)", f"INSERT INTO posts {hashed} WHERE id IS NOT NULL"],
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 250_000
    with tempfile.TemporaryDirectory(prefix="wt-phases-") as tmp:
        cpu = phases(n, Path(tmp))
    print(f"| phase ({n:,} posts) | CPU s | wall s |\n|---|---:|---:|")
    for name, (seconds, wall) in cpu.items():
        print(f"| {name} | {seconds:.2f} | {wall:.2f} |")


if __name__ == "__main__":
    main()
