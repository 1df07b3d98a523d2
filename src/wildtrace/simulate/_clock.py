"""The simulated calendar: 16 weeks from a Monday, in China Standard Time (+08:00)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
START = datetime(2025, 3, 3, tzinfo=CST)
WEEKS = 16


def at(week: int, day: int, hour: int, minute: int = 0) -> datetime:
    """The moment in simulated ``week`` (1-based), ``day`` 0-6, local time."""
    return START + timedelta(weeks=week - 1, days=day, hours=hour, minutes=minute)


def week_of(t: datetime) -> int:
    return (t - START).days // 7 + 1
