"""What a ledger is, inferred from the ledger itself: its time axis (integer steps, epoch seconds or
timestamps; the tick and the span), whether it knows the time of day, its amounts (percentiles) and its
currency. Typology parameters that would otherwise be absolute are given relative to it:

- :class:`Span`: a window as a share of the ledger's time span (its 1st to 99th percentile of times),
  so the same ledger in steps, epoch seconds or ISO dates gets the same windows;
- :class:`Quantile`: an amount as a quantile of the ledger's amounts, so cents or units rank alike.

A deployment profile (YAML, :func:`load_deployment`) sets what should not be inferred: the currency
(which switches on the reporting thresholds), the length of one step, thresholds, and per-typology
overrides given in the ledger's own units (``7d``, ``36h``, ``5 steps``, ``p90`` or a plain amount).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wildtrace.money._thresholds import validate_thresholds

_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|day|days|h|hour|hours|m|min|minutes|s|sec|seconds|"
                       r"step|steps|tick|ticks)?\s*$")
_SECONDS = {"d": 86400, "day": 86400, "days": 86400, "h": 3600, "hour": 3600, "hours": 3600, "m": 60, "min": 60,
            "minutes": 60, "s": 1, "sec": 1, "seconds": 1}


@dataclass(frozen=True)
class Span:
    """A window as a share of the ledger's time span."""

    share: float

    def __str__(self) -> str:
        return f"{self.share:g} of the span"


@dataclass(frozen=True)
class Quantile:
    """An amount as a quantile (0-1) of the ledger's payment amounts; 0 means no floor."""

    q: float

    def __str__(self) -> str:
        return f"p{100 * self.q:g} of amounts"


@dataclass(frozen=True)
class Given:
    """A parameter taken from the profile (``currency``, ``thresholds``)."""

    name: str

    def __str__(self) -> str:
        return f"the profile's {self.name}"


@dataclass(frozen=True)
class Window:
    """A resolved window: seconds on the frame's time axis, how an analyst reads it, and the unit it is
    read in (``unit_seconds`` long) for durations printed beside it."""

    seconds: int
    text: str
    unit: str = "seconds"
    unit_seconds: float = 1.0
    origin: int = 0  # windows are counted from the ledger's first payment, however its times are written


