"""The report's appendix of case studies, redacted for its audience by the share package's case studies.

Closed cases opened in the period come first; when there are fewer than ``limit``, the sellers that seizures of
the period lead back to become case studies too (their accounts and flagged ads of the period, with the alerts
on those accounts): how the trade worked, told without naming anyone the audience may not see.
"""

from __future__ import annotations

from typing import Any

from wildtrace.model import Case, CaseStatus
from wildtrace.report import _queries as q
from wildtrace.report._data import PeriodData
from wildtrace.report._sections import fold_code_word
from wildtrace.share import Redactor, study_of_case
from wildtrace.store import Store

TIMELINE = 8  # events of each case shown in the report (the first ones; the case study has them all)


def _seller_case(data: PeriodData, seizure: dict[str, Any], seller: str, how: str) -> Case:
    members = data.traders
    accounts = set(members.loc[members["trader_id"] == seller, "account_id"]) if members is not None else set()
    accounts = accounts or {seller}
    posts = data.posts[data.posts["flagged"] & data.posts["account_id"].isin(accounts)]
    return Case(id=f"report-{seizure['id']}-{seller}", status=CaseStatus.CLOSED,
                title=f"Online seller linked to the seizure of {seizure['date']} ({seizure['agency'] or 'agency'}) "
                      f"through the parcel's {how} phone" if how != "named" else
                      f"Online seller whose phone a seizure record of {seizure['date']} names",
                notes="Drawn up by the monitoring report from the store (the seller's accounts and flagged ads of "
                      "the period); not an investigated case.",
                items=[f"account:{a}" for a in sorted(accounts)] + [f"post:{p}" for p in posts["id"]])


def case_studies(store: Store, data: PeriodData, links: list[tuple[dict[str, Any], dict[str, str]]],
                 redactor: Redactor, terms: dict[str, str], limit: int = 3) -> dict[str, Any]:
    """Up to ``limit`` case studies for the appendix, each with its origin (``case`` or ``seizure``); code words
    folded and written as the report's code-word table writes them (``terms``: folded key -> spelling)."""
    start, end = data.options.bounds()
    cases = [c for c in store.find(Case)
             if c.status == CaseStatus.CLOSED and c.created_at and start <= c.created_at < end]
    chosen: list[tuple[str, Case]] = [("case", c) for c in sorted(cases, key=lambda c: c.created_at or start)]
    seen: set[str] = set()
    for seizure, via in links:
        for seller, how in sorted(via.items()):
            if len(chosen) < limit and seller not in seen:
                seen.add(seller)
                chosen.append(("seizure", _seller_case(data, seizure, seller, how)))
    studies = []
    for origin, case in chosen[:limit]:
        study = study_of_case(store, case, redactor)
        timeline = study["timeline"]
        words: dict[str, str] = {}
        for raw in study["code_words"]:
            key, surface, _ = fold_code_word(raw)
            words.setdefault(key, terms.get(key, surface))
        studies.append({**study, "origin": origin, "timeline": timeline[:TIMELINE],
                        "code_words": sorted(words.values()), "more_events": max(0, len(timeline) - TIMELINE)})
    return {"studies": studies, "closed_cases": len(cases),
            "source": q.source(f"{__name__}.case_studies", "seizures_of_period", "phone_identifiers", "trader_members",
                               "posts_in_period", library="wildtrace.share.study_of_case")}
