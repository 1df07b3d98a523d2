"""Full-text search on a DuckDB store: the store's n-gram index against a scan of every post, on the same store.

``make bench`` runs ``BENCHMARKS`` (queries/s over the query set below, index vs scan, growing stores). For the
table per query (median of 5 runs each way, and the time to index the store):

    .venv/bin/python bench/bench_search.py [--posts 120000 1000000]
    .venv/bin/python bench/bench_search.py --postgres [--posts 120000]   # pg_trgm against a sequential scan

The posts are the simulator's (seed 7, scale 4: 12k posts in Chinese, Vietnamese, Thai, English) and the 514
hand-written market posts of ``tests/screen/data/market_posts.csv``, repeated under new ids up to the size asked:
the texts' mix of scripts and words is real, their number is not (a term held by 1 post in 12k is held by ten
in 120k). The queries are words an investigator types, in each script, common and rare, and words found nowhere.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Benchmark

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["象牙", "象牙 手镯", "穿山甲 鳞片", "犀角", "ivory", "ivory bangle", "pangolin scale", "sừng tê", "ngà voi",
           "งาช้าง", "🐘", "5000", "wx_lotus", "tiger bone wine", "犀牛角 杯子", "zzqx"]


def _texts(workdir: Path) -> list[str]:
    from wildtrace.simulate import simulate

    simulate(seed=7, scale=4, out=workdir / "world")
    with open(workdir / "world" / "posts.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    with open(ROOT / "tests" / "screen" / "data" / "market_posts.csv", encoding="utf-8", newline="") as f:
        texts += [row["text"] for row in csv.DictReader(f)]
    return texts


def build(path: Path, n_posts: int, workdir: Path) -> None:
    """A DuckDB store at ``path`` with ``n_posts`` posts (the texts of ``_texts`` repeated), not yet indexed."""
    import pyarrow as pa

    from wildtrace.store import open_store

    texts = _texts(workdir)
    store = open_store(str(path))
    store.execute("INSERT INTO platforms (id, name, kind) VALUES ('wechat', 'WeChat', 'messenger')")
    con = store.connection  # type: ignore[attr-defined]
    rows = pa.table({"id": [f"p{i}" for i in range(n_posts)],
                     "text": [texts[i % len(texts)] for i in range(n_posts)]})
    con.register("_rows", rows)
    con.execute("INSERT INTO posts (id, platform, text, media, content_hash) "
                "SELECT id, 'wechat', text, '[]', md5(text) FROM _rows")
    store.close()


def _prepare(n: int, workdir: Path) -> dict:
    path = workdir / "search.duckdb"
    build(path, n, workdir)
    return {"db": str(path)}


def _open(ctx: dict):  # type: ignore[no-untyped-def]
    from wildtrace.store import open_store

    return open_store(ctx["db"])


def _index(ctx: dict, phase: str) -> float:
    """Untimed set-up: bring the index up to date (run) or nothing (the scan needs none)."""
    start = time.perf_counter()
    if phase == "run":
        store = _open(ctx)
        store.refresh_search_index()
        store.close()
    return time.perf_counter() - start


def _by_index(ctx: dict) -> int:
    store = _open(ctx)
    for q in QUERIES:
        store.text_search("posts", "id", ["text"], q, 50)
    store.close()
    return len(QUERIES)


def _by_scan(ctx: dict) -> int:
    from wildtrace.store import Store

    store = _open(ctx)
    for q in QUERIES:
        Store.text_search(store, "posts", "id", ["text"], q, 50)
    store.close()
    return len(QUERIES)


BENCHMARKS = [
    Benchmark(name="search_index", unit="queries", sizes=[100_000, 200_000, 400_000], quick_sizes=[5_000],
              prepare=_prepare, setup=_index, run=_by_index, baseline=_by_scan, baseline_name="scan (LIKE per term)",
              notes=f"{len(QUERIES)} queries in five scripts, 50 hits each, BM25-ranked both ways"),
]


def _median_ms(fn, runs: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall and CPU milliseconds (CPU: this process's, DuckDB's threads included; less moved by load)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _backend_cpu(store) -> float:  # type: ignore[no-untyped-def]
    """Seconds of CPU the PostgreSQL backend serving ``store``'s connection has used."""
    pid = store.query("SELECT pg_backend_pid() AS pid")[0]["pid"]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres(n: int) -> None:
    """The same queries on PostgreSQL (a throw-away server from the Debian packages, no parallel workers): as the
    planner chooses (the trigram index where a term has a trigram) against the same search with bitmap scans, the
    only way to read a GIN index, switched off. CPU is the server backend's."""
    from tests.postgres_server import postgres_server

    from wildtrace.model import Platform, Post
    from wildtrace.store import open_store

    with tempfile.TemporaryDirectory(prefix="wt-bench-") as tmp, postgres_server() as url:
        texts = _texts(Path(tmp))
        store = open_store(url)
        store.add([Platform(id="wechat", name="WeChat", kind="messenger")])
        for start in range(0, n, 50_000):
            store.add([Post(id=f"p{i}", platform="wechat", text=texts[i % len(texts)])
                       for i in range(start, min(n, start + 50_000))])
        store.connection.prepare_threshold = None  # type: ignore[attr-defined]  # a cached plan ignores SET
        store.execute("SET max_parallel_workers_per_gather = 0")
        store.execute("ANALYZE posts")
        began = time.perf_counter()
        store._prepare_search("posts", ["text"])  # type: ignore[attr-defined]
        print(f"\n{n:,} posts on PostgreSQL: trigram index built in {time.perf_counter() - began:.1f} s\n"
              "| query | index ms | scan ms | index server CPU ms | scan server CPU ms |\n|---|---:|---:|---:|---:|")
        for q in QUERIES:
            row = []
            for bitmaps in ("on", "off"):  # the planner's choice, then no index
                store.execute(f"SET enable_bitmapscan = {bitmaps}")
                cpu = _backend_cpu(store)
                wall = _median_ms(lambda q=q, s=store: s.text_search("posts", "id", ["text"], q, 50))[0]
                row.append((wall, (_backend_cpu(store) - cpu) * 1000 / 5))
            print(f"| {q} | {row[0][0]:.0f} | {row[1][0]:.0f} | {row[0][1]:.0f} | {row[1][1]:.0f} |")
        store.close()


