"""Answers of the per-request sign-in lookups (API token, session), kept a few seconds so that a client sending
many requests does not pay a store query on each.

Whatever changes who may do what in this process (disabling a user, a new role, a logout) drops them at once,
so a disabled user is refused on the next request (an answer looked up before such a change is not kept after
it: each change moves a stamp that the lookup took before its query). A change made by another process (the
command line, another server worker) reaches this one when the answers expire: within ``RECENT_SECONDS``. Only
positive answers are kept (an unknown token is looked up each time, and cannot fill the memory), at most
``RECENT_MAX`` per store.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from wildtrace.store import Store

RECENT_SECONDS = 2.0
RECENT_MAX = 10_000


class Recent:
    """Values by key for ``ttl`` seconds (or until their own deadline, if sooner), per store."""

    def __init__(self, ttl: float = RECENT_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._lock = threading.Lock()
        self._by_store: weakref.WeakKeyDictionary[Store, dict[str, tuple[float, Any]]] = weakref.WeakKeyDictionary()
        self._stamps: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()

    def get(self, store: Store, key: str) -> Any:
        """The value kept for ``key``, or None."""
        with self._lock:
            found = self._by_store.get(store, {}).get(key)
        if found is None or found[0] <= self.clock():
            return None
        return found[1]

    def stamp(self, store: Store) -> int:
        """Take before looking a value up in the store; ``put`` keeps it only if nothing was forgotten since."""
        with self._lock:
            return self._stamps.get(store, 0)

    def put(self, store: Store, key: str, value: Any, stamp: int, until: float | None = None) -> None:
        """Keep ``value`` for ``ttl`` seconds, or until ``until`` (on this cache's clock) if that comes first,
        unless something was forgotten since ``stamp`` was taken (the value may be from before that change)."""
        deadline = self.clock() + self.ttl if until is None else min(until, self.clock() + self.ttl)
        with self._lock:
            if self._stamps.get(store, 0) != stamp:
                return
            kept = self._by_store.setdefault(store, {})
            if len(kept) >= RECENT_MAX:
                kept.clear()
            kept[key] = (deadline, value)

    def forget(self, store: Store, key: str | None = None) -> None:
        """Drop the value of ``key``, or every value kept for ``store``."""
        with self._lock:
            self._stamps[store] = self._stamps.get(store, 0) + 1
            kept = self._by_store.get(store)
            if kept is not None:
                if key is None:
                    kept.clear()
                else:
                    kept.pop(key, None)


TOKENS = Recent()
SESSIONS = Recent()


def forget_sign_ins(store: Store) -> None:
    """Drop every kept answer for ``store``: users, roles or sessions changed."""
    TOKENS.forget(store)
    SESSIONS.forget(store)
