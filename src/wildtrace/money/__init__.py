"""Follow the money and the parcels: payments, couriers, seizures, AML typologies, risk, alerts, SAR drafts.

>>> from wildtrace.money import analyse, save            # doctest: +SKIP
>>> result = analyse(store)                               # doctest: +SKIP
>>> save(store, result); result.alerts[0].reasons         # doctest: +SKIP
"""

from __future__ import annotations

from wildtrace.money import _typologies_parcel, _typologies_tx  # noqa: F401 - registers the built-in typologies
from wildtrace.money._evaluate import PATTERN_DETECTORS, evaluate_accounts, evaluate_typologies
from wildtrace.money._frame import Frame, open_frame
from wildtrace.money._load import KINDS, load_records
from wildtrace.money._names import name_key
from wildtrace.money._pipeline import ALERT_THRESHOLD, MoneyResult, analyse, latest_run, save, set_alert
from wildtrace.money._registry import HIT_COLUMNS, TYPOLOGIES, Typology, run_typologies, typology
from wildtrace.money._risk import RiskParams, combine, propagate
from wildtrace.money._sar import SarDraft, draft_sar, sar_html, sar_xml, write_sar
from wildtrace.money._watchlist import Watchlists, WatchMatch, load_watchlist, read_ftm, watchlist_hits

__all__ = [
    "ALERT_THRESHOLD", "HIT_COLUMNS", "KINDS", "PATTERN_DETECTORS", "TYPOLOGIES", "Frame", "MoneyResult",
    "RiskParams", "SarDraft", "Typology", "WatchMatch", "Watchlists", "analyse", "combine", "draft_sar",
    "evaluate_accounts", "evaluate_typologies", "latest_run", "load_records", "load_watchlist", "name_key",
    "open_frame", "propagate", "read_ftm", "run_typologies", "sar_html", "sar_xml", "save", "set_alert",
    "typology", "watchlist_hits", "write_sar",
]
