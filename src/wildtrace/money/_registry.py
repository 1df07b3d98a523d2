"""Typologies as registered units: a name, what a hit is about, its weight in the risk score, its
parameters, and a pure function from parameters to SQL over the frame's relations.

Each typology's SQL returns one row per hit with the columns ``subject`` (an account, phone or
waybill), ``strength`` (0..1], ``reason`` (a sentence an analyst reads) and ``evidence`` (a list of
transaction ids or waybills), and optionally ``exposure`` (true when the hit says only that the subject
deals with a flagged party, not what the subject itself did: risk scoring counts it with the network
exposure, not as a typology of its own). A user's own typology registers through the same decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wildtrace.log import get_logger
from wildtrace.money._frame import Frame

log = get_logger(__name__)
HIT_COLUMNS = ["typology", "subject", "subject_kind", "score", "reason", "evidence", "exposure"]


def exposure_flags(hits: pd.DataFrame) -> pd.Series:
    """Whether each hit is exposure only (a missing column or value means it is not)."""
    return hits["exposure"].fillna(False).astype(bool) if "exposure" in hits else pd.Series(False, index=hits.index)


@dataclass(frozen=True)
class Typology:
    """One detector. ``weight`` is the risk a full-strength hit adds; ``params`` are the defaults."""

    name: str
    subject_kind: str
    weight: float
    sql: Callable[..., str]
    params: dict[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] = ("mx_tx",)
    doc: str = ""

    def build(self, **overrides: Any) -> str:
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise ValueError(f"typology '{self.name}': unknown parameter(s) {sorted(unknown)}; "
                             f"it takes {sorted(self.params)}")
        return self.sql(**{**self.params, **overrides})


TYPOLOGIES: dict[str, Typology] = {}


def typology(name: str, subject_kind: str, weight: float, needs: tuple[str, ...] = ("mx_tx",),
             **params: Any) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register ``fn(**params) -> SQL`` as typology ``name`` (its docstring documents it)."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        if name in TYPOLOGIES:
            raise ValueError(f"typology '{name}' is registered twice")
        TYPOLOGIES[name] = Typology(name, subject_kind, weight, fn, dict(params), needs,
                                    " ".join((fn.__doc__ or "").split()))
        return fn

    return register


def run_typologies(frame: Frame, names: list[str] | None = None,
                   params: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Run the named typologies (all by default) on ``frame``; one row per hit (``HIT_COLUMNS``)."""
    params = params or {}
    unknown = set(names or []) | set(params)
    unknown -= set(TYPOLOGIES)
    if unknown:
        raise ValueError(f"unknown typology(ies) {sorted(unknown)}; known: {', '.join(sorted(TYPOLOGIES))}")
    parts = []
    for name in names or list(TYPOLOGIES):
        t = TYPOLOGIES[name]
        if all(frame.counts.get(n, 1) == 0 for n in t.needs):
            continue
        sql = t.build(**params.get(name, {}))
        try:
            hits = frame.df(sql)
        except Exception as exc:
            raise RuntimeError(f"typology '{name}' failed: {exc}") from exc
        log.debug("typology %s: %d hits", name, len(hits))
        if hits.empty:
            continue
        hits["typology"], hits["subject_kind"] = name, t.subject_kind
        hits["score"] = (t.weight * hits["strength"].clip(0, 1)).round(4)
        hits["evidence"] = hits["evidence"].map(lambda e: [str(x) for x in e] if e is not None else [])
        hits["exposure"] = exposure_flags(hits)
        parts.append(hits[HIT_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=HIT_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["score", "typology", "subject"],
                                                            ascending=[False, True, True], ignore_index=True)
