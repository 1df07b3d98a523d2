"""One money run: typologies, network risk, alerts; and what of it is kept in the store."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from wildtrace.model import Alert, AlertStatus, content_hash
from wildtrace.money._constants import ALERT_THRESHOLD, WATCHLIST
from wildtrace.money._evidence import put_alerts
from wildtrace.money._frame import Frame, open_frame
from wildtrace.money._registry import HIT_COLUMNS, exposure_flags, pattern_flags, run_typologies
from wildtrace.money._risk import RiskParams, combine, propagate
from wildtrace.store import Store


@dataclass
class MoneyResult:
    run_id: str
    hits: pd.DataFrame
    risk: pd.DataFrame
    alerts: list[Alert]
    counts: dict[str, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        by_typology = self.hits.groupby("typology").size().to_dict() if not self.hits.empty else {}
        return {**({"warning": self.params["warning"]} if "warning" in self.params else {}), "run_id": self.run_id,
                **self.counts, "hits": len(self.hits), "hits_by_typology": by_typology,
                "subjects_scored": len(self.risk), "alerts": len(self.alerts)}


def _seeds(frame: Frame, hits: pd.DataFrame, decay: float, min_seed: float) -> pd.DataFrame:
    """Hits of at least ``min_seed`` as graph seeds: waybill hits seed both phones of the parcel one hop
    away (times ``decay``); phones named in seizures seed at 1. Weak hits do not spread, nor do exposure
    hits (a flagged seller's counterparty): the seller seeds the network itself, and a counterparty
    passing its exposure on would count the seller twice. Nor do patterns of several accounts: their risk
    reaches their accounts through the pattern (members inherit it, every account on a cycle is a subject
    of it), and flowing again over the payments that form it would count the pattern twice on them."""
    hits = hits[~exposure_flags(hits) & ~pattern_flags(hits)]
    rows = hits.loc[hits["subject_kind"] != "waybill", ["subject", "score"]]
    rows = rows[rows["score"] >= min_seed]
    waybills = hits.loc[(hits["subject_kind"] == "waybill") & (hits["score"] >= min_seed), ["subject", "score"]]
    if not waybills.empty:
        frame.con.register("_mx_wb", waybills)
        ends = frame.df(f"""SELECT 'phone:' || p AS subject, w.score * {decay} AS score FROM _mx_wb w
                           JOIN mx_shp s ON s.waybill = w.subject,
                           unnest([s.sender_phone, s.receiver_phone]) AS u(p) WHERE p IS NOT NULL""")
        frame.con.unregister("_mx_wb")
        rows = pd.concat([rows, ends], ignore_index=True)
    seized = frame.df("SELECT DISTINCT 'phone:' || p AS subject, 1.0 AS score FROM mx_seizures, unnest(phones) AS u(p) "
                      "WHERE p IS NOT NULL")
    return pd.concat([rows, seized], ignore_index=True)


def analyse(store: Store | None = None, transactions: str | Path | None = None,
            columns: dict[str, str] | None = None, step_seconds: int = 3600, typologies: list[str] | None = None,
            params: dict[str, dict[str, Any]] | None = None, risk: RiskParams | None = None,
            alert_threshold: float = ALERT_THRESHOLD, frame: Frame | None = None, alerts_per: str = "account",
            deployment: dict[str, Any] | None = None) -> MoneyResult:
    """Run the typologies, propagate risk and draft alerts (nothing is written; see :func:`save`), one per
    account or, with ``alerts_per="pattern"``, one per detected pattern (:func:`pattern_alerts`). A frame
    opened here (profiled with the ``deployment`` profile) is closed at the end; a ``frame`` given stays
    open for the caller."""
    if alerts_per not in ("account", "pattern"):
        raise ValueError(f"alerts_per must be 'account' or 'pattern', not {alerts_per!r}")
    with _gc_paused():
        if frame is not None:
            return _analyse(frame, store, step_seconds, typologies, params, risk, alert_threshold, alerts_per)
        frame = open_frame(store, transactions, columns, step_seconds, deployment)
        try:
            return _analyse(frame, store, step_seconds, typologies, params, risk, alert_threshold, alerts_per)
        finally:
            frame.close()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the run: scoring builds some hundred thousand lists and
    strings (reasons, evidence, members; no cycles), and each collection walked all of them again (a third
    of the scoring's CPU at 1M payments). It is switched back on as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _analyse(frame: Frame, store: Store | None, step_seconds: int, typologies: list[str] | None,
             params: dict[str, dict[str, Any]] | None, risk: RiskParams | None, alert_threshold: float,
             alerts_per: str = "account") -> MoneyResult:
    in_ledger = None if typologies is None else [n for n in typologies if n != WATCHLIST]
    hits = run_typologies(frame, in_ledger, params) if in_ledger != [] else pd.DataFrame(columns=HIT_COLUMNS)
    if store is not None and (typologies is None or WATCHLIST in typologies):
        from wildtrace.money._watchlist import Watchlists, watchlist_hits  # FollowTheMoney: only with a store

        listed = watchlist_hits(frame, Watchlists.from_store(store))
        if not listed.empty:
            hits = pd.concat([hits, listed], ignore_index=True) if not hits.empty else listed
    risk = risk or RiskParams()
    network = propagate(frame, _seeds(frame, hits, risk.decay, risk.min_seed), risk)
    scored = combine(hits, network, risk.exposure_cap, risk.member_share, risk.member_patterns)
    now = datetime.now(UTC)
    run_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    alerts = draft_alerts(scored, alert_threshold, now)
    if alerts_per == "pattern":
        alerts = pattern_alerts(hits, scored, alerts, alert_threshold, now)
    used = {"typologies": typologies or "all", "params": params or {}, "risk": vars(risk),
            "alert_threshold": alert_threshold, "alerts_per": alerts_per, "step_seconds": step_seconds,
            "source": frame.source, "profile": frame.profile.as_dict()}
    counts = {"transactions": frame.counts.get("mx_tx", 0), "shipments": frame.counts.get("mx_shp", 0),
              "seizures": frame.counts.get("mx_seizures", 0)}
    return MoneyResult(run_id, hits, scored, alerts, counts, used)


def pattern_alerts(hits: pd.DataFrame, scored: pd.DataFrame, alerts: list[Alert], threshold: float,
                   now: datetime) -> list[Alert]:
    """Alerts per pattern, as AML teams triage them: every pattern hit with a member at or over
    ``threshold`` becomes one alert (``subject_kind`` pattern, scored as its riskiest member), its reasons
    the pattern's and each member's score, its evidence the pattern's payments. Accounts alerted through
    a pattern have no alert of their own; the other ``alerts`` stay as they are."""
    total = dict(zip(scored["subject"], scored["score"], strict=True))
    out: list[Alert] = []
    covered: set[str] = set()
    is_pattern = hits["members"].map(lambda m: isinstance(m, list) and len(m) > 1) if "members" in hits else None
    patterns = hits[is_pattern] if is_pattern is not None else hits[:0]
    for h in patterns.itertuples(index=False):
        members = list(dict.fromkeys(h.members))
        top = max(total.get(m, 0.0) for m in members)
        if top < threshold:
            continue
        covered.update(m for m in members if total.get(m, 0.0) >= threshold)
        ranked = sorted(members, key=lambda m: -total.get(m, 0.0))
        out.append(Alert(
            id="mx-" + content_hash(f"{h.typology}:{h.subject}")[:16], subject=f"{h.typology}:{h.subject}",
            subject_kind="pattern", kind=h.typology, score=float(top),
            reasons=[f"{h.typology}: {h.reason}"] + [f"member {m}: risk {total.get(m, 0.0):.2f}" for m in ranked],
            evidence=[str(e) for e in h.evidence], created_at=now))
    return sorted(out + [a for a in alerts if a.subject not in covered], key=lambda a: (-a.score, a.id))


def draft_alerts(scored: pd.DataFrame, threshold: float, now: datetime, default_kind: str = "network") -> list[Alert]:
    """An alert for every scored subject at or over ``threshold``, named by its first typology."""
    return [
        Alert(id="mx-" + content_hash(r.subject)[:16], subject=r.subject, subject_kind=r.subject_kind,
              kind=(r.typologies[0] if r.typologies else default_kind), score=float(r.score),
              reasons=list(r.reasons), evidence=[str(e) for e in r.evidence], created_at=now)
        for r in scored[scored["score"] >= threshold].itertuples(index=False)
    ]


def save(store: Store, result: MoneyResult) -> None:
    """Keep the run's hits, risk scores and alerts; an alert already open keeps its status and assignee."""
    hits = [{"run_id": result.run_id, "typology": h.typology, "subject": h.subject, "subject_kind": h.subject_kind,
             "score": float(h.score), "reason": h.reason, "evidence": json.dumps(list(h.evidence)),
             "members": json.dumps(list(h.members) if isinstance(h.members, list) else [])}
            for h in result.hits.itertuples(index=False)]
    risk = [{"run_id": result.run_id, "subject": r.subject, "subject_kind": r.subject_kind, "score": float(r.score),
             "typology_score": float(r.typology_score), "network_score": float(r.network_score),
             "reasons": json.dumps(list(r.reasons), ensure_ascii=False)} for r in result.risk.itertuples(index=False)]
    alerts = []
    for alert in result.alerts:
        old = store.get(Alert, alert.id)
        if old is not None and old.status != AlertStatus.CLOSED:
            alert = alert.model_copy(update={"status": old.status, "assignee": old.assignee,
                                             "created_at": old.created_at})
        alerts.append(alert)
    with store.transaction():
        store.insert_rows("money_hits", hits, list(hits[0]) if hits else [], ["run_id", "typology", "subject"])
        store.insert_rows("money_risk", risk, list(risk[0]) if risk else [], ["run_id", "subject"])
        put_alerts(store, alerts)
        store.insert_rows("money_runs", [{
            "run_id": result.run_id, "finished_at": datetime.now(UTC), "n_transactions": result.counts["transactions"],
            "n_shipments": result.counts["shipments"], "n_hits": len(hits), "n_alerts": len(alerts),
            "params": json.dumps(result.params, default=str)}],
            ["run_id", "finished_at", "n_transactions", "n_shipments", "n_hits", "n_alerts", "params"], ["run_id"])


def latest_run(store: Store) -> str | None:
    rows = store.query("SELECT run_id FROM money_runs ORDER BY finished_at DESC LIMIT 1")
    return rows[0]["run_id"] if rows else None


def set_alert(store: Store, alert_id: str, status: str | None = None, assignee: str | None = None) -> Alert:
    """Change an alert's status and/or assignee (assigning an open alert marks it assigned)."""
    alert = store.get(Alert, alert_id)
    if alert is None:
        raise KeyError(f"no alert {alert_id!r}")
    update: dict[str, Any] = {}
    if assignee is not None:
        update["assignee"] = assignee or None
        if alert.status == AlertStatus.OPEN and assignee:
            update["status"] = AlertStatus.ASSIGNED
    if status is not None:
        if status not in set(AlertStatus):
            raise ValueError(f"unknown alert status {status!r} (use {', '.join(AlertStatus)})")
        update["status"] = AlertStatus(status)
    changed = alert.model_copy(update=update)
    store.put([Alert.model_validate(changed.model_dump())])
    return changed
