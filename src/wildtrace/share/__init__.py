"""Sharing: one redaction policy for every audience; FollowTheMoney, STIX 2.1 and CSV exports and imports.

>>> from wildtrace.share import redact_record
>>> redact_record({"platform": "wechat", "display_name": "Wang Wei"}, "account", "public")
{'platform': 'wechat'}
"""

from wildtrace.share._policy import (
    Policy,
    PolicyError,
    Redactor,
    audience_for_role,
    load_policy,
    parse_policy,
    pseudonym,
    redact_record,
    share_key,
)

__all__ = [
    "Policy", "PolicyError", "Redactor", "audience_for_role", "load_policy", "parse_policy", "pseudonym",
    "redact_record", "share_key",
]
