"""Typologies as registered units: a name, what a hit is about, its weight in the risk score, its
parameters, and a pure function from parameters to SQL over the frame's relations.

Each typology's SQL returns one row per hit with the columns ``subject`` (an account, phone or
waybill), ``strength`` (0..1], ``reason`` (a sentence an analyst reads) and ``evidence`` (a list of
transaction ids or waybills), and optionally ``pattern`` (which occurrence of the pattern the hit is part
of, when several subjects share one), ``members`` (every account of a detected pattern, the subject
first: the hit is the pattern, and its members inherit risk from it) and ``exposure`` (true when the hit
says only that the subject deals with a flagged party, not what the subject itself did: risk scoring
counts it with the network exposure, not as a typology of its own). A user's own typology registers
through the same decorator.

Parameters that would be absolute amounts or durations are given relative to the ledger
(:class:`~wildtrace.money._profile.Span`, :class:`~wildtrace.money._profile.Quantile`) and resolved
against the frame's profile when the typology runs; a deployment profile or ``params`` may set them in
the ledger's own units (``7d``, ``5 steps``, ``p90``, an amount).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wildtrace.log import get_logger
from wildtrace.money._frame import Frame
from wildtrace.money._profile import LedgerProfile

log = get_logger(__name__)
HIT_COLUMNS = ["typology", "subject", "subject_kind", "score", "reason", "evidence", "members", "exposure",
               "member_score"]


def pattern_flags(hits: pd.DataFrame) -> pd.Series:
    """Whether each hit is a pattern of several accounts (its typology registered with ``pattern``)."""
    return hits["typology"].map(lambda t: t in TYPOLOGIES and TYPOLOGIES[t].pattern).astype(bool)


def exposure_flags(hits: pd.DataFrame) -> pd.Series:
    """Whether each hit is exposure only (a missing column or value means it is not). The column goes through
    pandas' nullable boolean, whose ``fillna`` has no object values to downcast."""
    if "exposure" not in hits:
        return pd.Series(False, index=hits.index)
    return hits["exposure"].astype("boolean").fillna(False).astype(bool)


@dataclass(frozen=True)
class Typology:
    """One detector. ``weight`` is the risk a full-strength hit adds; ``params`` are the defaults; ``needs`` the
    relations it reads (it is skipped when one of them is empty)."""

    name: str
    subject_kind: str
    weight: float
    sql: Callable[..., str]
    params: dict[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] = ("mx_tx",)
    doc: str = ""
    requires: tuple[str, ...] = ()  # what the ledger must know: "time_of_day", "currency"
    pattern: bool = False  # its hits are patterns of several accounts (members, or every account on a cycle)

    def build(self, profile: LedgerProfile | None = None, **overrides: Any) -> str:
        """The SQL with defaults, the deployment's overrides and then ``overrides`` resolved for ``profile``."""
        profile = profile or LedgerProfile()
        given = {**profile.overrides.get(self.name, {}), **overrides}
        unknown = set(given) - set(self.params)
        if unknown:
            raise ValueError(f"typology '{self.name}': unknown parameter(s) {sorted(unknown)}; "
                             f"it takes {sorted(self.params)}")
        values = {k: profile.resolve(v) for k, v in self.params.items()}
        values.update({k: profile.convert(self.name, k, v, self.params[k]) for k, v in given.items()})
        return self.sql(**values)

    def missing(self, profile: LedgerProfile) -> list[str]:
        """What this typology needs that the ledger does not know."""
        return [r for r in self.requires if not (profile.time_of_day if r == "time_of_day" else profile.currency)]


TYPOLOGIES: dict[str, Typology] = {}


def typology(name: str, subject_kind: str, weight: float, needs: tuple[str, ...] = ("mx_tx",),
             requires: tuple[str, ...] = (), pattern: bool = False,
             **params: Any) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register ``fn(**params) -> SQL`` as typology ``name`` (its docstring documents it); ``pattern`` when a
    hit is a pattern of several accounts, whose risk reaches them through the pattern."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        if name in TYPOLOGIES:
            raise ValueError(f"typology '{name}' is registered twice")
        TYPOLOGIES[name] = Typology(name, subject_kind, weight, fn, dict(params), needs,
                                    " ".join((fn.__doc__ or "").split()), requires, pattern)
        return fn

    return register


_SHARED = re.compile(r"\bmx_s_[0-9a-f]{12}\b")
"""Names of the temp tables typologies share (``_typologies_tx._shared``)."""

COMMON = 0.02
"""A typology that occurs for more than this share of a ledger's accounts says less the more it occurs."""


