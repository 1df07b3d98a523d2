"""Run every benchmark in ``bench/`` and write one table (Markdown + JSON).

    python bench/run.py [--quick] [--only PATTERN] [--out DIR]

Each size of each benchmark runs in fresh subprocesses: one builds the input (``prepare``), one times
``run``, one times ``baseline``, so that each reports its own peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from bench.harness import Benchmark  # noqa: E402


def discover() -> list[tuple[str, Benchmark]]:
    found = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        found.extend((path.stem, b) for b in getattr(module, "BENCHMARKS", []))
    return found


def _find(module: str, name: str) -> Benchmark:
    for b in importlib.import_module(f"bench.{module}").BENCHMARKS:
        if b.name == name:
            return b
    raise KeyError(name)


def child(module: str, name: str, phase: str, size: int, workdir: Path) -> dict:
    """Run one phase of one benchmark in this process; return its measurements."""
    bench = _find(module, name)
    ctx_file = workdir / "ctx.json"
    if phase == "prepare":
        ctx = bench.prepare(size, workdir)
        ctx_file.write_text(json.dumps(ctx, default=str))
        return {}
    ctx = json.loads(ctx_file.read_text())
    fn = bench.run if phase == "run" else bench.baseline
    assert fn is not None
    start = time.perf_counter()
    if bench.setup:
        ctx["state"] = bench.setup(ctx, phase)
    setup_seconds = time.perf_counter() - start
    start, cpu_start = time.perf_counter(), time.process_time()
    items = fn(ctx)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = _peak_mb()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "items": items, "peak_mb": peak_mb,
            "bytes": ctx.get("bytes"), "setup_seconds": setup_seconds if bench.setup else None}


def _peak_mb() -> float:
    """This process's own peak resident memory. Linux keeps ``ru_maxrss`` across fork and exec, so a child
    started by a big runner would report at least the runner's peak; ``VmHWM`` belongs to this program."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spawn(module: str, name: str, phase: str, size: int, workdir: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", module, name, phase, str(size), str(workdir)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=BENCH_DIR.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(module: str, bench: Benchmark, sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="wt-bench-") as tmp:
            workdir = Path(tmp)
            spawn(module, bench.name, "prepare", size, workdir)
            run = spawn(module, bench.name, "run", size, workdir)
            base = spawn(module, bench.name, "baseline", size, workdir) if bench.baseline else None
        row = {
            "benchmark": bench.name, "unit": bench.unit, "n": size, "seconds": run["seconds"],
            "throughput": run["items"] / run["seconds"] if run["seconds"] else None,
            "mb_per_s": (run["bytes"] / 1e6 / run["seconds"]) if run.get("bytes") else None,
            "peak_mb": run["peak_mb"], "baseline": bench.baseline_name or None, "setup_s": run.get("setup_seconds"),
        }
        if base:
            row["baseline_throughput"] = base["items"] / base["seconds"] if base["seconds"] else None
            row["baseline_peak_mb"] = base["peak_mb"]
            row["ratio_to_baseline"] = (row["throughput"] / row["baseline_throughput"]
                                        if row["baseline_throughput"] else None)
            # the same ratio in CPU seconds: on a shared machine the other jobs' load moves wall time between the
            # two processes, not the CPU time each needs (single-threaded work on both sides)
            if run.get("cpu_seconds") and base.get("cpu_seconds"):
                row["cpu_ratio_to_baseline"] = base["cpu_seconds"] / base["items"] / (run["cpu_seconds"] / run["items"])
        if rows:
            prev = rows[-1]
            row["growth"] = (row["seconds"] / prev["seconds"]) / (size / prev["n"]) if prev["seconds"] else None
        rows.append(row)
        cpu = f", ratio {row['ratio_to_baseline']:.2f} (CPU time {row['cpu_ratio_to_baseline']:.2f})" if (
            row.get("cpu_ratio_to_baseline")) else ""
        print(f"{bench.name} n={size}: {row['throughput']:.1f} {bench.unit}/s, peak {row['peak_mb']:.0f} MB{cpu}",
              file=sys.stderr)
    return rows


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "date": datetime.now(UTC).isoformat(timespec="seconds")}


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def markdown(rows: list[dict], info: dict) -> str:
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"{info['date']}.",
        "",
        "| benchmark | n | throughput | MB/s | peak MB | start-up s | baseline | baseline throughput | ratio "
        "| CPU ratio | growth |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['benchmark']} | {r['n']:,} | {_fmt(r['throughput'])} {r['unit']}/s | {_fmt(r.get('mb_per_s'))} "
            f"| {_fmt(r['peak_mb'], 0)} | {_fmt(r.get('setup_s'), 2)} | {r.get('baseline') or ''} "
            f"| {_fmt(r.get('baseline_throughput'))} "
            f"| {_fmt(r.get('ratio_to_baseline'), 2)} | {_fmt(r.get('cpu_ratio_to_baseline'), 2)} "
            f"| {_fmt(r.get('growth'), 2)} |"
        )
    lines += ["", "ratio: throughput / same-run baseline throughput (CPU ratio: the same in CPU seconds, which other "
              "jobs on a shared machine move far less than wall time). growth: (time at n / time at previous n) / "
              "(n / previous n); 1.0 is linear. start-up s: untimed loading before a steady-state run (model, tables)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, module, name, phase, size, workdir = sys.argv
        print(json.dumps(child(module, name, phase, int(size), Path(workdir))))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every benchmark")
    parser.add_argument("--only", default="*", help="glob on benchmark names")
    parser.add_argument("--out", default=str(BENCH_DIR / "results"))
    args = parser.parse_args()
    rows: list[dict] = []
    for module, bench in discover():
        if fnmatch.fnmatch(bench.name, args.only):
            sizes = (bench.quick_sizes or [max(1, s // 20) for s in bench.sizes]) if args.quick else bench.sizes
            rows.extend(measure(module, bench, sizes))
    info = machine()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"machine": info, "results": rows}, indent=2))
    (out / "latest.md").write_text(markdown(rows, info))
    print(markdown(rows, info))


if __name__ == "__main__":
    main()
