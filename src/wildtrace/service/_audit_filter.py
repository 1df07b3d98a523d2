"""The audit log filtered by an object as the asker names it. A role shown pseudonyms names an object by the
pseudonym it is shown (``phone:h:...``, ``trader:h:...``); a store value answers nothing, so that filtering
cannot tell a known value's pseudonym."""

from __future__ import annotations

from wildtrace.model import AuditEvent
from wildtrace.service._audit import audit_events
from wildtrace.service._identifiers import resolve_identifier
from wildtrace.service._principal import Principal
from wildtrace.store import Store


def _stored(store: Store, principal: Principal, kind: str, shown: str) -> str | None:
    """The stored object id of an audit event on a ``kind`` object the principal is shown as ``shown``."""
    redactor = principal.redactor
    event = {"object_kind": kind, "object_id": shown}
    action = redactor.policy.action(redactor.audience, "audit_event", "object_id", event)
    if action == "keep":
        return shown
    if action != "hash":
        return None  # dropped or scrubbed: nothing to name it by
    if kind == "identifier":
        found = resolve_identifier(store, redactor, shown)
        return f"{found[0]}:{found[1]}" if found else None
    qualified = redactor.policy.qualified("audit_event", "object_id", event)
    head = qualified[0] if qualified else ""
    real = redactor.unmask(shown[len(head):])
    return None if real is None else head + real


def shown_audit_events(store: Store, principal: Principal, actor: str | None = None, object_kind: str | None = None,
                       object_id: str | None = None, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    """Audit events, newest first, filtered by actor and by an object named as ``principal`` is shown it."""
    redactor = principal.redactor
    if not object_id or redactor.open:
        return audit_events(store, actor, object_kind, object_id, limit, offset)
    rule = redactor.policy.rule("audit_event", "object_id")
    kinds = [object_kind] if object_kind else sorted(rule.by_classes if rule else ())
    objects = [(k, real) for k in kinds if (real := _stored(store, principal, k, object_id)) is not None]
    return audit_events(store, actor, limit=limit, offset=offset, objects=objects)
