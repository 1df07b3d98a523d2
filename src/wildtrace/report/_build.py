"""The monitoring report as data: every section's numbers, the queries behind them, for one period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wildtrace.report import _cases as c
from wildtrace.report import _method as m
from wildtrace.report import _network as n
from wildtrace.report import _queries as q
from wildtrace.report import _sections as s
from wildtrace.report._data import ReportOptions, load_period
from wildtrace.report._summary import summary
from wildtrace.share import store_redactor
from wildtrace.store import Store


def build_report(store: Store, options: ReportOptions, key: bytes = b"") -> dict[str, Any]:
    """The report's data for ``options``' period, redacted for ``options.audience`` (JSON-serialisable)."""
    data = load_period(store, options)
    redactor = store_redactor(store, options.audience, key)
    volume = s.volume(data)
    words = s.code_words(data)
    links = n.seizure_links(store, data)
    report: dict[str, Any] = {
        "title": options.title,
        "period": {"from": options.start.isoformat(), "to": options.end.isoformat(), "zone": options.zone,
                   "weeks": options.n_weeks, "full_weeks": sum(not w.partial for w in options.weeks())},
        "audience": redactor.audience,
        "tlp": redactor.policy.audience(redactor.audience).tlp,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "flagged_tiers": list(options.flagged_tiers),
        "sections": {
            "volume": volume,
            "measurement": m.measurement(store, data, m.load_evaluation(options.screening_eval), volume["flagged"]),
            "changes": s.changes(data, volume),
            "products": s.products(data),
            "timing": s.timing(data),
            "deletions": m.deletions(store, data),
            "traders": s.traders(data, redactor),
            "code_words": words,
            "networks": n.networks(store, data, redactor),
            "seizures": n.seizures(links, data, redactor),
            "sources": m.sources(store, data),
        },
        "case_studies": c.case_studies(store, data, links, redactor, {w["key"]: w["term"] for w in words["words"]}),
        "queries": {name: fn() for name, fn in q.QUERIES.items()},
    }
    report["summary"] = summary(report)
    report["limitations"] = m.limitations(report)
    return report
