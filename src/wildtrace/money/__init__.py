"""Follow the money and the parcels: payments, couriers, seizures, AML typologies, risk, alerts, SAR drafts.

>>> from wildtrace.money import analyse, save            # doctest: +SKIP
>>> result = analyse(store)                               # doctest: +SKIP
>>> save(store, result); result.alerts[0].reasons         # doctest: +SKIP

Everything but ``ALERT_THRESHOLD`` is imported on first use (pandas, DuckDB, scikit-learn), so the CLI starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from wildtrace.money._constants import ALERT_THRESHOLD

if TYPE_CHECKING:
    from wildtrace.money._cv import cross_validate, evaluate_learning, evaluate_ledger
    from wildtrace.money._evaluate import (
        PATTERN_DETECTORS,
        evaluate_accounts,
        evaluate_pattern_members,
        evaluate_typologies,
    )
    from wildtrace.money._evidence import EVIDENCE_SHOWN, alert_evidence, put_alerts
    from wildtrace.money._features import build_features, time_unit
    from wildtrace.money._frame import Frame, open_frame
    from wildtrace.money._labels import account_labels, read_patterns, read_table
    from wildtrace.money._learn import MoneyModel, apply_model, train_model
    from wildtrace.money._load import KINDS, load_records
    from wildtrace.money._metamorphic import LEDGER_REWRITES, invariance_report, run_variant
    from wildtrace.money._names import name_key
    from wildtrace.money._pipeline import MoneyResult, analyse, latest_run, save, set_alert
    from wildtrace.money._profile import LedgerProfile, infer_profile, load_deployment
    from wildtrace.money._registry import HIT_COLUMNS, TYPOLOGIES, Typology, run_typologies, typology
    from wildtrace.money._risk import RiskParams, combine, pattern_members, propagate
    from wildtrace.money._sar import SarDraft, draft_sar, sar_html, sar_xml, write_sar
    from wildtrace.money._watchlist import Watchlists, WatchMatch, load_watchlist, read_ftm, watchlist_hits

_LAZY = {
    "cross_validate": "_cv", "evaluate_ledger": "_cv", "evaluate_learning": "_cv", "build_features": "_features",
    "time_unit": "_features", "account_labels": "_labels", "read_patterns": "_labels", "read_table": "_labels",
    "MoneyModel": "_learn", "apply_model": "_learn", "train_model": "_learn",
    "LEDGER_REWRITES": "_metamorphic", "invariance_report": "_metamorphic", "run_variant": "_metamorphic",
    "PATTERN_DETECTORS": "_evaluate", "evaluate_accounts": "_evaluate", "evaluate_pattern_members": "_evaluate",
    "evaluate_typologies": "_evaluate", "EVIDENCE_SHOWN": "_evidence", "alert_evidence": "_evidence",
    "put_alerts": "_evidence",
    "Frame": "_frame", "open_frame": "_frame", "KINDS": "_load", "load_records": "_load", "name_key": "_names",
    "MoneyResult": "_pipeline", "analyse": "_pipeline", "latest_run": "_pipeline", "save": "_pipeline",
    "set_alert": "_pipeline", "HIT_COLUMNS": "_registry", "TYPOLOGIES": "_registry", "Typology": "_registry",
    "run_typologies": "_registry", "typology": "_registry", "RiskParams": "_risk", "combine": "_risk",
    "pattern_members": "_risk", "LedgerProfile": "_profile", "infer_profile": "_profile", "load_deployment": "_profile",
    "propagate": "_risk", "SarDraft": "_sar", "draft_sar": "_sar", "sar_html": "_sar", "sar_xml": "_sar",
    "write_sar": "_sar", "Watchlists": "_watchlist", "WatchMatch": "_watchlist", "load_watchlist": "_watchlist",
    "read_ftm": "_watchlist", "watchlist_hits": "_watchlist",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for builtin in ("_typologies_parcel", "_typologies_tx"):  # registers the built-in typologies
        import_module(f"{__name__}.{builtin}")
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)


__all__ = [
    "ALERT_THRESHOLD", "EVIDENCE_SHOWN", "HIT_COLUMNS", "KINDS", "LEDGER_REWRITES", "PATTERN_DETECTORS", "TYPOLOGIES",
    "Frame", "LedgerProfile", "MoneyModel", "MoneyResult", "RiskParams", "SarDraft", "Typology", "WatchMatch",
    "Watchlists", "account_labels", "alert_evidence", "analyse", "apply_model", "build_features", "combine",
    "cross_validate", "draft_sar", "evaluate_accounts", "evaluate_learning", "evaluate_ledger",
    "evaluate_pattern_members", "evaluate_typologies", "infer_profile", "invariance_report", "latest_run",
    "load_deployment", "load_records", "load_watchlist", "name_key", "open_frame", "pattern_members", "propagate",
    "put_alerts", "read_ftm", "read_patterns", "read_table", "run_typologies", "run_variant", "sar_html", "sar_xml",
    "save", "set_alert", "time_unit", "train_model", "typology", "watchlist_hits", "write_sar",
]
