"""Monitoring reports: the trade in a period, in numbers an NGO publishes, each traced to its query.

>>> from datetime import date
>>> from wildtrace.report import ReportOptions
>>> ReportOptions(date(2026, 1, 1), date(2026, 1, 14)).n_weeks
2
"""

from wildtrace.report._build import build_report
from wildtrace.report._changes import compare_around, detect_changes, recovery, score_changes
from wildtrace.report._data import ReportOptions, load_period, parse_offset
from wildtrace.report._render import render_html, render_pdf, write_report

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
