"""Money stage, learned ranking: feature building and training over n payments of the money benchmark's
file (bench_money.prepare), the planted pattern accounts labelled 1; time per million payments.

    python bench/run.py --only 'money_learn*'
    python bench/bench_money_learn.py 1000000      # one size, in this process (times and peak memory)
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_money import baseline, prepare, setup
from bench.harness import Benchmark
from wildtrace.money import Frame

PLANTED = ("wallet:collector", "wallet:ring", "wallet:mule", "wallet:smurf")


def _labels(frame: Frame) -> pd.Series:
    accounts = frame.df("SELECT DISTINCT payer AS a FROM mx_tx UNION SELECT payee FROM mx_tx")["a"]
    return pd.Series([int(a.startswith(PLANTED)) for a in accounts], index=accounts.to_numpy())


def run(ctx: dict) -> int:
    """Features and training only (the unsupervised run they start from is the money benchmark's)."""
    from wildtrace.money import analyse, open_frame, train_model

    frame = open_frame(None, ctx["path"])
    try:
        result = analyse(frame=frame)
        model = train_model(frame, _labels(frame), result.hits, result.risk)
    finally:
        frame.close()
    ctx["timings"] = model.meta["seconds_per_million_payments"]
    return int(ctx["n"])


BENCHMARKS = [
    Benchmark(name="money_learn_features_and_training", unit="transactions", sizes=[250_000, 500_000, 1_000_000],
              prepare=prepare, run=run, baseline=baseline,
              baseline_name="bare DuckDB GROUP BY payee (distinct payers, total)",
              notes="typologies + risk, then per-account features and LightGBM training on the planted accounts",
              quick_sizes=[20_000, 40_000, 80_000], setup=setup),
]


if __name__ == "__main__":
    import tempfile

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="wt-money-learn-") as tmp:
        context = prepare(size, Path(tmp))
        setup(context, "run")
        t0 = time.perf_counter()
        run(context)
        t1 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"n={size} total={t1 - t0:.1f}s per-million(features, training)={context['timings']} "
              f"peak={peak:.0f}MB")