@dataclass
class LedgerProfile:
    """What was inferred (or set by a deployment) about one ledger, with the reasons."""

    payments: int = 0
    accounts: int = 0
    time_kind: str = "none"  # step, epoch, timestamp or none
    tick_seconds: int = 1  # the finest time difference the ledger records: every payment is whole ticks apart
    unit: str = "second"  # the unit durations are read in: step, day, hour, minute, second (a tick is whole units)
    step_seconds: int = 0  # one step's length, when times are steps
    span_seconds: int = 0
    start: int = 0  # the first payment's time on the frame's axis
    time_of_day: bool = False
    currency: str | None = None
    quantiles: dict[float, float] = field(default_factory=dict)
    thresholds: dict[str, tuple[float, ...]] | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)

    def _unit_of(self, seconds: float) -> tuple[str, float]:
        if self.unit == "step":
            return "steps", float(max(1, self.step_seconds))
        return next((f"{name}s", float(size)) for name, size in _UNITS if seconds >= size or name == "second")

    def duration(self, seconds: float) -> str:
        """``seconds`` on the frame's axis in the ledger's own unit (``6.5 steps``, ``7 days``)."""
        unit, size = self._unit_of(seconds)
        v = seconds / size
        return f"{v:.3g} {unit if v != 1 else unit[:-1]}"

    def window(self, seconds: float) -> Window:
        """A window of whole ticks (at least one), counted from the ledger's first payment."""
        tick = max(1, self.tick_seconds)
        seconds = max(1, round(seconds / tick)) * tick
        unit, size = self._unit_of(seconds)
        return Window(int(seconds), self.duration(seconds), unit, size, self.start)

    def resolve(self, value: Any) -> Any:
        """A relative parameter made absolute for this ledger; anything else as it is."""
        if isinstance(value, Given):
            return getattr(self, value.name)
        if isinstance(value, Span):
            return self.window(max(self.tick_seconds, round(value.share * self.span_seconds)))
        if isinstance(value, Quantile):
            return self.amount_at(value.q)
        return value

    def amount_at(self, q: float) -> float:
        if q <= 0 or not self.quantiles:
            return 0.0
        near = min(self.quantiles, key=lambda k: abs(k - q))
        return self.quantiles[near]

    def convert(self, typology: str, name: str, value: Any, default: Any) -> Any:
        """A value given for a parameter (by a deployment or a caller), in the ledger's units, made absolute:
        windows as durations (``7d``, ``36h``, ``5 steps``; a bare number is ticks), amounts as ``pNN``
        (a percentile of the ledger) or a plain amount."""
        if isinstance(value, Span | Quantile | Given):
            return self.resolve(value)
        if isinstance(default, Quantile) and isinstance(value, str):
            if not re.match(r"^\s*p\d+(\.\d+)?\s*$", value):
                raise ValueError(f"typology {typology}: {name}={value!r} is neither an amount nor a percentile (p90)")
            return self.amount_at(float(value.strip()[1:]) / 100)
        if isinstance(default, Span):
            m = _DURATION.match(str(value))
            if not m:
                raise ValueError(f"typology {typology}: {name}={value!r} is not a duration (7d, 36h, 5 steps)")
            n, unit = float(m.group(1)), m.group(2)
            return self.window(n * _SECONDS.get(unit or "", self._unit_of(self.tick_seconds)[1]))
        return value

    def as_dict(self) -> dict[str, Any]:
        return {"payments": self.payments, "accounts": self.accounts, "time": self.time_kind, "unit": self.unit,
                "tick_seconds": self.tick_seconds, "span": self.duration(self.span_seconds),
                "time_of_day": self.time_of_day, "currency": self.currency,
                "amount_percentiles": {f"p{100 * q:g}": round(self.quantiles[q], 2)
                                       for q in SHOWN if q in self.quantiles},
                "why": self.why}


QUANTILES = tuple(i / 100 for i in range(1, 100))
SHOWN = (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)


def infer_profile(con: Any, time_kind: str, step_seconds: int, deployment: dict[str, Any] | None = None
                  ) -> LedgerProfile:
    """Profile ``mx_tx`` (and ``mx_accounts``) on ``con``. ``time_kind`` says how times were given (steps, epoch,
    timestamps)."""
    dep = deployment or {}
    p = LedgerProfile(time_kind=time_kind)
    row = con.execute(f"""SELECT count(*),
        (SELECT count(*) FROM mx_accounts),
        quantile_disc(t, 0.01), quantile_disc(t, 0.99), min(t),
        quantile_disc(amount, {list(QUANTILES)}), count(DISTINCT currency), any_value(currency),
        count(DISTINCT local_hour) FROM mx_tx WHERE t IS NOT NULL""").fetchone()
    n, accounts, t1, t99, start, amounts, n_currencies, currency, hours = row
    p.payments, p.accounts, p.start = int(n), int(accounts), int(start or 0)
    p.quantiles = dict(zip(QUANTILES, [float(a) for a in amounts or []], strict=False)) if n else {}
    grain = _grain(con, p.start) if n else 1
    if time_kind == "step":
        p.step_seconds = int(dep.get("step_seconds") or step_seconds)
        p.tick_seconds, p.unit = max(grain, p.step_seconds), "step"
        p.why.append("times are integer steps: windows are counted in steps (one step's length is not known "
                     "from the data; the profile's step_seconds sets it)")
    elif n:
        p.tick_seconds = grain
        p.unit = next(u for u, s in _UNITS if grain % s == 0)
        p.why.append(f"times are {'epoch seconds' if time_kind == 'epoch' else 'timestamps'}; every one falls on a "
                     f"whole {p.unit}, so the time of day is {'not ' if grain >= 86400 else ''}known")
    if p.tick_seconds > (p.step_seconds if time_kind == "step" else _SECONDS[p.unit[0]]):
        p.why.append(f"every payment is a whole {p.duration(p.tick_seconds)} from the first: that is one tick, "
                     "windows are whole ticks")
    # dates written at local midnight in several UTC offsets are not whole days apart, yet say no time of day
    p.time_of_day = time_kind != "step" and p.tick_seconds < 86400 and bool(n) and hours > 1
    if not p.time_of_day:
        p.why.append("no time of day in the data" + (" (every payment at the same local hour)" if n and hours <= 1
                                                     and time_kind != "step" else "")
                     + ": night-time typologies are off")
    p.span_seconds = max(p.tick_seconds, int((t99 or 0) - (t1 or 0))) if n else 0
    if n:
        p.why.append(f"span {p.duration(p.span_seconds)} (1st to 99th percentile of times): windows are shares of it")
    p.currency = dep.get("currency") or (currency if n_currencies == 1 and currency else None)
    if p.currency:
        p.why.append(f"currency {p.currency} ({'set by the profile' if dep.get('currency') else 'from the data'}):"
                     " structuring is judged against its reporting thresholds")
    else:
        p.why.append("currency unknown: no reporting thresholds, so structuring is off (set it in a profile)")
    if "thresholds" in dep:
        p.thresholds = validate_thresholds(dep["thresholds"], "profile thresholds")
    p.overrides = dep.get("typologies") or {}
    return p


