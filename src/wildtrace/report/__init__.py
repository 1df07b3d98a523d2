"""Monitoring reports: the trade in a period, in numbers an NGO publishes, each traced to its query.

>>> from datetime import date
>>> from wildtrace.report import ReportOptions
>>> ReportOptions(date(2026, 1, 1), date(2026, 1, 14)).n_weeks
2

Every name is imported on first use (pandas, SciPy, matplotlib), so importing the package costs nothing.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wildtrace.report._build import build_report
    from wildtrace.report._changes import compare_around, detect_changes, recovery, score_changes
    from wildtrace.report._data import ReportOptions, load_period, parse_offset
    from wildtrace.report._render import render_html, render_pdf, write_report

_LAZY = {"build_report": "_build", "compare_around": "_changes", "detect_changes": "_changes", "recovery": "_changes",
         "score_changes": "_changes", "ReportOptions": "_data", "load_period": "_data", "parse_offset": "_data",
         "render_html": "_render", "render_pdf": "_render", "write_report": "_render"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)


__all__ = [
    "ReportOptions",
    "build_report",
    "compare_around",
    "detect_changes",
    "load_period",
    "parse_offset",
    "recovery",
    "render_html",
    "render_pdf",
    "score_changes",
    "write_report",
]
