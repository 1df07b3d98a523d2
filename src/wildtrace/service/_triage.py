"""Alert triage as in an AML case manager: a page of alerts filtered (kind, status, assignee, score, age) and
sorted, the same change applied to many alerts at once (assign, close with a reason), an alert's history, and
an alert promoted to a case with its subject and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from wildtrace.model import Alert, AlertStatus, Case
from wildtrace.service._alerts import alert_history, update_alert
from wildtrace.service._cases import add_item, create_case
from wildtrace.store import Store

AlertSort = Literal["score", "age", "kind", "status", "assignee"]
SORTS: dict[str, str] = {"score": "score", "age": "created_at", "kind": "kind", "status": "status",
                         "assignee": "assignee"}
BulkAction = Literal["assign", "close", "escalate", "reopen"]
UNASSIGNED = "-"
MAX_BULK = 500
# What an alert's subject is as a case item.
_SUBJECT_ITEM = {"account": "account", "trader": "trader", "waybill": "shipment"}


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts to list. ``assignee`` ``-`` means unassigned; ages are in days, measured from ``now``."""

    kind: str | None = None
    status: list[str] = field(default_factory=list)
    assignee: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    min_age_days: float | None = None
    max_age_days: float | None = None

    def where(self, now: datetime) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.kind:
            clauses.append("kind = ?")
            params.append(self.kind)
        if self.status:
            for s in self.status:
                AlertStatus(s)  # ValueError on an unknown status
            clauses.append(f"status IN ({', '.join('?' for _ in self.status)})")
            params += list(self.status)
        if self.assignee == UNASSIGNED:
            clauses.append("assignee IS NULL")
        elif self.assignee:
            clauses.append("assignee = ?")
            params.append(self.assignee)
        for op, value in ((">=", self.min_score), ("<=", self.max_score)):
            if value is not None:
                clauses.append(f"score {op} ?")
                params.append(float(value))
        if self.min_age_days is not None:  # older than
            clauses.append("created_at <= ?")
            params.append(now - timedelta(days=self.min_age_days))
        if self.max_age_days is not None:  # newer than
            clauses.append("created_at >= ?")
            params.append(now - timedelta(days=self.max_age_days))
        return " AND ".join(clauses), params


def list_alerts(store: Store, filters: AlertFilter | None = None, sort: str = "score", descending: bool = True,
                limit: int = 50, offset: int = 0, now: datetime | None = None) -> dict[str, Any]:
    """A page of alerts: ``total`` matching, ``items`` (each with its age in days and its history) and the
    ``kinds`` present."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    now = now or datetime.now(UTC)
    where, params = (filters or AlertFilter()).where(now)
    # age sorts the other way round: the oldest first is the earliest created_at first
    direction = "DESC" if descending != (sort == "age") else "ASC"
    order = f"{SORTS[sort]} {direction} NULLS LAST, score DESC, id"
    items = store.find(Alert, where, params, order_by=order, limit=limit, offset=offset)
    kinds = store.query("SELECT kind, count(*) AS n FROM alerts GROUP BY kind ORDER BY kind")
    history = alert_history(store, [a.id for a in items])
    return {"total": store.count(Alert, where, params), "limit": limit, "offset": offset, "sort": sort,
            "descending": descending, "kinds": kinds,
            "items": [{**a.model_dump(mode="json"), "history": history[a.id],
                       "age_days": round((now - a.created_at).total_seconds() / 86400, 1) if a.created_at else None}
                      for a in items]}


def bulk_update(store: Store, alert_ids: list[str], action: str, actor: str, assignee: str | None = None,
                reason: str = "") -> dict[str, Any]:
    """Apply one ``action`` to every alert of ``alert_ids``: ``assign`` (to ``assignee``; empty unassigns),
    ``close`` (a reason is required), ``escalate`` or ``reopen``. Unknown ids are listed, the rest go on."""
    reason = reason.replace("\x00", "").strip()
    if action not in get_args(BulkAction):
        raise ValueError(f"action must be one of {', '.join(get_args(BulkAction))}, not {action[:40]!r}")
    if action == "close" and not reason:
        raise ValueError("closing alerts needs a reason")
    if action == "assign" and assignee is None:
        raise ValueError("assigning alerts needs an assignee (empty to unassign)")
    if not alert_ids or len(alert_ids) > MAX_BULK:
        raise ValueError(f"give between 1 and {MAX_BULK} alert ids")
    status = {"close": AlertStatus.CLOSED, "escalate": AlertStatus.ESCALATED, "reopen": AlertStatus.OPEN}.get(action)
    done, missing = [], []
    for alert_id in dict.fromkeys(alert_ids):
        try:
            alert = update_alert(store, alert_id, status=status, assignee=assignee if action == "assign" else None,
                                 actor=actor, reason=reason)
        except LookupError:
            missing.append(alert_id)
            continue
        done.append(alert.model_dump(mode="json"))
    return {"action": action, "updated": done, "missing": missing}


def alert_to_case(store: Store, alert_id: str, actor: str, title: str = "") -> tuple[Case, list[str]]:
    """Open a case with the alert, its subject and all the evidence it cites (posts, transactions, parcels,
    captures that exist); the alert is escalated and its history names the case. Returns the case and what was
    left out."""
    from wildtrace.money import alert_evidence

    alert = store.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id!r}")
    case = create_case(store, title.strip() or f"Alert {alert.id}: {alert.kind} on {alert.subject_kind}",
                       actor, [f"alert:{alert.id}"])
    subject = [f"{_SUBJECT_ITEM[alert.subject_kind]}:{alert.subject}"] if alert.subject_kind in _SUBJECT_ITEM else []
    # an evidence id is a post, a transaction, a parcel or a capture: the first kind that has it
    groups = [[ref] for ref in subject] + [[f"{kind}:{ref}" for kind in ("post", "transaction", "shipment", "capture")]
                                           for ref in alert_evidence(store, alert)]
    left_out = []
    for refs in groups:
        for ref in refs:
            try:
                add_item(store, case.id, ref)
                break
            except LookupError:
                continue
        else:
            left_out.append(refs[0] if len(refs) == 1 else refs[0].partition(":")[2])
    update_alert(store, alert.id, status=AlertStatus.ESCALATED, assignee=alert.assignee or actor, actor=actor,
                 reason=f"promoted to case {case.id}", case_id=case.id)
    return store.get(Case, case.id) or case, left_out
