"""The benchmark contract: every ``bench/bench_*.py`` defines ``BENCHMARKS``, a list of :class:`Benchmark`.

Each (benchmark, size) runs in a fresh subprocess so that peak memory (max RSS, native code
included) belongs to that run alone. The baseline is measured in the same run on the same input.
Sizes go n, 2n, 4n so the table shows how cost grows; ``--quick`` divides them for a smoke run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Benchmark:
    """One benchmark.

    ``prepare(n, workdir)`` builds the input in ``workdir`` (not timed) and returns a JSON-serialisable
    context dict (paths as strings): prepare, run and baseline each run in their own process.
    ``run(ctx)`` and ``baseline(ctx)`` do the timed work and return the number of items processed.
    ``ctx["bytes"]``, if set by ``prepare``, gives MB/s. ``setup(ctx, phase)``, if given, does the start-up
    of ``phase`` ("run" or "baseline": loading a model, building an automaton) untimed, so that throughput is
    the steady state of a long-running process; its seconds are reported beside it, and its result reaches
    ``run``/``baseline`` as ``ctx["state"]``.
    """

    name: str
    unit: str
    sizes: list[int]
    prepare: Callable[[int, Path], dict]
    run: Callable[[dict], int]
    baseline: Callable[[dict], int] | None = None
    baseline_name: str = ""
    notes: str = ""
    quick_sizes: list[int] = field(default_factory=list)
    setup: Callable[[dict, str], object] | None = None
