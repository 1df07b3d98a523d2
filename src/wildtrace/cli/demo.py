"""``wildtrace demo``: the main job end to end on a simulated world, on the embedded store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import JsonOpt, emit, progress_bars, settings


def _world(out: Path, seed: int, scale: float) -> tuple[Path, str]:
    """The simulated world under ``out/world``, generated unless the same seed and scale are already there."""
    from wildtrace.simulate import simulate

    world = out / "world"
    manifest = world / "manifest.json"
    if manifest.exists():
        known = json.loads(manifest.read_text(encoding="utf-8"))
        if known.get("seed") == seed and known.get("scale") == scale:
            return world, f"kept the world in {world} (seed {seed}, scale {scale})"
    simulate(seed=seed, scale=scale, out=world)
    return world, f"simulated a world in {world} (seed {seed}, scale {scale})"


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the world, the store, the report and the exports.")] = Path(
        "demo"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 1,
    scale: Annotated[float, typer.Option(help="Size of the world: 1 is about 60 traders and 3,000 posts.")] = 1.0,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the workbench at the end.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a world, then ingest, screen, extract, link, follow the money, report, and serve the workbench."""
    from wildtrace.pipeline import run_pipeline
    from wildtrace.store import open_store

    out.mkdir(parents=True, exist_ok=True)
    s = settings(str(out / "wildtrace.duckdb"), None, data_dir=str(out / ".wildtrace"))
    world, said = _world(out, seed, scale)
    steps: list[dict[str, object]] = [{"step": "simulate", "summary": said}]
    typer.echo(f"simulate  {said}", err=True)
    with open_store(s.db) as st, progress_bars() as progress:
        for step in run_pipeline(world, st, s, out, progress=progress):
            steps.append({"step": step.name, "summary": step.summary, "seconds": round(step.seconds, 1)})
            typer.echo(f"{step.name:<9} {step.summary} ({step.seconds:.1f} s)", err=True)
    emit({"store": s.db, "steps": steps}, as_json, f"store: {s.db}")
    if serve:
        from wildtrace.cli.serve import serve_workbench

        serve_workbench(s, demo_users=True)


def register(app: typer.Typer) -> None:
    app.command()(demo)