def _common(share: float, strength: pd.Series, weight: float) -> pd.Series:
    """The score of hits of ``strength`` from a typology of ``weight`` whose hits occur for ``share`` of the
    ledger's accounts: ``weight x strength`` up to ``COMMON``, beyond it the information the hit carries,
    ``1 - share^(lambda x strength)`` with ``lambda`` such that a full hit at ``COMMON`` is worth ``weight``
    (a full hit seen for 2% of the accounts is worth its weight, one seen for a quarter of them about 0.4
    of it: what a quarter of the accounts show is weak evidence on any one of them)."""
    lam = math.log(1.0 - min(weight, 0.999)) / math.log(COMMON)
    full = weight * strength
    if share <= COMMON:
        return full
    return np.minimum(full, 1.0 - np.power(share, lam * strength))


def _judge_common(hits: pd.DataFrame, accounts: int, weight: float) -> None:
    """Score the hits of a typology in the ledger by how common it is there (:func:`_common`): its subjects
    by its distinct occurrences per account (a hit's ``pattern`` when the typology gives one, since every
    account on one cycle is a subject of it; else its subject), and what a pattern's members inherit
    (``member_score``) by how many of the ledger's accounts are members of its patterns. What a quarter of
    the accounts show is weak evidence on any one of them, whatever the ledger."""
    mine = ~hits["exposure"]
    if not accounts or not mine.any():
        return
    strength = hits.loc[mine, "strength"].clip(0, 1)
    occurrences = (hits.loc[mine, "pattern"] if "pattern" in hits else hits.loc[mine, "subject"]).nunique()
    share = occurrences / accounts
    scores = _common(share, strength, weight)
    factor = scores / (weight * strength).where(strength > 0, 1.0)
    hits.loc[mine, "score"] = scores.round(4)
    if share > COMMON:
        hits.loc[mine, "reason"] = hits.loc[mine, "reason"] + factor.map(
            lambda f: f" [{occurrences} such patterns in {accounts} accounts ({100 * share:.0f}%): counts x{f:.2f}]")
    members = {m for subject, ms in zip(hits.loc[mine, "subject"], hits.loc[mine, "members"], strict=True)
               for m in ms if m != subject}
    hits.loc[mine, "member_score"] = _common(len(members) / accounts, strength, weight).round(4)


def run_typologies(frame: Frame, names: list[str] | None = None,
                   params: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Run the named typologies (all by default) on ``frame``; one row per hit (``HIT_COLUMNS``)."""
    params = params or {}
    unknown = set(names or []) | set(params)
    unknown -= set(TYPOLOGIES)
    if unknown:
        raise ValueError(f"unknown typology(ies) {sorted(unknown)}; known: {', '.join(sorted(TYPOLOGIES))}")
    todo = []
    for name in names or list(TYPOLOGIES):
        t = TYPOLOGIES[name]
        if any(frame.counts.get(n, 1) == 0 for n in t.needs):  # nothing to find without all it reads
            continue
        if t.missing(frame.profile):
            log.info("typology %s: off, the ledger does not give %s", name, " or ".join(t.missing(frame.profile)))
            continue
        todo.append((name, t, t.build(frame.profile, **params.get(name, {}))))
    last = {table: i for i, (_, _, sql) in enumerate(todo) for table in _SHARED.findall(sql)}
    parts = []
    for i, (name, t, sql) in enumerate(todo):
        try:
            hits = frame.df(sql)
        except Exception as exc:
            raise RuntimeError(f"typology '{name}' failed: {exc}") from exc
        finally:  # a shared table goes as soon as the last typology reading it has run
            for table in sorted(k for k, v in last.items() if v == i):
                frame.con.execute(f"DROP TABLE IF EXISTS {table}")
        log.debug("typology %s: %d hits", name, len(hits))
        if hits.empty:
            continue
        hits["typology"], hits["subject_kind"] = name, t.subject_kind
        hits["score"] = (t.weight * hits["strength"].clip(0, 1)).round(4)
        hits["evidence"] = hits["evidence"].map(lambda e: [str(x) for x in e] if e is not None else [])
        hits["exposure"] = exposure_flags(hits)
        hits["members"] = (hits["members"].map(lambda m: [str(x) for x in m] if m is not None else [])
                           if "members" in hits else [[] for _ in range(len(hits))])
        hits["member_score"] = hits["score"]
        if t.subject_kind == "account" and t.needs == ("mx_tx",):  # patterns in the ledger, not flagged facts
            _judge_common(hits, frame.profile.accounts, t.weight)
        parts.append(hits[HIT_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=HIT_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["score", "typology", "subject"],
                                                            ascending=[False, True, True], ignore_index=True)
