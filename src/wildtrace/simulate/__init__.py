"""A seeded world of the online wildlife trade with ground truth: posts, accounts, money, parcels.

>>> from wildtrace.simulate import simulate
>>> manifest = simulate(seed=7, scale=0.2, out=Path("world"))  # doctest: +SKIP
"""

from wildtrace.simulate._output import Manifest
from wildtrace.simulate._run import LAYOUT, simulate
from wildtrace.simulate._serve import NOT_FOUND, WorldSite, serve_loopback, serve_world
from wildtrace.simulate._shapes import measure_shapes

__all__ = ["LAYOUT", "NOT_FOUND", "Manifest", "WorldSite", "measure_shapes", "serve_loopback", "serve_world",
           "simulate"]
