"""The report's input: the period's posts with their verdicts, as one data frame, plus what later stages add."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd

from wildtrace.report import _queries as q
from wildtrace.share import has_tables
from wildtrace.store import Store

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")
FLAGGED = ("high", "medium")


def parse_offset(text: str) -> timezone:
    """``+08:00``, ``-0530``, ``UTC+8`` or ``Z`` as a fixed time zone."""
    if text.strip().upper() in ("Z", "UTC", "0", "+0", "+00:00"):
        return UTC
    match = _OFFSET.match(text.strip().upper())
    if not match:
        raise ValueError(f"--utc-offset {text!r}: expected an offset such as +08:00, -05:00 or Z")
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise ValueError(f"--utc-offset {text!r}: out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


@dataclass(frozen=True)
class ReportOptions:
    """What the report covers and how. ``end`` is the last day included."""

    start: date
    end: date
    utc_offset: str = "+08:00"
    audience: str = "public"
    flagged_tiers: tuple[str, ...] = FLAGGED
    events: tuple[date, ...] = ()
    event_weeks: int = 4
    min_change: float = 0.2
    image_distance: int = 6
    top: int = 10
    title: str = "Online wildlife trade: monitoring report"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")
        parse_offset(self.utc_offset)

    @property
    def tz(self) -> timezone:
        return parse_offset(self.utc_offset)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end + 1 day) in the report's time zone."""
        start = datetime.combine(self.start, time(0), self.tz)
        end = datetime.combine(self.end + timedelta(days=1), time(0), self.tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    @property
    def n_weeks(self) -> int:
        return -(-((self.end - self.start).days + 1) // 7)


def _json_list(value: Any) -> list:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    parsed = json.loads(value) if isinstance(value, str) else value
    return list(parsed) if isinstance(parsed, list | tuple) else []


def _json_dict(value: Any) -> dict:
    if not isinstance(value, str):
        return value if isinstance(value, dict) else {}
    parsed = json.loads(value)
    return parsed if isinstance(parsed, dict) else {}


@dataclass
class PeriodData:
    """The period's posts (one row each, derived columns added) and the linking stage's traders, if any."""

    options: ReportOptions
    posts: pd.DataFrame
    phash: dict[str, str] = field(default_factory=dict)
    code_words_before: set[str] = field(default_factory=set)
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    traders: pd.DataFrame | None = None


POST_COLUMNS = ["id", "platform", "account_id", "posted_at", "posted_at_tz", "deleted_at", "media", "content_hash",
                "tier", "species", "products", "code_words", "extracted"]


def _derive(frame: pd.DataFrame, options: ReportOptions) -> pd.DataFrame:
    """Add week, local hour of the poster, flagged, lists and extracted fields."""
    posted = pd.to_datetime(frame["posted_at"], utc=True)
    deleted = pd.to_datetime(frame["deleted_at"], utc=True)
    default_minutes = options.tz.utcoffset(None).total_seconds() / 60
    minutes = frame["posted_at_tz"].astype("float").fillna(default_minutes)
    local = posted + pd.to_timedelta(minutes, unit="m")
    report_local = posted + pd.Timedelta(minutes=default_minutes)
    start = pd.Timestamp(options.start).tz_localize(UTC)
    extracted = frame["extracted"].map(_json_dict)
    tier = frame["tier"].fillna("unscreened")
    return frame.assign(
        posted_at=posted, deleted_at=deleted, local_hour=local.dt.hour,
        week=((report_local.dt.floor("D") - start).dt.days // 7).astype(int),
        tier=tier, flagged=tier.isin(options.flagged_tiers).astype(bool),
        species=frame["species"].map(_json_list), products=frame["products"].map(_json_list),
        code_words=frame["code_words"].map(_json_list), media=frame["media"].map(_json_list),
        product_type=extracted.map(lambda e: e.get("product_type") if e.get("product_type") not in (None, "none")
                                   else "unknown"),
        price_per_gram_cny=extracted.map(lambda e: _number(e.get("price_per_gram_cny", e.get("price_per_gram")))),
        price_per_gram_usd=extracted.map(lambda e: _number(e.get("price_per_gram_usd"))),
    )


def _number(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out if np.isfinite(out) and out > 0 else float("nan")


def load_period(store: Store, options: ReportOptions) -> PeriodData:
    """Read everything the report needs for ``options``' period from ``store``."""
    start, end = options.bounds()
    rows = store.query(q.posts_in_period(), [start, end])
    posts = _derive(pd.DataFrame(rows, columns=POST_COLUMNS), options)
    phash = {r["sha256"]: r["phash"] for r in store.query(q.media_hashes()) if r["phash"]}
    before: set[str] = set()
    for r in store.query(q.code_words_before(), [start]):
        before.update(_json_list(r["code_words"]))
    accounts = pd.DataFrame(store.query(q.accounts_of_period()),
                            columns=["id", "platform", "status", "first_seen", "first_post"])
    traders = None
    if has_tables(store, "link_members", "link_traders"):
        traders = pd.DataFrame(store.query(q.trader_members()),
                               columns=["account_id", "trader_id", "is_backup", "appeared_at", "category", "status",
                                        "n_accounts", "platforms"])
    return PeriodData(options, posts, phash, before, accounts, traders)
