"""Monitoring reports: the trade in a period, in numbers an NGO publishes, each traced to its query.

>>> from datetime import date
>>> from wildtrace.report import ReportOptions
>>> [(w.iso, w.days) for w in ReportOptions(date(2026, 1, 1), date(2026, 1, 14)).weeks()]
[('2026-W01', 4), ('2026-W02', 7), ('2026-W03', 3)]

Every name is imported on first use (pandas, SciPy, matplotlib), so importing the package costs nothing.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wildtrace.report._brand import Brand, BrandError, load_brand
    from wildtrace.report._build import build_report
    from wildtrace.report._changes import compare_around, detect_changes, detectable_drop, recovery, score_changes
    from wildtrace.report._data import ReportOptions, Week, load_period, parse_zone
    from wildtrace.report._render import queries_path, render_html, render_pdf, write_report
    from wildtrace.report._sections import fold_code_word

_LAZY = {"Brand": "_brand", "BrandError": "_brand", "load_brand": "_brand", "build_report": "_build",
         "compare_around": "_changes", "detect_changes": "_changes", "detectable_drop": "_changes",
         "recovery": "_changes", "score_changes": "_changes", "ReportOptions": "_data", "Week": "_data",
         "load_period": "_data", "parse_zone": "_data", "queries_path": "_render", "render_html": "_render",
         "render_pdf": "_render", "write_report": "_render", "fold_code_word": "_sections"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)


__all__ = [
    "Brand",
    "BrandError",
    "ReportOptions",
    "Week",
    "build_report",
    "compare_around",
    "detect_changes",
    "detectable_drop",
    "fold_code_word",
    "load_brand",
    "load_period",
    "parse_zone",
    "queries_path",
    "recovery",
    "render_html",
    "render_pdf",
    "score_changes",
    "write_report",
]
