"""Redaction by role through the share package's one policy (``wildtrace/share/data/redaction.yaml``).

The workbench answers with composite documents (a post with its account, verdict and decisions; a trader with
its accounts), so each part is redacted with the policy's rules for its record kind: the kind comes from the key
it sits under (``account``, ``identifiers``, ...) or from the caller. Workbench fields the policy does not list
get a class here (``_WORKBENCH``); other unlisted strings are scrubbed, never passed through.
"""

from __future__ import annotations

from typing import Any

from wildtrace.share import Redactor, audience_for_role, load_policy

__all__ = ["WorkbenchRedactor", "audience_for_role"]

# Which record kind of the policy a nested part is, by the key it sits under.
_KIND_OF = {
    "post": "post", "verdict": "post", "account": "account", "accounts": "account", "identifiers": "identifier",
    "posts": "post", "newest_high": "post", "record": None,
}
# Workbench fields that the policy does not list, and their class.
_WORKBENCH = {
    "post_id": "record_ref", "excerpt": "free_text", "decision_id": "record_ref", "account_id": "account_ref",
    "trader_id": "account_ref", "after_block_of": "account_ref", "appeared_at": "public", "is_backup": "public",
    "display_name": "private_name", "handle": "account_ref", "subject": "account_ref", "identifier_kind": "public",
    "sender_phone": "contact", "receiver_phone": "contact", "sender_name": "private_name",
    "receiver_name": "private_name", "address": "location", "payer": "payment", "payee": "payment",
    "value": "contact", "raw": "contact", "contact": "contact", "phone": "contact", "holder_name": "private_name",
    "holder_phone": "contact", "label": "free_text", "ocr_text": "free_text", "day": "public",
    "decided_at": "public", "occurred_at": "public", "created_at": "public", "written_at": "public",
    "screened_at": "public", "risk": "public", "screening_tier": "public", "decision": "public",
}


class WorkbenchRedactor:
    """One audience's view of workbench responses (``investigator`` sees everything unchanged)."""

    def __init__(self, audience: str, key: bytes) -> None:
        self.policy = load_policy()
        self.audience = audience
        self.open = all(a == "keep" for a in self.policy.audience(audience).actions.values())
        self._redactor = Redactor(audience, self.policy, key)

    def _action(self, kind: str | None, name: str, record: dict[str, Any]) -> str | None:
        rule = self.policy.fields.get(kind or "", {}).get(name)
        cls = rule.class_for(record) if rule else _WORKBENCH.get(name)
        return self.policy.audience(self.audience).actions[cls] if cls else None

    def pseudonym(self, value: str) -> str:
        return value if self.open else str(self._redactor.value("hash", value))

    def present(self, data: Any, kind: str | None = None) -> Any:
        """``data`` as this audience may see it; ``kind`` is the policy record kind of its top level."""
        return data if self.open else self._walk(data, kind)

    def _walk(self, data: Any, kind: str | None) -> Any:
        if isinstance(data, dict):
            out = {}
            for name, value in data.items():
                action = self._action(kind, name, data)
                if action == "drop" and value not in (None, "", [], {}):
                    continue
                if isinstance(value, dict | list):
                    child = _KIND_OF.get(name, kind)
                    out[name] = self._walk(value, child) if action != "hash" or any(
                        isinstance(v, dict) for v in (value if isinstance(value, list) else [value])) \
                        else self._redactor.value("hash", value)
                elif isinstance(value, str):
                    out[name] = self._redactor.value(action or "scrub", value)
                else:
                    out[name] = value
            return out
        if isinstance(data, list | tuple):
            return [self._walk(v, kind) for v in data]
        if isinstance(data, str):
            return self._redactor.scrub(data)
        return data
