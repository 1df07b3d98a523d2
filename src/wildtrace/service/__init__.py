"""The workbench's service layer: what the API routes and the pages both call (users and sessions, the audit
log, review, alerts, cases and who may open them, networks, lexicon review, tips, captures and real-time
checks). It knows nothing of HTTP: it raises ``LookupError`` for what does not exist, ``ValueError`` for bad
input and ``PermissionError`` for what a user may not do; records leave it for an audience through a
``Principal``'s redactor (``wildtrace.share``, the one redaction path).

    from wildtrace.service import queue, post_detail
    page = queue(store, limit=20)
"""

from wildtrace.service._alerts import (
    SAR_FORMATS,
    alert_evidence_page,
    alert_history,
    sar_document,
    sar_view,
    update_alert,
)
from wildtrace.service._attachments import (
    MAX_ATTACHMENT_BYTES,
    add_attachment,
    case_attachments,
    read_attachment,
    safe_name,
)
from wildtrace.service._audit import audit_events, record, verify_audit
from wildtrace.service._audit_filter import shown_audit_events
from wildtrace.service._captures import capture_from_browser, screenshot_bytes
from wildtrace.service._case_access import (
    FULL_VIEW_ROLES,
    Visibility,
    can_open,
    full_view,
    item_ref,
    open_case,
    set_visibility,
    visibility,
    visible_cases,
)
from wildtrace.service._cases import (
    ITEM_KINDS,
    case_notes,
    case_view,
    create_case,
    export_bundle,
    get_case,
    list_cases,
    present_case,
    present_view,
    verify_bundle,
)
from wildtrace.service._cases import add_item as add_case_item
from wildtrace.service._cases import add_note as add_case_note
from wildtrace.service._cases import set_status as set_case_status
from wildtrace.service._check import check_payment, check_post, check_shipment
from wildtrace.service._facts import explanation, fact_sheet, feature_words, readable_post
from wildtrace.service._identifiers import KINDS as IDENTIFIER_KINDS
from wildtrace.service._identifiers import (
    identifier_page,
    identifier_view,
    payment_kind,
    present_identifier_view,
    resolve_identifier,
    shown_identifier,
)
from wildtrace.service._labels import (
    Correction,
    corrections,
    last_decision,
    lexicon_choices,
    parse_correction,
    reviewer_stats,
    undo_decision,
)
from wildtrace.service._lexicon import review_term, suggestions
from wildtrace.service._network import network, network_path, pseudonymous_network, real_subject, resolve
from wildtrace.service._principal import Principal
from wildtrace.service._review import QueueOrder, QueueStatus, Tier, decide, overview, post_detail, queue
from wildtrace.service._search import GROUPS as SEARCH_GROUPS
from wildtrace.service._search import search
from wildtrace.service._sessions import end_session, known_session, session_user, start_session
from wildtrace.service._timeline import case_timeline, present_timeline
from wildtrace.service._tips import list_tips, submit_tip
from wildtrace.service._traders import account_view, present_trader_view, trader_view
from wildtrace.service._triage import (
    MAX_BULK,
    SORTS,
    UNASSIGNED,
    AlertFilter,
    AlertSort,
    BulkAction,
    alert_to_case,
    bulk_update,
    list_alerts,
)
from wildtrace.service._users import (
    WORKERS,
    Role,
    User,
    add_user,
    authenticate,
    create_token,
    get_user,
    known_token,
    list_tokens,
    list_users,
    revoke_token,
    set_disabled,
    set_role,
    token_id,
    user_for_token,
)

__all__ = [
    "FULL_VIEW_ROLES",
    "IDENTIFIER_KINDS",
    "ITEM_KINDS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_BULK",
    "SAR_FORMATS",
    "SEARCH_GROUPS",
    "SORTS",
    "UNASSIGNED",
    "WORKERS",
    "AlertFilter",
    "AlertSort",
    "BulkAction",
    "Correction",
    "Principal",
    "QueueOrder",
    "QueueStatus",
    "Role",
    "Tier",
    "User",
    "Visibility",
    "account_view",
    "add_attachment",
    "add_case_item",
    "add_case_note",
    "add_user",
    "alert_evidence_page",
    "alert_history",
    "alert_to_case",
    "audit_events",
    "authenticate",
    "bulk_update",
    "can_open",
    "capture_from_browser",
    "case_attachments",
    "case_notes",
    "case_timeline",
    "case_view",
    "check_payment",
    "check_post",
    "check_shipment",
    "corrections",
    "create_case",
    "create_token",
    "decide",
    "end_session",
    "explanation",
    "export_bundle",
    "fact_sheet",
    "feature_words",
    "full_view",
    "get_case",
    "get_user",
    "identifier_page",
    "identifier_view",
    "item_ref",
    "known_session",
    "known_token",
    "last_decision",
    "lexicon_choices",
    "list_alerts",
    "list_cases",
    "list_tips",
    "list_tokens",
    "list_users",
    "network",
    "network_path",
    "open_case",
    "overview",
    "parse_correction",
    "payment_kind",
    "post_detail",
    "present_case",
    "present_identifier_view",
    "present_timeline",
    "present_trader_view",
    "present_view",
    "pseudonymous_network",
    "queue",
    "read_attachment",
    "readable_post",
    "real_subject",
    "record",
    "resolve",
    "resolve_identifier",
    "review_term",
    "reviewer_stats",
    "revoke_token",
    "safe_name",
    "sar_document",
    "sar_view",
    "screenshot_bytes",
    "search",
    "session_user",
    "set_case_status",
    "set_disabled",
    "set_role",
    "set_visibility",
    "shown_audit_events",
    "shown_identifier",
    "start_session",
    "submit_tip",
    "suggestions",
    "token_id",
    "trader_view",
    "undo_decision",
    "update_alert",
    "user_for_token",
    "verify_audit",
    "verify_bundle",
    "visibility",
    "visible_cases",
]
