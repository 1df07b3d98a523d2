"""The report's input: the period's posts with their verdicts, as one data frame, plus what later stages add.

Days and weeks are calendar days and ISO weeks (Monday to Sunday) in the zone the report names; a week of
which the period holds fewer than 7 days is *partial*: shown, marked, and left out of every trend.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from wildtrace.report import _queries as q
from wildtrace.share import has_tables
from wildtrace.store import Store

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")
FLAGGED = ("high", "medium")
PICTURE_HASHES = ["sha256", "phash", "dhash", "whash"]


def parse_zone(text: str) -> tzinfo:
    """``+08:00``, ``-0530``, ``UTC+8``, ``Z`` (a fixed offset) or an IANA name such as ``Asia/Shanghai``."""
    clean = text.strip()
    if clean.upper() in ("Z", "UTC", "0", "+0", "+00:00"):
        return UTC
    match = _OFFSET.match(clean.upper())
    if not match:
        try:
            return ZoneInfo(clean)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"--zone {text!r}: expected an offset such as +08:00 or a zone such as "
                             "Asia/Shanghai") from None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise ValueError(f"--zone {text!r}: out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


@dataclass(frozen=True)
class Week:
    """One ISO calendar week of the period: ``days`` of it fall in the period (fewer than 7: partial)."""

    index: int
    iso: str
    start: date
    days: int

    @property
    def partial(self) -> bool:
        return self.days < 7


@dataclass(frozen=True)
class ReportOptions:
    """What the report covers and how. ``end`` is the last day included; ``zone`` names the time zone of the
    period's days and weeks (and of posts whose own offset is unknown)."""

    start: date
    end: date
    zone: str = "+08:00"
    audience: str = "public"
    flagged_tiers: tuple[str, ...] = FLAGGED
    events: tuple[date, ...] = ()
    event_weeks: int = 4
    min_change: float = 0.2
    top: int = 10
    baseline_weeks: int = 4
    screening_eval: str | None = None
    title: str = "Online wildlife trade: monitoring report"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"--to {self.end} is before --from {self.start}")
        parse_zone(self.zone)

    @property
    def tz(self) -> tzinfo:
        return parse_zone(self.zone)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end + 1 day) in the report's time zone."""
        start = datetime.combine(self.start, time(0), self.tz)
        end = datetime.combine(self.end + timedelta(days=1), time(0), self.tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    @property
    def first_monday(self) -> date:
        return self.start - timedelta(days=self.start.weekday())

    def weeks(self) -> list[Week]:
        """The ISO weeks the period touches, with how many of their days it holds."""
        out: list[Week] = []
        monday = self.first_monday
        while monday <= self.end:
            sunday = monday + timedelta(days=6)
            days = (min(sunday, self.end) - max(monday, self.start)).days + 1
            year, number, _ = monday.isocalendar()
            out.append(Week(len(out), f"{year}-W{number:02d}", monday, days))
            monday += timedelta(days=7)
        return out

    @property
    def n_weeks(self) -> int:
        return len(self.weeks())

    def week_of(self, day: date) -> int:
        """The index of the week holding ``day`` among :meth:`weeks`."""
        return (day - self.first_monday).days // 7


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
    """The period's posts (one row each, derived columns added), what came before, and the later stages' tables.

    ``history`` holds every post's account and code words with its time (to tell new from returning);
    ``monitoring_start`` is the first post the store holds.
    """

    options: ReportOptions
    posts: pd.DataFrame
    pictures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PICTURE_HASHES))
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    monitoring_start: datetime | None = None
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    traders: pd.DataFrame | None = None

    @property
    def baseline_end(self) -> datetime:
        """Before this instant a word or trader is not "new": the period's start, or, when monitoring began in
        the period, the end of its first ``baseline_weeks`` full weeks (nothing earlier to compare with)."""
        start, _ = self.options.bounds()
        if self.monitoring_start is None or self.monitoring_start < start:
            return start
        full = [w for w in self.options.weeks() if not w.partial]
        if not full:
            return start
        last = full[min(self.options.baseline_weeks, len(full)) - 1]
        return datetime.combine(last.start + timedelta(days=7), time(0), self.options.tz).astimezone(UTC)

    @property
    def has_baseline(self) -> bool:
        return self.baseline_end > self.options.bounds()[0]


POST_COLUMNS = ["id", "platform", "account_id", "posted_at", "posted_at_tz", "deleted_at", "captured_at", "media",
                "content_hash", "tier", "species", "products", "code_words", "extracted", "model_version"]


def _derive(frame: pd.DataFrame, options: ReportOptions) -> pd.DataFrame:
    """Add week, local hour of the poster, flagged, lists and extracted fields."""
    posted = pd.to_datetime(frame["posted_at"], utc=True)
    report_local = posted.dt.tz_convert(options.tz)
    own = posted + pd.to_timedelta(frame["posted_at_tz"].astype("float"), unit="m")
    local_hour = own.dt.hour.where(frame["posted_at_tz"].notna(), report_local.dt.hour)
    monday = pd.Timestamp(options.first_monday)
    days = (report_local.dt.tz_localize(None).dt.normalize() - monday).dt.days
    extracted = frame["extracted"].map(_json_dict)
    tier = frame["tier"].fillna("unscreened")
    return frame.assign(
        posted_at=posted, deleted_at=pd.to_datetime(frame["deleted_at"], utc=True),
        captured_at=pd.to_datetime(frame["captured_at"], utc=True), local_hour=local_hour,
        week=(days // 7).astype(int), tier=tier, flagged=tier.isin(options.flagged_tiers).astype(bool),
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
    pictures = pd.DataFrame(store.query(q.media_hashes()), columns=PICTURE_HASHES)
    history = pd.DataFrame(store.query(q.post_history(), [end]),
                           columns=["account_id", "posted_at", "flagged_tier", "code_words"])
    history = history.assign(posted_at=pd.to_datetime(history["posted_at"], utc=True),
                             flagged=history["flagged_tier"].isin(options.flagged_tiers),
                             code_words=history["code_words"].map(_json_list))
    first = store.query(q.monitoring_span())[0]["first_post"]
    accounts = pd.DataFrame(store.query(q.accounts_of_period()),
                            columns=["id", "platform", "status", "first_seen", "first_post"])
    traders = None
    if has_tables(store, "link_members", "link_traders"):
        traders = pd.DataFrame(store.query(q.trader_members()),
                               columns=["account_id", "trader_id", "is_backup", "appeared_at", "category", "status",
                                        "n_accounts", "platforms"])
    return PeriodData(options, posts, pictures, history,
                      None if first is None else pd.Timestamp(first).tz_convert(UTC).to_pydatetime(), accounts,
                      traders)
