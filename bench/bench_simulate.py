"""Simulator throughput: whole worlds (posts, pictures, pages, payments, parcels, truth) per second of
generation, against writing the same number of plain JSON lines (the floor any generator pays to disk)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.harness import Benchmark

POSTS_PER_SCALE = 3000  # scale 1 is about 3,000 posts and 30,000 transactions


def prepare(n: int, workdir: Path) -> dict:
    return {"scale": n / POSTS_PER_SCALE, "out": str(workdir / "world"), "posts": n}


def run(ctx: dict) -> int:
    from wildtrace.simulate import simulate

    manifest = simulate(seed=11, scale=ctx["scale"], out=Path(ctx["out"]))
    return manifest.counts["posts"]


def baseline(ctx: dict) -> int:
    """The same number of post-sized JSON lines written to one file."""
    record = {"id": "post-00000001", "platform": "chatfeed", "account_id": "chatfeed:jade123",
              "text": "新到 象牙手镯 重 56克 价 1800元 微信 jade123 先到先得", "media": [],
              "posted_at": "2025-03-03T23:10:00+08:00", "language": "zh-Hans"}
    path = Path(ctx["out"] + ".jsonl")
    with path.open("w", encoding="utf-8") as f:
        for i in range(ctx["posts"]):
            record["id"] = f"post-{i:08d}"
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return int(ctx["posts"])


BENCHMARKS = [
    Benchmark(
        name="simulate_world",
        unit="posts",
        sizes=[3000, 6000, 12000],
        quick_sizes=[300, 600, 1200],
        prepare=prepare,
        run=run,
        baseline=baseline,
        baseline_name="plain JSON lines, same count",
        notes="scale = posts / 3000; each world also writes ~10x as many transactions, pictures (capped), "
              "saved pages (capped) and every truth file",
    ),
]
