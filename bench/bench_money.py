"""Money stage: every payment typology plus network risk over n transactions read from a Parquet file,
against a bare DuckDB aggregation (distinct payers and total per payee) over the same file.

    python bench/run.py --only 'money*'            # 250k, 500k, 1M
    python bench/bench_money.py 10000000           # one size, run in this process (time, CPU and peak memory)
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Benchmark

START = 1740960000  # 2025-03-03T00:00Z


def prepare(n: int, workdir: Path) -> dict:
    """n payments among n/10 accounts over 90 days: purchases at shops, salaries, payments between people,
    and one planted pattern of each kind per 100k payments (so detectors have work to do)."""
    path = workdir / "transactions.parquet"
    people = max(1000, n // 10)
    shops = max(10, people // 40)
    plants = max(1, n // 100_000)
    con = duckdb.connect()
    con.execute(f"""
    COPY (
      WITH r AS (SELECT i, random() AS r1, random() AS r2, random() AS r3 FROM range({n}) t(i)),
      benign AS (
        SELECT 'b' || i AS id, {START} + CAST(r3 * 90 * 86400 AS BIGINT) AS ts,
               CASE WHEN r1 < 0.5 THEN 'wallet:p' || CAST(r2 * {people} AS BIGINT)
                    WHEN r1 < 0.6 THEN 'wallet:shop' || CAST(r2 * {shops} AS BIGINT)
                    ELSE 'wallet:p' || CAST(r2 * {people} AS BIGINT) END AS payer,
               CASE WHEN r1 < 0.5 THEN 'wallet:shop' || CAST(((r2 * 7919) % 1) * {shops} AS BIGINT)
                    ELSE 'wallet:p' || CAST(((r2 * 104729 + r3) % 1) * {people} AS BIGINT) END AS payee,
               round(CASE WHEN r1 < 0.5 THEN 5 + 395 * r3 WHEN r1 < 0.6 THEN 3000 + 9000 * r2
                          ELSE 10 + 19990 * r2 * r2 END, 2) AS amount
        FROM r),
      k AS (SELECT k FROM range({plants}) t(k)),
      fan AS (SELECT 'fi' || k || '_' || j AS id, {START} + 86400 * (k % 80) + 3600 * j AS ts,
                     'wallet:buyer' || k || '_' || j AS payer, 'wallet:collector' || k AS payee, 5000.0 + j AS amount
              FROM k, range(8) t(j)),
      cyc AS (SELECT 'cy' || k || '_' || j AS id, {START} + 86400 * (k % 80) + 7200 * j AS ts,
                     'wallet:ring' || k || '_' || j AS payer, 'wallet:ring' || k || '_' || ((j + 1) % 3) AS payee,
                     30000.0 - 300 * j AS amount FROM k, range(3) t(j)),
      pas AS (SELECT 'pt' || k || '_' || j || '_' || d AS id, {START} + 86400 * (k % 80 + j) + 3600 * d AS ts,
                     CASE WHEN d = 0 THEN 'wallet:src' || k || '_' || j ELSE 'wallet:mule' || k END AS payer,
                     CASE WHEN d = 0 THEN 'wallet:mule' || k ELSE 'wallet:dst' || k || '_' || j END AS payee,
                     12000.0 - 100 * d AS amount FROM k, range(3) t(j), range(2) u(d)),
      smurf AS (SELECT 'st' || k || '_' || j AS id, {START} + 86400 * (k % 80) + 36000 * j AS ts,
                       'wallet:smurf' || k AS payer, 'wallet:sx' || k || '_' || j AS payee, 49000.0 + 100 * j AS amount
                FROM k, range(4) t(j))
      SELECT id, strftime(to_timestamp(ts), '%Y-%m-%dT%H:%M:%S+00:00') AS time, payer, payee, amount,
             'CNY' AS currency, 'wallet' AS channel
      FROM (SELECT * FROM benign UNION ALL SELECT * FROM fan UNION ALL SELECT * FROM cyc
            UNION ALL SELECT * FROM pas UNION ALL SELECT * FROM smurf)
    ) TO '{path}' (FORMAT parquet)""")
    return {"path": str(path), "n": n, "bytes": path.stat().st_size}


def setup(ctx: dict, phase: str) -> None:
    """Start-up of a long-running process, untimed and reported beside: the library imported (pandas, the
    typologies registered). The baseline's DuckDB is imported with this module."""
    if phase == "run":
        import wildtrace.money

        assert wildtrace.money.analyse is not None


def run(ctx: dict) -> int:
    from wildtrace.money import analyse

    result = analyse(transactions=ctx["path"])
    assert not result.hits.empty
    return int(ctx["n"])


def baseline(ctx: dict) -> int:
    con = duckdb.connect()
    con.execute(f"SELECT payee, count(DISTINCT payer), sum(amount) FROM read_parquet('{ctx['path']}') "
                "GROUP BY payee").fetchall()
    return int(ctx["n"])


BENCHMARKS = [
    Benchmark(name="money_typologies_and_risk", unit="transactions", sizes=[250_000, 500_000, 1_000_000],
              prepare=prepare, run=run, baseline=baseline,
              baseline_name="bare DuckDB GROUP BY payee (distinct payers, total)",
              notes="all payment typologies + network risk from a Parquet file; parcels and flagged data empty",
              quick_sizes=[20_000, 40_000, 80_000], setup=setup),
]


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


if __name__ == "__main__":
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="wt-money-") as tmp:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(1) as pool:  # the file is written by another process: the peak is the run's own
            context = pool.submit(prepare, size, Path(tmp)).result()
        setup(context, "run")
        t1, c1 = time.perf_counter(), _cpu()
        run(context)
        t2, c2 = time.perf_counter(), _cpu()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        baseline(context)
        t3, c3 = time.perf_counter(), _cpu()
        print(f"n={size} prepare={t1 - t0:.1f}s detectors+risk={t2 - t1:.1f}s (CPU {c2 - c1:.1f}s) peak={peak:.0f}MB "
              f"baseline={t3 - t2:.1f}s (CPU {c3 - c2:.1f}s)")