def _grain(con: Any, start: int) -> int:
    """The greatest common divisor of every payment's time from the first (``start``): the ledger's tick. A
    ledger of daily steps written as steps x7, or as a date a week, ticks in 7 steps or 7 days, so its windows
    are the same whole ticks. Found from the smallest differences and checked against all of them (a full
    pass only when that check fails)."""
    d = f"(SELECT DISTINCT t - {int(start)} AS d FROM mx_tx WHERE t > {int(start)})"
    small = [int(r[0]) for r in con.execute(f"SELECT d FROM {d} ORDER BY d LIMIT 2000").fetchall()]
    g = math.gcd(*small) if small else 1
    check = f"SELECT bool_and((t - {int(start)}) % {g} = 0) FROM mx_tx WHERE t > {int(start)}"  # no DISTINCT
    if g > 1 and not con.execute(check).fetchone()[0]:
        g = math.gcd(*(int(r[0]) for r in con.execute(f"SELECT d FROM {d}").fetchall()))
    return max(1, g)


def load_deployment(path: str | Path) -> dict[str, Any]:
    """A deployment profile (YAML): ``currency``, ``step_seconds`` (or ``step: 1d``), ``thresholds``
    ({currency: [amounts]}) and ``typologies`` ({name: {parameter: value}}); errors name the entry."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    unknown = set(data) - {"currency", "step", "step_seconds", "thresholds", "typologies"}
    if unknown:
        raise ValueError(f"{path}: unknown entr(ies) {sorted(unknown)}; "
                         "expected currency, step, thresholds, typologies")
    if "currency" in data and not (isinstance(data["currency"], str) and len(data["currency"]) == 3):
        raise ValueError(f"{path}: entry currency: expected a three-letter code, got {data['currency']!r}")
    if "step" in data:
        m = _DURATION.match(str(data["step"]))
        if not m or m.group(2) not in _SECONDS:
            raise ValueError(f"{path}: entry step: expected a duration such as 1d or 1h, got {data['step']!r}")
        data["step_seconds"] = int(float(m.group(1)) * _SECONDS[m.group(2)])
    if "thresholds" in data:
        validate_thresholds(data["thresholds"], f"{path}: thresholds")
    typologies = data.get("typologies") or {}
    if not isinstance(typologies, dict) or not all(isinstance(v, dict) for v in typologies.values()):
        raise ValueError(f"{path}: entry typologies: expected {{typology: {{parameter: value}}}}")
    return data
