"""Progress of long steps: libraries report it, whoever calls them shows it.

A library step takes ``progress: Progress | None`` and calls ``report(progress, label, done, total)`` as it goes.
The CLI shows progress bars with counts and time left; a notebook may pass any callable; None costs nothing.

>>> seen = []
>>> report(lambda label, done, total: seen.append((label, done, total)), "reading pictures", 1, 3)
>>> seen
[('reading pictures', 1, 3)]
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, "int | None"], None]


def report(progress: Progress | None, label: str, done: int, total: int | None) -> None:
    """Tell ``progress`` (if any) that ``done`` of ``total`` units of ``label`` are finished."""
    if progress is not None:
        progress(label, done, total)
