"""When each watched URL is checked again: its own cron expression (``*/30 * * * *``, ``0 8 * * 1-5``)
or the run's default interval, plus random jitter so that checks do not fall on the same second; and
per-host politeness, a minimum delay between two requests to one host."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from croniter import croniter


def valid_schedule(spec: str) -> str:
    """``spec`` when it is a cron expression (five fields), else ``ValueError`` saying so."""
    if not croniter.is_valid(spec) or len(spec.split()) != 5:
        raise ValueError(f"--schedule {spec!r}: not a cron expression (five fields, e.g. '*/30 * * * *')")
    return spec


def next_check(schedule: str | None, after: datetime, interval: float, jitter: float,
               rng: random.Random | None = None) -> datetime:
    """The next time to check: the schedule's next firing after ``after`` (else ``after + interval``), plus
    up to ``jitter`` seconds."""
    base = croniter(schedule, after).get_next(datetime) if schedule else after + timedelta(seconds=interval)
    return base + timedelta(seconds=(rng or random).uniform(0, jitter) if jitter > 0 else 0)


class Politeness:
    """Waits so that two requests to the same host are at least ``delay`` seconds apart."""

    def __init__(self, delay: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.delay, self.sleep, self.clock = delay, sleep, clock
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        if host in self.last:
            remaining = self.delay - (self.clock() - self.last[host])
            if remaining > 0:
                self.sleep(remaining)
        self.last[host] = self.clock()
