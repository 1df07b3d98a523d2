"""Rate limits per key (client address, user name), in memory of one server process: a sliding window for
tips, a throttle that slows sign-in attempts."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each key."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a hit for ``key``; False when it is over the limit."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str) -> int:
        with self._lock:
            hits = self._hits.get(key)
            return max(1, int(hits[0] + self.window - time.monotonic()) + 1) if hits else 1


class Throttle:
    """Sign-in attempts per key (client address, user name): ``limit`` per ``window`` seconds go through at
    once; each further attempt waits its turn, ``delay`` seconds doubling per extra attempt up to ``max_delay``,
    one after another (parallel guesses queue up). A throttled attempt is slowed, never refused for being
    throttled: a right password signs in once its turn comes. Only when the queue is longer than ``max_wait``
    is an attempt turned away at once (``wait`` returns None)."""

    def __init__(self, limit: int, window: float, delay: float = 1.0, max_delay: float = 10.0,
                 max_wait: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.delay, self.max_delay, self.max_wait = limit, window, delay, max_delay, max_wait
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._turn: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float | None:
        """Count an attempt for every key; the seconds it must wait (0 within the limit), None when the queue
        is too long."""
        now = self.clock()
        with self._lock:
            start = now
            for key in keys:
                hits = self._hits.setdefault(key, deque())
                while hits and hits[0] <= now - self.window:
                    hits.popleft()
                excess = len(hits) + 1 - self.limit
                if excess > 0:
                    step = min(self.delay * 2 ** (excess - 1), self.max_delay)
                    start = max(start, max(now, self._turn.get(key, now)) + step)
            if start - now > self.max_wait:
                return None
            for key in keys:
                self._hits[key].append(now)
                if start > now:
                    self._turn[key] = start
            return start - now
