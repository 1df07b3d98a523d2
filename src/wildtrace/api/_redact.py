"""Redaction by role. A thin adapter until ``wildtrace.share`` (its policy in ``share/data/redaction.yaml``)
lands on main; then ``audience_for_role`` and ``redact_record`` come from there and this file goes.

Partners see no phone numbers, contact or payment IDs, and no names of private persons.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
# Fields that name or reach a private person.
_PERSONAL_FIELDS = frozenset({
    "display_name", "bio", "sender_name", "sender_phone", "receiver_name", "receiver_phone", "address",
    "picked_up_by", "holder_name", "holder_phone", "phone", "phones", "names", "raw", "value", "contact",
    "payer", "payee", "memo",
})
# Contact IDs written after a cue (WeChat, QQ, Telegram, ...), phone-like digit runs, e-mails, bank cards.
_CUE = r"(?:微信|威信|薇信|v信|vx|wx|wechat|weixin|qq|扣扣|telegram|tg|line|whatsapp|电话|手机|tel|phone|call)"
_PATTERNS = [
    re.compile(_CUE + r"\s*[:：=]?\s*[A-Za-z0-9_.\-]{4,}", re.IGNORECASE),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"(?<![A-Za-z0-9_])\+?\d[\d\s\-]{5,}\d(?![A-Za-z0-9_])"),
]


def audience_for_role(role: str) -> str:
    """The sharing audience of a workbench role: ``partner`` gets redacted data, the rest ``internal``."""
    return "partner" if role == "partner" else "internal"


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_record(record: Any, audience: str) -> Any:
    """``record`` (dicts, lists, strings) as ``audience`` may see it."""
    if audience != "partner":
        return record
    if isinstance(record, dict):
        return {k: (REDACTED if k in _PERSONAL_FIELDS and v not in (None, "", [], {}) else redact_record(v, audience))
                for k, v in record.items()}
    if isinstance(record, list | tuple):
        return [redact_record(v, audience) for v in record]
    if isinstance(record, str):
        return redact_text(record)
    return record
