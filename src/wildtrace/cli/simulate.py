"""``wildtrace simulate``: write a seeded world of the online wildlife trade with ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import JsonOpt, emit, fail


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)


def simulate_cmd(
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives byte-identical files.")] = 7,
    scale: Annotated[float, typer.Option("--scale", help="1 = about 60 traders, 3k posts, 30k transactions.")] = 1.0,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the world into.")] = Path("world"),
    describe: Annotated[bool, typer.Option("--describe", help="Also print the file layout and the published "
                                           "shapes measured back from the files.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Simulate posts, accounts, payments and parcels of the online wildlife trade, with ground truth."""
    from wildtrace.simulate import LAYOUT, measure_shapes, simulate

    if scale <= 0:
        fail(f"--scale must be positive, got {scale}")
    manifest = simulate(seed, scale, out)
    summary: dict[str, object] = {"out": str(out), "seed": seed, "scale": scale, "counts": manifest.counts}
    lines = [f"wrote {out}: " + ", ".join(f"{k} {v}" for k, v in manifest.counts.items())]
    if describe:
        summary["files"] = sorted(manifest.files)
        summary["layout"] = LAYOUT
        width = max(map(len, LAYOUT))
        lines += [f"  {name:<{width}}  {what}" for name, what in LAYOUT.items()]
        summary["shapes"] = shapes = measure_shapes(out)
        lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in shapes.items()]
    emit(summary, as_json, "\n".join(lines))