def main() -> None:
    from wildtrace.store import Store, open_store

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[120_000])
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL: pg_trgm against a scan")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    for n in args.posts if args.postgres else ():
        postgres(n)
    for n in args.posts if not args.postgres else ():
        with tempfile.TemporaryDirectory(prefix="wt-bench-") as tmp:
            db = Path(tmp) / "search.duckdb"
            build(db, n, Path(tmp))
            store = open_store(str(db))
            start = time.perf_counter()
            store.refresh_search_index()  # type: ignore[attr-defined]
            built = time.perf_counter() - start
            grams = store.query("SELECT count(*) AS n FROM search_grams__posts")[0]["n"]
            size = db.stat().st_size / 2**20
            print(f"\n{n:,} posts: index built in {built:.1f} s ({grams:,} grams), store file {size:.0f} MiB\n"
                  "| query | hits | index ms | scan ms | index CPU ms | scan CPU ms |\n|---|---:|---:|---:|---:|---:|")
            for q in QUERIES:
                hits = len(store.text_search("posts", "id", ["text"], q, 100_000_000))
                index = _median_ms(lambda q=q, s=store: s.text_search("posts", "id", ["text"], q, 50))
                scan = _median_ms(lambda q=q, s=store: Store.text_search(s, "posts", "id", ["text"], q, 50))
                print(f"| {q} | {hits:,} | {index[0]:.0f} | {scan[0]:.0f} | {index[1]:.0f} | {scan[1]:.0f} |")
            store.close()


if __name__ == "__main__":
    main()
